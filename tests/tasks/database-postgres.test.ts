// DatabaseBackend through the shared suite on PostgreSQL (127.0.0.1:5432, database `test`),
// whatever NUAGES_TEST_DB says: claims there take FOR UPDATE SKIP LOCKED.
import { postgresTestSettings } from '../db/test-database.ts';
import { backendSuite } from './backend-suite.ts';
import { FAST_OPTIONS } from './setup.ts';

backendSuite('DatabaseBackend on PostgreSQL', {
  backend: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: FAST_OPTIONS } },
  runs: 'worker',
  database: postgresTestSettings(),
});

// DatabaseBackend through the shared suite, on the test database (SQLite in memory, or
// PostgreSQL with NUAGES_TEST_DB=postgres), drained by an in-process worker.
import { backendSuite } from './backend-suite.ts';
import { FAST_OPTIONS } from './setup.ts';

backendSuite('DatabaseBackend', {
  backend: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: FAST_OPTIONS } },
  runs: 'worker',
  database: true,
});

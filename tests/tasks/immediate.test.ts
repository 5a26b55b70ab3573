// ImmediateBackend (the default of TASKS) through the shared suite.
import { backendSuite } from './backend-suite.ts';

backendSuite('ImmediateBackend', { backend: { default: { BACKEND: 'immediate', QUEUES: ['default', 'mail'] } }, runs: 'immediate' });

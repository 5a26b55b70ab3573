// BullMQBackend through the shared suite, against the real Redis at 127.0.0.1:6379 (a queue
// prefix of its own, deleted after), drained by BullMQ's Worker in this process.
import { after } from 'node:test';
import { taskBackends, type BullMQBackend } from '../../src/tasks/index.ts';
import { backendSuite } from './backend-suite.ts';
import { FAST_OPTIONS } from './setup.ts';

const PREFIX = `nuages-test-suite-${process.pid}`;
const bullmq = () => taskBackends.get() as BullMQBackend;

backendSuite('BullMQBackend', {
  backend: { default: { BACKEND: 'bullmq', QUEUES: ['default', 'mail'], OPTIONS: { ...FAST_OPTIONS, PREFIX } } },
  runs: 'worker',
  database: true,
  cleanup: () => bullmq().obliterate(),
});

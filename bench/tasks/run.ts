/**
 * Tasks benchmark (not a test), `npm run bench:tasks`: tasks/s for a no-op task enqueued and
 * completed, end to end (the first enqueue to the last completion), in this process:
 *
 *   - database: the database backend on a SQLite file, drained by the in-process Worker,
 *     enqueue() alone, then inside a transaction that also saves an order (as a view does);
 *   - raw BullMQ: the limit, a Queue adding plain jobs and a Worker running a no-op;
 *   - Nuages BullMQ: enqueue() outside a transaction, straight to Redis (vs raw BullMQ);
 *   - Nuages BullMQ, outbox off / on: each enqueue() inside a transaction that also saves an
 *     order, with OPTIONS.OUTBOX false (straight to Redis from inside the transaction) or
 *     true (an outbox row in the transaction, moved by the relay after the commit). Both pay
 *     the transaction; the difference is what the outbox costs.
 *
 * BENCH_PRODUCERS loops enqueue at once (as concurrent requests would), the worker runs
 * BENCH_CONCURRENCY at once. Goals (issue 13): Nuages BullMQ ≥ 80% of raw BullMQ; the outbox
 * costs < 20% (outbox on vs off). Medians of interleaved rounds; a table, then one JSON line.
 * BENCH_TASKS (default 5000), BENCH_ROUNDS (5), BENCH_TARGETS (a comma-separated subset),
 * BENCH_VERBOSE (each round, with CPU time per task), BENCH_REDIS_URL tune it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker as BullWorker } from 'bullmq';
import { Redis } from 'ioredis';
import { configure, setup } from '../../src/conf/index.ts';
import { atomic, CharField, connections, createTables, Model } from '../../src/db/index.ts';
import { DBTaskResult, task, taskBackends, TaskOutboxEntry, type BullMQBackend, type QueuedTaskBackend } from '../../src/tasks/index.ts';
import { setupTestDatabase } from '../../src/test/index.ts';
import { median } from '../stats.ts';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 5000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const PRODUCERS = Number(process.env['BENCH_PRODUCERS'] ?? 8);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `nuages-bench-${process.pid}`;

const ALL_TARGETS = ['database', 'databaseWithOrder', 'rawBullmq', 'bullmq', 'bullmqOutboxOff', 'bullmqOutboxOn'] as const;
type Target = (typeof ALL_TARGETS)[number];
// BENCH_TARGETS=rawBullmq,bullmq runs only those (when profiling one).
const TARGETS = ALL_TARGETS.filter((target) => process.env['BENCH_TARGETS']?.split(',').includes(target) ?? true);
const LABELS: Record<Target, string> = {
  database: 'database backend (SQLite)',
  databaseWithOrder: 'database backend, in a transaction with an order',
  rawBullmq: 'raw BullMQ (Queue.add + Worker)',
  bullmq: 'Nuages BullMQ',
  bullmqOutboxOff: 'Nuages BullMQ, with an order, outbox off',
  bullmqOutboxOn: 'Nuages BullMQ, with an order, outbox on',
};

/** What the producers' transactions save beside the task, as a checkout saves its order. */
class Order extends Model<Order>()({ reference: new CharField({ maxLength: 20 }) }, { appLabel: 'bench' }) {}

export const noop = task(async function noop(n: number) {
  return n;
});

/** Run `produce(i)` for i in 0..TASKS-1 from PRODUCERS loops at once. */
async function produce(produceOne: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: PRODUCERS }, async () => {
    while (next < TASKS) await produceOne(next++);
  }));
}

/**
 * Seconds for TASKS runs enqueued on `alias` and completed by its runner; `withOrder`: each
 * enqueue() in a transaction that also saves an Order.
 */
async function nuagesRound(alias: string, withOrder: boolean): Promise<number> {
  const backend = taskBackends.get(alias) as QueuedTaskBackend;
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const runner = backend.createRunner({
    concurrency: CONCURRENCY,
    onAttempt: () => {
      if (++done === TASKS) allDone();
    },
  });
  const running = runner.run();
  const started = performance.now();
  const target = noop.using({ backend: alias });
  const placeOrder = (i: number) =>
    atomic(async () => {
      await Order.objects.create({ reference: `order ${i}` });
      await target.enqueue(i);
    });
  await produce((i) => (withOrder ? placeOrder(i) : target.enqueue(i)));
  await finished;
  const seconds = (performance.now() - started) / 1000;
  runner.stop();
  await running;
  return seconds;
}

/** Seconds for TASKS plain jobs added to a Queue and completed by a no-op Worker. */
async function rawRound(): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `${PREFIX}-raw`;
  const queue = new Queue('raw', { connection, prefix });
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  const worker = new BullWorker('raw', async (job) => job.data.n, { connection, prefix, concurrency: CONCURRENCY });
  worker.on('completed', () => {
    if (++done === TASKS) allDone();
  });
  const started = performance.now();
  await produce((n) => queue.add('noop', { n }));
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();
  return seconds;
}

async function clear(): Promise<void> {
  await DBTaskResult.objects.all().delete();
  await TaskOutboxEntry.objects.all().delete();
  await Order.objects.all().delete();
  await (taskBackends.get('bullmq') as BullMQBackend).obliterate();
}

const ROUND: Record<Target, () => Promise<number>> = {
  database: () => nuagesRound('database', false),
  databaseWithOrder: () => nuagesRound('database', true),
  rawBullmq: rawRound,
  bullmq: () => nuagesRound('bullmq', false),
  bullmqOutboxOff: () => nuagesRound('bullmqDirect', true),
  bullmqOutboxOn: () => nuagesRound('bullmq', true),
};

const dir = mkdtempSync(join(tmpdir(), 'nuages-bench-tasks-'));
try {
  configure({
    DEBUG: false,
    SECRET_KEY: 'bench',
    INSTALLED_APPS: ['nuages/tasks'],
    DATABASES: { default: { ENGINE: 'sqlite', NAME: join(dir, 'tasks.sqlite3') } },
    TASKS: {
      database: { BACKEND: 'database', OPTIONS: { POLL_INTERVAL: 0.01, MAX_ATTEMPTS: 1 } },
      bullmq: { BACKEND: 'bullmq', OPTIONS: { URL: REDIS_URL, PREFIX, MAX_ATTEMPTS: 1 } },
      bullmqDirect: { BACKEND: 'bullmq', OPTIONS: { URL: REDIS_URL, PREFIX, MAX_ATTEMPTS: 1, OUTBOX: false } },
    },
  });
  await setup();
  await setupTestDatabase();
  await createTables([Order]);
  const speeds = new Map<Target, number[]>(TARGETS.map((target) => [target, []]));
  // A warm-up round of each, not counted: JIT, connections, the first statements prepared.
  for (let round = -1; round < ROUNDS; round++) {
    for (const target of TARGETS) {
      await clear();
      const cpu = process.cpuUsage();
      const seconds = await ROUND[target]();
      const used = process.cpuUsage(cpu);
      if (process.env['BENCH_VERBOSE']) console.log(round, target, (TASKS / seconds).toFixed(0), 'tasks/s', ((used.user + used.system) / TASKS).toFixed(0), 'µs CPU/task');
      if (round >= 0) speeds.get(target)!.push(TASKS / seconds);
    }
  }
  const tasksPerSecond = Object.fromEntries(TARGETS.map((target) => [target, median(speeds.get(target)!)])) as Partial<Record<Target, number>>;
  const ratio = (a: Target, b: Target) => (tasksPerSecond[a] !== undefined && tasksPerSecond[b] !== undefined ? tasksPerSecond[a] / tasksPerSecond[b] : null);
  const bullmqVsRaw = ratio('bullmq', 'rawBullmq');
  const outboxOn = ratio('bullmqOutboxOn', 'bullmqOutboxOff');
  const outboxOverhead = outboxOn === null ? null : 1 - outboxOn;
  console.log(`\nNo-op tasks enqueued and completed, ${TASKS} per round, ${ROUNDS} rounds (medians), ${PRODUCERS} producers, worker concurrency ${CONCURRENCY}, ${availableParallelism()} CPUs`);
  console.log(`${'target'.padEnd(50)} ${'tasks/s'.padStart(9)} ${'vs raw BullMQ'.padStart(14)}`);
  for (const target of TARGETS) {
    console.log(`${LABELS[target].padEnd(50)} ${tasksPerSecond[target]!.toFixed(0).padStart(9)} ${(ratio(target, 'rawBullmq')?.toFixed(2) ?? '-').padStart(14)}`);
  }
  if (bullmqVsRaw !== null) console.log(`Nuages BullMQ is ${(bullmqVsRaw * 100).toFixed(0)}% of raw BullMQ (goal ≥ 80%).`);
  if (outboxOverhead !== null) console.log(`The outbox costs ${(outboxOverhead * 100).toFixed(0)}% (goal < 20%).`);
  console.log(JSON.stringify({ tasks: TASKS, rounds: ROUNDS, producers: PRODUCERS, concurrency: CONCURRENCY, tasksPerSecond, bullmqVsRaw, outboxOverhead }));
} finally {
  await clear().catch(() => undefined);
  await taskBackends.closeAll();
  await connections.closeAll();
  rmSync(dir, { recursive: true, force: true });
}

// The worker in this process against DatabaseBackend: retries and backoff, dead letters,
// non-retryable errors, timeouts, delays, priorities, queues, concurrency, leases, atomic
// tasks, graceful stop. Real processes (SIGTERM, kill -9) are in worker-process.test.ts.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { callCommand } from '../../src/core/management/index.ts';
import { createTables } from '../../src/db/index.ts';
import {
  DBTaskResult,
  LeaseLostError,
  retryDelaySeconds,
  taskBackends,
  taskFinished,
  TaskResultStatus,
  Worker,
  type DatabaseBackend,
  type TaskSignalArgs,
} from '../../src/tasks/index.ts';
import { Effect } from './fixtures/models.ts';
import {
  add,
  attemptsByKey,
  declines,
  explode,
  flaky,
  mailTask,
  naps,
  overlap,
  overlapStats,
  record,
  recorded,
  refuses,
  sleeps,
  writeAtomically,
} from './fixtures/tasks.ts';
import { clearTaskTable, drain, FAST_OPTIONS, setUpTasks, tearDownTasks } from './setup.ts';

const backend = () => taskBackends.get() as DatabaseBackend;
const rowOf = (id: string) => DBTaskResult.objects.get({ pk: id });

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('the worker', () => {
  before(async () => {
    await setUpTasks(
      {
        TASKS: {
          default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: FAST_OPTIONS },
          once: { BACKEND: 'database', QUEUES: [], OPTIONS: { ...FAST_OPTIONS, MAX_ATTEMPTS: 1 } },
          patient: { BACKEND: 'database', QUEUES: [], OPTIONS: { ...FAST_OPTIONS, RETRY_DELAY: 60, RETRY_MAX_DELAY: 600 } },
        },
      },
      { database: true },
    );
    await createTables([Effect]);
  });
  after(tearDownTasks);
  afterEach(async () => {
    await clearTaskTable();
    await Effect.objects.all().delete();
    attemptsByKey.clear();
    recorded.length = 0;
  });

  test('a failing attempt is retried until it succeeds; errors list the failed attempts', async () => {
    const result = await flaky.enqueue('twice', 2);
    assert.equal(await drain(), 3);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(result.returnValue, 3);
    assert.equal(result.attempts, 3);
    assert.deepEqual(result.errors.map((e) => [e.attempt, e.exceptionClassPath]), [[1, 'Error'], [2, 'Error']]);
    assert.match(result.errors[1]!.traceback, /attempt 2 of twice failed/);
  });

  test('after maxAttempts the run is FAILED for good (the dead letter), each attempt listed', async () => {
    const result = await flaky.enqueue('always', 10);
    await drain();
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.FAILED);
    assert.equal(result.attempts, 3);
    assert.deepEqual(result.errors.map((e) => e.attempt), [1, 2, 3]);
    assert.ok(result.finishedAt);
    assert.equal(await drain(), 0, 'a dead letter is never claimed again');
  });

  test("a task without maxAttempts gets its backend's MAX_ATTEMPTS", async () => {
    const three = await explode.enqueue('x');
    const one = await explode.using({ backend: 'once' }).enqueue('x');
    await drain();
    await drain({ alias: 'once' });
    await three.refresh();
    await one.refresh();
    assert.equal(three.errors.length, 3);
    assert.equal(one.errors.length, 1);
    assert.equal((await rowOf(one.id)).maxAttempts, 1);
  });

  test('NonRetryableError, or a class listed in nonRetryable, fails at the first attempt', async () => {
    const refused = await refuses.enqueue();
    const declined = await declines.enqueue();
    await drain();
    for (const [result, errorClass] of [[refused, 'NonRetryableError'], [declined, 'RangeError']] as const) {
      await result.refresh();
      assert.equal(result.status, TaskResultStatus.FAILED);
      assert.equal(result.attempts, 1);
      assert.equal(result.errors[0]!.exceptionClassPath, errorClass);
    }
  });

  test('a retry waits for its backoff: READY with runAfter in the future, not claimed before', async () => {
    const result = await explode.using({ backend: 'patient' }).enqueue('later');
    assert.equal(await drain({ alias: 'patient' }), 1);
    const row = await rowOf(result.id);
    assert.equal(row.status, TaskResultStatus.READY);
    assert.equal(row.attempts, 1);
    const wait = (row.runAfter!.getTime() - Date.now()) / 1000;
    assert.ok(wait > 25 && wait <= 60, `retry in ${wait}s, expected 30–60s (60s with equal jitter)`);
    assert.equal(await drain({ alias: 'patient' }), 0);
  });

  test('backoff doubles per attempt, is capped, and jitters between half and all of it', () => {
    const policy = { retryDelay: 2, retryMaxDelay: 10 };
    assert.equal(retryDelaySeconds(policy, 1, () => 0), 1);
    assert.equal(retryDelaySeconds(policy, 1, () => 1), 2);
    assert.equal(retryDelaySeconds(policy, 2, () => 1), 4);
    assert.equal(retryDelaySeconds(policy, 3, () => 0.5), 6);
    assert.equal(retryDelaySeconds(policy, 9, () => 1), 10);
    assert.equal(retryDelaySeconds(policy, 9, () => 0), 5);
  });

  test('an attempt past its timeout fails with TaskTimeoutError, its signal aborts, and it is retried', async () => {
    const started = Date.now();
    const result = await sleeps.enqueue(5000);
    assert.equal(await drain(), 2);
    await result.refresh();
    assert.ok(Date.now() - started < 2000, 'timed out attempts do not hold the worker');
    assert.equal(result.status, TaskResultStatus.FAILED);
    assert.deepEqual(result.errors.map((e) => e.exceptionClassPath), ['TaskTimeoutError', 'TaskTimeoutError']);
    assert.match(result.errors[0]!.traceback, /ran for more than its timeout of 0\.2s/);
  });

  test('runAfter in seconds delays the run; a past Date runs at once', async () => {
    const delayed = await add.using({ runAfter: 1 }).enqueue(1, 1);
    const past = await add.using({ runAfter: new Date(Date.now() - 1000) }).enqueue(2, 2);
    assert.equal(await drain(), 1);
    await past.refresh();
    await delayed.refresh();
    assert.equal(past.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(delayed.status, TaskResultStatus.READY);
    await sleep(1050);
    assert.equal(await drain(), 1);
    await delayed.refresh();
    assert.equal(delayed.status, TaskResultStatus.SUCCESSFUL);
  });

  test('higher priorities run first, then the oldest', async () => {
    await record.using({ priority: -5 }).enqueue('low');
    await record.enqueue('normal 1');
    await record.using({ priority: 50 }).enqueue('high');
    await record.enqueue('normal 2');
    await drain();
    assert.deepEqual(recorded, ['high', 'normal 1', 'normal 2', 'low']);
  });

  test('a worker given queues runs only those', async () => {
    const mail = await mailTask.enqueue();
    const other = await add.enqueue(1, 1);
    const worker = new Worker({ backend: backend(), queues: ['mail'] });
    assert.equal(await worker.runUntilEmpty(), 1);
    await mail.refresh();
    await other.refresh();
    assert.equal(mail.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(other.status, TaskResultStatus.READY);
  });

  test('concurrency bounds the attempts running at once', async () => {
    overlapStats.most = 0;
    for (let i = 0; i < 6; i++) await overlap.enqueue(60);
    assert.equal(await drain({ concurrency: 2 }), 6);
    assert.equal(overlapStats.most, 2);
  });

  test("a run whose worker died is taken over after its lease; the lost attempt is recorded", async () => {
    const result = await add.enqueue(20, 22);
    const [dead] = await backend().claim({ queues: null, limit: 1, workerId: 'dead-worker' });
    assert.equal(dead!.result.status, TaskResultStatus.RUNNING);
    assert.equal(await drain(), 0, 'the lease still holds');
    await sleep(1100);
    assert.equal(await drain(), 1);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(result.returnValue, 42);
    assert.equal(result.attempts, 2);
    assert.equal(result.workerIds[0], 'dead-worker');
    assert.equal(result.errors[0]!.exceptionClassPath, 'WorkerLostError');
    assert.match(result.errors[0]!.traceback, /dead-worker stopped renewing its lease/);
    // The first worker coming back cannot overwrite the outcome.
    await assert.rejects(backend().succeed(dead!, 0), LeaseLostError);
  });

  test('a lost attempt that was the last one leaves the run FAILED without running it again', async () => {
    const result = await record.using({ backend: 'once' }).enqueue('never');
    await (taskBackends.get('once') as DatabaseBackend).claim({ queues: null, limit: 1, workerId: 'dead-worker' });
    await sleep(1100);
    assert.equal(await drain({ alias: 'once' }), 0);
    const row = await rowOf(result.id);
    assert.equal(row.status, TaskResultStatus.FAILED);
    assert.deepEqual(recorded, []);
    assert.equal((row.errors as Array<{ exceptionClassPath: string }>)[0]!.exceptionClassPath, 'WorkerLostError');
  });

  test('heartbeats keep the lease of a long attempt, so a second worker does not take it over', async () => {
    const result = await naps.enqueue(1600);
    const first = new Worker({ backend: backend() });
    const second = new Worker({ backend: backend() });
    const running = [first.run(), second.run()];
    await waitFor(async () => (await rowOf(result.id)).status === TaskResultStatus.SUCCESSFUL, 5000);
    first.stop();
    second.stop();
    await Promise.all(running);
    await result.refresh();
    assert.equal(result.attempts, 1);
    assert.deepEqual(result.errors, []);
  });

  test('an atomic task commits its writes with its success and rolls them back with its failure', async () => {
    const kept = await writeAtomically.enqueue('kept', false);
    const undone = await writeAtomically.enqueue('undone', true);
    await drain();
    await kept.refresh();
    await undone.refresh();
    assert.equal(kept.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(undone.status, TaskResultStatus.FAILED);
    assert.deepEqual(await Effect.objects.orderBy('key').valuesList('key', { flat: true }), ['kept']);
  });

  test('stop() lets the running attempt finish before run() returns', async () => {
    const result = await naps.enqueue(300);
    const worker = new Worker({ backend: backend() });
    const running = worker.run();
    await waitFor(async () => (await rowOf(result.id)).status === TaskResultStatus.RUNNING);
    worker.stop();
    await running;
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
  });

  test('an attempt still running at the shutdown deadline is recorded as lost and retried later', async () => {
    const result = await sleeps.using({}).enqueue(150);
    const slow = await naps.enqueue(2000);
    const worker = new Worker({ backend: backend(), concurrency: 2, shutdownTimeout: 0.2 });
    const running = worker.run();
    await waitFor(async () => (await rowOf(slow.id)).status === TaskResultStatus.RUNNING);
    worker.stop();
    await running;
    await result.refresh();
    await slow.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL, 'finished within the deadline');
    assert.equal(slow.status, TaskResultStatus.READY);
    assert.equal(slow.errors[0]!.exceptionClassPath, 'WorkerLostError');
    assert.match(slow.errors[0]!.traceback, /shutdown timeout \(0\.2s\) ran out/);
  });

  test('a run of a task no module declares fails with UnknownTaskError', async () => {
    const row = await DBTaskResult.objects.create({
      taskName: 'nowhere#ghost',
      modulePath: '',
      backendName: 'default',
      args: [],
      maxAttempts: 1,
      enqueuedAt: new Date(),
    });
    assert.equal(await drain(), 1);
    const result = await backend().getResult(row.id);
    assert.equal(result.status, TaskResultStatus.FAILED);
    assert.equal(result.errors[0]!.exceptionClassPath, 'UnknownTaskError');
    assert.match(result.errors[0]!.traceback, /No task named 'nowhere#ghost'/);
  });

  test('taskFinished reports each attempt: READY when it will be retried, then the outcome', async () => {
    const statuses: string[] = [];
    const receiver = ({ taskResult }: TaskSignalArgs) => void statuses.push(taskResult.status);
    taskFinished.connect(receiver);
    try {
      await flaky.enqueue('signals', 1);
      await drain();
    } finally {
      taskFinished.disconnect(receiver);
    }
    assert.deepEqual(statuses, [TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL]);
  });

  test('prune_task_results deletes finished results older than --older-than, never pending ones', async () => {
    const done = await add.enqueue(1, 1);
    const failed = await refuses.enqueue();
    await drain();
    const pending = await add.using({ runAfter: 3600 }).enqueue(2, 2);
    await DBTaskResult.objects.filter({ pk__in: [done.id, failed.id] }).update({ finishedAt: new Date(Date.now() - 2 * 3600_000) });
    const recent = await add.enqueue(3, 3);
    await drain();
    await callCommand('prune_task_results', '--older-than', '1h', { stdout: { write: () => true } });
    const left = await DBTaskResult.objects.orderBy('enqueuedAt').valuesList('id', { flat: true });
    assert.deepEqual(new Set(left), new Set([pending.id, recent.id]));
    await assert.rejects(callCommand('prune_task_results', '--older-than', 'soon'), /Expected an age such as 3600, 30m, 12h or 7d/);
  });
});

// The BullMQ backend's worker in this process, against the real Redis at 127.0.0.1:6379 (a
// queue prefix of its own, deleted after): the semantics of worker.test.ts (retries and
// backoff, dead letters, non-retryable errors, timeouts, delays, priorities, queues,
// concurrency, graceful stop) carried by BullMQ's Worker, and schedules as BullMQ job schedulers.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  every,
  periodic,
  removeSchedule,
  schedulesFor,
  taskBackends,
  taskFinished,
  TaskResultStatus,
  type BullMQBackend,
  type TaskSignalArgs,
} from '../../src/tasks/index.ts';
import { add, attemptsByKey, declines, explode, flaky, mailTask, naps, overlap, overlapStats, record, recorded, refuses, sleeps } from './fixtures/tasks.ts';
import { drain, FAST_OPTIONS, setUpTasks, tearDownTasks } from './setup.ts';

const PREFIX = `nuages-test-worker-${process.pid}`;
const bull = (alias = 'default') => taskBackends.get(alias) as BullMQBackend;

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('the BullMQ worker', () => {
  before(async () => {
    const options = { ...FAST_OPTIONS, PREFIX, OUTBOX: false };
    await setUpTasks({
      TASKS: {
        default: { BACKEND: 'bullmq', QUEUES: ['default', 'mail'], OPTIONS: options },
        patient: { BACKEND: 'bullmq', QUEUES: ['slow'], OPTIONS: { ...options, PREFIX: `${PREFIX}-patient`, RETRY_DELAY: 60, RETRY_MAX_DELAY: 600 } },
      },
    });
  });
  after(async () => {
    await bull().obliterate();
    await bull('patient').obliterate();
    await tearDownTasks();
  });
  afterEach(async () => {
    await bull().obliterate();
    attemptsByKey.clear();
    recorded.length = 0;
  });

  test('a failing attempt is retried until it succeeds; errors list the failed attempts and their workers', async () => {
    const result = await flaky.enqueue('twice', 2);
    assert.equal(await drain(), 3);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(result.returnValue, 3);
    assert.equal(result.attempts, 3);
    assert.equal(result.workerIds.length, 3);
    assert.deepEqual(result.errors.map((e) => [e.attempt, e.exceptionClassPath]), [[1, 'Error'], [2, 'Error']]);
    assert.match(result.errors[1]!.traceback, /attempt 2 of twice failed/);
    assert.ok(result.startedAt!.getTime() <= result.lastAttemptedAt!.getTime());
  });

  test('after its last attempt a run is FAILED for good: the dead-letter state', async () => {
    const result = await explode.enqueue('always');
    assert.equal(await drain(), 3);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.FAILED);
    assert.equal(result.errors.length, 3);
    assert.ok(result.finishedAt !== null);
  });

  test('NonRetryableError and nonRetryable classes fail at once', async () => {
    const refused = await refuses.enqueue();
    const declined = await declines.enqueue();
    assert.equal(await drain(), 2);
    for (const result of [refused, declined]) {
      await result.refresh();
      assert.equal(result.status, TaskResultStatus.FAILED);
      assert.equal(result.attempts, 1);
    }
    assert.equal(refused.errors[0]!.exceptionClassPath, 'NonRetryableError');
    assert.equal(declined.errors[0]!.exceptionClassPath, 'RangeError');
  });

  test('a retry waits for the backoff: the run is READY with its next attempt delayed', async () => {
    const result = await explode.using({ backend: 'patient', queueName: 'slow' }).enqueue('later');
    assert.equal(await drain({ alias: 'patient' }), 1);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.READY);
    const [job] = await (await bull('patient').queue('slow')).getDelayed();
    assert.ok(job!.delay >= 30_000 && job!.delay <= 60_000, `retry in ${job!.delay} ms, expected 30–60 s`);
  });

  test('an attempt past its timeout fails with TaskTimeoutError, its signal aborts, and it is retried', async () => {
    const started = Date.now();
    const result = await sleeps.enqueue(5000);
    assert.equal(await drain(), 2);
    await result.refresh();
    assert.ok(Date.now() - started < 2500, 'timed-out attempts do not hold the worker');
    assert.equal(result.status, TaskResultStatus.FAILED);
    assert.deepEqual(result.errors.map((e) => e.exceptionClassPath), ['TaskTimeoutError', 'TaskTimeoutError']);
  });

  test('runAfter delays the run; a past Date runs at once', async () => {
    const delayed = await add.using({ runAfter: 1 }).enqueue(1, 1);
    const past = await add.using({ runAfter: new Date(Date.now() - 1000) }).enqueue(2, 2);
    assert.equal(await drain(), 1);
    await delayed.refresh();
    assert.equal(delayed.status, TaskResultStatus.READY);
    await past.refresh();
    assert.equal(past.status, TaskResultStatus.SUCCESSFUL);
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
    const result = await record.using({ priority: 7 }).enqueue('read back');
    assert.equal((await record.getResult(result.id)).task.priority, 7);
  });

  test('a worker given queues runs only those', async () => {
    const mail = await mailTask.enqueue();
    const other = await add.enqueue(1, 1);
    assert.equal(await bull().createRunner({ queues: ['mail'] }).runUntilEmpty(), 1);
    await mail.refresh();
    await other.refresh();
    assert.equal(mail.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(other.status, TaskResultStatus.READY);
  });

  test('concurrency bounds the attempts running at once, across queues', async () => {
    overlapStats.most = 0;
    for (let i = 0; i < 4; i++) await overlap.enqueue(80);
    for (let i = 0; i < 4; i++) await overlap.using({ queueName: 'mail' }).enqueue(80);
    assert.equal(await drain({ concurrency: 3 }), 8);
    assert.equal(overlapStats.most, 3);
  });

  test('stop() lets the running attempt finish before run() returns', async () => {
    const result = await naps.enqueue(300);
    const runner = bull().createRunner();
    const running = runner.run();
    await waitFor(async () => (await result.refresh(), result.status === TaskResultStatus.RUNNING));
    runner.stop();
    await running;
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
  });

  test('an attempt still running at the shutdown deadline is recorded as lost and retried', async () => {
    const slow = await sleeps.using({}).enqueue(3000);
    const runner = bull().createRunner({ shutdownTimeout: 0.1 });
    const running = runner.run();
    await waitFor(async () => (await slow.refresh(), slow.status === TaskResultStatus.RUNNING));
    runner.stop();
    await running;
    await slow.refresh();
    assert.equal(slow.status, TaskResultStatus.READY);
    assert.equal(slow.errors[0]!.exceptionClassPath, 'WorkerLostError');
    assert.match(slow.errors[0]!.traceback, /shutdown timeout \(0\.1s\) ran out/);
  });

  test('a job of a task no module declares fails with UnknownTaskError', async () => {
    const queue = await bull().queue('default');
    await queue.add('nowhere#ghost', { args: [], modulePath: '' }, { jobId: '0b9c5e4a-2f7d-4c1e-8a3b-5d6e7f809a1b', attempts: 1 });
    assert.equal(await drain(), 1);
    const result = await bull().getResult('0b9c5e4a-2f7d-4c1e-8a3b-5d6e7f809a1b');
    assert.equal(result.status, TaskResultStatus.FAILED);
    assert.equal(result.errors[0]!.exceptionClassPath, 'UnknownTaskError');
  });

  test('taskFinished reports each attempt once BullMQ recorded it: READY when retried, then the outcome', async () => {
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

  test('schedules become BullMQ job schedulers; those no longer declared are removed', async () => {
    const hourly = periodic('0 * * * *', add, { args: [1, 2], timezone: 'UTC' });
    const often = every('10m', record, { args: ['tick'] });
    try {
      const schedules = schedulesFor('default').filter((s) => s === hourly || s === often);
      await bull().startScheduler(schedules, 'test');
      const queue = await bull().queue('default');
      const installed = await queue.getJobSchedulers();
      assert.deepEqual(installed.map((s) => s.key).sort(), [`nuages:${hourly.name}`, `nuages:${often.name}`].sort());
      const cron = installed.find((s) => s.key === `nuages:${hourly.name}`)!;
      assert.equal(cron.pattern, '0 * * * *');
      assert.equal(cron.next! % 3_600_000, 0, 'the next run is at the top of an hour');
      const interval = installed.find((s) => s.key === `nuages:${often.name}`)!;
      assert.equal(interval.next! % 600_000, 0, 'every(10m) falls on multiples of 10 minutes since the epoch');
      await bull().startScheduler([hourly], 'test');
      assert.deepEqual((await queue.getJobSchedulers()).map((s) => s.key), [`nuages:${hourly.name}`]);
    } finally {
      removeSchedule(hourly);
      removeSchedule(often);
    }
  });
});

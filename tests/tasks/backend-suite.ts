// The suite every task backend runs: Django 6.0's task API item by item. A backend says
// how its runs end up: run at enqueue ('immediate'), by a worker ('worker'), or never ('never').
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SettingsInput } from '../../src/conf/index.ts';
import type { DatabaseSettings } from '../../src/db/backends/base/types.ts';
import {
  InvalidTask,
  InvalidTaskBackend,
  taskBackends,
  taskEnqueued,
  taskFinished,
  TaskNotSerializableError,
  TaskResult,
  TaskResultDoesNotExist,
  TaskResultMismatch,
  TaskResultNotReadyError,
  TaskResultsUnsupportedError,
  TaskResultStatus,
  taskStarted,
  type TaskSignalArgs,
} from '../../src/tasks/index.ts';
import { add, describeContext, explode, mailTask, perUser, returnsDate, sameArgs } from './fixtures/tasks.ts';
import { clearTaskTable, drain, setUpTasks, tearDownTasks } from './setup.ts';

export interface BackendSuiteOptions {
  /** The TASKS.default entry under test (QUEUES must include 'default' and 'mail'). */
  readonly backend: SettingsInput['TASKS'];
  /** When runs execute. */
  readonly runs: 'immediate' | 'worker' | 'never';
  /** The database for a backend that stores runs there (or its outbox). */
  readonly database?: true | DatabaseSettings;
  /** Forget every run between tests, besides the database table. */
  readonly cleanup?: () => Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function backendSuite(label: string, options: BackendSuiteOptions): void {
  const keepsResults = options.runs !== 'immediate';
  // Let the runs of a test happen (a worker drains the queue); a no-op for the others.
  const settle = async () => {
    if (options.runs === 'worker') await drain();
  };

  // Tests that apply only to some backends are only declared for those.
  const runsTest = options.runs === 'never' ? () => undefined : test;
  const resultsTest = keepsResults ? test : () => undefined;

  describe(`${label}: the task API`, () => {
    before(() => setUpTasks({ TASKS: options.backend }, { database: options.database }));
    after(tearDownTasks);
    afterEach(async () => {
      if (options.database) await clearTaskTable();
      await options.cleanup?.();
    });

    test('enqueue() returns a TaskResult with an id, the arguments and the backend alias', async () => {
      const before = Date.now();
      const result = await add.enqueue(1, 2);
      assert.ok(result instanceof TaskResult);
      assert.match(result.id, UUID);
      assert.deepEqual(result.args, [1, 2]);
      assert.equal(result.backend, 'default');
      assert.equal(result.task.name, add.name);
      assert.ok(result.enqueuedAt !== null && result.enqueuedAt.getTime() >= before - 1000);
    });

    test('a run succeeds with its return value, started and finished times, one attempt', async () => {
      const result = await add.enqueue(2, 3);
      await settle();
      if (keepsResults) await result.refresh();
      if (options.runs === 'never') {
        assert.equal(result.status, TaskResultStatus.READY);
        assert.equal(result.attempts, 0);
        assert.equal(result.isFinished, false);
        return;
      }
      assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
      assert.equal(result.returnValue, 5);
      assert.equal(result.attempts, 1);
      assert.equal(result.workerIds.length, 1);
      assert.ok(result.startedAt && result.finishedAt && result.lastAttemptedAt);
      assert.ok(result.finishedAt.getTime() >= result.startedAt.getTime());
      assert.deepEqual(result.errors, []);
    });

    test('returnValue throws until the task has succeeded', async () => {
      const result = await explode.using({}).enqueue('boom');
      await settle();
      if (keepsResults) await result.refresh();
      assert.throws(() => result.returnValue, TaskResultNotReadyError);
    });

    runsTest('a failing task is FAILED with the error class and traceback of each attempt', async () => {
      const result = await explode.enqueue('no paper in the printer');
      await settle();
      if (keepsResults) await result.refresh();
      assert.equal(result.status, TaskResultStatus.FAILED);
      assert.ok(result.errors.length >= 1);
      assert.equal(result.errors.length, result.attempts);
      for (const error of result.errors) {
        assert.equal(error.exceptionClassPath, 'TypeError');
        assert.match(error.traceback, /TypeError: no paper in the printer/);
        assert.match(error.traceback, /fixtures[\\/]tasks\.ts/);
      }
      assert.deepEqual(result.errors.map((e) => e.attempt), result.errors.map((_e, i) => i + 1));
    });

    runsTest('a return value JSON cannot hold fails the run, naming it', async () => {
      const result = await returnsDate.enqueue();
      await settle();
      if (keepsResults) await result.refresh();
      assert.equal(result.status, TaskResultStatus.FAILED);
      assert.equal(result.errors[0]!.exceptionClassPath, 'TaskNotSerializableError');
      assert.match(result.errors[0]!.traceback, /the return value is a Date/);
    });

    runsTest('takesContext passes a TaskContext with the result and the attempt', async () => {
      const result = await describeContext.enqueue('hello');
      await settle();
      if (keepsResults) await result.refresh();
      assert.deepEqual(result.returnValue, { label: 'hello', attempt: 1, id: result.id });
    });

    test('call() runs the function here, bypassing the backend', async () => {
      assert.equal(await add.call(20, 22), 42);
    });

    test('arguments must be JSON-serialisable; the error names the argument and its type', async () => {
      await assert.rejects(add.enqueue(1, new Date() as unknown as number), (error: Error) => {
        assert.ok(error instanceof TaskNotSerializableError);
        assert.match(error.message, /argument 2 is a Date; pass date\.toISOString\(\)/);
        return true;
      });
      const cases: Array<[unknown, RegExp]> = [
        [{ note: undefined }, /argument 1\.note is undefined/],
        [[1, 2n], /argument 1\[1\] is a bigint/],
        [new Map(), /argument 1 is a Map; pass an array or a plain object/],
        [NaN, /argument 1 is NaN/],
        [() => 1, /argument 1 is a function/],
      ];
      for (const [value, message] of cases) {
        await assert.rejects(add.enqueue(value as number, 1), message);
      }
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      await assert.rejects(add.enqueue(cycle as unknown as number, 1), /a cycle/);
    });

    test('arguments are stored as JSON gives them back', async () => {
      const nested = { tags: ['a', 'b'], count: 2 };
      const result = await sameArgs.using({}).enqueue(nested as unknown as number);
      nested.tags.push('changed later');
      assert.deepEqual(result.args, [{ tags: ['a', 'b'], count: 2 }]);
    });

    test('using() returns a new task; the original keeps its options', async () => {
      const urgent = add.using({ priority: 10, queueName: 'mail' });
      assert.notEqual(urgent, add);
      assert.equal(urgent.priority, 10);
      assert.equal(urgent.queueName, 'mail');
      assert.equal(urgent.name, add.name);
      assert.equal(add.priority, 0);
      assert.equal(add.queueName, 'default');
      assert.ok(Object.isFrozen(add));
      const result = await urgent.enqueue(1, 1);
      assert.equal(result.task.priority, 10);
    });

    test('priority must be a whole number from -100 to 100', () => {
      assert.throws(() => add.using({ priority: 101 }), { code: 'NUAGES_TASKS_INVALID_TASK', message: /between -100 and 100, got 101/ });
      assert.throws(() => add.using({ priority: -101 }), InvalidTask);
      assert.throws(() => add.using({ priority: 1.5 }), InvalidTask);
      assert.equal(add.using({ priority: -100 }).priority, -100);
    });

    test("a queue missing from the backend's QUEUES is refused, naming it", async () => {
      await assert.rejects(add.using({ queueName: 'reports' }).enqueue(1, 1), (error: Error) => {
        assert.ok(error instanceof InvalidTask);
        assert.match(error.message, /queue 'reports', which task backend 'default' does not have \(its QUEUES: 'default', 'mail'\)/);
        return true;
      });
      const result = await mailTask.enqueue();
      assert.equal(result.task.queueName, 'mail');
    });

    test('an unknown backend alias is refused, naming the aliases', async () => {
      await assert.rejects(add.using({ backend: 'nowhere' }).enqueue(1, 1), (error: Error) => {
        assert.ok(error instanceof InvalidTaskBackend);
        assert.match(error.message, /'nowhere' is not in TASKS \(it has 'default'\)/);
        return true;
      });
    });

    test('runAfter is kept by backends that defer and refused by the others', async () => {
      const later = new Date(Date.now() + 3_600_000);
      if (options.runs === 'immediate') {
        await assert.rejects(add.using({ runAfter: later }).enqueue(1, 1), /cannot honour runAfter/);
        return;
      }
      const result = await add.using({ runAfter: later }).enqueue(1, 1);
      await settle();
      await result.refresh();
      assert.equal(result.status, TaskResultStatus.READY, 'not run before its time');
      assert.throws(() => add.using({ runAfter: new Date(NaN) }), /runAfter must be a valid Date/);
      assert.throws(() => add.using({ runAfter: -5 }), /runAfter must be a valid Date or a number of seconds/);
    });

    test('getResult() reads a result back, or says the backend keeps none', async () => {
      const result = await add.enqueue(4, 4);
      if (!keepsResults) {
        await assert.rejects(add.getResult(result.id), TaskResultsUnsupportedError);
        await assert.rejects(result.refresh(), TaskResultsUnsupportedError);
        return;
      }
      const found = await add.getResult(result.id);
      assert.equal(found.id, result.id);
      assert.equal(found.status, result.status);
      assert.deepEqual(found.args, [4, 4]);
      assert.notEqual(found, result);
      const viaBackend = await taskBackends.get().getResult(result.id);
      assert.equal(viaBackend.task.name, add.name);
    });

    resultsTest('getResult() of an unknown id, or of another task, is refused', async () => {
      await assert.rejects(add.getResult('00000000-0000-4000-8000-000000000000'), TaskResultDoesNotExist);
      await assert.rejects(add.getResult('not-a-uuid'), TaskResultDoesNotExist);
      const result = await add.enqueue(1, 2);
      await assert.rejects(explode.getResult(result.id), (error: Error) => {
        assert.ok(error instanceof TaskResultMismatch);
        assert.match(error.message, /belongs to task '.*#add', not '.*#explode'/);
        return true;
      });
    });

    test('a unique task enqueued twice while pending gives back the first run', async () => {
      const first = await perUser.enqueue(7, 'first');
      const second = await perUser.enqueue(7, 'second');
      const other = await perUser.enqueue(8, 'first');
      const again = await sameArgs.enqueue(1);
      const sameAgain = await sameArgs.enqueue(1);
      const different = await sameArgs.enqueue(2);
      assert.notEqual(other.id, first.id);
      assert.notEqual(different.id, again.id);
      if (options.runs === 'immediate') {
        // Nothing stays pending: each enqueue runs.
        assert.notEqual(second.id, first.id);
        assert.equal(second.returnValue, '7:second');
        return;
      }
      assert.equal(second.id, first.id);
      assert.deepEqual(second.args, [7, 'first']);
      assert.equal(sameAgain.id, again.id);
      await settle();
      if (options.runs === 'worker') {
        // Finished, the key is free again.
        const later = await perUser.enqueue(7, 'later');
        assert.notEqual(later.id, first.id);
      }
    });

    test('taskEnqueued is sent with the backend class and the result; started and finished where it runs', async () => {
      const seen: string[] = [];
      const receivers = {
        enqueued: ({ taskResult, sender }: TaskSignalArgs & { sender: unknown }) => void seen.push(`enqueued ${taskResult.status} ${(sender as { name: string }).name}`),
        started: ({ taskResult }: TaskSignalArgs) => void seen.push(`started ${taskResult.status}`),
        finished: ({ taskResult }: TaskSignalArgs) => void seen.push(`finished ${taskResult.status}`),
      };
      taskEnqueued.connect(receivers.enqueued);
      taskStarted.connect(receivers.started);
      taskFinished.connect(receivers.finished);
      try {
        await add.enqueue(1, 1);
        await settle();
      } finally {
        taskEnqueued.disconnect(receivers.enqueued);
        taskStarted.disconnect(receivers.started);
        taskFinished.disconnect(receivers.finished);
      }
      const backendName = taskBackends.get().constructor.name;
      const expected = {
        immediate: [`enqueued READY ${backendName}`, 'started RUNNING', 'finished SUCCESSFUL'],
        worker: [`enqueued READY ${backendName}`, 'started RUNNING', 'finished SUCCESSFUL'],
        never: [`enqueued READY ${backendName}`],
      };
      assert.deepEqual(seen, expected[options.runs]);
    });
  });
}

// DummyBackend through the shared suite, then what it adds: results and clear().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DummyBackend, taskBackends, TaskResultStatus } from '../../src/tasks/index.ts';
import { backendSuite } from './backend-suite.ts';
import { add } from './fixtures/tasks.ts';
import { setUpTasks, tearDownTasks } from './setup.ts';

backendSuite('DummyBackend', { backend: { default: { BACKEND: 'dummy', QUEUES: ['default', 'mail'] } }, runs: 'never' });

describe('DummyBackend: results and clear()', () => {
  before(() => setUpTasks({ TASKS: { default: { BACKEND: 'django.tasks.backends.dummy.DummyBackend' } } }));
  after(tearDownTasks);

  test('records each run in results, never runs it, and clear() forgets them', async () => {
    const backend = taskBackends.get();
    assert.ok(backend instanceof DummyBackend);
    const first = await add.enqueue(1, 2);
    await add.using({ priority: 5 }).enqueue(3, 4);
    assert.deepEqual(backend.results.map((r) => [r.args, r.task.priority, r.status]), [
      [[1, 2], 0, TaskResultStatus.READY],
      [[3, 4], 5, TaskResultStatus.READY],
    ]);
    // The returned result is a copy: changing it leaves the record alone.
    first.status = TaskResultStatus.FAILED;
    assert.equal(backend.results[0]!.status, TaskResultStatus.READY);
    backend.clear();
    assert.deepEqual(backend.results, []);
  });
});

// TASKS, task names and the worker command's checks: every mistake names its fix.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { apps } from '../../src/conf/apps.ts';
import { configure, resetSettings, setup } from '../../src/conf/index.ts';
import { callCommand } from '../../src/core/management/index.ts';
import {
  autodiscoverTasks,
  createTaskBackend,
  defaultTaskBackend,
  DuplicateTaskNameError,
  findTask,
  ImmediateBackend,
  InvalidTask,
  InvalidTaskBackend,
  task,
  taskBackends,
} from '../../src/tasks/index.ts';
import { setupTestDatabase } from '../../src/test/index.ts';
import { add, explode } from './fixtures/tasks.ts';

afterEach(async () => {
  await taskBackends.closeAll();
  resetSettings();
  apps.clear();
});

describe('TASKS', () => {
  test("defaults to Django's: one 'default' alias on the immediate backend", async () => {
    configure({ DEBUG: true });
    assert.deepEqual(taskBackends.aliases(), ['default']);
    assert.ok(taskBackends.get() instanceof ImmediateBackend);
    assert.equal(defaultTaskBackend.alias, 'default');
    assert.equal((await add.enqueue(2, 2)).returnValue, 4);
  });

  test('an unknown BACKEND, bad QUEUES or a bad OPTIONS value is refused, naming the fix', () => {
    assert.throws(() => createTaskBackend('jobs', { BACKEND: 'celery' }), {
      code: 'NUAGES_TASKS_INVALID_BACKEND',
      message: /TASKS\.jobs\.BACKEND is 'celery', which is not a task backend\. Use one of 'immediate', 'dummy', 'database'/,
    });
    assert.throws(() => createTaskBackend('jobs', { BACKEND: 'dummy', QUEUES: [''] }), /TASKS\.jobs\.QUEUES must be a list of queue names/);
    assert.throws(() => createTaskBackend('jobs', { BACKEND: 'dummy', OPTIONS: { MAX_ATTEMPTS: 0 } }), /OPTIONS\.MAX_ATTEMPTS must be a whole number of at least 1; got 0/);
    assert.throws(() => createTaskBackend('jobs', { BACKEND: 'dummy', OPTIONS: { TIMEOUT: -1 } }), /OPTIONS\.TIMEOUT must be a number above 0, or null; got -1/);
  });

  test("the database backend needs the 'nuages/tasks' app", async () => {
    configure({ DEBUG: true, TASKS: { default: { BACKEND: 'database' } } });
    await setup();
    assert.throws(() => taskBackends.get(), (error: Error) => {
      assert.ok(error instanceof InvalidTaskBackend);
      assert.match(error.message, /Add 'nuages\/tasks' to INSTALLED_APPS and run manage\.ts migrate/);
      return true;
    });
  });

  test('each TASKS entry gets its own backend, built once', () => {
    configure({ DEBUG: true, TASKS: { default: { BACKEND: 'dummy' }, other: { BACKEND: 'dummy' } } });
    assert.equal(taskBackends.get(), taskBackends.get('default'));
    assert.notEqual(taskBackends.get('other'), taskBackends.get('default'));
  });
});

describe('task names', () => {
  test('an arrow function needs a name option', () => {
    assert.throws(() => task(async (a: number) => a), (error: Error) => {
      assert.ok(error instanceof InvalidTask);
      assert.match(error.message, /task\(async function sendReceipt\(…\) \{ … \}\) or task\(fn, \{ name: 'shop\/sendReceipt' \}\)/);
      return true;
    });
    const named = task(async (a: number) => a, { name: 'tests/arrow-task' });
    assert.equal(findTask('tests/arrow-task'), named);
  });

  test('two different functions under one name are refused', () => {
    task(function first() { return 1; }, { name: 'tests/clash' });
    assert.throws(() => task(function second() { return 2; }, { name: 'tests/clash' }), DuplicateTaskNameError);
  });

  test("autodiscoverTasks() imports each installed app's tasks.ts", async () => {
    configure({ DEBUG: true, BASE_DIR: join(import.meta.dirname, 'fixtures', 'project'), INSTALLED_APPS: ['jobs'] });
    await setup();
    const files = await autodiscoverTasks();
    assert.deepEqual(files.map((file) => file.split(/[\\/]/).slice(-2).join('/')), ['jobs/tasks.ts']);
    assert.ok(findTask('tests/tasks/fixtures/project/jobs/tasks#markLater'));
  });
});

describe('manage.ts worker', () => {
  test('refuses a backend without a queue, and queues the backend lacks', async () => {
    configure({ DEBUG: true, INSTALLED_APPS: ['nuages/tasks'], TASKS: { default: { BACKEND: 'immediate' }, db: { BACKEND: 'database', QUEUES: ['default'] } }, DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } } });
    await setup();
    await assert.rejects(callCommand('worker'), /Task backend 'default' \(ImmediateBackend\) has no queue for a worker to drain/);
    await assert.rejects(callCommand('worker', '--backend', 'db', '--queue', 'mail'), /Task backend 'db' has no queue 'mail'/);
    await assert.rejects(callCommand('prune_task_results'), /keeps no results to prune/);
  });

  test('--burst runs what is due, reports each attempt, and exits', async () => {
    configure({ DEBUG: true, INSTALLED_APPS: ['nuages/tasks'], TASKS: { default: { BACKEND: 'database', OPTIONS: { RETRY_DELAY: 0 } } }, DATABASES: { default: { ENGINE: 'sqlite', NAME: ':memory:' } } });
    await setup();
    await setupTestDatabase({ apps: ['nuages_tasks'] });
    await add.enqueue(1, 2);
    await explode.using({ priority: -1 }).enqueue('out of ink');
    const out = { text: '', write(s: string) { this.text += s; return true; } };
    await callCommand('worker', '--burst', '--concurrency', '1', { stdout: out });
    assert.match(out.text, /Worker \S+ started: backend 'default', every queue, concurrency 1/);
    assert.match(out.text, /Task tests\/tasks\/fixtures\/tasks#add \S+ attempt 1: SUCCESSFUL in \d+ms/);
    assert.match(out.text, /#explode \S+ attempt 1: READY in \d+ms \(TypeError: out of ink\)/);
    assert.match(out.text, /#explode \S+ attempt 3: FAILED/);
    assert.match(out.text, /Worker \S+ stopped\./);
  });
});

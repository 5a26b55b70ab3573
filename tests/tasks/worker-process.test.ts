// `manage.ts worker` as real processes on a SQLite file: SIGTERM lets the running task
// finish before the worker exits 0; a worker killed with SIGKILL mid-task loses its lease,
// another worker retries the task, and the task's effect happens once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apps } from '../../src/conf/apps.ts';
import { configure, resetSettings, setup } from '../../src/conf/index.ts';
import { connections } from '../../src/db/index.ts';
import { DBTaskResult, TaskResultStatus } from '../../src/tasks/index.ts';
import { setupTestDatabase } from '../../src/test/index.ts';
import { spawnNode, type Spawned } from '../core/servers/helpers.ts';

const PROJECT = join(import.meta.dirname, 'fixtures', 'project');
const MANAGE = join(PROJECT, 'manage.ts');
const folder = mkdtempSync(join(tmpdir(), 'nuages-worker-'));
const DATABASE = join(folder, 'tasks.sqlite3');
process.env['TASKS_TEST_DB'] = DATABASE;

const { default: projectSettings } = await import('./fixtures/project/settings.ts');
const { markAtomically, markLater } = await import('./fixtures/project/jobs/tasks.ts');
const { Mark } = await import('./fixtures/project/jobs/models.ts');

function startWorker(...args: string[]): Spawned {
  return spawnNode([MANAGE, 'worker', ...args], { TASKS_TEST_DB: DATABASE });
}

async function statusOf(id: string): Promise<string> {
  return (await DBTaskResult.objects.get({ pk: id })).status;
}

async function waitForStatus(id: string, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await statusOf(id)) !== status) {
    if (Date.now() > deadline) throw new Error(`task result ${id} did not become ${status} within ${timeoutMs}ms (it is ${await statusOf(id)})`);
    await sleep(25);
  }
}

describe('manage.ts worker, as processes', () => {
  const started: Spawned[] = [];
  before(async () => {
    configure(projectSettings);
    await setup();
    await setupTestDatabase();
  });
  after(async () => {
    for (const worker of started) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await connections.closeAll();
    resetSettings();
    apps.clear();
    rmSync(folder, { recursive: true, force: true });
  });

  test('SIGTERM during a 2 s task: the worker stops claiming, the task completes, the worker exits 0', async () => {
    const result = await markLater.enqueue('sigterm', 2000);
    const queued = await markLater.enqueue('left for later', 0);
    const worker = startWorker('--shutdown-timeout', '10');
    started.push(worker);
    await worker.waitFor(/Worker \S+ started/, 15_000);
    await waitForStatus(result.id, TaskResultStatus.RUNNING, 10_000);
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    assert.equal(exit.code, 0, worker.output());
    assert.match(worker.output(), /SIGTERM: worker \S+ stops claiming; 1 task\(s\) running get 10s to finish/);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
    assert.ok(result.finishedAt!.getTime() >= signalledAt, 'it finished after the signal, before the exit');
    assert.equal(await Mark.objects.filter({ key: 'sigterm' }).count(), 1);
    // Claiming stopped at the signal: the task behind it was left for the next worker.
    assert.equal(await statusOf(queued.id), TaskResultStatus.READY);
  });

  test('kill -9 mid-task: after the lease another worker retries it, and its effect happens once', async () => {
    await DBTaskResult.objects.all().delete();
    const result = await markAtomically.enqueue('killed', 1500);
    const doomed = startWorker();
    started.push(doomed);
    await waitForStatus(result.id, TaskResultStatus.RUNNING, 15_000);
    await sleep(300); // well inside the task: its Mark is written, not committed
    doomed.child.kill('SIGKILL');
    assert.equal((await doomed.exited).signal, 'SIGKILL');
    assert.equal(await Mark.objects.filter({ key: 'killed' }).count(), 0, 'the killed attempt committed nothing');

    const rescuer = startWorker();
    started.push(rescuer);
    await waitForStatus(result.id, TaskResultStatus.SUCCESSFUL, 20_000);
    rescuer.child.kill('SIGTERM');
    assert.equal((await rescuer.exited).code, 0, rescuer.output());

    await result.refresh();
    assert.equal(result.attempts, 2);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]!.exceptionClassPath, 'WorkerLostError');
    assert.notEqual(result.workerIds[0], result.workerIds[1]);
    assert.equal(await Mark.objects.filter({ key: 'killed' }).count(), 1);
  });
});

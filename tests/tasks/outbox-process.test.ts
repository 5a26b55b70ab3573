// The guarantees of enqueueing inside a transaction, and of schedules, with real processes on
// a SQLite file and the real Redis (a queue prefix of its own, deleted after):
// - a process killed (SIGKILL) right after the COMMIT that enqueued, before its outbox relay
//   ran: a worker started afterwards runs the task, once (BullMQ through the outbox; the
//   database backend through its queue row);
// - a transaction that enqueued and rolled back: the task never runs;
// - a schedule with two workers runs once per period (2 s periods), on both backends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { apps } from '../../src/conf/apps.ts';
import { configure, resetSettings, setup } from '../../src/conf/index.ts';
import { connections } from '../../src/db/index.ts';
import { DBTaskResult, periodOfRunId, taskBackends, TaskOutboxEntry, type BullMQBackend } from '../../src/tasks/index.ts';
import { setupTestDatabase } from '../../src/test/index.ts';
import { spawnNode, type Spawned } from '../core/servers/helpers.ts';

const PROJECT = join(import.meta.dirname, 'fixtures', 'project');
const MANAGE = join(PROJECT, 'manage.ts');
const folder = mkdtempSync(join(tmpdir(), 'nuages-outbox-'));
const DATABASE = join(folder, 'tasks.sqlite3');
const PREFIX = `nuages-test-process-${process.pid}`;
const ENV = { TASKS_TEST_DB: DATABASE, TASKS_TEST_PREFIX: PREFIX };
Object.assign(process.env, ENV);

const { default: projectSettings } = await import('./fixtures/project/settings.ts');
const { Mark } = await import('./fixtures/project/jobs/models.ts');
const { TICK_SECONDS } = await import('./fixtures/project/jobs/tasks.ts');

const started: Spawned[] = [];
const bull = () => taskBackends.get('bull') as BullMQBackend;

function manage(args: string[], env: Record<string, string> = {}): Spawned {
  const spawned = spawnNode([MANAGE, ...args], { ...ENV, ...env });
  started.push(spawned);
  return spawned;
}

async function stopWorker(worker: Spawned): Promise<void> {
  worker.child.kill('SIGTERM');
  const exit = await worker.exited;
  assert.equal(exit.code, 0, worker.output());
}

async function marks(prefix: string): Promise<string[]> {
  return (await Mark.objects.filter({ key__startswith: prefix }).orderBy('key').valuesList('key', { flat: true })) as string[];
}

async function waitForMark(key: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await Mark.objects.filter({ key }).count()) === 0) {
    if (Date.now() > deadline) throw new Error(`no Mark '${key}' within ${timeoutMs}ms`);
    await sleep(25);
  }
}

before(async () => {
  configure(projectSettings);
  await setup();
  await setupTestDatabase();
});
after(async () => {
  for (const spawned of started) if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGKILL');
  await bull().obliterate();
  await taskBackends.closeAll();
  await connections.closeAll();
  resetSettings();
  apps.clear();
  rmSync(folder, { recursive: true, force: true });
});

describe('enqueueing in a transaction, with processes that die', () => {
  for (const [backend, label] of [['bull', 'BullMQ, through the outbox'], ['default', 'the database backend']] as const) {
    test(`${label}: killed right after the commit, the task still runs after a restart, once; rolled back, never`, async () => {
      const rolledBack = manage(['enqueue_in_transaction', backend, `${backend}:rolled-back`, '--rollback']);
      assert.equal((await rolledBack.exited).code, 0, rolledBack.output());
      assert.match(rolledBack.output(), /rolled back/);

      const killed = manage(['enqueue_in_transaction', backend, `${backend}:killed`, '--die-after-commit']);
      assert.equal((await killed.exited).signal, 'SIGKILL', killed.output());
      const id = /enqueued (\S+)/.exec(killed.output())![1]!;
      if (backend === 'bull') {
        const entry = await TaskOutboxEntry.objects.get({ pk: id });
        assert.equal(entry.sentAt, null, 'the process died before its relay ran');
        assert.deepEqual(await (await bull().queue('default')).getJobs(), [], 'so the broker has nothing yet');
      } else {
        assert.equal((await DBTaskResult.objects.get({ pk: id })).status, 'READY');
      }

      const worker = manage(['worker', '--backend', backend]);
      await waitForMark(`${backend}:killed`, 20_000);
      // The rolled-back run never existed: nothing is left for the worker after the killed one.
      await sleep(500);
      await stopWorker(worker);
      assert.deepEqual(await marks(`${backend}:`), [`${backend}:killed`]);
      assert.equal(await TaskOutboxEntry.objects.filter({ sentAt__isnull: true }).count(), 0);
    });
  }
});

describe('a schedule with two workers', () => {
  for (const [backend, label] of [['default', 'database'], ['bull', 'bullmq']] as const) {
    test(`runs once per period on the ${label} backend`, async () => {
      const env = { TASKS_TEST_SCHEDULE: '1' };
      const workers = [manage(['worker', '--backend', backend], env), manage(['worker', '--backend', backend], env)];
      await Promise.all(workers.map((worker) => worker.waitFor(/Worker \S+ started: .* 1 schedule\(s\)/, 15_000)));
      const watched = 4 * TICK_SECONDS * 1000 + 500;
      await sleep(watched);
      await Promise.all(workers.map(stopWorker));
      const keys = await marks(`${label}:`);
      const ids = keys.map((key) => key.slice(label.length + 1));
      assert.equal(new Set(ids).size, ids.length, `a run ran twice: ${keys.join(', ')}`);
      // Database runs have ids made from their period; BullMQ's repeat jobs end with it.
      const periods = ids.map((id) => (backend === 'bull' ? Number(id.split(':').at(-1)) : periodOfRunId(id).getTime())).sort((a, b) => a - b);
      assert.ok(periods.length >= 3 && periods.length <= 5, `expected about 4 runs in ${watched} ms, got ${keys.join(', ')}`);
      for (let i = 1; i < periods.length; i++) assert.equal(periods[i]! - periods[i - 1]!, TICK_SECONDS * 1000, `one run per period, none skipped: ${periods.join(', ')}`);
    });
  }
});

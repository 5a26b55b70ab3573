// The transactional outbox, in this process, against the real Redis at 127.0.0.1:6379 (a
// queue prefix of its own, deleted after) and the test database: inside atomic() a broker
// backend writes an outbox row in the transaction; a rollback leaves nothing, a commit is
// relayed to BullMQ promptly; a row relayed twice runs once. The database backend needs no
// outbox: its queue row is in the transaction. Killed processes are in outbox-process.test.ts.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { apps } from '../../src/conf/apps.ts';
import { configure, resetSettings, setup } from '../../src/conf/index.ts';
import { sendMailLater } from '../../src/core/mail/index.ts';
import { createNodeApp, NuagesServer } from '../../src/core/servers/index.ts';
import { atomic, connections, createTables } from '../../src/db/index.ts';
import {
  DBTaskResult,
  InvalidTaskBackend,
  outboxRelay,
  taskBackends,
  taskEnqueued,
  TaskOutboxEntry,
  TaskResultStatus,
  type BullMQBackend,
  type TaskSignalArgs,
} from '../../src/tasks/index.ts';
import { useMailOutbox } from '../../src/test/index.ts';
import { Effect } from './fixtures/models.ts';
import { add, perUser, record, recorded } from './fixtures/tasks.ts';
import { clearTaskTable, drain, FAST_OPTIONS, setUpTasks, tearDownTasks } from './setup.ts';

const PREFIX = `nuages-test-outbox-${process.pid}`;
const BULL = { BACKEND: 'bullmq', QUEUES: ['default', 'mail'], OPTIONS: { ...FAST_OPTIONS, PREFIX } };
const bull = () => taskBackends.get() as BullMQBackend;
const relay = () => outboxRelay('default');

class RolledBack extends Error {}

async function rollingBack(fn: () => Promise<unknown>): Promise<void> {
  await assert.rejects(atomic(async () => {
    await fn();
    throw new RolledBack('undo');
  }), RolledBack);
}

async function jobIds(): Promise<string[]> {
  const jobs = await (await bull().queue('default')).getJobs();
  return jobs.map((job) => job.id!).sort();
}

describe('the outbox of a broker backend', () => {
  before(async () => {
    await setUpTasks({ TASKS: { default: BULL, direct: { ...BULL, OPTIONS: { ...BULL.OPTIONS, OUTBOX: false } } } }, { database: true });
    await createTables([Effect]);
  });
  after(async () => {
    await bull().obliterate();
    await tearDownTasks();
  });
  afterEach(async () => {
    await relay().idle();
    await bull().obliterate();
    await TaskOutboxEntry.objects.all().delete();
    await Effect.objects.all().delete();
    recorded.length = 0;
  });

  test('inside atomic() the run is an outbox row of the transaction, at the broker only after the commit', async () => {
    let id = '';
    let jobsBeforeCommit: string[] = [];
    await atomic(async () => {
      await Effect.objects.create({ key: 'order 1' });
      const result = await add.enqueue(1, 2);
      id = result.id;
      assert.equal(result.status, TaskResultStatus.READY);
      assert.equal(await TaskOutboxEntry.objects.filter({ pk: id, sentAt__isnull: true }).count(), 1);
      jobsBeforeCommit = await jobIds();
    });
    assert.deepEqual(jobsBeforeCommit, [], 'nothing reached Redis inside the transaction');
    await relay().idle();
    assert.deepEqual(await jobIds(), [id]);
    const entry = await TaskOutboxEntry.objects.get({ pk: id });
    assert.ok(entry.sentAt !== null);
    assert.equal(entry.deliveredId, null);
    assert.equal(await drain(), 1);
    const result = await add.getResult(id);
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(result.returnValue, 3);
  });

  test('a rolled-back transaction leaves no outbox row, no job, no taskEnqueued', async () => {
    const seen: string[] = [];
    const receiver = ({ taskResult }: TaskSignalArgs) => void seen.push(taskResult.id);
    taskEnqueued.connect(receiver);
    try {
      await rollingBack(async () => {
        await Effect.objects.create({ key: 'order 2' });
        await record.enqueue('never');
      });
    } finally {
      taskEnqueued.disconnect(receiver);
    }
    await relay().flush();
    assert.equal(await TaskOutboxEntry.objects.count(), 0);
    assert.deepEqual(await jobIds(), []);
    assert.deepEqual(seen, []);
    assert.equal(await drain(), 0);
    assert.deepEqual(recorded, []);
  });

  test('a savepoint rolled back drops its run; the outer commit relays the others', async () => {
    let kept = '';
    await atomic(async () => {
      kept = (await record.enqueue('kept')).id;
      await rollingBack(() => record.enqueue('dropped'));
    });
    await relay().idle();
    assert.deepEqual(await jobIds(), [kept]);
    await drain();
    assert.deepEqual(recorded, ['kept']);
  });

  test('taskEnqueued is sent once the transaction commits, not at enqueue()', async () => {
    const seen: string[] = [];
    const receiver = ({ taskResult }: TaskSignalArgs) => void seen.push(taskResult.id);
    taskEnqueued.connect(receiver);
    try {
      let id = '';
      await atomic(async () => {
        id = (await add.enqueue(1, 1)).id;
        assert.deepEqual(seen, []);
      });
      assert.deepEqual(seen, [id]);
    } finally {
      taskEnqueued.disconnect(receiver);
    }
  });

  test('the relay moves a commit to the broker in under 100 ms at idle (the commit wakes it)', async () => {
    const stop = relay();
    stop.start(5); // a slow poll: only the wake-up can make it fast
    try {
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        let id = '';
        const committed = await atomic(async () => {
          id = (await add.enqueue(i, i)).id;
          return performance.now();
        });
        while (!(await jobIds()).includes(id)) await sleep(1);
        latencies.push(performance.now() - committed);
      }
      assert.ok(Math.max(...latencies) < 100, `latencies ${latencies.map((l) => l.toFixed(1)).join(', ')} ms`);
    } finally {
      await stop.stop();
    }
  });

  test('rows committed by another process are found by the relay\'s polling', async () => {
    // As a process killed right after its commit leaves them: in the table, never relayed.
    const id = '6f1b8c9e-3a0d-4e7b-9c2a-1d2e3f405162';
    await TaskOutboxEntry.objects.create({ id, backendName: 'default', taskName: add.name, modulePath: add.modulePath, args: [20, 22], maxAttempts: 1, enqueuedAt: new Date() });
    relay().start(0.05);
    try {
      const started = Date.now();
      while (!(await jobIds()).includes(id)) {
        assert.ok(Date.now() - started < 2000, 'the polling relay did not deliver the row');
        await sleep(10);
      }
    } finally {
      await relay().stop();
    }
    await drain();
    assert.equal((await add.getResult(id)).returnValue, 42);
  });

  test('a row relayed twice (a relay that died before marking it) runs once', async () => {
    let id = '';
    await atomic(async () => {
      id = (await record.enqueue('once')).id;
    });
    await relay().idle();
    // The mark is lost: the next relay delivers the row again.
    await TaskOutboxEntry.objects.filter({ pk: id }).update({ sentAt: null });
    assert.equal(await relay().flush(), 1);
    assert.deepEqual(await jobIds(), [id]);
    await drain();
    await TaskOutboxEntry.objects.filter({ pk: id }).update({ sentAt: null });
    await relay().flush();
    assert.equal(await drain(), 0, 'a finished job is not run again by a late delivery');
    assert.deepEqual(recorded, ['once']);
  });

  test('getResult() finds a run still in the outbox (READY), then at the broker', async () => {
    let id = '';
    await atomic(async () => {
      id = (await add.enqueue(5, 5)).id;
      const pending = await add.getResult(id);
      assert.equal(pending.status, TaskResultStatus.READY);
      assert.deepEqual(pending.args, [5, 5]);
    });
    await relay().idle();
    await drain();
    assert.equal((await add.getResult(id)).returnValue, 10);
  });

  test('a unique task relayed while its key is pending resolves to the pending run', async () => {
    const pending = await perUser.enqueue(3, 'first');
    let queued = '';
    await atomic(async () => {
      queued = (await perUser.enqueue(3, 'second')).id;
    });
    await relay().idle();
    assert.equal((await TaskOutboxEntry.objects.get({ pk: queued })).deliveredId, pending.id);
    const found = await perUser.getResult(queued);
    assert.equal(found.id, pending.id);
    assert.deepEqual(found.args, [3, 'first']);
  });

  test('outside a transaction enqueue() goes straight to the broker', async () => {
    const result = await add.enqueue(2, 2);
    assert.equal(await TaskOutboxEntry.objects.count(), 0);
    assert.deepEqual(await jobIds(), [result.id]);
  });

  test('OUTBOX: false sends at once even inside atomic(), and a rollback cannot take it back', async () => {
    let id = '';
    await rollingBack(async () => {
      id = (await add.using({ backend: 'direct' }).enqueue(1, 1)).id;
    });
    assert.equal(await TaskOutboxEntry.objects.count(), 0);
    assert.deepEqual(await jobIds(), [id]);
  });

  test('a server starts the relay when it listens and stops it when it closes', async () => {
    const server = new NuagesServer({ app: await createNodeApp({ urlconf: { urlpatterns: [] } }), host: '127.0.0.1', port: 0 });
    await server.listen();
    try {
      assert.equal(relay().started, true);
    } finally {
      await server.close();
    }
    assert.equal(relay().started, false);
  });

  test('prune_task_results deletes relayed outbox rows older than the cutoff', async () => {
    await atomic(() => add.enqueue(1, 1));
    await relay().idle();
    await drain();
    assert.equal(await bull().pruneResults(new Date(Date.now() + 60_000)), 2, 'the outbox row and the finished job');
    assert.equal(await TaskOutboxEntry.objects.count(), 0);
    assert.deepEqual(await jobIds(), []);
  });
});

describe('a broker backend without the tasks app', () => {
  after(() => {
    resetSettings();
    apps.clear();
  });

  test('is refused, naming the app to install or OUTBOX: false', async () => {
    configure({ DEBUG: true, INSTALLED_APPS: [], DATABASES: {}, TASKS: { default: { ...BULL } } });
    await setup();
    assert.throws(() => taskBackends.get(), (error: Error) => {
      assert.ok(error instanceof InvalidTaskBackend);
      assert.match(error.message, /Add 'nuages\/tasks' to INSTALLED_APPS and run manage\.ts migrate, or set TASKS\.default\.OPTIONS\.OUTBOX to false/);
      return true;
    });
  });
});

describe('the database backend inside atomic()', () => {
  const mail = useMailOutbox();
  before(async () => {
    await setUpTasks({ TASKS: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: FAST_OPTIONS } } }, { database: true });
    await createTables([Effect]);
  });
  after(tearDownTasks);
  afterEach(async () => {
    await clearTaskTable();
    await Effect.objects.all().delete();
  });

  test('writes the queue row in the transaction: it commits with it or not at all, with no outbox', async () => {
    await rollingBack(() => add.enqueue(1, 1));
    assert.equal(await DBTaskResult.objects.count(), 0);
    const committed = await atomic(async () => {
      const result = await add.enqueue(2, 2);
      await Effect.objects.create({ key: 'with it' });
      return result;
    });
    assert.deepEqual(await DBTaskResult.objects.valuesList('id', { flat: true }), [committed.id]);
    assert.equal(await TaskOutboxEntry.objects.count(), 0);
  });

  test('sendMailLater() queues the mail with the transaction; a worker sends it', async () => {
    await rollingBack(() => sendMailLater('Never', 'Rolled back.', null, ['ada@example.com']));
    const result = await atomic(() => sendMailLater('Order 7', 'Thank you.', 'shop@example.com', ['ada@example.com'], { htmlMessage: '<p>Thank you.</p>' }));
    assert.equal(mail.length, 0, 'nothing is sent by enqueue()');
    assert.equal(await drain(), 1);
    assert.deepEqual(mail.map((m) => [m.subject, m.fromEmail, m.to]), [['Order 7', 'shop@example.com', ['ada@example.com']]]);
    await result.refresh();
    assert.equal(result.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(result.returnValue, 1);
  });
});

// Close what the last describe left open if a test failed before its after hook.
after(async () => {
  await connections.closeAll();
});

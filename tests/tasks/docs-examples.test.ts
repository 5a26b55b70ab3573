// The examples of docs/tasks.md, kept compiling and running (on the database backend,
// drained by an in-process worker, as `manage.ts worker` would).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings } from '../../src/conf/index.ts';
import { sendMail, sendMailLater } from '../../src/core/mail/index.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { atomic, CharField, createTables, F, IntegerField, Model } from '../../src/db/index.ts';
import {
  DummyBackend,
  every,
  NonRetryableError,
  outboxRelay,
  periodic,
  removeSchedule,
  task,
  taskBackends,
  TaskResultStatus,
  Worker,
  type BullMQBackend,
  type DatabaseBackend,
  type TaskContext,
} from '../../src/tasks/index.ts';
import { useMailOutbox } from '../../src/test/index.ts';
import { clearTaskTable, FAST_OPTIONS, setUpTasks, tearDownTasks } from './setup.ts';

class Order extends Model<Order>()({
  email: new CharField({ maxLength: 100 }),
}, { appLabel: 'docs' }) {}

class Account extends Model<Account>()({
  userId: new IntegerField(),
  points: new IntegerField({ default: 0 }),
}, { appLabel: 'docs' }) {}

class CardDeclinedError extends Error {}
const charged: number[] = [];
const rebuilt: string[] = [];

// ---- "Declaring tasks" and the opening example ------------------------------------------

export const sendReceipt = task(async function sendReceipt(orderId: number) {
  const order = await Order.objects.get({ pk: orderId });
  await sendMail(`Order ${order.pk}`, 'Thank you for your order.', null, [order.email]);
  return order.email;
}, { queueName: 'mail', maxAttempts: 5 });

export const add = task(async function add(a: number, b: number) {
  return a + b;
});

// ---- "Enqueueing and results": a task that takes its context ---------------------------

export const fetchFeed = task(async function fetchFeed(context: TaskContext, url: string) {
  const response = await fetch(url, { signal: context.signal });
  return { attempt: context.attempt, size: (await response.text()).length };
}, { takesContext: true, timeout: 30 });

// ---- "Retries, timeouts and dead letters" ----------------------------------------------

export const chargeCard = task(async function chargeCard(orderId: number) {
  const order = await Order.objects.filter({ pk: orderId }).first();
  if (!order) throw new NonRetryableError(`order ${orderId} was deleted`);
  if (order.email.endsWith('@declined.example')) throw new CardDeclinedError('declined');
  charged.push(orderId);
}, { maxAttempts: 5, nonRetryable: [CardDeclinedError] });

// ---- "At least once": an atomic task ----------------------------------------------------

export const creditPoints = task(async function creditPoints(userId: number, points: number) {
  await Account.objects.filter({ userId }).update({ points: F('points').add(points) });
}, { atomic: true });

// ---- "Unique tasks" ---------------------------------------------------------------------

export const rebuildBestsellers = task(async function rebuildBestsellers(shopId: number, reason: string) {
  rebuilt.push(`${shopId}: ${reason}`);
}, { uniqueKey: (shopId) => String(shopId) });

// ---- "Delayed tasks" --------------------------------------------------------------------

export const sendReminder = task(async function sendReminder(cartId: number) {
  return cartId;
});

// ---- "Schedules" ------------------------------------------------------------------------

export const sendDigest = task(async function sendDigest(language: string) {
  return language;
});

export const refreshRates = task(async function refreshRates() {
  return 'refreshed';
});

const worker = () => new Worker({ backend: taskBackends.get() as DatabaseBackend, concurrency: 4 });

describe('docs/tasks.md', () => {
  const outbox = useMailOutbox();
  before(async () => {
    await setUpTasks(
      { TASKS: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: { ...FAST_OPTIONS, MAX_ATTEMPTS: 5, TIMEOUT: 300 } } } },
      { database: true },
    );
    await createTables([Order, Account]);
  });
  after(tearDownTasks);
  afterEach(clearTaskTable);

  test('the opening example: enqueue, a worker runs it, the result is read back', async () => {
    const order = await Order.objects.create({ email: 'ada@example.com' });
    const result = await sendReceipt.enqueue(order.id);
    assert.equal(result.status, 'READY');
    await worker().runUntilEmpty();
    const found = await sendReceipt.getResult(result.id);
    assert.equal(found.status, TaskResultStatus.SUCCESSFUL);
    assert.equal(found.returnValue, 'ada@example.com');
    assert.deepEqual(outbox.map((mail) => [mail.subject, mail.to]), [[`Order ${order.pk}`, ['ada@example.com']]]);
  });

  test('a task is named after its module and function', () => {
    assert.equal(add.name, 'tests/tasks/docs-examples.test#add');
  });

  test('arguments that JSON cannot hold are refused with the fix', async () => {
    await assert.rejects(sendReminder.enqueue(new Date() as unknown as number), /argument 1 is a Date; pass date\.toISOString\(\) and parse it in the task/);
  });

  test('takesContext: the context has the attempt and a signal', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => response.end('<feed/>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const result = await fetchFeed.enqueue(`http://127.0.0.1:${port}/feed`);
      await worker().runUntilEmpty();
      await result.refresh();
      assert.deepEqual(result.returnValue, { attempt: 1, size: 7 });
    } finally {
      server.close();
    }
  });

  test('NonRetryableError and nonRetryable classes fail at once; others are retried', async () => {
    const gone = await chargeCard.enqueue(999_999);
    const declined = await chargeCard.enqueue((await Order.objects.create({ email: 'x@declined.example' })).id);
    const fine = await chargeCard.enqueue((await Order.objects.create({ email: 'y@example.com' })).id);
    await worker().runUntilEmpty();
    for (const result of [gone, declined, fine]) await result.refresh();
    assert.deepEqual([gone.status, gone.attempts], [TaskResultStatus.FAILED, 1]);
    assert.match(gone.errors[0]!.traceback, /order 999999 was deleted/);
    assert.deepEqual([declined.status, declined.attempts], [TaskResultStatus.FAILED, 1]);
    assert.equal(fine.status, TaskResultStatus.SUCCESSFUL);
  });

  test('an atomic task credits points once', async () => {
    await Account.objects.create({ userId: 1, points: 10 });
    await creditPoints.enqueue(1, 5);
    await worker().runUntilEmpty();
    assert.equal((await Account.objects.get({ userId: 1 })).points, 15);
  });

  test('a unique task enqueued again while pending returns the first run', async () => {
    const first = await rebuildBestsellers.enqueue(1, 'order placed');
    const again = await rebuildBestsellers.enqueue(1, 'order cancelled');
    assert.equal(again.id, first.id);
    await worker().runUntilEmpty();
    assert.deepEqual(rebuilt, ['1: order placed']);
  });

  test('runAfter in seconds, or a Date, keeps the run READY until then', async () => {
    const tomorrow = await sendReminder.using({ runAfter: 24 * 3600 }).enqueue(7);
    const atMoment = await sendReminder.using({ runAfter: new Date(Date.now() + 3600_000) }).enqueue(8);
    assert.equal(await worker().runUntilEmpty(), 0);
    await tomorrow.refresh();
    await atMoment.refresh();
    assert.deepEqual([tomorrow.status, atMoment.status], ['READY', 'READY']);
  });

  test('prune_task_results accepts the documented ages', async () => {
    await add.enqueue(1, 1);
    await worker().runUntilEmpty();
    const out = { text: '', write(s: string) { this.text += s; return true; } };
    await callCommand('prune_task_results', { stdout: out });
    await callCommand('prune_task_results', '--older-than', '12h', { stdout: out });
    assert.match(out.text, /Deleted 0 task results finished more than 604800s ago/);
    assert.match(out.text, /Deleted 0 task results finished more than 43200s ago/);
  });

  test('testing with the dummy backend: what was enqueued, not run', async () => {
    await overrideSettings({ TASKS: { default: { BACKEND: 'dummy', QUEUES: ['default', 'mail'] } } }, async () => {
      const order = await Order.objects.create({ email: 'b@example.com' });
      await sendReceipt.enqueue(order.id);
      const backend = taskBackends.get() as DummyBackend;
      assert.ok(backend instanceof DummyBackend);
      assert.deepEqual(backend.results.map((r) => r.task.name), [sendReceipt.name]);
    });
  });
});

describe('docs/tasks.md, part 2', () => {
  const outbox = useMailOutbox();
  before(async () => {
    await setUpTasks(
      {
        TASKS: {
          default: { BACKEND: 'database', QUEUES: ['default', 'mail'], OPTIONS: FAST_OPTIONS },
          redis: { BACKEND: 'bullmq', QUEUES: ['default', 'mail'], OPTIONS: { URL: 'redis://127.0.0.1:6379', PREFIX: `docs-${process.pid}`, MAX_ATTEMPTS: 5 } },
        },
      },
      { database: true },
    );
    await createTables([Order]);
  });
  after(async () => {
    await (taskBackends.get('redis') as BullMQBackend).obliterate();
    await tearDownTasks();
  });
  afterEach(clearTaskTable);

  test('the outbox example: the run reaches Redis once the transaction commits', async () => {
    let id = '';
    await atomic(async () => {
      const order = await Order.objects.create({ email: 'c@example.com' });
      id = (await sendReceipt.using({ backend: 'redis' }).enqueue(order.id)).id;
    });
    await outboxRelay('default').idle();
    const job = await (await (taskBackends.get('redis') as BullMQBackend).queue('mail')).getJob(id);
    assert.equal(job?.name, sendReceipt.name);
  });

  test('sendMailLater() in a transaction: sent by a worker after the commit', async () => {
    await atomic(async () => {
      const order = await Order.objects.create({ email: 'd@example.com' });
      await sendMailLater(`Your order ${order.id}`, 'Thank you.', null, ['d@example.com'], { queueName: 'mail' });
    });
    assert.equal(outbox.length, 0);
    await worker().runUntilEmpty();
    assert.deepEqual(outbox.map((m) => m.to), [['d@example.com']]);
  });

  test('the schedules example declares what it says', () => {
    const schedules = [
      periodic('*/10 * * * *', rebuildBestsellers, { args: [1, 'schedule'] }),
      periodic('30 2 * * 1', sendDigest, { args: ['fr'], timezone: 'Europe/Paris' }),
      every('30s', refreshRates),
    ];
    try {
      const [tenMinutes, digest, rates] = schedules;
      assert.equal(tenMinutes!.periodAfter(new Date('2026-01-01T10:01:00Z')).toISOString(), '2026-01-01T10:10:00.000Z');
      // Monday 5 January 2026, 02:30 in Paris (UTC+1).
      assert.equal(digest!.periodAfter(new Date('2026-01-01T00:00:00Z')).toISOString(), '2026-01-05T01:30:00.000Z');
      assert.equal(rates!.everyMs, 30_000);
    } finally {
      schedules.forEach(removeSchedule);
    }
  });
});

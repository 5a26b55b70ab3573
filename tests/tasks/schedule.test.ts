// Schedules: periodic() and every() read their timetable, and the database backend's
// scheduler enqueues each period once under a lease: one holder among the workers, a
// successor that resumes where it stopped, one run on catch-up after missed periods, and
// one run per period even when two schedulers race. Real worker processes are in
// outbox-process.test.ts.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DBTaskResult,
  every,
  InvalidTask,
  LeaseScheduler,
  periodic,
  periodOfRunId,
  removeSchedule,
  SchedulerLease,
  schedulesFor,
  taskBackends,
  type DatabaseBackend,
  type Schedule,
} from '../../src/tasks/index.ts';
import { add, record } from './fixtures/tasks.ts';
import { clearTaskTable, FAST_OPTIONS, setUpTasks, tearDownTasks } from './setup.ts';

const at = (iso: string) => new Date(iso);

describe('periodic() and every()', () => {
  const declared: Schedule[] = [];
  const keep = (schedule: Schedule) => (declared.push(schedule), schedule);
  after(() => declared.forEach(removeSchedule));

  test('a cron expression fires at its matches, in its time zone', () => {
    const schedule = keep(periodic('*/5 * * * *', add, { args: [1, 2], timezone: 'UTC', name: 'five minutes' }));
    assert.equal(schedule.periodAtOrBefore(at('2026-01-01T10:07:30Z')).toISOString(), '2026-01-01T10:05:00.000Z');
    assert.equal(schedule.periodAtOrBefore(at('2026-01-01T10:05:00Z')).toISOString(), '2026-01-01T10:05:00.000Z');
    assert.equal(schedule.periodAfter(at('2026-01-01T10:05:00Z')).toISOString(), '2026-01-01T10:10:00.000Z');
    assert.deepEqual(schedule.args, [1, 2]);
    const paris = keep(periodic('30 2 * * *', add, { args: [0, 0], timezone: 'Europe/Paris' }));
    assert.equal(paris.periodAfter(at('2026-01-01T00:00:00Z')).toISOString(), '2026-01-01T01:30:00.000Z');
  });

  test('six fields put seconds first', () => {
    const schedule = keep(periodic('*/2 * * * * *', record, { args: ['s'], timezone: 'UTC' }));
    assert.equal(schedule.periodAfter(at('2026-01-01T10:00:01.500Z')).toISOString(), '2026-01-01T10:00:02.000Z');
  });

  test('an interval fires at its multiples since the epoch', () => {
    const schedule = keep(every('10m', record, { args: ['ten'] }));
    assert.equal(schedule.everyMs, 600_000);
    assert.equal(schedule.periodAtOrBefore(at('2026-01-01T10:17:00Z')).toISOString(), '2026-01-01T10:10:00.000Z');
    assert.equal(schedule.periodAfter(at('2026-01-01T10:17:00Z')).toISOString(), '2026-01-01T10:20:00.000Z');
    assert.equal(keep(every(90, record, { args: ['ninety'] })).everyMs, 90_000);
  });

  test('a schedule is named after its task and timetable; its run ids are UUIDs made from the period, which they tell', () => {
    const schedule = keep(every('1h', add, { args: [2, 2] }));
    assert.equal(schedule.name, `${add.name}@every 3600000ms`);
    const period = at('2026-01-01T10:00:00Z');
    const id = schedule.runId('default', period);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(schedule.runId('default', period), id);
    assert.equal(periodOfRunId(id).toISOString(), period.toISOString());
    assert.notEqual(schedule.runId('default', at('2026-01-01T11:00:00Z')), id);
    assert.notEqual(schedule.runId('other', period), id);
  });

  test('a bad timetable, bad arguments or a taken name are refused with the fix', () => {
    assert.throws(() => periodic('61 * * * *', add), { name: 'InvalidTask', message: /'61 \* \* \* \*' is not a cron expression .*Write five fields/ });
    assert.throws(() => every('soon', add), /the interval must be a positive duration such as '30s', '10m'/);
    assert.throws(() => every(0, add), InvalidTask);
    assert.throws(() => every('1m', add, { args: [new Date() as unknown as number, 1] }), /argument 1 is a Date/);
    keep(every('1m', add, { name: 'taken', args: [1, 1] }));
    assert.throws(() => every('2m', add, { name: 'taken', args: [1, 1] }), /Two schedules are named 'taken'/);
    assert.throws(() => every('1m', add.using({ backend: 'other' }), { name: 'taken', args: [1, 1] }), /Two schedules are named 'taken'/);
  });
});

describe('the database scheduler', () => {
  let hourly: Schedule;
  let often: Schedule;
  const backend = () => taskBackends.get() as DatabaseBackend;
  const runs = () => DBTaskResult.objects.orderBy('enqueuedAt').valuesList('id', { flat: true });

  before(async () => {
    await setUpTasks({ TASKS: { default: { BACKEND: 'database', OPTIONS: { ...FAST_OPTIONS, LEASE_SECONDS: 30 } } } }, { database: true });
    hourly = periodic('0 * * * *', add, { args: [1, 1], timezone: 'UTC', name: 'hourly' });
    often = every('10m', record, { args: ['often'], name: 'often' });
  });
  after(async () => {
    removeSchedule(hourly);
    removeSchedule(often);
    await tearDownTasks();
  });
  afterEach(async () => {
    await clearTaskTable();
    await SchedulerLease.objects.all().delete();
  });

  test('only the backend\'s schedules are its worker\'s', () => {
    assert.deepEqual(schedulesFor('default').map((s) => s.name).filter((n) => n === 'hourly' || n === 'often'), ['hourly', 'often']);
    assert.deepEqual(schedulesFor('nowhere'), []);
  });

  test('one scheduler holds the lease; it enqueues each period once, from the first period after it started', async () => {
    const first = new LeaseScheduler(backend(), [hourly, often], 'worker-a');
    const second = new LeaseScheduler(backend(), [hourly, often], 'worker-b');
    await first.tick(at('2026-01-01T10:05:00Z'));
    await second.tick(at('2026-01-01T10:05:00Z'));
    assert.deepEqual([first.holding, second.holding], [true, false]);
    assert.deepEqual(await runs(), [], 'periods before the scheduler started are not run');
    await first.tick(at('2026-01-01T10:10:00.100Z'));
    await first.tick(at('2026-01-01T10:10:00.600Z'));
    await first.tick(at('2026-01-01T11:00:00.100Z'));
    assert.deepEqual(await runs(), [
      often.runId('default', at('2026-01-01T10:10:00Z')),
      hourly.runId('default', at('2026-01-01T11:00:00Z')),
      often.runId('default', at('2026-01-01T11:00:00Z')),
    ]);
  });

  test('after missed periods, the next holder runs each schedule once, then follows the timetable', async () => {
    const first = new LeaseScheduler(backend(), [often], 'worker-a');
    await first.tick(at('2026-01-01T10:05:00Z'));
    // worker-a dies; nobody schedules for an hour; its lease expired long ago.
    const next = new LeaseScheduler(backend(), [often], 'worker-b');
    await next.tick(at('2026-01-01T11:03:00Z'));
    assert.equal(next.holding, true);
    assert.deepEqual(await runs(), [often.runId('default', at('2026-01-01T11:00:00Z'))], 'one run for six missed periods');
    await next.tick(at('2026-01-01T11:10:00Z'));
    assert.equal((await runs()).length, 2);
  });

  test('two schedulers that both believe they hold the lease still enqueue a period once', async () => {
    const first = new LeaseScheduler(backend(), [often], 'worker-a');
    await first.tick(at('2026-01-01T10:05:00Z'));
    await first.tick(at('2026-01-01T10:09:59Z'));
    // worker-a's lease looks expired to worker-b (a clock running ahead, or worker-a stalled
    // between its lease check and its enqueue): both enqueue the 10:10 period.
    await SchedulerLease.objects.filter({ name: 'default' }).update({ expiresAt: at('2026-01-01T10:00:00Z') });
    const second = new LeaseScheduler(backend(), [often], 'worker-b');
    await second.tick(at('2026-01-01T10:10:00.200Z'));
    await first.tick(at('2026-01-01T10:10:00.300Z'));
    assert.deepEqual([first.holding, second.holding], [false, true], 'the stale holder learns it lost the lease when it saves its progress');
    assert.deepEqual(await runs(), [often.runId('default', at('2026-01-01T10:10:00Z'))]);
  });

  test('stop() hands the lease back, so another worker takes over at once', async () => {
    const first = new LeaseScheduler(backend(), [often], 'worker-a');
    await first.tick(new Date());
    assert.equal(first.holding, true);
    await first.stop();
    const second = new LeaseScheduler(backend(), [often], 'worker-b');
    await second.tick(new Date(Date.now() + 10));
    assert.equal(second.holding, true);
  });
});

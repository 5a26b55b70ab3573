/**
 * Schedules declared in code: `periodic('*\/5 * * * *', task)` and `every('10m', task)`.
 *
 * periodic()/every() → a Schedule registered under its name → `manage.ts worker` starts the
 * backend's scheduler for the schedules of its backend (backend.startScheduler): one
 * scheduler across all workers enqueues each period once (see scheduler.ts for the database
 * backend; the BullMQ backend hands schedules to BullMQ's job schedulers).
 *
 * A period is a moment the schedule fires at: each match of the cron expression (in
 * `timezone`, default settings.TIME_ZONE), or each multiple of the interval since the Unix
 * epoch (every('10m') fires at :00, :10, :20…).
 */
import { createHash } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { settingOr } from '../conf/lazy-settings.ts';
import { durationSeconds } from './durations.ts';
import { InvalidTask } from './errors.ts';
import { normalizeArguments, type JsonValue } from './json.ts';
import type { Task } from './task.ts';

/** Options of periodic() and every(). */
export interface ScheduleOptions<A extends unknown[]> {
  /** The arguments of every run (JSON-serialisable). Default none. */
  args?: A;
  /** The schedule's name, unique in the project. Default: the task's name, '@', the cron expression or interval. */
  name?: string;
}

/** Options of periodic(). */
export interface PeriodicOptions<A extends unknown[]> extends ScheduleOptions<A> {
  /** The IANA time zone the cron expression is read in. Default settings.TIME_ZONE. */
  timezone?: string;
}

type Timing = { readonly cron: string; readonly timezone: string | null } | { readonly everyMs: number };

/** A task run on a timetable. Build one with periodic() or every(). */
export class Schedule {
  /** Unique in the project; it keys the schedule's state. */
  readonly name: string;
  readonly task: Task<never, unknown, never>;
  readonly args: readonly JsonValue[];
  readonly #timing: Timing;

  constructor(task: Task<never, unknown, never>, timing: Timing, options: ScheduleOptions<unknown[]>) {
    this.task = task;
    this.#timing = timing;
    this.args = normalizeArguments(task.name, options.args ?? []);
    this.name = options.name ?? `${task.name}@${'cron' in timing ? timing.cron : `every ${timing.everyMs}ms`}`;
    if ('cron' in timing) this.#parse(new Date());
  }

  /** The cron expression, or null for an interval. */
  get cron(): string | null {
    return 'cron' in this.#timing ? this.#timing.cron : null;
  }

  /** The interval in milliseconds, or null for a cron expression. */
  get everyMs(): number | null {
    return 'everyMs' in this.#timing ? this.#timing.everyMs : null;
  }

  /** The time zone a cron expression is read in. */
  get timezone(): string {
    return ('cron' in this.#timing ? this.#timing.timezone : null) ?? settingOr<string | null>('TIME_ZONE', null) ?? 'UTC';
  }

  /** The latest period at or before `moment`. */
  periodAtOrBefore(moment: Date): Date {
    const everyMs = this.everyMs;
    if (everyMs !== null) return new Date(Math.floor(moment.getTime() / everyMs) * everyMs);
    // cron-parser's prev() is strictly before its current date.
    return this.#parse(new Date(moment.getTime() + 1)).prev().toDate();
  }

  /** The first period after `moment`. */
  periodAfter(moment: Date): Date {
    const everyMs = this.everyMs;
    if (everyMs !== null) return new Date((Math.floor(moment.getTime() / everyMs) + 1) * everyMs);
    return this.#parse(moment).next().toDate();
  }

  /**
   * The id of the run for `period`, so that two schedulers enqueueing the same period
   * enqueue one run: a UUID (RFC 9562 version 8) laid out as a version 7 one, the period's
   * milliseconds in its first 48 bits (ids sort by period; {@link periodOfRunId} reads it
   * back), then a hash of the backend, the schedule's name and the period.
   */
  runId(backend: string, period: Date): string {
    const time = period.getTime().toString(16).padStart(12, '0');
    const hash = createHash('sha256').update(`${backend}\u0000${this.name}\u0000${period.toISOString()}`).digest('hex');
    const variant = ((parseInt(hash[3]!, 16) & 0x3) | 0x8).toString(16);
    return `${time.slice(0, 8)}-${time.slice(8, 12)}-8${hash.slice(0, 3)}-${variant}${hash.slice(4, 7)}-${hash.slice(7, 19)}`;
  }

  #parse(currentDate: Date) {
    const cron = this.cron!;
    try {
      return CronExpressionParser.parse(cron, { currentDate, tz: this.timezone });
    } catch (error) {
      throw new InvalidTask(
        `Schedule '${this.name}': '${cron}' is not a cron expression (${(error as Error).message}). ` +
          "Write five fields (minute hour day-of-month month day-of-week), or six with seconds first, e.g. '*/5 * * * *'.",
      );
    }
  }
}

/** The period a scheduled run's id (Schedule.runId) was made for. */
export function periodOfRunId(id: string): Date {
  return new Date(parseInt(id.replace(/-/g, '').slice(0, 12), 16));
}

const declared = new Map<string, Schedule>();

/**
 * Run `task` at every match of the cron expression `cron`, once across all workers.
 *
 * ```ts
 * // shop/tasks.ts
 * export const rebuildBestsellers = task(async function rebuildBestsellers() { … });
 * periodic('0 * * * *', rebuildBestsellers);                 // at the top of every hour
 * periodic('30 2 * * 1', sendWeeklyDigest, { args: ['fr'] }); // Mondays at 02:30, TIME_ZONE
 * ```
 *
 * @throws InvalidTask for an expression cron-parser cannot read, or a name another schedule has.
 */
export function periodic<A extends unknown[]>(cron: string, task: Task<A, unknown, never> | Task<A, unknown>, options: PeriodicOptions<A> = {}): Schedule {
  return declare(new Schedule(task as unknown as Task<never, unknown, never>, { cron, timezone: options.timezone ?? null }, options as ScheduleOptions<unknown[]>));
}

/**
 * Run `task` every `interval` ('30s', '10m', '1h', '1d', or seconds), once across all workers.
 *
 * ```ts
 * every('10m', refreshExchangeRates); // at :00, :10, :20… (multiples since the epoch)
 * ```
 *
 * @throws InvalidTask for an interval that is not a positive duration, or a name another schedule has.
 */
export function every<A extends unknown[]>(interval: string | number, task: Task<A, unknown, never> | Task<A, unknown>, options: ScheduleOptions<A> = {}): Schedule {
  const seconds = typeof interval === 'number' ? interval : durationSeconds(interval);
  if (seconds === undefined || !(seconds > 0) || !Number.isFinite(seconds)) {
    throw new InvalidTask(`every(${JSON.stringify(interval)}, '${task.name}'): the interval must be a positive duration such as '30s', '10m', '1h', '1d', or a number of seconds.`);
  }
  return declare(new Schedule(task as unknown as Task<never, unknown, never>, { everyMs: Math.round(seconds * 1000) }, options as ScheduleOptions<unknown[]>));
}

function declare(schedule: Schedule): Schedule {
  const existing = declared.get(schedule.name);
  // The same declaration seen twice (its module imported under two URLs) is one schedule.
  if (existing !== undefined && fingerprint(existing) !== fingerprint(schedule)) {
    throw new InvalidTask(`Two schedules are named '${schedule.name}'. Give one of them another name: { name: '…' }.`);
  }
  declared.set(schedule.name, schedule);
  return schedule;
}

function fingerprint(schedule: Schedule): string {
  const { task } = schedule;
  return JSON.stringify([schedule.cron, schedule.everyMs, task.name, task.backend, task.queueName, task.priority, schedule.args]);
}

/** The schedules declared so far whose task runs on the backend `alias`, by name. */
export function schedulesFor(alias: string): Schedule[] {
  return [...declared.values()].filter((schedule) => schedule.task.backend === alias).sort((a, b) => a.name.localeCompare(b.name));
}

/** Forget a schedule (tests declare schedules they remove again). */
export function removeSchedule(schedule: Schedule): void {
  if (declared.get(schedule.name) === schedule) declared.delete(schedule.name);
}

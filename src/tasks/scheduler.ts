/**
 * The scheduler of the database backend: every worker runs one, one of them holds the lease.
 *
 * every lease/3: holder → renew the lease (and save how far each schedule got) | others →
 * take the lease over if it expired → holder, every tick: for each schedule whose latest
 * period is after its progress, enqueue one run with the period's id → progress = now.
 *
 * Exactly once per period: only the holder enqueues, and a run's id is derived from the
 * schedule and the period, so a holder that lost its lease while paused and its successor
 * still store one run (the second INSERT finds the first).
 *
 * Missed runs: when no scheduler ran a schedule for a while (every worker down), the next
 * holder enqueues its latest missed period once, not once per missed period. A schedule the
 * lease has no progress for (declared since) starts with its next period.
 */
import { IntegrityError } from '../db/errors.ts';
import { getLogger } from '../utils/log.ts';
import type { DatabaseBackend } from './backends/database.ts';
import { SchedulerLease } from './models.ts';
import type { RunningScheduler } from './queued-backend.ts';
import type { Schedule } from './schedule.ts';

const log = getLogger('nuages.tasks');
const MAX_TICK_MS = 1000;

/** Runs `schedules` of a database backend under the backend's lease. */
export class LeaseScheduler implements RunningScheduler {
  readonly backend: DatabaseBackend;
  readonly schedules: readonly Schedule[];
  /** Names this worker in the lease. */
  readonly holder: string;
  #holding = false;
  /** By schedule name: the moment up to which its periods were enqueued. */
  #progress = new Map<string, Date>();
  #leaseCheckedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(backend: DatabaseBackend, schedules: readonly Schedule[], holder: string) {
    this.backend = backend;
    this.schedules = schedules;
    this.holder = holder;
  }

  /** Whether this scheduler holds the lease now. */
  get holding(): boolean {
    return this.#holding;
  }

  /** Start ticking (the first tick at once). */
  start(): this {
    const tickMs = Math.min(MAX_TICK_MS, this.backend.pollInterval * 1000);
    const loop = () => {
      this.#tick = this.#safeTick().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(loop, tickMs);
      });
    };
    loop();
    return this;
  }

  /** Stop ticking and hand the lease back, so another worker takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
    if (!this.#holding) return;
    this.#holding = false;
    await this.#leases().filter({ name: this.backend.alias, holder: this.holder }).update({ expiresAt: new Date(), progress: this.#savedProgress() });
  }

  async #safeTick(): Promise<void> {
    try {
      await this.tick(new Date());
    } catch (error) {
      log.error(`Scheduler ${this.holder} of task backend '${this.backend.alias}' failed; it tries again at its next tick.`, { error });
    }
  }

  /** One step: keep or take the lease, then enqueue the periods due at `now`. */
  async tick(now: Date): Promise<void> {
    if (now.getTime() - this.#leaseCheckedAt >= (this.backend.leaseSeconds * 1000) / 3) {
      this.#leaseCheckedAt = now.getTime();
      this.#holding = this.#holding ? await this.#renew(now) : await this.#acquire(now);
    }
    if (!this.#holding) return;
    let changed = false;
    for (const schedule of this.schedules) {
      const since = this.#progress.get(schedule.name);
      const period = schedule.periodAtOrBefore(now);
      // A schedule met for the first time starts now; one behind its timetable gets its latest period.
      if (since === undefined || period.getTime() > since.getTime()) changed = true;
      if (since !== undefined && period.getTime() > since.getTime()) await this.#enqueue(schedule, period);
      this.#progress.set(schedule.name, now);
    }
    // Saved at once, so a successor neither enqueues these periods again (their ids would dedupe
    // them anyway) nor takes a new schedule for one behind its timetable.
    if (changed) this.#holding = await this.#renew(now);
  }

  async #enqueue(schedule: Schedule, period: Date): Promise<void> {
    try {
      await this.backend.enqueue(schedule.task, schedule.args, { id: schedule.runId(this.backend.alias, period) });
    } catch (error) {
      log.error(`Schedule '${schedule.name}' could not enqueue its run for ${period.toISOString()}; it runs again at its next period.`, { error });
    }
  }

  async #renew(now: Date): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + this.backend.leaseSeconds * 1000);
    const kept = await this.#leases().filter({ name: this.backend.alias, holder: this.holder }).update({ expiresAt, progress: this.#savedProgress() });
    return kept === 1;
  }

  // Take an expired lease over (resuming from where its last holder got), or create it.
  async #acquire(now: Date): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + this.backend.leaseSeconds * 1000);
    const taken = await this.#leases().filter({ name: this.backend.alias, expiresAt__lt: now }).update({ holder: this.holder, expiresAt });
    if (taken === 1) {
      const lease = await this.#leases().filter({ name: this.backend.alias, holder: this.holder }).first();
      if (lease === undefined) return false;
      this.#progress = new Map(Object.entries(lease.progress).map(([name, moment]) => [name, new Date(moment)]));
      return true;
    }
    if (await this.#leases().filter({ name: this.backend.alias }).exists()) return false;
    try {
      await this.#leases().create({ name: this.backend.alias, holder: this.holder, expiresAt, progress: {} });
    } catch (error) {
      // Another worker created it first.
      if (error instanceof IntegrityError) return false;
      throw error;
    }
    this.#progress = new Map();
    return true;
  }

  // The progress of the schedules this worker runs (those no longer declared are forgotten).
  #savedProgress(): Record<string, string> {
    return Object.fromEntries(this.schedules.flatMap((s) => {
      const moment = this.#progress.get(s.name);
      return moment === undefined ? [] : [[s.name, moment.toISOString()]];
    }));
  }

  #leases() {
    return SchedulerLease.objects.using(this.backend.database);
  }
}

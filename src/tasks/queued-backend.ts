/**
 * The contract of a backend with a queue that `manage.ts worker` drains: the database
 * backend (a claim-based WorkerTaskBackend, run by worker.ts) and the BullMQ backend (run
 * by BullMQ's own Worker). The command needs only what is here: a runner, the schedules,
 * and result pruning.
 */
import { BaseTaskBackend, type TaskBackendParams } from './backend.ts';
import type { Schedule } from './schedule.ts';
import type { AttemptReport } from './worker.ts';

/** How a runner works: the worker command's options. */
export interface RunnerOptions {
  /** Only these queues; null or empty for every queue. */
  readonly queues?: readonly string[] | null;
  /** Attempts run at once (default 1). */
  readonly concurrency?: number;
  /** Seconds running attempts get to finish after stop() (default 30). */
  readonly shutdownTimeout?: number;
  /** Called after each attempt, with how it ended (the command prints it). */
  readonly onAttempt?: (report: AttemptReport) => void;
}

/** RunnerOptions with their defaults: every queue (null), one at a time, 30 s to finish. */
export interface ResolvedRunnerOptions {
  readonly queues: readonly string[] | null;
  readonly concurrency: number;
  readonly shutdownTimeout: number;
  readonly onAttempt: ((report: AttemptReport) => void) | undefined;
}

/** The options of a runner, with the defaults filled in. */
export function resolveRunnerOptions(options: RunnerOptions): ResolvedRunnerOptions {
  return {
    queues: options.queues && options.queues.length > 0 ? [...options.queues] : null,
    concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
    shutdownTimeout: options.shutdownTimeout ?? 30,
    onAttempt: options.onAttempt,
  };
}

/** Runs the tasks of one backend until stopped: what `manage.ts worker` drives. */
export interface TaskRunner {
  /** Recorded in each result's workerIds. */
  readonly id: string;
  readonly concurrency: number;
  readonly shutdownTimeout: number;
  /** Attempts running now. */
  readonly activeCount: number;
  /** Run until stop(); then running attempts get the shutdown timeout to finish, and are aborted after it. */
  run(): Promise<void>;
  /** Run what is due until nothing is left; returns how many attempts ran. */
  runUntilEmpty(): Promise<number>;
  /** Stop taking tasks; run() then drains and returns. */
  stop(): void;
}

/** A started scheduler: stop() ends it and releases what it holds. */
export interface RunningScheduler {
  stop(): Promise<void>;
}

const DEFAULT_LEASE_SECONDS = 30;
const DEFAULT_POLL_INTERVAL = 1;
const DEFAULT_RESULT_RETENTION = 7 * 24 * 60 * 60;

/** A backend whose runs wait in a queue for `manage.ts worker`. */
export abstract class QueuedTaskBackend extends BaseTaskBackend {
  override readonly supportsDefer: boolean = true;
  override readonly supportsGetResult: boolean = true;
  /** OPTIONS.LEASE_SECONDS: how long a claim lasts without renewal (default 30); a dead worker's runs are retried after it. */
  readonly leaseSeconds: number;
  /** OPTIONS.POLL_INTERVAL: seconds an idle worker waits before looking for work again (default 1). */
  readonly pollInterval: number;
  /** OPTIONS.RESULT_RETENTION: seconds finished results are kept (default 7 days). */
  readonly resultRetention: number;

  constructor(params: TaskBackendParams) {
    super(params);
    this.leaseSeconds = this.numberOption('LEASE_SECONDS', DEFAULT_LEASE_SECONDS, { min: 0, above: true }) as number;
    this.pollInterval = this.numberOption('POLL_INTERVAL', DEFAULT_POLL_INTERVAL, { min: 0, above: true }) as number;
    this.resultRetention = this.numberOption('RESULT_RETENTION', DEFAULT_RESULT_RETENTION, { min: 0 }) as number;
  }

  /** A runner for this backend's queues (not started). */
  abstract createRunner(options?: RunnerOptions): TaskRunner;

  /**
   * Start running `schedules` (all of this backend) so that each period is enqueued once
   * across every worker; `holder` names this worker.
   */
  abstract startScheduler(schedules: readonly Schedule[], holder: string): Promise<RunningScheduler>;

  /** Delete finished results that finished before `olderThan`; returns how many. */
  abstract pruneResults(olderThan: Date): Promise<number>;
}

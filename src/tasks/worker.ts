/**
 * The worker: drains a WorkerTaskBackend with bounded concurrency.
 *
 * loop: claim up to the free slots → run each attempt (attempt.ts) → succeed | retry with
 * backoff | fail (retry.ts) → when nothing was claimed, sleep until the poll interval
 * passes, a slot frees, or this process enqueues. Beside it, a heartbeat renews the leases
 * of running attempts every third of the lease; an attempt whose lease was taken over is
 * aborted and its outcome not recorded.
 *
 * stop() (SIGTERM/SIGINT in `manage.ts worker`) ends claiming; running attempts get the
 * shutdown timeout to finish, then are aborted and recorded as failed attempts (retried
 * when attempts remain), so nothing is left RUNNING behind.
 */
import { runAttempt, type AttemptOutcome } from './attempt.ts';
import { newWorkerId } from './backend.ts';
import { LeaseLostError, WorkerLostError } from './errors.ts';
import { TaskResultStatus, taskErrorFrom } from './result.ts';
import { isRetryable, retryDelaySeconds } from './retry.ts';
import { taskFinished, taskStarted } from './signals.ts';
import { resolveRunnerOptions, type RunnerOptions, type TaskRunner } from './queued-backend.ts';
import type { Claim, WorkerTaskBackend } from './worker-backend.ts';
import { getLogger } from '../utils/log.ts';

const log = getLogger('nuages.tasks');

/** Options of a Worker. */
export interface WorkerOptions extends RunnerOptions {
  readonly backend: WorkerTaskBackend;
}

/** How one attempt ended, for logs. */
export interface AttemptReport {
  readonly claim: Claim;
  /** The status the run now has: SUCCESSFUL, FAILED, READY (to be retried), or RUNNING (lease lost). */
  readonly status: TaskResultStatus;
  readonly durationMs: number;
  readonly error?: unknown;
}

interface Running {
  readonly claim: Claim;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

// Thrown inside an atomic task's transaction to roll it back when the attempt failed.
class AttemptFailed extends Error {
  readonly outcome: AttemptOutcome;
  constructor(outcome: AttemptOutcome) {
    super('attempt failed');
    this.outcome = outcome;
  }
}

/**
 * Runs the tasks of one backend.
 *
 * ```ts
 * const worker = new Worker({ backend: taskBackends.get() as DatabaseBackend, concurrency: 4 });
 * process.once('SIGTERM', () => worker.stop());
 * await worker.run(); // returns once stopped and drained
 * ```
 */
export class Worker implements TaskRunner {
  /** Recorded in each result's workerIds. */
  readonly id = newWorkerId();
  readonly backend: WorkerTaskBackend;
  readonly queues: readonly string[] | null;
  readonly concurrency: number;
  readonly shutdownTimeout: number;
  readonly #onAttempt: ((report: AttemptReport) => void) | undefined;
  readonly #running = new Map<string, Running>();
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    this.backend = options.backend;
    ({ queues: this.queues, concurrency: this.concurrency, shutdownTimeout: this.shutdownTimeout, onAttempt: this.#onAttempt } = resolveRunnerOptions(options));
  }

  /** Attempts running now. */
  get activeCount(): number {
    return this.#running.size;
  }

  /** Claim and run until stop(), then let running attempts finish (or abort them at the deadline). */
  async run(): Promise<void> {
    const unsubscribe = this.backend.onWork(() => this.#wake?.());
    const heartbeat = setInterval(() => void this.#renewLeases(), (this.backend.leaseSeconds * 1000) / 3);
    try {
      while (!this.#stopping) {
        const claimed = this.#running.size < this.concurrency ? await this.#claimSafely() : 0;
        if (this.#stopping) break;
        if (claimed === 0 || this.#running.size >= this.concurrency) await this.#sleep(this.backend.pollInterval * 1000);
      }
      await this.#drain();
    } finally {
      clearInterval(heartbeat);
      unsubscribe();
    }
  }

  /**
   * Run due tasks until none is left, then return how many attempts ran (for tests,
   * cron jobs and `manage.ts worker --burst`).
   */
  async runUntilEmpty(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const claimed = this.#running.size < this.concurrency ? await this.#claim() : 0;
      attempts += claimed;
      if (claimed === 0 && this.#running.size === 0) return attempts;
      if (claimed === 0 || this.#running.size >= this.concurrency) await Promise.race([...this.#running.values()].map((r) => r.done));
    }
  }

  /** Stop claiming; run() then drains and returns. */
  stop(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  async #claimSafely(): Promise<number> {
    try {
      return await this.#claim();
    } catch (error) {
      log.error(`Worker ${this.id} could not claim tasks; retrying after the poll interval.`, { error });
      return 0;
    }
  }

  async #claim(): Promise<number> {
    const claims = await this.backend.claim({ queues: this.queues, limit: this.concurrency - this.#running.size, workerId: this.id });
    for (const claim of claims) this.#start(claim);
    return claims.length;
  }

  #start(claim: Claim): void {
    const controller = new AbortController();
    const done = this.#execute(claim, controller.signal)
      .catch((error: unknown) => log.error(`Worker ${this.id} failed to record task result ${claim.result.id}.`, { error }))
      .finally(() => {
        this.#running.delete(claim.result.id);
        this.#wake?.();
      });
    this.#running.set(claim.result.id, { claim, controller, done });
  }

  async #execute(claim: Claim, signal: AbortSignal): Promise<void> {
    const { result, task } = claim;
    const started = performance.now();
    await taskStarted.sendRobust(this.backend.constructor, { taskResult: result });
    const options = { timeout: this.backend.timeoutFor(task), signal };
    let outcome: AttemptOutcome;
    let status: TaskResultStatus;
    try {
      outcome = task.atomic ? await this.#runAtomic(claim, options) : await runAttempt(task, result, options);
      status = outcome.ok ? await this.#recordSuccess(claim, outcome) : await this.#recordFailure(claim, outcome.error);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      // Another worker owns the run now; its outcome is the one that counts.
      outcome = { ok: false, error };
      status = TaskResultStatus.RUNNING;
    }
    this.#onAttempt?.({ claim, status, durationMs: performance.now() - started, ...(!outcome.ok && { error: outcome.error }) });
    if (status !== TaskResultStatus.RUNNING) await taskFinished.sendRobust(this.backend.constructor, { taskResult: result });
  }

  // The attempt and its SUCCESSFUL status commit together; a failure rolls its writes back.
  async #runAtomic(claim: Claim, options: { timeout: number | null; signal: AbortSignal }): Promise<AttemptOutcome> {
    try {
      return await this.backend.runInTransaction(async () => {
        const outcome = await runAttempt(claim.task, claim.result, options);
        if (!outcome.ok) throw new AttemptFailed(outcome);
        await this.backend.succeed(claim, outcome.value);
        claim.result.applyState({ status: TaskResultStatus.SUCCESSFUL, returnValue: outcome.value, finishedAt: new Date() });
        return outcome;
      });
    } catch (error) {
      if (error instanceof AttemptFailed) return error.outcome;
      if (error instanceof LeaseLostError) throw error;
      return { ok: false, error };
    }
  }

  async #recordSuccess(claim: Claim, outcome: AttemptOutcome & { ok: true }): Promise<TaskResultStatus> {
    if (claim.result.status !== TaskResultStatus.SUCCESSFUL) {
      await this.backend.succeed(claim, outcome.value);
      claim.result.applyState({ status: TaskResultStatus.SUCCESSFUL, returnValue: outcome.value, finishedAt: new Date() });
    }
    return TaskResultStatus.SUCCESSFUL;
  }

  async #recordFailure(claim: Claim, error: unknown): Promise<TaskResultStatus> {
    if (error instanceof LeaseLostError) throw error;
    const { result, task } = claim;
    const taskError = taskErrorFrom(error, result.attempts);
    const errors = [...result.errors, taskError];
    if (result.attempts < claim.maxAttempts && isRetryable(task, error)) {
      const runAfter = new Date(Date.now() + retryDelaySeconds(this.backend, result.attempts) * 1000);
      await this.backend.retry(claim, taskError, runAfter);
      result.applyState({ status: TaskResultStatus.READY, errors });
      return TaskResultStatus.READY;
    }
    await this.backend.fail(claim, taskError);
    result.applyState({ status: TaskResultStatus.FAILED, errors, finishedAt: new Date() });
    return TaskResultStatus.FAILED;
  }

  async #renewLeases(): Promise<void> {
    const running = [...this.#running.values()];
    if (running.length === 0) return;
    try {
      const held = await this.backend.renew(running.map((r) => r.claim));
      for (const r of running) {
        if (!held.has(r.claim.result.id) && this.#running.has(r.claim.result.id)) r.controller.abort(new LeaseLostError(r.claim.result.id));
      }
    } catch (error) {
      log.warn(`Worker ${this.id} could not renew its leases; it retries at the next heartbeat.`, { error });
    }
  }

  async #drain(): Promise<void> {
    if (this.#running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.shutdownTimeout * 1000)));
    await Promise.race([Promise.all([...this.#running.values()].map((r) => r.done)), deadline]);
    clearTimeout(timer);
    const late = [...this.#running.values()];
    const reason = new WorkerLostError(`Worker ${this.id} shut down and its shutdown timeout (${this.shutdownTimeout}s) ran out before the attempt finished.`);
    for (const r of late) r.controller.abort(reason);
    await Promise.all(late.map((r) => r.done));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}

/**
 * The worker of the BullMQ backend: BullMQ's own Worker, one per queue, running each job as
 * an attempt of its task with the semantics of worker.ts.
 *
 * job → the declared task (or UnknownTaskError) → taskStarted → runAttempt (timeout,
 * abort signal) → success: BullMQ stores the return value | failure: the error is recorded
 * in the job, then BullMQ retries it after the backend's backoff, or fails it for good when
 * no attempt is left or the error is non-retryable (UnrecoverableError) → taskFinished once
 * BullMQ has recorded the outcome.
 *
 * concurrency bounds the attempts running at once across the queues. stop() (SIGTERM) makes
 * BullMQ stop fetching and wait for the running attempts; those still running after the
 * shutdown timeout are aborted and recorded as failed attempts (WorkerLostError), which
 * BullMQ retries. A worker killed outright leaves its jobs to BullMQ's stalled-job check,
 * which runs them again once their lock (LEASE_SECONDS) expires.
 */
import type { Job, Worker as BullWorker } from 'bullmq';
import { runAttempt } from '../attempt.ts';
import { newWorkerId } from '../backend.ts';
import { WorkerLostError } from '../errors.ts';
import { resolveRunnerOptions, type RunnerOptions, type TaskRunner } from '../queued-backend.ts';
import { taskErrorFrom, type TaskResult } from '../result.ts';
import { isRetryable, retryDelaySeconds } from '../retry.ts';
import { taskFinished, taskStarted } from '../signals.ts';
import { TaskResultStatus } from '../status.ts';
import type { Task } from '../task.ts';
import type { AttemptReport } from '../worker.ts';
import { declaredOrStandIn } from '../worker-backend.ts';
import type { BullMQBackend, JobData } from './bullmq.ts';

interface Running {
  readonly result: TaskResult;
  readonly task: Task<never, unknown, never>;
  readonly started: number;
  readonly maxAttempts: number;
  error?: unknown;
}

const EMPTY_CHECK_MS = 20;

/**
 * Runs the tasks of a BullMQ backend.
 *
 * ```ts
 * const runner = (taskBackends.get() as BullMQBackend).createRunner({ concurrency: 8 });
 * process.once('SIGTERM', () => runner.stop());
 * await runner.run();
 * ```
 */
export class BullMQRunner implements TaskRunner {
  readonly id = newWorkerId();
  readonly backend: BullMQBackend;
  readonly concurrency: number;
  readonly shutdownTimeout: number;
  readonly #queues: readonly string[] | null;
  readonly #onAttempt: ((report: AttemptReport) => void) | undefined;
  readonly #running = new Map<string, Running>();
  readonly #workers = new Map<string, BullWorker>();
  readonly #waiting: Array<() => void> = [];
  #busy = 0;
  #attempts = 0;
  #stop: (() => void) | undefined;
  #stopRequested = false;
  // Aborted at the shutdown deadline: every attempt still running is lost.
  #shutdown = new AbortController();

  constructor(backend: BullMQBackend, options: RunnerOptions) {
    this.backend = backend;
    ({ queues: this.#queues, concurrency: this.concurrency, shutdownTimeout: this.shutdownTimeout, onAttempt: this.#onAttempt } = resolveRunnerOptions(options));
  }

  get activeCount(): number {
    return this.#running.size;
  }

  async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) => (this.#stop = resolve));
    if (this.#stopRequested) this.#stop!();
    await this.#startWorkers();
    // With QUEUES allowing any queue, queues first used after the start are picked up as they appear.
    const watcher = this.#watchesQueues ? setInterval(() => void this.#startWorkers().catch(() => undefined), this.backend.pollInterval * 1000) : undefined;
    await stopped;
    clearInterval(watcher);
    await this.#shutDown();
  }

  async runUntilEmpty(): Promise<number> {
    const before = this.#attempts;
    // Twice empty in a row: a failed attempt is back in its queue before BullMQ reports it.
    for (let empty = 0; empty < 2; ) {
      await this.#startWorkers();
      await new Promise((resolve) => setTimeout(resolve, EMPTY_CHECK_MS));
      let left = this.#running.size;
      for (const name of this.#workers.keys()) {
        const queue = await this.backend.queue(name);
        const counts = await queue.getJobCounts('active', 'waiting', 'prioritized');
        left += counts['active']! + counts['waiting']! + counts['prioritized']!;
        left += (await queue.getDelayed()).filter((job) => job.timestamp + job.delay <= Date.now()).length;
      }
      empty = left === 0 ? empty + 1 : 0;
    }
    await this.#shutDown();
    return this.#attempts - before;
  }

  stop(): void {
    this.#stopRequested = true;
    this.#stop?.();
  }

  get #watchesQueues(): boolean {
    return this.#queues === null && this.backend.queues.size === 0;
  }

  async #queueNames(): Promise<string[]> {
    return this.#queues === null ? this.backend.queueNames() : [...this.#queues];
  }

  // A BullMQ Worker for each queue that has none yet.
  async #startWorkers(): Promise<void> {
    const { bullmq, redis } = await this.backend.connect();
    const leaseMs = this.backend.leaseSeconds * 1000;
    for (const name of await this.#queueNames()) {
      if (this.#workers.has(name)) continue;
      // Two parameters: BullMQ makes no abort signal per job (Nuages never cancels one).
      const worker = new bullmq.Worker<JobData>(name, (job) => this.#process(job), {
        connection: redis,
        prefix: this.backend.prefix,
        name: this.id,
        concurrency: this.concurrency,
        lockDuration: leaseMs,
        stalledInterval: leaseMs,
        removeOnComplete: { age: this.backend.resultRetention },
        removeOnFail: { age: this.backend.resultRetention },
        settings: { backoffStrategy: (attemptsMade: number) => Math.round(retryDelaySeconds(this.backend, attemptsMade) * 1000) },
      });
      worker.on('completed', (job) => this.#finished(job, TaskResultStatus.SUCCESSFUL));
      worker.on('failed', (job) => {
        if (job !== undefined) this.#finished(job, job.finishedOn ? TaskResultStatus.FAILED : TaskResultStatus.READY);
      });
      // Connection trouble is retried by BullMQ; the error event only needs a listener.
      worker.on('error', () => undefined);
      this.#workers.set(name, worker);
    }
  }

  async #process(job: Job<JobData>): Promise<unknown> {
    await this.#acquireSlot();
    const started = Date.now();
    const task = await declaredOrStandIn(job.name, job.data.modulePath);
    const result = this.backend.resultOf(job, 'active');
    result.applyState({ workerIds: [...(job.data.workerIds ?? []), this.id] });
    const maxAttempts = job.opts.attempts ?? 1;
    const running: Running = { result, task, started, maxAttempts };
    this.#running.set(job.id!, running);
    try {
      await taskStarted.sendRobust(this.backend.constructor, { taskResult: result });
      const outcome = await runAttempt(task, result, { timeout: this.backend.timeoutFor(task), signal: this.#shutdown.signal });
      if (outcome.ok) {
        result.applyState({ status: TaskResultStatus.SUCCESSFUL, returnValue: outcome.value });
        return outcome.value;
      }
      running.error = outcome.error;
      throw await this.#recordFailure(job, running, outcome.error);
    } finally {
      this.#releaseSlot();
    }
  }

  // Keep the attempt's error in the job (BullMQ keeps only messages), then the error BullMQ should act on.
  async #recordFailure(job: Job<JobData>, running: Running, error: unknown): Promise<Error> {
    const attempt = running.result.attempts;
    const taskError = taskErrorFrom(error, attempt);
    const data = job.data;
    const errors = [...(data.errors ?? []), taskError];
    await job.updateData({ ...data, errors, workerIds: running.result.workerIds, startedAt: data.startedAt ?? job.processedOn ?? running.started });
    running.result.applyState({ errors });
    const thrown = error instanceof Error ? error : new Error(taskError.traceback);
    if (attempt < running.maxAttempts && isRetryable(running.task, error)) return thrown;
    const { bullmq } = await this.backend.connect();
    const final = new bullmq.UnrecoverableError(thrown.message);
    final.stack = thrown.stack;
    return final;
  }

  #finished(job: Job<JobData>, status: TaskResultStatus): void {
    const running = this.#running.get(job.id!);
    if (running === undefined) return;
    this.#running.delete(job.id!);
    this.#attempts++;
    const now = new Date();
    running.result.applyState(status === TaskResultStatus.READY ? { status } : { status, finishedAt: now });
    const { result, task } = running;
    this.#onAttempt?.({
      claim: { result, task, token: job.token ?? '', maxAttempts: running.maxAttempts },
      status,
      durationMs: now.getTime() - running.started,
      ...(running.error !== undefined && { error: running.error }),
    });
    void taskFinished.sendRobust(this.backend.constructor, { taskResult: result });
  }

  // Stop fetching and let running attempts finish; at the deadline, abort them as lost.
  async #shutDown(): Promise<void> {
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    const closing = Promise.all(workers.map((worker) => worker.close()));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.shutdownTimeout * 1000)));
    if ((await Promise.race([closing, deadline])) === 'late') {
      const reason = new WorkerLostError(`Worker ${this.id} shut down and its shutdown timeout (${this.shutdownTimeout}s) ran out before the attempt finished.`);
      this.#shutdown.abort(reason);
      await closing;
      this.#shutdown = new AbortController();
    }
    clearTimeout(timer);
  }

  async #acquireSlot(): Promise<void> {
    if (this.#busy < this.concurrency) {
      this.#busy++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #releaseSlot(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy--;
  }
}

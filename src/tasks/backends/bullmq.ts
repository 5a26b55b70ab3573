/**
 * BullMQBackend: tasks in BullMQ queues on Redis, for throughput and for many machines.
 * Retries, delays, deduplication, stalled-job recovery and repeatable jobs are BullMQ's;
 * this file maps Nuages' task API onto them.
 *
 * a run → one BullMQ job in the queue named after the task's queue: job name = task name,
 * jobId = the result id (the idempotency key: the outbox relay may deliver a run twice),
 * priority = 101 − priority (BullMQ runs lower numbers first), delay until runAfter,
 * attempts = maxAttempts with the backend's backoff, deduplication id = a unique task's key
 * (BullMQ drops a second job while the first is waiting, delayed or active).
 * The worker (bullmq-runner.ts) runs BullMQ's Worker; schedules are BullMQ job schedulers.
 *
 * bullmq and ioredis are imported on first use, so projects on other backends load neither.
 */
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskBackendParams } from '../backend.ts';
import { BrokerTaskBackend, type RunRecord } from '../broker-backend.ts';
import { InvalidTaskBackend } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { RunnerOptions, RunningScheduler } from '../queued-backend.ts';
import { TaskResult, type TaskError } from '../result.ts';
import type { Schedule } from '../schedule.ts';
import { TaskResultStatus } from '../status.ts';
import { findTask } from '../registry.ts';
import type { Task } from '../task.ts';
import { knownTask } from '../worker-backend.ts';
import { BullMQRunner } from './bullmq-runner.ts';

/** What a job carries besides its name: the arguments, and what the attempts so far left. */
export interface JobData {
  readonly args: JsonValue[];
  readonly modulePath: string;
  /** One per failed attempt (recorded by the runner before BullMQ retries or fails the job). */
  readonly errors?: TaskError[];
  /** The worker of each failed attempt. */
  readonly workerIds?: string[];
  /** When the first attempt started (BullMQ keeps only the last one's). */
  readonly startedAt?: number;
}

/** The BullMQ modules and the connection, once connected. */
interface Connected {
  readonly bullmq: typeof import('bullmq');
  readonly redis: Redis;
}

// BullMQ runs lower numbers first and jobs without a priority before all others: every job
// gets one, so that Nuages' -100..100 (higher first) keeps its order.
const PRIORITY_BASE = 101;
// Schedulers this backend installed carry this prefix; others in the queue are left alone.
const SCHEDULER_PREFIX = 'nuages:';
// A record older than this at delivery came through the outbox: its job keeps its enqueue time.
const RELAYED_AFTER_MS = 50;

/**
 * Tasks in BullMQ queues on Redis.
 *
 * ```ts
 * INSTALLED_APPS: ['nuages/tasks', …],   // the outbox table
 * TASKS: { default: { BACKEND: 'bullmq', QUEUES: ['default', 'mail'], OPTIONS: { URL: 'redis://127.0.0.1:6379', PREFIX: 'shop' } } },
 * ```
 */
export class BullMQBackend extends BrokerTaskBackend {
  /** OPTIONS.URL: the Redis server (default redis://127.0.0.1:6379). */
  readonly url: string;
  /** OPTIONS.PREFIX: BullMQ's key prefix (default 'nuages'). */
  readonly prefix: string;
  #connected: Promise<Connected> | undefined;
  readonly #queues = new Map<string, Queue>();
  readonly #knownQueueNames = new Set<string>();
  readonly #tasks = new Map<string, Task<never, unknown, never>>();

  constructor(params: TaskBackendParams) {
    super(params);
    this.url = this.#stringOption('URL', 'redis://127.0.0.1:6379');
    this.prefix = this.#stringOption('PREFIX', 'nuages');
  }

  override createRunner(options: RunnerOptions = {}): BullMQRunner {
    return new BullMQRunner(this, options);
  }

  /** The connection shared by this backend's queues (workers open their own blocking ones). */
  async connect(): Promise<Connected> {
    this.#connected ??= (async () => {
      const [bullmq, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
      // BullMQ needs commands to wait for a reconnection rather than fail after a few tries.
      const redis = new Redis(this.url, { maxRetriesPerRequest: null, lazyConnect: true });
      await redis.connect();
      return { bullmq, redis };
    })();
    return this.#connected;
  }

  /** The BullMQ queue named `name` under this backend's prefix. */
  async queue(name: string): Promise<Queue> {
    const { bullmq, redis } = await this.connect();
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new bullmq.Queue(name, { connection: redis, prefix: this.prefix });
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** The queues results may be in: QUEUES, or every queue this backend ever used when QUEUES allows any. */
  async queueNames(): Promise<string[]> {
    if (this.queues.size > 0) return [...this.queues];
    const { redis } = await this.connect();
    return redis.smembers(this.#queueSetKey());
  }

  override async deliver(records: readonly RunRecord[]): Promise<string[]> {
    const byQueue = new Map<string, number[]>();
    records.forEach((record, index) => byQueue.set(record.queueName, [...(byQueue.get(record.queueName) ?? []), index]));
    const storedIds: string[] = [];
    for (const [name, indexes] of byQueue) {
      await this.#remember(name);
      const queue = await this.queue(name);
      const batch = indexes.map((i) => this.#job(records[i]!));
      // One job goes by add(): addBulk's MULTI costs more than the job when there is one.
      const jobs = batch.length === 1 ? [await queue.add(batch[0]!.name, batch[0]!.data, batch[0]!.opts)] : await queue.addBulk(batch);
      indexes.forEach((recordIndex, i) => (storedIds[recordIndex] = jobs[i]!.id!));
    }
    return storedIds;
  }

  protected override async findResult(id: string): Promise<TaskResult | undefined> {
    for (const name of await this.queueNames()) {
      const job = await (await this.connect()).bullmq.Job.fromId<JobData>(await this.queue(name), id);
      if (job !== undefined) return this.resultOf(job, await job.getState());
    }
    return undefined;
  }

  /** The TaskResult of `job` in BullMQ state `state`. */
  resultOf(job: Job<JobData>, state: string): TaskResult {
    const status = STATUS_OF_STATE[state] ?? TaskResultStatus.READY;
    const running = status === TaskResultStatus.RUNNING || status === TaskResultStatus.SUCCESSFUL;
    const started = job.data.startedAt ?? job.processedOn;
    return new TaskResult({
      task: this.#taskAsEnqueued(job.name, job.data.modulePath, PRIORITY_BASE - (job.opts.priority ?? PRIORITY_BASE), job.queueName),
      id: job.id!,
      args: job.data.args,
      backend: this.alias,
      status,
      enqueuedAt: new Date(job.timestamp),
      startedAt: started ? new Date(started) : null,
      lastAttemptedAt: job.processedOn ? new Date(job.processedOn) : null,
      finishedAt: job.finishedOn && (status === TaskResultStatus.SUCCESSFUL || status === TaskResultStatus.FAILED) ? new Date(job.finishedOn) : null,
      errors: job.data.errors ?? [],
      workerIds: [...(job.data.workerIds ?? []), ...(running ? [job.processedBy ?? 'unknown'] : [])],
      returnValue: (job.returnvalue ?? null) as JsonValue,
    });
  }

  /**
   * Install the schedules as BullMQ job schedulers (BullMQ enqueues each period once, whatever
   * the number of workers), and remove the schedulers of schedules no longer declared.
   */
  override async startScheduler(schedules: readonly Schedule[], _holder: string): Promise<RunningScheduler> {
    const wanted = new Set<string>();
    for (const schedule of schedules) {
      const id = SCHEDULER_PREFIX + schedule.name;
      wanted.add(`${schedule.task.queueName}\u0000${id}`);
      await this.#remember(schedule.task.queueName);
      const queue = await this.queue(schedule.task.queueName);
      // every(): the first period after now, so periods fall on multiples since the epoch as on the database backend.
      const repeat = schedule.cron !== null ? { pattern: schedule.cron, tz: schedule.timezone } : { every: schedule.everyMs!, startDate: schedule.periodAfter(new Date()) };
      await queue.upsertJobScheduler(id, repeat, { name: schedule.task.name, data: { args: [...schedule.args], modulePath: schedule.task.modulePath }, opts: this.#retryOptions(schedule.task.maxAttempts ?? this.maxAttempts) });
    }
    for (const name of await this.queueNames()) {
      const queue = await this.queue(name);
      for (const scheduler of await queue.getJobSchedulers()) {
        if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(`${name}\u0000${scheduler.key}`)) await queue.removeJobScheduler(scheduler.key);
      }
    }
    return { stop: async () => undefined };
  }

  protected override async pruneBrokerResults(olderThan: Date): Promise<number> {
    const grace = Math.max(0, Date.now() - olderThan.getTime());
    let removed = 0;
    for (const name of await this.queueNames()) {
      const queue = await this.queue(name);
      for (const type of ['completed', 'failed'] as const) removed += (await queue.clean(grace, 0, type)).length;
    }
    return removed;
  }

  /** Delete every job and scheduler of this backend's queues (tests, and resetting a development machine). */
  async obliterate(): Promise<void> {
    for (const name of await this.queueNames()) await (await this.queue(name)).obliterate({ force: true });
    const { redis } = await this.connect();
    await redis.del(this.#queueSetKey());
    this.#knownQueueNames.clear();
  }

  override async close(): Promise<void> {
    await super.close();
    const connected = this.#connected;
    if (connected === undefined) return;
    this.#connected = undefined;
    const queues = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(queues.map((queue) => queue.close()));
    await (await connected).redis.quit();
  }

  // The task with the job's priority and queue; kept, since every job of a task asks for the same one.
  #taskAsEnqueued(name: string, modulePath: string, priority: number, queueName: string): Task<never, unknown, never> {
    const key = `${name}\u0000${priority}\u0000${queueName}`;
    const kept = this.#tasks.get(key);
    if (kept !== undefined) return kept;
    const declared = findTask(name);
    const task = (declared ?? knownTask(name, modulePath)).using({ priority, queueName, backend: this.alias });
    // A stand-in (the module not imported yet) is not kept: the declared task may come later.
    if (declared !== undefined) this.#tasks.set(key, task);
    return task;
  }

  #job(record: RunRecord): { name: string; data: JobData; opts: JobsOptions } {
    const enqueuedAt = record.enqueuedAt.getTime();
    const now = Date.now();
    const relayed = now - enqueuedAt > RELAYED_AFTER_MS;
    const stampedAt = relayed ? enqueuedAt : now;
    return {
      name: record.taskName,
      data: { args: [...record.args], modulePath: record.modulePath },
      opts: {
        jobId: record.id,
        // A run relayed from the outbox keeps the moment it was enqueued; BullMQ stamps the others.
        ...(relayed && { timestamp: enqueuedAt }),
        priority: PRIORITY_BASE - record.priority,
        // BullMQ counts the delay from the job's timestamp.
        ...(record.runAfter !== null && { delay: Math.max(0, record.runAfter.getTime() - stampedAt) }),
        ...(record.uniqueKey !== null && { deduplication: { id: record.uniqueKey } }),
        ...this.#retryOptions(record.maxAttempts),
      },
    };
  }

  // Only what differs from BullMQ's defaults travels with each job (result retention is the
  // workers' setting, see bullmq-runner.ts): less to write and read per job.
  #retryOptions(maxAttempts: number): JobsOptions {
    // The runner's backoffStrategy computes the delay from RETRY_DELAY and RETRY_MAX_DELAY, with jitter.
    return maxAttempts > 1 ? { attempts: maxAttempts, backoff: { type: 'nuages' } } : {};
  }

  // With QUEUES allowing any queue, a set in Redis lists the queues used, for getResult() and workers.
  async #remember(name: string): Promise<void> {
    if (this.queues.size > 0 || this.#knownQueueNames.has(name)) return;
    const { redis } = await this.connect();
    await redis.sadd(this.#queueSetKey(), name);
    this.#knownQueueNames.add(name);
  }

  #queueSetKey(): string {
    return `${this.prefix}:nuages:queues`;
  }

  #stringOption(name: string, fallback: string): string {
    const value = this.options[name] ?? fallback;
    if (typeof value !== 'string' || value === '') throw new InvalidTaskBackend(`TASKS.${this.alias}.OPTIONS.${name} must be a non-empty string, got ${JSON.stringify(value)}.`);
    return value;
  }
}

const STATUS_OF_STATE: Readonly<Record<string, TaskResultStatus>> = {
  active: TaskResultStatus.RUNNING,
  completed: TaskResultStatus.SUCCESSFUL,
  failed: TaskResultStatus.FAILED,
};

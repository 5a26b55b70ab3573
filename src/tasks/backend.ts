/**
 * The backend contract (Django 6.0's BaseTaskBackend). `enqueue()` checks the task against
 * the backend and the arguments against JSON, then hands a clean request to the backend's
 * one primitive, `enqueueRun()`. Backends that a worker drains extend WorkerTaskBackend
 * (worker-backend.ts) instead.
 */
import { hostname } from 'node:os';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { InvalidTask, InvalidTaskBackend, TaskResultsUnsupportedError } from './errors.ts';
import { normalizeArguments, type JsonValue } from './json.ts';
import type { TaskResult } from './result.ts';
import { taskEnqueued } from './signals.ts';
import { DEFAULT_PRIORITY, type Task } from './task.ts';

/** What a backend class is built from: its TASKS entry. */
export interface TaskBackendParams {
  readonly alias: string;
  /** The queue names tasks may use; empty means any. */
  readonly queues: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
}

/** A backend class, as TASKS' BACKEND may name it. */
export type TaskBackendClass = new (params: TaskBackendParams) => BaseTaskBackend;

/** A run about to be stored: checked, normalised, with its moment and dedup key resolved. */
export interface EnqueueRequest<R> {
  /**
   * The id of the run's result. It is also the run's idempotency key: a backend given an id
   * it already holds keeps the run it has (a row relayed twice, two schedulers racing).
   */
  readonly id: string;
  /** When enqueue() was called (for a run relayed from the outbox: inside the transaction). */
  readonly enqueuedAt: Date;
  readonly task: Task<never, R, never>;
  readonly args: JsonValue[];
  /** When it may start; null for now. */
  readonly runAfter: Date | null;
  /** The dedup key of a unique task: a SHA-256 (hex) of the task name and its uniqueKey; else null. */
  readonly uniqueKey: string | null;
  /** Attempts allowed: the task's maxAttempts, else the backend's MAX_ATTEMPTS. */
  readonly maxAttempts: number;
}

/** Options of {@link BaseTaskBackend.enqueue} for framework code (the scheduler). */
export interface EnqueueOptions {
  /** The run's id, for an enqueue that must happen once: a second one with this id is a no-op. */
  readonly id?: string;
}

const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_RETRY_DELAY = 1;
const DEFAULT_RETRY_MAX_DELAY = 600;

/**
 * Stores or runs tasks. Subclasses implement `enqueueRun()` and, when they keep results,
 * `getResult()`.
 *
 * ```ts
 * class LoggingBackend extends ImmediateBackend {
 *   protected override async enqueueRun<R>(request: EnqueueRequest<R>) {
 *     console.log('running', request.task.name);
 *     return super.enqueueRun(request);
 *   }
 * }
 * ```
 */
export abstract class BaseTaskBackend {
  readonly alias: string;
  /** The queue names tasks may use; empty means any (Django's QUEUES). */
  readonly queues: ReadonlySet<string>;
  readonly options: Readonly<Record<string, unknown>>;
  /** Whether `runAfter` is honoured (Django's supports_defer). */
  readonly supportsDefer: boolean = false;
  /** Whether getResult() can read results back (Django's supports_get_result). */
  readonly supportsGetResult: boolean = false;
  /** Whether priorities other than 0 are accepted (Django's supports_priority). */
  readonly supportsPriority: boolean = true;
  /** OPTIONS.MAX_ATTEMPTS: attempts of a task that sets none (default 3). */
  readonly maxAttempts: number;
  /** OPTIONS.TIMEOUT: seconds an attempt of a task that sets none may run (default: no limit). */
  readonly timeout: number | null;
  /** OPTIONS.RETRY_DELAY: seconds before the first retry; each later one doubles it (default 1). */
  readonly retryDelay: number;
  /** OPTIONS.RETRY_MAX_DELAY: the longest wait between attempts (default 600). */
  readonly retryMaxDelay: number;

  constructor(params: TaskBackendParams) {
    this.alias = params.alias;
    this.queues = new Set(params.queues);
    this.options = params.options;
    this.maxAttempts = this.numberOption('MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS, { whole: true, min: 1 }) as number;
    this.timeout = this.numberOption('TIMEOUT', null, { min: 0, above: true });
    this.retryDelay = this.numberOption('RETRY_DELAY', DEFAULT_RETRY_DELAY, { min: 0 }) as number;
    this.retryMaxDelay = this.numberOption('RETRY_MAX_DELAY', DEFAULT_RETRY_MAX_DELAY, { min: 0 }) as number;
  }

  /**
   * Whether this backend can run `task` as configured (Django's validate_task).
   *
   * @throws InvalidTask naming the queue, priority or runAfter problem and the fix.
   */
  validateTask(task: Task<never, unknown, never>): void {
    if (this.queues.size > 0 && !this.queues.has(task.queueName)) {
      throw new InvalidTask(
        `Task '${task.name}' uses queue '${task.queueName}', which task backend '${this.alias}' does not have ` +
          `(its QUEUES: ${[...this.queues].map((q) => `'${q}'`).join(', ')}). Add it to TASKS.${this.alias}.QUEUES, or use one of those.`,
      );
    }
    if (!this.supportsPriority && task.priority !== DEFAULT_PRIORITY) {
      throw new InvalidTask(`Task backend '${this.alias}' does not support priorities; task '${task.name}' has priority ${task.priority}.`);
    }
    if (!this.supportsDefer && task.runAfter !== null) {
      throw new InvalidTask(
        `Task backend '${this.alias}' (${this.constructor.name}) runs tasks at once and cannot honour runAfter on task '${task.name}'. ` +
          "Use a backend that defers ('database', or 'dummy' in tests).",
      );
    }
  }

  /**
   * Queue a run of `task` with `args` (what `task.enqueue()` calls).
   *
   * @throws InvalidTask, TaskNotSerializableError.
   */
  async enqueue<R>(task: Task<never, R, never>, args: readonly unknown[], options: EnqueueOptions = {}): Promise<TaskResult<R>> {
    this.validateTask(task);
    const normalized = normalizeArguments(task.name, args);
    const key = task.uniqueKey === null ? null : sha256(`${task.name}\u0000${(task.uniqueKey as (...a: unknown[]) => string)(...normalized)}`);
    const enqueuedAt = new Date();
    const runAfter = task.runAfter === null ? null : task.runAfter instanceof Date ? task.runAfter : new Date(enqueuedAt.getTime() + task.runAfter * 1000);
    return this.enqueueRun({
      id: options.id ?? randomUUID(),
      enqueuedAt,
      task,
      args: normalized,
      runAfter,
      uniqueKey: key,
      maxAttempts: task.maxAttempts ?? this.maxAttempts,
    });
  }

  /** Store (or run) a checked request; send `taskEnqueued` once it is stored. */
  protected abstract enqueueRun<R>(request: EnqueueRequest<R>): Promise<TaskResult<R>>;

  /**
   * The result with this id.
   *
   * @throws TaskResultDoesNotExist; TaskResultsUnsupportedError on backends that keep none.
   */
  async getResult(_id: string): Promise<TaskResult> {
    throw new TaskResultsUnsupportedError(this.alias);
  }

  /** Seconds an attempt of `task` may run, or null for no limit. */
  timeoutFor(task: Task<never, unknown, never>): number | null {
    return task.timeout ?? this.timeout;
  }

  /** Release connections (at shutdown, between tests). */
  async close(): Promise<void> {}

  /** Send `taskEnqueued` for a stored result. */
  protected async announceEnqueued(result: TaskResult): Promise<void> {
    await taskEnqueued.send(this.constructor, { taskResult: result });
  }

  /**
   * OPTIONS[name] as a number, checked.
   *
   * @throws InvalidTaskBackend naming the option and what it must be.
   */
  protected numberOption(name: string, fallback: number | null, rule: { whole?: boolean; min: number; above?: boolean }): number | null {
    const value = this.options[name];
    if (value === undefined || (value === null && fallback === null)) return fallback;
    const ok = typeof value === 'number' && Number.isFinite(value) && (rule.above ? value > rule.min : value >= rule.min) && (!rule.whole || Number.isInteger(value));
    if (!ok) {
      throw new InvalidTaskBackend(
        `TASKS.${this.alias}.OPTIONS.${name} must be a ${rule.whole ? 'whole number' : 'number'} ${rule.above ? 'above' : 'of at least'} ${rule.min}` +
          `${fallback === null ? ', or null' : ''}; got ${JSON.stringify(value)}.`,
      );
    }
    return value as number;
  }
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Whether `id` can be a run's id: a UUID (what a UUID column accepts). */
export function isRunId(id: string): boolean {
  return UUID.test(id);
}

/** An id for one worker (or one immediate run): host, process and a random part. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

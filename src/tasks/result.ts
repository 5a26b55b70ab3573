/**
 * What `enqueue()` returns: a TaskResult, the state of one enqueued run of a task, as
 * Django 6.0's `django.tasks.TaskResult`. Backends create and update them; `refresh()`
 * reads the latest state back from the backend that holds it.
 */
import { TaskResultNotReadyError } from './errors.ts';
import type { JsonValue } from './json.ts';
import { taskBackends } from './handler.ts';
import { TaskResultStatus } from './status.ts';
import type { Task } from './task.ts';

export { TaskResultStatus } from './status.ts';

/** One failed attempt (Django's TaskError): the error's class and its stack trace. */
export interface TaskError {
  /** The class of what was thrown, e.g. 'TypeError' or 'NonRetryableError' (Django's exception_class_path). */
  readonly exceptionClassPath: string;
  /** The stack trace, message first (Django's traceback). */
  readonly traceback: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
}

/** A TaskError for a thrown value, with the attempt it ended. */
export function taskErrorFrom(error: unknown, attempt: number): TaskError {
  if (error instanceof Error) {
    return { exceptionClassPath: error.constructor.name || error.name, traceback: error.stack ?? `${error.name}: ${error.message}`, attempt };
  }
  return { exceptionClassPath: typeof error, traceback: `Thrown value (not an Error): ${String(error)}`, attempt };
}

/** The fields a backend writes into a TaskResult. */
export interface TaskResultState {
  status: TaskResultStatus;
  enqueuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  lastAttemptedAt: Date | null;
  errors: TaskError[];
  workerIds: string[];
  returnValue: JsonValue | undefined;
}

/** Everything a backend needs to create a TaskResult. */
export interface TaskResultInit<R> extends Partial<TaskResultState> {
  task: Task<never, R>;
  id: string;
  args: readonly JsonValue[];
  backend: string;
}

/**
 * The state of one enqueued run of a task.
 *
 * ```ts
 * const result = await sendReport.enqueue(42);
 * await result.refresh();
 * if (result.status === TaskResultStatus.SUCCESSFUL) console.log(result.returnValue);
 * ```
 */
export class TaskResult<R = unknown> {
  /** The task this is a run of. */
  readonly task: Task<never, R>;
  /** Unique across backends (a UUID). */
  readonly id: string;
  /** The arguments, as JSON gives them back. */
  readonly args: readonly JsonValue[];
  /** The TASKS alias of the backend holding the result. */
  readonly backend: string;
  status: TaskResultStatus = TaskResultStatus.READY;
  enqueuedAt: Date | null = null;
  startedAt: Date | null = null;
  finishedAt: Date | null = null;
  lastAttemptedAt: Date | null = null;
  /** One entry per failed attempt, oldest first. */
  errors: TaskError[] = [];
  /** The worker of each attempt, oldest first. */
  workerIds: string[] = [];
  #returnValue: JsonValue | undefined;

  constructor(init: TaskResultInit<R>) {
    this.task = init.task;
    this.id = init.id;
    this.args = init.args;
    this.backend = init.backend;
    this.applyState(init);
  }

  /** How many attempts have started (Django's len(worker_ids)). */
  get attempts(): number {
    return this.workerIds.length;
  }

  /** Whether the task finished, successfully or not. */
  get isFinished(): boolean {
    return this.status === TaskResultStatus.SUCCESSFUL || this.status === TaskResultStatus.FAILED;
  }

  /**
   * What the task returned, as JSON gives it back.
   *
   * @throws TaskResultNotReadyError unless the status is SUCCESSFUL: this tells a task
   *   that returned null from one that did not finish, as Django's ValueError does.
   */
  get returnValue(): R {
    if (this.status === TaskResultStatus.SUCCESSFUL) return this.#returnValue as R;
    const why = this.status === TaskResultStatus.FAILED ? 'failed; read result.errors' : `has not finished yet (status ${this.status}); await result.refresh() later`;
    throw new TaskResultNotReadyError(`Task '${this.task.name}' (result ${this.id}) ${why}.`);
  }

  /** Reload the state from the backend (Django's refresh()). */
  async refresh(): Promise<void> {
    const latest = await taskBackends.get(this.backend).getResult(this.id);
    this.applyState(latest.snapshot());
  }

  /** The mutable fields, for a backend to copy into another TaskResult. */
  snapshot(): TaskResultState {
    return {
      status: this.status,
      enqueuedAt: this.enqueuedAt,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      lastAttemptedAt: this.lastAttemptedAt,
      errors: [...this.errors],
      workerIds: [...this.workerIds],
      returnValue: this.#returnValue,
    };
  }

  /** Overwrite the given fields (for backends). */
  applyState(state: Partial<TaskResultState>): void {
    if (state.status !== undefined) this.status = state.status;
    if (state.enqueuedAt !== undefined) this.enqueuedAt = state.enqueuedAt;
    if (state.startedAt !== undefined) this.startedAt = state.startedAt;
    if (state.finishedAt !== undefined) this.finishedAt = state.finishedAt;
    if (state.lastAttemptedAt !== undefined) this.lastAttemptedAt = state.lastAttemptedAt;
    if (state.errors !== undefined) this.errors = [...state.errors];
    if (state.workerIds !== undefined) this.workerIds = [...state.workerIds];
    if ('returnValue' in state) this.#returnValue = state.returnValue;
  }

  /** A copy that later changes to this one do not reach (what Django's DummyBackend returns). */
  clone(): TaskResult<R> {
    return new TaskResult<R>({ task: this.task, id: this.id, args: this.args, backend: this.backend, ...this.snapshot() });
  }
}

/**
 * What a task declared with `takesContext: true` gets as its first argument (Django's
 * TaskContext), plus `signal`, which aborts when the attempt times out or the worker
 * must stop.
 *
 * ```ts
 * export const resize = task(async (context: TaskContext, path: string) => {
 *   console.log(`attempt ${context.attempt} of ${context.taskResult.id}`);
 *   await sharp(path).resize(200).toFile(thumb(path), { signal: context.signal });
 * }, { takesContext: true });
 * ```
 */
export class TaskContext<R = unknown> {
  readonly taskResult: TaskResult<R>;
  readonly signal: AbortSignal;

  constructor(taskResult: TaskResult<R>, signal: AbortSignal) {
    this.taskResult = taskResult;
    this.signal = signal;
  }

  /** The number of the running attempt, from 1. */
  get attempt(): number {
    return this.taskResult.attempts;
  }
}

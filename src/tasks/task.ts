/**
 * `task()` and `Task`, as Django 6.0's `@task` and `django.tasks.Task`.
 *
 * task(fn, options) → a Task registered under its name (registry.ts) → task.using(…)
 * derives variants → task.enqueue(...args) → the backend of TASKS[task.backend] checks
 * the task and the arguments, stores or runs it → a TaskResult.
 */
import { InvalidTask, TaskResultMismatch } from './errors.ts';
import { taskBackends } from './handler.ts';
import { declaringModule, defaultTaskName, registerTask } from './registry.ts';
import type { TaskContext, TaskResult } from './result.ts';
import type { BaseTaskBackend } from './backend.ts';

/** The TASKS alias a task uses unless told otherwise. */
export const DEFAULT_TASK_BACKEND_ALIAS = 'default';
/** The queue a task goes to unless told otherwise. */
export const DEFAULT_TASK_QUEUE_NAME = 'default';
export const MIN_PRIORITY = -100;
export const MAX_PRIORITY = 100;
export const DEFAULT_PRIORITY = 0;

/** An error class, for `nonRetryable`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** Options of `task()`. Django's four, then the worker's. */
export interface TaskOptions<A extends unknown[] = unknown[]> {
  /** -100 (lowest) to 100 (highest); workers take higher priorities first. Default 0. */
  priority?: number;
  /** The queue; must be in the backend's QUEUES. Default 'default'. */
  queueName?: string;
  /** The TASKS alias. Default 'default'. */
  backend?: string;
  /** Pass a TaskContext as the first argument. */
  takesContext?: boolean;
  /** The name workers find the task by; see registry.ts for the default. */
  name?: string;
  /** Attempts before the task is FAILED for good; default the backend's OPTIONS.MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Seconds an attempt may run before it fails with TaskTimeoutError; default the backend's OPTIONS.TIMEOUT. */
  timeout?: number | null;
  /** Errors that fail the task at once instead of being retried (NonRetryableError always does). */
  nonRetryable?: readonly ErrorClass[];
  /** While a run with the same arguments is READY or RUNNING, enqueue() returns it instead of adding one. */
  unique?: boolean;
  /** Like `unique`, with the key computed from the arguments (e.g. `(userId) => String(userId)`). */
  uniqueKey?: (...args: A) => string;
  /**
   * Database backend: run the task in a transaction that also records its success, so its
   * database writes and its SUCCESSFUL status commit together or not at all.
   */
  atomic?: boolean;
}

/** Options of `task.using()`, as Django's. */
export interface UsingOptions {
  priority?: number;
  queueName?: string;
  /** Not before this moment; a number is seconds after enqueue(). */
  runAfter?: Date | number | null;
  backend?: string;
}

// What a Task is built from: its fields, the function not yet typed by its parameters.
type TaskDefinition<A extends unknown[]> = Pick<
  Task<A>,
  'name' | 'modulePath' | 'priority' | 'queueName' | 'backend' | 'runAfter' | 'takesContext' | 'maxAttempts' | 'timeout' | 'nonRetryable' | 'uniqueKey' | 'atomic'
> & { readonly fn: (...args: never[]) => unknown };

/**
 * A function that runs in the background. Immutable: `using()` returns a new Task.
 *
 * `A` is what `enqueue()` takes, `R` what the function resolves to, `P` what the function
 * itself takes (a TaskContext, then `A`, with `takesContext`).
 */
export class Task<A extends unknown[] = unknown[], R = unknown, P extends unknown[] = A> {
  /** The function, as given to task(). */
  readonly fn: (...args: P) => R | Promise<R>;
  /** The name workers find it by. */
  readonly name: string;
  /** The URL of the module that declared it ('' when unknown). */
  readonly modulePath: string;
  readonly priority: number;
  readonly queueName: string;
  /** The TASKS alias. */
  readonly backend: string;
  /** Not before this moment (a number: seconds after enqueue), or null. */
  readonly runAfter: Date | number | null;
  readonly takesContext: boolean;
  /** Attempts allowed, or null for the backend's OPTIONS.MAX_ATTEMPTS. */
  readonly maxAttempts: number | null;
  /** Seconds per attempt, or null for the backend's OPTIONS.TIMEOUT. */
  readonly timeout: number | null;
  readonly nonRetryable: readonly ErrorClass[];
  /** Computes the deduplication key from the arguments, or null when the task is not unique. */
  readonly uniqueKey: ((...args: A) => string) | null;
  readonly atomic: boolean;

  constructor(definition: TaskDefinition<A>) {
    this.fn = definition.fn as unknown as (...args: P) => R | Promise<R>;
    this.name = definition.name;
    this.modulePath = definition.modulePath;
    this.priority = checkPriority(definition.name, definition.priority);
    this.queueName = definition.queueName;
    this.backend = definition.backend;
    this.runAfter = checkRunAfter(definition.name, definition.runAfter);
    this.takesContext = definition.takesContext;
    this.maxAttempts = checkPositive(definition.name, 'maxAttempts', definition.maxAttempts, true);
    this.timeout = checkPositive(definition.name, 'timeout', definition.timeout, false);
    this.nonRetryable = definition.nonRetryable;
    this.uniqueKey = definition.uniqueKey;
    this.atomic = definition.atomic;
    Object.freeze(this);
  }

  /**
   * A copy with other defaults (Django's `using()`); the task itself is unchanged.
   *
   * ```ts
   * await sendReport.using({ priority: 10, runAfter: 60 }).enqueue(42); // in a minute
   * ```
   *
   * @throws InvalidTask for a priority outside -100..100, or a runAfter that is not a moment.
   */
  using(options: UsingOptions): Task<A, R, P> {
    return new Task<A, R, P>({
      ...this.#definition(),
      ...(options.priority !== undefined && { priority: options.priority }),
      ...(options.queueName !== undefined && { queueName: options.queueName }),
      ...(options.runAfter !== undefined && { runAfter: options.runAfter }),
      ...(options.backend !== undefined && { backend: options.backend }),
    });
  }

  /**
   * Queue a run. The backend checks the task (queue name, priority, runAfter) and that the
   * arguments are JSON-serialisable, then stores it (or runs it: ImmediateBackend).
   *
   * @throws InvalidTask, TaskNotSerializableError (naming the argument), InvalidTaskBackend.
   */
  async enqueue(...args: A): Promise<TaskResult<Awaited<R>>> {
    return this.getBackend().enqueue(this as unknown as Task<A, Awaited<R>, P>, args);
  }

  /**
   * The result with this id (Django's `Task.get_result`).
   *
   * @throws TaskResultDoesNotExist; TaskResultMismatch when it is a run of another task;
   *   TaskResultsUnsupportedError on a backend that keeps none.
   */
  async getResult(id: string): Promise<TaskResult<Awaited<R>>> {
    const result = await this.getBackend().getResult(id);
    if (result.task.name !== this.name) throw new TaskResultMismatch(id, this.name, result.task.name);
    return result as TaskResult<Awaited<R>>;
  }

  /** Run the function here and now, with the arguments as given (Django's `call()`). */
  call(...args: P): R | Promise<R> {
    return this.fn(...args);
  }

  /** The backend instance of `this.backend`. */
  getBackend(): BaseTaskBackend {
    return taskBackends.get(this.backend);
  }

  #definition(): TaskDefinition<A> {
    return { ...this, fn: this.fn as unknown as (...args: never[]) => unknown };
  }
}

/**
 * Declare a task (Django's `@task`). Declare tasks at the top level of a module that the
 * worker imports: an installed app's `tasks.ts`.
 *
 * ```ts
 * // shop/tasks.ts
 * import { task } from 'nuages/tasks';
 * export const sendReceipt = task(async function sendReceipt(orderId: number) {
 *   const order = await Order.objects.get({ pk: orderId });
 *   await sendMail({ to: [order.email], subject: 'Your order', body: '…' });
 * }, { queueName: 'mail', maxAttempts: 5 });
 *
 * await sendReceipt.enqueue(order.pk);
 * ```
 *
 * @throws InvalidTask for a nameless function, a priority outside -100..100, or a bad option;
 *   DuplicateTaskNameError when another function has the name.
 */
export function task<A extends unknown[], R>(
  fn: (context: TaskContext, ...args: A) => R,
  options: TaskOptions<A> & { takesContext: true },
): Task<A, Awaited<R>, [TaskContext, ...A]>;
export function task<A extends unknown[], R>(fn: (...args: A) => R, options?: TaskOptions<A> & { takesContext?: false }): Task<A, Awaited<R>>;
export function task(fn: (...args: never[]) => unknown, options: TaskOptions<never[]> = {}): Task<unknown[], unknown, unknown[]> {
  if (typeof fn !== 'function') throw new InvalidTask(`task() needs a function, got ${typeof fn}.`);
  const modulePath = declaringModule();
  const name = options.name ?? defaultTaskName(fn, modulePath);
  const uniqueKey = options.uniqueKey ?? (options.unique ? (...args: unknown[]) => JSON.stringify(args) : null);
  const created = new Task<unknown[], unknown, unknown[]>({
    fn,
    name,
    modulePath,
    priority: options.priority ?? DEFAULT_PRIORITY,
    queueName: options.queueName ?? DEFAULT_TASK_QUEUE_NAME,
    backend: options.backend ?? DEFAULT_TASK_BACKEND_ALIAS,
    runAfter: null,
    takesContext: options.takesContext === true,
    maxAttempts: options.maxAttempts ?? null,
    timeout: options.timeout ?? null,
    nonRetryable: options.nonRetryable ?? [],
    uniqueKey: uniqueKey as ((...args: unknown[]) => string) | null,
    atomic: options.atomic === true,
  });
  registerTask(created as unknown as Task<never, unknown, never>);
  return created;
}

function checkPriority(name: string, priority: number): number {
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new InvalidTask(`Task '${name}': priority must be a whole number between ${MIN_PRIORITY} and ${MAX_PRIORITY}, got ${String(priority)}.`);
  }
  return priority;
}

function checkRunAfter(name: string, runAfter: Date | number | null): Date | number | null {
  if (runAfter === null) return null;
  if (runAfter instanceof Date ? Number.isNaN(runAfter.getTime()) : !(typeof runAfter === 'number' && Number.isFinite(runAfter) && runAfter >= 0)) {
    throw new InvalidTask(`Task '${name}': runAfter must be a valid Date or a number of seconds (0 or more), got ${String(runAfter)}.`);
  }
  return runAfter;
}

function checkPositive(name: string, option: string, value: number | null, whole: boolean): number | null {
  if (value === null) return null;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value) || (whole && !Number.isInteger(value))) {
    throw new InvalidTask(`Task '${name}': ${option} must be a ${whole ? 'whole number' : 'number'} above 0, got ${String(value)}.`);
  }
  return value;
}

/** Errors of the tasks framework. Each code has a row in docs/errors.md. */
import { ImproperlyConfigured, NuagesError } from '../core/errors.ts';

/** A task cannot be enqueued as defined or as called (Django's InvalidTask). */
export class InvalidTask extends NuagesError {
  readonly code: string = 'NUAGES_TASKS_INVALID_TASK';
}

/** An argument or return value has no faithful JSON form. */
export class TaskNotSerializableError extends InvalidTask {
  override readonly code = 'NUAGES_TASKS_NOT_SERIALIZABLE';
}

/** `TASKS` has no such alias, or its BACKEND names no backend (Django's InvalidTaskBackend). */
export class InvalidTaskBackend extends ImproperlyConfigured {
  override readonly code = 'NUAGES_TASKS_INVALID_BACKEND';
}

/** No result with that id in the backend (Django's TaskResultDoesNotExist). */
export class TaskResultDoesNotExist extends NuagesError {
  readonly code = 'NUAGES_TASKS_RESULT_DOES_NOT_EXIST';
  constructor(id: string, backend: string) {
    super(`No task result with id '${id}' in task backend '${backend}'. It may have been pruned, or enqueued on another backend.`);
  }
}

/** `task.getResult(id)` found a result of another task (Django's TaskResultMismatch). */
export class TaskResultMismatch extends NuagesError {
  readonly code = 'NUAGES_TASKS_RESULT_MISMATCH';
  constructor(id: string, wanted: string, found: string) {
    super(`Task result '${id}' belongs to task '${found}', not '${wanted}'. Call getResult() on '${found}', or on its backend.`);
  }
}

/** `result.returnValue` was read before the task succeeded (Django's ValueError). */
export class TaskResultNotReadyError extends NuagesError {
  readonly code = 'NUAGES_TASKS_RESULT_NOT_READY';
}

/** The backend keeps no results to read back (Django's ImmediateBackend). */
export class TaskResultsUnsupportedError extends NuagesError {
  readonly code = 'NUAGES_TASKS_RESULTS_UNSUPPORTED';
  constructor(backend: string) {
    super(
      `Task backend '${backend}' does not keep results, so they cannot be fetched or refreshed. ` +
        "Use the TaskResult enqueue() returned, or a backend that stores them ('database', 'dummy').",
    );
  }
}

/** Two different functions were declared with one task name. */
export class DuplicateTaskNameError extends NuagesError {
  readonly code = 'NUAGES_TASKS_DUPLICATE_NAME';
  constructor(name: string) {
    super(`Two different functions are declared as task '${name}'. Give one of them another name: task(fn, { name: '…' }).`);
  }
}

/** A worker met a task name no imported module declares. */
export class UnknownTaskError extends NuagesError {
  readonly code = 'NUAGES_TASKS_UNKNOWN_TASK';
  constructor(name: string, module: string | null) {
    super(
      `No task named '${name}' is declared in this process` +
        (module ? ` (its module '${module}' was imported and does not declare it)` : '') +
        ". Declare it in an installed app's tasks.ts, which the worker imports at start-up.",
    );
  }
}

/**
 * Throw it (or a subclass) from a task to fail at once, without the retries left.
 *
 * ```ts
 * if (!user) throw new NonRetryableError(`user ${id} was deleted`);
 * ```
 */
export class NonRetryableError extends NuagesError {
  readonly code: string = 'NUAGES_TASKS_NON_RETRYABLE';
}

/** A task ran past its `timeout`; the attempt fails and is retried if attempts remain. */
export class TaskTimeoutError extends NuagesError {
  readonly code = 'NUAGES_TASKS_TIMEOUT';
  constructor(name: string, seconds: number) {
    super(`Task '${name}' ran for more than its timeout of ${seconds}s. Raise its timeout option, or make it stop when context.signal aborts.`);
  }
}

/**
 * The worker running an attempt stopped holding the task: it died (its lease ran out and
 * another worker took the task over) or shut down before the attempt ended.
 */
export class WorkerLostError extends NuagesError {
  readonly code = 'NUAGES_TASKS_WORKER_LOST';
}

/** A worker's claim on a task ran out while it ran; the result it got is not recorded. */
export class LeaseLostError extends NuagesError {
  readonly code = 'NUAGES_TASKS_LEASE_LOST';
  constructor(id: string) {
    super(
      `The lease on task result '${id}' expired before the attempt finished, so another worker may run it again. ` +
        'Raise OPTIONS.LEASE_SECONDS above the longest pause of the worker (heartbeats renew it every third of it).',
    );
  }
}

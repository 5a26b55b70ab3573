/**
 * One attempt of a task: the function called with its arguments (and a TaskContext when it
 * takes one), raced against its timeout and the worker's stop signal, its return value
 * checked for JSON. Shared by ImmediateBackend and the worker, so both run a task the same way.
 *
 * JavaScript cannot stop a running function from outside: on a timeout the attempt is
 * failed at once and `context.signal` aborts, and the function's own work stops only where
 * it listens to that signal (fetch, timers, streams all take one).
 */
import { TaskTimeoutError } from './errors.ts';
import { normalizeReturnValue, type JsonValue } from './json.ts';
import { TaskContext, type TaskResult } from './result.ts';
import type { Task } from './task.ts';

// Aborts what a finished attempt left listening (one shared reason: no stack trace to build per attempt).
const ATTEMPT_OVER = new Error('The attempt is over.');

/** How an attempt ended. */
export type AttemptOutcome = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly error: unknown };

/** Options of {@link runAttempt}. */
export interface AttemptOptions {
  /** Seconds before the attempt fails with TaskTimeoutError; null for no limit. */
  readonly timeout: number | null;
  /** Aborts the attempt from outside (the worker stopping). */
  readonly signal?: AbortSignal;
}

/** Run one attempt of `task` for `result`; never throws, the outcome says how it went. */
export async function runAttempt(task: Task<never, unknown, never>, result: TaskResult, options: AttemptOptions): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const stops: Array<() => void> = [];
  const stopped = new Promise<never>((_resolve, reject) => {
    if (options.timeout !== null) {
      const timer = setTimeout(() => reject(new TaskTimeoutError(task.name, options.timeout!)), options.timeout * 1000);
      stops.push(() => clearTimeout(timer));
    }
    const outer = options.signal;
    if (outer !== undefined) {
      const onAbort = () => reject(outer.reason);
      if (outer.aborted) onAbort();
      else outer.addEventListener('abort', onAbort, { once: true });
      stops.push(() => outer.removeEventListener('abort', onAbort));
    }
  });
  stopped.catch((error: unknown) => controller.abort(error));
  // A copy, so a task that changes its arguments cannot change the recorded ones.
  const args: unknown[] = structuredClone([...result.args]);
  if (task.takesContext) args.unshift(new TaskContext(result, controller.signal));
  try {
    const returned = await Promise.race([Promise.resolve().then(() => (task.fn as (...a: unknown[]) => unknown)(...args)), stopped]);
    return { ok: true, value: normalizeReturnValue(task.name, returned) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    for (const stop of stops) stop();
    if (!controller.signal.aborted) controller.abort(ATTEMPT_OVER);
  }
}

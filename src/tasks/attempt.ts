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
  // Only a task that takes a context can listen for the end of its attempt.
  const controller = task.takesContext ? new AbortController() : undefined;
  const stops: Array<() => void> = [];
  const stopped = stopsOf(task, options, stops);
  if (controller !== undefined) stopped?.catch((error: unknown) => controller.abort(error));
  const args = copyOfArguments(result.args);
  if (controller !== undefined) args.unshift(new TaskContext(result, controller.signal));
  try {
    // Called here, not in a then(): a synchronous throw is caught below all the same.
    const returned = (task.fn as (...a: unknown[]) => unknown)(...args);
    const value = stopped === undefined ? await returned : await Promise.race([returned, stopped]);
    return { ok: true, value: normalizeReturnValue(task.name, value) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    for (const stop of stops) stop();
    if (controller !== undefined && !controller.signal.aborted) controller.abort(ATTEMPT_OVER);
  }
}

// A promise rejected at the timeout or when the outer signal aborts (undefined when neither
// can happen); what undoes the timer and listener goes into `stops`.
function stopsOf(task: Task<never, unknown, never>, options: AttemptOptions, stops: Array<() => void>): Promise<never> | undefined {
  const { timeout, signal } = options;
  if (timeout === null && signal === undefined) return undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    if (timeout !== null) {
      const timer = setTimeout(() => reject(new TaskTimeoutError(task.name, timeout)), timeout * 1000);
      stops.push(() => clearTimeout(timer));
    }
    if (signal !== undefined) {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      stops.push(() => signal.removeEventListener('abort', onAbort));
    }
  });
  // Nobody awaits it once the task has returned first.
  stopped.catch(() => undefined);
  return stopped;
}

// A copy, so a task that changes its arguments cannot change the recorded ones; arguments
// that are all strings, numbers, booleans and nulls (the usual ids) need only a new array.
function copyOfArguments(args: readonly JsonValue[]): unknown[] {
  for (const arg of args) if (arg !== null && typeof arg === 'object') return structuredClone([...args]);
  return [...args];
}

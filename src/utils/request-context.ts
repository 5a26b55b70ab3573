/**
 * The request being handled, wherever the code runs (Python's contextvars, on
 * AsyncLocalStorage): log lines carry the request id without every function passing
 * the request along — including the SQL a view runs three calls down.
 *
 * ```ts
 * await runWithRequestId('4f0c…', () => handler(request));
 * currentRequestId(); // '4f0c…' inside, undefined outside
 * ```
 */
import { AsyncLocalStorage } from 'node:async_hooks';

interface RequestContext {
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Run `fn` (and everything it awaits or schedules) as part of the request `requestId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The id of the request being handled here, or undefined outside a request. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

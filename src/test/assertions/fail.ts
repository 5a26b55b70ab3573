/**
 * The one way every assertion of `nuages/test` fails: an `AssertionError` from
 * `node:assert`, so node:test prints it as its own failures (with a diff when
 * `actual` and `expected` are given).
 */
import { AssertionError } from 'node:assert';

/** What a failure carries besides its message. */
export interface FailureDetails {
  readonly actual?: unknown;
  readonly expected?: unknown;
  /** The assertion's name, shown by node:test as the operator. */
  readonly operator: string;
  /** A sentence the caller put first (Django's msg_prefix). */
  readonly msgPrefix?: string | undefined;
  /** Frames above this function are cut from the stack, so it points at the test. */
  readonly stackStartFn?: (...args: never[]) => unknown;
}

/** Throws the AssertionError; `message` is prefixed with `msgPrefix: ` when one is given. */
export function fail(message: string, details: FailureDetails): never {
  const text = details.msgPrefix ? `${details.msgPrefix}: ${message}` : message;
  const options: ConstructorParameters<typeof AssertionError>[0] = { message: text, operator: details.operator };
  if ('actual' in details) options.actual = details.actual;
  if ('expected' in details) options.expected = details.expected;
  if (details.stackStartFn) options.stackStartFn = details.stackStartFn;
  throw new AssertionError(options);
}

/** A value quoted as Django's messages quote it: strings in single quotes. */
export function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

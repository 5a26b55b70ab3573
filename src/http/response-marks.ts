/**
 * Marks views put on a response besides its headers (`xframeOptionsExempt`, a CSP
 * override). Django keeps them as attributes of the response object, which its page
 * cache pickles with the response; here each kind of mark registers how to read and
 * restore it, and the page cache stores them with the page.
 */
import type { HttpResponseBase } from './response.ts';

/** One kind of mark: `read` gives a plain-data value (undefined: no mark), `restore` puts it back. */
export interface ResponseMark<T> {
  readonly name: string;
  read(response: HttpResponseBase): T | undefined;
  restore(response: HttpResponseBase, value: T): void;
}

const marks = new Map<string, ResponseMark<unknown>>();

/** Registers a kind of mark (once per name: a module loaded twice replaces its own entry). */
export function registerResponseMark<T>(mark: ResponseMark<T>): void {
  marks.set(mark.name, mark as ResponseMark<unknown>);
}

/** The marks `response` carries, by name, or undefined when it has none. */
export function readResponseMarks(response: HttpResponseBase): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  for (const [name, mark] of marks) {
    const value = mark.read(response);
    if (value !== undefined) (found ??= {})[name] = value;
  }
  return found;
}

/** Puts back on `response` the marks `readResponseMarks()` gave; names no longer registered are skipped. */
export function restoreResponseMarks(response: HttpResponseBase, saved: Record<string, unknown> | undefined): void {
  if (saved === undefined) return;
  for (const [name, value] of Object.entries(saved)) marks.get(name)?.restore(response, value);
}

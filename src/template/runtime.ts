/**
 * What compiled templates call while they render: variable lookups in Django's
 * order, output with autoescaping, filter application, Python-style comparisons
 * for `{% if %}`, and the driver that runs a render synchronously until it
 * meets a promise and then finishes it asynchronously.
 *
 * Compiled code is a generator: it `yield`s a thenable when it has to wait and
 * the driver resumes it with the settled value. A render that never waits never
 * touches the microtask queue.
 */
import { SafeString, escapeHtml } from '../utils/safestring.ts';
import { DateOnly } from '../utils/dates.ts';
import type { Context } from './context.ts';
import type { FilterCall, FilterSpec } from './types.ts';
import { Decimal, isDict, pyRepr, pyStr } from './python.ts';
import { localizeValue } from './dateformat.ts';
import { VariableDoesNotExist, TemplateRenderError, locateRenderError } from './errors.ts';

/** A lookup that found nothing (Django's VariableDoesNotExist, as a value). */
export const MISSING: unique symbol = Symbol('nuages.template.missing');

/** A lookup interrupted by a thenable: resume at `index` with the settled value. */
export class Pending {
  readonly promise: PromiseLike<unknown>;
  readonly lookups: readonly string[];
  readonly index: number;
  constructor(promise: PromiseLike<unknown>, lookups: readonly string[], index: number) {
    this.promise = promise;
    this.lookups = lookups;
    this.index = index;
  }
}

/** Whether a value must be awaited: a promise, a QuerySet, any object with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Python's dict views (`d.items`, `d.keys`, `d.values`): iterable, printed as Python prints them. */
export class DictView {
  readonly kind: 'dict_items' | 'dict_keys' | 'dict_values';
  readonly entries: readonly unknown[];
  constructor(kind: 'dict_items' | 'dict_keys' | 'dict_values', entries: readonly unknown[]) {
    this.kind = kind;
    this.entries = entries;
  }
  get length(): number {
    return this.entries.length;
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.entries[Symbol.iterator]();
  }
  toString(): string {
    const items = this.entries.map((e) =>
      this.kind === 'dict_items' ? `(${pyRepr((e as unknown[])[0])}, ${pyRepr((e as unknown[])[1])})` : pyRepr(e),
    );
    return `${this.kind}([${items.join(', ')}])`;
  }
}

// A method of a built-in type that needs arguments: Django calls it, gets a
// TypeError and renders string_if_invalid (not a missing variable).
const NEEDS_ARGS: unique symbol = Symbol('needs-args');

const DICT_ARG_METHODS = new Set(['get', 'pop', 'setdefault', 'update', 'fromkeys']);
const LIST_ARG_METHODS = new Set(['count', 'index', 'append', 'insert', 'remove', 'extend']);
const STRING_METHODS: Record<string, (s: string) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s) => s.trim(),
  lstrip: (s) => s.trimStart(),
  rstrip: (s) => s.trimEnd(),
  split: (s) => s.trim().split(/\s+/).filter(Boolean),
  capitalize: (s) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
  isdigit: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\d]+$/u.test(s),
  isspace: (s) => /^\s+$/.test(s),
};
const BLOCKED = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__']);

function dictMethod(entries: () => [unknown, unknown][], bit: string): unknown {
  switch (bit) {
    case 'items':
      return new DictView('dict_items', entries().map(([k, v]) => [k, v]));
    case 'keys':
      return new DictView('dict_keys', entries().map(([k]) => k));
    case 'values':
      return new DictView('dict_values', entries().map(([, v]) => v));
  }
  return DICT_ARG_METHODS.has(bit) ? NEEDS_ARGS : MISSING;
}

function index(length: number, bit: string): number {
  if (!/^\d+$/.test(bit)) return -1;
  const n = Number(bit);
  return n < length ? n : -1;
}

function stringItem(s: string, bit: string): unknown {
  const method = STRING_METHODS[bit];
  if (method) return method(s);
  if (!/^\d+$/.test(bit)) return MISSING;
  const chars = /[\uD800-\uDFFF]/.test(s) ? Array.from(s) : s;
  const n = Number(bit);
  return n < chars.length ? chars[n] : MISSING;
}

/**
 * One step of a dotted lookup: key, then attribute, then index, as Django
 * tries them; callables are then called without arguments.
 */
function step(current: unknown, bit: string, stringIfInvalid: string): unknown {
  if (current === null || current === undefined) return MISSING;
  if (typeof current === 'object') {
    // Fast path: a plain object holding a plain value (the common case of view data).
    const proto = Object.getPrototypeOf(current);
    if ((proto === Object.prototype || proto === null) && Object.hasOwn(current, bit)) {
      const value = (current as Record<string, unknown>)[bit];
      if (value !== undefined && typeof value !== 'function') return value;
    }
  }
  let value: unknown = MISSING;
  let self: unknown = current;
  if (typeof current === 'string') value = stringItem(current, bit);
  else if (current instanceof SafeString) value = stringItem(current.value, bit);
  else if (typeof current === 'object' || typeof current === 'function') {
    if (current instanceof Map) {
      if (current.has(bit)) value = current.get(bit);
      else if (/^\d+$/.test(bit) && current.has(Number(bit))) value = current.get(Number(bit));
      else value = dictMethod(() => [...current.entries()], bit);
    } else if (Array.isArray(current)) {
      const i = index(current.length, bit);
      value = i === -1 ? (LIST_ARG_METHODS.has(bit) ? NEEDS_ARGS : MISSING) : current[i];
      // A list subclass with attributes of its own (a form's ErrorList: `errors.field_id`).
      if (value === MISSING && Object.getPrototypeOf(current) !== Array.prototype && !(bit in Array.prototype) && bit in current) {
        value = (current as unknown as Record<string, unknown>)[bit];
      }
    } else if (isDict(current)) {
      const dict = current as Record<string, unknown>;
      value = Object.hasOwn(dict, bit) ? dict[bit] : dictMethod(() => Object.entries(dict), bit);
    } else if (!BLOCKED.has(bit) && bit in current) {
      const obj = current as Record<string, unknown>;
      value = obj[bit];
      // Object.prototype's own methods (toString, valueOf…) are not template attributes.
      if (value !== undefined && value === (Object.prototype as Record<string, unknown>)[bit]) value = MISSING;
    } else if (typeof (current as { length?: unknown }).length === 'number' && /^\d+$/.test(bit)) {
      const item = (current as Record<string, unknown>)[bit];
      if (item !== undefined) value = item;
    }
  }
  if (value === NEEDS_ARGS) return stringIfInvalid;
  if (value === undefined) return MISSING;
  if (typeof value === 'function') return call(value, self, stringIfInvalid);
  return value;
}

/** Calls a callable met in a lookup, honouring doNotCallInTemplates / altersData. */
function call(fn: Function, self: unknown, stringIfInvalid: string): unknown {
  const flags = fn as { doNotCallInTemplates?: boolean; altersData?: boolean };
  if (flags.doNotCallInTemplates) return fn;
  if (flags.altersData) return stringIfInvalid;
  // A function that declares parameters needs arguments a template cannot give.
  if (fn.length > 0) return stringIfInvalid;
  try {
    return fn.call(self);
  } catch (error) {
    if ((error as { silentVariableFailure?: boolean } | null)?.silentVariableFailure) return stringIfInvalid;
    throw error;
  }
}

function stringIfInvalidOf(c: Context): string {
  return c.template?.engine.stringIfInvalid ?? '';
}

const LAZY_LOADABLE = new Set(['NUAGES_DB_RELATION_NOT_LOADED', 'NUAGES_DB_DEFERRED_FIELD']);

/**
 * A model relation or deferred field the view's query did not load: the
 * template loads it through the ORM (`obj.fetchRelated(name)`), so the ORM's
 * fetch mode applies (FETCH_PEERS loads it for every row of the query at once)
 * and its N+1 detector sees loads made from templates.
 */
function lazyLoad(current: unknown, bit: string, error: unknown): Promise<unknown> | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !LAZY_LOADABLE.has(code)) return undefined;
  const fetch = (current as { fetchRelated?: unknown }).fetchRelated;
  return typeof fetch === 'function' ? (fetch as (name: string) => Promise<unknown>).call(current, bit) : undefined;
}

/** Continues a dotted lookup from `index` with `current`. */
function walk(current: unknown, lookups: readonly string[], start: number, si: string): unknown {
  for (let i = start; i < lookups.length; i++) {
    if (isThenable(current)) {
      const bit = lookups[i]!;
      // A QuerySet is a thenable with methods of its own (`qs.count`): use them first.
      if (!(bit in (current as object))) return new Pending(current, lookups, i);
    }
    try {
      current = step(current, lookups[i]!, si);
    } catch (error) {
      // Django's silent_variable_failure: the error means "render as invalid".
      if ((error as { silentVariableFailure?: boolean } | null)?.silentVariableFailure) return si;
      const lazy = lazyLoad(current, lookups[i]!, error);
      if (lazy) return new Pending(lazy, lookups, i + 1);
      throw error;
    }
    if (current === MISSING) return MISSING;
  }
  if (isThenable(current)) return new Pending(current, lookups, lookups.length);
  return current;
}

/**
 * Resolves `a.b.c` against the context. Returns the value, {@link MISSING},
 * or a {@link Pending} when a thenable must be awaited first.
 */
export function lookup(c: Context, lookups: readonly string[]): unknown {
  const d = c.dicts;
  const name = lookups[0]!;
  let current: unknown = undefined;
  for (let i = d.length - 1; i >= 0; i--) {
    const layer = d[i]!;
    if (Object.hasOwn(layer, name)) {
      current = layer[name];
      break;
    }
  }
  if (current === undefined) return MISSING;
  const si = stringIfInvalidOf(c);
  if (typeof current === 'function') current = call(current, undefined, si);
  if (lookups.length === 1 && (current === null || typeof current !== 'object' || current instanceof SafeString)) {
    return isThenable(current) ? new Pending(current, lookups, 1) : current;
  }
  return walk(current, lookups, 1, si);
}

/** The value of `name` in the nearest layer that has it, `undefined` when none has (compiled `a.b` lookups). */
export function layerValue(c: Context, name: string): unknown {
  const d = c.dicts;
  for (let i = d.length - 1; i >= 0; i--) {
    const layer = d[i]!;
    if (Object.hasOwn(layer, name)) return layer[name];
  }
  return undefined;
}

/** Waits for a {@link Pending} lookup, yielding its thenables to the driver. */
export function* wait(pending: Pending, c: Context): Generator<unknown, unknown, unknown> {
  let result: unknown = pending;
  while (result instanceof Pending) {
    const settled = yield result.promise;
    const { lookups, index } = result;
    if (settled === undefined) return MISSING;
    result =
      index >= lookups.length
        ? isThenable(settled)
          ? new Pending(settled, lookups, index)
          : settled
        : walk(typeof settled === 'function' ? call(settled, undefined, stringIfInvalidOf(c)) : settled, lookups, index, stringIfInvalidOf(c));
  }
  return result;
}

/** Waits for any value that may be a thenable (custom tag output, filter results). */
export function* settle(value: unknown): Generator<unknown, unknown, unknown> {
  while (isThenable(value)) value = yield value;
  return value;
}

/** Thrown for a missing variable used as a filter argument, as Django raises. */
export function missingArgument(name: string, c: Context): never {
  throw new VariableDoesNotExist(name, c.template?.name ?? 'unknown');
}

function htmlOf(value: unknown): string | PromiseLike<unknown> | undefined {
  const html = (value as { __html__?: unknown } | null)?.__html__;
  if (typeof html !== 'function') return undefined;
  const out = html.call(value) as unknown;
  return isThenable(out) ? out : String(out);
}

/**
 * Renders a value for `{{ }}` output: dates and numbers localized, everything
 * else as Python's str(), escaped when autoescaping is on and the value is not safe.
 * An object whose `__html__()` returns a promise (a form, a bound field: their
 * widgets render through templates) gives that promise, which the caller awaits.
 */
export function show(value: unknown, c: Context): string | PromiseLike<unknown> {
  if (typeof value === 'string') return c.autoescape ? escapeHtml(value) : value;
  if (value instanceof SafeString) return value.value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value === 0 ? 0 : value);
  if (value !== null && typeof value === 'object') {
    const html = htmlOf(value);
    if (html !== undefined) return html;
  }
  const text = renderString(value, c);
  return c.autoescape ? escapeHtml(text) : text;
}

/** {@link show} for places that print synchronously: an async `__html__` prints as str(), escaped. */
export function showSync(value: unknown, c: Context): string {
  const out = show(value, c);
  if (typeof out === 'string') return out;
  const text = str(value);
  return c.autoescape ? escapeHtml(text) : text;
}

/** Python's str() after Django's localize(): what `{{ value }}` prints before escaping. */
export function renderString(value: unknown, c: Context): string {
  const localized = localizeValue(value, c.useTz ? currentTimeZone(c) : 'UTC');
  return typeof localized === 'string' ? localized : pyStr(localized);
}

/** The active time zone: `{% timezone %}`'s, else the engine's. */
export function currentTimeZone(c: Context): string {
  return c.timeZone ?? c.template?.engine.timeZone ?? 'UTC';
}

const CALLS = new Map<string, [FilterCall, FilterCall]>();
let lastZone = '';
let lastUseTz = true;
let lastPair: [FilterCall, FilterCall] | undefined;

/** The FilterCall for the context's current autoescape setting and time zone (shared, frozen). */
export function filterCall(c: Context): FilterCall {
  const tz = currentTimeZone(c);
  const useTz = c.useTz;
  if (tz !== lastZone || useTz !== lastUseTz || !lastPair) {
    const key = useTz ? tz : `${tz}\0off`;
    let pair = CALLS.get(key);
    if (!pair) {
      const shown = useTz ? tz : 'UTC';
      pair = [
        Object.freeze({ autoescape: false, timeZone: shown, currentTimeZone: tz }),
        Object.freeze({ autoescape: true, timeZone: shown, currentTimeZone: tz }),
      ];
      CALLS.set(key, pair);
    }
    lastZone = tz;
    lastUseTz = useTz;
    lastPair = pair;
  }
  return lastPair[c.autoescape ? 1 : 0];
}

/** Applies a filter with Django's flags: stringFilter, isSafe, needsAutoescape. */
export function applyFilter(spec: FilterSpec, value: unknown, arg: unknown, c: Context): unknown {
  let input = value;
  if (spec.stringFilter && typeof input !== 'string' && !(input instanceof SafeString)) input = pyStr(input);
  const out = spec.fn(input, arg, filterCall(c));
  if (spec.isSafe && value instanceof SafeString && typeof out === 'string') return new SafeString(out);
  return out;
}

/** Python's `str()` of tag output (custom tags): strings and SafeStrings as they are. */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof SafeString) return value.value;
  if (value === undefined) return '';
  return pyStr(value);
}

/** Python's `str()` then escaping (simple tags, `{% firstof %}`, `{% cycle %}`). */
export function escapeOutput(value: unknown, c: Context): string {
  if (value instanceof SafeString) return value.value;
  if (!c.autoescape) return str(value);
  const html = htmlOf(value);
  // Tags that print synchronously cannot wait for an async __html__; they print str().
  if (typeof html === 'string') return html;
  return escapeHtml(str(value));
}

/** The values of a `{% for %}` sequence, or a promise of them for async iterables. */
export function sequence(value: unknown, loopName: string): unknown[] | Promise<unknown[]> {
  if (value === null || value === undefined || value === MISSING || value === '') return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return Array.from(value);
  if (value instanceof SafeString) return Array.from(value.value);
  if (value instanceof Map) return [...value.keys()];
  if (typeof value === 'object' && value !== null) {
    if (Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
    if (Symbol.asyncIterator in value) return collect(value as AsyncIterable<unknown>);
    if (isDict(value)) return Object.keys(value);
  }
  throw new TemplateRenderError(
    `{% for %} cannot loop over ${pyRepr(value)} from ${loopName}: it is not a list, dict, string or iterable.`,
  );
}

async function collect(iterable: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Python's `len()` where the for loop needs it for unpacking. */
export function unpackLength(item: unknown): number {
  if (Array.isArray(item) || typeof item === 'string') return item.length;
  if (item instanceof Map || item instanceof Set) return item.size;
  if (item instanceof DictView) return item.length;
  if (isDict(item)) return Object.keys(item).length;
  if (item !== null && typeof item === 'object' && Symbol.iterator in item) return Array.from(item as Iterable<unknown>).length;
  return 1;
}

/** Item `i` of a value being unpacked into loop variables. */
export function unpackItem(item: unknown, i: number): unknown {
  if (Array.isArray(item)) return item[i];
  if (typeof item === 'string') return item[i];
  if (item !== null && typeof item === 'object' && Symbol.iterator in item) return Array.from(item as Iterable<unknown>)[i];
  if (isDict(item)) return Object.keys(item)[i];
  return undefined;
}

// ---------------------------------------------------------------- comparisons

function plain(value: unknown): unknown {
  if (value instanceof SafeString) return value.value;
  if (value === undefined || value === MISSING) return null;
  return value;
}

function numeric(value: unknown): number | Decimal | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Decimal) return value;
  return undefined;
}

/** Python's `==` for template values. */
export function pyEq(a: unknown, b: unknown): boolean {
  a = plain(a);
  b = plain(b);
  if (a === b) return true;
  if (a === null || b === null) return false;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    if (na instanceof Decimal) return na.eq(nb as number);
    if (nb instanceof Decimal) return nb.eq(na);
    return na === nb;
  }
  if (a instanceof Date && b instanceof Date) {
    return a instanceof DateOnly === b instanceof DateOnly && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ea = a instanceof Map ? [...a.entries()] : Object.entries(a);
    const mb = b instanceof Map ? b : new Map(Object.entries(b));
    return ea.length === mb.size && ea.every(([k, v]) => mb.has(k) && pyEq(v, mb.get(k)));
  }
  return false;
}

/** Python ordering: a negative, zero or positive number; throws TypeError across types. */
export function pyCompare(a: unknown, b: unknown): number {
  a = plain(a);
  b = plain(b);
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) {
    if (na instanceof Decimal) return na.cmp(nb as number);
    if (nb instanceof Decimal) return -nb.cmp(na);
    if (Number.isNaN(na) || Number.isNaN(nb)) return NaN;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date && a instanceof DateOnly === b instanceof DateOnly) {
    return a.getTime() - b.getTime();
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < a.length && i < b.length; i++) {
      if (!pyEq(a[i], b[i])) return pyCompare(a[i], b[i]);
    }
    return a.length - b.length;
  }
  throw new TypeError('values cannot be ordered');
}

/** Python's `in`. Throws TypeError where Python does (the `if` tag turns that into False). */
export function pyIn(item: unknown, container: unknown): boolean {
  item = plain(item);
  container = plain(container);
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new TypeError("'in <string>' requires string as left operand");
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(item, x));
  if (container instanceof Map) return container.has(item) || [...container.keys()].some((k) => pyEq(item, k));
  if (container instanceof Set) return container.has(item) || [...container].some((k) => pyEq(item, k));
  if (isDict(container)) return typeof item === 'string' && Object.hasOwn(container, item);
  if (container !== null && typeof container === 'object' && Symbol.iterator in container) {
    for (const x of container as Iterable<unknown>) if (pyEq(item, x)) return true;
    return false;
  }
  throw new TypeError('argument is not iterable');
}

/** Python's `is`: identity, with None/True/False singletons and small values compared by value. */
export function pyIs(a: unknown, b: unknown): boolean {
  if (a === undefined || a === MISSING) a = null;
  if (b === undefined || b === MISSING) b = null;
  return a === b;
}

// ---------------------------------------------------------------- the driver

/**
 * Runs a compiled render. Returns the output directly when nothing had to be
 * awaited, else a promise of it.
 */
export function drive(gen: Generator<unknown, string, unknown>): string | Promise<string> {
  const first = gen.next();
  if (first.done) return first.value;
  return driveAsync(gen, first.value);
}

async function driveAsync(gen: Generator<unknown, string, unknown>, pending: unknown): Promise<string> {
  for (;;) {
    let result: IteratorResult<unknown, string>;
    let settled: unknown;
    let failed = false;
    try {
      settled = await pending;
    } catch (error) {
      failed = true;
      settled = error;
    }
    result = failed ? gen.throw(settled) : gen.next(settled);
    if (result.done) return result.value;
    pending = result.value;
  }
}

/** The runtime object handed to compiled code. */
export const runtime = {
  MISSING,
  Pending,
  lookup,
  layerValue,
  locateError: locateRenderError,
  wait,
  settle,
  show,
  str,
  escapeOutput,
  applyFilter,
  missingArgument,
  sequence,
  unpackLength,
  unpackItem,
  pyEq,
  pyCompare,
  pyIn,
  pyIs,
  isThenable,
  drive,
  filterCall,
};
/** The shape of {@link runtime}, for code that builds compiled templates. */
export type Runtime = typeof runtime;

/**
 * Evaluates a filter expression without compiling it (custom tags use this
 * through `FilterExpression.resolve`). Same rules as compiled code.
 */
export function* evaluate(
  fe: {
    readonly variable: { readonly text: string; readonly literal: unknown; readonly lookups: readonly string[] | null } | null;
    readonly filters: readonly { readonly spec: FilterSpec; readonly arg?: { readonly text: string; readonly literal: unknown; readonly lookups: readonly string[] | null } }[];
  },
  c: Context,
  ignoreFailures: boolean,
  literalArgument: (v: { literal: unknown }) => unknown,
): Generator<unknown, unknown, unknown> {
  const variable = fe.variable!;
  let value: unknown;
  if (variable.lookups === null) value = variable.literal;
  else {
    value = lookup(c, variable.lookups);
    if (value instanceof Pending) value = yield* wait(value, c);
    if (value === MISSING) {
      const si = stringIfInvalidOf(c);
      if (ignoreFailures) value = null;
      else if (si) return si.includes('%s') ? si.replace('%s', variable.text) : si;
      else value = '';
    }
  }
  for (const use of fe.filters) {
    let arg: unknown = undefined;
    if (use.arg) {
      if (use.arg.lookups === null) arg = literalArgument(use.arg);
      else {
        arg = lookup(c, use.arg.lookups);
        if (arg instanceof Pending) arg = yield* wait(arg, c);
        if (arg === MISSING) missingArgument(use.arg.text, c);
      }
    }
    value = applyFilter(use.spec, value, arg, c);
  }
  return value;
}

/** Runs a generator like {@link drive} but for any result type. */
export function driveValue<T>(gen: Generator<unknown, T, unknown>): T | Promise<T> {
  const first = gen.next();
  if (first.done) return first.value;
  return (async () => {
    let pending: unknown = first.value;
    for (;;) {
      let settled: unknown;
      let failed = false;
      try {
        settled = await pending;
      } catch (error) {
        failed = true;
        settled = error;
      }
      const result = failed ? gen.throw(settled) : gen.next(settled);
      if (result.done) return result.value;
      pending = result.value;
    }
  })();
}

/**
 * JSON exactly as Python's `json.dumps(obj, separators=(',', ':'))` writes it, and a
 * reader for what it writes, so values Django signs (signing.dumps, sessions, the
 * messages cookie) are byte-for-byte what Nuages signs for the same data. Options give
 * the other shapes `json.dumps` writes (`indent`, `separators`, `ensure_ascii=False`), as
 * Django's fixtures use them.
 *
 * Where Python's default differs from `JSON.stringify`:
 * - every character outside printable ASCII is written as a `\u00e9`-style escape (lower-case hex;
 *   astral characters as a surrogate pair), as with `ensure_ascii=True`;
 * - floats use Python's `repr`: `1e-05` rather than `0.00001`;
 * - NaN and ±Infinity are written `NaN`, `Infinity`, `-Infinity` (Python's
 *   `allow_nan=True`) and read back, where `JSON.stringify` writes `null`.
 *
 * JavaScript cannot tell `2.0` from `2`: an integral number is written as an int, unless it
 * is wrapped in a {@link PythonFloat}. Objects keep their key order, except that JavaScript
 * lists integer-like keys first.
 */
import { NuagesError } from '../core/errors.ts';

/** A value has no JSON form (a function, a symbol, a class instance without `toJSON()`). */
export class NotJSONSerializableError extends NuagesError {
  readonly code = 'NUAGES_NOT_JSON_SERIALIZABLE';
}

/** Text that `parsePythonJson()` cannot read. */
export class PythonJsonParseError extends NuagesError {
  readonly code = 'NUAGES_PYTHON_JSON_PARSE';
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Python's ESCAPE_ASCII: a quote, a backslash, or anything outside ' '..'~'.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g;

// With ensure_ascii=False Python escapes only a quote, a backslash and the control characters.
const NEEDS_ESCAPE_UNICODE = /["\\\u0000-\u001f]/g;

function escapeChar(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function quote(text: string, ensureAscii = true): string {
  return `"${text.replace(ensureAscii ? NEEDS_ESCAPE : NEEDS_ESCAPE_UNICODE, escapeChar)}"`;
}

/**
 * A number Python holds as a float, so it is written as one: `1.0` rather than `1`, and
 * `1e+16` from 1e16 on, as Python's `repr(float)`.
 */
export class PythonFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

function formatFloat(n: number): string {
  if (!Number.isFinite(n)) return formatNumber(n);
  if (Object.is(n, -0)) return '-0.0';
  if (Math.abs(n) >= 1e16) return exponentForm(n);
  if (Number.isInteger(n)) return `${n}.0`;
  return formatNumber(n);
}

/** `1e-05`, `1.5e+16`: the shortest digits, with Python's signed two-digit exponent. */
function exponentForm(n: number): string {
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** A number as Python writes it: an int for integral values, else float repr. */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  // Both languages print the shortest digits that round-trip; only the switch to
  // exponent form differs. Non-integral doubles are below 2**53, so only small
  // magnitudes switch: Python below 1e-4 (two-digit exponent), JavaScript below 1e-6.
  if (Math.abs(n) >= 1e-4) return String(n);
  return exponentForm(n);
}

function describeType(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

/** How `json.dumps` was called: `indent`, `separators` and `ensure_ascii`. */
export interface PythonJsonOptions {
  /** Spaces per level, one item per line; null (the default) writes everything on one line. */
  indent?: number | null;
  /**
   * Item and key separators; `[',', ':']` unless given (what Django signs). Python's own
   * default is `[', ', ': ']`, or `[',', ': ']` with an indent.
   */
  separators?: readonly [item: string, key: string];
  /** Escape every non-ASCII character (true, Python's default), or write it as is. */
  ensureAscii?: boolean;
}

interface WriteState {
  readonly out: string[];
  readonly seen: Set<object>;
  readonly indent: number | null;
  readonly itemSeparator: string;
  readonly keySeparator: string;
  readonly ensureAscii: boolean;
}

function write(value: unknown, state: WriteState, path: string, level: number): void {
  const { out } = state;
  if (value instanceof PythonFloat) {
    out.push(formatFloat(value.value));
    return;
  }
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // Dates, Decimals and anything else that says how it wants to be written.
    value = (value as { toJSON: (key: string) => unknown }).toJSON('');
  }
  switch (typeof value) {
    case 'string':
      out.push(quote(value, state.ensureAscii));
      return;
    case 'number':
      out.push(formatNumber(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(value.toString());
      return;
    case 'object':
      break;
    default:
      throw new NotJSONSerializableError(
        `${path} is ${describeType(value)}, which is not JSON serializable. Store strings, numbers, booleans, null, arrays and plain objects.`,
      );
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (state.seen.has(value)) throw new NotJSONSerializableError(`${path} refers back to itself (a circular structure), which JSON cannot represent.`);
  state.seen.add(value);
  if (Array.isArray(value)) writeArray(value, state, path, level);
  else writeObject(value, state, path, level);
  state.seen.delete(value);
}

/** What goes between two items: the separator, then a new line at the level's indent when indenting. */
function between(state: WriteState, level: number): string {
  return state.indent === null ? state.itemSeparator : `${state.itemSeparator}\n${' '.repeat(state.indent * level)}`;
}

/** Opens a non-empty container's first line (indenting) and closes its last. */
function edges(state: WriteState, level: number): [string, string] {
  if (state.indent === null) return ['', ''];
  return [`\n${' '.repeat(state.indent * (level + 1))}`, `\n${' '.repeat(state.indent * level)}`];
}

function writeArray(value: unknown[], state: WriteState, path: string, level: number): void {
  const { out } = state;
  if (value.length === 0) {
    out.push('[]');
    return;
  }
  const [open, close] = edges(state, level);
  out.push('[', open);
  value.forEach((item, i) => {
    if (i > 0) out.push(between(state, level + 1));
    write(item === undefined ? null : item, state, `${path}[${i}]`, level + 1);
  });
  out.push(close, ']');
}

function writeObject(value: object, state: WriteState, path: string, level: number): void {
  const { out } = state;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new NotJSONSerializableError(
      `${path} is a ${describeType(value)}, which is not JSON serializable. Store plain data (for a model instance, its primary key), ` +
        'or give the class a toJSON() method.',
    );
  }
  // As JSON.stringify: an undefined property is absent rather than null.
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  const [open, close] = edges(state, level);
  out.push('{', open);
  entries.forEach(([key, item], i) => {
    if (i > 0) out.push(between(state, level + 1));
    out.push(quote(key, state.ensureAscii), state.keySeparator);
    write(item, state, `${path}.${key}`, level + 1);
  });
  out.push(close, '}');
}

/**
 * `value` as Python's `json.dumps` writes it: by default as `json.dumps(value,
 * separators=(',', ':'))`, the compact form Django signs; `options` give the other calls.
 *
 * ```ts
 * pythonJsonStringify({ name: 'café', ratio: 0.00001 }); // '{"name":"caf\\u00e9","ratio":1e-05}'
 * pythonJsonStringify([1, new PythonFloat(2)], { indent: 2, separators: [',', ': '] }); // '[\n  1,\n  2.0\n]'
 * ```
 *
 * @throws NotJSONSerializableError for functions, symbols, circular structures and
 *   class instances without `toJSON()`.
 */
export function pythonJsonStringify(value: unknown, options?: PythonJsonOptions): string {
  const indent = options?.indent ?? null;
  const [itemSeparator, keySeparator] = options?.separators ?? [',', ':'];
  const state: WriteState = { out: [], seen: new Set(), indent, itemSeparator, keySeparator, ensureAscii: options?.ensureAscii ?? true };
  write(value, state, 'The value', 0);
  return state.out.join('');
}

/**
 * Read JSON as Python's `json.loads` does: standard JSON plus `NaN`, `Infinity`
 * and `-Infinity`.
 *
 * @throws PythonJsonParseError for text that is not JSON.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // The fast path refuses Python's non-finite constants; only then parse by hand.
    if (!/NaN|Infinity/.test(text)) throw new PythonJsonParseError(`Invalid JSON: ${(error as Error).message}`);
    return new Reader(text).document();
  }
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERALS: ReadonlyArray<readonly [string, unknown]> = [
  ['true', true],
  ['false', false],
  ['null', null],
  ['NaN', Number.NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

/** A small recursive-descent reader for the rare document JSON.parse refuses. */
class Reader {
  readonly #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
  }

  document(): unknown {
    const value = this.#value(0);
    this.#space();
    if (this.#at !== this.#text.length) this.#fail('unexpected text after the value');
    return value;
  }

  #value(depth: number): unknown {
    if (depth > 1000) this.#fail('nesting deeper than 1000 levels');
    this.#space();
    const ch = this.#text[this.#at];
    if (ch === '{') return this.#object(depth);
    if (ch === '[') return this.#array(depth);
    if (ch === '"') return this.#string();
    for (const [word, value] of LITERALS) {
      if (this.#text.startsWith(word, this.#at)) {
        this.#at += word.length;
        return value;
      }
    }
    NUMBER.lastIndex = this.#at;
    const number = NUMBER.exec(this.#text);
    if (number === null) this.#fail('expected a value');
    this.#at += number[0].length;
    return Number(number[0]);
  }

  #object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.#at++;
    this.#space();
    if (this.#eat('}')) return result;
    do {
      this.#space();
      if (this.#text[this.#at] !== '"') this.#fail('expected a property name');
      const key = this.#string();
      this.#space();
      if (!this.#eat(':')) this.#fail("expected ':'");
      Object.defineProperty(result, key, { value: this.#value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.#space();
    } while (this.#eat(','));
    if (!this.#eat('}')) this.#fail("expected ',' or '}'");
    return result;
  }

  #array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.#at++;
    this.#space();
    if (this.#eat(']')) return result;
    do result.push(this.#value(depth + 1));
    while ((this.#space(), this.#eat(',')));
    if (!this.#eat(']')) this.#fail("expected ',' or ']'");
    return result;
  }

  #string(): string {
    STRING.lastIndex = this.#at;
    const match = STRING.exec(this.#text);
    if (match === null) this.#fail('unterminated or invalid string');
    this.#at += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  #space(): void {
    WHITESPACE.lastIndex = this.#at;
    WHITESPACE.exec(this.#text);
    this.#at = WHITESPACE.lastIndex;
  }

  #eat(ch: string): boolean {
    if (this.#text[this.#at] !== ch) return false;
    this.#at++;
    return true;
  }

  #fail(what: string): never {
    throw new PythonJsonParseError(`Invalid JSON at position ${this.#at}: ${what}.`);
  }
}

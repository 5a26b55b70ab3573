/**
 * JSON exactly as Python's `json.dumps(obj, separators=(',', ':'))` writes it, and a
 * reader for what it writes, so values Django signs (signing.dumps, sessions, the
 * messages cookie) are byte-for-byte what Nuages signs for the same data.
 *
 * Where Python's default differs from `JSON.stringify`:
 * - every character outside printable ASCII is written as a `\u00e9`-style escape (lower-case hex;
 *   astral characters as a surrogate pair), as with `ensure_ascii=True`;
 * - floats use Python's `repr`: `1e-05` rather than `0.00001`;
 * - NaN and ±Infinity are written `NaN`, `Infinity`, `-Infinity` (Python's
 *   `allow_nan=True`) and read back, where `JSON.stringify` writes `null`.
 *
 * JavaScript cannot tell `2.0` from `2`: an integral number is written as an int.
 * Objects keep their key order, except that JavaScript lists integer-like keys first.
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

function quote(text: string): string {
  return `"${text.replace(NEEDS_ESCAPE, (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
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
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function describeType(value: unknown): string {
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return typeof value;
}

function write(value: unknown, out: string[], path: string, seen: Set<object>): void {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // Dates, Decimals and anything else that says how it wants to be written.
    value = (value as { toJSON: (key: string) => unknown }).toJSON('');
  }
  switch (typeof value) {
    case 'string':
      out.push(quote(value));
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
  if (seen.has(value)) throw new NotJSONSerializableError(`${path} refers back to itself (a circular structure), which JSON cannot represent.`);
  seen.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item === undefined ? null : item, out, `${path}[${i}]`, seen);
    });
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new NotJSONSerializableError(
        `${path} is a ${describeType(value)}, which is not JSON serializable. Store plain data (for a model instance, its primary key), ` +
          'or give the class a toJSON() method.',
      );
    }
    out.push('{');
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      // As JSON.stringify: an undefined property is absent rather than null.
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(quote(key), ':');
      write(item, out, `${path}.${key}`, seen);
    }
    out.push('}');
  }
  seen.delete(value);
}

/**
 * `value` as Python's `json.dumps(value, separators=(',', ':'))` writes it.
 *
 * ```ts
 * pythonJsonStringify({ name: 'café', ratio: 0.00001 }); // '{"name":"caf\\u00e9","ratio":1e-05}'
 * ```
 *
 * @throws NotJSONSerializableError for functions, symbols, circular structures and
 *   class instances without `toJSON()`.
 */
export function pythonJsonStringify(value: unknown): string {
  const out: string[] = [];
  write(value, out, 'The value', new Set());
  return out.join('');
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

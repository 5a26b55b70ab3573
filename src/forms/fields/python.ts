/**
 * The few Python semantics form fields depend on: str(), str.strip(), `in
 * EMPTY_VALUES` and `==`, so cleaning matches Django on the same input.
 */
import { Decimal as DecimalJs } from 'decimal.js';

// str.isspace() characters; JS trim() differs (it strips U+FEFF, keeps U+001C–U+001F and U+0085).
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's str.strip() with no argument. */
export function pyStrip(text: string): string {
  return text.replace(STRIP, '');
}

/** Whether `ch` is whitespace to Python. */
export const PY_WHITESPACE = new RegExp(`[${PY_SPACE}]`);

/** Python's str() of the values a form sees (strings, numbers, booleans, null). */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  }
  return String(value);
}

/** Python's `value in EMPTY_VALUES`: compared with ==, so an empty list or object counts. */
export function isEmptyValue(value: unknown, emptyValues: readonly unknown[]): boolean {
  for (const empty of emptyValues) {
    if (valuesEqual(value, empty)) return true;
  }
  return false;
}

/** Python's `==` for the values fields produce: numbers, strings, booleans, Dates, Decimals, lists, plain objects. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    // True == 1 in Python.
    const n = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
    return typeof n(a) === 'number' && n(a) === n(b);
  }
  if (a instanceof DecimalJs || b instanceof DecimalJs) {
    if (!(a instanceof DecimalJs || typeof a === 'number') || !(b instanceof DecimalJs || typeof b === 'number')) return false;
    return new DecimalJs(a as DecimalJs.Value).equals(new DecimalJs(b as DecimalJs.Value));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime() && a.constructor === b.constructor;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && valuesEqual(a[k], b[k]));
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const IS_DIGIT = /^\p{Nd}$/u;

/** Python's int()/float()/Decimal() read any Unicode decimal digit ('٣' is 3); rewrite them as ASCII. */
export function asciiDigits(text: string): string {
  return text.replace(NON_ASCII_DIGIT, (ch) => {
    const cp = ch.codePointAt(0)!;
    const folded = ch.normalize('NFKC');
    if (/^[0-9]$/.test(folded)) return folded;
    // Digit blocks start at a code point ending in 0 or 6 (hex): find which from the block's base.
    const low = cp & 0xf;
    const base = cp - low;
    const value = IS_DIGIT.test(String.fromCodePoint(base)) && low <= 9 ? low : (low + 10 - 6) % 10;
    return String(value);
  });
}

/**
 * Python's conversions and operators as Django's filters meet them: `int()`,
 * `float()`, `Decimal()`, `len()`, indexing, `+`, ordering for `sorted()`.
 * Each throws {@link PyTypeError} / {@link PyValueError} where Python raises,
 * so a filter can fail silently exactly where Django's does.
 */
import { SafeString, isSafe } from '../../../utils/safestring.ts';
import { DateOnly } from '../../../utils/dates.ts';
import { Decimal, dictEntries, isDict, isPyInt, pyDecimal, pyStr } from '../../python.ts';
import { pyLen } from '../../text/text.ts';

/** Python raised TypeError. */
export class PyTypeError extends Error {}
/** Python raised ValueError. */
export class PyValueError extends Error {}

/** The text of a string or SafeString; null for anything else. */
export function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value instanceof SafeString) return value.value;
  return null;
}

/** The value as `str()` would give it. */
export function text(value: unknown): string {
  return asText(value) ?? pyStr(value);
}

export { isSafe };

const INT_TEXT = /^[+-]?\d+(?:_\d+)*$/;

/** Python's `int(value)`, as a bigint. */
export function pyInt(value: unknown): bigint {
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new PyValueError('cannot convert float NaN to integer');
    if (!Number.isFinite(value)) throw new PyValueError('cannot convert float infinity to integer');
    return BigInt(Math.trunc(value));
  }
  if (value instanceof Decimal) {
    if (!value.isFinite()) throw new PyValueError('cannot convert Decimal to integer');
    return BigInt(value.trunc().toFixed());
  }
  const s = asText(value);
  if (s !== null) {
    const t = s.trim();
    if (!INT_TEXT.test(t)) throw new PyValueError(`invalid literal for int(): '${s}'`);
    return BigInt(t.replace(/_/g, ''));
  }
  throw new PyTypeError('int() argument must be a string or a number');
}

/** A bigint back to a JS number when it is a safe integer (templates print both the same). */
export function intResult(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

const FLOAT_TEXT = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+(?:_\d+)*)?|\d+(?:_\d+)*\.(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;

/** Python's `float(value)`. */
export function pyFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Decimal) return value.toNumber();
  const s = asText(value);
  if (s !== null) {
    const t = s.trim();
    if (!FLOAT_TEXT.test(t)) throw new PyValueError(`could not convert string to float: '${s}'`);
    const lower = t.toLowerCase().replace(/_/g, '');
    if (/inf/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
    if (/nan/.test(lower)) return NaN;
    return Number(lower);
  }
  throw new PyTypeError('float() argument must be a string or a real number');
}

const DECIMAL_TEXT = /^[+-]?(?:(?:\d+(?:_\d+)*)(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:e[+-]?\d+(?:_\d+)*)?$/i;

/** Python's `Decimal(text)` for a string, or null when Python raises InvalidOperation. */
export function parseDecimal(input: string): Decimal | null {
  const t = input.trim().replace(/_/g, '');
  if (DECIMAL_TEXT.test(t)) return pyDecimal(t);
  const special = /^([+-])?(inf|infinity|nan|snan)$/i.exec(t);
  if (special) {
    if (/nan/i.test(special[2]!)) return new Decimal(NaN);
    return new Decimal(special[1] === '-' ? -Infinity : Infinity);
  }
  return null;
}

/** Python's `len(value)`; TypeError for values without a length. */
export function pyLength(value: unknown): number {
  const s = asText(value);
  if (s !== null) return pyLen(s);
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (isDict(value)) return Object.keys(value).length;
  throw new PyTypeError('object has no len()');
}

/** The items Python would iterate: characters of a string, list items, dict keys. */
export function pyIter(value: unknown): unknown[] {
  const s = asText(value);
  if (s !== null) return [...s];
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  if (isDict(value)) return dictEntries(value).map(([k]) => k);
  if (value !== null && typeof value === 'object' && Symbol.iterator in value) {
    return [...(value as Iterable<unknown>)];
  }
  throw new PyTypeError('object is not iterable');
}

/** `value[index]` for a sequence (negative indexes count from the end). */
export function pyIndex(value: unknown, index: number): unknown {
  const s = asText(value);
  const seq: readonly unknown[] | null = s !== null ? [...s] : Array.isArray(value) ? value : null;
  if (seq === null) throw new PyTypeError('object is not subscriptable');
  const i = index < 0 ? seq.length + index : index;
  if (i < 0 || i >= seq.length) throw new RangeError('index out of range');
  return seq[i];
}

function isNumberLike(v: unknown): v is number | boolean | bigint | Decimal {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v instanceof Decimal;
}

/** Python's `a + b` for the values a template can hold; TypeError where Python refuses. */
export function pyAdd(a: unknown, b: unknown): unknown {
  if (isNumberLike(a) && isNumberLike(b)) {
    if (a instanceof Decimal || b instanceof Decimal) {
      // Decimal mixes with ints and bools, not with floats.
      const floaty = (v: unknown) => typeof v === 'number' && !isPyInt(v);
      if (floaty(a) || floaty(b)) throw new PyTypeError('unsupported operand type(s) for +');
      const toDec = (v: number | boolean | bigint | Decimal) =>
        v instanceof Decimal ? v : new Decimal(typeof v === 'boolean' ? (v ? 1 : 0) : v.toString());
      return toDec(a).plus(toDec(b));
    }
    const num = (v: number | boolean | bigint) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
    const x = num(a as number | boolean | bigint);
    const y = num(b as number | boolean | bigint);
    if (typeof x === 'bigint' || typeof y === 'bigint') {
      if (isPyInt(x) || typeof x === 'bigint') {
        if (isPyInt(y) || typeof y === 'bigint') return intResult(BigInt(x) + BigInt(y));
      }
      return Number(x) + Number(y);
    }
    return x + y;
  }
  const sa = asText(a);
  const sb = asText(b);
  if (sa !== null && sb !== null) {
    // SafeString + SafeString stays safe; safe + plain is plain, as Python's SafeString.__add__.
    return a instanceof SafeString && b instanceof SafeString ? new SafeString(sa + sb) : sa + sb;
  }
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw new PyTypeError('unsupported operand type(s) for +');
}

function kind(v: unknown): string {
  if (isNumberLike(v)) return 'number';
  if (asText(v) !== null) return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof DateOnly) return 'date';
  if (v instanceof Date) return 'datetime';
  return 'other';
}

/** Python's ordering (`a < b`) for sorting; TypeError across kinds, as Python 3. */
export function pyCompare(a: unknown, b: unknown): number {
  const ka = kind(a);
  const kb = kind(b);
  if (ka !== kb || ka === 'other') throw new PyTypeError("'<' not supported between these types");
  switch (ka) {
    case 'number': {
      if (a instanceof Decimal || b instanceof Decimal) {
        const da = a instanceof Decimal ? a : new Decimal(Number(a));
        return da.comparedTo(b instanceof Decimal ? b : new Decimal(Number(b)));
      }
      const x = Number(a);
      const y = Number(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'str': {
      // Python compares code points; JS compares UTF-16 units, which differ only for astral characters.
      const x = [...asText(a)!].map((c) => c.codePointAt(0)!);
      const y = [...asText(b)!].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
      return x.length - y.length;
    }
    case 'list': {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = pyCompare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default:
      return (a as Date).getTime() - (b as Date).getTime();
  }
}

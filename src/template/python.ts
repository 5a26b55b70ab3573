/**
 * Python's view of JavaScript values, as the Django template language shows them.
 *
 * Django prints values with Python's `str()` and `repr()` and tests them with
 * Python's truthiness; templates written for Django depend on that output
 * (`None`, `True`, `[1, 'a']`, `{'k': 1}`, `0.1`, `1e+16`). This module is the
 * one place that maps the JavaScript values a context may hold onto those rules:
 *
 * - `null` / `undefined` are `None`, booleans are `True` / `False`;
 * - a number that is a safe integer is a Python `int`, any other number a `float`
 *   (so `1e16`, beyond 2^53, prints as the float `1e+16`);
 * - decimal.js `Decimal` is Python's `Decimal`; build it with {@link pyDecimal}
 *   when its written digits matter (`12.50`), because decimal.js drops trailing zeros;
 * - arrays are lists, `Map`s and plain objects are dicts, `Set`s are sets;
 * - `DateOnly` is `datetime.date`, any other `Date` an aware UTC `datetime`.
 */
import { Decimal } from 'decimal.js';
import { SafeString } from '../utils/safestring.ts';
import { DateOnly } from '../utils/dates.ts';
import { ZonedDateTime, utcOffsetSeconds } from './zoned-datetime.ts';

/** Sign, coefficient digits and exponent of a Python Decimal (`Decimal.as_tuple()`). */
export interface DecimalTuple {
  readonly negative: boolean;
  /** The coefficient's digits, without leading zeros (`'0'` for zero); `'NaN'`/`'Infinity'` for specials. */
  readonly digits: string;
  readonly exponent: number;
}

/** decimal.js's Decimal (Python's `decimal.Decimal`), re-exported for the template modules. */
export { Decimal };

// decimal.js normalises `12.50` to `12.5`; Python keeps the exponent it was written with.
// The written form is remembered beside the instance rather than in a subclass so that
// any Decimal the user already has keeps working.
const writtenForm = new WeakMap<Decimal, DecimalTuple>();

/**
 * Makes a Decimal that remembers the digits it was written with, as Python's
 * `Decimal('12.50')` does, so templates print `12.50` and not `12.5`.
 *
 * @example pyStr(pyDecimal('12.50')) === '12.50'; pyStr(pyDecimal('1E+2')) === '1E+2'
 */
export function pyDecimal(text: string): Decimal {
  const value = new Decimal(text.trim());
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (m && (m[2] || m[3])) {
    const frac = m[3] ?? '';
    const coefficient = ((m[2] ?? '') + frac).replace(/^0+(?=\d)/, '');
    writtenForm.set(value, {
      negative: m[1] === '-',
      digits: coefficient === '' ? '0' : coefficient,
      exponent: Number(m[4] ?? 0) - frac.length,
    });
  }
  return value;
}

/** The Python `as_tuple()` of a Decimal: its written form when made by {@link pyDecimal}, else normalised. */
export function decimalTuple(value: Decimal): DecimalTuple {
  const written = writtenForm.get(value);
  if (written) return written;
  const negative = value.isNegative();
  // src/utils/decimal.ts's Decimal records the places it was written or stored with.
  const places = (value as { places?: unknown }).places;
  if (typeof places === 'number' && value.isFinite() && places >= value.decimalPlaces()) {
    const digits = value.abs().toFixed(places).replace('.', '').replace(/^0+(?=\d)/, '');
    return { negative, digits, exponent: -places };
  }
  if (value.isNaN()) return { negative: false, digits: 'NaN', exponent: 0 };
  if (!value.isFinite()) return { negative, digits: 'Infinity', exponent: 0 };
  if (value.isZero()) return { negative, digits: '0', exponent: 0 };
  // toExponential() gives every significant digit: "d.ddde+x".
  const [mantissa = '', exp = '0'] = value.abs().toExponential().split('e');
  const digits = mantissa.replace('.', '');
  return { negative, digits, exponent: Number(exp) - (digits.length - 1) };
}

/** Python's `str(Decimal)`: plain notation unless the exponent is positive or the number is tiny. */
export function decimalToString(value: Decimal): string {
  const { negative, digits, exponent } = decimalTuple(value);
  const sign = negative ? '-' : '';
  if (digits === 'NaN') return 'NaN';
  if (digits === 'Infinity') return `${sign}Infinity`;
  const adjusted = exponent + digits.length - 1;
  if (exponent <= 0 && adjusted >= -6) {
    if (exponent === 0) return sign + digits;
    const point = digits.length + exponent;
    if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
    return `${sign}0.${'0'.repeat(-point)}${digits}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
}

/** Whether a JS number stands for a Python `int` (a safe integer) rather than a `float`. */
export function isPyInt(value: unknown): value is number {
  // -0 exists only as a float in Python.
  return typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0);
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-4 && abs < 1e16) {
    // Where both languages print plain notation, JS's shortest round-trip digits are Python's.
    const plain = String(value);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  return floatReprExponent(value);
}

/** {@link floatRepr} from the digits of `toExponential()`, for every finite non-zero value. */
export function floatReprExponent(value: number): string {
  const sign = value < 0 ? '-' : '';
  const [mantissa = '', exp = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(e);
    return `${sign}${m}e${e < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return `${sign}${digits}${'0'.repeat(e + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

function numberStr(value: number): string {
  return isPyInt(value) ? String(value) : floatRepr(value);
}

// Python's str.isprintable(): everything but separators (other than space) and "other" categories.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr(str)`: single quotes unless the text holds `'` and no `"`. */
export function stringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const hex = cp.toString(16);
      if (cp < 0x100) out += `\\x${hex.padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${hex.padStart(4, '0')}`;
      else out += `\\U${hex.padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A datetime's wall clock (as a UTC-based Date) and UTC offset in seconds: UTC unless it is a ZonedDateTime. */
function wallClock(value: Date): { wall: Date; offset: number } {
  if (!(value instanceof ZonedDateTime)) return { wall: value, offset: 0 };
  const offset = utcOffsetSeconds(value.getTime(), value.timeZone);
  return { wall: new Date(value.getTime() + offset * 1000), offset };
}

/**
 * Python's `str()` of an aware datetime: `2024-01-31 12:30:00+00:00` (microseconds when
 * non-zero), in its zone's wall clock for a ZonedDateTime (`…+09:00`).
 */
export function datetimeStr(value: Date, separator = ' '): string {
  const { wall, offset } = wallClock(value);
  const micro = wall.getUTCMilliseconds() * 1000;
  const abs = Math.abs(offset);
  const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `${separator}${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}` +
    `${micro ? `.${pad(micro, 6)}` : ''}${zone}`
  );
}

function dateStr(value: DateOnly): string {
  return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
}

/** Whether a value is a dict for Python purposes: a Map or a plain object. */
export function isDict(value: unknown): value is Map<unknown, unknown> | Record<string, unknown> {
  if (value instanceof Map) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The entries of a dict-like value (Map or plain object), in insertion order. */
export function dictEntries(value: Map<unknown, unknown> | Record<string, unknown>): [unknown, unknown][] {
  return value instanceof Map ? [...value.entries()] : Object.entries(value);
}

function hasOwnToString(value: object): boolean {
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if (Object.prototype.hasOwnProperty.call(proto, 'toString')) return true;
  }
  return false;
}

/**
 * Python's `str()` of a value, as Django prints it before escaping.
 *
 * Strings (and SafeStrings) come back as their text; containers print their
 * items with {@link pyRepr}; objects of user classes print their `toString()`.
 *
 * @example pyStr([1, 'a', null]) === "[1, 'a', None]"; pyStr(0.1) === '0.1'; pyStr(true) === 'True'
 */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof SafeString) return value.value;
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return numberStr(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Decimal) return decimalToString(value);
  if (value instanceof DateOnly) return dateStr(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'None' : datetimeStr(value);
  return pyRepr(value);
}

/**
 * Python's `repr()` of a value: strings quoted as Python quotes them,
 * `Decimal('1.5')`, `datetime.date(2024, 1, 31)`, containers recursively.
 */
export function pyRepr(value: unknown): string {
  return repr(value, new Set());
}

function repr(value: unknown, seen: Set<object>): string {
  if (typeof value === 'string') return stringRepr(value);
  if (value instanceof SafeString) return stringRepr(value.value);
  if (value === null || value === undefined || typeof value !== 'object') {
    if (typeof value === 'function') return `<function ${value.name || '<lambda>'}>`;
    if (typeof value === 'symbol') return String(value);
    return pyStr(value);
  }
  if (value instanceof Decimal) return `Decimal('${decimalToString(value)}')`;
  if (value instanceof DateOnly) {
    return `datetime.date(${value.getUTCFullYear()}, ${value.getUTCMonth() + 1}, ${value.getUTCDate()})`;
  }
  if (value instanceof Date) {
    const { wall } = wallClock(value);
    const parts = [wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes()];
    const micro = wall.getUTCMilliseconds() * 1000;
    if (wall.getUTCSeconds() || micro) parts.push(wall.getUTCSeconds());
    if (micro) parts.push(micro);
    const tzinfo =
      value instanceof ZonedDateTime && value.timeZone !== 'UTC'
        ? `zoneinfo.ZoneInfo(key=${stringRepr(value.timeZone)})`
        : 'datetime.timezone.utc';
    // The tz filters return a datetime subclass, which Python's repr names by its class.
    const type = value instanceof ZonedDateTime ? 'datetimeobject' : 'datetime.datetime';
    return `${type}(${parts.join(', ')}, tzinfo=${tzinfo})`;
  }
  // A container that holds itself prints as Python does: [...] / {...}.
  if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((item) => repr(item, seen)).join(', ')}]`;
    if (value instanceof Set) {
      return value.size ? `{${[...value].map((item) => repr(item, seen)).join(', ')}}` : 'set()';
    }
    if (isDict(value)) {
      const items = dictEntries(value).map(([k, v]) => `${repr(k, seen)}: ${repr(v, seen)}`);
      return `{${items.join(', ')}}`;
    }
  } finally {
    seen.delete(value);
  }
  if (hasOwnToString(value)) return String(value);
  return `<${value.constructor?.name ?? 'object'} object>`;
}

/**
 * Python truthiness: `None`, `False`, zero (int, float, Decimal), and empty
 * strings, lists, dicts and sets are false; everything else is true (NaN too).
 */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return value !== 0;
    case 'string':
      return value.length > 0;
    case 'bigint':
      return value !== 0n;
    case 'object':
      break;
    default:
      return true;
  }
  if (value instanceof SafeString) return value.value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Decimal) return !value.isZero();
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (value instanceof Date) return true;
  if (isDict(value)) return Object.keys(value).length > 0;
  // Python's protocol for objects that know their size (a message storage, a form's errors).
  const len = (value as { __len__?: unknown }).__len__;
  if (typeof len === 'function') return (len as () => number).call(value) > 0;
  return true;
}

/**
 * The common case of `floatformat` without decimal.js: a plain JS number
 * shown with a small number of places (`{{ price|floatformat:2 }}`).
 *
 * Django rounds the Decimal of the number's repr (`Decimal(str(9.995))`), so
 * the exact answer comes from the shortest repr string itself: round half up
 * on its decimal digits, with a carry done on the digit string. No binary
 * floating point is involved, so the result is the exact path's, byte for
 * byte (tests/template/fast-paths.test.ts compares both on random inputs).
 * Anything else (exponent forms, grouping or unlocalize suffixes, Decimals,
 * strings) returns `undefined` and takes the exact path.
 */
import { SafeString } from '../../../utils/safestring.ts';
import { floatRepr, isPyInt } from '../../python.ts';

const PLAIN = /^(-?)(\d+)(?:\.(\d+))?$/;
const SMALL_INT = /^-?\d{1,2}$/;

/** Adds one to a string of decimal digits (`'099'` → `'100'`, `'99'` → `'100'`). */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - 1 - i);
}

function allZeros(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}

/** The precision `floatformat` reads from its argument, when it is a plain small integer. */
function precision(arg: unknown): number | undefined {
  if (arg === undefined) return -1;
  if (typeof arg === 'number') return Number.isInteger(arg) && arg >= -20 && arg <= 20 ? arg : undefined;
  if (typeof arg === 'string' && SMALL_INT.test(arg)) return Number(arg);
  return undefined;
}

/**
 * `floatformat` of a finite JS number with a plain integer argument, or
 * `undefined` when the exact (decimal.js) path must answer.
 */
export function floatformatFast(value: unknown, arg: unknown): SafeString | undefined {
  if (typeof value !== 'number') return undefined;
  const p = precision(arg);
  if (p === undefined) return undefined;
  const repr = isPyInt(value) ? String(value) : floatRepr(value);
  const m = PLAIN.exec(repr);
  // NaN, infinities and exponent forms (below 1e-4, from 1e16) take the exact path.
  if (m === null) return undefined;
  const negative = m[1] === '-';
  const whole = m[2]!;
  const fraction = m[3] ?? '';
  if (p <= 0 && allZeros(fraction)) {
    // An integral value with no places asked for: its integer part, '0' without a sign.
    return new SafeString(allZeros(whole) ? '0' : negative ? `-${whole}` : whole);
  }
  const places = p < 0 ? -p : p;
  let digits: string;
  if (fraction.length <= places) digits = whole + fraction + '0'.repeat(places - fraction.length);
  else {
    digits = whole + fraction.slice(0, places);
    // Round half up: the first dropped digit decides (ties go away from zero).
    if (fraction.charCodeAt(places) >= 53) digits = increment(digits);
  }
  const intPart = digits.slice(0, digits.length - places);
  const sign = negative && !allZeros(digits) ? '-' : '';
  return new SafeString(places === 0 ? sign + intPart : `${sign}${intPart}.${digits.slice(digits.length - places)}`);
}

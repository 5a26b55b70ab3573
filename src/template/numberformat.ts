/**
 * Django's number formatting (`django.utils.numberformat.format`) for the
 * English locale: `.` as the decimal separator, `,` every 3 digits when
 * grouping is on (only when forced: USE_THOUSAND_SEPARATOR is off by default).
 *
 * Used when `{{ v }}` prints a number (floats never print in exponent form
 * there) and by `floatformat`.
 */
import { Decimal, decimalTuple, floatRepr, isPyInt } from './python.ts';

/** Options of {@link numberFormat}. */
export interface NumberFormatOptions {
  /** Digits after the point: cut (not rounded) or padded with zeros. */
  readonly decimalPos?: number | null;
  /** Group thousands even though USE_THOUSAND_SEPARATOR is off (`floatformat:"2g"`). */
  readonly forceGrouping?: boolean;
  readonly decimalSeparator?: string;
  readonly thousandSeparator?: string;
  readonly grouping?: number;
}

/** Python's `'{:f}'.format(Decimal)`: plain notation, every written digit kept. */
export function decimalFixed(value: Decimal): string {
  const { negative, digits, exponent } = decimalTuple(value);
  const sign = negative ? '-' : '';
  if (digits === 'NaN') return 'NaN';
  if (digits === 'Infinity') return `${sign}Infinity`;
  if (exponent >= 0) return sign + (digits === '0' ? '0' : digits + '0'.repeat(exponent));
  const point = digits.length + exponent;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${digits}`;
}

/**
 * Formats a number as Django's `numberformat.format` does: ints as they are,
 * floats from their Python repr (exponent forms expanded), Decimals with their
 * digits; `decimalPos` cuts or pads the fraction without rounding.
 *
 * @example numberFormat(1234567.891, { decimalPos: 2, forceGrouping: true }) === '1,234,567.89'
 */
export function numberFormat(value: number | Decimal | string, options: NumberFormatOptions = {}): string {
  const decimalPos = options.decimalPos ?? null;
  const decimalSep = options.decimalSeparator ?? '.';
  const thousandSep = options.thousandSeparator ?? ',';
  const grouping = options.grouping ?? 3;
  const useGrouping = Boolean(options.forceGrouping) && grouping !== 0;
  if (isPyInt(value) && !useGrouping && !decimalPos) return String(value === 0 ? 0 : value);

  let number: number | Decimal | string = value;
  if (typeof number === 'number' && !isPyInt(number) && floatRepr(number).includes('e')) {
    number = new Decimal(floatRepr(number));
  }
  let str: string;
  if (number instanceof Decimal) {
    if (decimalPos !== null && number.isFinite()) {
      // Too small to show in the visible places: treat as zero, which also drops the sign.
      const cutoff = new Decimal(`0.${'1'.padStart(decimalPos, '0')}`);
      if (number.abs().lessThan(cutoff)) number = new Decimal(0);
    }
    const { digits, exponent } = decimalTuple(number);
    if (number.isFinite() && Math.abs(exponent) + digits.length > 200) {
      // Django switches to exponent form for huge digit counts to bound memory.
      const adjusted = exponent + digits.length - 1;
      const coefficient = (number.isNegative() ? '-' : '') + (digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits);
      const exp = `${adjusted < 0 ? '-' : '+'}${Math.abs(adjusted)}`;
      return `${numberFormat(coefficient, options)}e${exp}`;
    }
    str = decimalFixed(number);
  } else if (typeof number === 'number') {
    str = isPyInt(number) ? String(number === 0 ? 0 : number) : floatRepr(number);
  } else {
    str = number;
  }

  let sign = '';
  if (str.startsWith('-')) {
    sign = '-';
    str = str.slice(1);
  }
  let intPart = str;
  let decPart = '';
  const point = str.indexOf('.');
  if (point >= 0) {
    intPart = str.slice(0, point);
    decPart = str.slice(point + 1);
    if (decimalPos !== null) decPart = decPart.slice(0, decimalPos);
  }
  if (decimalPos !== null) decPart += '0'.repeat(Math.max(0, decimalPos - decPart.length));
  if (decPart) decPart = decimalSep + decPart;
  if (useGrouping) {
    let grouped = '';
    for (let i = intPart.length; i > 0; i -= grouping) {
      const chunk = intPart.slice(Math.max(0, i - grouping), i);
      grouped = grouped ? `${chunk}${thousandSep}${grouped}` : chunk;
    }
    intPart = grouped;
  }
  return sign + intPart + decPart;
}

/** The exact decimal digits of a finite double: `value = digits × 10^-scale` (no rounding at all). */
export function exactDigits(value: number): { negative: boolean; digits: string; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mantissa = exp === 0 ? frac : frac | (1n << 52n);
  const e = exp === 0 ? -1074 : exp - 1075;
  if (e >= 0) return { negative, digits: (mantissa << BigInt(e)).toString(), scale: 0 };
  return { negative, digits: (mantissa * 5n ** BigInt(-e)).toString(), scale: -e };
}

/** Rounds a digit string (an integer) to drop its last `drop` digits, ties to even as Python's float formatting. */
function roundDigits(digits: string, drop: number): string {
  if (drop <= 0) return digits + '0'.repeat(-drop);
  const keep = digits.length > drop ? digits.slice(0, digits.length - drop) : '0';
  const rest = digits.length > drop ? digits.slice(digits.length - drop) : digits.padStart(drop, '0');
  const half = '5' + '0'.repeat(drop - 1);
  const up = rest > half || (rest === half && Number(keep.at(-1)) % 2 === 1);
  return up ? (BigInt(keep) + 1n).toString() : keep;
}

/** Python's `'%.{precision}f' % value` for a finite float: exact value, ties to even. Sign is not included. */
export function pyFixed(value: number, precision: number): string {
  const { digits, scale } = exactDigits(value);
  const rounded = roundDigits(digits, scale - precision).padStart(precision + 1, '0');
  if (precision === 0) return rounded;
  return `${rounded.slice(0, -precision)}.${rounded.slice(-precision)}`;
}

/** Python's `'%.{precision}e' % abs(value)` parts for a finite float: mantissa digits and exponent. */
export function pyExponent(value: number, precision: number): { mantissa: string; exponent: number } {
  const { digits: raw, scale } = exactDigits(Math.abs(value));
  const digits = raw.replace(/^0+/, '');
  if (digits === '') return { mantissa: '0'.repeat(precision + 1), exponent: 0 };
  let exponent = digits.length - 1 - scale;
  let rounded = roundDigits(digits, digits.length - (precision + 1));
  if (rounded.length > precision + 1) {
    rounded = rounded.slice(0, precision + 1);
    exponent += 1;
  }
  return { mantissa: rounded, exponent };
}

/** Python's `round(value, ndigits)` for a float: the nearest float to the exactly rounded decimal. */
export function pyRound(value: number, ndigits: number): number {
  if (!Number.isFinite(value)) return value;
  const text = pyFixed(Math.abs(value), ndigits);
  return (value < 0 ? -1 : 1) * Number(text);
}

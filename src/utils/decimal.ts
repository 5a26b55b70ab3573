/**
 * Exact decimal numbers that keep their digits, like Python's `Decimal`.
 *
 * decimal.js drops trailing zeros (`12.50` becomes `12.5`), but Django prints a
 * price stored as decimal(8,2) as `12.50`. This subclass remembers how many
 * places it was written or stored with and prints that many; arithmetic
 * results follow decimal.js (their exponent is not tracked).
 */
import { Decimal as DecimalJs } from 'decimal.js';

export class Decimal extends DecimalJs {
  /** Places after the point to print, when known (from text or a decimal column). */
  declare places: number | undefined;

  constructor(value: DecimalJs.Value, places?: number) {
    super(value);
    this.places = places ?? (typeof value === 'string' ? placesOf(value) : value instanceof Decimal ? value.places : undefined);
  }

  /** A decimal rounded (half even, as Python's default context) to exactly `places` places. */
  static quantized(value: DecimalJs.Value, places: number): Decimal {
    return new Decimal(new DecimalJs(value).toDecimalPlaces(places, DecimalJs.ROUND_HALF_EVEN), places);
  }

  override toString(): string {
    const text = this.places === undefined || !this.isFinite() ? super.toString() : this.toFixed(Math.max(this.places, this.decimalPlaces()));
    // decimal.js drops the sign of a negative zero; Python keeps it (str(Decimal('-0.00')) is '-0.00').
    return this.isZero() && this.isNegative() && !text.startsWith('-') ? `-${text}` : text;
  }

  override toJSON(): string {
    return this.toString();
  }
}

function placesOf(text: string): number | undefined {
  // Fast path for the plain digits a database column reads back as ('-12.50'): no regex per value.
  const n = text.length;
  let i = n > 0 && (text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43) ? 1 : 0;
  let dot = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && dot < 0) dot = i;
    else if (c < 48 || c > 57) break;
  }
  if (i === n && n > 0 && dot !== n - 1) {
    if (dot < 0) return text.charCodeAt(n - 1) !== 43 && text.charCodeAt(n - 1) !== 45 ? 0 : undefined;
    return n - dot - 1;
  }
  return slowPlacesOf(text);
}

function slowPlacesOf(text: string): number | undefined {
  const m = /^\s*[+-]?\d*\.(\d+)\s*$/.exec(text);
  if (m) return m[1]!.length;
  return /^\s*[+-]?\d+\s*$/.test(text) ? 0 : undefined;
}

export function isDecimal(value: unknown): value is DecimalJs {
  return value instanceof DecimalJs;
}

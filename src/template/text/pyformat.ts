/**
 * Python's printf-style `%` operator with one value, as the `stringformat`
 * filter applies it (`"%" + arg) % value`): `%s %r %a %d %i %u %f %F %e %E %g
 * %G %x %X %o %c %%`, flags `-+ 0#`, width, precision, `%(key)s` with dicts.
 */
import { Decimal, dictEntries, isDict, pyRepr, pyStr, isPyInt } from '../python.ts';
import { pyExponent, pyFixed } from '../numberformat.ts';

/** The value cannot be formatted (Python raises TypeError/ValueError; the filter shows ''). */
export class PyFormatError extends Error {}

const SPEC = /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.?)/gs;

function toInteger(value: unknown, conv: string): bigint {
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (isPyInt(value)) return BigInt(value);
    // %x/%o/%c need a true integer; %d truncates floats.
    if (conv === 'x' || conv === 'X' || conv === 'o' || conv === 'c') throw new PyFormatError('integer required');
    if (!Number.isFinite(value)) throw new PyFormatError('cannot convert float to integer');
    return BigInt(Math.trunc(value));
  }
  if (value instanceof Decimal && 'diu'.includes(conv)) {
    if (!value.isFinite()) throw new PyFormatError('cannot convert Decimal to integer');
    return BigInt(value.trunc().toFixed());
  }
  throw new PyFormatError('a number is required');
}

function toFloat(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Decimal) return value.toNumber();
  throw new PyFormatError('must be real number');
}

function formatFloat(x: number, conv: string, precision: number | null, alt: boolean): string {
  const upper = conv === 'F' || conv === 'E' || conv === 'G';
  if (!Number.isFinite(x)) {
    const word = Number.isNaN(x) ? 'nan' : 'inf';
    return upper ? word.toUpperCase() : word;
  }
  const p = precision ?? 6;
  const lower = conv.toLowerCase();
  if (lower === 'f') {
    const s = pyFixed(Math.abs(x), p);
    return alt && p === 0 ? `${s}.` : s;
  }
  if (lower === 'e') {
    const { mantissa, exponent } = pyExponent(x, p);
    const m = p === 0 ? mantissa + (alt ? '.' : '') : `${mantissa[0]}.${mantissa.slice(1)}`;
    const e = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
    return `${m}${upper ? 'E' : 'e'}${e}`;
  }
  // g: precision counts significant digits; exponent form outside [-4, precision).
  const P = p === 0 ? 1 : p;
  const { exponent } = pyExponent(x, P - 1);
  let s: string;
  if (exponent >= -4 && exponent < P) {
    s = pyFixed(Math.abs(x), P - 1 - exponent);
    if (!alt && s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    else if (alt && !s.includes('.')) s += '.';
  } else {
    const { mantissa } = pyExponent(x, P - 1);
    let m = mantissa.length > 1 ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
    if (!alt && m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    else if (alt && !m.includes('.')) m += '.';
    s = `${m}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return upper ? s.toUpperCase() : s;
}

function lookup(mapping: unknown, key: string): unknown {
  if (!isDict(mapping)) throw new PyFormatError('format requires a mapping');
  for (const [k, v] of dictEntries(mapping)) if (k === key) return v;
  throw new PyFormatError(`key ${key} missing`);
}

function convert(value: unknown, flags: string, width: number, precision: number | null, conv: string): string {
  let body: string;
  let sign = '';
  let prefix = '';
  let numeric = false;
  switch (conv) {
    case 's':
    case 'r':
    case 'a': {
      let text = conv === 's' ? pyStr(value) : pyRepr(value);
      if (conv === 'a') text = text.replace(/[^\x00-\x7f]/gu, (c) => {
        const cp = c.codePointAt(0)!;
        return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
      });
      body = precision === null ? text : [...text].slice(0, precision).join('');
      break;
    }
    case 'c': {
      if (typeof value === 'string' && [...value].length === 1) body = value;
      else {
        const n = toInteger(value, 'c');
        // Python raises OverflowError here, which Django does not catch.
        if (n < 0n || n > 0x10ffffn) throw new RangeError('%c arg not in range(0x110000)');
        body = String.fromCodePoint(Number(n));
      }
      break;
    }
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      numeric = true;
      const n = toInteger(value, conv);
      const abs = n < 0n ? -n : n;
      if (n < 0n) sign = '-';
      body = conv === 'x' ? abs.toString(16) : conv === 'X' ? abs.toString(16).toUpperCase() : conv === 'o' ? abs.toString(8) : abs.toString();
      if (precision !== null && body.length < precision) body = body.padStart(precision, '0');
      if (flags.includes('#') && conv !== 'd' && conv !== 'i' && conv !== 'u') prefix = conv === 'o' ? '0o' : conv === 'x' ? '0x' : '0X';
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      numeric = true;
      const x = toFloat(value);
      if (x < 0 || Object.is(x, -0)) sign = '-';
      body = formatFloat(Math.abs(x), conv, precision, flags.includes('#'));
      break;
    }
    default:
      throw new PyFormatError(`unsupported format character '${conv}'`);
  }
  if (numeric && !sign) sign = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const len = [...body].length + sign.length + prefix.length;
  if (len >= width) return sign + prefix + body;
  const pad = width - len;
  if (flags.includes('-')) return sign + prefix + body + ' '.repeat(pad);
  if (flags.includes('0') && numeric && /^[0-9a-fA-F]/.test(body)) return sign + prefix + '0'.repeat(pad) + body;
  return ' '.repeat(pad) + sign + prefix + body;
}

/**
 * `format % value` with Python's rules for one value. Throws
 * {@link PyFormatError} where Python raises (wrong type, too many or too few
 * conversions), which `stringformat` turns into ''.
 */
export function pyPercentFormat(format: string, value: unknown): string {
  let used = 0;
  let usedMapping = false;
  const out = format.replace(SPEC, (_m, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%' && key === undefined && !flags && !width && precision === undefined) return '%';
    if (conv === '') throw new PyFormatError('incomplete format');
    if (width === '*' || precision === '*') throw new PyFormatError('* wants int');
    let arg: unknown;
    if (key !== undefined) {
      arg = lookup(value, key);
      usedMapping = true;
    } else {
      if (used > 0) throw new PyFormatError('not enough arguments for format string');
      used += 1;
      arg = value;
    }
    if (conv === '%') return '%';
    const prec = precision === undefined ? null : precision === '' ? 0 : Number(precision);
    return convert(arg, flags, width ? Number(width) : 0, prec, conv);
  });
  // Python accepts a dict argument that no conversion used; any other unused value is an error.
  // Python accepts any value with __getitem__ (a list or dict) that no conversion used.
  if (used === 0 && !usedMapping && !isDict(value) && !Array.isArray(value)) throw new PyFormatError('not all arguments converted during string formatting');
  return out;
}


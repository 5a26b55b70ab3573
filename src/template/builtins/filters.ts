/**
 * Every built-in filter of Django 5.2, byte for byte.
 *
 * value → (engine: localtime, `stringFilter` → pyStr keeping the safe mark)
 * → filter function → (engine: `isSafe` re-marks the output safe).
 * Each filter fails the way Django's does: silently ('' or the value) where
 * Django catches the error, with a {@link FilterValueError} where Django's
 * render raises. Python semantics live in `../python.ts` and `./filters/coerce.ts`,
 * text algorithms in `../text/`.
 */
import { NuagesError } from '../../core/errors.ts';
import { SafeString, conditionalEscape, escapeHtml, markSafe } from '../../utils/safestring.ts';
import type { FilterCall, FilterFunction, FilterSpec } from '../types.ts';
import { formatDate, formatTime } from '../dateformat.ts';
import { numberFormat, pyRound } from '../numberformat.ts';
import { Decimal, decimalTuple, dictEntries, isDict, isTruthy, pyRepr, pyStr } from '../python.ts';
import {
  PyTypeError,
  PyValueError,
  asText,
  intResult,
  parseDecimal,
  pyAdd,
  pyCompare,
  pyFloat,
  pyIndex,
  pyInt,
  pyIter,
  pyLength,
  text,
} from './filters/coerce.ts';
import { floatformatFast } from './filters/fast-number.ts';
import { jsonScript } from './filters/json.ts';
import { pformat } from './filters/pformat.ts';
import { escapejs, iriToUri, linebreaks, quote, stripTags, urlize } from '../text/html.ts';
import { PyFormatError, pyPercentFormat } from '../text/pyformat.ts';
import {
  normalizeNewlines,
  phone2numeric,
  pyCenter,
  pyLen,
  pySplit,
  pyTitle,
  slugify,
  truncateChars,
  truncateCharsHtml,
  truncateWords,
  truncateWordsHtml,
  wordWrap,
} from '../text/text.ts';
import { TimesinceTypeError, timesince } from '../text/timesince.ts';

/**
 * A filter met a value or argument it cannot work with, where Django's render
 * raises too (e.g. `{{ x|divisibleby:"a" }}`, `{{ s|ljust:"wide" }}`).
 */
export class FilterValueError extends NuagesError {
  readonly code = 'NUAGES_TEMPLATE_FILTER_VALUE';
  constructor(filter: string, detail: string) {
    super(`The "${filter}" filter cannot use ${detail}. Pass it a value and an argument of the kind it expects.`);
  }
}

function describe(value: unknown): string {
  return pyRepr(value).slice(0, 60);
}

/** int(arg) where Django lets the ValueError/TypeError escape. */
function requireInt(filter: string, value: unknown, what = 'the argument'): number {
  try {
    return Number(pyInt(value));
  } catch {
    throw new FilterValueError(filter, `${what} ${describe(value)}: it is not an integer`);
  }
}

function isSafeText(value: unknown): value is SafeString {
  return value instanceof SafeString;
}

function spec(fn: FilterFunction, arg: FilterSpec['arg'], flags: Omit<FilterSpec, 'fn' | 'arg'> = {}): FilterSpec {
  return { fn, arg, ...flags };
}

// ---------------------------------------------------------------------------
// Numbers

function add(value: unknown, arg: unknown): unknown {
  try {
    return intResult(pyInt(value) + pyInt(arg));
  } catch (e) {
    if (!(e instanceof PyValueError || e instanceof PyTypeError)) throw e;
  }
  try {
    return pyAdd(value, arg);
  } catch {
    return '';
  }
}

function divisibleby(value: unknown, arg: unknown): boolean {
  // Safe integers divide exactly as numbers; everything else goes through int() as bigints.
  if (typeof value === 'number' && typeof arg === 'number' && Number.isSafeInteger(value) && Number.isSafeInteger(arg) && arg !== 0) {
    return value % arg === 0;
  }
  const v = safeInt('divisibleby', value, 'the value');
  const a = safeInt('divisibleby', arg);
  if (a === 0n) throw new FilterValueError('divisibleby', 'a divisor of zero');
  return v % a === 0n;
}

function safeInt(filter: string, value: unknown, what = 'the argument'): bigint {
  try {
    return pyInt(value);
  } catch {
    throw new FilterValueError(filter, `${what} ${describe(value)}: it is not an integer`);
  }
}

function getDigit(value: unknown, arg: unknown): unknown {
  let a: bigint;
  let v: bigint;
  try {
    a = pyInt(arg);
    v = pyInt(value);
  } catch {
    return value;
  }
  if (a < 1n) return intResult(v);
  const digits = v.toString();
  const i = digits.length - Number(a);
  if (i < 0) return 0;
  const ch = digits[i]!;
  if (ch === '-') throw new FilterValueError('get_digit', `the sign of ${describe(value)} as a digit`);
  return Number(ch);
}

function floatformat(value: unknown, arg: unknown): unknown {
  return floatformatFast(value, arg) ?? floatformatExact(value, arg);
}

/** `floatformat` through Python's Decimal arithmetic: every input, as Django computes it. */
export function floatformatExact(value: unknown, arg: unknown): unknown {
  let forceGrouping = false;
  let argument: unknown = arg === undefined ? -1 : arg;
  const argText = asText(argument);
  if (argText === '') throw new FilterValueError('floatformat', 'an empty argument');
  if (argText !== null) {
    const last2 = argText.slice(-2);
    if (last2 === 'gu' || last2 === 'ug') {
      // Unlocalized grouping uses settings.NUMBER_GROUPING, 0 by default: no separators.
      argument = argText.slice(0, -2) || -1;
    } else if (argText.endsWith('g')) {
      forceGrouping = true;
      argument = argText.slice(0, -1) || -1;
    } else if (argText.endsWith('u')) {
      argument = argText.slice(0, -1) || -1;
    }
  }
  const input = pyStr(value);
  let d: Decimal | null = value instanceof Decimal ? value : parseDecimal(input);
  if (d === null) {
    try {
      d = parseDecimal(pyStr(pyFloat(value)));
    } catch {
      return '';
    }
    if (d === null) return '';
  }
  let p: number;
  try {
    p = Number(pyInt(argument));
  } catch (e) {
    if (e instanceof PyValueError) return input;
    throw new FilterValueError('floatformat', `the argument ${describe(arg)}`);
  }
  if (!d.isFinite()) return input;
  const { digits, exponent } = decimalTuple(d);
  if (digits.length + Math.abs(exponent) > 200) return input;
  const whole = d.isInteger();
  if (whole && p <= 0) {
    return markSafe(numberFormat(d.trunc().abs().isZero() ? '0' : d.trunc().toFixed(0), { decimalPos: 0, forceGrouping }));
  }
  const places = Math.abs(p);
  const rounded = d.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  let number = rounded.abs().toFixed(places);
  if (places === 0) number += '.';
  if (rounded.isNegative() && !rounded.isZero()) number = `-${number}`;
  return markSafe(numberFormat(number, { decimalPos: places, forceGrouping }));
}

function filesizeformat(value: unknown): string {
  const nbsp = (s: string) => s.replace(/ /g, '\u00a0');
  let bytes: number;
  try {
    bytes = Number(pyInt(value));
  } catch {
    return nbsp('0 bytes');
  }
  const negative = bytes < 0;
  if (negative) bytes = -bytes;
  const fmt = (n: number) => numberFormat(pyRound(n, 1), { decimalPos: 1 });
  const KB = 1024;
  const MB = KB * 1024;
  const GB = MB * 1024;
  const TB = GB * 1024;
  const PB = TB * 1024;
  let out: string;
  if (bytes < KB) out = `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  else if (bytes < MB) out = `${fmt(bytes / KB)} KB`;
  else if (bytes < GB) out = `${fmt(bytes / MB)} MB`;
  else if (bytes < TB) out = `${fmt(bytes / GB)} GB`;
  else if (bytes < PB) out = `${fmt(bytes / TB)} TB`;
  else out = `${fmt(bytes / PB)} PB`;
  return nbsp(negative ? `-${out}` : out);
}

function pluralize(value: unknown, arg: unknown): string {
  if (arg === undefined && typeof value === 'number') return value === 1 ? '' : 's';
  let a = arg === undefined ? 's' : text(arg);
  if (!a.includes(',')) a = `,${a}`;
  const bits = a.split(',');
  if (bits.length > 2) return '';
  const [singular = '', plural = ''] = bits;
  try {
    return pyFloat(value) === 1 ? singular : plural;
  } catch (e) {
    if (e instanceof PyValueError) return '';
  }
  try {
    return pyLength(value) === 1 ? singular : plural;
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------
// Strings

function stringformat(value: unknown, arg: unknown): string {
  try {
    return pyPercentFormat(`%${text(arg)}`, value);
  } catch (e) {
    if (e instanceof PyFormatError) return '';
    if (e instanceof RangeError) throw new FilterValueError('stringformat', `${describe(value)}: ${e.message}`);
    throw e;
  }
}

function cut(value: unknown, arg: unknown): unknown {
  const out = text(value).split(text(arg)).join('');
  return isSafeText(value) && text(arg) !== ';' ? markSafe(out) : out;
}

function linenumbers(value: unknown, _arg: unknown, call: FilterCall): SafeString {
  const lines = text(value).split('\n');
  const width = String(lines.length).length;
  const raw = !call.autoescape || isSafeText(value);
  return markSafe(
    lines.map((line, i) => `${String(i + 1).padStart(width, '0')}. ${raw ? line : escapeHtml(line)}`).join('\n'),
  );
}

function padFilter(name: string, pad: (s: string, width: number) => string): FilterFunction {
  return (value, arg) => pad(text(value), requireInt(name, arg));
}

function truncating(name: string, fn: (s: string, n: number) => string): FilterFunction {
  return (value, arg) => {
    let n: number;
    if (typeof arg === 'number' && Number.isSafeInteger(arg)) return fn(text(value), arg);
    try {
      n = Number(pyInt(arg));
    } catch (e) {
      if (e instanceof PyValueError) return value;
      throw new FilterValueError(name, `the argument ${describe(arg)}`);
    }
    return fn(text(value), n);
  };
}

function wordwrap(value: unknown, arg: unknown): string {
  const width = requireInt('wordwrap', arg);
  if (width <= 0) throw new FilterValueError('wordwrap', `the width ${width}: it must be greater than 0`);
  return wordWrap(text(value), width);
}

function yesno(value: unknown, arg: unknown): unknown {
  const bits = (arg === undefined ? 'yes,no,maybe' : text(arg)).split(',');
  if (bits.length < 2) return value;
  const [yes, no] = bits as [string, string];
  const maybe = bits.length === 3 ? bits[2]! : no;
  if (value === null || value === undefined) return maybe;
  return isTruthy(value) ? yes : no;
}

// ---------------------------------------------------------------------------
// HTML

function joinFilter(value: unknown, arg: unknown, call: FilterCall): unknown {
  let items: unknown[];
  try {
    items = pyIter(value);
  } catch {
    return value;
  }
  if (call.autoescape) {
    const sep = conditionalEscape(arg instanceof SafeString ? arg : text(arg)).value;
    return markSafe(items.map((v) => conditionalEscape(v instanceof SafeString ? v : pyStr(v)).value).join(sep));
  }
  if (!items.every((v) => asText(v) !== null)) return value;
  return markSafe(items.map((v) => asText(v)!).join(text(arg)));
}

function linebreaksFilter(value: unknown, _arg: unknown, call: FilterCall): SafeString {
  return markSafe(linebreaks(text(value), call.autoescape && !isSafeText(value)));
}

function linebreaksbr(value: unknown, _arg: unknown, call: FilterCall): SafeString {
  let s = normalizeNewlines(text(value));
  if (call.autoescape && !isSafeText(value)) s = escapeHtml(s);
  return markSafe(s.replace(/\n/g, '<br>'));
}

function unorderedList(value: unknown, _arg: unknown, call: FilterCall): SafeString {
  const escaper = (x: unknown) => (call.autoescape ? conditionalEscape(x instanceof SafeString ? x : pyStr(x)).value : pyStr(x));
  const walk = (list: unknown[]): [unknown, unknown[] | null][] => {
    const out: [unknown, unknown[] | null][] = [];
    let i = 0;
    while (i < list.length) {
      const item = list[i];
      const next = list[i + 1];
      if (i + 1 < list.length && Array.isArray(next)) {
        out.push([item, next]);
        i += 2;
      } else {
        out.push([item, null]);
        i += 1;
      }
    }
    return out;
  };
  const format = (list: unknown[], tabs: number): string => {
    const indent = '\t'.repeat(tabs);
    return walk(list)
      .map(([item, children]) => {
        const sub = children && children.length ? `\n${indent}<ul>\n${format(children, tabs + 1)}\n${indent}</ul>\n${indent}` : '';
        return `${indent}<li>${escaper(item)}${sub}</li>`;
      })
      .join('\n');
  };
  let items: unknown[];
  try {
    items = pyIter(value);
  } catch {
    throw new FilterValueError('unordered_list', `the value ${describe(value)}: it is not a list`);
  }
  return markSafe(format(items, 1));
}

function urlizeFilter(limit: boolean): FilterFunction {
  return (value, arg, call) => {
    const trimUrlLimit = limit ? requireInt('urlizetrunc', arg) : null;
    return markSafe(
      urlize(text(value), { trimUrlLimit, nofollow: true, autoescape: call.autoescape, safeInput: isSafeText(value) }),
    );
  };
}

// ---------------------------------------------------------------------------
// Sequences

function pyRange(length: number, start: number | null, stop: number | null, step: number): number[] {
  const norm = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    if (v < 0) v += length;
    return Math.min(Math.max(v, lo), hi);
  };
  const out: number[] = [];
  if (step > 0) {
    const a = norm(start, 0, 0, length);
    const b = norm(stop, length, 0, length);
    for (let i = a; i < b; i += step) out.push(i);
  } else {
    const a = norm(start, length - 1, -1, length - 1);
    const b = norm(stop, -1, -1, length - 1);
    for (let i = a; i > b; i += step) out.push(i);
  }
  return out;
}

function sliceFilter(value: unknown, arg: unknown): unknown {
  const bits: (number | null)[] = [];
  try {
    for (const x of pyStr(arg).split(':')) bits.push(x === '' ? null : Number(pyInt(x)));
  } catch {
    return value;
  }
  if (bits.length > 3) return value;
  let [start, stop, step]: (number | null | undefined)[] = bits.length === 1 ? [null, bits[0], null] : bits;
  if (step === 0) return value;
  const s = asText(value);
  const seq: unknown[] | null = s !== null ? [...s] : Array.isArray(value) ? value : null;
  if (seq === null) return value;
  const picked = pyRange(seq.length, start ?? null, stop ?? null, step ?? 1).map((i) => seq[i]);
  if (s !== null) return picked.join('');
  return picked;
}

function propertyResolver(arg: unknown): (item: unknown) => unknown {
  const key = text(arg);
  let numeric = true;
  try {
    pyFloat(arg);
  } catch {
    numeric = false;
  }
  if (numeric) {
    // itemgetter(arg): the argument itself is the key (an int indexes a list).
    return (item) => {
      if (typeof arg === 'number' && (Array.isArray(item) || asText(item) !== null)) {
        try {
          return pyIndex(item, arg);
        } catch {
          throw new PyTypeError('index');
        }
      }
      if (isDict(item)) {
        for (const [k, v] of dictEntries(item)) if (k === arg) return v;
        // Django lets the KeyError of itemgetter escape.
        throw new FilterValueError('dictsort', `the key ${describe(arg)}: an item has no such key`);
      }
      throw new PyTypeError('itemgetter');
    };
  }
  if (key.includes('._') || key.startsWith('_')) throw new PyTypeError('private');
  const parts = key.split('.');
  return (item) => {
    let v: unknown = item;
    for (const part of parts) {
      if (v instanceof Map) {
        if (!v.has(part)) throw new PyTypeError('missing');
        v = v.get(part);
      } else if (v !== null && typeof v === 'object' && !Array.isArray(v) && part in v) {
        v = (v as Record<string, unknown>)[part];
      } else throw new PyTypeError('missing');
    }
    return v;
  };
}

function dictsortFilter(reverse: boolean): FilterFunction {
  return (value, arg) => {
    try {
      const resolve = propertyResolver(arg);
      const items = pyIter(value);
      const keyed = items.map((item) => ({ item, key: resolve(item) }));
      keyed.sort((a, b) => (reverse ? pyCompare(b.key, a.key) : pyCompare(a.key, b.key)));
      return keyed.map((k) => k.item);
    } catch (e) {
      if (e instanceof PyTypeError || e instanceof PyValueError) return '';
      throw e;
    }
  };
}

function firstOrLast(index: number): FilterFunction {
  return (value) => {
    try {
      return pyIndex(value, index);
    } catch (e) {
      if (e instanceof RangeError) return '';
      if (isDict(value)) return '';
      return '';
    }
  };
}

function length(value: unknown): number {
  try {
    return pyLength(value);
  } catch {
    return 0;
  }
}

function randomFilter(value: unknown): unknown {
  let items: unknown[];
  try {
    items = asText(value) !== null ? [...asText(value)!] : Array.isArray(value) ? value : pyIter(value);
  } catch {
    return '';
  }
  if (items.length === 0) return '';
  return items[Math.floor(Math.random() * items.length)];
}

// ---------------------------------------------------------------------------
// Dates

function dateFilter(value: unknown, arg: unknown, call: FilterCall): string {
  if (value === null || value === undefined || value === '') return '';
  const format = isTruthy(arg) ? text(arg) : 'DATE_FORMAT';
  return formatDate(value, format, call.timeZone);
}

function timeFilter(value: unknown, arg: unknown, call: FilterCall): string {
  if (value === null || value === undefined || value === '') return '';
  const format = isTruthy(arg) ? text(arg) : 'TIME_FORMAT';
  return formatTime(value, format, call.timeZone);
}

function since(reversed: boolean): FilterFunction {
  return (value, arg) => {
    if (!isTruthy(value)) return '';
    if (!(value instanceof Date)) return '';
    const now = isTruthy(arg) ? arg : null;
    if (now !== null && !(now instanceof Date)) return '';
    try {
      return timesince(value, now, reversed);
    } catch (e) {
      if (e instanceof TimesinceTypeError) return '';
      throw e;
    }
  };
}

/** Django 5.2's built-in filters, by name. `length_is` was removed in Django 5.1 and is absent here too. */
export const builtinFilters: Record<string, FilterSpec> = {
  add: spec(add, 'required'),
  addslashes: spec((v) => text(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'"), 'none', {
    isSafe: true,
    stringFilter: true,
  }),
  capfirst: spec(
    (v) => {
      const s = text(v);
      const first = s.codePointAt(0);
      if (first === undefined) return s;
      const ch = String.fromCodePoint(first);
      return ch.toUpperCase() + s.slice(ch.length);
    },
    'none',
    { isSafe: true, stringFilter: true },
  ),
  center: spec(padFilter('center', pyCenter), 'required', { isSafe: true, stringFilter: true }),
  cut: spec(cut, 'required', { stringFilter: true }),
  date: spec(dateFilter, 'optional', { expectsLocaltime: true }),
  default: spec((v, a) => (isTruthy(v) ? v : a), 'required'),
  default_if_none: spec((v, a) => (v === null || v === undefined ? a : v), 'required'),
  dictsort: spec(dictsortFilter(false), 'required'),
  dictsortreversed: spec(dictsortFilter(true), 'required'),
  divisibleby: spec(divisibleby, 'required'),
  escape: spec((v) => conditionalEscape(v), 'none', { isSafe: true, stringFilter: true }),
  escapejs: spec((v) => escapejs(text(v)), 'none', { stringFilter: true }),
  escapeseq: spec((v) => pyIter(v).map((o) => conditionalEscape(o instanceof SafeString ? o : pyStr(o))), 'none', {
    isSafe: true,
  }),
  filesizeformat: spec(filesizeformat, 'none', { isSafe: true }),
  first: spec(firstOrLast(0), 'none'),
  floatformat: spec(floatformat, 'optional', { isSafe: true }),
  force_escape: spec((v) => markSafe(escapeHtml(text(v))), 'none', { isSafe: true, stringFilter: true }),
  get_digit: spec(getDigit, 'required'),
  iriencode: spec((v) => iriToUri(text(v)), 'none', { isSafe: true, stringFilter: true }),
  join: spec(joinFilter, 'required', { isSafe: true, needsAutoescape: true }),
  json_script: spec((v, a) => jsonScript(v, a), 'optional', { isSafe: true }),
  last: spec(firstOrLast(-1), 'none', { isSafe: true }),
  length: spec(length, 'none'),
  linebreaks: spec(linebreaksFilter, 'none', { isSafe: true, needsAutoescape: true, stringFilter: true }),
  linebreaksbr: spec(linebreaksbr, 'none', { isSafe: true, needsAutoescape: true, stringFilter: true }),
  linenumbers: spec(linenumbers, 'none', { isSafe: true, needsAutoescape: true, stringFilter: true }),
  ljust: spec(padFilter('ljust', (s, w) => s + ' '.repeat(Math.max(0, w - pyLen(s)))), 'required', {
    isSafe: true,
    stringFilter: true,
  }),
  lower: spec((v) => text(v).toLowerCase(), 'none', { isSafe: true, stringFilter: true }),
  make_list: spec((v) => [...text(v)], 'none', { stringFilter: true }),
  phone2numeric: spec((v) => phone2numeric(text(v)), 'none', { isSafe: true }),
  pluralize: spec(pluralize, 'optional'),
  pprint: spec((v) => pformat(v), 'none', { isSafe: true }),
  random: spec(randomFilter, 'none', { isSafe: true }),
  rjust: spec(padFilter('rjust', (s, w) => ' '.repeat(Math.max(0, w - pyLen(s))) + s), 'required', {
    isSafe: true,
    stringFilter: true,
  }),
  safe: spec((v) => markSafe(text(v)), 'none', { isSafe: true, stringFilter: true }),
  safeseq: spec((v) => pyIter(v).map((o) => (o instanceof SafeString ? o : markSafe(pyStr(o)))), 'none', {
    isSafe: true,
  }),
  slice: spec(sliceFilter, 'required', { isSafe: true }),
  slugify: spec((v) => slugify(text(v)), 'none', { isSafe: true, stringFilter: true }),
  stringformat: spec(stringformat, 'required', { isSafe: true }),
  striptags: spec((v) => stripTags(text(v)), 'none', { isSafe: true, stringFilter: true }),
  time: spec(timeFilter, 'optional', { expectsLocaltime: true }),
  timesince: spec(since(false), 'optional'),
  timeuntil: spec(since(true), 'optional'),
  title: spec(
    (v) =>
      pyTitle(text(v))
        .replace(/([a-z])'([A-Z])/g, (m) => m.toLowerCase())
        .replace(/\d([A-Z])/g, (m) => m.toLowerCase()),
    'none',
    { isSafe: true, stringFilter: true },
  ),
  truncatechars: spec(truncating('truncatechars', (s, n) => truncateChars(s, n)), 'required', {
    isSafe: true,
    stringFilter: true,
  }),
  truncatechars_html: spec(truncating('truncatechars_html', (s, n) => truncateCharsHtml(s, n)), 'required', {
    isSafe: true,
    stringFilter: true,
  }),
  truncatewords: spec(truncating('truncatewords', (s, n) => truncateWords(s, n)), 'required', {
    isSafe: true,
    stringFilter: true,
  }),
  truncatewords_html: spec(truncating('truncatewords_html', (s, n) => truncateWordsHtml(s, n)), 'required', {
    isSafe: true,
    stringFilter: true,
  }),
  unordered_list: spec(unorderedList, 'none', { isSafe: true, needsAutoescape: true }),
  upper: spec((v) => text(v).toUpperCase(), 'none', { stringFilter: true }),
  urlencode: spec((v, a) => quote(text(v), a === undefined || a === null ? '/' : text(a)), 'optional', {
    stringFilter: true,
  }),
  urlize: spec(urlizeFilter(false), 'none', { isSafe: true, needsAutoescape: true, stringFilter: true }),
  urlizetrunc: spec(urlizeFilter(true), 'required', { isSafe: true, needsAutoescape: true, stringFilter: true }),
  wordcount: spec((v) => pySplit(text(v)).length, 'none', { stringFilter: true }),
  wordwrap: spec(wordwrap, 'required', { isSafe: true, stringFilter: true }),
  yesno: spec(yesno, 'optional'),
};

/**
 * Date, datetime, time and duration fields.
 *
 * Values match the ORM: dates are `DateOnly`, datetimes are `Date` instants
 * (a naive input is read in the current time zone when USE_TZ, as UTC
 * otherwise), times are `HH:MM:SS[.ffffff]` text, durations are milliseconds.
 * Input formats come from the *_INPUT_FORMATS settings, defaulting to the
 * English formats Django 5.2 uses, and are read as Python's strptime reads them.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { ValidationError } from '../../core/exceptions.ts';
import { DateOnly } from '../../utils/dates.ts';
import { fromWallClock, getCurrentTimeZone, wallClock, type WallClock } from '../../utils/timezone.ts';
import { DateInput, DateTimeInput, TimeInput, type Widget } from '../widgets.ts';
import { Field, type FieldOptions } from './base.ts';
import { pyStr, pyStrip } from './python.ts';

type WidgetCtor = new () => Widget;

/** Django 5.2's English DATE_INPUT_FORMATS (the default locale's). */
export const DEFAULT_DATE_INPUT_FORMATS = [
  '%Y-%m-%d', '%m/%d/%Y', '%m/%d/%y', '%b %d %Y', '%b %d, %Y', '%d %b %Y', '%d %b, %Y', '%B %d %Y', '%B %d, %Y', '%d %B %Y', '%d %B, %Y',
];
/** Django 5.2's English DATETIME_INPUT_FORMATS, plus the ISO date Django appends. */
export const DEFAULT_DATETIME_INPUT_FORMATS = [
  '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M:%S.%f', '%m/%d/%Y %H:%M',
  '%m/%d/%y %H:%M:%S', '%m/%d/%y %H:%M:%S.%f', '%m/%d/%y %H:%M', '%Y-%m-%d',
];
export const DEFAULT_TIME_INPUT_FORMATS = ['%H:%M:%S', '%H:%M:%S.%f', '%H:%M'];

const ISO_INPUT_FORMATS: Record<string, string[]> = {
  DATE_INPUT_FORMATS: ['%Y-%m-%d'],
  TIME_INPUT_FORMATS: ['%H:%M:%S', '%H:%M:%S.%f', '%H:%M'],
  DATETIME_INPUT_FORMATS: ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%Y-%m-%d'],
};

function inputFormats(name: string, fallback: string[]): string[] {
  const formats = [...settingOr<string[]>(name, fallback)];
  // Django's get_format() always appends the ISO formats a project's list lacks.
  for (const iso of ISO_INPUT_FORMATS[name] ?? []) if (!formats.includes(iso)) formats.push(iso);
  return formats;
}

// ---- strptime ---------------------------------------------------------------------

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const alternatives = (words: string[]) => [...words].sort((a, b) => b.length - a.length).join('|');
const DIRECTIVES: Record<string, string> = {
  Y: '(?<Y>\\d\\d\\d\\d)',
  y: '(?<y>\\d\\d)',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  d: '(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  H: '(?<H>2[0-3]|[01]\\d|\\d)',
  I: '(?<I>1[0-2]|0[1-9]|[1-9])',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[01]|[0-5]\\d|\\d)',
  f: '(?<f>[0-9]{1,6})',
  p: '(?<p>am|pm)',
  b: `(?<b>${alternatives(MONTHS.map((m) => m.slice(0, 3)))})`,
  B: `(?<B>${alternatives(MONTHS)})`,
  '%': '%',
};
const compiled = new Map<string, RegExp>();

function formatRegex(format: string): RegExp {
  let re = compiled.get(format);
  if (!re) {
    let source = '';
    for (let i = 0; i < format.length; i++) {
      const ch = format[i]!;
      if (ch === '%' && i + 1 < format.length) {
        const directive = DIRECTIVES[format[++i]!];
        if (directive === undefined) throw new RangeError(`'%${format[i]}' is not a supported input format directive.`);
        source += directive;
      } else if (/\s/.test(ch)) {
        while (i + 1 < format.length && /\s/.test(format[i + 1]!)) i++;
        source += '\\s+';
      } else {
        source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      }
    }
    re = new RegExp(`^(?:${source})$`, 'i');
    compiled.set(format, re);
  }
  return re;
}

interface Parsed extends WallClock {
  microsecond: number;
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(2000, m, 0)).getUTCDate() - (m === 2 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 1 : 0);
}

/** Python's datetime.strptime(text, format) for the directives input formats use; undefined when it raises. */
export function strptime(text: string, format: string): Parsed | undefined {
  const m = formatRegex(format).exec(text);
  if (!m) return undefined;
  const g = m.groups ?? {};
  let year = 1900;
  if (g.Y !== undefined) year = Number(g.Y);
  else if (g.y !== undefined) year = Number(g.y) + (Number(g.y) <= 68 ? 2000 : 1900);
  let month = 1;
  if (g.m !== undefined) month = Number(g.m);
  else if (g.b !== undefined) month = MONTHS.findIndex((n) => n.startsWith(g.b!.toLowerCase())) + 1;
  else if (g.B !== undefined) month = MONTHS.indexOf(g.B.toLowerCase()) + 1;
  const day = g.d !== undefined ? Number(g.d.trim()) : 1;
  let hour = g.H !== undefined ? Number(g.H) : 0;
  if (g.I !== undefined) {
    hour = Number(g.I) % 12;
    if (g.p?.toLowerCase() === 'pm') hour += 12;
  }
  const microsecond = g.f !== undefined ? Number(g.f.padEnd(6, '0')) : 0;
  const second = g.S !== undefined ? Number(g.S) : 0;
  if (second > 59 || !validDate(year, month, day)) return undefined;
  const minute = g.M !== undefined ? Number(g.M) : 0;
  return { year, month, day, hour, minute, second, millisecond: Math.floor(microsecond / 1000), microsecond };
}

// ---- ISO datetimes (Python 3.11's fromisoformat, then Django's datetime_re) ---------------

const ISO_DATE = /^(\d{4})(?:-(\d{2})-(\d{2})|(\d{2})(\d{2}))$/;
const ISO_TIME = /^(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?$/;
const ISO_TZ = /(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)$/;
const DJANGO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\n?$/;

interface ParsedDateTime extends Parsed {
  /** Offset from UTC in minutes, or null for a naive value. */
  offset: number | null;
}

function tzOffset(tz: string | undefined): number | null {
  if (tz === undefined) return null;
  if (tz === 'Z') return 0;
  const digits = tz.slice(1).replaceAll(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0) + Number(digits.slice(4) || 0) / 60;
  return tz[0] === '-' ? -minutes : minutes;
}

function fromIsoFormat(text: string): ParsedDateTime | undefined | 'error' {
  const dateLen = /^\d{4}-/.test(text) ? 10 : 8;
  const date = ISO_DATE.exec(text.slice(0, dateLen));
  if (!date) return undefined;
  const [year, month, day] = [Number(date[1]), Number(date[2] ?? date[4]), Number(date[3] ?? date[5])];
  if (!validDate(year, month, day)) return 'error';
  let rest = text.slice(dateLen + 1);
  if (text.length === dateLen) rest = '';
  else if (!rest) return undefined;
  let offset: number | null = null;
  const tz = ISO_TZ.exec(rest);
  if (tz && rest.length > tz[1]!.length) {
    offset = tzOffset(tz[1]);
    rest = rest.slice(0, -tz[1]!.length);
  }
  const time = rest ? ISO_TIME.exec(rest) : ['', '0', '0', '0'];
  if (!time) return undefined;
  const [hour, minute, second] = [Number(time[1]), Number(time[2] ?? 0), Number(time[3] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || (offset !== null && Math.abs(offset) >= 1440)) return 'error';
  const microsecond = time[4] ? Number(time[4].slice(0, 6).padEnd(6, '0')) : 0;
  return { year, month, day, hour, minute, second, microsecond, millisecond: Math.floor(microsecond / 1000), offset };
}

/** Django's parse_datetime: fromisoformat, then its own pattern. undefined: not a datetime; 'error': looks like one but is not valid. */
export function parseDateTime(text: string): ParsedDateTime | undefined | 'error' {
  const iso = fromIsoFormat(text);
  if (iso && iso !== 'error') return iso;
  const m = DJANGO_DATETIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return 'error';
  const microsecond = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  return { year, month, day, hour, minute, second, microsecond, millisecond: Math.floor(microsecond / 1000), offset: tzOffset(m[8]) };
}

function formatNaive(w: Parsed): string {
  const p = (n: number, l = 2) => String(n).padStart(l, '0');
  const base = `${p(w.year, 4)}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
  return w.microsecond ? `${base}.${p(w.microsecond, 6)}` : base;
}

/**
 * Django's from_current_timezone: a naive wall clock becomes an instant in the current zone (USE_TZ), or UTC.
 *
 * @throws ValidationError 'ambiguous_timezone' for a wall time the zone skips or repeats.
 */
export function fromCurrentTimezone(w: Parsed): Date {
  if (!settingOr('USE_TZ', true)) return new Date(fromWallClock(w, 'UTC').getTime());
  const zone = getCurrentTimeZone();
  const instant = fromWallClock(w, zone);
  const same = (d: Date) => {
    const x = wallClock(d, zone);
    return x.year === w.year && x.month === w.month && x.day === w.day && x.hour === w.hour && x.minute === w.minute && x.second === w.second;
  };
  // Ambiguous when the wall time also occurs an hour (or the zone's jump) later; imaginary when it never occurs.
  const HOUR = 3600_000;
  const repeated = [1, 2].some((h) => same(new Date(instant.getTime() + h * HOUR)) || same(new Date(instant.getTime() + h * HOUR / 2)));
  if (!same(instant) || repeated) {
    throw new ValidationError(
      '%(datetime)s couldn’t be interpreted in time zone %(current_timezone)s; it may be ambiguous or it may not exist.',
      { code: 'ambiguous_timezone', params: { datetime: formatNaive(w), current_timezone: zone } },
    );
  }
  return instant;
}

// ---- Fields ---------------------------------------------------------------------

export interface TemporalFieldOptions<R extends boolean = boolean> extends FieldOptions<R> {
  /** strptime formats to try in order; default from settings (*_INPUT_FORMATS). */
  inputFormats?: readonly string[];
}

abstract class BaseTemporalField<T, R extends boolean> extends Field<T, R> {
  // A plain property so Field.clone() copies it.
  protected _inputFormats: readonly string[] | null;

  constructor(options: TemporalFieldOptions<R> = {}) {
    super(options);
    this._inputFormats = options.inputFormats ?? null;
    this.applyWidgetAttrs();
  }

  protected abstract defaultFormats(): string[];

  get inputFormats(): readonly string[] {
    return this._inputFormats ?? this.defaultFormats();
  }

  protected parseFormats(value: unknown): Parsed {
    const text = pyStrip(pyStr(value));
    for (const format of this.inputFormats) {
      const parsed = strptime(text, format);
      if (parsed) return parsed;
    }
    throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
  }
}

/**
 * A calendar date (`DateOnly`), from any of DATE_INPUT_FORMATS.
 *
 * ```ts
 * new DateField().clean('10/25/2006').isoformat(); // '2006-10-25'
 * ```
 */
export class DateField<R extends boolean = true> extends BaseTemporalField<DateOnly, R> {
  static override widget: WidgetCtor = DateInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid date.' };

  protected defaultFormats(): string[] {
    return inputFormats('DATE_INPUT_FORMATS', DEFAULT_DATE_INPUT_FORMATS);
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (value instanceof DateOnly) return value;
    if (value instanceof Date) return DateOnly.fromDate(value, settingOr('USE_TZ', true) ? getCurrentTimeZone() : 'UTC');
    const p = this.parseFormats(value);
    return DateOnly.of(p.year, p.month, p.day);
  }
}

/**
 * A time of day as `HH:MM:SS[.ffffff]` text (the ORM's TimeField value), from any of TIME_INPUT_FORMATS.
 *
 * ```ts
 * new TimeField().clean('14:30'); // '14:30:00'
 * ```
 */
export class TimeField<R extends boolean = true> extends BaseTemporalField<string, R> {
  static override widget: WidgetCtor = TimeInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid time.' };

  protected defaultFormats(): string[] {
    return inputFormats('TIME_INPUT_FORMATS', DEFAULT_TIME_INPUT_FORMATS);
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    const p = this.parseFormats(value);
    const pad = (n: number, l = 2) => String(n).padStart(l, '0');
    const base = `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
    return p.microsecond ? `${base}.${pad(p.microsecond, 6)}` : base;
  }
}

/**
 * An instant (`Date`): ISO 8601 first, then DATETIME_INPUT_FORMATS and DATE_INPUT_FORMATS. Microseconds
 * beyond milliseconds are dropped (a JavaScript Date holds milliseconds).
 *
 * ```ts
 * new DateTimeField().clean('2006-10-25 14:30:59+02:00').toISOString(); // '2006-10-25T12:30:59.000Z'
 * ```
 */
export class DateTimeField<R extends boolean = true> extends BaseTemporalField<Date, R> {
  static override widget: WidgetCtor = DateTimeInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid date/time.' };

  protected defaultFormats(): string[] {
    return [
      ...inputFormats('DATETIME_INPUT_FORMATS', DEFAULT_DATETIME_INPUT_FORMATS),
      ...inputFormats('DATE_INPUT_FORMATS', DEFAULT_DATE_INPUT_FORMATS),
    ];
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (value instanceof DateOnly) {
      return fromCurrentTimezone({ year: value.year, month: value.month, day: value.day, hour: 0, minute: 0, second: 0, millisecond: 0, microsecond: 0 });
    }
    if (value instanceof Date) return value;
    const iso = parseDateTime(pyStrip(pyStr(value)));
    if (iso === 'error') throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
    if (iso && iso.offset !== null) {
      return new Date(fromWallClock(iso, 'UTC').getTime() - Math.round(iso.offset * 60000));
    }
    return fromCurrentTimezone(iso ?? this.parseFormats(value));
  }
}

const STANDARD_DURATION =
  /^(?:(?<days>-?\d+) (?:days?, )?)?(?<sign>-?)(?:(?<hours>\d+):(?=\d+:\d+))?(?:(?<minutes>\d+):)?(?<seconds>\d+)(?:[.,](?<microseconds>\d{1,6})\d{0,6})?\n?$/;
const ISO8601_DURATION =
  /^(?<sign>[-+]?)P(?:(?<days>\d+(?:[.,]\d+)?)D)?(?:T(?:(?<hours>\d+(?:[.,]\d+)?)H)?(?:(?<minutes>\d+(?:[.,]\d+)?)M)?(?:(?<seconds>\d+(?:[.,]\d+)?)S)?)?\n?$/;
const POSTGRES_INTERVAL =
  /^(?:(?<days>-?\d+) (?:days? ?))?(?:(?<sign>[-+])?(?<hours>\d+):(?<minutes>\d\d):(?<seconds>\d\d)(?:\.(?<microseconds>\d{1,6}))?)?\n?$/;
const MAX_DAYS = 999_999_999;
const DAY_US = 86_400_000_000;

/** Django's parse_duration as microseconds; undefined when no pattern matches, 'overflow' past ±999999999 days. */
export function parseDuration(text: string): number | undefined | 'overflow' {
  let re = STANDARD_DURATION;
  let m = re.exec(text);
  if (!m) m = (re = ISO8601_DURATION).exec(text);
  if (!m) m = (re = POSTGRES_INTERVAL).exec(text);
  if (!m) return undefined;
  const g = m.groups!;
  const sign = g.sign === '-' ? -1 : 1;
  const num = (v: string | undefined) => (v ? Number(v.replace(',', '.')) : 0);
  const days = num(g.days) * (re === ISO8601_DURATION ? sign : 1);
  if (Math.abs(days) > MAX_DAYS) return 'overflow';
  const micro = g.microseconds ? Number(g.microseconds.padEnd(6, '0')) : 0;
  const rest = num(g.hours) * 3600e6 + num(g.minutes) * 60e6 + num(g.seconds) * 1e6 + micro;
  const total = Math.round(days * DAY_US) + sign * Math.round(rest);
  if (Math.floor(total / DAY_US) > MAX_DAYS || Math.floor(total / DAY_US) < -MAX_DAYS) return 'overflow';
  return total;
}

/** Django's duration_string for milliseconds: "[D ]HH:MM:SS[.ffffff]". */
export function durationString(ms: number): string {
  const us = Math.round(ms * 1000);
  const days = Math.floor(us / DAY_US);
  let rem = us - days * DAY_US;
  const micro = rem % 1_000_000;
  rem = (rem - micro) / 1_000_000;
  const pad = (n: number, l = 2) => String(n).padStart(l, '0');
  let out = `${pad(Math.floor(rem / 3600))}:${pad(Math.floor(rem / 60) % 60)}:${pad(rem % 60)}`;
  if (days) out = `${days} ${out}`;
  if (micro) out += `.${pad(micro, 6)}`;
  return out;
}

/**
 * A length of time in milliseconds (the ORM's DurationField value), from "1 02:03:04", "P1DT2H" or "3 days 04:05:06".
 *
 * ```ts
 * new DurationField().clean('1:00:00'); // 3600000
 * ```
 */
export class DurationField<R extends boolean = true> extends Field<number, R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid: 'Enter a valid duration.',
    overflow: 'The number of days must be between -999999999 and 999999999.',
  };

  constructor(options: FieldOptions<R> = {}) {
    super(options);
    this.applyWidgetAttrs();
  }

  override prepareValue(value: unknown): unknown {
    return typeof value === 'number' && Number.isFinite(value) ? durationString(value) : value;
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (typeof value === 'number') return value;
    const us = parseDuration(pyStr(value));
    if (us === 'overflow') throw new ValidationError(this.errorMessages.overflow!, { code: 'overflow' });
    if (us === undefined) throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
    return us / 1000;
  }
}

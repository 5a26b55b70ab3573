/**
 * Django's date and time format characters (`{{ d|date:"D, d M Y" }}`, `{% now %}`).
 *
 * format string → pieces (format characters and literal text, `\` escapes a
 * character) → each character rendered from the value's wall-clock fields in the
 * render's time zone. English names only, as Django renders without a
 * translation catalogue.
 *
 * Values: a `DateOnly` is Python's `date` (time characters are an error, as in
 * Django), any other `Date` an aware datetime, shown in `timeZone`.
 */
import { NuagesError } from '../core/errors.ts';
import { DateOnly } from '../utils/dates.ts';
import { numberFormat } from './numberformat.ts';
import { Decimal } from './python.ts';
import { ZonedDateTime, zoneAbbreviation } from './zoned-datetime.ts';
import { wallClockAsUtc, zonedWallClock } from '../utils/timezone.ts';

/**
 * A date format asked a `date` (no time of day) for a time-related character.
 * Django raises a TypeError here and the render fails; so does Nuages.
 */
export class DateFormatTimeOnDateError extends NuagesError {
  readonly code = 'NUAGES_TEMPLATE_DATE_FORMAT_TIME_ON_DATE';
  constructor(character: string, format: string) {
    super(
      `The date format "${format}" uses the time-related character '${character}', but the value is a date ` +
        `without a time of day. Use a datetime value, or escape the character as '\\${character}'.`,
    );
  }
}

/** The English (en-us) named formats Django resolves in `date`, `time` and `{% now %}` arguments. */
export const NAMED_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  DATE_FORMAT: 'N j, Y',
  DATETIME_FORMAT: 'N j, Y, P',
  TIME_FORMAT: 'P',
  YEAR_MONTH_FORMAT: 'F Y',
  MONTH_DAY_FORMAT: 'F j',
  SHORT_DATE_FORMAT: 'm/d/Y',
  SHORT_DATETIME_FORMAT: 'm/d/Y P',
});

const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
// Associated Press style, as Django's `N`.
const MONTHS_AP = ['Jan.', 'Feb.', 'March', 'April', 'May', 'June', 'July', 'Aug.', 'Sept.', 'Oct.', 'Nov.', 'Dec.'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const FORMAT_CHARS = /(?<!\\)([aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ])/;
const ESCAPED = /\\(.)/gs;
/** Characters that belong to Django's TimeFormat: an error on a date, the only ones `time` accepts. */
const TIME_CHARS = new Set('aAefgGhHiOPsTuZ');
/** Characters whose value is '' when there is no time zone, instead of failing. */
const ZONE_CHARS = new Set('eOTZI');

/** Wall-clock fields of an instant in a time zone. */
interface Fields {
  year: number;
  month: number; // 1-12
  day: number;
  weekday: number; // 0 = Sunday
  hour: number;
  minute: number;
  second: number;
  micro: number;
  /** Offset from UTC in seconds; null for a date. */
  offset: number | null;
  zone: string | null;
  dst: boolean;
  /** Milliseconds since the epoch of the instant (a date: midnight UTC). */
  epochMs: number;
}

function zoneParts(ms: number, timeZone: string): { wall: number; zone: string } {
  const { wall, zoneName } = zonedWallClock(ms, timeZone);
  return { wall: wallClockAsUtc({ ...wall, millisecond: 0 }), zone: zoneName };
}

function offsetSeconds(ms: number, timeZone: string): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  return Math.round((zoneParts(whole, timeZone).wall - whole) / 1000);
}

function fieldsOf(value: Date, timeZone: string): Fields {
  // A datetime from the tz filters shows in its own zone, not the render's.
  if (value instanceof ZonedDateTime) timeZone = value.timeZone;
  const ms = value.getTime();
  const isDate = value instanceof DateOnly;
  let offset = 0;
  let zone = 'UTC';
  let dst = false;
  if (!isDate && timeZone !== 'UTC') {
    const whole = ms - (((ms % 1000) + 1000) % 1000);
    const parts = zoneParts(whole, timeZone);
    offset = Math.round((parts.wall - whole) / 1000);
    // Intl says "GMT+9" where the tzdata Django reads says "JST": the table fills the gap.
    zone = zoneAbbreviation(whole, timeZone, offset, parts.zone);
    const year = new Date(ms).getUTCFullYear();
    const jan = offsetSeconds(Date.UTC(year, 0, 1), timeZone);
    const jul = offsetSeconds(Date.UTC(year, 6, 1), timeZone);
    dst = offset > Math.min(jan, jul);
  }
  const wall = new Date(ms + offset * 1000);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    weekday: wall.getUTCDay(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    micro: wall.getUTCMilliseconds() * 1000,
    offset: isDate ? null : offset,
    zone: isDate ? null : zone,
    dst,
    epochMs: ms,
  };
}

function pad(n: number, width = 2): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function dayOfYear(f: Fields): number {
  let n = f.day;
  for (let m = 1; m < f.month; m++) n += daysInMonth(f.year, m);
  return n;
}

/** ISO 8601 week-numbering year and week (Python's `isocalendar()`). */
function isoWeek(f: Fields): { year: number; week: number } {
  const d = new Date(Date.UTC(2000, f.month - 1, f.day));
  d.setUTCFullYear(f.year);
  const isoDay = f.weekday === 0 ? 7 : f.weekday;
  d.setUTCDate(d.getUTCDate() + 4 - isoDay); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const jan1 = new Date(Date.UTC(2000, 0, 1));
  jan1.setUTCFullYear(year);
  const week = Math.floor((d.getTime() - jan1.getTime()) / 86_400_000 / 7) + 1;
  return { year, week };
}

function hour12(f: Fields): number {
  return f.hour % 12 || 12;
}

function fTime(f: Fields): string {
  return f.minute ? `${hour12(f)}:${pad(f.minute)}` : String(hour12(f));
}

function ampm(f: Fields): string {
  return f.hour > 11 ? 'p.m.' : 'a.m.';
}

function isoOffset(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 3600))}${colon ? ':' : ''}${pad(Math.floor(abs / 60) % 60)}`;
}

function render(ch: string, f: Fields): string {
  switch (ch) {
    case 'a': return ampm(f);
    case 'A': return f.hour > 11 ? 'PM' : 'AM';
    case 'b': return MONTHS[f.month - 1]!.slice(0, 3).toLowerCase();
    case 'c': {
      const date = `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`;
      if (f.offset === null) return date;
      const micro = f.micro ? `.${pad(f.micro, 6)}` : '';
      return `${date}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}${micro}${isoOffset(f.offset, true)}`;
    }
    case 'd': return pad(f.day);
    case 'D': return DAYS[f.weekday]!.slice(0, 3);
    case 'e': return f.zone ?? '';
    case 'E':
    case 'F': return MONTHS[f.month - 1]!;
    case 'f': return fTime(f);
    case 'g': return String(hour12(f));
    case 'G': return String(f.hour);
    case 'h': return pad(hour12(f));
    case 'H': return pad(f.hour);
    case 'i': return pad(f.minute);
    case 'I': return f.offset === null ? '' : f.dst ? '1' : '0';
    case 'j': return String(f.day);
    case 'l': return DAYS[f.weekday]!;
    case 'L': return isLeap(f.year) ? 'True' : 'False';
    case 'm': return pad(f.month);
    case 'M': return MONTHS[f.month - 1]!.slice(0, 3);
    case 'n': return String(f.month);
    case 'N': return MONTHS_AP[f.month - 1]!;
    case 'o': return String(isoWeek(f).year);
    case 'O': return f.offset === null ? '' : isoOffset(f.offset, false);
    case 'P':
      if (f.minute === 0 && f.hour === 0) return 'midnight';
      if (f.minute === 0 && f.hour === 12) return 'noon';
      return `${fTime(f)} ${ampm(f)}`;
    case 'r': {
      // RFC 5322; a date counts as midnight in the default time zone.
      const offset = f.offset ?? 0;
      return (
        `${DAYS[f.weekday]!.slice(0, 3)}, ${pad(f.day)} ${MONTHS[f.month - 1]!.slice(0, 3)} ${pad(f.year, 4)} ` +
        `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)} ${isoOffset(offset, false)}`
      );
    }
    case 's': return pad(f.second);
    case 'S':
      if (f.day >= 11 && f.day <= 13) return 'th';
      return ['th', 'st', 'nd', 'rd'][f.day % 10] ?? 'th';
    case 't': return String(daysInMonth(f.year, f.month));
    case 'T': return f.zone ?? '';
    case 'u': return pad(f.micro, 6);
    case 'U': return String(Math.trunc(f.epochMs / 1000));
    case 'w': return String(f.weekday);
    case 'W': return String(isoWeek(f).week);
    case 'y': return pad(((f.year % 100) + 100) % 100);
    case 'Y': return pad(f.year, 4);
    case 'z': return String(dayOfYear(f));
    case 'Z': return f.offset === null ? '' : String(f.offset);
    default: return ch;
  }
}

type Piece = { char: string } | { text: string };
const parsed = new Map<string, Piece[]>();

function parse(format: string): Piece[] {
  let pieces = parsed.get(format);
  if (!pieces) {
    pieces = [];
    format.split(FORMAT_CHARS).forEach((part, i) => {
      if (i % 2) pieces!.push({ char: part });
      else if (part) pieces!.push({ text: part.replace(ESCAPED, '$1') });
    });
    if (parsed.size > 1000) parsed.clear();
    parsed.set(format, pieces);
  }
  return pieces;
}

function resolveFormat(format: string): string {
  return Object.hasOwn(NAMED_FORMATS, format) ? NAMED_FORMATS[format]! : format;
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

// A value Django cannot format: characters that only need the time zone give '' (there is
// none), any other character fails and the filter shows ''. Literal text survives.
function formatNonDate(pieces: Piece[]): string {
  let out = '';
  for (const piece of pieces) {
    if ('text' in piece) out += piece.text;
    else if (ZONE_CHARS.has(piece.char)) continue;
    else return '';
  }
  return out;
}

/**
 * Formats a date or datetime with Django's date format characters, as the
 * `date` filter and `{% now %}` do. Named formats (`DATE_FORMAT`,
 * `SHORT_DATE_FORMAT`, …) resolve to their English forms.
 *
 * Returns '' for values that are not dates (keeping literal-only formats, as
 * Django). Throws {@link DateFormatTimeOnDateError} when a `DateOnly` meets a
 * time-related character, as Django's renderer raises.
 *
 * @example formatDate(DateOnly.of(2024, 1, 5), 'jS F Y', 'UTC') === '5th January 2024'
 */
export function formatDate(value: unknown, format: string, timeZone = 'UTC'): string {
  const pieces = parse(resolveFormat(format));
  if (!isValidDate(value)) return formatNonDate(pieces);
  if (value instanceof DateOnly) {
    for (const piece of pieces) {
      if ('char' in piece && TIME_CHARS.has(piece.char)) throw new DateFormatTimeOnDateError(piece.char, format);
    }
  }
  const fields = fieldsOf(value, timeZone);
  let out = '';
  for (const piece of pieces) out += 'text' in piece ? piece.text : render(piece.char, fields);
  return out;
}

/**
 * Formats the time of a datetime, as the `time` filter does: only time
 * characters are allowed; a date character, a `DateOnly` or a non-date value
 * gives '' (literal-only formats pass through).
 */
export function formatTime(value: unknown, format: string, timeZone = 'UTC'): string {
  const pieces = parse(resolveFormat(format));
  if (!isValidDate(value) || value instanceof DateOnly) return formatNonDate(pieces);
  if (pieces.some((p) => 'char' in p && !TIME_CHARS.has(p.char))) return '';
  const fields = fieldsOf(value, timeZone);
  let out = '';
  for (const piece of pieces) out += 'text' in piece ? piece.text : render(piece.char, fields);
  return out;
}

/**
 * What Django's `localize()` makes of a value printed by `{{ v }}`: a date in
 * DATE_FORMAT (`N j, Y`), a datetime in DATETIME_FORMAT (`N j, Y, P`) in
 * `timeZone`, booleans as `True`/`False`, numbers through number formatting
 * (floats never in exponent form: `1e16` prints `10000000000000000`).
 * Any other value comes back unchanged (strings keep their safe mark).
 */
export function localizeValue(value: unknown, timeZone = 'UTC'): unknown {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof DateOnly) return formatDate(value, 'N j, Y', timeZone);
  if (isValidDate(value)) return formatDate(value, 'N j, Y, P', timeZone);
  if (typeof value === 'number' || value instanceof Decimal) return numberFormat(value);
  return value;
}

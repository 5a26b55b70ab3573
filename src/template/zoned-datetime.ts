/**
 * Datetimes pinned to a time zone, and the names of time zones.
 *
 * A plain `Date` is an aware datetime that templates show in the current time
 * zone. The `localtime`, `utc` and `timezone` filters of `{% load tz %}` return
 * a {@link ZonedDateTime}: the same instant, shown in its own zone wherever it
 * goes afterwards (Django's `convert_to_local_time = False`).
 */
import { ABBREVIATIONS } from './tz-abbreviations.ts';

/**
 * An instant shown in a fixed time zone, as Django's datetime with a tzinfo.
 *
 * @example new ZonedDateTime(new Date('2024-01-05T14:00:00Z'), 'Asia/Tokyo') // shows 23:00 JST
 */
export class ZonedDateTime extends Date {
  /** IANA name of the zone the value is shown in. */
  readonly timeZone: string;

  constructor(instant: Date | number, timeZone: string) {
    super(typeof instant === 'number' ? instant : instant.getTime());
    this.timeZone = timeZone;
  }
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const shortFormatters = new Map<string, Intl.DateTimeFormat>();

function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, style: 'longOffset' | 'short'): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: style });
    cache.set(timeZone, f);
  }
  return f;
}

function zoneName(f: Intl.DateTimeFormat, ms: number): string {
  for (const part of f.formatToParts(ms)) if (part.type === 'timeZoneName') return part.value;
  return '';
}

/** Whether Intl (and so the template engine) knows the IANA zone `name`. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(offsetFormatters, name, 'longOffset');
    return true;
  } catch {
    return false;
  }
}

/** The UTC offset in seconds of `timeZone` at the instant `ms`. */
export function utcOffsetSeconds(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  // "GMT+09:00", "GMT-03:30", or "GMT" for a zero offset.
  const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(zoneName(formatter(offsetFormatters, timeZone, 'longOffset'), ms));
  if (!m) return 0;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -seconds : seconds;
}

/**
 * The zone's abbreviation as Intl gives it in en-US, with Intl's "GMT+9"
 * forms written the way the tzdata writes zones without a name ("+09", "+0530").
 * @internal The generator of the abbreviation table compares this with Python.
 */
export function intlAbbreviation(
  ms: number,
  timeZone: string,
  offsetSeconds: number,
  name = zoneName(formatter(shortFormatters, timeZone, 'short'), ms),
): string {
  if (!/^GMT[+-]\d/.test(name)) return name;
  const abs = Math.abs(offsetSeconds);
  const hours = String(Math.floor(abs / 3600)).padStart(2, '0');
  const minutes = Math.floor((abs % 3600) / 60);
  return `${offsetSeconds < 0 ? '-' : '+'}${hours}${minutes ? String(minutes).padStart(2, '0') : ''}`;
}

let table: Map<string, Map<number, string>> | undefined;

function abbreviationTable(): Map<string, Map<number, string>> {
  if (!table) {
    table = new Map();
    for (const [pairs, zones] of Object.entries(ABBREVIATIONS)) {
      const byOffset = new Map<number, string>();
      for (const pair of pairs.split(' ')) {
        const [minutes, name] = pair.split('=');
        byOffset.set(Number(minutes) * 60, name!);
      }
      for (const zone of zones.split(' ')) table.set(zone, byOffset);
    }
  }
  return table;
}

/**
 * The abbreviation Django prints for `timeZone` at an instant (`e`, `T`):
 * the tzdata's name ("JST", "CEST", "+04"), from Intl's en-US short name and
 * a table of the zones where the two differ. `intlName`: Intl's en-US short
 * name when the caller already has it.
 */
export function zoneAbbreviation(ms: number, timeZone: string, offsetSeconds: number, intlName?: string): string {
  if (timeZone === 'UTC') return 'UTC';
  const known = abbreviationTable().get(timeZone)?.get(offsetSeconds);
  return known ?? intlAbbreviation(ms, timeZone, offsetSeconds, intlName);
}

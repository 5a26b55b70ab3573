/**
 * The current time zone (Django's `timezone.get_current_timezone()`).
 *
 * Settings' TIME_ZONE is the default; `activate()` overrides it for the current
 * async context (a request in a user's zone), so date lookups and template
 * dates use it without threading it through every call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

let defaultTimeZone = 'UTC';
const active = new AsyncLocalStorage<string>();

function checkZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new RangeError(`'${zone}' is not a known IANA time zone name (e.g. 'UTC', 'Europe/Paris').`);
  }
  return zone;
}

/** Sets the process default, normally from settings.TIME_ZONE. */
export function setDefaultTimeZone(zone: string): void {
  defaultTimeZone = checkZone(zone);
}

export function getDefaultTimeZone(): string {
  return defaultTimeZone;
}

export function getCurrentTimeZone(): string {
  return active.getStore() ?? defaultTimeZone;
}

/** Runs `fn` with `zone` as the current time zone. */
export function withTimeZone<T>(zone: string, fn: () => T): T {
  return active.run(checkZone(zone), fn);
}

/** The current instant, as an aware datetime. */
export function now(): Date {
  return new Date();
}

/** Calendar and clock fields of an instant as seen in a time zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of `date` in `zone` (UTC when zone is 'UTC'). */
export function wallClock(date: Date, zone: string): WallClock {
  if (zone === 'UTC') {
    return {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      millisecond: date.getUTCMilliseconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    millisecond: date.getUTCMilliseconds(),
  };
}

/** Offset of `zone` from UTC at `date`, in minutes (Paris in winter: 60). */
export function utcOffsetMinutes(date: Date, zone: string): number {
  const w = wallClock(date, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  return Math.round((asUtc - date.getTime()) / 60000);
}

/** The instant at which `zone`'s clocks show this wall time (the earlier one when ambiguous). */
export function fromWallClock(w: WallClock, zone: string): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);
  if (zone === 'UTC') return new Date(guess);
  // The offsets in force half a day either side bracket any transition near this wall time.
  const HALF_DAY = 12 * 3600 * 1000;
  const before = guess - utcOffsetMinutes(new Date(guess - HALF_DAY), zone) * 60000;
  const after = guess - utcOffsetMinutes(new Date(guess + HALF_DAY), zone) * 60000;
  const shows = (instant: number): boolean => guess - utcOffsetMinutes(new Date(instant), zone) * 60000 === instant;
  // Ambiguous (autumn): both are valid, take the earlier. Skipped (spring): neither is, so use the
  // offset from before the jump, as Python's zoneinfo does with fold=0.
  if (shows(before) || !shows(after)) return new Date(Math.min(before, shows(after) ? after : before));
  return new Date(after);
}

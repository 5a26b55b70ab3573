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

// A replaced clock (nuages/test's freezeTime()); null reads the system clock through
// `new Date()`, so node:test's mock.timers (which swaps Date) still applies.
let readClock: (() => number) | null = null;

/**
 * Replaces the clock `now()` reads (null restores the system clock) and returns the
 * previous one. For test tools: use `freezeTime()` from nuages/test in tests.
 */
export function setClock(read: (() => number) | null): (() => number) | null {
  const previous = readClock;
  readClock = read;
  return previous;
}

/** The current instant, as an aware datetime (frozen under nuages/test's freezeTime()). */
export function now(): Date {
  return readClock === null ? new Date() : new Date(readClock());
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

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * Python's `datetime.isoformat(sep)` of a wall-clock time (`str(datetime)` with sep ' '):
 * `.ffffff` when `withMicroseconds` and the time has any, as Python omits zero ones, then
 * `suffix` ('+00:00' for an aware UTC time, '' for a naive one).
 */
export function pythonIsoformat(w: WallClock, options: { sep?: string; withMicroseconds?: boolean; suffix?: string } = {}): string {
  const { sep = 'T', withMicroseconds = true, suffix = '' } = options;
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}${sep}${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  return `${withMicroseconds && w.millisecond ? `${base}.${pad(w.millisecond * 1000, 6)}` : base}${suffix}`;
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
      era: 'short',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of an instant in `zone`, and the zone's short name there as Intl gives it ("EST", "GMT+9"). */
export function zonedWallClock(ms: number, zone: string): { wall: WallClock; zoneName: string } {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(ms)) parts[part.type] = part.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const wall = {
    year,
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    millisecond: ((ms % 1000) + 1000) % 1000,
  };
  return { wall, zoneName: parts.timeZoneName ?? zone };
}

/** Milliseconds since the epoch of a wall clock read as UTC (years 0-99 stay themselves, unlike Date.UTC). */
export function wallClockAsUtc(w: WallClock): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, w.millisecond);
  return d.getTime();
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
  return zonedWallClock(date.getTime(), zone).wall;
}

/** Offset of `zone` from UTC at `date`, in minutes (Paris in winter: 60). */
export function utcOffsetMinutes(date: Date, zone: string): number {
  return Math.round((wallClockAsUtc(wallClock(date, zone)) - date.getTime()) / 60000);
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

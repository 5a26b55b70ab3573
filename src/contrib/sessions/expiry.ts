/**
 * A session's custom expiry (`_session_expiry`) as Django stores it in session data:
 * seconds of inactivity (a number), or a moment written by Python's `isoformat()`.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { parseDateTime } from '../../forms/fields/temporal.ts';
import { fromWallClock, getDefaultTimeZone, wallClock, type WallClock } from '../../utils/timezone.ts';

/** What `_session_expiry` may hold, and what `getExpiryAge({ expiry })` accepts. */
export type SessionExpiry = number | string | Date | null | undefined;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function isoformat(w: WallClock, micro: number, suffix: string): string {
  const base = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  return `${micro ? `${base}.${pad(micro, 6)}` : base}${suffix}`;
}

/**
 * A moment as Django's `set_expiry(datetime)` stores it: aware UTC
 * (`2025-03-01T12:00:00.250000+00:00`) with USE_TZ, else naive wall-clock time in TIME_ZONE.
 */
export function formatExpiry(date: Date): string {
  const micro = (((date.getTime() % 1000) + 1000) % 1000) * 1000;
  if (settingOr('USE_TZ', true)) return isoformat(wallClock(date, 'UTC'), micro, '+00:00');
  return isoformat(wallClock(date, getDefaultTimeZone()), micro, '');
}

/**
 * The moment an isoformat string names (Python's `datetime.fromisoformat`); a naive one
 * is read in TIME_ZONE. undefined when the text is not a datetime.
 */
export function parseExpiry(text: string): Date | undefined {
  const parsed = parseDateTime(text);
  if (parsed === undefined || parsed === 'error') return undefined;
  if (parsed.offset === null) return fromWallClock(parsed, getDefaultTimeZone());
  return new Date(fromWallClock(parsed, 'UTC').getTime() - parsed.offset * 60_000);
}

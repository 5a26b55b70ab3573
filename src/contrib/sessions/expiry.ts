/**
 * A session's custom expiry (`_session_expiry`) as Django stores it in session data:
 * seconds of inactivity (a number), or a moment written by Python's `isoformat()`.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { parseDateTime } from '../../forms/fields/temporal.ts';
import { fromWallClock, getDefaultTimeZone, pythonIsoformat, wallClock } from '../../utils/timezone.ts';

/** What `_session_expiry` may hold, and what `getExpiryAge({ expiry })` accepts. */
export type SessionExpiry = number | string | Date | null | undefined;

/**
 * A moment as Django's `set_expiry(datetime)` stores it: aware UTC
 * (`2025-03-01T12:00:00.250000+00:00`) with USE_TZ, else naive wall-clock time in TIME_ZONE.
 */
export function formatExpiry(date: Date): string {
  if (settingOr('USE_TZ', true)) return pythonIsoformat(wallClock(date, 'UTC'), { suffix: '+00:00' });
  return pythonIsoformat(wallClock(date, getDefaultTimeZone()));
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

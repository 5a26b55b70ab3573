/**
 * Date functions registered on SQLite connections, so date lookups and
 * dates()/datetimes() follow the current time zone as Django's do. Datetimes
 * are stored as UTC text; dates as `YYYY-MM-DD`.
 */
import type { DatabaseSync } from 'node:sqlite';
import { fromWallClock, wallClock, type WallClock } from '../../../utils/timezone.ts';

function parseStored(value: unknown, zone: string | null): WallClock | null {
  if (value === null || value === undefined) return null;
  const text = String(value);
  // A TimeField stores only `HH:MM[:SS[.ffffff]]`: read it on a neutral day, never shifted by a zone.
  const t = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(text);
  if (t) {
    const ms = Number((t[4] ?? '0').padEnd(3, '0').slice(0, 3));
    return wallClock(new Date(Date.UTC(1900, 0, 1, Number(t[1]), Number(t[2]), Number(t[3] ?? 0), ms)), 'UTC');
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?/.exec(text);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)));
  return wallClock(new Date(utc), zone ?? 'UTC');
}

/** ISO week-numbering year and week of a calendar day. */
function isoWeek(w: WallClock): { year: number; week: number } {
  const date = new Date(Date.UTC(w.year, w.month - 1, w.day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return { year: date.getUTCFullYear(), week: Math.ceil(((date.getTime() - yearStart) / 86400000 + 1) / 7) };
}

export function datePart(part: unknown, value: unknown, zone: unknown): number | null {
  const w = parseStored(value, (zone as string | null) ?? null);
  if (!w) return null;
  const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay(); // 0 = Sunday
  switch (part) {
    case 'year': return w.year;
    case 'month': return w.month;
    case 'day': return w.day;
    case 'hour': return w.hour;
    case 'minute': return w.minute;
    case 'second': return w.second;
    case 'quarter': return Math.ceil(w.month / 3);
    case 'week_day': return weekday + 1;
    case 'iso_week_day': return weekday || 7;
    case 'week': return isoWeek(w).week;
    case 'iso_year': return isoWeek(w).year;
    default: return null;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function dateText(w: WallClock): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

export function castDate(value: unknown, zone: unknown): string | null {
  const w = parseStored(value, (zone as string | null) ?? null);
  return w ? dateText(w) : null;
}

export function castTime(value: unknown, zone: unknown): string | null {
  const w = parseStored(value, (zone as string | null) ?? null);
  return w ? `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` : null;
}

/**
 * Truncates to `kind` in the time zone. Returns `YYYY-MM-DD` without a zone
 * (a date), or the UTC instant as ISO text when a zone is given (a datetime).
 */
export function dateTrunc(kind: unknown, value: unknown, zone: unknown): string | null {
  const tz = (zone as string | null) ?? null;
  const w = parseStored(value, tz);
  if (!w) return null;
  const t: WallClock = { ...w, millisecond: 0 };
  switch (kind) {
    case 'year': Object.assign(t, { month: 1, day: 1, hour: 0, minute: 0, second: 0 }); break;
    case 'month': Object.assign(t, { day: 1, hour: 0, minute: 0, second: 0 }); break;
    case 'week': {
      const monday = new Date(Date.UTC(w.year, w.month - 1, w.day));
      monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
      Object.assign(t, { year: monday.getUTCFullYear(), month: monday.getUTCMonth() + 1, day: monday.getUTCDate(), hour: 0, minute: 0, second: 0 });
      break;
    }
    case 'day': Object.assign(t, { hour: 0, minute: 0, second: 0 }); break;
    case 'hour': Object.assign(t, { minute: 0, second: 0 }); break;
    case 'minute': Object.assign(t, { second: 0 }); break;
    case 'second': break;
    default: return null;
  }
  if (tz === null) return dateText(t);
  return fromWallClock(t, tz).toISOString();
}

export function registerDateFunctions(db: DatabaseSync): void {
  const options = { deterministic: true };
  db.function('nuages_date_part', options, datePart);
  db.function('nuages_datetime_cast_date', options, castDate);
  db.function('nuages_datetime_cast_time', options, castTime);
  db.function('nuages_date_trunc', options, dateTrunc);
}

/**
 * Date, datetime, time and duration fields.
 *
 * Datetimes are aware: a JavaScript `Date` is an instant, stored in UTC (as
 * Django does with USE_TZ). Dates are `DateOnly` (a calendar day), times are
 * `HH:MM:SS[.ffffff]` strings, durations are milliseconds (fractions keep
 * microseconds) stored as integer microseconds.
 */
import { DateOnly } from '../../../utils/dates.ts';
import type { SqlParam } from '../../backends/base/types.ts';
import { Field, type DbConverter, type FieldOptions } from './field.ts';

export interface TemporalFieldOptions<T, N extends boolean> extends FieldOptions<T> {
  /** Set to the current time on every save (Django's auto_now). */
  autoNow?: boolean;
  /** Set to the current time when the row is first inserted (Django's auto_now_add). */
  autoNowAdd?: boolean;
  null?: N;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses Django's and ISO's datetime text; text without an offset is UTC. */
export function parseDateTime(text: string): Date | null {
  const m = DATETIME_TEXT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '', tz] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    time -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC, the text form SQLite stores. */
export function formatDateTimeUtc(date: Date): string {
  const iso = date.toISOString(); // 2024-01-31T12:00:00.123Z
  const ms = date.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${String(ms).padStart(3, '0')}000` : ''}`;
}

abstract class TemporalField<T, N extends boolean> extends Field<T, N> {
  readonly autoNow: boolean;
  readonly autoNowAdd: boolean;

  constructor(options: TemporalFieldOptions<T, N> = {}) {
    const auto = Boolean(options.autoNow || options.autoNowAdd);
    super(auto ? { editable: false, blank: true, ...options } : options);
    this.autoNow = options.autoNow ?? false;
    this.autoNowAdd = options.autoNowAdd ?? false;
  }

  /** The value `save()` stores for auto_now / auto_now_add, or undefined to keep the current one. */
  preSaveValue(adding: boolean, now: Date): T | undefined {
    return this.autoNow || (this.autoNowAdd && adding) ? this.fromNow(now) : undefined;
  }

  protected abstract fromNow(now: Date): T;
}

export class DateField<N extends boolean = false> extends TemporalField<DateOnly, N> {
  readonly internalType: string = 'DateField';

  override toPython(value: unknown): DateOnly | null {
    if (value === null || value === undefined) return null;
    if (value instanceof DateOnly) return value;
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw this.invalid(value, 'Invalid date.');
      return DateOnly.fromDate(value);
    }
    if (typeof value === 'string') {
      if (!ISO_DATE.test(value.trim())) {
        throw this.invalid(value, `“${value}” value has an invalid date format. It must be in YYYY-MM-DD format.`);
      }
      try {
        return DateOnly.fromISO(value.trim());
      } catch {
        throw this.invalid(value, `“${value}” value has the correct format (YYYY-MM-DD) but it is an invalid date.`);
      }
    }
    throw this.invalid(value, `“${String(value)}” value has an invalid date format. It must be in YYYY-MM-DD format.`);
  }

  override toDb(value: unknown): SqlParam {
    return value === null || value === undefined ? null : (value as DateOnly).isoformat();
  }

  override dbConverter(): DbConverter {
    return (raw) => {
      if (raw === null) return null;
      const text = String(raw);
      // Stored dates are always well-formed YYYY-MM-DD; skip the validating parser on this hot path.
      return new DateOnly(Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10))));
    };
  }

  protected fromNow(now: Date): DateOnly {
    return DateOnly.fromDate(now);
  }
}

export class DateTimeField<N extends boolean = false> extends TemporalField<Date, N> {
  readonly internalType: string = 'DateTimeField';

  override toPython(value: unknown): Date | null {
    if (value === null || value === undefined) return null;
    if (value instanceof DateOnly) return new Date(value.getTime());
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw this.invalid(value, 'Invalid date.');
      return value;
    }
    if (typeof value === 'string') {
      const parsed = parseDateTime(value) ?? (ISO_DATE.test(value.trim()) ? parseDateTime(`${value.trim()} 00:00`) : null);
      if (parsed) return parsed;
    }
    throw this.invalid(
      value,
      `“${String(value)}” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.`,
    );
  }

  override toDb(value: unknown): SqlParam {
    return value === null || value === undefined ? null : formatDateTimeUtc(value as Date);
  }

  override dbConverter(): DbConverter {
    return (raw) => {
      if (raw === null) return null;
      if (raw instanceof Date) return raw;
      return parseDateTime(String(raw));
    };
  }

  protected fromNow(now: Date): Date {
    return now;
  }
}

const TIME_TEXT = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

/** A time of day as `HH:MM:SS` or `HH:MM:SS.ffffff` text. */
export class TimeField<N extends boolean = false> extends TemporalField<string, N> {
  readonly internalType: string = 'TimeField';

  override toPython(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return this.fromNow(value);
    const m = typeof value === 'string' ? TIME_TEXT.exec(value.trim()) : null;
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) {
      throw this.invalid(value, `“${String(value)}” value has an invalid format. It must be in HH:MM[:ss[.uuuuuu]] format.`);
    }
    const base = `${m[1]!.padStart(2, '0')}:${m[2]}:${m[3] ?? '00'}`;
    const micro = m[4] ? m[4].padEnd(6, '0') : '';
    return micro && Number(micro) ? `${base}.${micro}` : base;
  }

  protected fromNow(now: Date): string {
    return now.toISOString().slice(11, 19);
  }
}

/** A length of time in milliseconds; fractions keep microseconds. */
export class DurationField<N extends boolean = false> extends Field<number, N> {
  readonly internalType: string = 'DurationField';

  override toPython(value: unknown): number | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    throw this.invalid(value, `“${String(value)}” value must be a number of milliseconds.`);
  }

  override toDb(value: unknown): SqlParam {
    return value === null || value === undefined ? null : Math.round((value as number) * 1000);
  }

  override dbConverter(): DbConverter {
    return (raw) => (raw === null ? null : Number(raw) / 1000);
  }
}

/**
 * Calendar dates without a time of day (Python's `datetime.date`).
 *
 * A `DateOnly` is a `Date` at midnight UTC of the calendar day, so it works
 * anywhere a `Date` does (comparisons, `toISOString()`, JSON), while the ORM,
 * the template engine and serializers can tell a date from a datetime with
 * `instanceof DateOnly`, as Django tells `date` from `datetime`.
 */
export class DateOnly extends Date {
  /** `DateOnly.of(2024, 1, 31)` — month is 1-based, as people write dates. */
  static of(year: number, month: number, day: number): DateOnly {
    // setUTCFullYear, not Date.UTC, which reads years 0-99 as 1900-1999.
    const d = new DateOnly(0);
    d.setUTCFullYear(year, month - 1, day);
    if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
      throw new RangeError(`${year}-${month}-${day} is not a valid calendar date.`);
    }
    return d;
  }

  /** Parses `YYYY-MM-DD`; throws a RangeError naming the text otherwise. */
  static fromISO(text: string): DateOnly {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!m) throw new RangeError(`"${text}" is not a date in YYYY-MM-DD format.`);
    return DateOnly.of(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  /** The calendar day of a Date in a time zone (default UTC), as Django's `.date()` of an aware datetime. */
  static fromDate(date: Date, timeZone = 'UTC'): DateOnly {
    if (date instanceof DateOnly) return date;
    if (timeZone === 'UTC') {
      return DateOnly.of(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
    }
    const parts = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(date);
    return DateOnly.fromISO(parts);
  }

  get year(): number {
    return this.getUTCFullYear();
  }

  get month(): number {
    return this.getUTCMonth() + 1;
  }

  get day(): number {
    return this.getUTCDate();
  }

  /** `YYYY-MM-DD`, as Python's `date.isoformat()`. */
  isoformat(): string {
    const year = this.getUTCFullYear();
    if (year < 1000 || year > 9999) return this.toISOString().slice(0, 10);
    const month = this.getUTCMonth() + 1;
    const day = this.getUTCDate();
    return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
  }

  override toJSON(): string {
    return this.isoformat();
  }

  override toString(): string {
    return this.isoformat();
  }
}

/**
 * Django's `timesince` / `timeuntil`: the time between two moments in words,
 * the two largest adjacent units (`2\u00a0weeks, 3\u00a0days`), with
 * non-breaking spaces inside each part.
 */
import { DateOnly } from '../../utils/dates.ts';

const UNITS = ['year', 'month', 'week', 'day', 'hour', 'minute'] as const;
const CHUNKS = [604_800, 86_400, 3_600, 60];
// Django's table: February always has 28 days when it places the pivot.
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The two values cannot be compared (a date with a datetime, as Python refuses naive with aware). */
export class TimesinceTypeError extends Error {}

function part(unit: string, n: number): string {
  return `${n}\u00a0${unit}${n === 1 ? '' : 's'}`;
}

function timeOfDayMs(d: Date): number {
  return d.getTime() - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/**
 * Words for the time from `d` to `now` (default: the current time), at most
 * `depth` units. Both values must be dates (DateOnly) or both datetimes.
 */
export function timesince(d: Date, now?: Date | null, reversed = false, depth = 2): string {
  if (depth <= 0) throw new RangeError('depth must be greater than 0.');
  let from = d;
  let to = now ?? (d instanceof DateOnly ? new Date() : new Date());
  if (now && (now instanceof DateOnly) !== (d instanceof DateOnly)) throw new TimesinceTypeError('naive/aware');
  if (!now && d instanceof DateOnly) throw new TimesinceTypeError('naive/aware');
  if (reversed) [from, to] = [to, from];
  const since = Math.floor((to.getTime() - from.getTime()) / 1000);
  if (since <= 0) return part('minute', 0);
  let totalMonths = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (from.getUTCDate() > to.getUTCDate() || (from.getUTCDate() === to.getUTCDate() && timeOfDayMs(from) > timeOfDayMs(to))) {
    totalMonths -= 1;
  }
  const years = Math.floor(totalMonths / 12);
  const months = totalMonths - years * 12;
  let pivot = from.getTime();
  if (years || months) {
    let py = from.getUTCFullYear() + years;
    let pm = from.getUTCMonth() + 1 + months;
    if (pm > 12) {
      pm -= 12;
      py += 1;
    }
    const p = new Date(0);
    p.setUTCFullYear(py, pm - 1, Math.min(MONTH_DAYS[pm - 1]!, from.getUTCDate()));
    p.setUTCHours(from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), 0);
    pivot = p.getTime();
  }
  let remaining = (to.getTime() - pivot) / 1000;
  const partials = [years, months];
  for (const chunk of CHUNKS) {
    const count = Math.floor(remaining / chunk);
    partials.push(count);
    remaining -= chunk * count;
  }
  let i = partials.findIndex((v) => v !== 0);
  if (i < 0) return part('minute', 0);
  const result: string[] = [];
  while (i < UNITS.length && result.length < depth) {
    const value = partials[i]!;
    if (value === 0) break;
    result.push(part(UNITS[i]!, value));
    i += 1;
  }
  return result.join(', ');
}

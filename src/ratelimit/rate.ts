/**
 * Rates as django-ratelimit writes them: `<count>/<period>`, the period a unit
 * (s, m, h, d or the word) with an optional multiplier: '5/m' is 5 per minute,
 * '100/h' 100 per hour, '10/5m' 10 per 5 minutes, '1000/day'.
 */
import { describe } from '../conf/settings.ts';
import type { HttpRequest } from '../http/request.ts';
import { InvalidRateError } from './errors.ts';

/** A parsed rate: at most `limit` requests per `period` seconds. */
export interface Rate {
  readonly limit: number;
  readonly period: number;
}

/**
 * A rate: a string such as '5/m', or a function choosing it per request (staff get more,
 * say); `null` from the function means "no limit for this request". The function gets the
 * limit's group too, as django-ratelimit's callable rates do.
 */
export type RateSpec = string | ((request: HttpRequest, group: string) => string | null | Promise<string | null>);

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, second: 1, seconds: 1,
  m: 60, min: 60, minute: 60, minutes: 60,
  h: 3600, hour: 3600, hours: 3600,
  d: 86_400, day: 86_400, days: 86_400,
};

const RATE = /^\s*(\d+)\s*\/\s*(\d*)\s*([a-z]*)\s*$/i;
const EXAMPLES = "'5/m' (5 per minute), '100/h', '10/5m' (10 per 5 minutes) or '1000/d'";

// Rates come from a few decorators and settings; parsing each once is enough.
const parsed = new Map<string, Rate>();

/**
 * Parse a rate string; `where` names it in the error ('RATELIMIT_RULES[0].rate').
 *
 * ```ts
 * parseRate('10/5m'); // { limit: 10, period: 300 }
 * ```
 *
 * @throws InvalidRateError for anything but `<count>/<multiplier?><unit>`.
 */
export function parseRate(rate: unknown, where = 'rate'): Rate {
  if (typeof rate !== 'string') {
    throw new InvalidRateError(`${where} must be a string such as ${EXAMPLES}, got ${describe(rate)}.`);
  }
  const known = parsed.get(rate);
  if (known !== undefined) return known;
  const match = RATE.exec(rate);
  if (match === null) {
    throw new InvalidRateError(`${where} is '${rate}', which is not a rate. Write <count>/<period>, such as ${EXAMPLES}.`);
  }
  const [, count, multiplier, unit] = match as unknown as [string, string, string, string];
  const seconds = UNIT_SECONDS[unit.toLowerCase()];
  if (seconds === undefined) {
    const hint = unit === '' ? `add a unit: '${count}/${multiplier}s' for seconds, or m, h, d` : 'use s, m, h or d (or second, minute, hour, day)';
    throw new InvalidRateError(`${where} is '${rate}': the period has ${unit === '' ? 'no unit' : `the unknown unit '${unit}'`}; ${hint}.`);
  }
  const limit = Number(count);
  const period = seconds * (multiplier === '' ? 1 : Number(multiplier));
  if (!Number.isSafeInteger(limit) || !Number.isSafeInteger(period)) {
    throw new InvalidRateError(`${where} is '${rate}', whose numbers are too large. Use a count and period that fit in a safe integer.`);
  }
  if (period === 0) {
    throw new InvalidRateError(`${where} is '${rate}', a period of 0 seconds. The period must be at least one second, such as '${count}/1s'.`);
  }
  const result: Rate = Object.freeze({ limit, period });
  parsed.set(rate, result);
  return result;
}

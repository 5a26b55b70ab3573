/**
 * Statistical aggregates SQLite lacks (StdDev, Variance), written in JavaScript
 * and registered on every connection under the names PostgreSQL uses, so the
 * compiler writes the same SQL for both. NULLs are skipped; a statistic over
 * too few values is NULL, as in SQL.
 */
import type { DatabaseSync } from 'node:sqlite';

/** Running count, mean and sum of squared deviations (Welford), numerically stable. */
interface Moments {
  n: number;
  mean: number;
  m2: number;
}

function step(state: Moments, value: unknown): Moments {
  if (value === null || value === undefined) return state;
  const x = Number(value);
  if (Number.isNaN(x)) return state;
  const n = state.n + 1;
  const delta = x - state.mean;
  const mean = state.mean + delta / n;
  return { n, mean, m2: state.m2 + delta * (x - mean) };
}

function variance(state: Moments, sample: boolean): number | null {
  const divisor = sample ? state.n - 1 : state.n;
  return divisor > 0 ? state.m2 / divisor : null;
}

/** Registers STDDEV_POP, STDDEV_SAMP, VAR_POP and VAR_SAMP. */
export function registerAggregateFunctions(db: DatabaseSync): void {
  const define = (name: string, result: (state: Moments) => number | null): void => {
    // The running state is a plain object: node:sqlite keeps any JavaScript value, though its types say SQL values.
    db.aggregate(name, {
      start: (() => ({ n: 0, mean: 0, m2: 0 })) as never,
      step: ((state: Moments, value: unknown) => step(state, value)) as never,
      result: ((state: Moments) => result(state)) as never,
      deterministic: true,
    });
  };
  define('STDDEV_POP', (s) => {
    const v = variance(s, false);
    return v === null ? null : Math.sqrt(v);
  });
  define('STDDEV_SAMP', (s) => {
    const v = variance(s, true);
    return v === null ? null : Math.sqrt(v);
  });
  define('VAR_POP', (s) => variance(s, false));
  define('VAR_SAMP', (s) => variance(s, true));
}

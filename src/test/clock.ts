/**
 * A frozen, movable clock for code that reads the time through Nuages
 * (`timezone.now()` from nuages/utils/timezone), as Django tests use time-machine
 * or freezegun: the time stays where the test put it until the test moves it.
 *
 * Code that calls `new Date()`, `Date.now()` or `setTimeout()` itself is not affected;
 * node:test's `mock.timers.enable({ apis: ['Date', 'setTimeout'] })` covers it (see
 * docs/browser-tests.md).
 */
import { afterEach, beforeEach } from 'node:test';
import { setClock } from '../utils/timezone.ts';
import { TestToolMisuseError } from './errors.ts';

/** A moment given as a Date, an ISO 8601 string or milliseconds since the epoch. */
export type Instant = Date | string | number;

/** A frozen clock: `timezone.now()` returns `now()` until `tick()`, `set()` or `restore()`. */
export interface FrozenClock {
  /** The frozen instant (a new Date each call, so callers cannot move the clock by mutating it). */
  now(): Date;
  /** Moves the clock forward by `ms` milliseconds (backward when negative). */
  tick(ms: number): void;
  /** Moves the clock to `at`. */
  set(at: Instant): void;
  /** Gives back the clock that was in place before `freezeTime()`. Calling it again does nothing. */
  restore(): void;
}

function toMillis(at: Instant, caller: string): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) {
    throw new TestToolMisuseError(
      `${caller} got ${JSON.stringify(at instanceof Date ? String(at) : at)}, which is not a moment in time. ` +
        `Pass a valid Date, an ISO 8601 string ('2025-01-31T12:00:00Z') or milliseconds since the epoch.`,
    );
  }
  return ms;
}

/**
 * Freezes `timezone.now()` at `at` (default: the current time) until `restore()`.
 * Prefer `useFrozenTime()` in node:test files: it restores the clock after each test
 * even when the test fails.
 *
 * ```ts
 * const clock = freezeTime('2025-01-31T12:00:00Z');
 * try {
 *   clock.tick(60_000);
 *   assert.equal(timezone.now().toISOString(), '2025-01-31T12:01:00.000Z');
 * } finally {
 *   clock.restore();
 * }
 * ```
 */
export function freezeTime(at: Instant = new Date()): FrozenClock {
  let current = toMillis(at, 'freezeTime()');
  const previous = setClock(() => current);
  let restored = false;
  return {
    now: () => new Date(current),
    tick(ms) {
      if (!Number.isFinite(ms)) throw new TestToolMisuseError(`clock.tick() needs a finite number of milliseconds, got ${String(ms)}.`);
      current += ms;
    },
    set(next) {
      current = toMillis(next, 'clock.set()');
    },
    restore() {
      if (restored) return;
      restored = true;
      // Frozen clocks nest: restore them in the reverse order of freezeTime() calls.
      setClock(previous);
    },
  };
}

/**
 * Call at the top of a test file or `describe()`: each test starts with `timezone.now()`
 * frozen at `at`, and the real clock is back after it. The returned clock moves the
 * current test's time.
 *
 * ```ts
 * const clock = useFrozenTime('2025-01-31T12:00:00Z');
 * test('a token expires after a day', () => {
 *   const token = makeToken();
 *   clock.tick(24 * 3600 * 1000 + 1);
 *   assert.equal(isExpired(token), true);
 * });
 * ```
 */
export function useFrozenTime(at: Instant = new Date()): FrozenClock {
  // Checked now so a bad date fails where it was written, not in every test.
  const start = toMillis(at, 'useFrozenTime()');
  let clock: FrozenClock | undefined;
  const active = (method: string): FrozenClock => {
    if (clock === undefined) {
      throw new TestToolMisuseError(`clock.${method}() was called outside a test: useFrozenTime() freezes the time only while each test runs.`);
    }
    return clock;
  };
  beforeEach(() => {
    clock = freezeTime(start);
  });
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });
  return {
    now: () => active('now').now(),
    tick: (ms) => active('tick').tick(ms),
    set: (next) => active('set').set(next),
    restore: () => active('restore').restore(),
  };
}

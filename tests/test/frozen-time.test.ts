// freezeTime() / useFrozenTime(): timezone.now() stays where the test put it, moves only
// when told, and the real clock is back afterwards (also after a failing test).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freezeTime, TestToolMisuseError, useFrozenTime } from '../../src/test/index.ts';
import { now } from '../../src/utils/timezone.ts';

const REAL_CLOCK_SLACK_MS = 60_000;

function assertRealClock(): void {
  assert.ok(Math.abs(now().getTime() - Date.now()) < REAL_CLOCK_SLACK_MS, `timezone.now() is ${now().toISOString()}, not the real time`);
}

describe('freezeTime()', () => {
  test('timezone.now() stays at the frozen instant until the clock moves', async () => {
    const clock = freezeTime('2025-01-31T12:00:00Z');
    try {
      assert.equal(now().toISOString(), '2025-01-31T12:00:00.000Z');
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(now().toISOString(), '2025-01-31T12:00:00.000Z');
      clock.tick(90_000);
      assert.equal(now().toISOString(), '2025-01-31T12:01:30.000Z');
      clock.set(new Date('2030-06-01T00:00:00Z'));
      assert.equal(now().toISOString(), '2030-06-01T00:00:00.000Z');
      assert.equal(clock.now().toISOString(), '2030-06-01T00:00:00.000Z');
    } finally {
      clock.restore();
    }
    assertRealClock();
  });

  test('mutating the returned date does not move the clock', () => {
    const clock = freezeTime(0);
    try {
      now().setUTCFullYear(2000);
      assert.equal(now().getTime(), 0);
    } finally {
      clock.restore();
    }
  });

  test('a nested freeze restores the outer frozen clock, then the real one', () => {
    const outer = freezeTime('2020-01-01T00:00:00Z');
    const inner = freezeTime('2021-01-01T00:00:00Z');
    assert.equal(now().getUTCFullYear(), 2021);
    inner.restore();
    assert.equal(now().getUTCFullYear(), 2020);
    outer.restore();
    assertRealClock();
  });

  test('an invalid date is refused with the value and the accepted forms', () => {
    assert.throws(() => freezeTime('not a date'), (error: unknown) => {
      assert.ok(error instanceof TestToolMisuseError);
      assert.match(error.message, /freezeTime\(\) got "not a date", which is not a moment in time/);
      assert.match(error.message, /ISO 8601/);
      return true;
    });
    assertRealClock();
  });
});

describe('useFrozenTime()', () => {
  const clock = useFrozenTime('2025-03-01T08:00:00Z');

  test('each test starts at the frozen instant', () => {
    assert.equal(now().toISOString(), '2025-03-01T08:00:00.000Z');
    clock.tick(24 * 3600 * 1000);
    assert.equal(now().toISOString(), '2025-03-02T08:00:00.000Z');
  });

  test('a tick in an earlier test does not carry over', () => {
    assert.equal(now().toISOString(), '2025-03-01T08:00:00.000Z');
  });

  test('the clock is unusable outside a test', (t) => {
    // t.after() runs once the test's afterEach hooks have restored the real clock.
    t.after(() => {
      assert.throws(() => clock.tick(1), TestToolMisuseError);
    });
  });
});

describe('after a useFrozenTime() suite', () => {
  test('the real clock is back', () => {
    assertRealClock();
  });
});

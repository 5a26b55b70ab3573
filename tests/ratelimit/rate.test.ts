// Rates as django-ratelimit writes them ('5/m', '100/h', '10/5m'), and the errors that
// say how to write one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidRateError, parseRate } from '../../src/ratelimit/index.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';

describe('parseRate', () => {
  const cases: Array<[string, number, number]> = [
    ['5/s', 5, 1],
    ['5/m', 5, 60],
    ['100/h', 100, 3600],
    ['1000/d', 1000, 86_400],
    ['10/5m', 10, 300],
    ['3/30s', 3, 30],
    ['2/12h', 2, 43_200],
    ['0/m', 0, 60],
    ['5/M', 5, 60],
    [' 7 / 2 h ', 7, 7200],
    ['20/minute', 20, 60],
    ['20/minutes', 20, 60],
    ['1/sec', 1, 1],
    ['4/hour', 4, 3600],
    ['9/days', 9, 86_400],
  ];
  for (const [rate, limit, period] of cases) {
    test(`'${rate}' is ${limit} per ${period} s`, () => {
      assert.deepEqual(parseRate(rate), { limit, period });
    });
  }

  test('a parsed rate is frozen and shared, so no caller can change another\'s', () => {
    const rate = parseRate('6/m');
    assert.ok(Object.isFrozen(rate));
    assert.equal(parseRate('6/m'), rate);
  });
});

describe('bad rates say how to write one', () => {
  const bad = (rate: unknown, pattern: RegExp) => {
    assert.throws(() => parseRate(rate, 'RATELIMIT_RULES[1].rate'), (error: Error) => {
      assert.ok(error instanceof InvalidRateError);
      assert.ok(error instanceof ImproperlyConfigured, 'a configuration error, as Django reports settings mistakes');
      assert.equal((error as InvalidRateError).code, 'NUAGES_RATELIMIT_INVALID_RATE');
      assert.match(error.message, /^RATELIMIT_RULES\[1\]\.rate /, 'names where the rate was written');
      assert.match(error.message, pattern);
      return true;
    });
  };

  test('not a string', () => bad(5, /must be a string such as '5\/m'.*got number 5/));
  test('undefined', () => bad(undefined, /got undefined/));
  test('no slash', () => bad('5m', /'5m', which is not a rate\. Write <count>\/<period>/));
  test('a negative count', () => bad('-5/m', /which is not a rate/));
  test('a fractional count', () => bad('1.5/m', /which is not a rate/));
  test('no unit: the multiplier alone is ambiguous', () => bad('5/10', /no unit; add a unit: '5\/10s' for seconds/));
  test('no period at all', () => bad('5/', /no unit/));
  test('an unknown unit', () => bad('5/w', /the unknown unit 'w'; use s, m, h or d/));
  test('a unit spelled wrong', () => bad('5/mins', /the unknown unit 'mins'/));
  test('a zero period', () => bad('5/0m', /a period of 0 seconds\. The period must be at least one second/));
  test('numbers past a safe integer', () => bad('99999999999999999999/m', /too large/));
  test('two rates in one string', () => bad('5/m,100/h', /which is not a rate/));
});

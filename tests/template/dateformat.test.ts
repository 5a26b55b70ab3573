import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatDate, formatTime, localizeValue, DateFormatTimeOnDateError } from '../../src/template/dateformat.ts';
import { DateOnly } from '../../src/utils/dates.ts';
import { pyDecimal } from '../../src/template/python.ts';

// Every format character on several instants and zones; expected strings were printed by
// Django 5.2's dateformat.format on the same values (see the JSON file beside this test).
const cases = JSON.parse(readFileSync(new URL('./dateformat.cases.json', import.meta.url), 'utf8')) as [
  'dt' | 'd',
  string,
  string,
  string,
  string,
][];

describe('formatDate matches Django for every format character', () => {
  for (const [kind, iso, zone, format, expected] of cases) {
    test(`${kind} ${iso} in ${zone}`, () => {
      const value = kind === 'd' ? DateOnly.fromISO(iso) : new Date(iso);
      assert.equal(formatDate(value, format, zone), expected);
    });
  }
});

describe('formatDate', () => {
  const dt = new Date('2024-01-05T15:04:05Z');
  test('backslash escapes a format character and is removed', () => {
    assert.equal(formatDate(dt, 'Y \\a\\t P'), '2024 at 3:04 p.m.');
    assert.equal(formatDate(dt, '\\\\d'), '\\d');
    assert.equal(formatDate(dt, 'o-\\WW'), '2024-W1');
  });
  test('characters that are not format characters pass through', () => {
    assert.equal(formatDate(dt, '%Y-%m-%d s.v x B'), '%2024-%01-%05 05.v x B');
  });
  test('named formats resolve to the English formats', () => {
    assert.equal(formatDate(dt, 'DATE_FORMAT'), 'Jan. 5, 2024');
    assert.equal(formatDate(dt, 'SHORT_DATETIME_FORMAT'), '01/05/2024 3:04 p.m.');
    assert.equal(formatDate(new Date('1999-07-04T23:59:59Z'), 'YEAR_MONTH_FORMAT'), 'July 1999');
    assert.equal(formatDate(DateOnly.of(2022, 9, 11), 'MONTH_DAY_FORMAT'), 'September 11');
  });
  test('a time character on a date throws, as Django raises TypeError', () => {
    assert.throws(() => formatDate(DateOnly.of(2024, 1, 5), 'Y H'), DateFormatTimeOnDateError);
    assert.throws(() => formatDate(DateOnly.of(2024, 1, 5), 'e'), { code: 'NUAGES_TEMPLATE_DATE_FORMAT_TIME_ON_DATE' });
  });
  test('a value that is not a date keeps only literal text', () => {
    assert.equal(formatDate(5, 'x'), 'x');
    assert.equal(formatDate('abc', 'Y'), '');
    assert.equal(formatDate(5, 'x e'), 'x ');
  });
  test('years before 1000 are zero-padded', () => {
    assert.equal(formatDate(DateOnly.of(999, 1, 1), 'Y'), '0999');
    assert.equal(formatDate(DateOnly.of(5, 1, 1), 'y'), '05');
  });
});

describe('formatTime', () => {
  const dt = new Date('2024-11-22T18:00:00Z');
  test('formats time characters', () => {
    assert.equal(formatTime(dt, 'h:i:s A'), '06:00:00 PM');
    assert.equal(formatTime(dt, 'e O T'), 'UTC +0000 UTC');
    assert.equal(formatTime(new Date('2024-01-05T12:00:00Z'), 'TIME_FORMAT'), 'noon');
  });
  test('a date character makes the whole output empty', () => {
    assert.equal(formatTime(dt, 'Y-m-d H:i'), '');
  });
  test('a date value or a string gives an empty string', () => {
    assert.equal(formatTime(DateOnly.of(2024, 1, 5), 'H'), '');
    assert.equal(formatTime('12:30', 'H:i'), '');
    assert.equal(formatTime('abc', '\\h'), 'h');
  });
});

describe('localizeValue', () => {
  test('a date prints in DATE_FORMAT and a datetime in DATETIME_FORMAT', () => {
    assert.equal(localizeValue(DateOnly.of(2024, 3, 9)), 'March 9, 2024');
    assert.equal(localizeValue(new Date('2024-01-05T15:04:05Z')), 'Jan. 5, 2024, 3:04 p.m.');
    assert.equal(localizeValue(new Date('2025-06-30T09:00:00Z')), 'June 30, 2025, 9 a.m.');
    assert.equal(localizeValue(new Date('2025-06-30T09:00:00Z'), 'America/New_York'), 'June 30, 2025, 5 a.m.');
  });
  test('floats never print in exponent form', () => {
    assert.equal(localizeValue(1e16), '10000000000000000');
    assert.equal(localizeValue(1e-7), '0.0000001');
    assert.equal(localizeValue(1.5), '1.5');
    assert.equal(localizeValue(pyDecimal('1E+2')), '100');
    assert.equal(localizeValue(pyDecimal('12.50')), '12.50');
  });
  test('booleans are words and other values pass through', () => {
    assert.equal(localizeValue(true), 'True');
    const list = [1];
    assert.equal(localizeValue(list), list);
  });
});

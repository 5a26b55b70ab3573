import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pyStr, pyRepr, isTruthy, pyDecimal, floatRepr, Decimal } from '../../src/template/python.ts';
import { DateOnly } from '../../src/utils/dates.ts';
import { markSafe } from '../../src/utils/safestring.ts';

// Expected strings are what Python 3 / Django 5.2 print for the same values.
describe('pyStr', () => {
  test('None, booleans and ints print as Python words and digits', () => {
    assert.equal(pyStr(null), 'None');
    assert.equal(pyStr(undefined), 'None');
    assert.equal(pyStr(true), 'True');
    assert.equal(pyStr(false), 'False');
    assert.equal(pyStr(42), '42');
    assert.equal(pyStr(-0), '-0.0');
  });
  test('floats print in Python repr', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1e16, '1e+16'], [1e22, '1e+22'], [1.5e-5, '1.5e-05'], [0.0001, '0.0001'],
      [123.456, '123.456'], [-0.5, '-0.5'], [1e15 + 0.5, '1000000000000000.5'], [2 ** 53, '9007199254740992.0'],
      [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'], [1 / 3, '0.3333333333333333'],
    ];
    for (const [value, expected] of cases) assert.equal(floatRepr(value), expected, String(value));
    assert.equal(pyStr(1e16), '1e+16');
  });
  test('Decimals keep the digits they were written with', () => {
    const cases: [string, string][] = [
      ['12.50', '12.50'], ['1E+2', '1E+2'], ['0.00', '0.00'], ['-0', '-0'], ['0.0000001', '1E-7'],
      ['123e-9', '1.23E-7'], ['100', '100'],
    ];
    for (const [text, expected] of cases) assert.equal(pyStr(pyDecimal(text)), expected, text);
    assert.equal(pyStr(new Decimal('1e+30')), '1E+30');
    assert.equal(pyStr(new Decimal('2.5')), '2.5');
  });
  test('lists and dicts print their items with repr', () => {
    assert.equal(
      pyStr([1, 'a', null, "it's", 'a"b\'c', true, 1.5, pyDecimal('12.50'), '\xa0\n\\']),
      `[1, 'a', None, "it's", 'a"b\\'c', True, 1.5, Decimal('12.50'), '\\xa0\\n\\\\']`,
    );
    assert.equal(pyStr({ k: [1], n: { x: null } }), "{'k': [1], 'n': {'x': None}}");
    assert.equal(pyStr(new Map<unknown, unknown>([[1, 'x']])), "{1: 'x'}");
    assert.equal(pyStr([]), '[]');
    assert.equal(pyStr({}), '{}');
    assert.equal(pyStr(new Set()), 'set()');
  });
  test('a list that contains itself prints [...]', () => {
    const list: unknown[] = [1];
    list.push(list);
    assert.equal(pyStr(list), '[1, [...]]');
  });
  test('dates and datetimes print as Python does', () => {
    assert.equal(pyStr(DateOnly.of(2024, 1, 31)), '2024-01-31');
    assert.equal(pyStr(new Date('2024-01-05T15:04:05Z')), '2024-01-05 15:04:05+00:00');
    assert.equal(pyStr(new Date('2024-01-05T15:04:05.123Z')), '2024-01-05 15:04:05.123000+00:00');
    assert.equal(
      pyStr([DateOnly.of(2024, 1, 31), new Date('2024-01-05T15:04:00Z')]),
      '[datetime.date(2024, 1, 31), datetime.datetime(2024, 1, 5, 15, 4, tzinfo=datetime.timezone.utc)]',
    );
  });
  test('safe strings print their text; objects of user classes their toString()', () => {
    assert.equal(pyStr(markSafe('<b>')), '<b>');
    class Book {
      toString() {
        return 'Dune';
      }
    }
    assert.equal(pyStr(new Book()), 'Dune');
    assert.equal(pyRepr('x'), "'x'");
  });
});

describe('isTruthy', () => {
  test('follows Python truthiness', () => {
    for (const v of [null, undefined, false, 0, -0, '', [], {}, new Map(), new Set(), pyDecimal('0.00'), markSafe('')]) {
      assert.equal(isTruthy(v), false, pyRepr(v));
    }
    for (const v of [true, 1, -1, 0.5, NaN, 'a', '0', [0], { a: 0 }, pyDecimal('0.01'), DateOnly.of(2024, 1, 1)]) {
      assert.equal(isTruthy(v), true, pyRepr(v));
    }
  });
});

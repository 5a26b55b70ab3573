import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { compileRegex, InvalidRegexError, registerFunctions, sqlRegexp } from '../../../../src/db/backends/sqlite/functions.ts';

describe('REGEXP', () => {
  test('x REGEXP y passes the pattern first, as SQLite does', () => {
    const db = new DatabaseSync(':memory:');
    registerFunctions(db);
    const statement = db.prepare("SELECT 'bookshop' REGEXP 'o{2}k', 'bookshop' REGEXP '^shop'");
    statement.setReturnArrays(true);
    assert.deepEqual(statement.get(), [1, 0]);
    db.close();
  });

  test('searches anywhere in the value, like re.search', () => {
    assert.equal(sqlRegexp('a.c', 'xxabcxx'), 1);
    assert.equal(sqlRegexp('^b', 'abc'), 0);
  });

  test('NULL on either side gives NULL', () => {
    assert.equal(sqlRegexp(null, 'a'), null);
    assert.equal(sqlRegexp('a', null), null);
  });

  test('numbers are matched by their text, as str(value) in Django', () => {
    assert.equal(sqlRegexp('^4\\d$', 42), 1);
  });

  test('a leading (?i) makes the match case-insensitive (Django’s iregex)', () => {
    assert.equal(sqlRegexp('(?i)^dune$', 'DUNE'), 1);
    assert.equal(sqlRegexp('^dune$', 'DUNE'), 0);
  });

  test('\\w and \\d match non-ASCII letters and digits, as Python str patterns do', () => {
    assert.equal(sqlRegexp('^\\w+$', 'crème'), 1);
    assert.equal(sqlRegexp('^\\d$', '٣'), 1);
  });

  test('Python named groups and \\A \\Z anchors are understood', () => {
    assert.equal(sqlRegexp('(?P<word>ab)(?P=word)', 'xabab'), 1);
    assert.equal(sqlRegexp('\\Aab\\Z', 'ab'), 1);
    assert.equal(sqlRegexp('\\Aab\\Z', 'ab\n'), 0);
  });

  test('escapes Python allows but the u flag refuses still compile', () => {
    assert.equal(sqlRegexp('a\\-b', 'a-b'), 1);
  });

  test('compiled patterns are cached', () => {
    assert.equal(compileRegex('^cache-me$'), compileRegex('^cache-me$'));
  });

  test('an invalid pattern raises an error that names it', () => {
    assert.throws(() => compileRegex('(oops'), (error: unknown) => error instanceof InvalidRegexError && /\(oops/.test(error.message));
  });
});

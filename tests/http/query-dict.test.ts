import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ImmutableQueryDictError,
  MultiValueDict,
  MultiValueDictKeyError,
  QueryDict,
  TooManyFieldsSent,
} from '../../src/http/index.ts';

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'django-oracle.json'), 'utf8')) as {
  queries: Array<{ query: string; lists: Array<[string, string[]]> }>;
  latin1Queries: Array<{ query: string; lists: Array<[string, string[]]> }>;
  urlencode: Array<{ lists: Array<[string, string[]]>; plain: string; safe: string }>;
};

describe('QueryDict.parse', () => {
  for (const { query, lists } of oracle.queries) {
    test(`parses ${JSON.stringify(query)} as Django does`, () => {
      assert.deepEqual([...QueryDict.parse(query).lists()], lists);
    });
  }

  for (const { query, lists } of oracle.latin1Queries) {
    test(`decodes ${JSON.stringify(query)} with encoding latin-1 as Django does`, () => {
      assert.deepEqual([...QueryDict.parse(query, { encoding: 'latin1' }).lists()], lists);
    });
  }

  test('parses a body given as bytes, literal non-ASCII bytes decoded in the charset', () => {
    const q = QueryDict.parse(Buffer.from('name=caf\u00e9&x=%C3%A9', 'utf8'));
    assert.equal(q.get('name'), 'caf\u00e9');
    assert.equal(q.get('x'), '\u00e9');
  });

  test('refuses more fields than maxNumFields with TooManyFieldsSent', () => {
    assert.throws(() => QueryDict.parse('a=1&b=2&c=3', { maxNumFields: 2 }), TooManyFieldsSent);
    assert.equal(QueryDict.parse('a=1&b=2', { maxNumFields: 2 }).size, 2);
  });

  test('a huge query string with thousands of keys parses without a limit', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `k${i}=${i}`).join('&');
    assert.equal(QueryDict.parse(text).size, 5000);
  });
});

describe('QueryDict values', () => {
  test('get() answers the last value, getList() all of them', () => {
    const q = QueryDict.parse('tag=a&tag=b&empty=');
    assert.equal(q.get('tag'), 'b');
    assert.deepEqual(q.getList('tag'), ['a', 'b']);
    assert.equal(q.get('empty'), '');
    assert.equal(q.get('missing'), undefined);
    assert.equal(q.get('missing', 'x'), 'x');
    assert.deepEqual(q.getList('missing'), []);
  });

  test('getItem() throws MultiValueDictKeyError for a missing key', () => {
    assert.throws(() => QueryDict.parse('').getItem('page'), (err: unknown) => {
      assert.ok(err instanceof MultiValueDictKeyError);
      assert.equal(err.key, 'page');
      assert.match(err.message, /\.get\('page'\)/);
      return true;
    });
  });

  test('keys, items, entries and iteration use the last value', () => {
    const q = QueryDict.parse('a=1&a=2&b=3');
    assert.deepEqual([...q.keys()], ['a', 'b']);
    assert.deepEqual([...q.items()], [['a', '2'], ['b', '3']]);
    assert.deepEqual([...q.entries()], [...q]);
    assert.deepEqual(q.dict(), { a: '2', b: '3' });
    assert.deepEqual(JSON.parse(JSON.stringify(q)), { a: ['1', '2'], b: ['3'] });
  });

  test('a parsed QueryDict is immutable; copy() is mutable and independent', () => {
    const q = QueryDict.parse('a=1');
    assert.equal(q.mutable, false);
    assert.throws(() => q.set('a', '2'), ImmutableQueryDictError);
    assert.throws(() => q.appendList('a', '2'), ImmutableQueryDictError);
    assert.throws(() => q.delete('a'), ImmutableQueryDictError);
    assert.throws(() => q.clear(), ImmutableQueryDictError);
    const copy = q.copy();
    copy.set('a', '2');
    copy.appendList('a', '3');
    assert.deepEqual(copy.getList('a'), ['2', '3']);
    assert.deepEqual(q.getList('a'), ['1']);
  });

  test('update() appends values instead of replacing them', () => {
    const q = new QueryDict([['a', ['1']]]);
    q.update({ a: '2', b: '3' });
    assert.deepEqual(q.getList('a'), ['1', '2']);
    assert.equal(q.get('b'), '3');
  });

  test('pop, popList and setDefault behave like Django', () => {
    const q = new QueryDict([['a', ['1', '2']]]);
    assert.equal(q.setDefault('z', '9'), '9');
    assert.equal(q.setDefault('a', '9'), '2');
    assert.deepEqual(q.popList('a'), ['1', '2']);
    assert.equal(q.pop('z'), '9');
    assert.equal(q.pop('z', 'gone'), 'gone');
    assert.equal(q.size, 0);
  });

  test('fromKeys builds a dict with every key set', () => {
    const q = QueryDict.fromKeys(['a', 'b', 'a'], 'v');
    assert.deepEqual([...q.lists()], [['a', ['v', 'v']], ['b', ['v']]]);
    assert.equal(q.mutable, false);
  });
});

describe('QueryDict.urlencode', () => {
  for (const { lists, plain, safe } of oracle.urlencode) {
    test(`encodes ${JSON.stringify(lists)} as Django does, with and without safe`, () => {
      const q = new QueryDict(lists);
      assert.equal(q.urlencode(), plain);
      assert.equal(q.urlencode('/'), safe);
    });
  }

  test('round-trips through parse', () => {
    const q = new QueryDict([['q', ['red & blue = 100%']], ['t', ['\u2603', '+']]]);
    assert.deepEqual([...QueryDict.parse(q.urlencode()).lists()], [...q.lists()]);
  });
});

describe('MultiValueDict', () => {
  test('holds any value type and copies lists on the way in and out', () => {
    const source: Array<[string, number[]]> = [['n', [1, 2]]];
    const d = new MultiValueDict<number>(source);
    source[0]![1].push(3);
    const list = d.getList('n');
    list.push(4);
    assert.deepEqual(d.getList('n'), [1, 2]);
    assert.equal(d.get('n'), 2);
    assert.deepEqual(d.copy().toJSON(), { n: [1, 2] });
  });
});

// JSONField lookups and key transforms, checked against what Django 5.2 returns for the same rows
// on the same backend (SQLite by default, PostgreSQL with NUAGES_TEST_DB=postgres).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Model, CharField, JSONField, connections, createTables, NotSupportedError, Q } from '../../../src/db/index.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';

const pg = testVendor === 'postgres';

connections.configure({ default: testDatabaseSettings() });

class Doc extends Model<Doc>()({
  name: new CharField({ maxLength: 20 }),
  data: new JSONField({ null: true }),
}, { appLabel: 'jsonlk', ordering: ['name'] }) {}

const ROWS: Record<string, unknown> = {
  a: { owner: { name: 'Bob', age: 30 }, items: [1, 2, 3], tags: ['x', 'y'], n: 1, flag: true },
  b: { owner: { name: 'alice', age: 25 }, items: [5], n: '1', k: null, flag: false },
  c: { owner: null, n: 2.5 },
  d: [1, { a: 'b' }],
  e: null,
  f: 'text',
};

const names = async (lookups: Record<string, unknown>): Promise<string> =>
  (await Doc.objects.filter(lookups)).map((d) => d.name).join('');

before(async () => {
  await createTables([Doc]);
  for (const [name, data] of Object.entries(ROWS)) await Doc.objects.create({ name, data });
});

after(() => connections.closeAll());

describe('key transforms', () => {
  test('a key path compares JSON values', async () => {
    assert.equal(await names({ data__owner__name: 'Bob' }), 'a');
    assert.equal(await names({ data__n: 1 }), 'a');
    assert.equal(await names({ data__n: '1' }), 'b');
    assert.equal(await names({ data__flag: true }), 'a');
    assert.equal(await names({ data__flag: false }), 'b');
  });

  test('a digit names an array index', async () => {
    assert.equal(await names({ data__items__0: 1 }), 'a');
    assert.equal(await names({ data__items__0__gt: 1 }), 'b');
    assert.equal(await names({ data__1__a: 'b' }), 'd');
  });

  test('null matches a JSON null; isnull asks whether the key is there', async () => {
    assert.equal(await names({ data__owner: null }), 'c');
    assert.equal(await names({ data__k: null }), 'b');
    assert.equal(await names({ data__owner__isnull: true }), 'def');
    assert.equal(await names({ data__owner__isnull: false }), 'abc');
    assert.equal(await names({ data__owner__age__isnull: true }), 'cdef');
  });

  test('text lookups read the key as text', async () => {
    assert.equal(await names({ data__owner__name__iexact: 'BOB' }), 'a');
    assert.equal(await names({ data__owner__name__icontains: 'li' }), 'b');
    assert.equal(await names({ data__owner__name__startswith: 'al' }), 'b');
    assert.equal(await names({ data__owner__name__regex: '^B' }), 'a');
  });

  test('comparisons and in compare as the database orders JSON', async () => {
    assert.equal(await names({ data__owner__age__lt: 28 }), 'b');
    // SQLite orders the text '1' after every number, jsonb orders by type first: Django differs the same way.
    assert.equal(await names({ data__n__gt: 1 }), pg ? 'c' : 'bc');
    assert.equal(await names({ data__n__in: [1, 2.5] }), 'ac');
  });

  test('exclude() on a key keeps rows whose column is NULL, as Django does', async () => {
    const excluded = (await Doc.objects.exclude({ data__owner__name: 'Bob' })).map((d) => d.name).join('');
    assert.equal(excluded, 'be');
    const noItems = (await Doc.objects.exclude({ data__hasKey: 'items' })).map((d) => d.name).join('');
    assert.equal(noItems, 'cdef');
  });

  test('values() and orderBy() follow a key path', async () => {
    const owners = await Doc.objects.filter({ name__in: ['a', 'b'] }).valuesList('data__owner__name', { flat: true });
    assert.deepEqual(owners, ['Bob', 'alice']);
    const byAge = await Doc.objects.filter({ data__owner__age__isnull: false }).orderBy('data__owner__age').valuesList('name', { flat: true });
    assert.deepEqual(byAge, ['b', 'a']);
    const nested = await Doc.objects.filter({ name: 'a' }).valuesList('data__owner', { flat: true });
    assert.deepEqual(nested, [{ name: 'Bob', age: 30 }]);
  });
});

describe('key lookups', () => {
  test('hasKey, hasKeys and hasAnyKeys, at the top or under a key', async () => {
    assert.equal(await names({ data__hasKey: 'owner' }), 'abc');
    assert.equal(await names({ data__owner__hasKey: 'age' }), 'ab');
    assert.equal(await names({ data__hasKeys: ['owner', 'items'] }), 'ab');
    assert.equal(await names({ data__hasAnyKeys: ['k', 'tags'] }), 'ab');
    assert.equal(await Doc.objects.filter(Q({ data__hasKey: 'tags' }).or(Q({ data__hasKey: 'k' }))).count(), 2);
  });
});

describe('containment', () => {
  if (pg) {
    test('contains and containedBy use jsonb @> and <@', async () => {
      assert.equal(await names({ data__contains: { n: 1 } }), 'a');
      assert.equal(await names({ data__tags__contains: ['x'] }), 'a');
      assert.equal(await names({ data__containedBy: { owner: null, n: 2.5, z: 1 } }), 'c');
    });
  } else {
    test('contains and containedBy raise NotSupportedError on SQLite, naming the filter', () => {
      assert.throws(() => Doc.objects.filter({ data__contains: { n: 1 } }), (error: unknown) =>
        error instanceof NotSupportedError && error.code === 'NUAGES_DB_NOT_SUPPORTED' && /data__contains/.test(error.message));
      assert.throws(() => Doc.objects.filter({ data__containedBy: { n: 1 } }), NotSupportedError);
    });
  }
});

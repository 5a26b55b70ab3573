// What only PostgreSQL has fails on SQLite with NotSupportedError naming the feature and the
// way out, before any SQL runs (or, for DDL, before the statement is sent).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Model, CharField, IntegerField, connections, createTables, NotSupportedError } from '../../../src/db/index.ts';
import { ArrayField, GinIndex, SearchVector, SearchQuery } from '../../../src/contrib/postgres/index.ts';

connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });

class Note extends Model<Note>()({
  title: new CharField({ maxLength: 40 }),
  rank: new IntegerField({ default: 0 }),
}, { appLabel: 'pgrefuse' }) {}

class Tagged extends Model<Tagged>()({
  tags: new ArrayField(new CharField({ maxLength: 10 }), { null: true }),
}, { appLabel: 'pgrefuse' }) {}

class Indexed extends Model<Indexed>()({
  title: new CharField({ maxLength: 40 }),
}, { appLabel: 'pgrefuse', indexes: [new GinIndex({ fields: ['title'], name: 'indexed_gin' })] }) {}

before(async () => {
  await createTables([Note]);
  await Note.objects.create({ title: 'a' });
});

after(() => connections.closeAll());

const notSupported = (pattern: RegExp) => (error: unknown) => error instanceof NotSupportedError && pattern.test(error.message);

test('distinct(...fields) is refused on SQLite, pointing at distinct() without fields', () => {
  assert.throws(() => Note.objects.distinct('title'), notSupported(/DISTINCT ON.*distinct\(\) without field names/));
});

test('ArrayField values and lookups are refused on SQLite', async () => {
  await assert.rejects(createTables([Tagged]), notSupported(/Tagged\.tags \(an ArrayField column\) needs PostgreSQL/));
  await assert.rejects(Tagged.objects.create({ tags: ['x'] }), notSupported(/Tagged\.tags.*PostgreSQL/));
  assert.throws(() => Tagged.objects.filter({ tags__overlap: ['x'] }), notSupported(/overlap lookup in tags__overlap/));
  assert.throws(() => Tagged.objects.filter({ tags__len: 1 }), notSupported(/PostgreSQL/));
});

test('full-text search is refused on SQLite', () => {
  assert.throws(() => Note.objects.filter({ title__search: 'x' }), notSupported(/search lookup in title__search/));
  assert.throws(() => Note.objects.annotate({ v: new SearchVector('title') }), notSupported(/SearchVector/));
  assert.throws(() => Note.objects.annotate({ q: new SearchQuery('x') }), notSupported(/SearchQuery/));
});

test('a GIN index is refused by the SQLite schema editor', async () => {
  await assert.rejects(createTables([Indexed]), notSupported(/indexed_gin.*gin access method/));
});

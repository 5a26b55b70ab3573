// contrib/postgres on the real server: ArrayField and its lookups, the index types, full-text
// search, trigram similarity and distinct(...fields). Expected rows were checked against
// Django 5.2 with psycopg on the same server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Model, CharField, IntegerField, TextField, connections, createTables, FieldError, F } from '../../../src/db/index.ts';
import {
  ArrayField, GinIndex, GistIndex, BrinIndex, BTreeIndex, HashIndex, SearchVector, SearchQuery, SearchRank,
  SearchVectorField, TrigramSimilarity, TrigramDistance, ensureTrigramExtension, arrayLiteral, TrigramExtensionMissingError,
} from '../../../src/contrib/postgres/index.ts';
import { PostgresIntrospection } from '../../../src/db/backends/postgres/introspection.ts';
import { postgresTestSettings } from '../../db/test-database.ts';

// pg_trgm lives once per database, usually in 'public': search it after this file's own schema.
connections.configure({ default: postgresTestSettings({ OPTIONS: { searchPathAfter: ['public'] } }) });

class Post extends Model<Post>()({
  title: new CharField({ maxLength: 80 }),
  body: new TextField({ default: '' }),
  tags: new ArrayField<string>(new CharField({ maxLength: 20 }), { default: () => [] }),
  scores: new ArrayField<number, true>(new IntegerField(), { null: true, size: 5 }),
  grid: new ArrayField<number[], true>(new ArrayField(new IntegerField()), { null: true }),
  author: new CharField({ maxLength: 40, default: '' }),
  rank: new IntegerField({ default: 0 }),
  document: new SearchVectorField({ null: true }),
}, {
  appLabel: 'pgc',
  indexes: [
    new GinIndex({ fields: ['tags'], name: 'post_tags_gin', fastupdate: false }),
    new GistIndex({ fields: ['document'], name: 'post_doc_gist' }),
    new BrinIndex({ fields: ['rank'], name: 'post_rank_brin', pagesPerRange: 16 }),
    new BTreeIndex({ fields: ['author'], name: 'post_author_btree', fillfactor: 80 }),
    new HashIndex({ fields: ['title'], name: 'post_title_hash' }),
  ],
}) {}

const titles = async (lookups: Record<string, unknown>): Promise<unknown[]> =>
  await Post.objects.filter(lookups).orderBy('title').valuesList('title', { flat: true });

before(async () => {
  await createTables([Post]);
  await Post.objects.bulkCreate([
    new Post({ title: 'Cheese', body: 'A guide to French cheese and wine', tags: ['food', 'france'], scores: [1, 2, 3], author: 'john', rank: 3 }),
    new Post({ title: 'Wine', body: 'Red wines of the Loire', tags: ['drink', 'france'], scores: [5], author: 'johnny', rank: 2 }),
    new Post({ title: 'Bread', body: 'Sourdough at home', tags: [], scores: null, grid: [[1, 2], [3, 4]], author: 'mary', rank: 1 }),
    new Post({ title: 'Quote "x"', body: 'comma, brace {}', tags: ['a,b', 'q"uote', 'back\\slash'], author: 'john', rank: 5 }),
  ]);
  await Post.objects.update({ document: new SearchVector('title', 'body', { config: 'english' }) });
});

after(() => connections.closeAll());

describe('ArrayField', () => {
  test('arrays round-trip, including quotes, commas, backslashes, NULL and nesting', async () => {
    const quote = await Post.objects.get({ title: 'Quote "x"' });
    assert.deepEqual(quote.tags, ['a,b', 'q"uote', 'back\\slash']);
    const bread = await Post.objects.get({ title: 'Bread' });
    assert.deepEqual([bread.tags, bread.scores, bread.grid], [[], null, [[1, 2], [3, 4]]]);
    assert.equal(arrayLiteral([1, null, 'a"b']), '{1,NULL,"a\\"b"}');
  });

  test('the column is the base type with [] (and the size)', async () => {
    const columns = Object.fromEntries((await new PostgresIntrospection(connections.get('default')).columns('pgc_post')).map((c) => [c.name, c.type]));
    assert.equal(columns['tags'], 'character varying(20)[]');
    assert.equal(columns['scores'], 'integer[]');
    assert.equal(columns['document'], 'tsvector');
  });

  test('contains, containedBy, overlap and exact', async () => {
    assert.deepEqual(await titles({ tags__contains: ['france'] }), ['Cheese', 'Wine']);
    assert.deepEqual(await titles({ tags__containedBy: ['food', 'france', 'drink'] }), ['Bread', 'Cheese', 'Wine']);
    assert.deepEqual(await titles({ tags__overlap: ['food', 'drink'] }), ['Cheese', 'Wine']);
    assert.deepEqual(await titles({ scores: [5] }), ['Wine']);
    assert.deepEqual(await titles({ tags__contains: ['q"uote'] }), ['Quote "x"']);
  });

  test('len, index and slice transforms', async () => {
    assert.deepEqual(await titles({ tags__len: 2 }), ['Cheese', 'Wine']);
    assert.deepEqual(await titles({ tags__len__gte: 3 }), ['Quote "x"']);
    assert.deepEqual(await titles({ tags__0: 'food' }), ['Cheese']);
    assert.deepEqual(await titles({ scores__1__gt: 1 }), ['Cheese']);
    assert.deepEqual(await titles({ tags__0__startswith: 'dr' }), ['Wine']);
    assert.deepEqual(await titles({ scores__0_2: [1, 2] }), ['Cheese']);
    const first = await Post.objects.filter({ title: 'Cheese' }).valuesList('tags__1', { flat: true });
    assert.deepEqual(first, ['france']);
  });
});

describe('indexes', () => {
  test('each index type is created with its access method and storage parameters', async () => {
    const rows = await connections.get('default').fetchAll({
      sql: "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pgc_post' AND schemaname = current_schema() ORDER BY indexname",
      params: [],
    });
    const defs = Object.fromEntries((rows as unknown[][]).map((r) => [r[0], String(r[1])]));
    assert.match(defs['post_tags_gin']!, /USING gin \(tags\) WITH \(fastupdate='?off'?\)/);
    assert.match(defs['post_doc_gist']!, /USING gist \(document\)/);
    assert.match(defs['post_rank_brin']!, /USING brin \(rank\) WITH \(pages_per_range='?16'?\)/);
    assert.match(defs['post_author_btree']!, /USING btree \(author\) WITH \(fillfactor='?80'?\)/);
    assert.match(defs['post_title_hash']!, /USING hash \(title\)/);
  });
});

describe('full-text search', () => {
  test('the search lookup matches words, stemmed by the server', async () => {
    assert.deepEqual(await titles({ body__search: 'cheese' }), ['Cheese']);
    assert.deepEqual(await titles({ body__search: new SearchQuery('wines', { config: 'english' }) }), ['Cheese', 'Wine']);
  });

  test('SearchVector annotations filter with a SearchQuery and rank with SearchRank', async () => {
    const vector = new SearchVector('title', 'body', { config: 'english' });
    const query = new SearchQuery('wine', { config: 'english' });
    const ranked = await Post.objects
      .annotate({ search: vector, score: new SearchRank(vector, query) })
      .filter({ search: query })
      .orderBy('-score', 'title')
      .valuesList('title', { flat: true });
    assert.deepEqual(ranked, ['Wine', 'Cheese']);
  });

  test('a stored SearchVectorField is searched with a plain string', async () => {
    assert.deepEqual(await titles({ document: 'sourdough' }), ['Bread']);
    assert.deepEqual(await titles({ document: new SearchQuery('red -loire', { searchType: 'websearch', config: 'english' }) }), []);
    assert.deepEqual(await titles({ document: new SearchQuery('loire', { invert: true, config: 'english' }) }), ['Bread', 'Cheese', 'Quote "x"']);
  });
});

describe('trigram similarity', () => {
  test('TrigramSimilarity and TrigramDistance order by closeness; trigramSimilar filters', async () => {
    await ensureTrigramExtension();
    const similar = await Post.objects
      .annotate({ similarity: new TrigramSimilarity('author', 'jon') })
      .filter({ similarity__gt: 0.2 })
      .orderBy('-similarity', 'title')
      .valuesList('author', { flat: true });
    assert.deepEqual(similar, ['john', 'john', 'johnny']);
    const nearest = await Post.objects.annotate({ distance: new TrigramDistance('author', 'mary') }).orderBy('distance').valuesList('author', { flat: true });
    assert.equal(nearest[0], 'mary');
    assert.deepEqual(await titles({ author__trigramSimilar: 'johny' }), ['Cheese', 'Quote "x"', 'Wine']);
  });
});

describe('distinct(...fields)', () => {
  test('DISTINCT ON keeps the first row of each group in the ordering', async () => {
    const top = await Post.objects.distinct('author').orderBy('author', '-rank').valuesList('author', 'title');
    assert.deepEqual(top, [['john', 'Quote "x"'], ['johnny', 'Wine'], ['mary', 'Bread']]);
    assert.equal(await Post.objects.distinct('author').orderBy('author').count(), 3);
  });

  test('an ordering that does not start with the distinct fields is refused with the fix', async () => {
    await assert.rejects(
      async () => await Post.objects.distinct('author').orderBy('rank'),
      (error: unknown) => error instanceof FieldError && /orderBy\('author'/.test(error.message),
    );
  });

  test('distinct fields follow relations and expressions (F) like other paths', async () => {
    const ranks = await Post.objects.distinct('author').orderBy('author', F('rank').asc()).valuesList('rank', { flat: true });
    assert.deepEqual(ranks, [3, 2, 1]);
  });
});

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connections, captureQueries, Decimal, DateOnly, F, Q, Value, ExpressionWrapper, DecimalField, FieldError,
  Count, Sum, Avg, Min, Max, StdDev, Variance,
} from '../../../src/db/index.ts';
import { Book, Publisher, seed } from './aggregation-fixture.ts';
import { sqlPattern, testVendor } from '../test-database.ts';

// PostgreSQL computes decimals exactly in numeric, so Django reads them back as the
// server's text ('31.1160000000000000'); on SQLite they pass through a float ('31.1160000000000').
const pg = testVendor === 'postgres';

before(seed);
after(() => connections.closeAll());

const dec = (value: unknown): string => {
  assert.ok(value instanceof Decimal, `expected a Decimal, got ${String(value)}`);
  return value.toString();
};

describe('aggregate()', () => {
  test('computes named aggregates with Django output types', async () => {
    const r = await Book.objects.aggregate({
      avg: Avg('price'), n: Count('id'), s: Sum('price'), ar: Avg('rating'), mx: Max('price'), mi: Min('pubdate'), sr: Sum('rating'),
    });
    // Django 5.2 on SQLite: Decimal('31.1160000000000'), 5, Decimal('155.580000000000'), 3.8, Decimal('100'), date(2022, 12, 31), 19
    assert.equal(dec(r.avg), pg ? '31.1160000000000000' : '31.1160000000000');
    assert.equal(r.n, 5);
    assert.equal(dec(r.s), pg ? '155.58' : '155.580000000000');
    assert.equal(r.ar, 3.8);
    assert.equal(dec(r.mx), pg ? '100.00' : '100');
    assert.ok(r.mi instanceof DateOnly);
    assert.equal((r.mi as DateOnly).isoformat(), '2022-12-31');
    assert.equal(r.sr, 19);
  });

  test('positional aggregates are named field__function', async () => {
    const r = await Book.objects.aggregate(Avg('price'), Max('rating'));
    assert.deepEqual(Object.keys(r), ['price__avg', 'rating__max']);
    assert.equal(r.rating__max, 5);
  });

  test('a complex aggregate without a name is refused', async () => {
    await assert.rejects(() => Book.objects.aggregate(Sum(F('price').add(F('rating')))), /Complex aggregates require an alias/);
  });

  test('a named complex aggregate sums a decimal expression', async () => {
    const r = await Book.objects.aggregate({ x: Sum(F('price').add(F('rating'))) });
    assert.equal(dec(r.x), pg ? '174.58' : '174.580000000000');
  });

  test('a non-aggregate expression is refused by aggregate()', async () => {
    await assert.rejects(() => Book.objects.aggregate({ x: F('price') }), /'x' is not an aggregate expression/);
  });

  test('filter, distinct and default follow Django', async () => {
    const r = await Book.objects.aggregate({
      n: Count('id', { filter: Q({ rating__gte: 4 }) }),
      d: Count('rating', { distinct: true }),
      z: Sum('pages', { filter: Q({ rating: 100 }) }),
      zd: Sum('pages', { filter: Q({ rating: 100 }), default: 0 }),
    });
    assert.deepEqual(r, { n: 3, d: 4, z: null, zd: 0 });
  });

  test('StdDev and Variance run on SQLite through registered functions', async () => {
    const r = await Book.objects.aggregate({ sd: StdDev('rating'), v: Variance('price'), sds: StdDev('rating', { sample: true }) });
    assert.equal(r.sd, 1.1661903789690602);
    assert.equal(r.sds, 1.3038404810405297);
    assert.equal(dec(r.v), pg ? '1261.7265840000000000' : '1261.72658400000');
  });

  test('over a filtered queryset only matching rows count', async () => {
    const r = await Book.objects.filter({ publisher__name: 'Apress' }).aggregate({ n: Count('id'), s: Sum('pages') });
    assert.deepEqual(r, { n: 3, s: 350 });
  });

  test('over a slice the query becomes a subquery and keeps its ordering', async () => {
    const { result, queries } = await captureQueries(() => Book.objects.all().slice(0, 2).aggregate({ s: Sum('price') }));
    assert.equal(dec(result.s), pg ? '45.49' : '45.4900000000000');
    assert.match(queries[0]!.sql, /FROM \(SELECT .* LIMIT 2\) subquery/);
  });

  test('over an aggregate annotation the query becomes a subquery', async () => {
    const r = await Book.objects.annotate({ n: Count('id') }).aggregate({ a: Avg('n') });
    assert.deepEqual(r, { a: 1 });
    const perPublisher = await Book.objects.values('publisher').annotate({ n: Count('id') }).aggregate({ most: Max('n'), total: Sum('n') });
    assert.deepEqual(perPublisher, { most: 3, total: 5 });
  });

  test('an empty queryset runs no query: Count gives 0, others null or their default', async () => {
    const { result, queries } = await captureQueries(() => Book.objects.none().aggregate({ n: Count('id'), s: Sum('price'), d: Sum('price', { default: 0 }) }));
    assert.equal(queries.length, 0);
    assert.deepEqual(result, { n: 0, s: null, d: 0 });
  });

  test('Count does not take a default and Max does not take distinct', () => {
    assert.throws(() => Count('id', { default: 1 }), /Count does not allow default/);
    assert.throws(() => Max('id', { distinct: true }), /Max does not allow distinct/);
  });

  test('an unknown field in an aggregate names the choices', async () => {
    await assert.rejects(() => Book.objects.aggregate({ x: Sum('nope') }), (error: unknown) => error instanceof FieldError && /Cannot resolve keyword 'nope'/.test(error.message));
  });

  test('ExpressionWrapper sets the output field of mixed arithmetic', async () => {
    const r = await Book.objects.aggregate({ x: Max(ExpressionWrapper(F('price').mul(F('rating')), new DecimalField({ maxDigits: 10, decimalPlaces: 2 }))) });
    assert.equal(dec(r.x), pg ? '200.00' : '200');
  });
});

describe('annotate()', () => {
  test('values().annotate() groups by the values fields', async () => {
    const rows = await Book.objects.values('publisher__name').annotate({ n: Count('id'), total: Sum('price') }).orderBy('publisher__name');
    assert.deepEqual(rows.map((r) => [r.publisher__name, r.n, dec(r.total)]), [
      ['Apress', 3, pg ? '45.59' : '45.5900000000000'],
      ['Bloom', 2, pg ? '109.99' : '109.990000000000'],
    ]);
  });

  test('a filter on an aggregate annotation becomes HAVING', async () => {
    const qs = Book.objects.values('publisher__name').annotate({ total: Sum('price') }).filter({ total__gt: 50 });
    const { sql } = qs.toSQL();
    // SQLite gives the decimal sum numeric affinity; PostgreSQL's numeric needs nothing.
    if (pg) assert.match(sql, sqlPattern(/GROUP BY "shop_publisher"\."name" HAVING SUM\("shop_book"\."price"\) > \?/));
    else assert.match(sql, /GROUP BY "shop_publisher"\."name" HAVING CAST\(SUM\("shop_book"\."price"\) AS NUMERIC\) > \?/);
    assert.doesNotMatch(sql, /WHERE/);
    assert.deepEqual((await qs).map((r) => r.publisher__name), ['Bloom']);
  });

  test('conditions on rows stay in WHERE next to HAVING', async () => {
    const qs = Book.objects.values('publisher__name').annotate({ n: Count('id') }).filter({ n__gte: 2, rating__gte: 3 });
    assert.match(qs.toSQL().sql, sqlPattern(/WHERE "shop_book"\."rating" >= \? GROUP BY .* HAVING COUNT\("shop_book"\."id"\) >= \?/));
    assert.deepEqual(await qs, [{ publisher__name: 'Apress', n: 3 }]);
  });

  test('annotate() on instances groups by the model and sets the attribute', async () => {
    const books = await Book.objects.annotate({ twice: Sum(F('rating').mul(2)) }).orderBy('title');
    assert.deepEqual(books.map((b) => [b.title, b.twice]), [['Alpha', 10], ['Beta', 6], ['Delta', 4], ['Eps', 10], ['Gamma', 8]]);
  });

  test('a grouped query ignores the model default ordering, as Django does', async () => {
    const { sql } = Book.objects.values('rating').annotate({ n: Count('id') }).toSQL();
    assert.doesNotMatch(sql, /ORDER BY/);
  });

  test('ordering by an aggregate annotation', async () => {
    const rows = await Book.objects.values('rating').annotate({ n: Count('id') }).orderBy('-n', 'rating');
    assert.deepEqual(rows, [{ rating: 5, n: 2 }, { rating: 2, n: 1 }, { rating: 3, n: 1 }, { rating: 4, n: 1 }]);
  });

  test('values() after annotate() keeps grouping by the model', async () => {
    const rows = await Book.objects.annotate({ n: Count('id') }).values('rating', 'n').orderBy('rating');
    assert.deepEqual(rows, [{ rating: 2, n: 1 }, { rating: 3, n: 1 }, { rating: 4, n: 1 }, { rating: 5, n: 1 }, { rating: 5, n: 1 }]);
  });

  test('valuesList() reads annotations, flat and named', async () => {
    const flat = await Book.objects.values('publisher').annotate({ n: Count('id') }).orderBy('publisher').valuesList('n', { flat: true });
    assert.deepEqual(flat, [3, 2]);
    const named = await Book.objects.annotate({ double: F('rating').mul(2) }).orderBy('title').valuesList('title', 'double', { named: true });
    assert.deepEqual(named[0], { title: 'Alpha', double: 10 });
  });

  test('alias() filters without selecting', async () => {
    const rows = await Book.objects.alias({ r2: F('rating').mul(2) }).filter({ r2__gte: 10 }).valuesList('title', { flat: true });
    assert.deepEqual(rows, ['Alpha', 'Eps']);
    const books = await Book.objects.alias({ r2: F('rating').mul(2) }).filter({ r2__gte: 10 });
    assert.equal((books[0] as unknown as Record<string, unknown>).r2, undefined);
  });

  test('count() and exists() on a grouped query count the groups', async () => {
    const qs = Book.objects.values('publisher').annotate({ n: Count('id') });
    assert.equal(await qs.count(), 2);
    assert.equal(await qs.filter({ n__gt: 2 }).count(), 1);
    assert.equal(await qs.filter({ n__gt: 5 }).exists(), false);
  });

  test('an annotation cannot shadow a field', () => {
    assert.throws(() => Book.objects.annotate({ title: Value('x') }), /conflicts with a field/);
    assert.throws(() => Publisher.objects.annotate({ books: Value('x') }), /conflicts with a field or relation on Publisher/);
  });

  test('annotate() refuses a plain value with a hint', () => {
    assert.throws(() => Book.objects.annotate({ t: 'title' as never }), /must be an expression.*wrap field names in F\(\)/);
  });

  test('an aggregate is refused in filter()', () => {
    assert.throws(() => Book.objects.filter({ rating__gt: Avg('rating') }), /is an aggregate/);
  });

  test('Count of a forward relation counts non-null keys per group', async () => {
    const rows = await Publisher.objects.filter({ name__startswith: 'A' }).values('name').annotate({ n: Count('id') });
    assert.deepEqual(rows, [{ name: 'Apress', n: 1 }]);
  });
});

describe('aggregates across reverse relations (Django 5.2 results on the same rows)', () => {
  test('Count of a reverse foreign key, with a LEFT OUTER JOIN so empty parents count 0', async () => {
    const qs = Publisher.objects.annotate({ n: Count('books') }).orderBy('name');
    assert.match(qs.toSQL().sql, /LEFT OUTER JOIN "shop_book" .* GROUP BY "shop_publisher"\."id", "shop_publisher"\."name"/);
    assert.deepEqual((await qs).map((p) => [p.name, p.n]), [['Apress', 3], ['Bloom', 2], ['Cobalt', 0]]);
  });

  test('two multi-valued joins in one annotate multiply rows: the documented trap', async () => {
    const rows = await Publisher.objects.annotate({ n: Count('books'), r: Count('books__reviews') }).orderBy('name');
    // Django gives [('Apress', 4, 3), ('Bloom', 4, 3), ('Cobalt', 0, 0)]: books are counted once per review.
    assert.deepEqual(rows.map((p) => [p.name, p.n, p.r]), [['Apress', 4, 3], ['Bloom', 4, 3], ['Cobalt', 0, 0]]);
    const fixed = await Publisher.objects.annotate({ n: Count('books', { distinct: true }), r: Count('books__reviews', { distinct: true }) }).orderBy('name');
    assert.deepEqual(fixed.map((p) => [p.name, p.n, p.r]), [['Apress', 3, 3], ['Bloom', 2, 3], ['Cobalt', 0, 0]]);
  });

  test('Count of a reverse relation without ordering keeps Django\'s row order', async () => {
    const rows = await Book.objects.annotate({ n: Count('reviews') }).valuesList('title', 'n');
    // Without ORDER BY the row order is the database's: SQLite's follows its GROUP BY, PostgreSQL's its hash aggregate.
    const expected = [['Alpha', 2], ['Beta', 1], ['Eps', 0], ['Gamma', 3], ['Delta', 0]];
    if (pg) assert.deepEqual([...rows].sort(), [...expected].sort());
    else assert.deepEqual(rows, expected);
  });

  test('HAVING on a reverse count, and aggregate() across two joins', async () => {
    assert.deepEqual(await Publisher.objects.annotate({ n: Count('books') }).filter({ n__gt: 2 }).valuesList('name', { flat: true }), ['Apress']);
    assert.deepEqual(await Publisher.objects.aggregate({ n: Count('books__reviews') }), { n: 6 });
  });

  test('Sum with a filter across a reverse relation', async () => {
    const rows = await Publisher.objects.annotate({ good: Sum('books__pages', { filter: Q({ books__rating__gte: 4 }), default: 0 }) }).orderBy('name').valuesList('name', 'good');
    assert.deepEqual(rows, [['Apress', 350], ['Bloom', 120], ['Cobalt', 0]]);
  });
});

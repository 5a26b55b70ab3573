import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connections, Subquery, Exists, OuterRef, Count, Sum, Q, OuterRefOutsideSubqueryError, Coalesce, Value,
} from '../../../src/db/index.ts';
import { Book, Publisher, Review, seed } from './aggregation-fixture.ts';

before(seed);
after(() => connections.closeAll());

describe('Exists', () => {
  test('filter(Exists(...)) keeps rows with a related row, with Django SQL', async () => {
    const qs = Book.objects.filter(Exists(Review.objects.filter({ book: OuterRef('pk') })));
    assert.match(qs.toSQL().sql, /WHERE EXISTS\(SELECT 1 AS "a" FROM "shop_review" "U0" WHERE "U0"\."book_id" = "shop_book"\."id" LIMIT 1\)/);
    assert.deepEqual((await qs).map((b) => b.title), ['Alpha', 'Beta', 'Gamma']);
  });

  test('exclude(Exists(...)) keeps the rows without one', async () => {
    const titles = await Book.objects.exclude(Exists(Review.objects.filter({ book: OuterRef('pk') }))).valuesList('title', { flat: true });
    assert.deepEqual(titles, ['Delta', 'Eps']);
  });

  test('an Exists annotation is a boolean', async () => {
    const rows = await Book.objects.annotate({ praised: Exists(Review.objects.filter({ book: OuterRef('pk'), stars: 5 })) }).valuesList('title', 'praised');
    assert.deepEqual(rows, [['Alpha', true], ['Beta', false], ['Delta', false], ['Eps', false], ['Gamma', true]]);
  });

  test('parameters of the inner and outer query stay in order', async () => {
    const qs = Book.objects.filter({ rating__gte: 3 }).filter(Exists(Review.objects.filter({ book: OuterRef('pk'), stars__lte: 2 }))).filter({ price__lt: 100 });
    assert.deepEqual(qs.toSQL().params, [3, 2, '100']);
    assert.deepEqual((await qs).map((b) => b.title), ['Beta']);
  });
});

describe('Subquery', () => {
  test('annotates one value per row from a sliced, ordered inner query', async () => {
    const best = Review.objects.filter({ book: OuterRef('pk') }).orderBy('-stars').values('stars').slice(0, 1);
    const rows = await Book.objects.annotate({ best: Subquery(best) }).valuesList('title', 'best');
    assert.deepEqual(rows, [['Alpha', 5], ['Beta', 2], ['Delta', null], ['Eps', null], ['Gamma', 5]]);
  });

  test('the same table inside and outside is told apart by aliases', async () => {
    // Books dearer than their publisher's average, by a correlated subquery on the same table.
    const average = Book.objects.filter({ publisher: OuterRef('publisher') }).values('publisher').annotate({ total: Sum('rating') }).values('total');
    const rows = await Book.objects.annotate({ publisherRating: Subquery(average) }).valuesList('title', 'publisherRating');
    assert.deepEqual(rows, [['Alpha', 13], ['Beta', 13], ['Delta', 6], ['Eps', 13], ['Gamma', 6]]);
  });

  test('a subquery can be filtered on and ordered by', async () => {
    const count = Review.objects.filter({ book: OuterRef('pk') }).values('book').annotate({ n: Count('id') }).values('n');
    const titles = await Book.objects.annotate({ reviewCount: Coalesce(Subquery(count), Value(0)) }).filter({ reviewCount__gte: 1 }).orderBy('-reviewCount', 'title').valuesList('title', { flat: true });
    assert.deepEqual(titles, ['Gamma', 'Alpha', 'Beta']);
  });

  test('OuterRef(OuterRef(...)) reaches two levels up', async () => {
    // Publishers with a book that has a five-star review.
    const fiveStar = Review.objects.filter({ book: OuterRef('pk'), stars: 5 });
    const books = Book.objects.filter({ publisher: OuterRef('pk') }).filter(Exists(fiveStar));
    const names = await Publisher.objects.filter(Exists(books)).orderBy('name').valuesList('name', { flat: true });
    assert.deepEqual(names, ['Apress', 'Bloom']);
    const nested = Book.objects.filter({ publisher: OuterRef('pk') }).filter(Exists(Review.objects.filter({ book: OuterRef('pk'), book__publisher: OuterRef(OuterRef('pk')) })));
    assert.deepEqual(await Publisher.objects.filter(Exists(nested)).orderBy('name').valuesList('name', { flat: true }), ['Apress', 'Bloom']);
  });

  test('Exists works inside Q-free When conditions of Case', async () => {
    const { Case, When } = await import('../../../src/db/index.ts');
    const rows = await Book.objects.annotate({
      label: Case(When(Exists(Review.objects.filter({ book: OuterRef('pk') })), Value('reviewed')), { default: Value('quiet') }),
    }).valuesList('title', 'label');
    assert.deepEqual(rows, [['Alpha', 'reviewed'], ['Beta', 'reviewed'], ['Delta', 'quiet'], ['Eps', 'quiet'], ['Gamma', 'reviewed']]);
  });

  test('a subquery selecting several columns is refused', () => {
    assert.throws(() => Book.objects.annotate({ x: Subquery(Review.objects.values('id', 'stars')) }).toSQL(), /must select one column/);
  });
});

describe('OuterRef outside a subquery', () => {
  test('is refused when the query is compiled, naming the fix', async () => {
    await assert.rejects(async () => Book.objects.filter({ id: OuterRef('pk') }).then((r) => r), (error: unknown) =>
      error instanceof OuterRefOutsideSubqueryError && /OuterRef\('pk'\)/.test(error.message) && error.code === 'NUAGES_DB_OUTER_REF_OUTSIDE_SUBQUERY');
  });

  test('a Q condition with OuterRef in an Exists works', async () => {
    const titles = await Book.objects.filter(Exists(Review.objects.filter(Q({ book: OuterRef('pk') }).and(Q({ stars: 2 }).or({ stars: 3 }))))).valuesList('title', { flat: true });
    assert.deepEqual(titles, ['Beta', 'Gamma']);
  });
});

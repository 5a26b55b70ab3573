/**
 * Lookups, ordering, values() and annotations across relations, checked against
 * Django 5.2 on the same rows: every expected value below was printed by
 * tests/db/models/django/relations_oracle.py (Django 5.2.17) from
 * relations-data.json, the data relations-fixture.ts loads here.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Q, Count, connections, captureQueries, FieldError, type QuerySet } from '../../../src/db/index.ts';
import { seed, Book, Publisher, Author, Customer, Product } from './relations-fixture.ts';
import { testVendor } from '../test-database.ts';

// PostgreSQL sorts NULL after every value (last ascending, first descending); SQLite before.
const pg = testVendor === 'postgres';

// From Django 5.2.17 (relations_oracle.py); do not edit by hand, re-run the script.
const DJANGO = {
  fk_forward: [1, 2, 6],
  fk_two_hops: [1, 2, 6],
  fk_reverse: [1, 3],
  m2m_forward: [1, 3, 6],
  m2m_forward_dupes: [1, 2, 3, 4, 6],
  m2m_forward_distinct: [1, 2, 3, 4, 6],
  m2m_reverse: [1, 3, 3, 4],
  m2m_reverse_dupes: [1, 1, 2, 2, 2, 5],
  reverse_then_m2m: [1, 2],
  four_hops: [1],
  default_related_query_name: [1, 2, 3],
  reverse_o2o: [3],
  reverse_fk_then_reverse_fk: [1, 2, 3],
  string_reference_fk: [1, 5],
  one_filter_two_conditions: [],
  two_filters: [1, 6],
  reverse_one_filter: [1],
  reverse_two_filters: [1, 1, 1, 2],
  q_and_in_one_filter: [],
  q_or_across: [4, 5],
  exclude_reverse: [2, 4],
  exclude_m2m: [2, 4, 5],
  exclude_nested: [2, 3, 4],
  exclude_two_conditions: [3, 4],
  exclude_nullable_fk: [1, 2, 4, 5],
  exclude_nullable_chain: [3, 4, 5],
  exclude_q_or: [3, 6],
  isnull_forward: [2, 4],
  isnull_reverse: [4],
  isnull_m2m_reverse: [6],
  isnull_o2o_reverse: [2, 4, 5, 6],
  isnull_two_hops: [5],
  isnull_false_reverse: [1, 2, 3],
  in_subquery: [1, 2, 6],
  in_subquery_m2m: [1, 2],
  values_across: [{"title": "Alpha", "publisher__name": "Apress", "publisher__country__name": "France"}, {"title": "Beta", "publisher__name": "Apress", "publisher__country__name": "France"}, {"title": "Delta", "publisher__name": "Bloom", "publisher__country__name": "Japan"}, {"title": "Eps", "publisher__name": "Cobalt", "publisher__country__name": null}, {"title": "Gamma", "publisher__name": "Bloom", "publisher__country__name": "Japan"}, {"title": "Zeta", "publisher__name": "Apress", "publisher__country__name": "France"}],
  values_list_reverse_m2m: [["Ann", "Alpha"], ["Ann", "Gamma"], ["Ann", "Zeta"], ["Bob", "Alpha"], ["Bob", "Beta"], ["Bob", "Zeta"], ["Cid", "Delta"], ["Cid", "Gamma"], ["Dee", "Delta"], ["Eve", "Zeta"], ["Fay", null]],
  order_across: ["Zeta", "Beta", "Alpha", "Gamma", "Delta", "Eps"],
  order_nullable_desc: ["Eps", "Alpha", "Gamma", "Zeta", "Beta", "Delta"],
  order_reverse_multi: [4, 1, 2, 1, 2, 1, 3],
  count_m2m_in: 6,
  count_m2m_in_distinct: 4,
  annotate_one_join: [["Apress", 3], ["Bloom", 2], ["Cobalt", 1], ["Dune", 0]],
  annotate_trap: [["Alpha", 4, 4], ["Beta", 1, 1], ["Gamma", 4, 4], ["Delta", 2, 2], ["Eps", 0, 0], ["Zeta", 3, 3]],
  annotate_trap_distinct: [["Alpha", 2, 2], ["Beta", 1, 1], ["Gamma", 2, 2], ["Delta", 2, 1], ["Eps", 0, 0], ["Zeta", 3, 1]],
  delete_book: [5, {"rel.Book_authors": 2, "rel.Review": 2, "rel.Book": 1}],
  delete_publisher: [10, {"rel.Book_authors": 4, "rel.Review": 3, "rel.Book": 2, "rel.Publisher": 1}],
  delete_author: [3, {"rel.Book_authors": 1, "rel.Profile": 1, "rel.Author": 1}],} as const;

before(seed);
after(() => connections.closeAll());

async function pks(qs: QuerySet<any>): Promise<unknown[]> {
  return qs.valuesList('pk', { flat: true });
}

describe('lookups across relations match Django', () => {
  const cases: [keyof typeof DJANGO, () => QuerySet<any>][] = [
    ['fk_forward', () => Book.objects.filter({ publisher__name: 'Apress' }).orderBy('pk')],
    ['fk_two_hops', () => Book.objects.filter({ publisher__country__name: 'France' }).orderBy('pk')],
    ['fk_reverse', () => Publisher.objects.filter({ books__rating: 5 }).orderBy('pk')],
    ['m2m_forward', () => Book.objects.filter({ authors__name: 'Ann' }).orderBy('pk')],
    ['m2m_forward_dupes', () => Book.objects.filter({ authors__age__gt: 40 }).orderBy('pk')],
    ['m2m_forward_distinct', () => Book.objects.filter({ authors__age__gt: 40 }).distinct().orderBy('pk')],
    ['m2m_reverse', () => Author.objects.filter({ books__publisher__name: 'Bloom' }).orderBy('pk')],
    ['m2m_reverse_dupes', () => Author.objects.filter({ books__publisher__name: 'Apress' }).orderBy('pk')],
    ['reverse_then_m2m', () => Publisher.objects.filter({ books__authors__name__icontains: 'e' }).distinct().orderBy('pk')],
    ['four_hops', () => Customer.objects.filter({ orders__items__product__price__gt: 10 }).distinct().orderBy('pk')],
    ['default_related_query_name', () => Product.objects.filter({ item__order__customer__name: 'Kim' }).distinct().orderBy('pk')],
    ['reverse_o2o', () => Author.objects.filter({ profile__bio__startswith: 'nov' }).orderBy('pk')],
    ['reverse_fk_then_reverse_fk', () => Author.objects.filter({ books__reviews__stars__gte: 5 }).distinct().orderBy('pk')],
    ['string_reference_fk', () => Book.objects.filter({ editor__age__gte: 45 }).orderBy('pk')],
    ['in_subquery', () => Book.objects.filter({ publisher__in: Publisher.objects.filter({ country__name: 'France' }) }).orderBy('pk')],
    ['in_subquery_m2m', () => Author.objects.filter({ books__in: Book.objects.filter({ rating: 5 }) }).distinct().orderBy('pk')],
  ];
  for (const [name, build] of cases) {
    test(`${name} matches Django`, async () => {
      assert.deepEqual(await pks(build()), DJANGO[name]);
    });
  }

  test('a lookup naming an unknown relation lists the choices, reverse names included', async () => {
    assert.throws(() => Publisher.objects.filter({ bookz__title: 'x' }), (err: Error) => {
      assert.ok(err instanceof FieldError);
      assert.match(err.message, /'bookz'/);
      assert.match(err.message, /books/);
      return true;
    });
  });

  test('an empty __in across a relation runs no SQL; excluding it keeps every row', async () => {
    const { result, queries } = await captureQueries(() => Book.objects.filter({ authors__in: [] }));
    assert.deepEqual([result.length, queries.length], [0, 0]);
    // Django 5.2 also counts 3: the OR keeps the author join, so Alpha comes once per author.
    assert.equal(await Book.objects.filter(Q({ authors__in: [] }).or(Q({ rating: 5 }))).count(), 3);
    assert.equal(await Book.objects.exclude({ publisher__in: [] }).count(), 6);
  });

  test('model instances stand for their keys in relation lookups both ways', async () => {
    const apress = await Publisher.objects.get({ name: 'Apress' });
    const ann = await Author.objects.get({ name: 'Ann' });
    assert.deepEqual(await pks(Book.objects.filter({ publisher: apress }).orderBy('pk')), DJANGO.fk_forward);
    assert.deepEqual(await pks(Book.objects.filter({ authors: ann }).orderBy('pk')), DJANGO.m2m_forward);
    assert.deepEqual(await pks(Book.objects.filter({ authors__in: [ann] }).orderBy('pk')), DJANGO.m2m_forward);
  });
});

describe('multi-valued relations: filter(a, b) versus filter(a).filter(b)', () => {
  test('one filter() call: both conditions hold for the same related author', async () => {
    assert.deepEqual(await pks(Book.objects.filter({ authors__name: 'Ann', authors__age: 45 }).orderBy('pk')), DJANGO.one_filter_two_conditions);
  });

  test('two filter() calls: each condition may hold for a different author', async () => {
    assert.deepEqual(await pks(Book.objects.filter({ authors__name: 'Ann' }).filter({ authors__age: 45 }).orderBy('pk')), DJANGO.two_filters);
  });

  test('the same holds on a reverse ForeignKey, duplicates and all', async () => {
    assert.deepEqual(await pks(Publisher.objects.filter({ books__rating__gte: 4, books__pages__lt: 400 }).orderBy('pk')), DJANGO.reverse_one_filter);
    assert.deepEqual(await pks(Publisher.objects.filter({ books__rating__gte: 4 }).filter({ books__pages__lt: 400 }).orderBy('pk')), DJANGO.reverse_two_filters);
  });

  test('Q objects combined with & inside one filter() share the join', async () => {
    assert.deepEqual(await pks(Book.objects.filter(Q({ authors__name: 'Ann' }).and(Q({ authors__age: 45 }))).orderBy('pk')), DJANGO.q_and_in_one_filter);
  });

  test('Q objects combined with | across two relations keep rows missing either one', async () => {
    assert.deepEqual(await pks(Book.objects.filter(Q({ authors__name: 'Dee' }).or(Q({ editor__name: 'Cid' }))).distinct().orderBy('pk')), DJANGO.q_or_across);
  });

  test('count() counts joined rows unless distinct(), as in Django', async () => {
    assert.equal(await Book.objects.filter({ authors__name__in: ['Ann', 'Bob'] }).count(), DJANGO.count_m2m_in);
    assert.equal(await Book.objects.filter({ authors__name__in: ['Ann', 'Bob'] }).distinct().count(), DJANGO.count_m2m_in_distinct);
  });
});

describe('exclude() across relations', () => {
  const cases: [keyof typeof DJANGO, () => QuerySet<any>][] = [
    ['exclude_reverse', () => Publisher.objects.exclude({ books__rating: 5 }).orderBy('pk')],
    ['exclude_m2m', () => Book.objects.exclude({ authors__name: 'Ann' }).orderBy('pk')],
    ['exclude_nested', () => Publisher.objects.exclude({ books__authors__name: 'Bob' }).orderBy('pk')],
    // Django: the conditions of one exclude() need not hold for the same book.
    ['exclude_two_conditions', () => Publisher.objects.exclude({ books__rating__gte: 4, books__pages__lt: 400 }).orderBy('pk')],
    ['exclude_nullable_fk', () => Book.objects.exclude({ editor__name: 'Ann' }).orderBy('pk')],
    ['exclude_nullable_chain', () => Book.objects.exclude({ publisher__country__name: 'France' }).orderBy('pk')],
    ['exclude_q_or', () => Author.objects.exclude(Q({ books__rating: 1 }).or(Q({ age__lt: 30 }))).orderBy('pk')],
  ];
  for (const [name, build] of cases) {
    test(`${name} matches Django`, async () => {
      assert.deepEqual(await pks(build()), DJANGO[name]);
    });
  }
});

describe('isnull across relations', () => {
  const cases: [keyof typeof DJANGO, () => QuerySet<any>][] = [
    ['isnull_forward', () => Book.objects.filter({ editor__isnull: true }).orderBy('pk')],
    ['isnull_reverse', () => Publisher.objects.filter({ books__isnull: true }).orderBy('pk')],
    ['isnull_m2m_reverse', () => Author.objects.filter({ books__isnull: true }).orderBy('pk')],
    ['isnull_o2o_reverse', () => Author.objects.filter({ profile__isnull: true }).orderBy('pk')],
    ['isnull_two_hops', () => Book.objects.filter({ publisher__country__isnull: true }).orderBy('pk')],
    ['isnull_false_reverse', () => Author.objects.filter({ edited__isnull: false }).distinct().orderBy('pk')],
  ];
  for (const [name, build] of cases) {
    test(`${name} matches Django`, async () => {
      assert.deepEqual(await pks(build()), DJANGO[name]);
    });
  }
});

describe('values(), valuesList() and orderBy() across relations', () => {
  test('values() follows forward keys, NULL where a nullable link is missing', async () => {
    const rows = await Book.objects.orderBy('title').values('title', 'publisher__name', 'publisher__country__name');
    assert.deepEqual(rows, DJANGO.values_across);
  });

  test('valuesList() over a reverse many-to-many gives one row per pair, NULL for none', async () => {
    const rows = await Author.objects.orderBy('name', 'books__title').valuesList('name', 'books__title');
    assert.deepEqual(rows, DJANGO.values_list_reverse_m2m);
  });

  test('orderBy() across a ForeignKey, mixed directions', async () => {
    assert.deepEqual(await Book.objects.orderBy('publisher__name', '-title').valuesList('title', { flat: true }), DJANGO.order_across);
  });

  test('orderBy() descending across a nullable key puts NULLs where SQLite does', async () => {
    const titles = await Book.objects.orderBy('-editor__age', 'pk').valuesList('title', { flat: true });
    assert.deepEqual(titles, pg ? ['Beta', 'Delta', 'Eps', 'Alpha', 'Gamma', 'Zeta'] : DJANGO.order_nullable_desc);
  });

  test('orderBy() across a reverse relation repeats the parent per related row', async () => {
    assert.deepEqual(await pks(Publisher.objects.orderBy('books__rating', 'pk')), pg ? [1, 2, 1, 2, 1, 3, 4] : DJANGO.order_reverse_multi);
  });
});

describe('annotate() across relations', () => {
  test('Count over a reverse ForeignKey counts zero for parents without children', async () => {
    const rows = await Publisher.objects.annotate({ n: Count('books') }).orderBy('pk').valuesList('name', 'n');
    assert.deepEqual(rows, DJANGO.annotate_one_join);
  });

  test('the classic trap: two multi-valued joins in one annotate() multiply each other', async () => {
    // Documented Django behaviour: the author and review joins combine, so both counts are inflated.
    const rows = await Book.objects.annotate({ na: Count('authors'), nr: Count('reviews') }).orderBy('pk').valuesList('title', 'na', 'nr');
    assert.deepEqual(rows, DJANGO.annotate_trap);
  });

  test('distinct: true counts each related row once, the fix Django documents', async () => {
    const rows = await Book.objects
      .annotate({ na: Count('authors', { distinct: true }), nr: Count('reviews', { distinct: true }) })
      .orderBy('pk')
      .valuesList('title', 'na', 'nr');
    assert.deepEqual(rows, DJANGO.annotate_trap_distinct);
  });
});

describe('deleting across many-to-many (runs last: it changes the rows)', () => {
  test('deleting a book removes its join rows and reviews, counted as Django counts them', async () => {
    const book = await Book.objects.get({ title: 'Alpha' });
    assert.deepEqual(await book.delete(), DJANGO.delete_book);
  });

  test('deleting a publisher cascades to books, their join rows and reviews', async () => {
    assert.deepEqual(await (await Publisher.objects.get({ name: 'Bloom' })).delete(), DJANGO.delete_publisher);
  });

  test('deleting an author removes its join rows and its one-to-one profile', async () => {
    assert.deepEqual(await (await Author.objects.get({ name: 'Ann' })).delete(), DJANGO.delete_author);
  });
});

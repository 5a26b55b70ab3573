/**
 * selectRelated(): to-one relations loaded in the same query with JOINs,
 * nested chains, LEFT OUTER JOIN where the link may be missing, the no-argument
 * form following non-null keys, and the errors for what it cannot load.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connections, captureQueries, FieldError, RelationNotLoadedError } from '../../../src/db/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { seed, Book, Publisher, Author, Item, Profile } from './relations-fixture.ts';

before(seed);
after(() => connections.closeAll());

async function sqlOf(fn: () => Promise<unknown>): Promise<string[]> {
  return (await captureQueries(fn)).queries.map((q) => q.sql);
}

describe('selectRelated()', () => {
  test('loads the publisher of every book in one query; reading it runs none', async () => {
    await assertNumQueries(1, async () => {
      const books = await Book.objects.selectRelated('publisher').orderBy('pk');
      assert.deepEqual(books.map((b) => b.publisher.name), ['Apress', 'Apress', 'Bloom', 'Bloom', 'Cobalt', 'Apress']);
    });
  });

  test('a non-null key joins INNER, a nullable one LEFT OUTER', async () => {
    const [sql] = await sqlOf(async () => Book.objects.selectRelated('publisher', 'editor'));
    assert.match(sql!, /INNER JOIN "rel_publisher"/);
    assert.match(sql!, /LEFT OUTER JOIN "rel_author"/);
  });

  test('a missing nullable relation reads as null, not as an error', async () => {
    const beta = await Book.objects.selectRelated('editor').get({ title: 'Beta' });
    assert.equal(beta.editor, null);
    const alpha = await Book.objects.selectRelated('editor').get({ title: 'Alpha' });
    assert.equal(alpha.editor!.name, 'Bob');
  });

  test('nested chains load every level in one query, LEFT OUTER below a nullable link', async () => {
    const { queries, result } = await captureQueries(() => Book.objects.selectRelated('publisher__country').orderBy('pk'));
    assert.equal(queries.length, 1);
    assert.match(queries[0]!.sql, /LEFT OUTER JOIN "rel_country"/);
    assert.deepEqual(result.map((b) => b.publisher.country?.name ?? null), ['France', 'France', 'Japan', 'Japan', null, 'France']);
  });

  test('four levels deep across forward keys', async () => {
    await assertNumQueries(1, async () => {
      const items = await Item.objects.selectRelated('order__customer', 'product').orderBy('pk');
      assert.deepEqual(items.map((i) => `${i.order.customer.name}:${i.product.name}`), ['Kim:Pen', 'Kim:Ink', 'Kim:Pad', 'Lee:Pen']);
    });
  });

  test('a reverse one-to-one can be selected: author.profile, null when absent', async () => {
    await assertNumQueries(1, async () => {
      const authors = await Author.objects.selectRelated('profile').orderBy('pk');
      assert.deepEqual(authors.map((a) => a.profile?.bio ?? null), ['poet', null, 'novelist', null, null, null]);
    });
  });

  test('through a one-to-one and on: profile__author__edited is refused, profile__author works', async () => {
    const profiles = await Profile.objects.selectRelated('author').orderBy('pk');
    assert.deepEqual(profiles.map((p) => p.author.name), ['Ann', 'Cid']);
    assert.throws(() => Profile.objects.selectRelated('author__edited'), FieldError);
  });

  test('with no arguments, follows non-null keys only, recursively (as Django)', async () => {
    const [item] = await Item.objects.selectRelated().orderBy('pk');
    assert.equal(item!.order.customer.name, 'Kim');
    assert.equal(item!.product.name, 'Pen');
    const book = await Book.objects.selectRelated().get({ title: 'Alpha' });
    assert.equal(book.publisher.name, 'Apress');
    // country and editor are nullable: not followed.
    assert.throws(() => book.editor, RelationNotLoadedError);
    assert.throws(() => book.publisher.country, RelationNotLoadedError);
  });

  test('filters and ordering on the same relation reuse its join', async () => {
    const [sql] = await sqlOf(async () => Book.objects.selectRelated('publisher').filter({ publisher__name: 'Apress' }).orderBy('publisher__name'));
    assert.equal(sql!.match(/JOIN "rel_publisher"/g)!.length, 1);
  });

  test('selectRelated(null) clears the list', async () => {
    const book = await Book.objects.selectRelated('publisher').selectRelated(null).get({ title: 'Alpha' });
    assert.throws(() => book.publisher, RelationNotLoadedError);
  });

  test('a to-many relation is refused, pointing at prefetchRelated', () => {
    assert.throws(() => Publisher.objects.selectRelated('books'), (err: Error) => {
      assert.ok(err instanceof FieldError);
      assert.match(err.message, /'books'/);
      assert.match(err.message, /prefetchRelated\('books'\)/);
      return true;
    });
    assert.throws(() => Book.objects.selectRelated('authors'), /prefetchRelated\('authors'\)/);
  });

  test('an unknown name is refused with the choices', () => {
    assert.throws(() => Book.objects.selectRelated('publisherr'), (err: Error) => err instanceof FieldError && /Choices are: publisher, editor/.test(err.message));
    assert.throws(() => Book.objects.selectRelated('title'), FieldError);
  });

  test('without selectRelated, reading the relation throws an error naming the fixes', async () => {
    const book = await Book.objects.get({ title: 'Alpha' });
    assert.throws(() => book.publisher, (err: Error) => {
      assert.ok(err instanceof RelationNotLoadedError);
      assert.match(err.message, /Book\.publisher/);
      assert.match(err.message, /selectRelated\('publisher'\)/);
      assert.match(err.message, /fetchRelated\('publisher'\)/);
      return true;
    });
  });

  test('the key stays readable without loading the relation', async () => {
    const book = await Book.objects.get({ title: 'Alpha' });
    assert.equal(book.publisherId, 1);
    assert.equal(book.editorId, 2);
  });

  test('selectRelated combined with slicing and get() still loads the relation', async () => {
    const [first] = await Book.objects.selectRelated('publisher').orderBy('-pages').slice(0, 1);
    assert.equal(first!.publisher.name, 'Bloom');
    assert.equal((await Book.objects.selectRelated('publisher').get({ pk: 5 })).publisher.name, 'Cobalt');
  });
});

describe('only() and defer() through selectRelated', () => {
  test('only() names fields of the related object; the rest of it is deferred', async () => {
    const [sql] = await sqlOf(async () => Book.objects.selectRelated('publisher').only('title', 'publisher__name').orderBy('pk'));
    assert.match(sql!, /SELECT "rel_book"\."id", "rel_book"\."title", "rel_book"\."publisher_id" AS "publisherId", "rel_publisher"\."id", "rel_publisher"\."name" FROM/);
    const book = (await Book.objects.selectRelated('publisher').only('title', 'publisher__name').orderBy('pk'))[0]!;
    assert.equal(book.publisher.name, 'Apress');
    assert.throws(() => book.publisher.countryId, /Publisher\.country was deferred/);
    assert.throws(() => book.pages, /Book\.pages was deferred/);
  });

  test('defer() leaves out a related field and keeps the others', async () => {
    const book = (await Book.objects.selectRelated('publisher').defer('publisher__name').orderBy('pk'))[0]!;
    assert.equal(book.pages > 0, true);
    assert.throws(() => book.publisher.name, /Publisher\.name was deferred/);
  });

  test('only() cannot follow a to-many relation and says to use Prefetch', () => {
    assert.throws(() => Publisher.objects.only('name', 'books__title'), /to-many relation in 'books'[\s\S]*Prefetch/);
  });
});

/**
 * prefetchRelated(), Prefetch and prefetchRelatedObjects(): one extra query per
 * level, batched with IN, for reverse ForeignKey, many-to-many (both sides),
 * forward ForeignKey and one-to-one, nested lookups, custom querysets, toAttr,
 * chunking below the parameter limit, and the errors.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connections, captureQueries, Prefetch, prefetchRelatedObjects, FieldError } from '../../../src/db/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { seed, Book, Publisher, Author, Profile } from './relations-fixture.ts';

before(seed);
after(() => connections.closeAll());

const names = (rows: readonly { name: string }[]) => rows.map((r) => r.name);
const titles = (rows: readonly { title: string }[]) => rows.map((r) => r.title).sort();

describe('prefetchRelated()', () => {
  test('reverse ForeignKey: two queries, then the managers answer from the cache', async () => {
    await assertNumQueries(2, async () => {
      const publishers = await Publisher.objects.prefetchRelated('books').orderBy('pk');
      const got = [];
      for (const p of publishers) got.push(titles(await p.books));
      assert.deepEqual(got, [['Alpha', 'Beta', 'Zeta'], ['Delta', 'Gamma'], ['Eps'], []]);
    });
  });

  test('each prefetched child knows its parent without a query', async () => {
    const [apress] = await Publisher.objects.prefetchRelated('books').orderBy('pk');
    await assertNumQueries(0, async () => {
      for (const book of await apress!.books) assert.equal(book.publisher, apress);
    });
  });

  test('refining a prefetched manager queries again, as in Django', async () => {
    const [apress] = await Publisher.objects.prefetchRelated('books').orderBy('pk');
    await assertNumQueries(1, async () => {
      assert.deepEqual(titles(await apress!.books.filter({ rating: 5 })), ['Alpha']);
    });
  });

  test('many-to-many, forward side', async () => {
    await assertNumQueries(2, async () => {
      const books = await Book.objects.prefetchRelated('authors').orderBy('pk');
      const got = [];
      for (const b of books) got.push(names(await b.authors).sort());
      assert.deepEqual(got, [['Ann', 'Bob'], ['Bob'], ['Ann', 'Cid'], ['Cid', 'Dee'], [], ['Ann', 'Bob', 'Eve']]);
    });
  });

  test('many-to-many, reverse side', async () => {
    await assertNumQueries(2, async () => {
      const authors = await Author.objects.prefetchRelated('books').orderBy('pk');
      const got = [];
      for (const a of authors) got.push(titles(await a.books));
      assert.deepEqual(got, [['Alpha', 'Gamma', 'Zeta'], ['Alpha', 'Beta', 'Zeta'], ['Delta', 'Gamma'], ['Delta'], ['Zeta'], []]);
    });
  });

  test('forward ForeignKeys: each reads synchronously after one IN query (NULL keys need none)', async () => {
    await assertNumQueries(3, async () => {
      const books = await Book.objects.prefetchRelated('publisher', 'editor').orderBy('pk');
      assert.deepEqual(books.map((b) => b.publisher.name), ['Apress', 'Apress', 'Bloom', 'Bloom', 'Cobalt', 'Apress']);
      assert.deepEqual(books.map((b) => b.editor?.name ?? null), ['Bob', null, 'Ann', null, 'Cid', 'Ann']);
    });
  });

  test('assertNumQueries and captureQueries count a QuerySet returned unawaited', async () => {
    await assertNumQueries(2, () => Book.objects.prefetchRelated('authors'));
    const { queries, result } = await captureQueries(() => Publisher.objects.prefetchRelated('books'));
    assert.equal(queries.length, 2);
    assert.equal(result.length, 4);
  });

  test('one-to-one both ways: author.profile and profile.author', async () => {
    await assertNumQueries(2, async () => {
      const authors = await Author.objects.prefetchRelated('profile').orderBy('pk');
      assert.deepEqual(authors.map((a) => a.profile?.bio ?? null), ['poet', null, 'novelist', null, null, null]);
    });
    await assertNumQueries(2, async () => {
      const profiles = await Profile.objects.prefetchRelated('author').orderBy('pk');
      assert.deepEqual(profiles.map((p) => p.author.name), ['Ann', 'Cid']);
    });
  });

  test('nested lookups cost one query per level: books__authors is three', async () => {
    await assertNumQueries(3, async () => {
      const publishers = await Publisher.objects.prefetchRelated('books__authors').orderBy('pk');
      const apressBooks = await publishers[0]!.books;
      const alpha = apressBooks.find((b) => b.title === 'Alpha')!;
      assert.deepEqual(names(await alpha.authors).sort(), ['Ann', 'Bob']);
    });
  });

  test('naming a level and its child separately runs the level once', async () => {
    await assertNumQueries(3, () => Publisher.objects.prefetchRelated('books', 'books__authors'));
  });

  test('a nested lookup through a forward key: authors__books__publisher', async () => {
    await assertNumQueries(3, async () => {
      const [ann] = await Author.objects.prefetchRelated('books__publisher').orderBy('pk');
      assert.deepEqual((await ann!.books).map((b) => b.publisher.name).sort(), ['Apress', 'Apress', 'Bloom']);
    });
  });

  test('prefetching below a selectRelated relation uses the joined objects', async () => {
    await assertNumQueries(2, async () => {
      const books = await Book.objects.selectRelated('publisher').prefetchRelated('publisher__books').orderBy('pk');
      assert.deepEqual(titles(await books[0]!.publisher.books), ['Alpha', 'Beta', 'Zeta']);
    });
  });

  test('an empty result runs no prefetch query', async () => {
    await assertNumQueries(1, () => Publisher.objects.filter({ name: 'none' }).prefetchRelated('books__authors'));
  });
});

describe('Prefetch', () => {
  test('a custom queryset orders the prefetched rows', async () => {
    const [alpha] = await Book.objects.prefetchRelated(new Prefetch('authors', { queryset: Author.objects.orderBy('-name') })).orderBy('pk');
    assert.deepEqual(names(await alpha!.authors), ['Bob', 'Ann']);
  });

  test('a filtered queryset narrows the rows; objects with none get an empty list', async () => {
    await assertNumQueries(2, async () => {
      const publishers = await Publisher.objects.prefetchRelated(new Prefetch('books', { queryset: Book.objects.filter({ rating: 5 }) })).orderBy('pk');
      const got = [];
      for (const p of publishers) got.push(titles(await p.books));
      assert.deepEqual(got, [['Alpha'], [], ['Eps'], []]);
    });
  });

  test('toAttr stores a plain array and leaves the manager alone', async () => {
    const [alpha] = await Book.objects.prefetchRelated(new Prefetch('authors', { queryset: Author.objects.orderBy('name'), toAttr: 'sortedAuthors' })).orderBy('pk');
    const sorted = (alpha as unknown as { sortedAuthors: Author[] }).sortedAuthors;
    assert.ok(Array.isArray(sorted));
    assert.deepEqual(names(sorted), ['Ann', 'Bob']);
    assert.equal(alpha!._state.prefetched?.has('authors') ?? false, false);
  });

  test('toAttr on a to-one relation stores the object', async () => {
    const [alpha] = await Book.objects.prefetchRelated(new Prefetch('publisher', { toAttr: 'pub' })).orderBy('pk');
    assert.equal((alpha as unknown as { pub: Publisher }).pub.name, 'Apress');
  });

  test('selectRelated inside the Prefetch queryset loads to-one relations of the prefetched rows', async () => {
    await assertNumQueries(2, async () => {
      const publishers = await Publisher.objects
        .prefetchRelated(new Prefetch('books', { queryset: Book.objects.selectRelated('editor').orderBy('title') }))
        .orderBy('pk');
      const apress = await publishers[0]!.books;
      assert.deepEqual(apress.map((b) => `${b.title}:${b.editor?.name ?? '-'}`), ['Alpha:Bob', 'Beta:-', 'Zeta:Ann']);
    });
  });

  test('a Prefetch at a nested level: books__authors ordered by age', async () => {
    await assertNumQueries(3, async () => {
      const [apress] = await Publisher.objects
        .prefetchRelated('books', new Prefetch('books__authors', { queryset: Author.objects.orderBy('-age') }))
        .orderBy('pk');
      const zeta = (await apress!.books).find((b) => b.title === 'Zeta')!;
      assert.deepEqual(names(await zeta.authors), ['Bob', 'Eve', 'Ann']);
    });
  });

  test('a values() queryset is refused', () => {
    assert.throws(() => new Prefetch('authors', { queryset: Author.objects.values('name') as never }), FieldError);
  });

  test('two lookups landing on the same attribute are refused', async () => {
    await assert.rejects(
      Book.objects.prefetchRelated('authors', new Prefetch('authors', { queryset: Author.objects.orderBy('name') })).then((r) => r),
      (err: Error) => err instanceof FieldError && /'authors' lookup was already seen/.test(err.message),
    );
  });
});

describe('prefetchRelatedObjects()', () => {
  test('prefetches onto instances already in hand, one query per relation', async () => {
    const books = await Book.objects.orderBy('pk');
    await assertNumQueries(2, () => prefetchRelatedObjects(books, 'authors', 'publisher'));
    assert.deepEqual(books.map((b) => b.publisher.name).slice(0, 3), ['Apress', 'Apress', 'Bloom']);
    await assertNumQueries(0, async () => {
      assert.deepEqual(names(await books[0]!.authors).sort(), ['Ann', 'Bob']);
    });
  });

  test('an empty list runs nothing', async () => {
    await assertNumQueries(0, () => prefetchRelatedObjects([], 'authors'));
  });

  test('keys beyond the parameter limit are fetched in chunks', async () => {
    const limit = connections.get('default').features.maxQueryParams;
    // Instances in hand whose keys mostly match no row: only the number of IN queries matters.
    const books = Array.from({ length: limit + 50 }, (_, i) => Book.fromDb({ id: 10_000 + i, title: `x${i}`, pages: 1, rating: 1, publisherId: 1 + i, editorId: null }));
    const { queries } = await captureQueries(() => prefetchRelatedObjects(books, 'publisher'));
    assert.equal(queries.length, 2);
    for (const q of queries) assert.ok(q.params.length <= limit, `${q.params.length} parameters`);
    assert.deepEqual(books.slice(0, 4).map((b) => b.publisher.name), ['Apress', 'Bloom', 'Cobalt', 'Dune']);
  });

  test('an unknown lookup names the model and its relations', async () => {
    const books = await Book.objects.orderBy('pk');
    await assert.rejects(prefetchRelatedObjects(books, 'writers'), (err: Error) => {
      assert.ok(err instanceof FieldError);
      assert.match(err.message, /'writers'/);
      assert.match(err.message, /Book/);
      assert.match(err.message, /publisher, editor, authors, reviews/);
      return true;
    });
  });

  test('an unknown lookup at a nested level is refused too', async () => {
    await assert.rejects(Publisher.objects.prefetchRelated('books__title').then((r) => r), FieldError);
  });
});

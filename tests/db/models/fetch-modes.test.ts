/**
 * The query counts the issue promises for listing 100 books with their
 * publisher and authors, and the fetch modes (FETCH_PEERS by default,
 * FETCH_ONE, RAISE) that decide what a lazy load costs.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { connections, FETCH_ONE, FETCH_PEERS, RAISE, LazyLoadRefusedError, DeferredFieldError, FieldError, onNPlusOne } from '../../../src/db/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { seed, addBooks, Book, Publisher, Author } from './relations-fixture.ts';

// 'ignore' keeps the FETCH_ONE loops below from printing N+1 warnings; n-plus-one.test.ts covers the reports.
configure({ SECRET_KEY: 'test', N_PLUS_ONE: 'ignore' } as never);

before(async () => {
  await seed();
  await addBooks(100);
});
after(() => connections.closeAll());

/** What a book list page reads: the publisher's name and the authors' names. */
function line(book: Book, authors: readonly Author[]): string {
  return `${book.title} (${book.publisher.name}) by ${authors.map((a) => a.name).join(', ')}`;
}

describe('listing 100 books with publisher and authors', () => {
  test('selectRelated + prefetchRelated: exactly 2 queries', async () => {
    const lines = await assertNumQueries(2, async () => {
      const out: string[] = [];
      for (const book of await Book.objects.selectRelated('publisher').prefetchRelated('authors')) out.push(line(book, await book.authors));
      return out;
    });
    assert.equal(lines.length, 100);
    assert.equal(lines[0], 'Alpha (Apress) by Ann, Bob');
  });

  test('with a nested prefetch (authors__profile): exactly 3 queries', async () => {
    await assertNumQueries(3, async () => {
      let bios = 0;
      for (const book of await Book.objects.selectRelated('publisher').prefetchRelated('authors__profile')) {
        for (const author of await book.authors) if (author.profile) bios++;
        void book.publisher.name;
      }
      assert.ok(bios > 0);
    });
  });

  test('the naive loop under FETCH_PEERS (the default): 1 + 1 per relation', async () => {
    const lines = await assertNumQueries(3, async () => {
      const out: string[] = [];
      for (const book of await Book.objects.all()) {
        await book.fetchRelated('publisher');
        out.push(line(book, await book.authors));
      }
      return out;
    });
    assert.equal(lines.length, 100);
    assert.equal(lines[0], 'Alpha (Apress) by Ann, Bob');
  });

  test('the naive loop under FETCH_ONE: 1 + N per relation', async () => {
    await assertNumQueries(1 + 100 + 100, async () => {
      for (const book of await Book.objects.fetchMode(FETCH_ONE)) {
        await book.fetchRelated('publisher');
        line(book, await book.authors);
      }
    });
  });

  test('the naive loop under FETCH_ONE is reported by the N+1 detector', async () => {
    const reports: string[] = [];
    const stop = onNPlusOne((r) => reports.push(`${r.model}.${r.relation} → ${r.fix}`));
    try {
      for (const book of await Book.objects.fetchMode(FETCH_ONE)) {
        await book.fetchRelated('publisher');
        await book.authors;
      }
    } finally {
      stop();
    }
    assert.deepEqual(reports, ["Book.publisher → .selectRelated('publisher')", "Book.authors → .prefetchRelated('authors')"]);
  });

  test('the naive loop under RAISE throws, naming the fix', async () => {
    const books = await Book.objects.fetchMode(RAISE);
    await assert.rejects(books[0]!.fetchRelated('publisher'), (err: Error) => {
      assert.ok(err instanceof LazyLoadRefusedError);
      assert.equal((err as LazyLoadRefusedError).code, 'NUAGES_DB_LAZY_LOAD_REFUSED');
      assert.match(err.message, /Book\.publisher/);
      assert.match(err.message, /\.selectRelated\('publisher'\)/);
      return true;
    });
    await assert.rejects(Promise.resolve(books[0]!.authors), (err: Error) => err instanceof LazyLoadRefusedError && /\.prefetchRelated\('authors'\)/.test(err.message));
  });

  test('RAISE lets loaded relations through', async () => {
    await assertNumQueries(2, async () => {
      for (const book of await Book.objects.fetchMode(RAISE).selectRelated('publisher').prefetchRelated('authors')) {
        assert.equal(await book.fetchRelated('publisher'), book.publisher);
        await book.authors;
      }
    });
  });
});

describe('fetch modes', () => {
  test('FETCH_PEERS loads the rest of the page with the first load; later ones are free', async () => {
    const books = await Book.objects.filter({ pk__lte: 10 }).orderBy('pk');
    await assertNumQueries(1, () => books[0]!.fetchRelated('publisher'));
    await assertNumQueries(0, async () => {
      assert.deepEqual(books.map((b) => b.publisher.name).slice(0, 6), ['Apress', 'Apress', 'Bloom', 'Bloom', 'Cobalt', 'Apress']);
    });
  });

  test('FETCH_PEERS on a reverse manager: one query for every publisher of the page', async () => {
    const publishers = await Publisher.objects.orderBy('pk');
    await assertNumQueries(1, async () => {
      const counts = [];
      for (const p of publishers) counts.push((await p.books).length);
      assert.equal(counts.reduce((a, b) => a + b, 0), 100);
    });
  });

  test('FETCH_PEERS on a reverse one-to-one, null where there is none', async () => {
    const authors = await Author.objects.orderBy('pk');
    await assertNumQueries(1, async () => {
      const bios = [];
      for (const a of authors) bios.push(((await a.fetchRelated('profile')) as { bio: string } | null)?.bio ?? null);
      assert.deepEqual(bios, ['poet', null, 'novelist', null, null, null]);
    });
  });

  test('a NULL key needs no query', async () => {
    const beta = await Book.objects.get({ title: 'Beta' });
    await assertNumQueries(0, async () => assert.equal(await beta.fetchRelated('editor'), null));
  });

  test('a row from get() has no peers: one query for itself', async () => {
    const book = await Book.objects.get({ title: 'Gamma' });
    await assertNumQueries(1, async () => assert.equal(((await book.fetchRelated('publisher')) as Publisher).name, 'Bloom'));
    assert.equal(book.publisher.name, 'Bloom');
  });

  test('deferred fields: reading synchronously throws, fetchRelated loads it for the page', async () => {
    const books = await Book.objects.only('title').filter({ pk__lte: 3 }).orderBy('pk');
    assert.throws(() => books[0]!.pages, (err: Error) => err instanceof DeferredFieldError && /Book\.pages/.test(err.message));
    await assertNumQueries(1, async () => {
      assert.equal(await books[0]!.fetchRelated('pages'), 300);
      assert.equal(await books[1]!.fetchRelated('pages'), 120);
    });
    assert.equal(books[2]!.pages, 800);
  });

  test('deferred fields under RAISE are refused, naming only()/defer()', async () => {
    const [book] = await Book.objects.only('title').fetchMode(RAISE).orderBy('pk');
    await assert.rejects(book!.fetchRelated('pages'), (err: Error) => err instanceof LazyLoadRefusedError && /only\('pages'/.test(err.message));
  });

  test('the FETCH_MODE setting sets the project default; fetchMode() overrides it', async () => {
    await overrideSettings({ FETCH_MODE: RAISE } as never, async () => {
      const [book] = await Book.objects.orderBy('pk');
      await assert.rejects(book!.fetchRelated('publisher'), LazyLoadRefusedError);
      const [peer] = await Book.objects.fetchMode(FETCH_PEERS).orderBy('pk');
      assert.equal(((await peer!.fetchRelated('publisher')) as Publisher).name, 'Apress');
    });
  });

  test('an unknown mode is refused', () => {
    assert.throws(() => Book.objects.fetchMode('LAZY' as never), (err: Error) => err instanceof FieldError && /FETCH_ONE, FETCH_PEERS or RAISE/.test(err.message));
  });

  test('fetchRelated of an unknown name lists what can be fetched', async () => {
    const book = await Book.objects.get({ title: 'Alpha' });
    await assert.rejects(book.fetchRelated('writer'), (err: Error) => err instanceof FieldError && /publisher, editor, authors, reviews/.test(err.message));
  });
});

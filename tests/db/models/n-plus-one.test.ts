/**
 * The N+1 detector: one-row loads of the same relation for several rows of one
 * query are reported with the relation, the line that did it and the exact
 * selectRelated/prefetchRelated to add; the N_PLUS_ONE setting chooses between
 * a warning, an exception and silence.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { connections, FETCH_ONE, NPlusOneError, onNPlusOne, type NPlusOneReport } from '../../../src/db/index.ts';
import { seed, Book, Publisher } from './relations-fixture.ts';

configure({ SECRET_KEY: 'test', N_PLUS_ONE: 'ignore' } as never);

before(seed);
after(() => connections.closeAll());

async function collect(fn: () => Promise<void>): Promise<NPlusOneReport[]> {
  const reports: NPlusOneReport[] = [];
  const stop = onNPlusOne((r) => reports.push(r));
  try {
    await fn();
  } finally {
    stop();
  }
  return reports;
}

describe('N+1 reports', () => {
  test('a forward key loaded row by row is reported once, with the fix and the call site', async () => {
    const reports = await collect(async () => {
      for (const book of await Book.objects.fetchMode(FETCH_ONE)) await book.fetchRelated('publisher');
    });
    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.equal(report!.model, 'Book');
    assert.equal(report!.relation, 'publisher');
    assert.equal(report!.fix, ".selectRelated('publisher')");
    assert.match(report!.callSite, /n-plus-one\.test\.ts:\d+/);
    assert.match(report!.message, /N\+1 queries: Book\.publisher/);
    assert.match(report!.message, /6 Book objects/);
    assert.match(report!.message, /selectRelated\('publisher'\)/);
  });

  test('a related manager awaited row by row points at the line that took the manager', async () => {
    const reports = await collect(async () => {
      for (const publisher of await Publisher.objects.fetchMode(FETCH_ONE)) await publisher.books;
    });
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.relation, 'books');
    assert.equal(reports[0]!.fix, ".prefetchRelated('books')");
    assert.match(reports[0]!.callSite, /n-plus-one\.test\.ts:\d+/);
  });

  test('many-to-many loads are reported too', async () => {
    const reports = await collect(async () => {
      for (const book of await Book.objects.fetchMode(FETCH_ONE)) await book.authors;
    });
    assert.deepEqual(reports.map((r) => r.fix), [".prefetchRelated('authors')"]);
  });

  test('FETCH_PEERS (the default) turns the loop into one query: nothing to report', async () => {
    const reports = await collect(async () => {
      for (const book of await Book.objects.all()) {
        await book.fetchRelated('publisher');
        await book.authors;
      }
    });
    assert.deepEqual(reports, []);
  });

  test('a single object loading its relation is not an N+1', async () => {
    const reports = await collect(async () => {
      const book = await Book.objects.fetchMode(FETCH_ONE).get({ title: 'Alpha' });
      await book.fetchRelated('publisher');
      await book.authors;
    });
    assert.deepEqual(reports, []);
  });

  test('prefetched relations are not reported', async () => {
    const reports = await collect(async () => {
      for (const book of await Book.objects.fetchMode(FETCH_ONE).selectRelated('publisher').prefetchRelated('authors')) {
        await book.fetchRelated('publisher');
        await book.authors;
      }
    });
    assert.deepEqual(reports, []);
  });

  test("N_PLUS_ONE: 'raise' throws NPlusOneError at the second load", async () => {
    await overrideSettings({ N_PLUS_ONE: 'raise' } as never, async () => {
      const books = await Book.objects.fetchMode(FETCH_ONE).orderBy('pk');
      await books[0]!.fetchRelated('publisher');
      await assert.rejects(books[1]!.fetchRelated('publisher'), (err: Error) => {
        assert.ok(err instanceof NPlusOneError);
        assert.equal((err as NPlusOneError).code, 'NUAGES_DB_N_PLUS_ONE');
        assert.match(err.message, /Book\.publisher/);
        assert.match(err.message, /selectRelated\('publisher'\)/);
        return true;
      });
    });
  });

  test("N_PLUS_ONE: 'warn' emits a process warning with the code", async () => {
    const warnings: Error[] = [];
    const listener = (w: Error) => warnings.push(w);
    process.on('warning', listener);
    try {
      await overrideSettings({ N_PLUS_ONE: 'warn' } as never, async () => {
        for (const book of await Book.objects.fetchMode(FETCH_ONE)) await book.fetchRelated('editor');
      });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    const ours = warnings.filter((w) => (w as Error & { code?: string }).code === 'NUAGES_DB_N_PLUS_ONE');
    assert.equal(ours.length, 1);
    assert.match(ours[0]!.message, /Book\.editor/);
  });

  test("N_PLUS_ONE: 'ignore' neither throws nor warns", async () => {
    await overrideSettings({ N_PLUS_ONE: 'ignore' } as never, async () => {
      for (const book of await Book.objects.fetchMode(FETCH_ONE)) await book.fetchRelated('publisher');
    });
  });
});

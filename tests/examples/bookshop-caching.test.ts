// The bookshop's cache layers, through the test client on its migrated database: the
// book page per view, the home page's fragment and the top-rated list, each outdated by
// a committed write to the catalogue and left alone by a rolled-back one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps } from '../../src/conf/apps.ts';
import { atomic, setRollback } from '../../src/db/index.ts';
import type { Book as BookModel } from '../../examples/bookshop/catalog/models.ts';
import { caches } from '../../src/cache/index.ts';
import { assertNumQueries, Client } from '../../src/test/index.ts';
import { BOOKSHOP, useBookshop } from './bookshop-project.ts';

let Book: typeof BookModel;

useBookshop('cache', { env: () => ({ CACHE_URL: 'locmem://bookshop-caching-test' }), seed: true }, async () => {
  Book = apps.getModel('catalog.Book') as unknown as typeof BookModel;
});

describe('the bookshop caches its pages and refreshes them after writes', () => {
  test('a book page is served from the cache, with no query, until a book changes', async () => {
    const client = new Client();
    const first = await assertNumQueries(2, () => client.get('/books/3/'));
    assert.equal(first.status, 200);
    const cached = await assertNumQueries(0, () => client.get('/books/3/'));
    assert.equal(cached.text, first.text);
    assert.ok(cached.headers.get('Age') !== undefined, 'a cached page has an Age header');

    await Book.objects.filter({ id: 3 }).update({ title: 'Renamed by an editor' });
    const fresh = await assertNumQueries(2, () => client.get('/books/3/'));
    assert.match(fresh.text, /<h1>Renamed by an editor<\/h1>/);
  });

  test('a rolled-back write leaves the cached page in place', async () => {
    const client = new Client();
    await client.get('/books/4/');
    await atomic(async () => {
      await Book.objects.filter({ id: 4 }).update({ title: 'Never committed' });
      setRollback(true);
    });
    const page = await assertNumQueries(0, () => client.get('/books/4/'));
    assert.doesNotMatch(page.text, /Never committed/);
  });

  test('the home page renders its fragment and the top-rated list once, then from the cache', async () => {
    const client = new Client();
    const first = await client.get('/');
    assert.match(first.text, /60 books by 8 authors from 5 publishers\./);
    assert.match(first.text, /<h2>Top rated<\/h2>/);
    const again = await assertNumQueries(0, () => client.get('/'));
    assert.equal(again.text, first.text);

    const book = await Book.objects.orderBy('-publishedDate').first();
    book!.title = 'A newly edited title';
    await book!.save();
    const fresh = await client.get('/');
    assert.match(fresh.text, /A newly edited title/);
  });
});

describe('commands on a bookshop that caches in Redis', () => {
  test('migrate and seed_demo exit when done, though their writes opened a Redis connection', () => {
    const commandDir = mkdtempSync(join(tmpdir(), 'nuages-bookshop-redis-'));
    try {
      const env = { ...process.env, DATABASE_URL: `sqlite:///${join(commandDir, 'db.sqlite3')}`, CACHE_URL: 'redis://127.0.0.1:6379/8', NO_COLOR: '1' };
      for (const command of ['migrate', 'seed_demo']) {
        const run = spawnSync(process.execPath, [join(BOOKSHOP, 'manage.ts'), command], { env, encoding: 'utf8', timeout: 30_000 });
        assert.equal(run.signal, null, `${command} did not exit by itself`);
        assert.equal(run.status, 0, `${command}: ${run.stdout}${run.stderr}`);
      }
    } finally {
      rmSync(commandDir, { recursive: true, force: true });
    }
  });
});

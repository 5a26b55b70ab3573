import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import {
  Model, CharField, IntegerField, ForeignKey, ManyToManyField, CASCADE,
  connections, createTables, atomic, setRollback, type ManyRelatedManager,
} from '../../src/db/index.ts';
import {
  cache, caches, createCache, connectModelInvalidation, disconnectModelInvalidation,
  CacheBackend, CacheUnavailableError, LocMemCache, type Cache, type Ttl,
} from '../../src/cache/index.ts';
import type { CacheSettings } from '../../src/conf/settings.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { testDatabaseSettings } from '../db/test-database.ts';
import { uniquePrefix } from './backend-suite.ts';

/** Local memory that says it is shared, standing in for a store other processes read. */
class SharedLocMem extends LocMemCache {
  override readonly shared = true;
}

/** A shared store whose server does not answer while `down` is set (a cache built stays built). */
class DownCache extends CacheBackend {
  readonly shared = true;
  static down = false;
  #check(): void {
    if (DownCache.down) throw new CacheUnavailableError('connect ECONNREFUSED 127.0.0.1:1');
  }
  async get(): Promise<unknown> { this.#check(); return undefined; }
  async set(): Promise<void> { this.#check(); }
  async add(): Promise<boolean> { this.#check(); return true; }
  async delete(): Promise<boolean> { this.#check(); return false; }
  async touch(): Promise<boolean> { this.#check(); return false; }
  async incr(): Promise<number | undefined> { this.#check(); return undefined; }
  async clear(): Promise<void> { this.#check(); }
}

configure({
  DEBUG: true,
  CACHES: {
    default: { BACKEND: 'locmem', LOCATION: uniquePrefix('inv-default') },
  },
});
connections.configure({ default: testDatabaseSettings() });

class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 30 }),
}, { appLabel: 'inv' }) {}

class Author extends Model<Author>()({
  name: new CharField({ maxLength: 30 }),
}, { appLabel: 'inv' }) {}
interface Author { books: ManyRelatedManager<Book> }

class Book extends Model<Book>()({
  title: new CharField({ maxLength: 30, unique: true }),
  price: new IntegerField({ default: 10 }),
  publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, null: true }),
  authors: new ManyToManyField(() => Author, { relatedName: 'books' }),
}, { appLabel: 'inv' }) {}

class Shelf extends Model<Shelf>()({
  name: new CharField({ maxLength: 30 }),
}, { appLabel: 'inv' }) {}

before(async () => {
  await createTables([Publisher, Author, Book, Shelf]);
});

after(async () => {
  await caches.closeAll();
  await connections.closeAll();
});

let book: Book;

beforeEach(async () => {
  await Book.objects.all().delete();
  await Author.objects.all().delete();
  await Publisher.objects.all().delete();
  await Shelf.objects.all().delete();
  book = await Book.objects.create({ title: 'Dune' });
  await cache.clear();
  await cache.set('book-page', 'cached book page', null, { dependsOn: [Book] });
  await cache.set('shelf-page', 'cached shelf page', null, { dependsOn: [Shelf] });
});

const isHit = async (key: string, from: Cache = cache): Promise<boolean> => (await from.get(key)) !== undefined;

/** Counts the invalidations of `tag` sent to the default cache while `fn` runs. */
async function countInvalidations(tag: string, fn: () => Promise<unknown>): Promise<number> {
  const target = caches.get('default');
  const original = target.invalidateTags;
  let count = 0;
  target.invalidateTags = (...tags: readonly string[]) => {
    if (tags.includes(tag)) count++;
    return original.call(target, ...tags);
  };
  try {
    await fn();
  } finally {
    target.invalidateTags = original;
  }
  return count;
}

describe('a committed write outdates the values that depend on its model', () => {
  const paths: [string, () => Promise<unknown>][] = [
    ['create() (save, INSERT)', () => Book.objects.create({ title: 'Emma' })],
    ['save() of a loaded row (UPDATE)', async () => {
      book.price = 12;
      await book.save();
    }],
    ['save({ updateFields })', async () => {
      book.price = 13;
      await book.save({ updateFields: ['price'] });
    }],
    ['instance delete()', () => book.delete()],
    ['QuerySet.delete() (fast path, no signals)', () => Book.objects.filter({ title: 'Dune' }).delete()],
    ['QuerySet.update() (no signals in Django)', () => Book.objects.filter({ title: 'Dune' }).update({ price: 1 })],
    ['bulkCreate() (no signals)', () => Book.objects.bulkCreate([new Book({ title: 'A' }), new Book({ title: 'B' })])],
    ['bulkUpdate() (no signals)', async () => {
      book.price = 99;
      await Book.objects.bulkUpdate([book], ['price']);
    }],
    ['getOrCreate() that creates', () => Book.objects.getOrCreate({ title: 'New' })],
    ['updateOrCreate() that updates', () => Book.objects.updateOrCreate({ title: 'Dune' }, { price: 20 })],
    ['a cascade from deleting the row a book points at', async () => {
      const publisher = await Publisher.objects.create({ name: 'Ace' });
      await Book.objects.filter({ pk: book.pk }).update({ publisher });
      await cache.set('book-page', 'cached again', null, { dependsOn: [Book] });
      await publisher.delete();
      assert.equal(await Book.objects.count(), 0, 'the cascade deleted the book');
    }],
  ];

  for (const [name, write] of paths) {
    test(`${name}: a dependent value is a miss, an unrelated model's value stays`, async () => {
      await write();
      assert.equal(await isHit('book-page'), false);
      assert.equal(await isHit('shelf-page'), true);
    });
  }

  test('a value that names the model by its label is outdated too', async () => {
    await cache.set('by-label', 'v', null, { dependsOn: ['inv.Book'] });
    await Book.objects.filter({ pk: book.pk }).update({ price: 3 });
    assert.equal(await isHit('by-label'), false);
  });

  test('getOrSet() computes afresh after a write', async () => {
    let runs = 0;
    const page = () => cache.getOrSet('list', () => ++runs, null, { dependsOn: [Book] });
    assert.equal(await page(), 1);
    assert.equal(await page(), 1);
    await Book.objects.create({ title: 'Emma' });
    assert.equal(await page(), 2);
  });

  test('a read or a write that changes no row keeps the value', async () => {
    await Book.objects.filter({ title: 'none' }).update({ price: 1 });
    await Book.objects.filter({ title: 'none' }).delete();
    await Book.objects.getOrCreate({ title: 'Dune' });
    assert.equal(await isHit('book-page'), true);
  });
});

describe('only after the transaction commits', () => {
  test('inside atomic() the value is still a hit; after the commit, a miss', async () => {
    await atomic(async () => {
      await Book.objects.create({ title: 'Emma' });
      assert.equal(await isHit('book-page'), true, 'other readers still see the committed data');
    });
    assert.equal(await isHit('book-page'), false);
  });

  test('a rolled-back transaction invalidates nothing', async () => {
    await assert.rejects(atomic(async () => {
      await Book.objects.create({ title: 'Emma' });
      throw new Error('abort');
    }), /abort/);
    await atomic(async () => {
      await Book.objects.filter({ pk: book.pk }).update({ price: 1 });
      setRollback(true);
    });
    assert.equal(await isHit('book-page'), true);
  });

  test('a savepoint rolled back, with no other write of the model, invalidates nothing', async () => {
    await atomic(async () => {
      await Shelf.objects.create({ name: 'top' });
      await atomic(async () => {
        await Book.objects.create({ title: 'Emma' });
        setRollback(true);
      });
    });
    assert.equal(await isHit('book-page'), true);
    assert.equal(await isHit('shelf-page'), false);
  });

  test('a savepoint rolled back after a write, then a surviving write of the same model: a miss after commit', async () => {
    await atomic(async () => {
      await atomic(async () => {
        await Book.objects.create({ title: 'Emma' });
        setRollback(true);
      });
      await Book.objects.filter({ pk: book.pk }).update({ price: 2 });
    });
    assert.equal(await isHit('book-page'), false);
  });

  test('one invalidation per model and transaction, not one per row or save', async () => {
    const count = await countInvalidations('model:inv.book', () =>
      atomic(async () => {
        for (let i = 0; i < 50; i++) await Book.objects.create({ title: `t${i}` });
        for (let i = 0; i < 5; i++) await atomic(() => Book.objects.filter({ title: `t${i}` }).update({ price: i }));
        await Book.objects.filter({ title__startswith: 't' }).delete();
      }));
    assert.equal(count, 1);
    assert.equal(await isHit('book-page'), false);
  });

  test('in autocommit each write invalidates at once, before the call resolves', async () => {
    const count = await countInvalidations('model:inv.book', async () => {
      await Book.objects.create({ title: 'a' });
      await Book.objects.create({ title: 'b' });
    });
    assert.equal(count, 2);
  });
});

describe('many-to-many changes', () => {
  for (const [name, change] of [
    ['add()', async (author: Author) => book.authors.add(author)],
    ['remove()', async (author: Author) => book.authors.remove(author)],
    ['clear()', async () => book.authors.clear()],
    ['set() from the other side', async (author: Author) => author.books.set([])],
  ] as const) {
    test(`${name} makes the dependents of both linked models misses`, async () => {
      const author = await Author.objects.create({ name: 'Herbert' });
      if (name !== 'add()') await book.authors.add(author);
      await cache.set('book-page', 'v', null, { dependsOn: [Book] });
      await cache.set('author-page', 'v', null, { dependsOn: [Author] });
      await change(author);
      assert.equal(await isHit('book-page'), false);
      assert.equal(await isHit('author-page'), false);
      assert.equal(await isHit('shelf-page'), true);
    });
  }
});

describe('which caches are invalidated', () => {
  test('a shared alias this process never used is invalidated; an unused in-process alias is left alone', async () => {
    const location = uniquePrefix('inv-fresh');
    const entries: Record<string, CacheSettings> = {
      default: { BACKEND: 'locmem', LOCATION: uniquePrefix('inv-fresh-default') },
      freshShared: { BACKEND: SharedLocMem, LOCATION: location },
      freshLocal: { BACKEND: 'locmem', LOCATION: uniquePrefix('inv-fresh-local') },
    };
    const builtAliases = () => new Set(caches.built().map((c) => c.alias));
    const otherProcess = createCache('freshShared', { BACKEND: SharedLocMem, LOCATION: location });
    await otherProcess.set('book-page', 'v', null, { dependsOn: [Book] });
    await overrideSettings({ CACHES: entries }, async () => {
      assert.equal(builtAliases().has('freshShared'), false);
      await Book.objects.create({ title: 'Emma' });
    });
    assert.equal(await isHit('book-page', otherProcess), false);
    assert.equal(builtAliases().has('freshShared'), true);
    assert.equal(builtAliases().has('freshLocal'), false, 'local memory nobody used is not built');
  });

  test('a write while a cache server is down succeeds; the failure is logged, not thrown', async () => {
    const entries = (ignoreExceptions: boolean): Record<string, CacheSettings> => ({
      default: { BACKEND: 'locmem', LOCATION: uniquePrefix('inv-down-default') },
      down: { BACKEND: DownCache, OPTIONS: { IGNORE_EXCEPTIONS: ignoreExceptions } },
    });
    DownCache.down = true;
    try {
      for (const ignore of [true, false]) await overrideSettings({ CACHES: entries(ignore) }, async () => {
        await cache.set('book-page', 'v', null, { dependsOn: [Book] });
        const { records } = await captureLogs('nuages.cache', async () => {
          await Book.objects.create({ title: `while down ${ignore}` });
          await atomic(() => Book.objects.create({ title: `while down in atomic ${ignore}` }));
        });
        assert.equal(await Book.objects.filter({ title: `while down ${ignore}` }).count(), 1);
        assert.equal(await isHit('book-page'), false, 'the caches that answer are still invalidated');
        assert.ok(records.length >= 1, 'the outage is logged');
        if (!ignore) assert.match(records[0]!.message, /Could not invalidate the cache tag 'model:inv\.book' on cache 'down'/);
      });
    } finally {
      DownCache.down = false;
    }
  });

  test('on Redis, a write in this process outdates the value another Cache instance reads', async () => {
    const entry: CacheSettings = { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/9', KEY_PREFIX: uniquePrefix('inv-redis') };
    const otherProcess = createCache('default', { ...entry });
    try {
      await otherProcess.set('book-page', 'v', null, { dependsOn: [Book] });
      assert.equal(await isHit('book-page', otherProcess), true);
      await overrideSettings({ CACHES: { default: { BACKEND: 'locmem' }, redis: entry } }, async () => {
        await atomic(() => Book.objects.filter({ pk: book.pk }).update({ price: 5 }));
      });
      assert.equal(await isHit('book-page', otherProcess), false);
    } finally {
      await otherProcess.close();
      await caches.closeAll();
    }
  });
});

describe('turning invalidation on and off', () => {
  test('disconnectModelInvalidation() stops it, connectModelInvalidation() resumes it', async () => {
    disconnectModelInvalidation();
    try {
      await Book.objects.create({ title: 'Emma' });
      assert.equal(await isHit('book-page'), true);
    } finally {
      connectModelInvalidation();
    }
    await Book.objects.create({ title: 'Persuasion' });
    assert.equal(await isHit('book-page'), false);
  });

  test('setup() turns it on in a process that never imports nuages/cache', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const script = [
      `import { configure, setup } from './src/conf/index.ts';`,
      `import { hasModelWriteListeners } from './src/db/index.ts';`,
      `configure({ DEBUG: true });`,
      `const before = hasModelWriteListeners();`,
      `await setup();`,
      `console.log(JSON.stringify([before, hasModelWriteListeners()]));`,
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), [false, true]);
  });
});

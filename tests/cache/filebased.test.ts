/** The file-based backend, in a fresh folder under the system's temporary directory. */
import { describe, test, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCache, FileBasedCache, InvalidCacheBackendError, type Cache } from '../../src/cache/index.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { runBackendSuite, uniquePrefix } from './backend-suite.ts';

const root = await mkdtemp(join(tmpdir(), 'nuages-filecache-'));
after(() => rm(root, { recursive: true, force: true }));

let folders = 0;
function folder(): string {
  return join(root, `f${++folders}`);
}

function fileCache(location = folder(), options: Record<string, unknown> = {}, keyPrefix = uniquePrefix('files')): Cache {
  return createCache('default', { BACKEND: 'filebased', LOCATION: location, KEY_PREFIX: keyPrefix, OPTIONS: options });
}

function backendOf(cache: Cache): FileBasedCache {
  return cache.backend as FileBasedCache;
}

/** A file's content as the backend writes it: the expiry header, then the value's bytes. */
function entryBytes(expiresMs: number, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeDoubleBE(expiresMs, 0);
  return Buffer.concat([header, body]);
}

async function cacheFiles(location: string): Promise<string[]> {
  return (await readdir(location)).filter((name) => name.endsWith('.djcache'));
}

const suiteFolder = folder();
runBackendSuite('filebased', (keyPrefix) => ({ BACKEND: 'filebased', LOCATION: suiteFolder, KEY_PREFIX: keyPrefix }), {
  expiry: 'fake',
  writeRaw: async (cache, finalKey, bytes) => writeFile(backendOf(cache).fileFor(finalKey), entryBytes(Date.now() + 60_000, bytes)),
});

describe('filebased: configuration', () => {
  test("Django's dotted path names the same backend", () => {
    const cache = createCache('default', { BACKEND: 'django.core.cache.backends.filebased.FileBasedCache', LOCATION: folder() });
    assert.ok(cache.backend instanceof FileBasedCache);
  });

  test('LOCATION must name a folder', () => {
    assert.throws(() => createCache('files', { BACKEND: 'filebased' }), (error: Error) => error instanceof InvalidCacheBackendError && /CACHES\.files\.LOCATION/.test(error.message));
  });

  test('the folder is created on the first write, nested folders included', async () => {
    const location = join(folder(), 'deeper', 'still');
    const cache = fileCache(location);
    assert.equal(existsSync(location), false, 'nothing is created before the cache is used');
    await cache.set('k', 'v');
    assert.equal(await cache.get('k'), 'v');
    assert.equal((await cacheFiles(location)).length, 1);
  });

  test('a key is kept in <md5 of the final key>.djcache, as Django names it', async () => {
    const location = folder();
    const cache = fileCache(location, {}, 'site');
    await cache.set('greeting', 'hello');
    // md5(':1:greeting' with prefix 'site') computed independently.
    const expected = (await import('node:crypto')).createHash('md5').update('site:1:greeting').digest('hex');
    assert.deepEqual(await cacheFiles(location), [`${expected}.djcache`]);
  });

  test('a folder that cannot be created makes the cache unavailable: misses, dropped writes, one warning', async () => {
    const blocker = folder();
    await writeFile(blocker, 'a plain file where the folder should be');
    const cache = fileCache(join(blocker, 'cache'));
    const { result, records } = await captureLogs('nuages.cache', async () => {
      await cache.set('k', 'v');
      return cache.get('k', 'default');
    });
    assert.equal(result, 'default');
    const warnings = records.filter((record) => record.level === 'warning');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /could not (create|write|read) in .*cache/);
  });
});

describe('filebased: culling', () => {
  test('a full folder loses a third of its files before the next write, as Django', async () => {
    const location = folder();
    const cache = fileCache(location, { MAX_ENTRIES: 30 });
    for (let i = 0; i < 50; i++) await cache.set(`k${i}`, i);
    // Django 5.2 leaves 30 files after the same 50 sets (culls at 30 → 20, twice).
    assert.equal((await cacheFiles(location)).length, 30);
    assert.equal(await cache.get('k49'), 49, 'the value just written is never culled');
    await cache.set('one-more', 1);
    assert.equal((await cacheFiles(location)).length, 21);
  });

  test('CULL_FREQUENCY 0 empties a full folder', async () => {
    const location = folder();
    const cache = fileCache(location, { MAX_ENTRIES: 5, CULL_FREQUENCY: 0 });
    for (let i = 0; i < 6; i++) await cache.set(`k${i}`, i);
    assert.deepEqual(await cache.getMany(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']), { k5: 5 });
  });

  test('temporary files of an interrupted write are neither entries nor counted', async () => {
    const location = folder();
    const cache = fileCache(location, { MAX_ENTRIES: 3 });
    await cache.set('a', 1);
    await writeFile(join(location, `${'0'.repeat(32)}.djcache.abc123.tmp`), 'partial');
    await cache.set('b', 2);
    await cache.set('c', 3);
    assert.deepEqual(await cache.getMany(['a', 'b', 'c']), { a: 1, b: 2, c: 3 });
  });
});

describe('filebased: files on disk', () => {
  test('writes are atomic: concurrent readers see a whole old or new value, and no temporary file remains', async () => {
    const location = folder();
    const cache = fileCache(location);
    const versions = Array.from({ length: 8 }, (_, i) => String(i).repeat(256 * 1024));
    await cache.set('page', versions[0]);
    const seen = new Set<unknown>();
    await Promise.all([
      ...versions.map((version) => cache.set('page', version)),
      ...Array.from({ length: 40 }, async () => seen.add(await cache.get('page'))),
    ]);
    for (const value of seen) assert.ok(versions.includes(value as string), 'every read is one complete value');
    assert.deepEqual(await readdir(location), await cacheFiles(location), 'only cache files are left');
    assert.equal((await cacheFiles(location)).length, 1);
  });

  test('an expired file is removed when read', async () => {
    const location = folder();
    const cache = fileCache(location);
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      await cache.set('short', 'v', 1);
      await cache.set('long', 'v', 100);
      mock.timers.tick(2000);
      assert.equal((await cacheFiles(location)).length, 2, 'expiry alone deletes nothing');
      assert.equal(await cache.get('short'), undefined);
      assert.deepEqual(await cacheFiles(location), [backendOf(cache).fileFor(cache.makeKey('long')).split('/').pop()]);
    } finally {
      mock.timers.reset();
    }
  });

  test('an empty or truncated file is a miss and is removed, as Django counts an empty file expired', async () => {
    const location = folder();
    const cache = fileCache(location);
    await cache.set('k', 'v');
    const file = backendOf(cache).fileFor(cache.makeKey('k'));
    await writeFile(file, Buffer.from([1, 2, 3]));
    assert.equal(await cache.get('k'), undefined);
    assert.equal(existsSync(file), false);
  });

  test('two caches on one folder see each other’s values, and of concurrent adds exactly one wins', async () => {
    const location = folder();
    const prefix = uniquePrefix('two');
    const first = fileCache(location, {}, prefix);
    const second = fileCache(location, {}, prefix);
    await first.set('shared', { from: 'first' });
    assert.deepEqual(await second.get('shared'), { from: 'first' });
    assert.equal(await second.add('shared', 'second'), false);

    const contenders = Array.from({ length: 10 }, () => fileCache(location, {}, prefix));
    for (let round = 0; round < 5; round++) {
      const wins = await Promise.all(contenders.map((cache, i) => cache.add(`lock-${round}`, i, 10)));
      assert.equal(wins.filter(Boolean).length, 1, `round ${round}: one add wins`);
      const winner = wins.indexOf(true);
      assert.equal(await first.get(`lock-${round}`), winner, 'the stored value is the winner’s');
    }

    await second.clear();
    assert.equal(await first.get('shared'), undefined);
    assert.deepEqual(await readdir(location), []);
  });

  test('add takes the key of an expired file', async () => {
    const cache = fileCache();
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      await cache.set('slot', 'old', 1);
      mock.timers.tick(2000);
      assert.equal(await cache.add('slot', 'new'), true);
      assert.equal(await cache.get('slot'), 'new');
    } finally {
      mock.timers.reset();
    }
  });

  test('touch changes only the lifetime and keeps the value', async () => {
    const cache = fileCache();
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      await cache.set('kept', { rows: [1, 2] }, 1);
      assert.equal(await cache.touch('kept', 100), true);
      mock.timers.tick(50_000);
      assert.deepEqual(await cache.get('kept'), { rows: [1, 2] });
      mock.timers.tick(60_000);
      assert.equal(await cache.touch('kept', 100), false, 'an expired key cannot be touched back to life');
    } finally {
      mock.timers.reset();
    }
  });

  test('incr keeps the remaining lifetime', async () => {
    const cache = fileCache();
    mock.timers.enable({ apis: ['Date'], now: Date.now() });
    try {
      await cache.set('hits', 1, 10);
      mock.timers.tick(5000);
      assert.equal(await cache.incr('hits', 4), 5);
      mock.timers.tick(6000);
      assert.equal(await cache.get('hits'), undefined);
    } finally {
      mock.timers.reset();
    }
  });
});

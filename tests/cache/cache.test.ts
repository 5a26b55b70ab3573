import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import {
  cache, caches, createCache, CacheBackend, CacheUnavailableError, InvalidCacheBackendError, LocMemCache,
  type CacheBackendParams, type Ttl,
} from '../../src/cache/index.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { uniquePrefix } from './backend-suite.ts';

before(() => {
  configure({ DEBUG: true, CACHES: { default: { BACKEND: 'locmem', LOCATION: 'cache-test' }, second: { BACKEND: 'dummy' } } });
});

/** A store whose server is down until `up` is set. */
class FlakyCache extends CacheBackend {
  readonly shared = true;
  static up = false;
  readonly #inner: LocMemCache;
  constructor(params: CacheBackendParams) {
    super(params);
    this.#inner = new LocMemCache({ ...params, location: uniquePrefix('flaky') });
  }
  #check(): void {
    if (!FlakyCache.up) throw new CacheUnavailableError('connect ECONNREFUSED 127.0.0.1:1');
  }
  async get(key: string): Promise<unknown> { this.#check(); return this.#inner.get(key); }
  async set(key: string, value: unknown, ttl: Ttl): Promise<void> { this.#check(); return this.#inner.set(key, value, ttl); }
  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> { this.#check(); return this.#inner.add(key, value, ttl); }
  async delete(key: string): Promise<boolean> { this.#check(); return this.#inner.delete(key); }
  async touch(key: string, ttl: Ttl): Promise<boolean> { this.#check(); return this.#inner.touch(key, ttl); }
  async incr(key: string, delta: number): Promise<number | undefined> { this.#check(); return this.#inner.incr(key, delta); }
  async clear(): Promise<void> { this.#check(); return this.#inner.clear(); }
}

/** Local memory that claims to be shared, so getOrSet takes its cross-process lock. */
class SharedLocMem extends LocMemCache {
  override readonly shared = true;
}

describe('caches', () => {
  test('caches.get builds one Cache per alias and returns it again', () => {
    assert.equal(caches.get('default'), caches.get('default'));
    assert.notEqual(caches.get('default'), caches.get('second'));
    assert.equal(caches.get('second').alias, 'second');
  });

  test('an alias that CACHES lacks is an error that lists the aliases there are', () => {
    assert.throws(() => caches.get('sessions'), (error: Error) =>
      error instanceof InvalidCacheBackendError && /'sessions' is not in CACHES/.test(error.message) && /'default', 'second'/.test(error.message));
  });

  test('an unknown BACKEND is an error that lists the built-in backends', () => {
    assert.throws(() => createCache('x', { BACKEND: 'memcache' }), (error: Error) =>
      error instanceof InvalidCacheBackendError && /CACHES\.x\.BACKEND is 'memcache'/.test(error.message) && /'locmem'/.test(error.message));
  });

  test('bad OPTIONS and TIMEOUT values are errors that name the setting', () => {
    assert.throws(() => createCache('x', { BACKEND: 'locmem', OPTIONS: { MAX_ENTRIES: -1 } }), /CACHES\.x\.OPTIONS\.MAX_ENTRIES/);
    assert.throws(() => createCache('x', { BACKEND: 'locmem', TIMEOUT: '60' as unknown as number }), /CACHES\.x\.TIMEOUT/);
  });

  test('overrideSettings({ CACHES }) gets its own caches and leaves the project\'s alone', async () => {
    await cache.set('visible', 'project');
    await overrideSettings({ CACHES: { default: { BACKEND: 'locmem', LOCATION: uniquePrefix('override') } } }, async () => {
      assert.equal(await cache.get('visible'), undefined);
      await cache.set('visible', 'test');
    });
    assert.equal(await cache.get('visible'), 'project');
  });

  test('a BACKEND may be a CacheBackend subclass', async () => {
    const custom = createCache('custom', { BACKEND: SharedLocMem, LOCATION: uniquePrefix('custom') });
    assert.ok(custom.backend instanceof SharedLocMem);
    await custom.set('k', 1);
    assert.equal(await custom.get('k'), 1);
  });
});

describe('keys, versions and timeouts', () => {
  test('the stored key is prefix:version:key, and KEY_FUNCTION replaces the format', () => {
    assert.equal(createCache('k', { BACKEND: 'dummy', KEY_PREFIX: 'shop', VERSION: 3 }).makeKey('books'), 'shop:3:books');
    assert.equal(createCache('k', { BACKEND: 'dummy' }).makeKey('books', 2), ':2:books');
    const custom = createCache('k', { BACKEND: 'dummy', KEY_PREFIX: 'p', KEY_FUNCTION: (key, prefix, version) => `${prefix}/${key}@${version}` });
    assert.equal(custom.makeKey('books'), 'p/books@1');
  });

  test('the alias TIMEOUT is the default; null keeps values; 0 stores nothing', async () => {
    const never = createCache('t', { BACKEND: 'locmem', LOCATION: uniquePrefix('t0'), TIMEOUT: 0 });
    await never.set('k', 'v');
    assert.equal(await never.get('k'), undefined);
    const forever = createCache('t', { BACKEND: 'locmem', LOCATION: uniquePrefix('tnull'), TIMEOUT: null });
    assert.equal(forever.defaultTimeout, null);
    await forever.set('k', 'v');
    assert.equal(await forever.get('k'), 'v');
    assert.equal(createCache('t', { BACKEND: 'dummy' }).defaultTimeout, 300);
  });
});

describe('when the cache server is down', () => {
  test('reads are misses and writes are dropped, with one warning per outage and a note when it is back', async () => {
    FlakyCache.up = false;
    const flaky = createCache('flaky', { BACKEND: FlakyCache });
    const { records } = await captureLogs('nuages.cache', async () => {
      assert.equal(await flaky.get('k', 'default'), 'default');
      await flaky.set('k', 'v');
      assert.equal(await flaky.add('k', 'v'), false);
      assert.equal(await flaky.delete('k'), false);
      assert.deepEqual(await flaky.getMany(['a', 'b']), {});
      assert.equal(await flaky.getOrSet('computed', () => 'from the view'), 'from the view');
      FlakyCache.up = true;
      await flaky.set('k', 'v');
      assert.equal(await flaky.get('k'), 'v');
    });
    assert.deepEqual(records.map((record) => record.level), ['warning', 'info']);
    assert.match(records[0]!.message, /Cache 'flaky' is unavailable \(connect ECONNREFUSED 127\.0\.0\.1:1\); reads are misses/);
  });

  test('with IGNORE_EXCEPTIONS false the error reaches the caller', async () => {
    FlakyCache.up = false;
    const strict = createCache('strict', { BACKEND: FlakyCache, OPTIONS: { IGNORE_EXCEPTIONS: false } });
    await assert.rejects(strict.get('k'), CacheUnavailableError);
  });

  test('errors other than unavailability are bugs and are not swallowed', async () => {
    class Broken extends FlakyCache {
      override async get(): Promise<unknown> {
        throw new TypeError('bug in the store');
      }
    }
    FlakyCache.up = true;
    await assert.rejects(createCache('broken', { BACKEND: Broken }).get('k'), TypeError);
  });

  test('a tagged value whose tags cannot be read is a miss, never a possibly stale hit', async () => {
    class TagsDown extends SharedLocMem {
      static down = false;
      override getMany(keys: readonly string[]): Map<string, unknown> {
        if (TagsDown.down) throw new CacheUnavailableError('timeout');
        return super.getMany(keys);
      }
    }
    const store = createCache('tagsdown', { BACKEND: TagsDown, LOCATION: uniquePrefix('tagsdown') });
    await store.set('tagged', 'html', 60, { tags: ['books'] });
    assert.equal(await store.get('tagged'), 'html');
    TagsDown.down = true;
    const { result } = await captureLogs('nuages.cache', () => store.get('tagged'));
    assert.equal(result, undefined);
  });
});

describe('getOrSet across processes (shared stores)', () => {
  test('while another process holds the lock, getOrSet waits for its value instead of computing', async () => {
    const shared = createCache('shared', { BACKEND: SharedLocMem, LOCATION: uniquePrefix('lock') });
    await shared.backend.add(`${shared.makeKey('report')}:nuages.lock`, 1, 10);
    let computed = 0;
    const waiting = shared.getOrSet('report', () => ++computed, 60, { lock: { wait: 2 } });
    setTimeout(() => void shared.set('report', 'made by the other process'), 60);
    assert.equal(await waiting, 'made by the other process');
    assert.equal(computed, 0);
  });

  test('when the lock holder takes longer than the wait, the caller computes the value itself', async () => {
    const shared = createCache('shared', { BACKEND: SharedLocMem, LOCATION: uniquePrefix('lock2') });
    await shared.backend.add(`${shared.makeKey('slow')}:nuages.lock`, 1, 10);
    assert.equal(await shared.getOrSet('slow', () => 'computed here', 60, { lock: { wait: 0.1 } }), 'computed here');
  });

  test('the lock is released after the value is stored, even when the producer throws', async () => {
    const shared = createCache('shared', { BACKEND: SharedLocMem, LOCATION: uniquePrefix('lock3') });
    await assert.rejects(shared.getOrSet('fails', () => { throw new Error('boom'); }, 60), /boom/);
    assert.equal(await shared.backend.has(`${shared.makeKey('fails')}:nuages.lock`), false);
    await shared.getOrSet('works', () => 1, 60);
    assert.equal(await shared.backend.has(`${shared.makeKey('works')}:nuages.lock`), false);
  });
});

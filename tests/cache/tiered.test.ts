/**
 * The two-tier cache (process memory in front of Redis) on the real server at
 * 127.0.0.1:6379.
 *
 * Redis database used by this file: 13 (clear() is FLUSHDB, so no other test file
 * may use it). Tests that break the connection use a private redis-server on a
 * free port (fixtures/redis-server.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createCache, encodeValue, InvalidCacheBackendError, TieredCache, type Cache } from '../../src/cache/index.ts';
import type { CacheSettings } from '../../src/conf/settings.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { runBackendSuite, uniquePrefix } from './backend-suite.ts';
import { startRedis } from './fixtures/redis-server.ts';
import { startWorker } from './fixtures/worker.ts';

const URL = 'redis://127.0.0.1:6379/13';

const raw = new Redis(URL);
after(() => raw.quit());

runBackendSuite('tiered', (keyPrefix) => ({ BACKEND: 'tiered', LOCATION: URL, KEY_PREFIX: keyPrefix }), {
  expiry: 1100,
  writeRaw: async (_cache, finalKey, bytes) => void (await raw.set(finalKey, bytes)),
});

function tieredEntry(keyPrefix: string, nearLocation: string, options: Record<string, unknown> = {}, location = URL): CacheSettings {
  return { BACKEND: 'tiered', LOCATION: location, KEY_PREFIX: keyPrefix, OPTIONS: { NEAR_LOCATION: nearLocation, ...options } };
}

/** A cache whose near tier is in use (subscribed). */
async function listening(entry: CacheSettings): Promise<Cache> {
  const cache = createCache('default', entry);
  assert.equal(await (cache.backend as TieredCache).listening(5000), true, 'subscribed to invalidations');
  return cache;
}

/** Poll `read` until it returns `expected` (a pub/sub message is on its way), at most ~2 s. */
async function eventually(read: () => Promise<unknown>, expected: unknown): Promise<unknown> {
  let seen: unknown;
  for (let i = 0; i < 100; i++) {
    seen = await read();
    if (seen === expected) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return seen;
}

/** Change a value in Redis behind the caches' backs (no PUBLISH), to see which tier answers. */
async function writeBehind(cache: Cache, key: string, value: unknown): Promise<void> {
  await raw.set(cache.makeKey(key), encodeValue(value));
}

describe('tiered: the near tier', () => {
  test('a read is served from process memory for NEAR_TIMEOUT seconds', async () => {
    const cache = await listening(tieredEntry(uniquePrefix('near'), uniquePrefix('near'), { NEAR_TIMEOUT: 0.3 }));
    try {
      await cache.set('k', 'original');
      assert.equal(await cache.get('k'), 'original');
      await writeBehind(cache, 'k', 'changed behind its back');
      assert.equal(await cache.get('k'), 'original', 'the near copy answers; Redis is not asked');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(await cache.get('k'), 'changed behind its back', 'after NEAR_TIMEOUT the far tier answers again');
    } finally {
      await cache.close();
    }
  });

  test('a near copy never outlives the value’s own timeout', async () => {
    const cache = await listening(tieredEntry(uniquePrefix('ttl'), uniquePrefix('ttl'), { NEAR_TIMEOUT: 60 }));
    try {
      await cache.set('short', 'v', 0.3);
      assert.equal(await cache.get('short'), 'v');
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal(await cache.get('short'), undefined);
    } finally {
      await cache.close();
    }
  });

  test('a process reads its own writes at once', async () => {
    const cache = await listening(tieredEntry(uniquePrefix('own'), uniquePrefix('own'), { NEAR_TIMEOUT: 60 }));
    try {
      await cache.set('k', 1);
      assert.equal(await cache.get('k'), 1);
      await cache.set('k', 2);
      assert.equal(await cache.get('k'), 2);
      assert.equal(await cache.incr('k'), 3);
      assert.equal(await cache.get('k'), 3);
      await cache.delete('k');
      assert.equal(await cache.get('k'), undefined);
    } finally {
      await cache.close();
    }
  });

  test('bad OPTIONS are refused when the cache is built, naming the option', () => {
    assert.throws(() => createCache('default', tieredEntry('p', 'n', { NEAR_TIMEOUT: 0 })), (error: Error) => error instanceof InvalidCacheBackendError && /NEAR_TIMEOUT/.test(error.message));
    assert.throws(() => createCache('default', tieredEntry('p', 'n', { NEAR_MAX_ENTRIES: 2.5 })), InvalidCacheBackendError);
  });
});

describe('tiered: invalidation across processes', () => {
  // Two caches with their own near stores stand for two processes' memories; a
  // change made through one reaches the other only through Redis pub/sub.
  let a: Cache;
  let b: Cache;
  const keyPrefix = uniquePrefix('cross');
  before(async () => {
    a = await listening(tieredEntry(keyPrefix, uniquePrefix('process-a'), { NEAR_TIMEOUT: 60 }));
    b = await listening(tieredEntry(keyPrefix, uniquePrefix('process-b'), { NEAR_TIMEOUT: 60 }));
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  test('a value another process sets replaces the near copy', async () => {
    await b.set('price', 10);
    assert.equal(await a.get('price'), 10, 'A holds it near now');
    await b.set('price', 12);
    assert.equal(await eventually(() => a.get('price'), 12), 12);
  });

  test('a value another process deletes, increments, touches or clears is dropped', async () => {
    await b.set('gone', 'v');
    assert.equal(await a.get('gone'), 'v');
    await b.delete('gone');
    assert.equal(await eventually(() => a.get('gone'), undefined), undefined);

    await b.set('count', 1);
    assert.equal(await a.get('count'), 1);
    await b.incr('count', 4);
    assert.equal(await eventually(() => a.get('count'), 5), 5);

    await b.setMany({ m1: 'one', m2: 'two' });
    assert.deepEqual(await a.getMany(['m1', 'm2']), { m1: 'one', m2: 'two' });
    await b.setMany({ m1: 'uno' });
    await b.deleteMany(['m2']);
    assert.equal(await eventually(() => a.get('m1'), 'uno'), 'uno');
    assert.equal(await eventually(() => a.get('m2'), undefined), undefined);

    await b.set('short-lived', 'v', 60);
    assert.equal(await a.get('short-lived'), 'v');
    await b.touch('short-lived', 0.2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await a.get('short-lived'), undefined, 'the new, shorter timeout applies to the near copy too');

    await b.set('cleared', 'v');
    assert.equal(await a.get('cleared'), 'v');
    await b.clear();
    assert.equal(await eventually(() => a.get('cleared'), undefined), undefined);
  });

  test('a tag another process invalidates makes the values a miss here', async () => {
    await b.set('book-page', '<h1>Dune</h1>', 60, { tags: ['books'] });
    assert.equal(await a.get('book-page'), '<h1>Dune</h1>');
    await b.invalidateTags('books');
    assert.equal(await eventually(() => a.get('book-page'), undefined), undefined);
  });

  test('a real second process drops its near copy when this one writes', { timeout: 20_000 }, async () => {
    const worker = startWorker(tieredEntry(keyPrefix, uniquePrefix('worker'), { NEAR_TIMEOUT: 60 }));
    try {
      assert.deepEqual(await worker.send({ op: 'listening' }), { listening: true });
      await a.set('shared', 'first');
      assert.deepEqual(await worker.send({ op: 'get', key: 'shared' }), { value: 'first' });
      await writeBehind(a, 'shared', 'behind');
      assert.deepEqual(await worker.send({ op: 'get', key: 'shared' }), { value: 'first' }, 'the worker serves its near copy');
      await a.set('shared', 'second');
      const seen = await eventually(async () => (await worker.send<{ value: unknown }>({ op: 'get', key: 'shared' })).value, 'second');
      assert.equal(seen, 'second');
      await worker.send({ op: 'close' });
      assert.equal(await worker.exited, 0, 'the worker exits by itself after close(): the subscriber is closed too');
    } finally {
      worker.kill();
    }
  });
});

describe('tiered: a lost subscription', () => {
  test('when the subscriber connection drops, near copies are dropped (messages may have been missed)', { timeout: 20_000 }, async () => {
    const server = await startRedis();
    const admin = new Redis(server.url(0));
    const cache = await listening(tieredEntry(uniquePrefix('lost'), uniquePrefix('lost'), { NEAR_TIMEOUT: 60 }, server.url(0)));
    try {
      await cache.set('k', 'before');
      assert.equal(await cache.get('k'), 'before');
      // Kill only the subscriber connection, then change the value with no message: the
      // cache must not keep serving its near copy for the 60 s of NEAR_TIMEOUT.
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await admin.set(cache.makeKey('k'), encodeValue('after'));
      assert.equal(await eventually(() => cache.get('k'), 'after'), 'after');
      assert.equal(await (cache.backend as TieredCache).listening(5000), true, 'it subscribes again by itself');
    } finally {
      await cache.close();
      await admin.quit();
      await server.kill();
    }
  });

  test('a server restarted empty: the near tier does not bring back what Redis lost', { timeout: 20_000 }, async () => {
    const server = await startRedis();
    const cache = await listening(tieredEntry(uniquePrefix('restart'), uniquePrefix('restart'), { NEAR_TIMEOUT: 60 }, server.url(0)));
    try {
      await cache.set('k', 'v');
      assert.equal(await cache.get('k'), 'v');
      await server.kill();
      // Once the dropped connection is noticed (at once on a local socket), Redis down means a miss, not the near copy.
      const { result } = await captureLogs('nuages.cache', () => eventually(() => cache.get('k', 'default'), 'default'));
      assert.equal(result, 'default');
      await server.restart();
      assert.equal(await (cache.backend as TieredCache).listening(5000), true);
      assert.equal(await cache.get('k'), undefined);
    } finally {
      await cache.close();
      await server.kill();
    }
  });
});

/**
 * The Memcached backend on the real server at 127.0.0.1:11211 (started by .ci/run).
 * clear() flushes the whole server, so no other test file may use it.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import memjs from 'memjs';
import { CacheUnavailableError, CacheValueNotIntegerError, createCache, InvalidCacheKey, MemcachedCache, type Cache } from '../../src/cache/index.ts';
import { memcachedExpiration, memcachedServers } from '../../src/cache/backends/memcached.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { runBackendSuite, uniquePrefix } from './backend-suite.ts';

const LOCATION = '127.0.0.1:11211';
// Nothing listens on port 1: connections are refused at once.
const CLOSED = '127.0.0.1:1';
const DAY = 24 * 60 * 60;

const raw = memjs.Client.create(LOCATION, { logger: { log: () => undefined } });
after(() => raw.close());

runBackendSuite('memcached', (keyPrefix) => ({ BACKEND: 'memcached', LOCATION, KEY_PREFIX: keyPrefix }), {
  // Memcached expires by its own clock, in whole seconds.
  expiry: 2100,
  strictKeys: true,
  writeRaw: async (_cache, finalKey, bytes) => void (await raw.set(finalKey, bytes, { expires: 60 })),
});

function memcachedCache(options: Record<string, unknown> = {}, location: string | string[] = LOCATION): Cache {
  return createCache('default', { BACKEND: 'memcached', LOCATION: location, KEY_PREFIX: uniquePrefix('mc'), OPTIONS: options });
}

describe('memcached: configuration', () => {
  test("Django's dotted path names the same backend", () => {
    const cache = createCache('default', { BACKEND: 'django.core.cache.backends.memcached.PyMemcacheCache', LOCATION });
    assert.ok(cache.backend instanceof MemcachedCache);
  });

  test('LOCATION may list servers with commas or semicolons, or as an array', () => {
    assert.equal(memcachedServers('a:11211;b:11212'), 'a:11211,b:11212');
    assert.equal(memcachedServers(['a:11211', ' b:11212 ']), 'a:11211,b:11212');
    assert.equal(memcachedServers(undefined), '127.0.0.1:11211');
  });

  test('credentials in LOCATION are kept from what messages show', () => {
    const cache = createCache('default', { BACKEND: 'memcached', LOCATION: 'user:s3cret@cache.internal:11211' });
    assert.equal((cache.backend as MemcachedCache).servers, 'cache.internal:11211');
  });
});

describe('memcached: storage', () => {
  let cache: Cache;
  before(() => {
    cache = memcachedCache();
  });
  after(() => cache.close());

  test('keys Memcached refuses are InvalidCacheKey errors, counting UTF-8 bytes', async () => {
    await assert.rejects(cache.set('x'.repeat(251), 1), InvalidCacheKey);
    await assert.rejects(async () => cache.get('tab\there'), InvalidCacheKey);
    // 100 characters, 300 bytes: within the facade's character count, over Memcached's byte limit.
    await assert.rejects(cache.set('€'.repeat(100), 1), InvalidCacheKey);
  });

  test('a timeout over 30 days is sent as an absolute Unix time, so the value is kept', async () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(memcachedExpiration(30 * DAY, now), 30 * DAY, '30 days is still relative');
    assert.equal(memcachedExpiration(31 * DAY, now), now / 1000 + 31 * DAY);
    assert.equal(memcachedExpiration(null, now), 0, '0 is "never expire" to Memcached');
    assert.equal(memcachedExpiration(0.4, now), 1, 'a fraction of a second never becomes 0 (forever)');
    // Sent as a relative 31 days, Memcached would read a date in 1970 and drop the value at once.
    await cache.set('long-lived', 'kept', 31 * DAY);
    assert.equal(await cache.get('long-lived'), 'kept');
    assert.equal(await cache.touch('long-lived', 400 * DAY), true);
    assert.equal(await cache.get('long-lived'), 'kept');
  });

  test('integers are stored as their digits, so other Memcached clients can incr them', async () => {
    await cache.set('visits', 41);
    const { value } = await raw.get(cache.makeKey('visits'));
    assert.equal(value?.toString(), '41');
    await raw.increment(cache.makeKey('visits'), 1);
    assert.equal(await cache.get('visits'), 42);
  });

  test('counters use 64 bits on the server', async () => {
    await cache.set('big-counter', 2 ** 40);
    assert.equal(await cache.incr('big-counter', 2 ** 33), 2 ** 40 + 2 ** 33);
  });

  test('decr stops at 0 and a negative incr decrements, as with Django on Memcached', async () => {
    await cache.set('stock', 5);
    assert.equal(await cache.decr('stock', 10), 0, 'Memcached counters are unsigned');
    await cache.set('stock', 5);
    assert.equal(await cache.incr('stock', -2), 3);
  });

  test('a stored negative number cannot be incremented on Memcached', async () => {
    await cache.set('negative', -7);
    assert.equal(await cache.get('negative'), -7);
    await assert.rejects(cache.incr('negative'), CacheValueNotIntegerError);
  });

  test('a value over the item size limit is refused, leaves no stale value, and is logged', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    await cache.set('page', 'old');
    const { records } = await captureLogs('nuages.cache', () => cache.set('page', big));
    assert.equal(await cache.get('page'), undefined, 'the old value is gone');
    assert.equal(records.length, 1);
    assert.match(records[0]!.message, /item size limit/);
    const failed = await captureLogs('nuages.cache', () => cache.setMany({ small: 1, huge: big }));
    assert.deepEqual(failed.result, ['huge']);
    assert.equal(await cache.get('small'), 1);
    assert.equal((await captureLogs('nuages.cache', () => cache.add('huge-add', big))).result, false);
    assert.equal(await cache.set('page', 'after'), undefined);
    assert.equal(await cache.get('page'), 'after', 'the connection still works after a refusal');
  });

  test('getMany reads many keys at once', async () => {
    const values = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`many-${i}`, { i }]));
    await cache.setMany(values);
    assert.deepEqual(await cache.getMany([...Object.keys(values), 'many-missing']), values);
  });
});

describe('memcached: outages', () => {
  test('an unreachable server: reads give the default, writes are dropped, one warning for the outage', { timeout: 10_000 }, async () => {
    const cache = memcachedCache({}, CLOSED);
    try {
      const { result, records } = await captureLogs('nuages.cache', async () => {
        const answers = [await cache.get('k', 'default'), await cache.getOrSet('k', () => 'computed'), await cache.getMany(['a', 'b'])];
        await cache.set('k', 'v');
        await cache.delete('k');
        return answers;
      });
      assert.deepEqual(result, ['default', 'computed', {}]);
      const warnings = records.filter((record) => record.level === 'warning');
      assert.equal(warnings.length, 1, 'one warning per outage, not one per call');
      assert.match(warnings[0]!.message, /127\.0\.0\.1:1/);
      assert.match(warnings[0]!.message, /ECONNREFUSED/);
    } finally {
      await cache.close();
    }
  });

  test('with IGNORE_EXCEPTIONS false the call rejects with CacheUnavailableError, without the password', { timeout: 10_000 }, async () => {
    const cache = memcachedCache({ IGNORE_EXCEPTIONS: false }, `user:s3cret@${CLOSED}`);
    try {
      await assert.rejects(cache.get('k'), (error: Error) => error instanceof CacheUnavailableError && error.message.includes('CACHES.default.LOCATION') && !error.message.includes('s3cret'));
      await assert.rejects(cache.set('k', 1), CacheUnavailableError);
    } finally {
      await cache.close();
    }
  });

  test('a server that accepts but never answers: the read is a miss once OPTIONS.timeout has passed', { timeout: 10_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const cache = memcachedCache({ timeout: 0.2, retries: 1 }, `127.0.0.1:${port}`);
    try {
      const { result, records } = await captureLogs('nuages.cache', () => cache.get('k', 'default'));
      assert.equal(result, 'default');
      assert.match(records[0]!.message, /timed out/);
    } finally {
      await cache.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

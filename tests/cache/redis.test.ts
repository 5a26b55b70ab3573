/**
 * The Redis backend on the real server at 127.0.0.1:6379.
 *
 * Redis databases used by this file: 10 (the cache; clear() is FLUSHDB, so no other
 * test file may use it) and 11 (the stand-in replica of the replica-routing test).
 * Tests that stop a server or need a cluster start a private redis-server on a
 * free port (fixtures/redis-server.ts) and never touch the shared one.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { CacheUnavailableError, createCache, encodeValue, InvalidCacheBackendError, RedisCache, type Cache } from '../../src/cache/index.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { runBackendSuite, uniquePrefix } from './backend-suite.ts';
import { startRedis, startRedisCluster } from './fixtures/redis-server.ts';
import { startWorker, type Worker } from './fixtures/worker.ts';

const URL = 'redis://127.0.0.1:6379/10';
const REPLICA_URL = 'redis://127.0.0.1:6379/11';
// Nothing listens on port 1: connections are refused at once.
const CLOSED_URL = 'redis://127.0.0.1:1/0';

const raw = new Redis(URL);
after(() => raw.quit());

runBackendSuite('redis', (keyPrefix) => ({ BACKEND: 'redis', LOCATION: URL, KEY_PREFIX: keyPrefix }), {
  expiry: 1100,
  writeRaw: async (_cache, finalKey, bytes) => void (await raw.set(finalKey, bytes)),
});

function redisCache(options: Record<string, unknown> = {}, location: string | string[] = URL): Cache {
  return createCache('default', { BACKEND: 'redis', LOCATION: location, KEY_PREFIX: uniquePrefix('redis'), OPTIONS: options });
}

describe('redis: storage', () => {
  let cache: Cache;
  before(() => {
    cache = redisCache();
  });
  after(() => cache.close());

  test("Django's dotted path names the same backend", () => {
    const django = createCache('default', { BACKEND: 'django.core.cache.backends.redis.RedisCache', LOCATION: URL });
    assert.ok(django.backend instanceof RedisCache);
  });

  test('integers are stored as their digits, so redis-cli and INCRBY read them', async () => {
    await cache.set('visits', 41);
    assert.equal(await raw.get(cache.makeKey('visits')), '41');
    await raw.incrby(cache.makeKey('visits'), 1);
    assert.equal(await cache.get('visits'), 42);
  });

  test('a fractional timeout is kept to the millisecond; a whole one in seconds', async () => {
    await cache.set('fraction', 'v', 2.5);
    const ms = await raw.pttl(cache.makeKey('fraction'));
    assert.ok(ms > 2000 && ms <= 2500, `PTTL ${ms}`);
    await cache.set('whole', 'v', 30);
    assert.equal(await raw.ttl(cache.makeKey('whole')), 30);
  });

  test('setMany gives every key the timeout; null stores them without expiry', async () => {
    await cache.setMany({ a: 1, b: 'two' }, 40);
    assert.equal(await raw.ttl(cache.makeKey('a')), 40);
    assert.equal(await raw.ttl(cache.makeKey('b')), 40);
    await cache.setMany({ a: 1 }, null);
    assert.equal(await raw.ttl(cache.makeKey('a')), -1);
  });

  test('touch(null) removes the expiry and reports true for a key that had none', async () => {
    await cache.set('persisted', 'v', 30);
    assert.equal(await cache.touch('persisted', null), true);
    assert.equal(await raw.ttl(cache.makeKey('persisted')), -1);
    assert.equal(await cache.touch('persisted', null), true, 'the key exists, even though PERSIST had nothing to do');
    assert.equal(await cache.touch('persisted', 20), true);
    assert.equal(await raw.ttl(cache.makeKey('persisted')), 20);
  });

  test('incr keeps the key’s remaining lifetime', async () => {
    await cache.set('hits', 1, 50);
    assert.equal(await cache.incr('hits', 5), 6);
    assert.equal(await raw.ttl(cache.makeKey('hits')), 50);
  });

  test('bad OPTIONS are refused when the cache is built, naming the option', () => {
    assert.throws(() => redisCache({ SOCKET_TIMEOUT: 'soon' }), (error: Error) => error instanceof InvalidCacheBackendError && /OPTIONS\.SOCKET_TIMEOUT/.test(error.message));
    assert.throws(() => redisCache({ keyPrefix: 'x:' }), (error: Error) => error instanceof InvalidCacheBackendError && /KEY_PREFIX/.test(error.message));
    assert.throws(() => redisCache({ CLUSTER: 'yes' }), InvalidCacheBackendError);
  });

  test("ioredis options pass through (db as a string, as Django's OPTIONS write it)", async () => {
    const other = redisCache({ db: '11' }, 'redis://127.0.0.1:6379');
    try {
      await other.set('routed', 'to db 11');
      const db11 = new Redis(REPLICA_URL);
      try {
        assert.equal(await db11.exists(other.makeKey('routed')), 1);
        await db11.del(other.makeKey('routed'));
      } finally {
        await db11.quit();
      }
    } finally {
      await other.close();
    }
  });
});

describe('redis: replicas', () => {
  // Two databases of one server stand in for a primary and its replica: a key
  // written to one is not in the other, so where each call went is visible.
  let cache: Cache;
  let replica: Redis;
  before(() => {
    cache = redisCache({}, [URL, REPLICA_URL]);
    replica = new Redis(REPLICA_URL);
  });
  after(async () => {
    await cache.close();
    await replica.quit();
  });

  test('writes go to the first LOCATION, reads to the others (as Django)', async () => {
    await cache.set('routed', 'primary copy');
    const key = cache.makeKey('routed');
    assert.equal(await raw.exists(key), 1, 'written to the primary');
    assert.equal(await replica.exists(key), 0, 'not written to the replica');
    assert.equal(await cache.get('routed'), undefined, 'read from the replica, which has no copy yet');
    await replica.set(key, encodeValue('replicated copy'));
    try {
      assert.equal(await cache.get('routed'), 'replicated copy');
      assert.deepEqual(await cache.getMany(['routed']), { routed: 'replicated copy' });
      assert.equal(await cache.has('routed'), true);
    } finally {
      await replica.del(key);
    }
  });

  test('a comma-separated LOCATION string lists the servers the same way', async () => {
    const listed = redisCache({}, `${URL},${REPLICA_URL}`);
    try {
      assert.deepEqual((listed.backend as RedisCache).servers, [URL, REPLICA_URL]);
      await listed.set('k', 'v');
      assert.equal(await raw.exists(listed.makeKey('k')), 1);
      assert.equal(await replica.exists(listed.makeKey('k')), 0);
    } finally {
      await listed.close();
    }
  });
});

describe('redis: outages', () => {
  test('an unreachable server: reads give the default, writes are dropped, one warning for the outage', { timeout: 2000 }, async () => {
    const cache = redisCache({}, CLOSED_URL);
    try {
      const { result, records } = await captureLogs('nuages.cache', async () => {
        const answers = [await cache.get('k', 'default'), await cache.getOrSet('k', () => 'computed'), await cache.getMany(['a', 'b'])];
        await cache.set('k', 'v');
        await cache.setMany({ a: 1 });
        await cache.delete('k');
        await cache.invalidateTags('books');
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

  test('with IGNORE_EXCEPTIONS false the same call rejects with CacheUnavailableError', { timeout: 5000 }, async () => {
    const cache = redisCache({ IGNORE_EXCEPTIONS: false }, CLOSED_URL);
    try {
      await assert.rejects(cache.get('k'), (error: Error) => error instanceof CacheUnavailableError && error.message.includes('CACHES.default.LOCATION'));
      await assert.rejects(cache.set('k', 1), CacheUnavailableError);
    } finally {
      await cache.close();
    }
  });

  test('the password in LOCATION never appears in messages', { timeout: 5000 }, async () => {
    const cache = redisCache({ IGNORE_EXCEPTIONS: false }, 'redis://user:s3cret@127.0.0.1:1/0');
    try {
      await assert.rejects(cache.get('k'), (error: Error) => error instanceof CacheUnavailableError && !error.message.includes('s3cret'));
    } finally {
      await cache.close();
    }
  });

  test('a server stopped mid-test: misses and dropped writes, then the cache recovers by itself', { timeout: 20_000 }, async () => {
    const server = await startRedis();
    const cache = redisCache({}, server.url(0));
    try {
      await cache.set('before', 'kept');
      assert.equal(await cache.get('before'), 'kept');
      await server.kill();
      const during = await captureLogs('nuages.cache', async () => {
        const answers = [await cache.get('before', 'default'), await cache.get('other', 'default')];
        await cache.set('during', 'dropped');
        return answers;
      });
      assert.deepEqual(during.result, ['default', 'default']);
      assert.equal(during.records.filter((record) => record.level === 'warning').length, 1);

      await server.restart();
      const after = await captureLogs('nuages.cache', async () => {
        // The client reconnects in the background; poll until a write lands.
        for (let i = 0; i < 100; i++) {
          await cache.set('after', 'stored');
          if ((await cache.get('after')) === 'stored') return true;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return false;
      });
      assert.equal(after.result, true, 'the cache answers again once the server is back');
      assert.ok(after.records.some((record) => /reachable again/.test(record.message)));
      assert.equal(await cache.get('during'), undefined, 'the write made during the outage was dropped, not replayed');
    } finally {
      await cache.close();
      await server.kill();
    }
  });

  test('a server that stops answering (frozen) is a miss after SOCKET_TIMEOUT, not a hung request', { timeout: 20_000 }, async () => {
    const server = await startRedis();
    const cache = redisCache({ SOCKET_TIMEOUT: 0.2 }, server.url(0));
    try {
      await cache.set('k', 'v');
      server.pause();
      const { result, records } = await captureLogs('nuages.cache', async () => [await cache.get('k', 'default'), await cache.get('k', 'default')]);
      assert.deepEqual(result, ['default', 'default']);
      assert.equal(records.filter((record) => record.level === 'warning').length, 1);
      assert.match(records[0]!.message, /timed out/);
      server.resume();
      assert.equal(await cache.get('k'), 'v');
    } finally {
      server.resume();
      await cache.close();
      await server.kill();
    }
  });

  test('after close() the process exits by itself (no socket or timer left), also when the server is down', { timeout: 20_000 }, async () => {
    for (const location of [URL, CLOSED_URL]) {
      const worker = startWorker({ BACKEND: 'redis', LOCATION: location, KEY_PREFIX: uniquePrefix('exit') });
      try {
        await worker.send({ op: 'set', key: 'k', value: 1 });
        await worker.send({ op: 'get', key: 'k' });
        assert.deepEqual(await worker.send({ op: 'close' }), { closed: true });
        assert.equal(await worker.exited, 0, location);
      } finally {
        worker.kill();
      }
    }
  });

  test('ioredis is loaded on first use of a Redis cache, never by a project that does not use one', { timeout: 20_000 }, async () => {
    const worker = startWorker({ BACKEND: 'locmem' });
    try {
      assert.deepEqual(await worker.send({ op: 'loaded' }), { ioredis: false });
      await worker.send({ op: 'close' });
      await worker.exited;
    } finally {
      worker.kill();
    }
  });
});

describe('redis: stampede across processes', () => {
  test('500 concurrent getOrSet in each of 2 processes run the producer once in all', { timeout: 30_000 }, async () => {
    const keyPrefix = uniquePrefix('stampede');
    const entry = { BACKEND: 'redis', LOCATION: URL, KEY_PREFIX: keyPrefix };
    const workers: Worker[] = [startWorker(entry), startWorker(entry)];
    const counterKey = `${keyPrefix}:producer-runs`;
    try {
      // Connect both first, so they start the stampede together.
      await Promise.all(workers.map((worker) => worker.send({ op: 'get', key: 'warm-up' })));
      const answers = await Promise.all(
        workers.map((worker) => worker.send<{ calls: number; values: string[] }>({ op: 'stampede', key: 'cold', counterKey, counterUrl: URL, calls: 500, sleepMs: 200 })),
      );
      assert.equal(await raw.get(counterKey), '1', 'the producer ran once across both processes');
      assert.equal(answers[0]!.calls, 500);
      assert.equal(answers[1]!.calls, 500);
      assert.equal(answers[0]!.values.length, 1, 'every call in a process got the same value');
      assert.deepEqual(answers[0]!.values, answers[1]!.values, 'both processes got the one computed value');
      await Promise.all(workers.map((worker) => worker.send({ op: 'close' })));
    } finally {
      for (const worker of workers) worker.kill();
      await raw.del(counterKey);
    }
  });
});

describe('redis: cluster', () => {
  test('OPTIONS.CLUSTER: bulk calls, incr, tags and clear work across slots', { timeout: 20_000 }, async () => {
    const server = await startRedisCluster();
    const cache = createCache('default', { BACKEND: 'redis', LOCATION: [server.url()], KEY_PREFIX: 'cluster', OPTIONS: { CLUSTER: true, IGNORE_EXCEPTIONS: false } });
    try {
      // Keys this different hash to different slots; one MGET or MULTI over them would be refused (CROSSSLOT).
      assert.deepEqual(await cache.setMany({ alpha: 1, beta: 'two', gamma: [3] }), []);
      assert.deepEqual(await cache.getMany(['alpha', 'beta', 'gamma', 'delta']), { alpha: 1, beta: 'two', gamma: [3] });
      await cache.deleteMany(['alpha', 'beta']);
      assert.deepEqual(await cache.getMany(['alpha', 'beta', 'gamma']), { gamma: [3] });
      assert.equal(await cache.incr('gamma-count').catch((error: Error) => error.name), 'CacheKeyNotFoundError');
      await cache.set('count', 5);
      assert.equal(await cache.incr('count', 2), 7);
      await cache.set('page', 'html', 60, { tags: ['books', 'authors'] });
      assert.equal(await cache.get('page'), 'html');
      await cache.invalidateTags('authors');
      assert.equal(await cache.get('page'), undefined);
      await cache.clear();
      assert.deepEqual(await cache.getMany(['gamma', 'count']), {});
    } finally {
      await cache.close();
      await server.kill();
    }
  });
});

/**
 * The Redis store on the real server at 127.0.0.1:6379, database 14 (no other test file
 * uses it; nothing here flushes it: every test writes under its own key prefix and
 * deletes its keys after).
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { HttpRequest } from '../../src/http/index.ts';
import {
  closeRateLimitStores, getUsage, MemoryRateLimitStore, parseRate, rateLimitStore, RateLimitStoreConfigError, RedisRateLimitStore,
} from '../../src/ratelimit/index.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { freePort, startRedis } from '../cache/fixtures/redis-server.ts';

const URL = 'redis://127.0.0.1:6379/14';
// Nothing listens on port 1: connections are refused at once.
const CLOSED_URL = 'redis://127.0.0.1:1/0';

const raw = new Redis(URL, { lazyConnect: true });
const prefixes: string[] = [];

/** A key prefix no other test (or earlier run) uses; its keys are deleted after the test. */
function uniquePrefix(): string {
  const prefix = `nuages-test-rl-${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
}

before(async () => {
  try {
    await raw.connect();
  } catch (error) {
    throw new Error(`These tests need Redis on 127.0.0.1:6379 (start it with: redis-server --daemonize yes): ${(error as Error).message}`);
  }
  configure({ SECRET_KEY: 'ratelimit-redis-tests' });
});
afterEach(async () => {
  for (const prefix of prefixes.splice(0)) {
    const keys = await raw.keys(`${prefix}:*`);
    if (keys.length > 0) await raw.del(...keys);
  }
});
after(async () => {
  await closeRateLimitStores();
  await raw.quit();
  resetSettings();
});

const MINUTE = parseRate('3/m');

describe('counters shared through Redis', () => {
  test('two stores on one server (two processes, say) count into the same counter', async () => {
    const prefix = uniquePrefix();
    const first = new RedisRateLimitStore(URL, {}, prefix);
    const second = new RedisRateLimitStore(URL, {}, prefix);
    try {
      const counts = [];
      for (const store of [first, second, first, second]) counts.push((await store.hit('login:ip:203.0.113.7', MINUTE)).count);
      assert.deepEqual(counts, [1, 2, 3, 4]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('the counter is one Redis key under the prefix, with the rate\'s period as its expiry', async () => {
    const prefix = uniquePrefix();
    const store = new RedisRateLimitStore(URL, {}, prefix);
    try {
      const { msBeforeReset } = await store.hit('login:ip:203.0.113.7', MINUTE);
      const key = `${prefix}:3/60s:login:ip:203.0.113.7`;
      assert.equal(await raw.get(key), '1');
      const ttl = await raw.pttl(key);
      assert.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl}`);
      assert.ok(msBeforeReset > 0 && msBeforeReset <= 60_000, `msBeforeReset ${msBeforeReset}`);
    } finally {
      await store.close();
    }
  });

  test('reading without counting leaves the counter as it was', async () => {
    const store = new RedisRateLimitStore(URL, {}, uniquePrefix());
    try {
      assert.equal((await store.hit('k', MINUTE, false)).count, 0);
      await store.hit('k', MINUTE);
      assert.equal((await store.hit('k', MINUTE, false)).count, 1);
      assert.equal((await store.hit('k', MINUTE, false)).count, 1);
    } finally {
      await store.close();
    }
  });

  test('concurrent requests are all counted (one atomic increment each)', async () => {
    const store = new RedisRateLimitStore(URL, {}, uniquePrefix());
    try {
      const counts = await Promise.all(Array.from({ length: 25 }, () => store.hit('burst', MINUTE)));
      assert.deepEqual(counts.map((c) => c.count).sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1));
    } finally {
      await store.close();
    }
  });

  test('a closed store reconnects when used again', async () => {
    const store = new RedisRateLimitStore(URL, {}, uniquePrefix());
    await store.hit('k', MINUTE);
    await store.close();
    assert.equal((await store.hit('k', MINUTE)).count, 2);
    await store.close();
  });
});

describe('RATELIMIT_STORE', () => {
  test("{ BACKEND: 'redis', LOCATION } counts in Redis through a limit", async () => {
    const prefix = uniquePrefix();
    await overrideSettings({ RATELIMIT_STORE: { BACKEND: 'redis', LOCATION: URL, KEY_PREFIX: prefix } }, async () => {
      const request = HttpRequest.create({ remoteAddr: '203.0.113.9' });
      const options = { group: 'settings', rate: '2/m', increment: true } as const;
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push((await getUsage(request, options))?.limited);
      assert.deepEqual(counts, [false, false, true]);
      assert.equal(await raw.get(`${prefix}:2/60s:settings:ip:203.0.113.9`), '3');
    });
  });

  test('{ CACHE: alias } uses the Redis server of that cache; a locmem cache means memory', async () => {
    const caches = {
      default: { BACKEND: 'redis', LOCATION: URL },
      near: { BACKEND: 'tiered', LOCATION: URL },
      local: { BACKEND: 'locmem' },
      files: { BACKEND: 'filebased', LOCATION: '/tmp/x' },
    };
    await overrideSettings({ CACHES: caches }, () => {
      const redis = rateLimitStore({ CACHE: 'default' });
      assert.ok(redis instanceof RedisRateLimitStore);
      assert.equal((redis as RedisRateLimitStore).server, URL);
      assert.ok(rateLimitStore({ CACHE: 'near' }) instanceof RedisRateLimitStore);
      assert.ok(rateLimitStore({ CACHE: 'local' }) instanceof MemoryRateLimitStore);
      assert.throws(() => rateLimitStore({ CACHE: 'files' }), (error: Error) => error instanceof RateLimitStoreConfigError && /a filebased cache; rate limits need atomic counters/.test(error.message));
      assert.throws(() => rateLimitStore({ CACHE: 'missing' }), /RATELIMIT_STORE\.CACHE is 'missing', which is not an alias of CACHES\. Use one of 'default', 'near', 'local', 'files'/);
    });
  });

  test('the same settings give the same store; the default is one memory store', () => {
    const settings = { BACKEND: 'redis', LOCATION: URL } as const;
    assert.equal(rateLimitStore(settings), rateLimitStore(settings));
    assert.ok(rateLimitStore() instanceof MemoryRateLimitStore);
    assert.equal(rateLimitStore(), rateLimitStore());
  });

  test('bad settings say what to write', () => {
    assert.throws(() => rateLimitStore({ BACKEND: 'redis', KEY_PREFIX: '' }), /KEY_PREFIX must be a non-empty string/);
    assert.throws(() => rateLimitStore({ BACKEND: 'redis', OPTIONS: { SOCKET_TIMEOUT: 0 } }), /OPTIONS\.SOCKET_TIMEOUT must be a number of seconds above 0, got 0/);
    assert.throws(() => rateLimitStore('redis://x' as never), /RATELIMIT_STORE must be an object such as \{ BACKEND: 'redis'/);
  });

  test('the password of LOCATION never appears in messages', () => {
    const store = new RedisRateLimitStore('redis://:s3cret@127.0.0.1:1/0');
    assert.equal(store.server, 'redis://127.0.0.1:1/0');
  });
});

describe('when Redis cannot be reached', () => {
  test('requests are counted in memory, so limits still hold in this process; the outage is logged once', async () => {
    const store = new RedisRateLimitStore(CLOSED_URL, { SOCKET_CONNECT_TIMEOUT: 0.2 }, uniquePrefix());
    try {
      const { result: counts, records } = await captureLogs('nuages.ratelimit', async () => {
        const seen = [];
        for (let i = 0; i < 4; i++) seen.push((await store.hit('login:ip:203.0.113.7', MINUTE)).count);
        return seen;
      });
      assert.deepEqual(counts, [1, 2, 3, 4]);
      assert.equal(records.length, 1);
      assert.equal(records[0]!.level, 'warning');
      assert.match(records[0]!.message, /Redis at redis:\/\/127\.0\.0\.1:1\/0 did not answer .*counted in each process's memory until it does/);
    } finally {
      await store.close();
    }
  });

  test('once Redis answers again, counting goes back to it (and that is logged)', async () => {
    // A private server, started after the store first failed to reach it.
    const port = await freePort();
    const prefix = uniquePrefix();
    const store = new RedisRateLimitStore(`redis://127.0.0.1:${port}/0`, { SOCKET_CONNECT_TIMEOUT: 0.2 }, prefix);
    let server: Awaited<ReturnType<typeof startRedis>> | undefined;
    let direct: Redis | undefined;
    try {
      const { records } = await captureLogs('nuages.ratelimit', async () => {
        assert.equal((await store.hit('k', MINUTE)).count, 1);
        server = await startRedis([], port);
        direct = new Redis(server.url(0));
        // The client reconnects in the background (retries at most a second apart): poll until a hit lands in Redis.
        for (let attempt = 0; attempt < 100 && (await direct.exists(`${prefix}:3/60s:k`)) === 0; attempt++) {
          await store.hit('k', MINUTE);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      assert.equal(await direct!.exists(`${prefix}:3/60s:k`), 1, 'the counter is in Redis again');
      assert.deepEqual(records.map((r) => r.level), ['warning', 'info']);
      assert.match(records[1]!.message, /answers again; rate limits are shared between processes again/);
    } finally {
      await direct?.quit();
      await store.close();
      await server?.kill();
    }
  });
});

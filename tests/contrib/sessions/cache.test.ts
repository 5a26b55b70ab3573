/**
 * The cache store ('cache') on the local-memory cache and on the Redis server at
 * 127.0.0.1:6379 (database 12, keys under a prefix of this run; nothing is flushed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { overrideSettings } from '../../../src/conf/index.ts';
import { caches, LocMemCache } from '../../../src/cache/index.ts';
import { CACHE_KEY_PREFIX, CacheSessionStore, type SessionBase } from '../../../src/contrib/sessions/index.ts';
import { uniquePrefix } from '../../cache/backend-suite.ts';
import { runStoreSuite } from './store-suite.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

/** A cache whose add() never stores, as a Memcached that is down answers. */
class RefusingCache extends LocMemCache {
  override async add(): Promise<boolean> {
    return false;
  }
}

const REDIS_URL = 'redis://127.0.0.1:6379/12';
const REDIS_PREFIX = uniquePrefix('sessions');
const raw = new Redis(REDIS_URL);

before(() =>
  setUpSessions({
    SESSION_ENGINE: 'cache',
    CACHES: {
      default: { BACKEND: 'locmem' },
      sessions: { BACKEND: 'redis', LOCATION: REDIS_URL, KEY_PREFIX: REDIS_PREFIX },
    },
  }),
);
after(async () => {
  await tearDownSessions();
  await raw.quit();
});

/** Expire the cache entry of a session for real: a 1 ms lifetime, then a short wait. */
async function expireIn(alias: string, session: SessionBase): Promise<string> {
  await caches.get(alias).touch(CACHE_KEY_PREFIX + session.sessionKey, 0.001);
  await sleep(20);
  // The local-memory cache reads the clock once per turn of the event loop: let one pass.
  await new Promise((resolve) => setImmediate(resolve));
  return session.sessionKey!;
}

runStoreSuite('cache (locmem)', {
  settings: { SESSION_ENGINE: 'cache', SESSION_CACHE_ALIAS: 'default' },
  serverSide: true,
  expire: (session) => expireIn('default', session),
});

runStoreSuite('cache (redis)', {
  settings: { SESSION_ENGINE: 'django.contrib.sessions.backends.cache', SESSION_CACHE_ALIAS: 'sessions' },
  serverSide: true,
  expire: (session) => expireIn('sessions', session),
});

describe('cache: entries', () => {
  test("the entry sits under Django's key prefix and lives as long as the session", () =>
    overrideSettings({ SESSION_CACHE_ALIAS: 'sessions' }, async () => {
      const session = new CacheSessionStore();
      await session.set('cart', [1]);
      await session.setExpiry(300);
      await session.save();
      const key = `${REDIS_PREFIX}:1:django.contrib.sessions.cache${session.sessionKey}`;
      const ttl = await raw.pttl(key);
      assert.ok(ttl > 295_000 && ttl <= 300_000, `ttl ${ttl}`);
      assert.deepEqual(await caches.get('sessions').get(CACHE_KEY_PREFIX + session.sessionKey), { cart: [1], _session_expiry: 300 });
    }));

  test('SESSION_CACHE_ALIAS picks the cache, and an alias CACHES lacks is refused by name', async () => {
    await overrideSettings({ SESSION_CACHE_ALIAS: 'default' }, async () => {
      const session = new CacheSessionStore();
      await session.set('a', 1);
      await session.save();
      assert.equal(await caches.get('sessions').has(CACHE_KEY_PREFIX + session.sessionKey), false);
      assert.equal(await caches.get('default').has(CACHE_KEY_PREFIX + session.sessionKey), true);
    });
    await overrideSettings({ SESSION_CACHE_ALIAS: 'nope' }, () => {
      assert.throws(() => new CacheSessionStore(), /'nope' is not in CACHES/);
    });
  });

  test('when the cache refuses every new key, creating a session fails with a clear error after many tries', () =>
    overrideSettings({ CACHES: { default: { BACKEND: RefusingCache } }, SESSION_CACHE_ALIAS: 'default' }, async () => {
      const session = new CacheSessionStore();
      await session.set('a', 1);
      await assert.rejects(session.save(), { code: 'NUAGES_SESSION_CACHE_UNAVAILABLE', message: /likely unavailable/ });
    }));
});

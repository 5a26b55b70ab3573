/**
 * The cached database store ('cached-db'): the local-memory cache in front of the test
 * database (SQLite, or PostgreSQL with NUAGES_TEST_DB=postgres).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { caches } from '../../../src/cache/index.ts';
import { CACHED_DB_KEY_PREFIX, CachedDbSessionStore, Session } from '../../../src/contrib/sessions/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { runStoreSuite } from './store-suite.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

before(() => setUpSessions({ SESSION_ENGINE: 'cached-db', CACHES: { default: { BACKEND: 'locmem', LOCATION: 'cached-db-sessions' } } }, { database: true }));
after(tearDownSessions);

const cached = (key: string | null) => caches.get('default').get(CACHED_DB_KEY_PREFIX + key);

runStoreSuite('cached-db', {
  settings: { SESSION_ENGINE: 'django.contrib.sessions.backends.cached_db' },
  serverSide: true,
  async expire(session) {
    await Session.objects.filter({ sessionKey: session.sessionKey }).update({ expireDate: new Date(Date.now() - 1000) });
    await caches.get('default').delete(CACHED_DB_KEY_PREFIX + session.sessionKey);
    return session.sessionKey!;
  },
  async tamper(session) {
    const row = await Session.objects.get({ sessionKey: session.sessionKey });
    await Session.objects.filter({ sessionKey: session.sessionKey }).update({ sessionData: `x${row.sessionData.slice(1)}` });
    await caches.get('default').delete(CACHED_DB_KEY_PREFIX + session.sessionKey);
    return session.sessionKey!;
  },
});

describe('cached-db: the cache in front of the database', () => {
  test('a save writes the row and the cache; a load reads the cache without a query', async () => {
    const session = new CachedDbSessionStore();
    await session.set('user', 1);
    await session.save();
    assert.equal(await Session.objects.filter({ sessionKey: session.sessionKey }).count(), 1);
    assert.deepEqual(await cached(session.sessionKey), { user: 1 });
    await assertNumQueries(0, async () => assert.equal(await new CachedDbSessionStore(session.sessionKey).get('user'), 1));
  });

  test('after the cache lost the entry, a load reads the row and fills the cache again', async () => {
    const session = new CachedDbSessionStore();
    await session.set('user', 2);
    await session.save();
    await caches.get('default').clear();
    await assertNumQueries(1, async () => assert.equal(await new CachedDbSessionStore(session.sessionKey).get('user'), 2));
    assert.deepEqual(await cached(session.sessionKey), { user: 2 });
  });

  test('deleting a session removes the row and the cache entry', async () => {
    const session = new CachedDbSessionStore();
    await session.set('user', 3);
    await session.save();
    const key = session.sessionKey;
    await session.flush();
    assert.equal(await cached(key), undefined);
    assert.equal(await Session.objects.filter({ sessionKey: key }).exists(), false);
  });
});

/**
 * The database store ('db') on the test database: SQLite by default,
 * PostgreSQL with NUAGES_TEST_DB=postgres.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loads } from '../../../src/core/signing.ts';
import { DbSessionStore, Session } from '../../../src/contrib/sessions/index.ts';
import { assertNumQueries } from '../../../src/test/index.ts';
import { overrideSettings } from '../../../src/conf/index.ts';
import { runStoreSuite } from './store-suite.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

before(() => setUpSessions({ SESSION_ENGINE: 'db' }, { database: true }));
after(tearDownSessions);

runStoreSuite('db', {
  settings: { SESSION_ENGINE: 'db' },
  serverSide: true,
  async expire(session) {
    await Session.objects.filter({ sessionKey: session.sessionKey }).update({ expireDate: new Date(Date.now() - 1000) });
    return session.sessionKey!;
  },
  async tamper(session) {
    const row = await Session.objects.get({ sessionKey: session.sessionKey });
    // Flip one character of the payload: the signature no longer matches.
    const data = row.sessionData;
    await Session.objects.filter({ sessionKey: session.sessionKey }).update({ sessionData: (data[0] === 'e' ? 'f' : 'e') + data.slice(1) });
    return session.sessionKey!;
  },
});

describe('db: rows', () => {
  test("a row holds Django's encoding and the expiry date, in django_session", async () => {
    const session = new DbSessionStore();
    await session.set('user', 42);
    await session.setExpiry(600);
    const before = Date.now();
    await session.save();
    const row = await Session.objects.get({ sessionKey: session.sessionKey });
    assert.equal(Session._meta.dbTable, 'django_session');
    assert.match(row.sessionKey, /^[a-z0-9]{32}$/);
    assert.deepEqual(loads(row.sessionData, { salt: 'django.contrib.sessions.SessionStore' }), { user: 42, _session_expiry: 600 });
    const expires = row.expireDate.getTime();
    assert.ok(expires >= before + 599_000 && expires <= Date.now() + 600_000, row.expireDate.toISOString());
  });

  test('loading a session is one query, and a request that does not touch it is none', async () => {
    const saved = new DbSessionStore();
    await saved.set('a', 1);
    await saved.save();
    await assertNumQueries(0, async () => void new DbSessionStore(saved.sessionKey));
    await assertNumQueries(1, async () => {
      const session = new DbSessionStore(saved.sessionKey);
      await Promise.all([session.get('a'), session.get('b'), session.keys()]);
    });
  });

  test('a custom store class uses its own model through getModelClass()', async () => {
    class AuditedStore extends DbSessionStore {
      static override getModelClass() {
        return Session;
      }
    }
    const session = new AuditedStore();
    await session.set('x', 1);
    await session.save();
    // The salt follows the class name, as Django's key_salt follows __qualname__.
    assert.equal(session.keySalt, 'django.contrib.sessions.AuditedStore');
    assert.equal(await new AuditedStore(session.sessionKey).get('x'), 1);
    assert.equal(await new DbSessionStore(session.sessionKey).get('x'), undefined);
  });
});

describe('db: decoding the stored data', () => {
  test('data decoded twice from the same text are separate copies: changing one does not change the next', () => {
    const store = new DbSessionStore();
    const text = store.encode({ cart: { '3': 1 }, user: 42 });
    const first = store.decode(text) as { cart: Record<string, number> };
    first.cart['3'] = 99;
    assert.deepEqual(store.decode(text), { cart: { '3': 1 }, user: 42 });
  });

  test('a text decoded under one SECRET_KEY is refused under another, even right after', async () => {
    const store = new DbSessionStore();
    const text = store.encode({ user: 42 });
    assert.deepEqual(store.decode(text), { user: 42 });
    await overrideSettings({ SECRET_KEY: 'another-secret-key-for-this-test-only-0123456789' }, () => {
      assert.deepEqual(store.decode(text), {});
    });
  });
});

/**
 * The cases every session store must pass, run by each backend's test file: the
 * session API on the store itself, then the same store behind SessionMiddleware
 * through the test client (cookies kept between requests).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, type SettingsInput } from '../../../src/conf/index.ts';
import { callCommand } from '../../../src/core/management/index.ts';
import {
  SessionBase,
  SessionKeyError,
  SessionMiddleware,
  sessionEngine,
  UpdateError,
  type SessionStoreClass,
} from '../../../src/contrib/sessions/index.ts';
import { HttpResponse, JsonResponse, type HttpRequest } from '../../../src/http/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { captureLogs } from '../../../src/utils/log.ts';

/** What a backend's test file tells the suite about its store. */
export interface StoreSuiteOptions {
  /** The settings that select and configure the store (SESSION_ENGINE, …). */
  readonly settings: SettingsInput;
  /** False for signed cookies: nothing is kept on the server, so a key cannot be revoked. */
  readonly serverSide: boolean;
  /** Make the stored copy of a saved session expired; returns the key to load it by. */
  expire(session: SessionBase): Promise<string>;
  /** Corrupt the stored data of a saved session; returns the key to load it by. Absent when the store does not sign its data. */
  tamper?(session: SessionBase): Promise<string>;
}

const SECURITY_LOG = 'nuages.security.SuspiciousSession';

/** A store whose load() calls are counted. */
function counted(Store: SessionStoreClass, key: string | null): { store: SessionBase; loads: () => number } {
  const store = new Store(key);
  let count = 0;
  const load = store.load.bind(store);
  store.load = async () => {
    count++;
    return load();
  };
  return { store, loads: () => count };
}

/** A promise with its resolver outside, to hold a view until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export function runStoreSuite(label: string, options: StoreSuiteOptions): void {
  const withStore = <T>(fn: (Store: SessionStoreClass) => Promise<T>): Promise<T> =>
    overrideSettings(options.settings, () => fn(sessionEngine()));

  async function saved(Store: SessionStoreClass, data: Record<string, unknown>): Promise<SessionBase> {
    const session = new Store();
    await session.update(data);
    await session.save();
    return session;
  }

  describe(`${label}: the session API`, () => {
    test('a new session has no key until saved, and saved data loads in another store by key', () =>
      withStore(async (Store) => {
        const session = new Store();
        assert.equal(session.sessionKey, null);
        assert.equal(await session.isEmpty(), true);
        const data = { name: 'Zoë ☃ 😀', cart: [3, 5], nested: { ok: true, none: null }, ratio: 0.25 };
        await session.update(data);
        await session.save();
        assert.equal(typeof session.sessionKey, 'string');
        const again = new Store(session.sessionKey);
        assert.deepEqual(Object.fromEntries(await again.items()), data);
        assert.equal(await again.isEmpty(), false);
      }));

    test('nothing is loaded until the data is used, then it is loaded once for all reads', () =>
      withStore(async (Store) => {
        const key = (await saved(Store, { a: 1, b: 2 })).sessionKey;
        const untouched = counted(Store, key);
        assert.equal(untouched.store.sessionKey, key);
        assert.equal(untouched.loads(), 0);
        assert.equal(untouched.store.accessed, false);
        const used = counted(Store, key);
        const [a, b, hasC] = await Promise.all([used.store.get('a'), used.store.get('b'), used.store.has('c')]);
        assert.deepEqual([a, b, hasC], [1, 2, false]);
        await used.store.keys();
        assert.equal(used.loads(), 1);
        assert.equal(used.store.accessed, true);
        assert.equal(used.store.modified, false);
      }));

    test('get, set, has, delete, pop, setDefault, update, keys, values, items and clear', () =>
      withStore(async (Store) => {
        const session = new Store();
        assert.equal(await session.get('missing'), undefined);
        assert.equal(await session.get('missing', 'fallback'), 'fallback');
        assert.equal(session.modified, false);
        await session.set('a', 1);
        assert.equal(session.modified, true);
        await session.set('nothing', null);
        assert.equal(await session.get('nothing', 'fallback'), null, 'a stored null is a value, not a miss');
        assert.equal(await session.setDefault('a', 99), 1);
        assert.equal(await session.setDefault('b', 2), 2);
        await session.update({ c: [3] });
        assert.deepEqual(await session.keys(), ['a', 'nothing', 'b', 'c']);
        await session.set('__proto__', { polluted: true });
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
        assert.deepEqual(await session.get('__proto__'), { polluted: true });
        assert.deepEqual(await session.values(), [1, null, 2, [3], { polluted: true }]);
        assert.equal(await session.pop('b'), 2);
        assert.equal(await session.pop('b', 'gone'), 'gone');
        await assert.rejects(session.pop('b'), SessionKeyError);
        await session.delete('c');
        await assert.rejects(session.delete('c'), { code: 'NUAGES_SESSION_KEY_ERROR' });
        assert.equal(await session.has('a'), true);
        assert.deepEqual(await session.items(), [['a', 1], ['nothing', null], ['__proto__', { polluted: true }]]);
        await session.clear();
        assert.deepEqual(await session.keys(), []);
        assert.equal(await session.isEmpty(), true);
      }));

    test('pop() of a missing key with a default does not mark the session modified', () =>
      withStore(async (Store) => {
        const session = new Store((await saved(Store, { a: 1 })).sessionKey);
        assert.equal(await session.pop('zzz', null), null);
        assert.equal(session.modified, false);
      }));

    test('the test cookie helpers', () =>
      withStore(async (Store) => {
        const session = new Store();
        assert.equal(await session.testCookieWorked(), false);
        await session.setTestCookie();
        assert.equal(await session.testCookieWorked(), true);
        await session.deleteTestCookie();
        assert.equal(await session.testCookieWorked(), false);
      }));

    test('cycleKey() keeps the data under a new key', () =>
      withStore(async (Store) => {
        const first = await saved(Store, { user: 7 });
        const oldKey = first.sessionKey;
        const session = new Store(oldKey);
        await session.cycleKey();
        await session.save();
        assert.equal(await new Store(session.sessionKey).get('user'), 7);
        // A signed cookie's key is its data, signed again (the same within one second).
        if (options.serverSide) {
          assert.notEqual(session.sessionKey, oldKey);
          assert.equal(await new Store(oldKey).get('user'), undefined, 'the old key no longer holds the data');
          assert.equal(await session.exists(oldKey!), false);
        }
      }));

    test('flush() deletes the data and the key', () =>
      withStore(async (Store) => {
        const key = (await saved(Store, { user: 7 })).sessionKey!;
        const session = new Store(key);
        await session.flush();
        assert.equal(session.sessionKey, null);
        assert.equal(await session.isEmpty(), true);
        if (options.serverSide) {
          assert.equal(await session.exists(key), false);
          assert.equal(await new Store(key).get('user'), undefined);
        }
      }));

    test('an unknown key gives an empty session that is saved under a new key', () =>
      withStore(async (Store) => {
        const session = new Store('abcdefghijklmnopqrstuvwxyz012345');
        assert.deepEqual(await session.items(), []);
        await session.set('x', 1);
        await session.save();
        assert.notEqual(session.sessionKey, 'abcdefghijklmnopqrstuvwxyz012345');
        assert.equal(await new Store(session.sessionKey).get('x'), 1);
      }));

    test('an expired session loads empty', () =>
      withStore(async (Store) => {
        const key = await options.expire(await saved(Store, { user: 7 }));
        assert.deepEqual(await new Store(key).items(), []);
      }));

    if (options.tamper) {
      const tamper = options.tamper;
      test('tampered data gives an empty session, logged as suspicious', () =>
        withStore(async (Store) => {
          const key = await tamper(await saved(Store, { isAdmin: false }));
          const { result, records } = await captureLogs(SECURITY_LOG, () => new Store(key).items());
          assert.deepEqual(result, []);
          assert.ok(records.some((r) => r.level === 'warning'), JSON.stringify(records));
        }));
    }

    test('expiry: seconds, a moment, at browser close, or the default', () =>
      withStore(async (Store) => {
        const session = new Store();
        const now = new Date();
        assert.equal(await session.getExpiryAge(), 1_209_600);
        assert.equal(await session.getExpireAtBrowserClose(), false);
        await session.setExpiry(300);
        assert.equal(await session.getExpiryAge(), 300);
        assert.equal((await session.getExpiryDate({ modification: now })).getTime(), now.getTime() + 300_000);
        const at = new Date(now.getTime() + 3_600_500);
        await session.setExpiry(at);
        assert.equal(await session.getExpiryAge({ modification: now }), 3600, 'whole seconds, rounded down');
        assert.equal((await session.getExpiryDate()).getTime(), at.getTime());
        await session.setExpiry(0);
        assert.equal(await session.getExpireAtBrowserClose(), true);
        assert.equal(await session.getExpiryAge(), 1_209_600);
        await session.setExpiry(null);
        assert.equal(await session.has('_session_expiry'), false);
        await overrideSettings({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true, SESSION_COOKIE_AGE: 60 }, async () => {
          assert.equal(await session.getExpireAtBrowserClose(), true);
          assert.equal(await session.getExpiryAge(), 60);
        });
        // A moment survives the store as Django writes it: isoformat, UTC.
        await session.setExpiry(new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 250)));
        assert.equal(await session.get('_session_expiry'), '2031-01-02T03:04:05.250000+00:00');
        await session.save();
        assert.equal((await new Store(session.sessionKey).getExpiryDate()).toISOString(), '2031-01-02T03:04:05.250Z');
      }));

    if (options.serverSide) {
      test('saving a session deleted meanwhile raises UpdateError', () =>
        withStore(async (Store) => {
          const key = (await saved(Store, { a: 1 })).sessionKey!;
          const session = new Store(key);
          await session.set('a', 2);
          await new Store().deleteSession(key);
          await assert.rejects(session.save(), UpdateError);
        }));

      test('clearExpired() and clearsessions remove expired sessions and keep live ones', () =>
        withStore(async (Store) => {
          const live = await saved(Store, { live: true });
          const dead = await saved(Store, { dead: true });
          await options.expire(dead);
          await callCommand('clearsessions');
          assert.equal(await new Store().exists(live.sessionKey!), true);
          assert.equal(await new Store(live.sessionKey).get('live'), true);
          assert.equal(await new Store().exists(dead.sessionKey!), false);
        }));
    }
  });

  describe(`${label}: through SessionMiddleware and the test client`, () => {
    const urlpatterns = (gates: Map<string, { loaded: () => void; release: Promise<void> }>) => [
      path('set/<str:key>/<str:value>/', async (request: HttpRequest, { key, value }) => {
        await request.session.set(String(key), String(value));
        return new JsonResponse(Object.fromEntries(await request.session.items()));
      }),
      path('get/', async (request: HttpRequest) => new JsonResponse(Object.fromEntries(await request.session.items()))),
      path('noop/', async () => new HttpResponse('no session here')),
      path('flush/', async (request: HttpRequest) => {
        await request.session.flush();
        return new HttpResponse('flushed');
      }),
      path('cycle/', async (request: HttpRequest) => {
        await request.session.cycleKey();
        return new HttpResponse('cycled');
      }),
      path('hold/<str:key>/', async (request: HttpRequest, { key }) => {
        const held = gates.get(String(key))!;
        await request.session.keys();
        held.loaded();
        await held.release;
        await request.session.set(String(key), 'written');
        return new HttpResponse('held');
      }),
    ];

    const clientFor = (gates = new Map<string, { loaded: () => void; release: Promise<void> }>()) =>
      new Client({ middleware: [SessionMiddleware], urlconf: urlpatterns(gates) });

    test('a value set by one request is read by the next, through the cookie', () =>
      withStore(async () => {
        const client = clientFor();
        const first = await client.get('/set/color/blue/');
        assert.deepEqual(first.json(), { color: 'blue' });
        assert.ok(client.cookies.has('sessionid'));
        assert.match(first.headers.get('Vary') ?? '', /Cookie/);
        await client.get('/set/size/L/');
        assert.deepEqual((await client.get('/get/')).json(), { color: 'blue', size: 'L' });
        assert.equal(await (await client.session()).get('size'), 'L');
      }));

    test('a request that does not touch the session loads nothing and sends no cookie nor Vary', () =>
      withStore(async () => {
        const client = clientFor();
        await client.get('/set/a/1/');
        const response = await client.get('/noop/');
        assert.deepEqual(response.cookieHeaders(), []);
        assert.equal(response.headers.get('Vary'), undefined);
        assert.equal(response.request.session.accessed, false);
      }));

    test('reading without writing sends no Set-Cookie but varies on Cookie', () =>
      withStore(async () => {
        const client = clientFor();
        await client.get('/set/a/1/');
        const response = await client.get('/get/');
        assert.deepEqual(response.cookieHeaders(), []);
        assert.match(response.headers.get('Vary') ?? '', /Cookie/);
      }));

    test('flush() deletes the cookie, and the old cookie no longer opens the session', () =>
      withStore(async () => {
        const client = clientFor();
        await client.get('/set/user/ada/');
        const before = client.cookies.get('sessionid')!;
        const response = await client.get('/flush/');
        assert.match(response.cookieHeaders().join('\n'), /sessionid=(?:"")?;.*Max-Age=0.*Expires=Thu, 01 Jan 1970/i);
        assert.equal(client.cookies.has('sessionid'), false);
        if (options.serverSide) {
          client.cookies.set('sessionid', before);
          assert.deepEqual((await client.get('/get/')).json(), {});
        }
      }));

    test('cycleKey() (as login does) sends a new key with the same data', () =>
      withStore(async () => {
        const client = clientFor();
        await client.get('/set/cart/3/');
        const before = client.cookies.get('sessionid');
        const cycled = await client.get('/cycle/');
        assert.match(cycled.cookieHeaders().join('\n'), /^sessionid=/);
        if (options.serverSide) assert.notEqual(client.cookies.get('sessionid'), before);
        assert.deepEqual((await client.get('/get/')).json(), { cart: '3' });
      }));

    test('a forged or unknown cookie gives a fresh empty session, never an error', () =>
      withStore(async () => {
        const forgeries = ['abcdefghijklmnopqrstuvwxyz012345', '../../../../etc/passwd', 'x'.repeat(3000), 'eyJ1c2VyIjoxfQ:1r31eq:forgedsignature', 'abcdefgh%00ijkl', 'abc%C3%A9defghij', 'short'];
        for (const forged of forgeries) {
          const client = clientFor();
          client.cookies.set('sessionid', forged);
          const { result: response } = await captureLogs(SECURITY_LOG, () => client.get('/set/fresh/yes/'));
          assert.equal(response.status, 200);
          assert.deepEqual(response.json(), { fresh: 'yes' });
          assert.notEqual(client.cookies.get('sessionid'), forged);
        }
      }));

    test('two overlapping requests writing different keys: the last to save wins (Django semantics)', () =>
      withStore(async () => {
        const gates = new Map<string, { loaded: () => void; release: Promise<void> }>();
        const client = clientFor(gates);
        await client.get('/set/start/1/');
        const held = ['first', 'second'].map((key) => {
          const loaded = gate();
          const release = gate();
          gates.set(key, { loaded: loaded.open, release: release.promise });
          return { loaded: loaded.promise, release: release.open };
        });
        // Both requests load the session before either saves.
        const first = client.get('/hold/first/');
        const second = client.get('/hold/second/');
        await Promise.all(held.map((h) => h.loaded));
        held[0]!.release();
        await first;
        held[1]!.release();
        await second;
        const data = (await client.get('/get/')).json() as Record<string, unknown>;
        assert.deepEqual(data, { start: '1', second: 'written' }, "the first request's write was overwritten");
      }));
  });
}

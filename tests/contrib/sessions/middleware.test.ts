/**
 * SessionMiddleware's side of the work: the cookie it sets or deletes, when it saves,
 * Vary, errors, SESSION_ENGINE and SESSION_SERIALIZER. On the local-memory cache store.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, type SettingsInput } from '../../../src/conf/index.ts';
import {
  CacheSessionStore,
  CachedDbSessionStore,
  DbSessionStore,
  FileSessionStore,
  SessionBase,
  SessionMiddleware,
  sessionEngine,
  SignedCookiesSessionStore,
  type SessionData,
} from '../../../src/contrib/sessions/index.ts';
import { callCommand } from '../../../src/core/management/index.ts';
import { HttpResponse, HttpResponseServerError, JsonResponse, type HttpRequest } from '../../../src/http/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { captureLogs } from '../../../src/utils/log.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

before(() => setUpSessions({ SESSION_ENGINE: 'cache' }));
after(tearDownSessions);

/** Counts loads, to show the middleware loads nothing the view does not use. */
class CountingStore extends CacheSessionStore {
  static loads = 0;
  override async load(): Promise<SessionData> {
    CountingStore.loads++;
    return super.load();
  }
}

let release: (() => void) | undefined;
const urlpatterns = [
  path('set/', async (request: HttpRequest) => {
    await request.session.set('n', ((await request.session.get<number>('n')) ?? 0) + 1);
    return new JsonResponse({ n: await request.session.get('n') });
  }),
  path('read/', async (request: HttpRequest) => new JsonResponse({ n: (await request.session.get('n')) ?? null })),
  path('read-twice/', async (request: HttpRequest) => {
    await request.session.get('n');
    await request.session.has('m');
    return new HttpResponse('read');
  }),
  path('noop/', async () => new HttpResponse('untouched')),
  path('expiry/<int:seconds>/', async (request: HttpRequest, { seconds }) => {
    await request.session.setExpiry(Number(seconds));
    return new HttpResponse('expiry set');
  }),
  path('fail/', async (request: HttpRequest) => {
    await request.session.set('lost', true);
    return new HttpResponseServerError('failed');
  }),
  path('throw/', async (request: HttpRequest) => {
    await request.session.set('lost', true);
    throw new Error('view failed');
  }),
  path('clear/', async (request: HttpRequest) => {
    await request.session.clear();
    return new HttpResponse('cleared');
  }),
  path('slow-write/', async (request: HttpRequest) => {
    await request.session.get('n');
    await new Promise<void>((resolve) => (release = resolve));
    await request.session.set('late', true);
    return new HttpResponse('written');
  }),
  path('flush/', async (request: HttpRequest) => {
    await request.session.flush();
    return new HttpResponse('flushed');
  }),
];

const client = (options: { raise?: boolean } = {}) =>
  new Client({ middleware: [SessionMiddleware], urlconf: urlpatterns, raiseRequestException: options.raise ?? true });

function setCookie(response: { cookieHeaders(): string[] }): string {
  const header = response.cookieHeaders().find((h) => h.startsWith('sessionid=') || /^\w+=/.test(h));
  assert.ok(header, 'a Set-Cookie header');
  return header;
}

describe('the session cookie', () => {
  test("Django's defaults: two weeks, path /, HttpOnly, SameSite=Lax, not Secure", async () => {
    const c = client();
    const response = await c.get('/set/');
    const header = setCookie(response);
    assert.match(header, /^sessionid=[a-z0-9]{32}; /);
    assert.match(header, /Max-Age=1209600/);
    assert.match(header, /Path=\//);
    assert.match(header, /Expires=/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(header)![1]!);
    assert.ok(Math.abs(expires - (Date.now() + 1_209_600_000)) < 5_000);
    assert.match(header, /HttpOnly/);
    assert.match(header, /SameSite=Lax/);
    assert.doesNotMatch(header, /Secure/);
  });

  test('every SESSION_COOKIE_* setting shapes the cookie', () =>
    overrideSettings(
      {
        SESSION_COOKIE_NAME: 'shop_session',
        SESSION_COOKIE_AGE: 3600,
        SESSION_COOKIE_DOMAIN: '.example.com',
        SESSION_COOKIE_PATH: '/shop/',
        SESSION_COOKIE_SECURE: true,
        SESSION_COOKIE_HTTPONLY: false,
        SESSION_COOKIE_SAMESITE: 'Strict',
      },
      async () => {
        const c = client();
        const header = setCookie(await c.get('/set/'));
        assert.match(header, /^shop_session=[a-z0-9]{32}; /);
        assert.match(header, /Max-Age=3600/);
        assert.match(header, /Domain=\.example\.com/i);
        assert.match(header, /Path=\/shop\//);
        assert.match(header, /Secure/);
        assert.doesNotMatch(header, /HttpOnly/);
        assert.match(header, /SameSite=Strict/);
        assert.deepEqual((await c.get('/read/')).json(), { n: 1 }, 'the next request is read under the new name');
      },
    ));

  test('SESSION_COOKIE_SAMESITE false leaves SameSite out', () =>
    overrideSettings({ SESSION_COOKIE_SAMESITE: false }, async () => {
      assert.doesNotMatch(setCookie(await client().get('/set/')), /SameSite/i);
    }));

  test('SESSION_EXPIRE_AT_BROWSER_CLOSE, or setExpiry(0), makes a browser-session cookie', async () => {
    await overrideSettings({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true }, async () => {
      const header = setCookie(await client().get('/set/'));
      assert.doesNotMatch(header, /Max-Age|Expires/i);
    });
    const c = client();
    const header = setCookie(await c.get('/expiry/0/'));
    assert.doesNotMatch(header, /Max-Age|Expires/i);
    assert.match(setCookie(await c.get('/expiry/300/')), /Max-Age=300/);
  });
});

describe('when the session is saved', () => {
  test('only when modified: reading sends no cookie, and SESSION_SAVE_EVERY_REQUEST refreshes it anyway', async () => {
    const c = client();
    await c.get('/set/');
    assert.deepEqual((await c.get('/read/')).cookieHeaders(), []);
    assert.deepEqual((await c.get('/noop/')).cookieHeaders(), []);
    await overrideSettings({ SESSION_SAVE_EVERY_REQUEST: true }, async () => {
      const header = setCookie(await c.get('/noop/'));
      assert.match(header, /^sessionid=[a-z0-9]{32}/);
      // An empty session is never saved, whatever the setting.
      assert.deepEqual((await client().get('/noop/')).cookieHeaders(), []);
    });
  });

  test('nothing is loaded when the view does not touch the session, and one load serves the whole view', () =>
    overrideSettings({ SESSION_ENGINE: CountingStore }, async () => {
      const c = client();
      await c.get('/set/');
      CountingStore.loads = 0;
      await c.get('/noop/');
      assert.equal(CountingStore.loads, 0);
      await c.get('/read-twice/');
      assert.equal(CountingStore.loads, 1);
    }));

  test('a 5xx response does not save the session, returned or thrown', async () => {
    const c = client({ raise: false });
    await c.get('/set/');
    for (const url of ['/fail/', '/throw/']) {
      const response = await c.get(url);
      assert.equal(response.status, 500);
      assert.deepEqual(response.cookieHeaders(), []);
    }
    const session = await c.session();
    assert.equal(await session.has('lost'), false);
    assert.equal(await session.get('n'), 1);
  });

  test('clear() keeps the key and saves the session empty; flush() drops both and deletes the cookie', async () => {
    const c = client();
    await c.get('/set/');
    const key = c.cookies.get('sessionid');
    const cleared = await c.get('/clear/');
    assert.match(setCookie(cleared), new RegExp(`^sessionid=${key}; `));
    assert.deepEqual((await c.get('/read/')).json(), { n: null });
    const flushed = await c.get('/flush/');
    assert.match(setCookie(flushed), /^sessionid=; .*Max-Age=0/);
    assert.match(flushed.headers.get('Vary') ?? '', /Cookie/);
    assert.equal(c.cookies.has('sessionid'), false);
  });

  test('a session deleted by a concurrent request (logout in another tab) answers 400 SessionInterrupted', async () => {
    const c = client({ raise: false });
    await c.get('/set/');
    const slow = c.get('/slow-write/');
    while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
    await c.get('/flush/');
    release();
    release = undefined;
    const response = await slow;
    assert.equal(response.status, 400);
  });
});

describe('suspicious cookies', () => {
  test('an unknown key is logged as suspicious (info) and gives a fresh session', async () => {
    const c = client();
    c.cookies.set('sessionid', 'abcdefghijklmnopqrstuvwxyz012345');
    const { result, records } = await captureLogs('nuages.security.SuspiciousSession', () => c.get('/read/'));
    assert.deepEqual(result.json(), { n: null });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.level, 'info');
    assert.doesNotMatch(JSON.stringify(records), /abcdefghijklmnopqrstuvwxyz012345/, 'the key itself is never logged');
  });

  test('a tampered signed cookie is logged as a warning and gives a fresh session', () =>
    overrideSettings({ SESSION_ENGINE: 'signed-cookies' }, async () => {
      const c = client();
      await c.get('/set/');
      const cookie = c.cookies.get('sessionid')!;
      c.cookies.set('sessionid', `${cookie.slice(0, -2)}xx`);
      const { result, records } = await captureLogs('nuages.security.SuspiciousSession', () => c.get('/read/'));
      assert.equal(result.status, 200);
      assert.deepEqual(result.json(), { n: null });
      assert.equal(records[0]?.level, 'warning');
    }));
});

describe('SESSION_ENGINE and SESSION_SERIALIZER', () => {
  test("Django's dotted names, Nuages's names and module paths, and a store class", () => {
    const names: Array<[string, unknown]> = [
      ['django.contrib.sessions.backends.db', DbSessionStore],
      ['django.contrib.sessions.backends.cache', CacheSessionStore],
      ['django.contrib.sessions.backends.cached_db', CachedDbSessionStore],
      ['django.contrib.sessions.backends.file', FileSessionStore],
      ['django.contrib.sessions.backends.signed_cookies', SignedCookiesSessionStore],
      ['db', DbSessionStore],
      ['cached-db', CachedDbSessionStore],
      ['signed-cookies', SignedCookiesSessionStore],
      ['nuages/contrib/sessions/backends/file', FileSessionStore],
    ];
    for (const [name, store] of names) assert.equal(sessionEngine(name), store, name);
    assert.equal(sessionEngine(CountingStore), CountingStore);
  });

  test('an unknown engine is refused when the middleware is built, naming the choices', async () => {
    for (const engine of ['django.contrib.sessions.backends.redis', 'memory', class NotAStore {}] as const) {
      await overrideSettings({ SESSION_ENGINE: engine } as SettingsInput, async () => {
        assert.throws(() => new SessionMiddleware(async () => new HttpResponse()), {
          code: 'NUAGES_INVALID_SETTING',
          message: /is not a session engine\. Use one of 'db', 'cache', 'cached-db', 'file', 'signed-cookies'/,
        });
      });
    }
  });

  test('any serializer but JSON is refused with ImproperlyConfigured', () =>
    overrideSettings({ SESSION_SERIALIZER: 'django.contrib.sessions.serializers.PickleSerializer' }, async () => {
      assert.throws(() => new CacheSessionStore(), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'NUAGES_INVALID_SETTING');
        assert.equal(error.name, 'InvalidSettingError');
        assert.match(error.message, /JSON only/);
        return true;
      });
    }));

  test('clearsessions refuses a store without clearExpired(), naming it', async () => {
    class NoCleanupStore extends SessionBase {
      async load(): Promise<SessionData> {
        return {};
      }
      async exists(): Promise<boolean> {
        return false;
      }
      async create(): Promise<void> {}
      async save(): Promise<void> {}
      async deleteSession(): Promise<void> {}
    }
    await overrideSettings({ SESSION_ENGINE: NoCleanupStore }, () =>
      assert.rejects(callCommand('clearsessions'), { code: 'NUAGES_COMMAND_ERROR', message: /NoCleanupStore doesn't support clearing expired sessions/ }),
    );
  });

  test("the middleware is found by MIDDLEWARE's 'module#export' name", async () => {
    const c = new Client({ middleware: ['nuages/contrib/sessions#SessionMiddleware'], urlconf: urlpatterns });
    await c.get('/set/');
    assert.deepEqual((await c.get('/set/')).json(), { n: 2 });
  });
});

describe('the test client and request typing', () => {
  test('client.session() creates a saved session with its cookie, and views see changes to it', async () => {
    const c = client();
    const session = await c.session();
    assert.ok(c.cookies.get('sessionid'));
    await session.set('n', 41);
    await session.save();
    assert.deepEqual((await c.get('/set/')).json(), { n: 42 });
    assert.equal(await (await c.session()).get('n'), 42);
  });

  test('request.session is a SessionBase to the type checker', () => {
    const check = (request: HttpRequest): SessionBase => {
      // @ts-expect-error: sessions are async; there is no synchronous getter.
      request.session.getItem('x');
      return request.session;
    };
    assert.equal(typeof check, 'function');
  });
});

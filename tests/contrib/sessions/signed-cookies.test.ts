/** The signed-cookie store ('signed-cookies'): the cookie carries the signed data. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { dumps, loads } from '../../../src/core/signing.ts';
import { SessionMiddleware, SignedCookiesSessionStore } from '../../../src/contrib/sessions/index.ts';
import { JsonResponse, type HttpRequest } from '../../../src/http/index.ts';
import { Client } from '../../../src/test/index.ts';
import { path } from '../../../src/urls/index.ts';
import { runStoreSuite } from './store-suite.ts';
import { setUpSessions, tearDownSessions } from './setup.ts';

const SALT = 'django.contrib.sessions.backends.signed_cookies';

before(() => setUpSessions({ SESSION_ENGINE: 'signed-cookies' }));
after(tearDownSessions);

runStoreSuite('signed-cookies', {
  settings: { SESSION_ENGINE: 'signed-cookies' },
  serverSide: false,
  async expire(session) {
    // The same data signed three weeks ago: past SESSION_COOKIE_AGE.
    const data = Object.fromEntries(await session.items());
    const realNow = Date.now;
    Date.now = () => realNow() - 21 * 86_400_000;
    try {
      return dumps(data, { salt: SALT, compress: true });
    } finally {
      Date.now = realNow;
    }
  },
  async tamper(session) {
    const key = session.sessionKey!;
    return (key[0] === 'e' ? 'f' : 'e') + key.slice(1);
  },
});

describe('signed-cookies: the cookie', () => {
  test("the cookie is Django's signing.dumps of the data, with Django's salt", async () => {
    const session = new SignedCookiesSessionStore();
    await session.set('user', 42);
    await session.save();
    assert.deepEqual(loads(session.sessionKey!, { salt: SALT }), { user: 42 });
    assert.equal(await session.exists(), false);
  });

  test('the client can read the data but not change it', async () => {
    const client = new Client({
      middleware: [SessionMiddleware],
      urlconf: [
        path('set/', async (request: HttpRequest) => {
          await request.session.set('isAdmin', false);
          return new JsonResponse({});
        }),
        path('get/', async (request: HttpRequest) => new JsonResponse({ isAdmin: await request.session.get('isAdmin') ?? null })),
      ],
    });
    await client.get('/set/');
    const cookie = client.cookies.get('sessionid')!;
    const [payload, ...rest] = cookie.split(':');
    assert.deepEqual(JSON.parse(Buffer.from(payload!, 'base64url').toString()), { isAdmin: false });
    client.cookies.set('sessionid', [Buffer.from('{"isAdmin":true}').toString('base64url'), ...rest].join(':'));
    assert.deepEqual((await client.get('/get/')).json(), { isAdmin: null });
  });
});

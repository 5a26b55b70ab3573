// CsrfViewMiddleware: every request of Django 5.2's oracle (tests/middleware/django/csrf.json)
// replayed for the same verdict and reason, the cookie it sets, and attacks through the test
// client — a cross-origin POST, Sec-Fetch-Site: cross-site, a missing token, a token of another
// browser or session, the old unmasked token, HTTPS Referer checks, trusted origins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings, resetSettings, type SettingsInput } from '../../src/conf/index.ts';
import { caches } from '../../src/cache/index.ts';
import { SessionMiddleware } from '../../src/contrib/sessions/index.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpRequest, HttpResponse, HttpResponseForbidden } from '../../src/http/index.ts';
import { CommonMiddleware, CsrfSessionMissingError, CsrfViewMiddleware, REASON_CROSS_SITE, getToken, rotateToken } from '../../src/middleware/index.ts';
import { CSRF_SESSION_KEY, unmaskCipherToken } from '../../src/middleware/csrf-token.ts';
import { render } from '../../src/shortcuts.ts';
import { LocmemLoader } from '../../src/template/index.ts';
import { Client, type TestResponse } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { captureLogs, setLogSink, type LogSink } from '../../src/utils/log.ts';

interface CaseRequest {
  method: string;
  secure?: boolean;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  post?: Record<string, string>;
  session?: Record<string, string>;
  meta?: Record<string, string>;
}
type Verdict = { accepted: boolean; reason: string | null } | { error: string };
interface Case {
  name: string;
  settings?: SettingsInput;
  request: CaseRequest;
  expected: Verdict;
}
interface CookieCase {
  settings: SettingsInput;
  name: string;
  valueLength: number;
  maxAge: number | '';
  expiresSet: boolean;
  path: string;
  domain: string;
  secure: boolean;
  httponly: boolean;
  samesite: string;
  vary: string;
}
interface Oracle {
  allowedHosts: string[];
  secret: string;
  masks: { token: string; secret: string }[];
  cases: Case[];
  cookies: CookieCase[];
}

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'csrf.json'), 'utf8')) as Oracle;

/** The failure view of these tests: the reason as the body, so each test reads it. */
const reasonView = (_request: HttpRequest, { reason }: { reason: string }) => new HttpResponseForbidden(reason);

let previousLogger: RequestLogger;
let previousSink: LogSink;
before(() => {
  configure({
    SECRET_KEY: 'csrf-middleware-tests',
    DEBUG: true,
    ALLOWED_HOSTS: ['testserver', 'shop.example', '.example.com'],
    CACHES: { default: { BACKEND: 'locmem', LOCATION: 'csrf-tests' } },
    SESSION_ENGINE: 'cache',
    CSRF_FAILURE_VIEW: reasonView,
    TEMPLATES: [
      {
        BACKEND: 'nuages/template',
        OPTIONS: {
          loaders: [
            new LocmemLoader({
              'form.html': '<form method="post">{% csrf_token %}<button>Send</button></form>',
              'plain.html': 'nothing secret here',
            }),
          ],
        },
      },
    ],
  });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  // Refusals are logged as warnings; these tests cause many on purpose.
  previousSink = setLogSink(() => {});
});
after(async () => {
  setRequestLogger(previousLogger);
  setLogSink(previousSink);
  await caches.closeAll();
  resetSettings();
});

// ---------------------------------------------------------------- Django's verdicts

function buildRequest(spec: CaseRequest): HttpRequest {
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.cookies) headers['Cookie'] = Object.entries(spec.cookies).map(([name, value]) => `${name}=${value}`).join('; ');
  let body: string | undefined;
  if (spec.method === 'POST') {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(spec.post ?? {}).toString();
  }
  return HttpRequest.create({ method: spec.method, path: '/', headers, body, scheme: spec.secure ? 'https' : 'http', meta: spec.meta });
}

/** A session with just what the middleware uses. */
function memorySession(data: Record<string, unknown>) {
  const values = new Map(Object.entries(data));
  return {
    values,
    async get(key: string) {
      return values.get(key);
    },
    async set(key: string, value: unknown) {
      values.set(key, value);
    },
  };
}

async function verdictOf(spec: CaseRequest, settings: SettingsInput = {}): Promise<Verdict> {
  const request = buildRequest(spec);
  await request.readBody();
  if (spec.session) request.session = memorySession(spec.session) as never;
  let reason: string | null = null;
  const recordingView = (_request: HttpRequest, params: { reason: string }) => {
    reason = params.reason;
    return new HttpResponseForbidden(params.reason);
  };
  return overrideSettings({ ALLOWED_HOSTS: oracle.allowedHosts, ...settings, CSRF_FAILURE_VIEW: recordingView }, async () => {
    const middleware = new CsrfViewMiddleware(async () => new HttpResponse());
    try {
      await middleware.processRequest(request);
      const refused = await middleware.processView(request, () => new HttpResponse(), {});
      assert.equal(refused === undefined, reason === null, 'a response comes back exactly when the request is refused');
    } catch (error) {
      if (error instanceof ImproperlyConfigured) return { error: 'ImproperlyConfigured' };
      throw error;
    }
    return { accepted: reason === null, reason };
  });
}

describe('the verdicts and reasons of Django 5.2', () => {
  for (const c of oracle.cases) {
    test(c.name, async () => {
      assert.deepEqual(await verdictOf(c.request, c.settings), c.expected);
    });
  }
});

test('CSRF_USE_SESSIONS without a session is a configuration error that names the fix', async () => {
  const request = buildRequest({ method: 'POST' });
  await request.readBody();
  await overrideSettings({ CSRF_USE_SESSIONS: true }, async () => {
    const middleware = new CsrfViewMiddleware(async () => new HttpResponse());
    await assert.rejects(async () => middleware.processRequest(request), (error: unknown) => {
      assert.ok(error instanceof CsrfSessionMissingError);
      assert.equal(error.code, 'NUAGES_CSRF_NO_SESSION');
      assert.match(error.message, /SessionMiddleware/);
      return true;
    });
  });
});

describe('the cookie, with the attributes Django sets', () => {
  for (const expected of oracle.cookies) {
    test(`settings ${JSON.stringify(expected.settings)}`, async () => {
      await overrideSettings(expected.settings, async () => {
        const request = HttpRequest.create();
        const middleware = new CsrfViewMiddleware(async () => new HttpResponse());
        await middleware.processRequest(request);
        await middleware.processView(request, () => new HttpResponse(), {});
        getToken(request);
        const response = await middleware.processResponse(request, new HttpResponse());
        const cookie = response.cookies.get(expected.name);
        assert.ok(cookie, `a ${expected.name} cookie is set`);
        assert.equal(cookie.value.length, expected.valueLength);
        assert.equal(cookie.maxAge ?? '', expected.maxAge);
        assert.equal(cookie.expires !== undefined, expected.expiresSet);
        assert.equal(cookie.path, expected.path);
        assert.equal(cookie.domain ?? '', expected.domain);
        assert.equal(cookie.secure ?? false, expected.secure);
        assert.equal(cookie.httpOnly ?? false, expected.httponly);
        assert.equal(cookie.sameSite || '', expected.samesite);
        assert.equal(response.headers.get('Vary'), expected.vary);
      });
    });
  }
});

// ---------------------------------------------------------------- through the test client

const TOKEN_INPUT = /<input type="hidden" name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})">/;

const urlpatterns = [
  path('form/', (request) => render(request, 'form.html')),
  path('plain/', (request) => render(request, 'plain.html')),
  path('submit/', async (request) => new HttpResponse(`saved ${request.POST.get('title') ?? ''}`)),
  path('api/', async (request) => new HttpResponse(`${request.method} done`)),
  path('rotate/', async (request) => {
    rotateToken(request);
    return new HttpResponse('rotated');
  }),
];

function browser(options: { sessions?: boolean; enforce?: boolean } = {}): Client {
  const middleware = options.sessions ? [SessionMiddleware, CommonMiddleware, CsrfViewMiddleware] : [CommonMiddleware, CsrfViewMiddleware];
  return new Client({ urlconf: urlpatterns, middleware, enforceCsrfChecks: options.enforce ?? true });
}

/** Loads the form page and returns the token in it. */
async function tokenFrom(client: Client): Promise<string> {
  const page = await client.get('/form/');
  assert.equal(page.status, 200);
  const match = TOKEN_INPUT.exec(page.text);
  assert.ok(match, `the page has a token input: ${page.text}`);
  return match[1]!;
}

function refusedWith(response: TestResponse, reason: string): void {
  assert.equal(response.status, 403);
  assert.equal(response.text, reason);
}

describe('a page with a form', () => {
  test('gets a masked token in the form, and the secret in a cookie that varies the page', async () => {
    const client = browser();
    const page = await client.get('/form/');
    const token = TOKEN_INPUT.exec(page.text)![1]!;
    const cookie = page.cookies.get('csrftoken')!;
    assert.match(cookie.value, /^[a-zA-Z0-9]{32}$/);
    assert.equal(unmaskCipherToken(token), cookie.value);
    assert.equal(page.headers.get('Vary'), 'Cookie');
  });

  test('a page that does not use the token sets no cookie and does not vary', async () => {
    const page = await browser().get('/plain/');
    assert.equal(page.cookies.size, 0);
    assert.equal(page.headers.get('Vary'), undefined);
  });

  test('posting the form back with the token is accepted', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    const saved = await client.post('/submit/', { csrfmiddlewaretoken: token, title: 'Dune' });
    assert.equal(saved.status, 200);
    assert.equal(saved.text, 'saved Dune');
  });

  test('the masked token differs on every response, and each one verifies', async () => {
    const client = browser();
    const tokens = [await tokenFrom(client), await tokenFrom(client), await tokenFrom(client)];
    assert.equal(new Set(tokens).size, 3);
    const secret = client.cookies.get('csrftoken')!;
    for (const token of tokens) {
      assert.equal(unmaskCipherToken(token), secret);
      assert.equal((await client.post('/submit/', { csrfmiddlewaretoken: token })).status, 200);
    }
  });

  test('the secret stays the same from page to page (the cookie is renewed, not replaced)', async () => {
    const client = browser();
    await tokenFrom(client);
    const first = client.cookies.get('csrftoken');
    const again = await client.get('/form/');
    assert.equal(again.cookies.get('csrftoken')!.value, first);
  });

  test('a broken cookie is replaced by a valid one on the next page', async () => {
    const client = browser();
    client.cookies.set('csrftoken', 'short');
    const page = await client.get('/plain/');
    assert.match(page.cookies.get('csrftoken')!.value, /^[a-zA-Z0-9]{32}$/);
  });
});

describe('attacks', () => {
  test('a POST without a token is refused', async () => {
    const client = browser();
    await tokenFrom(client);
    refusedWith(await client.post('/submit/', { title: 'forged' }), 'CSRF token missing.');
  });

  test('a POST from a browser that never loaded a page (no cookie) is refused', async () => {
    const attacker = browser();
    const token = await tokenFrom(attacker);
    refusedWith(await browser().post('/submit/', { csrfmiddlewaretoken: token }), 'CSRF cookie not set.');
  });

  test('a token taken from another browser does not match this browser’s cookie', async () => {
    const attacker = browser();
    const victim = browser();
    const stolen = await tokenFrom(attacker);
    await tokenFrom(victim);
    refusedWith(await victim.post('/submit/', { csrfmiddlewaretoken: stolen }), 'CSRF token from POST incorrect.');
  });

  test('an unmasked old token (the secret itself) is still accepted, as in Django', async () => {
    const client = browser();
    await tokenFrom(client);
    const secret = client.cookies.get('csrftoken')!;
    assert.equal((await client.post('/submit/', { csrfmiddlewaretoken: secret })).status, 200);
  });

  test('a cross-origin POST is refused by its Origin, even with a valid token', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    const forged = await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: { Origin: 'https://evil.example' } });
    refusedWith(forged, 'Origin checking failed - https://evil.example does not match any trusted origins.');
    const own = await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: { Origin: 'http://testserver' } });
    assert.equal(own.status, 200);
  });

  test('Sec-Fetch-Site: cross-site on an unsafe method is refused before any other check', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const response = await client[method]('/api/', method === 'post' ? { csrfmiddlewaretoken: token } : undefined, {
        headers: { 'Sec-Fetch-Site': 'cross-site', 'X-CSRFToken': token },
      });
      refusedWith(response, REASON_CROSS_SITE);
    }
    // Without cookie or token either: the early refusal does not depend on them.
    refusedWith(await browser().post('/api/', {}, { headers: { 'Sec-Fetch-Site': 'cross-site' } }), REASON_CROSS_SITE);
  });

  test('Sec-Fetch-Site: cross-site does not block safe methods', async () => {
    const page = await browser().get('/form/', undefined, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(page.status, 200);
  });

  test('same-origin, same-site and none go on to the Origin and token checks', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    for (const site of ['same-origin', 'same-site', 'none', 'Same-Origin']) {
      const ok = await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: { 'Sec-Fetch-Site': site, Origin: 'http://testserver' } });
      assert.equal(ok.status, 200, site);
      refusedWith(await client.post('/submit/', {}, { headers: { 'Sec-Fetch-Site': site } }), 'CSRF token missing.');
    }
    const badOrigin = await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: { 'Sec-Fetch-Site': 'same-site', Origin: 'http://evil.example' } });
    refusedWith(badOrigin, 'Origin checking failed - http://evil.example does not match any trusted origins.');
  });

  test('a cross-site request from an origin in CSRF_TRUSTED_ORIGINS goes on to the token check', async () => {
    await overrideSettings({ CSRF_TRUSTED_ORIGINS: ['https://*.partner.example', 'https://app.other.example'] }, async () => {
      const client = browser();
      const token = await tokenFrom(client);
      for (const origin of ['https://pay.partner.example', 'https://app.other.example']) {
        const headers = { 'Sec-Fetch-Site': 'cross-site', Origin: origin };
        assert.equal((await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers })).status, 200, origin);
        refusedWith(await client.post('/submit/', {}, { headers }), 'CSRF token missing.');
      }
      const untrusted = { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://partner.example.evil.example' };
      refusedWith(await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: untrusted }), REASON_CROSS_SITE);
    });
  });

  test('trusted origins with a wildcard admit subdomains of that scheme only', async () => {
    await overrideSettings({ CSRF_TRUSTED_ORIGINS: ['https://*.example.com'] }, async () => {
      const client = browser();
      const token = await tokenFrom(client);
      const from = (origin: string) => client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: { Origin: origin } });
      assert.equal((await from('https://api.example.com')).status, 200);
      assert.equal((await from('https://example.com')).status, 200);
      refusedWith(await from('http://api.example.com'), 'Origin checking failed - http://api.example.com does not match any trusted origins.');
      refusedWith(await from('https://example.com.evil.example'), 'Origin checking failed - https://example.com.evil.example does not match any trusted origins.');
    });
  });

  test('over HTTPS without Origin, the Referer must be an https URL of this site', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    const post = (headers: Record<string, string>) => client.post('/submit/', { csrfmiddlewaretoken: token }, { secure: true, headers });
    refusedWith(await post({}), 'Referer checking failed - no Referer.');
    refusedWith(await post({ Referer: 'http://testserver/form/' }), 'Referer checking failed - Referer is insecure while host is secure.');
    refusedWith(await post({ Referer: 'https://evil.example/x' }), 'Referer checking failed - https://evil.example/x does not match any trusted origins.');
    refusedWith(await post({ Referer: 'not a url' }), 'Referer checking failed - Referer is malformed.');
    assert.equal((await post({ Referer: 'https://testserver/form/' })).status, 200);
    // Plain HTTP does not look at the Referer.
    assert.equal((await client.post('/submit/', { csrfmiddlewaretoken: token }, { headers: { Referer: 'https://evil.example/' } })).status, 200);
  });

  test('the header token (X-CSRFToken) protects scripts’ PUT, PATCH and DELETE', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    for (const method of ['put', 'patch', 'delete'] as const) {
      assert.equal((await client[method]('/api/', '{}', { contentType: 'application/json', headers: { 'X-CSRFToken': token } })).status, 200);
      refusedWith(await client[method]('/api/', '{}', { contentType: 'application/json' }), 'CSRF token missing.');
    }
    const other = await tokenFrom(browser());
    refusedWith(await client.put('/api/', '{}', { headers: { 'X-CSRFToken': other } }), "CSRF token from the 'X-Csrftoken' HTTP header incorrect.");
  });

  test('CSRF_HEADER_NAME names the header scripts use', async () => {
    await overrideSettings({ CSRF_HEADER_NAME: 'HTTP_X_XSRF_TOKEN' }, async () => {
      const client = browser();
      const token = await tokenFrom(client);
      assert.equal((await client.put('/api/', '', { headers: { 'X-XSRF-TOKEN': token } })).status, 200);
      refusedWith(await client.put('/api/', '', { headers: { 'X-CSRFToken': token } }), 'CSRF token missing.');
    });
  });

  test('a rotated secret is sent at once and makes the tokens of earlier pages fail', async () => {
    const client = browser();
    const old = await tokenFrom(client);
    const before = client.cookies.get('csrftoken');
    const rotated = await client.post('/rotate/', { csrfmiddlewaretoken: old });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.cookies.get('csrftoken')!.value, before);
    refusedWith(await client.post('/submit/', { csrfmiddlewaretoken: old }), 'CSRF token from POST incorrect.');
    assert.equal((await client.post('/submit/', { csrfmiddlewaretoken: await tokenFrom(client) })).status, 200);
  });
});

describe('CSRF_USE_SESSIONS', () => {
  test('keeps the secret in the session instead of a cookie, and checks tokens against it', async () => {
    await overrideSettings({ CSRF_USE_SESSIONS: true }, async () => {
      const client = browser({ sessions: true });
      const page = await client.get('/form/');
      const token = TOKEN_INPUT.exec(page.text)![1]!;
      assert.equal(page.cookies.has('csrftoken'), false);
      assert.ok(client.cookies.has('sessionid'));
      const session = await client.session();
      assert.equal(await session.get(CSRF_SESSION_KEY), unmaskCipherToken(token));
      assert.equal((await client.post('/submit/', { csrfmiddlewaretoken: token })).status, 200);
    });
  });

  test('a token of another session is refused, and a session without a secret is too', async () => {
    await overrideSettings({ CSRF_USE_SESSIONS: true }, async () => {
      const attacker = browser({ sessions: true });
      const victim = browser({ sessions: true });
      const stolen = await tokenFrom(attacker);
      await tokenFrom(victim);
      refusedWith(await victim.post('/submit/', { csrfmiddlewaretoken: stolen }), 'CSRF token from POST incorrect.');
      refusedWith(await browser({ sessions: true }).post('/submit/', { csrfmiddlewaretoken: stolen }), 'CSRF cookie not set.');
    });
  });
});

describe('the test client', () => {
  test('skips the checks by default, as Django’s, while still handing out tokens', async () => {
    const client = browser({ enforce: false });
    assert.equal(client.enforceCsrfChecks, false);
    assert.equal((await client.post('/submit/', { title: 'no token' })).status, 200);
    assert.equal((await client.post('/submit/', {}, { headers: { Origin: 'https://evil.example' } })).status, 200);
    await tokenFrom(client);
    assert.ok(client.cookies.has('csrftoken'));
  });
});

describe('refusals are logged', () => {
  test('on nuages.security.csrf, with the reason and the path', async () => {
    const client = browser();
    const { records } = await captureLogs('nuages.security.csrf', () => client.post('/submit/', {}));
    assert.equal(records.length, 1);
    const [record] = records;
    assert.equal(record!.level, 'warning');
    assert.equal(record!.message, 'Forbidden (CSRF cookie not set.): /submit/');
    assert.equal(record!.details['reason'], 'CSRF cookie not set.');
    assert.equal(record!.details['status'], 403);
  });

  test('an accepted request logs nothing', async () => {
    const client = browser();
    const token = await tokenFrom(client);
    const { records } = await captureLogs('nuages.security.csrf', () => client.post('/submit/', { csrfmiddlewaretoken: token }));
    assert.deepEqual(records, []);
  });
});

test('a malformed CSRF_TRUSTED_ORIGINS entry is a configuration error naming it', async () => {
  const request = buildRequest({ method: 'POST', headers: { Origin: 'https://evil.example' } });
  await request.readBody();
  await overrideSettings({ CSRF_TRUSTED_ORIGINS: ['https://[::1'] }, async () => {
    const middleware = new CsrfViewMiddleware(async () => new HttpResponse());
    await middleware.processRequest(request);
    await assert.rejects(async () => middleware.processView(request, () => new HttpResponse(), {}), (error: unknown) => {
      assert.ok(error instanceof ImproperlyConfigured);
      assert.match(error.message, /CSRF_TRUSTED_ORIGINS entry 'https:\/\/\[::1' is not a valid origin/);
      return true;
    });
  });
});

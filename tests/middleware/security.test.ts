// SecurityMiddleware: every request of Django 5.2's oracle (django/security-headers.json)
// replayed for the same status, Location and headers; then attacks — plain HTTP to an
// HTTPS-only site, a forged X-Forwarded-Proto, a Host or path that would make the
// redirect leave the site, a header split through the path — and settings misuse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, defineSettings, overrideSettings, resetSettings, settings } from '../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpResponse, StreamingHttpResponse } from '../../src/http/index.ts';
import { SecurityMiddleware } from '../../src/middleware/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { baseSettings, clientWith, oracle, replay, urlpatterns } from './security-headers-cases.ts';

let previousLogger: RequestLogger;
before(() => {
  configure(baseSettings);
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

describe(`as Django ${oracle.django}`, () => {
  const cases = oracle.cases.filter((entry) => entry.middleware.includes('security'));
  test('the oracle covers the redirect and every header', () => {
    assert.ok(cases.length >= 40, `only ${cases.length} cases`);
    for (const name of ['Location', 'Strict-Transport-Security', 'X-Content-Type-Options', 'Referrer-Policy', 'Cross-Origin-Opener-Policy']) {
      assert.ok(cases.some((entry) => entry.expected.headers[name] !== null), `no case sends ${name}`);
    }
  });
  for (const entry of cases) {
    test(entry.name, async () => {
      assert.deepEqual(await replay(entry), entry.expected);
    });
  }
});

describe('defaults', () => {
  test("the settings have Django's defaults", () => {
    assert.equal(settings.SECURE_SSL_REDIRECT, false);
    assert.equal(settings.SECURE_SSL_HOST, null);
    assert.deepEqual(settings.SECURE_REDIRECT_EXEMPT, []);
    assert.equal(settings.SECURE_HSTS_SECONDS, 0);
    assert.equal(settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, false);
    assert.equal(settings.SECURE_HSTS_PRELOAD, false);
    assert.equal(settings.SECURE_CONTENT_TYPE_NOSNIFF, true);
    assert.equal(settings.SECURE_REFERRER_POLICY, 'same-origin');
    assert.equal(settings.SECURE_CROSS_ORIGIN_OPENER_POLICY, 'same-origin');
  });

  test('a streaming response gets the headers too', async () => {
    const urls = [path('stream/', async () => new StreamingHttpResponse(['a', 'b']) as unknown as HttpResponse)];
    const response = await new Client({ urlconf: urls, middleware: [SecurityMiddleware] }).get('/stream/', undefined, { secure: true });
    assert.equal(response.headers.get('X-Content-Type-Options'), 'nosniff');
    assert.equal(response.headers.get('Referrer-Policy'), 'same-origin');
  });

  test('the middleware is named in MIDDLEWARE by module and export', async () => {
    const client = new Client({ urlconf: urlpatterns, middleware: ['nuages/middleware/security#SecurityMiddleware'] });
    await overrideSettings({ SECURE_SSL_REDIRECT: true }, async () => {
      const response = await client.get('/books/');
      assert.equal(response.status, 301);
      assert.equal(response.headers.get('Location'), 'https://testserver/books/');
    });
  });
});

describe('attacks', () => {
  const https = { SECURE_SSL_REDIRECT: true, SECURE_HSTS_SECONDS: 31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS: true };

  test('a plain-HTTP visit to an HTTPS-only site ends on HTTPS, path and query kept, with HSTS', async () => {
    await overrideSettings(https, async () => {
      const response = await clientWith(['security', 'clickjacking']).get('/books/?page=2&q=dune', undefined, { follow: true });
      assert.deepEqual(response.redirectChain, [['https://testserver/books/?page=2&q=dune', 301]]);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('Strict-Transport-Security'), 'max-age=31536000; includeSubDomains');
      assert.equal(response.headers.get('X-Frame-Options'), 'DENY');
    });
  });

  test('the view never runs for a plain-HTTP request, whatever its method', async () => {
    let calls = 0;
    const urls = [path('pay/', async () => { calls += 1; return new HttpResponse('paid'); })];
    await overrideSettings(https, async () => {
      const client = new Client({ urlconf: urls, middleware: [SecurityMiddleware] });
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        const response = await client.request(method, '/pay/', undefined, {});
        assert.equal(response.status, 301, method);
      }
    });
    assert.equal(calls, 0);
  });

  test('HSTS is never sent over plain HTTP, even on an exempt path', async () => {
    await overrideSettings({ ...https, SECURE_REDIRECT_EXEMPT: ['^health/$'], SECURE_HSTS_PRELOAD: true }, async () => {
      const response = await clientWith(['security']).get('/health/');
      assert.equal(response.status, 200);
      assert.equal(response.headers.has('Strict-Transport-Security'), false);
    });
  });

  test('an exempt path is served over HTTP; a path that only contains it elsewhere is not', async () => {
    await overrideSettings({ ...https, SECURE_REDIRECT_EXEMPT: ['^health/$'] }, async () => {
      const client = clientWith(['security']);
      assert.equal((await client.get('/health/')).status, 200);
      assert.equal((await client.get('/api/health/')).status, 301);
      assert.equal((await client.get('/books/', { next: 'health/' })).status, 301);
    });
  });

  test('a forged X-Forwarded-Proto does not make a request secure unless SECURE_PROXY_SSL_HEADER trusts it', async () => {
    await overrideSettings(https, async () => {
      const response = await clientWith(['security']).get('/books/', undefined, { headers: { 'X-Forwarded-Proto': 'https' } });
      assert.equal(response.status, 301);
      assert.equal(response.headers.has('Strict-Transport-Security'), false);
    });
    await overrideSettings({ ...https, SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'] }, async () => {
      const client = clientWith(['security']);
      const proxied = await client.get('/books/', undefined, { headers: { 'X-Forwarded-Proto': 'https' } });
      assert.equal(proxied.status, 200);
      assert.equal(proxied.headers.get('Strict-Transport-Security'), 'max-age=31536000; includeSubDomains');
      const plain = await client.get('/books/', undefined, { headers: { 'X-Forwarded-Proto': 'http' } });
      assert.equal(plain.status, 301);
    });
  });

  test('a Host outside ALLOWED_HOSTS cannot make the redirect point to another site', async () => {
    await overrideSettings(https, async () => {
      const response = await clientWith(['security']).get('/books/', undefined, { headers: { Host: 'evil.example' } });
      assert.equal(response.status, 400);
      assert.equal(response.headers.has('Location'), false);
    });
  });

  test('SECURE_SSL_HOST fixes the redirect host whatever Host the request sent', async () => {
    await overrideSettings({ ...https, SECURE_SSL_HOST: 'secure.example.com' }, async () => {
      const response = await clientWith(['security']).get('/books/', undefined, { headers: { Host: 'evil.example' } });
      assert.equal(response.headers.get('Location'), 'https://secure.example.com/books/');
    });
  });

  test('a path starting with two slashes stays on this host', async () => {
    await overrideSettings(https, async () => {
      const response = await clientWith(['security']).get('//evil.example/books/');
      assert.equal(response.status, 301);
      assert.equal(response.headers.get('Location'), 'https://testserver//evil.example/books/');
      assert.equal(new URL(response.headers.get('Location')!).host, 'testserver');
    });
  });

  test('a newline in the path cannot split the redirect into another header', async () => {
    await overrideSettings(https, async () => {
      const response = await clientWith(['security']).get('/books/%0D%0ASet-Cookie:%20session=stolen');
      assert.equal(response.status, 301);
      assert.equal(response.headers.get('Location'), 'https://testserver/books/%0D%0ASet-Cookie:%20session%3Dstolen');
      assert.equal(response.headers.has('Set-Cookie'), false);
      assert.equal(response.cookies.size, 0);
    });
  });

  test("a view's own weaker header is kept (Django's setdefault), so the view decides", async () => {
    await overrideSettings({ SECURE_HSTS_SECONDS: 31536000 }, async () => {
      const response = await clientWith(['security']).get('/preset/', undefined, { secure: true });
      assert.equal(response.headers.get('Strict-Transport-Security'), oracle.preset['Strict-Transport-Security']);
      assert.equal(response.headers.get('Referrer-Policy'), oracle.preset['Referrer-Policy']);
    });
  });
});

describe('SECURE_REDIRECT_EXEMPT', () => {
  test('takes RegExp literals, a global one included (matched the same on every request)', async () => {
    await overrideSettings({ SECURE_SSL_REDIRECT: true, SECURE_REDIRECT_EXEMPT: [/^HEALTH\//i, /^api\//g] }, async () => {
      const client = clientWith(['security']);
      for (let i = 0; i < 3; i++) {
        assert.equal((await client.get('/health/')).status, 200);
        assert.equal((await client.get('/api/health/')).status, 200);
      }
      assert.equal((await client.get('/books/')).status, 301);
    });
  });

  test('an invalid pattern string is refused with the setting named', async () => {
    await overrideSettings({ SECURE_SSL_REDIRECT: true, SECURE_REDIRECT_EXEMPT: ['^health/(' ] }, async () => {
      const client = new Client({ urlconf: urlpatterns, middleware: [SecurityMiddleware] });
      await assert.rejects(client.get('/books/'), (error: unknown) => {
        assert.ok(error instanceof ImproperlyConfigured);
        assert.match(error.message, /SECURE_REDIRECT_EXEMPT holds "\^health\/\(", which is not a valid regular expression/);
        return true;
      });
    });
  });

  test('a string instead of a list is refused', async () => {
    await overrideSettings({ SECURE_SSL_REDIRECT: true, SECURE_REDIRECT_EXEMPT: '^health/$' as never }, async () => {
      const client = new Client({ urlconf: urlpatterns, middleware: [SecurityMiddleware] });
      await assert.rejects(client.get('/books/'), /SECURE_REDIRECT_EXEMPT must be a list of patterns/);
    });
  });

  test('is not read when the request is secure or the redirect is off', async () => {
    await overrideSettings({ SECURE_SSL_REDIRECT: false, SECURE_REDIRECT_EXEMPT: ['('] }, async () => {
      assert.equal((await clientWith(['security']).get('/books/')).status, 200);
    });
    await overrideSettings({ SECURE_SSL_REDIRECT: true, SECURE_REDIRECT_EXEMPT: ['('] }, async () => {
      assert.equal((await clientWith(['security']).get('/books/', undefined, { secure: true })).status, 200);
    });
  });
});

describe('docs/security.md', () => {
  test('the settings example defines valid settings', () => {
    for (const production of [true, false]) {
      const defined = defineSettings({
        MIDDLEWARE: [
          'nuages/middleware/security#SecurityMiddleware',
          'nuages/contrib/sessions#SessionMiddleware',
          'nuages/middleware/common#CommonMiddleware',
          'nuages/middleware/csrf#CsrfViewMiddleware',
          'nuages/middleware/clickjacking#XFrameOptionsMiddleware',
        ],
        SECURE_SSL_REDIRECT: production,
        SECURE_HSTS_SECONDS: production ? 3600 : 0,
        SECURE_REDIRECT_EXEMPT: ['^healthz/$'],
      });
      assert.equal(defined.SECURE_SSL_REDIRECT, production);
      assert.equal(defined.SECURE_REFERRER_POLICY, 'same-origin');
    }
  });

  test('the test example: redirect over HTTP, HSTS over HTTPS', async () => {
    const client = new Client({ urlconf: [path('books/', async () => new HttpResponse('books'))], middleware: [SecurityMiddleware] });
    await overrideSettings({ SECURE_SSL_REDIRECT: true, SECURE_HSTS_SECONDS: 3600 }, async () => {
      const plain = await client.get('/books/?page=2');
      assert.equal(plain.status, 301);
      assert.equal(plain.headers.get('Location'), 'https://testserver/books/?page=2');
      assert.equal(plain.headers.has('Strict-Transport-Security'), false);

      const secure = await client.get('/books/', undefined, { secure: true });
      assert.equal(secure.headers.get('Strict-Transport-Security'), 'max-age=3600');
      assert.equal(secure.headers.get('X-Content-Type-Options'), 'nosniff');
    });
  });
});

// The site-wide cache, checked against Django 5.2's UpdateCacheMiddleware / FetchFromCacheMiddleware:
// what is stored, what is served, and the headers a stored page gets.
import { after, afterEach, before, beforeEach, describe, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { caches } from '../../src/cache/index.ts';
import { HttpResponse, StreamingHttpResponse, type HttpRequest } from '../../src/http/index.ts';
import { CacheMiddleware, FetchFromCacheMiddleware, UpdateCacheMiddleware, type MiddlewareFactory, type MiddlewareSetting } from '../../src/middleware/index.ts';
import { LocmemLoader } from '../../src/template/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { TemplateResponse } from '../../src/views/index.ts';
import { getCacheKey, parseHttpDate } from '../../src/utils/cache.ts';

before(() =>
  configure({
    SECRET_KEY: 'cache-middleware',
    ALLOWED_HOSTS: ['testserver'],
    CACHES: { default: { BACKEND: 'locmem', LOCATION: 'middleware-cache-test' }, pages: { BACKEND: 'locmem', LOCATION: 'middleware-cache-pages' } },
    TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ 'hello.html': 'Hello {{ name }} #{{ n }}' })] } }],
  }),
);
after(() => resetSettings());
beforeEach(async () => {
  await caches.get('default').clear();
  await caches.get('pages').clear();
  for (const key of Object.keys(calls)) delete calls[key];
});

const calls: Record<string, number> = {};

/** A view that counts its calls and says which call answered. */
function counted(name: string, build: (n: number, request: HttpRequest) => HttpResponse = (n) => new HttpResponse(`${name} #${n}`)) {
  return (request: HttpRequest) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return build(calls[name]!, request);
  };
}

function withHeaders(body: string, headers: Record<string, string>): HttpResponse {
  return new HttpResponse(body, { headers });
}

const urlpatterns = [
  path('page/', counted('page')),
  path('vary-cookie/', counted('vary-cookie', (n, request) => withHeaders(`hello ${request.COOKIES['user'] ?? 'anonymous'} #${n}`, { Vary: 'Cookie' }))),
  path('vary-language/', counted('vary-language', (n, request) => withHeaders(`${request.headers.get('Accept-Language') ?? '?'} #${n}`, { Vary: 'Accept-Language' }))),
  path('sets-cookie/', counted('sets-cookie', (n) => {
    const response = new HttpResponse(`cookie #${n}`);
    response.setCookie('visitor', String(n));
    return response;
  })),
  path('sets-cookie-vary/', counted('sets-cookie-vary', (n) => {
    const response = withHeaders(`cookie #${n}`, { Vary: 'Cookie' });
    response.setCookie('sessionid', String(n));
    return response;
  })),
  path('form/', counted('form', (n, request) => new HttpResponse(`${request.method} #${n}`))),
  path('missing/', counted('missing', (n) => new HttpResponse(`missing #${n}`, { status: 404 }))),
  path('redirect/', counted('redirect', (n) => new HttpResponse(`moved #${n}`, { status: 302, headers: { Location: '/page/' } }))),
  path('private/', counted('private', (n) => withHeaders(`private #${n}`, { 'Cache-Control': 'private' }))),
  path('no-store/', counted('no-store', (n) => withHeaders(`no-store #${n}`, { 'Cache-Control': 'no-store' }))),
  path('no-cache/', counted('no-cache', (n) => withHeaders(`no-cache #${n}`, { 'Cache-Control': 'no-cache' }))),
  path('max-age/', counted('max-age', (n) => withHeaders(`max-age #${n}`, { 'Cache-Control': 'max-age=30' }))),
  path('max-age-zero/', counted('max-age-zero', (n) => withHeaders(`zero #${n}`, { 'Cache-Control': 'max-age=0' }))),
  path('public/', counted('public', (n) => withHeaders(`public #${n}`, { 'Cache-Control': 'public' }))),
  path('vary-star/', counted('vary-star', (n) => withHeaders(`star #${n}`, { Vary: '*' }))),
  path('stream/', (request: HttpRequest) => {
    calls['stream'] = (calls['stream'] ?? 0) + 1;
    void request;
    return new StreamingHttpResponse([`stream #${calls['stream']}`]) as unknown as HttpResponse;
  }),
  path('template/', (request: HttpRequest) => {
    calls['template'] = (calls['template'] ?? 0) + 1;
    return new TemplateResponse(request, 'hello.html', { name: 'Ada', n: calls['template'] });
  }),
];

/** Fake Date from now on; a turn of the event loop passes so no store keeps a time read before. */
async function fakeClock(): Promise<void> {
  mock.timers.enable({ apis: ['Date'], now: Date.now() });
  await new Promise((resolve) => setImmediate(resolve));
}

/** Move the fake clock, then let a turn of the event loop pass (locmem reads the clock once per turn). */
async function advance(seconds: number): Promise<void> {
  mock.timers.tick(seconds * 1000);
  await new Promise((resolve) => setImmediate(resolve));
}

const SITE_WIDE: MiddlewareSetting[] = [UpdateCacheMiddleware, FetchFromCacheMiddleware];

function client(middleware: MiddlewareSetting[] = SITE_WIDE): Client {
  return new Client({ urlconf: urlpatterns, middleware });
}

describe('UpdateCacheMiddleware + FetchFromCacheMiddleware', () => {
  test('the second GET is served from the cache without running the view', async () => {
    const c = client();
    const first = await c.get('/page/');
    const second = await c.get('/page/');
    assert.equal(first.text, 'page #1');
    assert.equal(second.text, 'page #1');
    assert.equal(calls['page'], 1);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('Content-Type'), 'text/html; charset=utf-8');
  });

  test('a stored page gets Expires and max-age of CACHE_MIDDLEWARE_SECONDS, and a hit an Age', async () => {
    await fakeClock();
    const start = Math.floor(Date.now() / 1000);
    const first = await client().get('/page/');
    assert.equal(first.headers.get('Cache-Control'), 'max-age=600');
    assert.equal(parseHttpDate(first.headers.get('Expires')!), start + 600);
    assert.equal(first.headers.get('Age'), undefined);
    await advance(42);
    const hit = await client().get('/page/');
    assert.equal(hit.headers.get('Expires'), first.headers.get('Expires'));
    assert.equal(hit.headers.get('Cache-Control'), 'max-age=600');
    assert.equal(hit.headers.get('Age'), '42');
  });

  test('CACHE_MIDDLEWARE_SECONDS, _KEY_PREFIX and _ALIAS choose the lifetime, the keys and the cache', async () => {
    await overrideSettings({ CACHE_MIDDLEWARE_SECONDS: 120, CACHE_MIDDLEWARE_KEY_PREFIX: 'shop', CACHE_MIDDLEWARE_ALIAS: 'pages' }, async () => {
      const c = client();
      const first = await c.get('/page/');
      assert.equal(first.headers.get('Cache-Control'), 'max-age=120');
      const pages = caches.get('pages');
      const key = await getCacheKey(first.request, 'shop', 'GET', pages);
      assert.match(key!, /^views\.decorators\.cache\.cache_page\.shop\.GET\./);
      assert.notEqual(await pages.get(key!), undefined);
      assert.equal(await getCacheKey(first.request, 'shop', 'GET', caches.get('default')), undefined, 'nothing in the default cache');
      assert.equal((await c.get('/page/')).text, 'page #1');
    });
  });

  test('a page whose max-age is lower is stored for that long only', async () => {
    await fakeClock();
    const c = client();
    await c.get('/max-age/');
    await c.get('/page/');
    await advance(29);
    assert.equal((await c.get('/max-age/')).text, 'max-age #1');
    await advance(2);
    assert.equal((await c.get('/max-age/')).text, 'max-age #2', 'expired after its max-age of 30s');
    assert.equal((await c.get('/page/')).text, 'page #1', 'the 600s page is still there');
  });

  test('Vary: Cookie keeps one page per visitor', async () => {
    const c = client();
    const ada = await c.get('/vary-cookie/', undefined, { headers: { Cookie: 'user=ada' } });
    const bob = await c.get('/vary-cookie/', undefined, { headers: { Cookie: 'user=bob' } });
    const adaAgain = await c.get('/vary-cookie/', undefined, { headers: { Cookie: 'user=ada' } });
    assert.equal(ada.text, 'hello ada #1');
    assert.equal(bob.text, 'hello bob #2');
    assert.equal(adaAgain.text, 'hello ada #1');
    assert.equal(calls['vary-cookie'], 2);
  });

  test('Vary: Accept-Language keeps one page per language', async () => {
    const c = client();
    assert.equal((await c.get('/vary-language/', undefined, { headers: { 'Accept-Language': 'fr' } })).text, 'fr #1');
    assert.equal((await c.get('/vary-language/', undefined, { headers: { 'Accept-Language': 'de' } })).text, 'de #2');
    assert.equal((await c.get('/vary-language/', undefined, { headers: { 'Accept-Language': 'fr' } })).text, 'fr #1');
  });

  test('a response that sets a cookie is never stored, with or without Vary: Cookie', async () => {
    for (const url of ['/sets-cookie/', '/sets-cookie-vary/']) {
      const c = client();
      await c.get(url);
      const again = await client().get(url);
      assert.match(again.text, /#2$/, url);
      assert.equal(again.cookies.size, 1, 'the cookie comes from the view, not a stored copy');
    }
  });

  test('POST is never stored and never answered from the cache', async () => {
    const c = client();
    assert.equal((await c.get('/form/')).text, 'GET #1');
    assert.equal((await c.post('/form/', { a: '1' })).text, 'POST #2');
    assert.equal((await c.post('/form/', { a: '1' })).text, 'POST #3');
    assert.equal((await c.get('/form/')).text, 'GET #1');
    assert.equal((await c.put('/form/')).text, 'PUT #4');
  });

  test('responses other than 200 are not stored', async () => {
    const c = client();
    for (const url of ['/missing/', '/redirect/']) {
      await c.get(url);
      await c.get(url);
    }
    assert.equal(calls['missing'], 2);
    assert.equal(calls['redirect'], 2);
  });

  test('Cache-Control private, no-store or no-cache is not stored; public is', async () => {
    const c = client();
    for (const url of ['/private/', '/no-store/', '/no-cache/', '/public/']) {
      await c.get(url);
      await c.get(url);
    }
    assert.equal(calls['private'], 2);
    assert.equal(calls['no-store'], 2);
    assert.equal(calls['no-cache'], 2);
    assert.equal(calls['public'], 1);
  });

  test('max-age=0, Vary: * and streaming responses are not stored', async () => {
    const c = client();
    for (const url of ['/max-age-zero/', '/vary-star/', '/stream/']) {
      await c.get(url);
      await c.get(url);
    }
    assert.equal(calls['max-age-zero'], 2);
    assert.equal(calls['vary-star'], 2);
    assert.equal(calls['stream'], 2);
  });

  test('query strings make different keys', async () => {
    const c = client();
    assert.equal((await c.get('/page/?p=1')).text, 'page #1');
    assert.equal((await c.get('/page/?p=2')).text, 'page #2');
    assert.equal((await c.get('/page/?p=1')).text, 'page #1');
    assert.equal((await c.get('/page/')).text, 'page #3');
  });

  test('a HEAD is answered from the GET’s page', async () => {
    const c = client();
    const get = await c.get('/page/');
    const head = await c.head('/page/');
    assert.equal(calls['page'], 1);
    assert.equal(head.headers.get('Expires'), get.headers.get('Expires'));
    assert.equal(head.headers.get('Cache-Control'), 'max-age=600');
  });

  test('a HEAD first is stored for HEAD, and a GET still runs the view', async () => {
    const c = client();
    await c.head('/page/');
    await c.head('/page/');
    assert.equal(calls['page'], 1);
    assert.equal((await c.get('/page/')).text, 'page #2');
    assert.equal((await c.get('/page/')).text, 'page #2');
  });

  test('a request with Authorization makes the page vary on it, unless the page is public', async () => {
    const c = client();
    const alice = await c.get('/page/', undefined, { headers: { Authorization: 'Bearer alice' } });
    assert.equal(alice.headers.get('Vary'), 'Authorization');
    assert.equal((await c.get('/page/', undefined, { headers: { Authorization: 'Bearer bob' } })).text, 'page #2');
    assert.equal((await c.get('/page/', undefined, { headers: { Authorization: 'Bearer alice' } })).text, 'page #1');
    const shared = await c.get('/public/', undefined, { headers: { Authorization: 'Bearer alice' } });
    assert.equal(shared.headers.get('Vary'), undefined);
  });

  test('a TemplateResponse is stored once rendered', async () => {
    const c = client();
    assert.equal((await c.get('/template/')).text, 'Hello Ada #1');
    assert.equal((await c.get('/template/')).text, 'Hello Ada #1');
    assert.equal(calls['template'], 1);
  });

  test('placed as documented, a hit still goes through the middleware between the two halves', async () => {
    const seen: string[] = [];
    const tagging: MiddlewareFactory = (getResponse) => async (request) => {
      seen.push(request.path);
      const response = await getResponse(request);
      response.headers.set('X-Served-By', 'shop');
      return response;
    };
    const c = client(['nuages/middleware/cache#UpdateCacheMiddleware', tagging, 'nuages/middleware/cache#FetchFromCacheMiddleware']);
    await c.get('/page/');
    const hit = await c.get('/page/');
    assert.equal(hit.text, 'page #1');
    assert.equal(hit.headers.get('X-Served-By'), 'shop');
    assert.deepEqual(seen, ['/page/', '/page/']);
  });

  test('the page is stored as it leaves the outermost middleware, with the headers inner ones added', async () => {
    const stamping: MiddlewareFactory = (getResponse) => async (request) => {
      const response = await getResponse(request);
      if (!response.headers.has('X-Stamp')) response.headers.set('X-Stamp', `stamp-${calls['page'] ?? 0}`);
      return response;
    };
    // Fetch is innermost: on a hit the stamp is the stored one, proving the stored page had it.
    const c = client([UpdateCacheMiddleware, stamping, FetchFromCacheMiddleware]);
    await c.get('/page/');
    await c.get('/page/');
    assert.equal((await c.get('/page/')).headers.get('X-Stamp'), 'stamp-1');
  });
});

describe('the site-wide cache on Redis', () => {
  // Database 13 of the real server, under a key prefix of this run (never cleared: other files share the server).
  const entry = { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/13', KEY_PREFIX: `t-pages-${randomBytes(4).toString('hex')}` };

  test('a page stored as bytes in Redis comes back with its status, headers and body', async () => {
    await overrideSettings({ CACHES: { default: { BACKEND: 'locmem' }, redis: entry }, CACHE_MIDDLEWARE_ALIAS: 'redis' }, async () => {
      try {
        const c = client();
        const first = await c.get('/vary-language/', undefined, { headers: { 'Accept-Language': 'fr' } });
        const hit = await c.get('/vary-language/', undefined, { headers: { 'Accept-Language': 'fr' } });
        assert.equal(calls['vary-language'], 1);
        assert.equal(hit.status, 200);
        assert.deepEqual(hit.content, first.content);
        assert.equal(hit.headers.get('Vary'), 'Accept-Language');
        assert.equal(hit.headers.get('Content-Type'), 'text/html; charset=utf-8');
        assert.equal(hit.headers.get('Expires'), first.headers.get('Expires'));
        assert.equal((await c.get('/vary-language/', undefined, { headers: { 'Accept-Language': 'de' } })).text, 'de #2');
      } finally {
        await caches.get('redis').close();
      }
    });
  });
});

describe('CacheMiddleware', () => {
  test('fetches and updates in one middleware', async () => {
    const c = client([CacheMiddleware]);
    assert.equal((await c.get('/page/')).text, 'page #1');
    assert.equal((await c.get('/page/')).text, 'page #1');
    assert.equal((await c.post('/page/')).text, 'page #2');
  });
});

afterEach(() => mock.timers.reset());

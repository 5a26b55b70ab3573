// cachePage, neverCache, cacheControl and the vary decorators, through the test client.
// Headers checked against Django 5.2 (cache_page, never_cache, cache_control, vary_on_*).
import { after, afterEach, before, beforeEach, describe, test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { caches, modelTag } from '../../src/cache/index.ts';
import { CharField, Model, connections, createTables } from '../../src/db/index.ts';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import { UpdateCacheMiddleware, FetchFromCacheMiddleware } from '../../src/middleware/index.ts';
import { LocmemLoader } from '../../src/template/index.ts';
import { Client } from '../../src/test/index.ts';
import { path, type Params } from '../../src/urls/index.ts';
import { getCacheKey, parseHttpDate } from '../../src/utils/cache.ts';
import {
  TemplateResponse, View, ViewConfigurationError,
  cacheControl, cachePage, methodDecorator, neverCache, varyOnCookie, varyOnHeaders,
} from '../../src/views/index.ts';

connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });

class Shelf extends Model<Shelf>()({ title: new CharField({ maxLength: 50 }) }, { appLabel: 'pagecache' }) {}

before(async () => {
  configure({
    SECRET_KEY: 'cache-decorators',
    ALLOWED_HOSTS: ['testserver'],
    CACHES: { default: { BACKEND: 'locmem', LOCATION: 'decorators-test' }, pages: { BACKEND: 'locmem', LOCATION: 'decorators-pages' } },
    TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ 'shelf.html': 'Shelf #{{ n }}' })] } }],
  });
  await createTables([Shelf]);
});
after(async () => {
  await connections.closeAll();
  resetSettings();
});
beforeEach(async () => {
  await caches.get('default').clear();
  await caches.get('pages').clear();
  for (const key of Object.keys(calls)) delete calls[key];
});
afterEach(() => mock.timers.reset());

const calls: Record<string, number> = {};

function count(name: string): number {
  calls[name] = (calls[name] ?? 0) + 1;
  return calls[name]!;
}

class Catalog extends View {
  heading = 'Catalog';
  get(_request: HttpRequest) {
    return new HttpResponse(`${this.heading} #${count('catalog')}`);
  }
}

class Basket extends View {
  get(_request: HttpRequest) {
    return new HttpResponse(`basket #${count('basket')}`);
  }
}
methodDecorator(cachePage(60), 'dispatch')(Basket);

let onRender: (() => Promise<void>) | undefined;

const urlpatterns = [
  path('plain/', cachePage(60)(async () => new HttpResponse(`plain #${count('plain')}`))),
  path('short/', cachePage(60)(async () => new HttpResponse(`short #${count('short')}`, { headers: { 'Cache-Control': 'max-age=10' } }))),
  path('aliased/', cachePage(60, { cache: 'pages', keyPrefix: 'v2' })(async () => new HttpResponse(`aliased #${count('aliased')}`))),
  path('form/', cachePage(60)(async (request: HttpRequest) => new HttpResponse(`${request.method} #${count('form')}`))),
  path('missing/', cachePage(60)(async () => new HttpResponse(`missing #${count('missing')}`, { status: 404 }))),
  path('per-user/', cachePage(60)(varyOnCookie(async (request: HttpRequest) => new HttpResponse(`hi ${request.COOKIES['user']} #${count('per-user')}`)))),
  path('catalog/', cachePage(60)(Catalog.asView({ heading: 'Books' }))),
  path('basket/', Basket.asView()),
  path('template/', cachePage(60)(async (request: HttpRequest) => new TemplateResponse(request, 'shelf.html', { n: count('template') }))),
  path('shelves/', cachePage(300, { dependsOn: [Shelf, 'pagecache.Other'] })(async () => {
    const n = count('shelves');
    await onRender?.();
    return new HttpResponse(`${await Shelf.objects.count()} shelves #${n}`);
  })),
  path('never/', neverCache(async () => new HttpResponse('never', { headers: { 'Cache-Control': 'public, max-age=60' } }))),
  path('never-site/', neverCache(async () => new HttpResponse(`never-site #${count('never-site')}`))),
  path('controlled/', cacheControl({ public: true, maxAge: 3600 })(async () => new HttpResponse('x'))),
  path('varied/', varyOnHeaders('Accept-Language', 'User-Agent')(varyOnCookie(async () => new HttpResponse('x', { headers: { Vary: 'Accept-Encoding' } })))),
];

function client(): Client {
  return new Client({ urlconf: urlpatterns, middleware: [] });
}

describe('cachePage', () => {
  test('the second request is served from the cache without running the view', async () => {
    const c = client();
    assert.equal((await c.get('/plain/')).text, 'plain #1');
    assert.equal((await c.get('/plain/')).text, 'plain #1');
    assert.equal(calls['plain'], 1);
  });

  test('a page is kept for `seconds` with Expires and max-age to match, and a hit has an Age', async () => {
    await fakeClock();
    const c = client();
    const start = Math.floor(Date.now() / 1000);
    const first = await c.get('/plain/');
    assert.equal(first.headers.get('Cache-Control'), 'max-age=60');
    assert.equal(parseHttpDate(first.headers.get('Expires')!), start + 60);
    await advance(59);
    const hit = await c.get('/plain/');
    assert.equal(hit.text, 'plain #1');
    assert.equal(hit.headers.get('Age'), '59');
    await advance(2);
    assert.equal((await c.get('/plain/')).text, 'plain #2');
  });

  test('a lower max-age from the view stays in the header, but the page is kept for `seconds` (as Django)', async () => {
    await fakeClock();
    const c = client();
    const start = Math.floor(Date.now() / 1000);
    const first = await c.get('/short/');
    assert.equal(first.headers.get('Cache-Control'), 'max-age=10');
    assert.equal(parseHttpDate(first.headers.get('Expires')!), start + 60);
    await advance(30);
    assert.equal((await c.get('/short/')).text, 'short #1');
  });

  test('`cache` and `keyPrefix` choose where the page goes and its key', async () => {
    const c = client();
    const first = await c.get('/aliased/');
    const key = await getCacheKey(first.request, 'v2', 'GET', caches.get('pages'));
    assert.match(key!, /^views\.decorators\.cache\.cache_page\.v2\.GET\./);
    assert.notEqual(await caches.get('pages').get(key!), undefined);
    assert.equal(await getCacheKey(first.request, 'v2', 'GET', caches.get('default')), undefined);
    assert.equal((await c.get('/aliased/')).text, 'aliased #1');
  });

  test('POST runs the view every time and does not disturb the stored GET', async () => {
    const c = client();
    assert.equal((await c.get('/form/')).text, 'GET #1');
    assert.equal((await c.post('/form/')).text, 'POST #2');
    assert.equal((await c.post('/form/')).text, 'POST #3');
    assert.equal((await c.get('/form/')).text, 'GET #1');
  });

  test('a 404 is not stored', async () => {
    const c = client();
    await c.get('/missing/');
    await c.get('/missing/');
    assert.equal(calls['missing'], 2);
  });

  test('with varyOnCookie each visitor gets their own page', async () => {
    const c = client();
    assert.equal((await c.get('/per-user/', undefined, { headers: { Cookie: 'user=ada' } })).text, 'hi ada #1');
    assert.equal((await c.get('/per-user/', undefined, { headers: { Cookie: 'user=bob' } })).text, 'hi bob #2');
    assert.equal((await c.get('/per-user/', undefined, { headers: { Cookie: 'user=ada' } })).text, 'hi ada #1');
  });

  test('a HEAD is answered from the GET’s page', async () => {
    const c = client();
    await c.get('/plain/');
    const head = await c.head('/plain/');
    assert.equal(head.status, 200);
    assert.equal(calls['plain'], 1);
  });

  test('a class-based view is cached through asView(), keeping its class and options', async () => {
    const view = cachePage(60)(Catalog.asView({ heading: 'Books' }));
    assert.equal(view.viewClass, Catalog);
    assert.deepEqual(view.viewInitkwargs, { heading: 'Books' });
    const c = client();
    assert.equal((await c.get('/catalog/')).text, 'Books #1');
    assert.equal((await c.get('/catalog/')).text, 'Books #1');
  });

  test('methodDecorator(cachePage(…), "dispatch") caches every request of a class', async () => {
    const c = client();
    assert.equal((await c.get('/basket/')).text, 'basket #1');
    assert.equal((await c.get('/basket/')).text, 'basket #1');
    assert.throws(() => methodDecorator(cachePage(60), 'nothing')(Basket), ViewConfigurationError);
  });

  test('a class instead of a view function is refused with the fix in the message', () => {
    assert.throws(
      () => cachePage(60)(Catalog as unknown as (request: HttpRequest, params: Params) => HttpResponse),
      (error: Error) => error instanceof ViewConfigurationError && /cachePage\(…\)\(Catalog\.asView\(\)\)/.test(error.message),
    );
  });

  test('the type checker refuses a class and a max-age that is not a number', () => {
    // Never run: these lines only have to fail to compile.
    void (() => {
      // @ts-expect-error a class is not a view function; decorate Catalog.asView()
      cachePage(60)(Catalog);
      // @ts-expect-error maxAge is a number of seconds
      cacheControl({ maxAge: '60' });
    });
  });

  test('a TemplateResponse is stored once the handler has rendered it', async () => {
    const c = client();
    assert.equal((await c.get('/template/')).text, 'Shelf #1');
    assert.equal((await c.get('/template/')).text, 'Shelf #1');
    assert.equal(calls['template'], 1);
  });

  test('the wrapper keeps the view’s name and flags', () => {
    const view = Object.assign(async function bookDetail() {
      return new HttpResponse('');
    }, { csrfExempt: true });
    for (const wrapped of [cachePage(60)(view), neverCache(view), cacheControl({ public: true })(view), varyOnCookie(view)]) {
      assert.equal(wrapped.name, 'bookDetail');
      assert.equal(wrapped.csrfExempt, true);
    }
  });
});

describe('cachePage dependsOn', () => {
  test('invalidating a model the page depends on makes the next request render afresh', async () => {
    const c = client();
    assert.equal((await c.get('/shelves/')).text, '0 shelves #1');
    assert.equal((await c.get('/shelves/')).text, '0 shelves #1');
    await caches.get('default').invalidateTags(modelTag(Shelf));
    assert.equal((await c.get('/shelves/')).text, '0 shelves #2');
    await caches.get('default').invalidateTags(modelTag('pagecache.Other'));
    assert.equal((await c.get('/shelves/')).text, '0 shelves #3');
    assert.equal((await c.get('/shelves/')).text, '0 shelves #3');
  });

  test('a write while the page renders leaves the stored page outdated', async () => {
    const c = client();
    onRender = () => caches.get('default').invalidateTags(modelTag(Shelf));
    try {
      assert.equal((await c.get('/shelves/')).text, '0 shelves #1');
    } finally {
      onRender = undefined;
    }
    assert.equal((await c.get('/shelves/')).text, '0 shelves #2', 'the page rendered during the write was not served');
    assert.equal((await c.get('/shelves/')).text, '0 shelves #2');
  });

  test('saving a row of the model re-renders the page (after the write commits)', async () => {
    const c = client();
    assert.equal((await c.get('/shelves/')).text, '0 shelves #1');
    await Shelf.objects.create({ title: 'Poetry' });
    assert.equal((await c.get('/shelves/')).text, '1 shelves #2');
    assert.equal((await c.get('/shelves/')).text, '1 shelves #2');
    await Shelf.objects.all().delete();
    assert.equal((await c.get('/shelves/')).text, '0 shelves #3');
  });
});

describe('neverCache, cacheControl, varyOnHeaders', () => {
  test('neverCache sets Django 5.2’s headers exactly: Expires now and the five directives', async () => {
    const start = Math.floor(Date.now() / 1000);
    const response = await client().get('/never/');
    assert.equal(response.headers.get('Cache-Control'), 'max-age=0, no-cache, no-store, must-revalidate, private');
    const expires = parseHttpDate(response.headers.get('Expires')!)!;
    assert.ok(expires >= start && expires <= Math.floor(Date.now() / 1000));
  });

  test('a neverCache page is not stored by the site-wide cache', async () => {
    const c = new Client({ urlconf: urlpatterns, middleware: [UpdateCacheMiddleware, FetchFromCacheMiddleware] });
    await c.get('/never-site/');
    assert.equal((await c.get('/never-site/')).text, 'never-site #2');
  });

  test('cacheControl merges its directives into the response', async () => {
    assert.equal((await client().get('/controlled/')).headers.get('Cache-Control'), 'public, max-age=3600');
  });

  test('varyOnHeaders and varyOnCookie add to Vary, keeping what the view set', async () => {
    assert.equal((await client().get('/varied/')).headers.get('Vary'), 'Accept-Encoding, Cookie, Accept-Language, User-Agent');
  });
});

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

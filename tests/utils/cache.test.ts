// Expected headers and keys checked against Django 5.2 (django.utils.cache) with the same inputs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { caches } from '../../src/cache/index.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { RequestFactory } from '../../src/test/request-factory.ts';
import {
  addNeverCacheHeaders, getCacheKey, getMaxAge, learnCacheKey, parseHttpDate, patchCacheControl, patchResponseHeaders,
  type CacheControlOptions,
} from '../../src/utils/cache.ts';

before(() => configure({ SECRET_KEY: 'utils-cache', ALLOWED_HOSTS: ['testserver'], CACHES: { default: { BACKEND: 'locmem', LOCATION: 'utils-cache-test' } } }));
after(() => resetSettings());

function withCacheControl(header: string | undefined): HttpResponse {
  const response = new HttpResponse('');
  if (header !== undefined) response.headers.set('Cache-Control', header);
  return response;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

describe('patchCacheControl', () => {
  const cases: Array<[string | undefined, CacheControlOptions, string]> = [
    [undefined, { maxAge: 60 }, 'max-age=60'],
    ['max-age=30', { maxAge: 60 }, 'max-age=30'],
    ['max-age=90, public', { maxAge: 60, private: true }, 'max-age=60, private'],
    ['private', { public: true }, 'public'],
    ['no-cache=Set-Cookie', { noCache: 'X-Other' }, 'no-cache=Set-Cookie, no-cache=X-Other'],
    ['no-cache=Set-Cookie', { noCache: true }, 'no-cache'],
    ['no-cache', { noCache: 'X-Other' }, 'no-cache'],
    ['Max-Age=5, No-Store', { sMaxage: 10, mustRevalidate: true }, 'max-age=5, no-store, s-maxage=10, must-revalidate'],
    ['public, max-age=10', { noStore: true, private: true, maxAge: 5 }, 'max-age=5, no-store, private'],
    ['foo="bar, baz"', { maxAge: 1 }, 'foo="bar, baz", max-age=1'],
    [undefined, { staleWhileRevalidate: 30, immutable: true }, 'stale-while-revalidate=30, immutable'],
  ];
  for (const [header, options, expected] of cases) {
    test(`${JSON.stringify(header ?? null)} + ${JSON.stringify(options)} gives ${JSON.stringify(expected)}`, () => {
      const response = withCacheControl(header);
      patchCacheControl(response, options);
      assert.equal(response.headers.get('Cache-Control'), expected);
    });
  }

  test('false and undefined leave a directive out', () => {
    const response = withCacheControl('public');
    patchCacheControl(response, { private: false, noStore: undefined, maxAge: 3 });
    assert.equal(response.headers.get('Cache-Control'), 'public, max-age=3');
  });
});

describe('getMaxAge', () => {
  const cases: Array<[string | undefined, number | undefined]> = [
    [undefined, undefined],
    ['max-age=60', 60],
    ['public, Max-Age=60', 60],
    ['max-age=abc', undefined],
    ['max-age= 7', 7],
    ['max-age=60, max-age=30', 30],
    ['no-store', undefined],
  ];
  for (const [header, expected] of cases) {
    test(`${JSON.stringify(header ?? null)} → ${String(expected)}`, () => {
      assert.equal(getMaxAge(withCacheControl(header)), expected);
    });
  }
});

describe('patchResponseHeaders and addNeverCacheHeaders', () => {
  test('patchResponseHeaders sets Expires to now + timeout and keeps the smaller max-age', () => {
    const fresh = withCacheControl(undefined);
    const start = nowSeconds();
    patchResponseHeaders(fresh, 300);
    assert.equal(fresh.headers.get('Cache-Control'), 'max-age=300');
    const expires = parseHttpDate(fresh.headers.get('Expires')!)!;
    assert.ok(expires >= start + 300 && expires <= nowSeconds() + 300);
    const lower = withCacheControl('max-age=30');
    patchResponseHeaders(lower, 300);
    assert.equal(lower.headers.get('Cache-Control'), 'max-age=30');
    const higher = withCacheControl('max-age=900, public');
    patchResponseHeaders(higher, 300);
    assert.equal(higher.headers.get('Cache-Control'), 'max-age=300, public');
  });

  test('an Expires header the view set is kept; a negative timeout counts as 0', () => {
    const response = withCacheControl(undefined);
    response.headers.set('Expires', 'Sat, 01 Jan 2000 00:00:00 GMT');
    patchResponseHeaders(response, -5);
    assert.equal(response.headers.get('Expires'), 'Sat, 01 Jan 2000 00:00:00 GMT');
    assert.equal(response.headers.get('Cache-Control'), 'max-age=0');
  });

  test('patchResponseHeaders defaults to CACHE_MIDDLEWARE_SECONDS', async () => {
    await overrideSettings({ CACHE_MIDDLEWARE_SECONDS: 42 }, () => {
      const response = withCacheControl(undefined);
      patchResponseHeaders(response);
      assert.equal(response.headers.get('Cache-Control'), 'max-age=42');
    });
  });

  test('addNeverCacheHeaders writes Django 5.2’s headers, dropping public and lowering max-age', () => {
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'max-age=0, no-cache, no-store, must-revalidate, private'],
      ['public, max-age=60', 'max-age=0, no-cache, no-store, must-revalidate, private'],
      ['no-cache="Set-Cookie"', 'no-cache, max-age=0, no-store, must-revalidate, private'],
    ];
    for (const [header, expected] of cases) {
      const response = withCacheControl(header);
      const start = nowSeconds();
      addNeverCacheHeaders(response);
      assert.equal(response.headers.get('Cache-Control'), expected);
      const expires = parseHttpDate(response.headers.get('Expires')!)!;
      assert.ok(expires >= start && expires <= nowSeconds());
    }
  });
});

describe('getCacheKey and learnCacheKey', () => {
  const rf = new RequestFactory();

  test('keys have Django’s format, with the alias’s KEY_PREFIX and version from the Cache', async () => {
    await overrideSettings({ CACHES: { default: { BACKEND: 'locmem', LOCATION: 'utils-cache-keys', KEY_PREFIX: 'site' } } }, async () => {
      const cache = caches.get('default');
      const request = await rf.get('/v/?a=1', undefined, { headers: { Cookie: 'x=1', 'Accept-Language': 'fr' } });
      // As a locale middleware would: Django's active language is in the key, so Accept-Language is not hashed.
      Object.assign(request, { LANGUAGE_CODE: 'en-us' });
      assert.equal(await getCacheKey(request, 'pfx', 'GET', cache), undefined, 'nothing learned yet');
      const response = new HttpResponse('hi');
      response.headers.set('Vary', 'Accept-Language, Cookie');
      const key = await learnCacheKey(request, response, 60, 'pfx', cache);
      // The keys Django 5.2 stores for this request and response: md5 of the absolute URL,
      // md5 of the Cookie value, then the language and time zone.
      const url = '60d6183796634531895fed72adbccfbe';
      const headerValues = 'a255512f9d61a6777bd5a304235bd26d';
      assert.equal(key, `views.decorators.cache.cache_page.pfx.GET.${url}.${headerValues}.en-us.UTC`);
      assert.equal(await getCacheKey(request, 'pfx', 'GET', cache), key);
      assert.equal(cache.makeKey(key), `site:1:${key}`);
      assert.deepEqual(await cache.get(`views.decorators.cache.cache_header.pfx.${url}.en-us.UTC`), ['HTTP_COOKIE']);
    });
  });

  test('the query string, the header values named by Vary and the method make different keys', async () => {
    const cache = caches.get('default');
    const response = new HttpResponse('hi');
    response.headers.set('Vary', 'Cookie');
    const one = await rf.get('/page/?q=1', undefined, { headers: { Cookie: 'user=1' } });
    const key = await learnCacheKey(one, response, 60, '', cache);
    assert.notEqual(await getCacheKey(await rf.get('/page/?q=2', undefined, { headers: { Cookie: 'user=1' } }), '', 'GET', cache), key);
    assert.notEqual(await getCacheKey(await rf.get('/page/?q=1', undefined, { headers: { Cookie: 'user=2' } }), '', 'GET', cache), key);
    assert.equal(await getCacheKey(await rf.get('/page/?q=1', undefined, { headers: { Cookie: 'user=1' } }), '', 'GET', cache), key);
    assert.notEqual(await getCacheKey(one, '', 'HEAD', cache), key);
  });

  test('without a locale middleware, Vary: Accept-Language keeps one page per Accept-Language', async () => {
    const cache = caches.get('default');
    const response = new HttpResponse('hi');
    response.headers.set('Vary', 'Accept-Language');
    const french = await rf.get('/greeting/', undefined, { headers: { 'Accept-Language': 'fr' } });
    const key = await learnCacheKey(french, response, 60, '', cache);
    assert.equal(await getCacheKey(await rf.get('/greeting/', undefined, { headers: { 'Accept-Language': 'fr' } }), '', 'GET', cache), key);
    assert.notEqual(await getCacheKey(await rf.get('/greeting/', undefined, { headers: { 'Accept-Language': 'de' } }), '', 'GET', cache), key);
  });

  test('Accept-Language leaves the key when a locale middleware set request.LANGUAGE_CODE', async () => {
    const cache = caches.get('default');
    const response = new HttpResponse('hi');
    response.headers.set('Vary', 'Accept-Language');
    const request = await rf.get('/localized/', undefined, { headers: { 'Accept-Language': 'de' } });
    Object.assign(request, { LANGUAGE_CODE: 'de' });
    const key = await learnCacheKey(request, response, 60, '', cache);
    assert.match(key, /\.d41d8cd98f00b204e9800998ecf8427e\.de\.UTC$/, 'no header values hashed, the language in the suffix');
  });
});

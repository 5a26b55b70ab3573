// Expected statuses and headers checked against Django 5.2's ConditionalGetMiddleware.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { CommonMiddleware, ConditionalGetMiddleware, GZipMiddleware, type MiddlewareSetting } from '../../src/middleware/index.ts';
import { path } from '../../src/urls/index.ts';
import { Client } from '../../src/test/index.ts';

before(() => configure({ SECRET_KEY: 'test', ALLOWED_HOSTS: ['testserver'] }));
after(() => resetSettings());

const HELLO_ETAG = '"5d41402abc4b2a76b9719d911017c592"'; // md5('hello'), as Django computes it
const urlpatterns = [
  path('hello/', async () => new HttpResponse('hello', { headers: { 'Cache-Control': 'max-age=60' } })),
  path('dated/', async () => new HttpResponse('hello', { headers: { 'Last-Modified': 'Sat, 01 Jan 2000 00:00:00 GMT' } })),
  path('nostore/', async () => new HttpResponse('hello', { headers: { 'Cache-Control': 'private, no-store' } })),
  path('cookie/', async () => {
    const response = new HttpResponse('hello');
    response.setCookie('seen', '1');
    return response;
  }),
  path('missing/', async () => new HttpResponse('nope', { status: 404 })),
  path('big/', async () => new HttpResponse('a'.repeat(300))),
];

function client(middleware: MiddlewareSetting[] = [ConditionalGetMiddleware]): Client {
  return new Client({ urlconf: urlpatterns, middleware });
}

test('GET responses get the MD5 of their content as a strong ETag', async () => {
  assert.equal((await client().get('/hello/')).headers.get('ETag'), HELLO_ETAG);
});

test('If-None-Match with the current ETag answers 304 with the headers a 304 keeps', async () => {
  const response = await client().get('/hello/', undefined, { headers: { 'If-None-Match': HELLO_ETAG } });
  assert.equal(response.status, 304);
  assert.equal(response.content.length, 0);
  assert.equal(response.headers.get('ETag'), HELLO_ETAG);
  assert.equal(response.headers.get('Cache-Control'), 'max-age=60');
  assert.equal(response.headers.get('Content-Type'), undefined);
});

test('If-None-Match compares weakly: W/ on either side still matches', async () => {
  const response = await client().get('/hello/', undefined, { headers: { 'If-None-Match': `W/${HELLO_ETAG}` } });
  assert.equal(response.status, 304);
  const star = await client().get('/hello/', undefined, { headers: { 'If-None-Match': '*' } });
  assert.equal(star.status, 304);
  const other = await client().get('/hello/', undefined, { headers: { 'If-None-Match': '"other", "more"' } });
  assert.equal(other.status, 200);
});

test('If-Modified-Since at or after Last-Modified answers 304; before it, 200', async () => {
  const same = await client().get('/dated/', undefined, { headers: { 'If-Modified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT' } });
  assert.equal(same.status, 304);
  assert.equal(same.headers.get('Last-Modified'), 'Sat, 01 Jan 2000 00:00:00 GMT');
  const older = await client().get('/dated/', undefined, { headers: { 'If-Modified-Since': 'Fri, 31 Dec 1999 23:59:59 GMT' } });
  assert.equal(older.status, 200);
  // RFC 850 and asctime dates are understood too.
  const rfc850 = await client().get('/dated/', undefined, { headers: { 'If-Modified-Since': 'Saturday, 01-Jan-00 00:00:00 GMT' } });
  assert.equal(rfc850.status, 304);
  const asctime = await client().get('/dated/', undefined, { headers: { 'If-Modified-Since': 'Sat Jan  1 00:00:00 2000' } });
  assert.equal(asctime.status, 304);
});

test('If-None-Match wins over If-Modified-Since', async () => {
  const response = await client().get('/dated/', undefined, {
    headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT' },
  });
  assert.equal(response.status, 200);
});

test('a failed If-Match answers 412; a matching one passes', async () => {
  const failed = await client().get('/hello/', undefined, { headers: { 'If-Match': '"other"' } });
  assert.equal(failed.status, 412);
  const ok = await client().get('/hello/', undefined, { headers: { 'If-Match': HELLO_ETAG } });
  assert.equal(ok.status, 200);
});

test('If-Unmodified-Since before Last-Modified answers 412', async () => {
  const response = await client().get('/dated/', undefined, { headers: { 'If-Unmodified-Since': 'Fri, 31 Dec 1999 00:00:00 GMT' } });
  assert.equal(response.status, 412);
});

test('Cache-Control: no-store gets no ETag', async () => {
  assert.equal((await client().get('/nostore/')).headers.get('ETag'), undefined);
});

test('only GET is handled: HEAD and POST get no ETag and no 304', async () => {
  const head = await client().head('/hello/', undefined, { headers: { 'If-None-Match': HELLO_ETAG } });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('ETag'), undefined);
  const post = await client().post('/hello/', undefined, { headers: { 'If-None-Match': HELLO_ETAG } });
  assert.equal(post.status, 200);
});

test('a non-2xx response is never replaced by a 304', async () => {
  const response = await client().get('/missing/', undefined, { headers: { 'If-None-Match': '*' } });
  assert.equal(response.status, 404);
});

test('cookies set by the view survive a 304', async () => {
  const first = await client().get('/cookie/');
  const response = await client().get('/cookie/', undefined, { headers: { 'If-None-Match': first.headers.get('ETag')! } });
  assert.equal(response.status, 304);
  assert.deepEqual(response.cookieHeaders(), ['seen=1; Path=/']);
});

test("with Django's usual order the 304 comes before gzip and keeps a strong ETag", async () => {
  const stack = [CommonMiddleware, GZipMiddleware, ConditionalGetMiddleware];
  const first = await client(stack).get('/big/', undefined, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.match(first.headers.get('ETag')!, /^W\/"/);
  const again = await client(stack).get('/big/', undefined, {
    headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': first.headers.get('ETag')! },
  });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get('ETag'), first.headers.get('ETag')!.slice(2));
  assert.equal(again.headers.get('Content-Length'), '0');
});

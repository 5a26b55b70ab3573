import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from 'decimal.js';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import { DateOnly } from '../../src/utils/dates.ts';
import {
  BadHeaderError,
  BadSignature,
  DisallowedRedirect,
  HttpRequest,
  HttpResponse,
  HttpResponseBadRequest,
  HttpResponseForbidden,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponseNotFound,
  HttpResponseNotModified,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  HttpResponseServerError,
  JsonResponse,
  MultiValueDictKeyError,
  ResponseContentError,
  StreamingHttpResponse,
  SuspiciousOperation,
} from '../../src/http/index.ts';

configure({ SECRET_KEY: 'response-tests-secret', ALLOWED_HOSTS: ['testserver'] });

describe('HttpResponse', () => {
  test('defaults to 200 OK, text/html with the default charset', () => {
    const response = new HttpResponse('h\u00e9llo');
    assert.equal(response.status, 200);
    assert.equal(response.reasonPhrase, 'OK');
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.deepEqual(response.content, Buffer.from('h\u00e9llo'));
    assert.equal(response.text, 'h\u00e9llo');
    assert.equal(response.streaming, false);
  });

  test('status, reason, contentType, charset and headers are options', () => {
    const response = new HttpResponse('caf\u00e9', {
      status: 418,
      reason: 'Short and Stout',
      contentType: 'text/plain; charset=latin1',
      headers: { 'X-Custom': 'yes', 'Cache-Control': 'no-store' },
    });
    assert.equal(response.status, 418);
    assert.equal(response.reasonPhrase, 'Short and Stout');
    assert.equal(response.charset, 'latin1');
    assert.deepEqual(response.content, Buffer.from('caf\u00e9', 'latin1'));
    assert.equal(response.text, 'caf\u00e9');
    assert.equal(response.headers.get('x-custom'), 'yes');
    assert.deepEqual([...response.headers.keys()], ['X-Custom', 'Cache-Control', 'Content-Type']);
  });

  test('the reason phrase follows the status when it changes', () => {
    const response = new HttpResponse();
    response.status = 404;
    assert.equal(response.reasonPhrase, 'Not Found');
    response.status = 599;
    assert.equal(response.reasonPhrase, 'Unknown Status Code');
  });

  test('a status outside 100–599 is refused', () => {
    assert.throws(() => new HttpResponse('', { status: 99 }), RangeError);
    assert.throws(() => new HttpResponse('', { status: 600 }), RangeError);
  });

  test('content accepts bytes, iterables and write() appends', () => {
    const response = new HttpResponse(['a', Buffer.from('b'), 'c']);
    assert.equal(response.text, 'abc');
    response.write('d');
    response.content = new Uint8Array([0x65]);
    assert.equal(response.text, 'e');
    assert.equal(new HttpResponse(42 as unknown as string).text, '42');
  });

  test('a header with a newline is refused with BadHeaderError', () => {
    const response = new HttpResponse();
    assert.throws(() => response.headers.set('X-Evil', 'a\r\nSet-Cookie: x=1'), BadHeaderError);
    assert.throws(() => response.headers.set('Bad Name', 'x'), BadHeaderError);
    assert.throws(() => new HttpResponse('', { headers: { 'X-A': 'b\nc' } }), { code: 'NUAGES_HTTP_BAD_HEADER' });
  });

  test('close() runs the closers once', async () => {
    const response = new HttpResponse();
    let closed = 0;
    response.onClose(() => {
      closed += 1;
    });
    await response.close();
    await response.close();
    assert.equal(closed, 1);
  });
});

describe('cookies', () => {
  test('setCookie writes Set-Cookie with every attribute', () => {
    const response = new HttpResponse();
    const before = Date.now();
    response.setCookie('theme', 'dark', { maxAge: 3600, path: '/app', domain: 'example.com', secure: true, httpOnly: true, sameSite: 'lax' });
    const [header] = response.cookieHeaders();
    assert.match(header!, /^theme=dark; Max-Age=3600; Domain=example\.com; Path=\/app; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Lax$/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(header!)![1]!);
    assert.ok(Math.abs(expires - (before + 3600_000)) < 2000, 'maxAge also sets Expires');
    assert.equal(response.cookies.get('theme')?.sameSite, 'Lax');
  });

  test('the default path is / and values outside cookie-octets are escaped', () => {
    const response = new HttpResponse();
    response.setCookie('msg', 'a b;c,"d"\u00e9:ok');
    assert.equal(response.cookieHeaders()[0], 'msg=a%20b%3Bc%2C%22d%22%C3%A9:ok; Path=/');
    const request = HttpRequest.create({ headers: { Cookie: response.cookieHeaders()[0]!.split(';')[0]! } });
    assert.equal(request.COOKIES['msg'], 'a b;c,"d"\u00e9:ok');
  });

  test('an invalid cookie name or sameSite is refused', () => {
    const response = new HttpResponse();
    assert.throws(() => response.setCookie('bad name', 'x'), BadHeaderError);
    assert.throws(() => response.setCookie('a;b', 'x'), BadHeaderError);
    assert.throws(() => response.setCookie('ok', 'x', { sameSite: 'loose' as 'lax' }), /sameSite must be/);
  });

  test('deleteCookie expires the cookie, with Secure for prefixed names and SameSite=None', () => {
    const response = new HttpResponse();
    response.deleteCookie('sessionid', { path: '/shop' });
    response.deleteCookie('__Host-token');
    response.deleteCookie('cross', { sameSite: 'None' });
    const [plain, prefixed, cross] = response.cookieHeaders();
    assert.equal(plain, 'sessionid=; Max-Age=0; Path=/shop; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    assert.match(prefixed!, /^__Host-token=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure$/);
    assert.match(cross!, /Secure; SameSite=None$/);
  });

  test('setSignedCookie round-trips through request.getSignedCookie', () => {
    const response = new HttpResponse();
    response.setSignedCookie('cart', 'book-1,book-2', { salt: 'shop', httpOnly: true });
    const value = response.cookies.get('cart')!.value;
    assert.match(value, /^book-1,book-2:[0-9A-Za-z]+:[\w-]+$/);
    const request = HttpRequest.create({ headers: { Cookie: response.cookieHeaders()[0]!.split(';')[0]! } });
    assert.equal(request.getSignedCookie('cart', { salt: 'shop' }), 'book-1,book-2');
  });

  test('getSignedCookie refuses tampering, another salt, an old value; default replaces errors', (t) => {
    const response = new HttpResponse();
    response.setSignedCookie('cart', 'x');
    const value = response.cookies.get('cart')!.value;
    const tampered = HttpRequest.create({ headers: { Cookie: `cart=y${value.slice(1)}` } });
    assert.throws(() => tampered.getSignedCookie('cart'), BadSignature);
    assert.equal(tampered.getSignedCookie('cart', { default: null }), null);
    const good = HttpRequest.create({ headers: { Cookie: `cart=${value}` } });
    assert.throws(() => good.getSignedCookie('cart', { salt: 'other' }), BadSignature);
    assert.throws(() => good.getSignedCookie('missing'), MultiValueDictKeyError);
    assert.equal(good.getSignedCookie('missing', { default: 'none' }), 'none');
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 61_000 });
    assert.throws(() => good.getSignedCookie('cart', { maxAge: 60 }), { code: 'NUAGES_SIGNATURE_EXPIRED' });
  });
});

describe('JsonResponse', () => {
  test('serializes an object with Content-Type application/json', () => {
    const response = new JsonResponse({ title: 'Dune', tags: ['sf'] });
    assert.equal(response.headers.get('Content-Type'), 'application/json');
    assert.deepEqual(JSON.parse(response.text), { title: 'Dune', tags: ['sf'] });
  });

  test('Decimal, Date, DateOnly and bigint serialize as strings and ISO dates', () => {
    const response = new JsonResponse({
      price: new Decimal('9.990'),
      at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
      day: DateOnly.of(2024, 1, 2),
      big: 12n,
      huge: 2n ** 70n,
    });
    assert.deepEqual(JSON.parse(response.text), {
      // decimal.js drops trailing zeros, so '9.990' reads back as Django would print Decimal('9.99').
      price: '9.99',
      at: '2024-01-02T03:04:05.678Z',
      day: '2024-01-02',
      big: 12,
      huge: '1180591620717411303424',
    });
  });

  test('safe (the default) refuses arrays and scalars; safe: false allows them', () => {
    assert.throws(() => new JsonResponse([1, 2]), ResponseContentError);
    assert.throws(() => new JsonResponse('x'), /safe: false/);
    assert.throws(() => new JsonResponse(null), ResponseContentError);
    assert.equal(new JsonResponse([1, 2], { safe: false }).text, '[1,2]');
    assert.equal(new JsonResponse(null, { safe: false }).text, 'null');
  });

  test('a value JSON cannot hold is a ResponseContentError', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    assert.throws(() => new JsonResponse(cyclic), ResponseContentError);
  });

  test('status, replacer and space are options', () => {
    const response = new JsonResponse({ a: 1, secret: 'x' }, { status: 201, space: 1, replacer: (k, v) => (k === 'secret' ? undefined : v) });
    assert.equal(response.status, 201);
    assert.equal(response.text, '{\n "a": 1\n}');
  });
});

describe('redirects', () => {
  test('HttpResponseRedirect is 302 with Location, IRI-escaped', () => {
    const response = new HttpResponseRedirect('/caf\u00e9/?q=a b');
    assert.equal(response.status, 302);
    assert.equal(response.url, '/caf%C3%A9/?q=a%20b');
    assert.equal(response.headers.get('location'), '/caf%C3%A9/?q=a%20b');
    assert.equal(new HttpResponseRedirect(new URL('https://example.com/x')).url, 'https://example.com/x');
  });

  test('permanent is 301; preserveRequest gives 307 and 308', () => {
    assert.equal(new HttpResponsePermanentRedirect('/x/').status, 301);
    assert.equal(new HttpResponseRedirect('/x/', { preserveRequest: true }).status, 307);
    assert.equal(new HttpResponsePermanentRedirect('/x/', { preserveRequest: true }).status, 308);
  });

  for (const target of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', '\tjava\nscript:alert(1)', 'data:text/html,<script>', 'vbscript:x', 'file:///etc/passwd']) {
    test(`refuses the unsafe redirect ${JSON.stringify(target)} with DisallowedRedirect`, () => {
      assert.throws(() => new HttpResponseRedirect(target), (err: unknown) => {
        assert.ok(err instanceof DisallowedRedirect);
        assert.ok(err instanceof SuspiciousOperation);
        assert.equal(err.code, 'NUAGES_DISALLOWED_REDIRECT');
        return true;
      });
    });
  }

  for (const target of ['http://example.com/', 'HTTPS://example.com/', 'ftp://files.example/', '//cdn.example/x', '/local', 'relative/path', '?page=2', 'mailto-like/path:x']) {
    test(`allows the redirect ${JSON.stringify(target)}`, () => {
      assert.equal(new HttpResponseRedirect(target).status, 302);
    });
  }

  test('refuses a redirect longer than 16384 characters', () => {
    assert.throws(() => new HttpResponseRedirect(`/${'a'.repeat(16384)}`), /exceeding 16384/);
  });
});

describe('status shortcuts', () => {
  test('each class carries its status', () => {
    assert.equal(new HttpResponseBadRequest().status, 400);
    assert.equal(new HttpResponseForbidden('no').status, 403);
    assert.equal(new HttpResponseNotFound('nope').text, 'nope');
    assert.equal(new HttpResponseNotFound().status, 404);
    assert.equal(new HttpResponseGone().status, 410);
    assert.equal(new HttpResponseServerError().status, 500);
    assert.equal(new HttpResponseNotFound('', { status: 404, reason: 'Lost' }).reasonPhrase, 'Lost');
  });

  test('HttpResponseNotAllowed lists the permitted methods in Allow', () => {
    const response = new HttpResponseNotAllowed(['get', 'POST']);
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('Allow'), 'GET, POST');
  });

  test('HttpResponseNotModified has no Content-Type and refuses content', () => {
    const response = new HttpResponseNotModified();
    assert.equal(response.status, 304);
    assert.equal(response.headers.has('Content-Type'), false);
    assert.throws(() => {
      response.content = 'x';
    }, ResponseContentError);
  });
});

describe('StreamingHttpResponse', () => {
  test('streams sync and async iterables as bytes', async () => {
    const sync = new StreamingHttpResponse(['a', Buffer.from('b')]);
    assert.equal(sync.streaming, true);
    assert.equal(sync.isAsync, false);
    assert.equal((await sync.readAll()).toString(), 'ab');
    async function* rows() {
      yield 'id,title\n';
      yield '1,Dune\n';
    }
    const response = new StreamingHttpResponse(rows(), { contentType: 'text/csv' });
    assert.equal(response.isAsync, true);
    const chunks: string[] = [];
    for await (const chunk of response.streamingContent) chunks.push(chunk.toString());
    assert.deepEqual(chunks, ['id,title\n', '1,Dune\n']);
  });

  test('has no content, and its source can be replaced', async () => {
    const response = new StreamingHttpResponse(['a']);
    assert.throws(() => response.content, ResponseContentError);
    response.streamingContent = ['b', 'c'];
    assert.equal((await response.readAll()).toString(), 'bc');
  });

  test('strings are encoded with the charset', async () => {
    await overrideSettings({ DEFAULT_CHARSET: 'latin1' }, async () => {
      const response = new StreamingHttpResponse(['\u00e9']);
      assert.equal(response.headers.get('Content-Type'), 'text/html; charset=latin1');
      assert.deepEqual(await response.readAll(), Buffer.from([0xe9]));
    });
  });
});

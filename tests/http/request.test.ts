import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import {
  BadRequest,
  BodyNotReadError,
  DisallowedHost,
  HttpRequest,
  InvalidJsonError,
  RequestDataTooBig,
  type RequestAttachments,
  SuspiciousOperation,
  TooManyFieldsSent,
  splitDomainPort,
  validateHost,
} from '../../src/http/index.ts';

configure({ SECRET_KEY: 'request-tests-secret', ALLOWED_HOSTS: ['testserver', 'shop.example', '.example.org'] });

interface Oracle {
  hosts: Array<{ host: string; domain: string; port: string; valid: Record<string, boolean> }>;
  allowedLists: string[];
  fullPaths: Array<{ path: string; request_path: string; full: string; full_slash: string }>;
  absolute: Array<{ location: string | null; uri: string }>;
}
const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'django-oracle.json'), 'utf8')) as Oracle;

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe('HttpRequest.create', () => {
  test('fills method, path, pathInfo, META and headers', () => {
    const request = HttpRequest.create({
      method: 'patch',
      path: '/books/1/?q=tea',
      headers: { 'User-Agent': 'curl', 'X-Requested-With': 'XMLHttpRequest', 'content-type': 'text/plain' },
    });
    assert.equal(request.method, 'PATCH');
    assert.equal(request.path, '/books/1/');
    assert.equal(request.pathInfo, '/books/1/');
    assert.equal(request.META['QUERY_STRING'], 'q=tea');
    assert.equal(request.META['HTTP_USER_AGENT'], 'curl');
    assert.equal(request.META['HTTP_X_REQUESTED_WITH'], 'XMLHttpRequest');
    assert.equal(request.META['CONTENT_TYPE'], 'text/plain');
    assert.equal(request.META['REMOTE_ADDR'], '127.0.0.1');
    assert.equal(request.META['SERVER_NAME'], 'testserver');
    assert.equal(request.headers.get('user-agent'), 'curl');
    assert.equal(request.headers.get('USER-AGENT'), 'curl');
    assert.deepEqual([...request.headers.keys()], ['User-Agent', 'X-Requested-With', 'Content-Type']);
  });

  test('SCRIPT_NAME prefixes path but not pathInfo', () => {
    const request = HttpRequest.create({ path: '/books/', scriptName: '/shop' });
    assert.equal(request.path, '/shop/books/');
    assert.equal(request.pathInfo, '/books/');
    assert.equal(request.getFullPath(), '/shop/books/');
  });

  test('a header spelled with an underscore is dropped so it cannot pose as a dashed one', () => {
    const request = HttpRequest.create({ headers: [['X-Forwarded-For', '1.1.1.1'], ['X_Forwarded_For', '6.6.6.6']] });
    assert.equal(request.META['HTTP_X_FORWARDED_FOR'], '1.1.1.1');
    assert.equal(request.headers.get('x_forwarded_for'), undefined);
  });

  test('repeated headers are joined and still available one by one', () => {
    const request = HttpRequest.create({
      headers: [['Accept', 'text/html'], ['accept', 'application/json'], ['Cookie', 'a=1'], ['Cookie', 'b=2']],
    });
    assert.equal(request.headers.get('accept'), 'text/html, application/json');
    assert.deepEqual(request.headers.getAll('Accept'), ['text/html', 'application/json']);
    assert.equal(request.META['HTTP_ACCEPT'], 'text/html,application/json');
    assert.deepEqual(request.COOKIES, { a: '1', b: '2' });
  });

  test('a huge header value is kept whole (the server enforces header size limits)', () => {
    const big = 'x'.repeat(64 * 1024);
    const request = HttpRequest.create({ headers: { 'X-Big': big } });
    assert.equal(request.headers.get('x-big')?.length, big.length);
  });

  for (const { path, request_path, full, full_slash } of oracle.fullPaths) {
    test(`path and getFullPath() of ${JSON.stringify(path)} match Django`, () => {
      const [rawPath, query] = path.split('?') as [string, string | undefined];
      // Django's RequestFactory takes an unquoted path; the wire form quotes what must be.
      const wire = encodeURI(rawPath).replace(/%25([0-9A-F]{2})/gi, '%$1') + (query === undefined ? '' : `?${query}`);
      const request = HttpRequest.create({ path: wire });
      assert.equal(request.path, request_path);
      assert.equal(request.getFullPath(), full);
      assert.equal(request.getFullPath(true), full_slash);
    });
  }

  test('bad percent-encoding in the path does not throw and stays visible', () => {
    const request = HttpRequest.create({ path: '/caf%C3%A9/%E9/%zz/%' });
    assert.equal(request.pathInfo, '/caf\u00e9/%E9/%zz/%');
  });

  test('bad percent-encoding in the query string is kept as Django keeps it', () => {
    const request = HttpRequest.create({ path: '/?a=%zz&b=%E9&c=%' });
    assert.deepEqual(request.GET.toJSON(), { a: ['%zz'], b: ['\ufffd'], c: ['%'] });
  });

  test('GET is parsed with the request encoding, and re-parsed when it changes', () => {
    const request = HttpRequest.create({ path: '/?q=%E9' });
    assert.equal(request.GET.get('q'), '\ufffd');
    request.encoding = 'latin1';
    assert.equal(request.GET.get('q'), '\u00e9');
  });

  test('contentType, contentParams and encoding come from the Content-Type header', () => {
    const request = HttpRequest.create({ headers: { 'Content-Type': 'Text/Plain; Charset="ISO-8859-1"' } });
    assert.equal(request.contentType, 'text/plain');
    assert.deepEqual(request.contentParams, { charset: 'ISO-8859-1' });
    assert.equal(request.encoding, 'ISO-8859-1');
    const unknown = HttpRequest.create({ headers: { 'Content-Type': 'text/plain; charset=no-such-charset' } });
    assert.equal(unknown.encoding, 'utf-8');
  });

  test('accepts() reads the Accept header with wildcards and q=0', () => {
    const request = HttpRequest.create({ headers: { Accept: 'text/html, application/*;q=0.8, image/png;q=0' } });
    assert.equal(request.accepts('text/html'), true);
    assert.equal(request.accepts('application/json'), true);
    assert.equal(request.accepts('image/png'), false);
    assert.equal(request.accepts('text/plain'), false);
    assert.equal(HttpRequest.create().accepts('anything/else'), true);
  });
});

describe('request cookies', () => {
  test('COOKIES decodes percent-encoded values and keeps broken ones as sent', () => {
    const request = HttpRequest.create({ headers: { Cookie: 'a=x%20y; b=%E9%; c="quoted"; junk; d=' } });
    assert.equal(request.COOKIES['a'], 'x y');
    assert.equal(request.COOKIES['b'], '%E9%');
    assert.equal(request.COOKIES['c'], 'quoted');
    assert.equal(request.COOKIES['d'], '');
    assert.equal(request.COOKIES['junk'], undefined);
  });
});

describe('Host validation', () => {
  for (const { host, domain, port, valid } of oracle.hosts) {
    test(`splitDomainPort and validateHost agree with Django on ${JSON.stringify(host)}`, () => {
      assert.deepEqual(splitDomainPort(host), [domain, port]);
      for (const list of oracle.allowedLists) {
        const allowed = JSON.parse(list) as string[];
        assert.equal(domain !== '' && validateHost(domain, allowed), valid[list], `allowed ${list}`);
      }
    });
  }

  test('getHost() returns the Host header when allowed, with its port', () => {
    assert.equal(HttpRequest.create({ headers: { Host: 'shop.example:8000' } }).getHost(), 'shop.example:8000');
    assert.equal(HttpRequest.create({ headers: { Host: 'a.b.example.org' } }).getHost(), 'a.b.example.org');
  });

  test('getHost() throws DisallowedHost, a SuspiciousOperation, naming the host to allow', () => {
    const request = HttpRequest.create({ headers: { Host: 'evil.com' } });
    assert.throws(() => request.getHost(), (err: unknown) => {
      assert.ok(err instanceof DisallowedHost);
      assert.ok(err instanceof SuspiciousOperation);
      assert.equal(err.code, 'NUAGES_DISALLOWED_HOST');
      assert.match(err.message, /add "evil\.com" to ALLOWED_HOSTS/);
      return true;
    });
  });

  for (const bad of ['shop.example@evil.com', 'shop.example:80:90', 'shop example', '', 'shop.example\r\nX: y']) {
    test(`getHost() refuses the malformed host ${JSON.stringify(bad)} as not RFC 1034/1035`, () => {
      const request = HttpRequest.create({ headers: { Host: bad } });
      assert.throws(() => request.getHost(), /not valid according to RFC 1034\/1035/);
    });
  }

  test('without a Host header, SERVER_NAME and a non-default port are used', () => {
    assert.equal(HttpRequest.create().getHost(), 'testserver');
    assert.equal(HttpRequest.create({ serverPort: 8080 }).getHost(), 'testserver:8080');
  });

  test('with DEBUG and no ALLOWED_HOSTS, localhost names pass and others do not', async () => {
    await overrideSettings({ DEBUG: true, ALLOWED_HOSTS: [] }, () => {
      assert.equal(HttpRequest.create({ headers: { Host: 'localhost:8000' } }).getHost(), 'localhost:8000');
      assert.equal(HttpRequest.create({ headers: { Host: 'api.localhost' } }).getHost(), 'api.localhost');
      assert.equal(HttpRequest.create({ headers: { Host: '[::1]:8000' } }).getHost(), '[::1]:8000');
      assert.throws(() => HttpRequest.create({ headers: { Host: 'example.com' } }).getHost(), DisallowedHost);
    });
  });

  test('X-Forwarded-Host and X-Forwarded-Port are honoured only when enabled', async () => {
    const request = HttpRequest.create({ headers: { Host: 'shop.example', 'X-Forwarded-Host': 'a.example.org', 'X-Forwarded-Port': '8443' } });
    assert.equal(request.getHost(), 'shop.example');
    assert.equal(request.getPort(), '80');
    await overrideSettings({ USE_X_FORWARDED_HOST: true, USE_X_FORWARDED_PORT: true }, () => {
      assert.equal(request.getHost(), 'a.example.org');
      assert.equal(request.getPort(), '8443');
    });
  });
});

describe('scheme and absolute URIs', () => {
  test('isSecure() follows SECURE_PROXY_SSL_HEADER only when configured', async () => {
    const request = HttpRequest.create({ headers: { 'X-Forwarded-Proto': 'https, http' } });
    assert.equal(request.isSecure(), false);
    await overrideSettings({ SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'] }, () => {
      assert.equal(request.scheme, 'https');
      assert.equal(request.isSecure(), true);
      assert.equal(HttpRequest.create({ headers: { 'X-Forwarded-Proto': 'http' } }).isSecure(), false);
      assert.equal(HttpRequest.create({ scheme: 'https' }).isSecure(), true);
    });
    await overrideSettings({ SECURE_PROXY_SSL_HEADER: 'HTTP_X_FORWARDED_PROTO' }, () => {
      assert.throws(() => request.isSecure(), /must be a pair/);
    });
  });

  for (const { location, uri } of oracle.absolute) {
    test(`buildAbsoluteUri(${JSON.stringify(location)}) matches Django`, () => {
      const request = HttpRequest.create({ path: '/shop/cart/?x=1', headers: { Host: 'shop.example' } });
      assert.equal(request.buildAbsoluteUri(location ?? undefined), uri);
    });
  }

  test('buildAbsoluteUri() refuses a disallowed host', () => {
    const request = HttpRequest.create({ headers: { Host: 'evil.com' } });
    assert.throws(() => request.buildAbsoluteUri('/x/'), DisallowedHost);
  });
});

describe('request body', () => {
  test('a request without a body needs no readBody(): body is empty, POST and FILES too', () => {
    const request = HttpRequest.create({ path: '/?a=1' });
    assert.equal(request.bodyRead, true);
    assert.equal(request.body.length, 0);
    assert.equal(request.POST.size, 0);
    assert.equal(request.FILES.size, 0);
  });

  test('reading body, POST, FILES or json() before readBody() throws BodyNotReadError', () => {
    const request = HttpRequest.create({ method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    for (const read of [() => request.body, () => request.POST, () => request.FILES, () => request.json()]) {
      assert.throws(read, (err: unknown) => err instanceof BodyNotReadError && /await request\.readBody\(\)/.test(err.message));
    }
  });

  test('readBody() parses a urlencoded form into an immutable POST', async () => {
    const request = HttpRequest.create({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=Dune&tag=sf&tag=classic&bad=%zz',
    });
    await request.readBody();
    await request.readBody();
    assert.equal(request.POST.get('title'), 'Dune');
    assert.deepEqual(request.POST.getList('tag'), ['sf', 'classic']);
    assert.equal(request.POST.get('bad'), '%zz');
    assert.equal(request.POST.mutable, false);
    assert.equal(request.body.toString(), 'title=Dune&tag=sf&tag=classic&bad=%zz');
  });

  test('readBody() is idempotent while the stream is being read', async () => {
    const request = HttpRequest.create({ method: 'POST', body: chunks('a=', '1'), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await Promise.all([request.readBody(), request.readBody()]);
    assert.equal(request.POST.get('a'), '1');
  });

  test('a non-form body leaves POST empty and is kept as bytes', async () => {
    const request = HttpRequest.create({ method: 'PUT', headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2' });
    await request.readBody();
    assert.equal(request.POST.size, 0);
    assert.equal(request.body.toString(), 'a,b\n1,2');
  });

  test('json() parses the body', async () => {
    const request = HttpRequest.create({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"Dune","price":"9.99"}' });
    await request.readBody();
    assert.deepEqual(request.json(), { title: 'Dune', price: '9.99' });
  });

  test('json() on invalid JSON throws InvalidJsonError, a BadRequest', async () => {
    for (const body of ['{"title": ', '', 'undefined', '\u00ff\u00fe']) {
      const request = HttpRequest.create({ method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await request.readBody();
      assert.throws(() => request.json(), (err: unknown) => {
        assert.ok(err instanceof InvalidJsonError);
        assert.ok(err instanceof BadRequest);
        assert.equal(err.code, 'NUAGES_HTTP_INVALID_JSON');
        return true;
      });
    }
  });

  test('a body over DATA_UPLOAD_MAX_MEMORY_SIZE throws RequestDataTooBig, declared or streamed', async () => {
    await overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: 10 }, async () => {
      const declared = HttpRequest.create({ method: 'POST', body: 'x'.repeat(11) });
      await assert.rejects(declared.readBody(), RequestDataTooBig);

      let pulled = 0;
      async function* endless(): AsyncIterable<Uint8Array> {
        for (;;) {
          pulled += 1;
          yield Buffer.alloc(4);
        }
      }
      const streamed = HttpRequest.create({ method: 'POST', body: endless(), headers: { 'transfer-encoding': 'chunked' } });
      await assert.rejects(streamed.readBody(), (err: unknown) => {
        assert.ok(err instanceof RequestDataTooBig);
        assert.equal(err.code, 'NUAGES_REQUEST_DATA_TOO_BIG');
        assert.match(err.message, /DATA_UPLOAD_MAX_MEMORY_SIZE \(10 bytes\)/);
        return true;
      });
      assert.ok(pulled <= 3, `stopped reading at the limit, pulled ${pulled} chunks`);

      const fits = HttpRequest.create({ method: 'POST', body: 'x'.repeat(10) });
      await fits.readBody();
      assert.equal(fits.body.length, 10);
    });
  });

  test('DATA_UPLOAD_MAX_MEMORY_SIZE null lifts the limit', async () => {
    await overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: null }, async () => {
      const request = HttpRequest.create({ method: 'POST', body: Buffer.alloc(3 * 1024 * 1024) });
      await request.readBody();
      assert.equal(request.body.length, 3 * 1024 * 1024);
    });
  });

  test('too many urlencoded fields throws TooManyFieldsSent when POST is read', async () => {
    await overrideSettings({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 3 }, async () => {
      const request = HttpRequest.create({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=2&c=3&d=4' });
      await request.readBody();
      assert.throws(() => request.POST, TooManyFieldsSent);
    });
  });

  test('a failing body stream rejects with RequestAborted', async () => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from('a');
      throw new Error('socket hang up');
    }
    const request = HttpRequest.create({ method: 'POST', body: broken() });
    await assert.rejects(request.readBody(), { code: 'NUAGES_REQUEST_ABORTED' });
  });
});

describe('attach points', () => {
  test('session, user, resolverMatch and state can be set by middleware', () => {
    const request = HttpRequest.create();
    // Typed (SessionBase, the user model) once nuages/contrib/* is in the program; the attach points take anything.
    (request as RequestAttachments).user = { username: 'ada' };
    (request as RequestAttachments).session = new Map();
    request.resolverMatch = { route: 'books/<int:id>/', urlName: 'book-detail' };
    request.state['started'] = 1;
    assert.deepEqual((request as RequestAttachments).user, { username: 'ada' });
    assert.equal(request.resolverMatch.urlName, 'book-detail');
    assert.equal(String(request), '<HttpRequest: GET "/">');
  });
});

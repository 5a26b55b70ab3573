// Expected behaviour checked against Django 5.2's CommonMiddleware.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpResponse, StreamingHttpResponse } from '../../src/http/index.ts';
import { AppendSlashBodyLostError, CommonMiddleware } from '../../src/middleware/index.ts';
import { path } from '../../src/urls/index.ts';
import { Client } from '../../src/test/index.ts';

let previousLogger: RequestLogger;
before(() => {
  configure({ SECRET_KEY: 'test', ALLOWED_HOSTS: ['testserver', 'example.com', 'www.example.com'] });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

const noSlash = Object.assign(async () => new HttpResponse('no slash please'), { shouldAppendSlash: false });
const urlpatterns = [
  path('books/', async () => new HttpResponse('books')),
  path('exact', async () => new HttpResponse('exact')),
  path('feed/', noSlash),
  path('stream/', async () => new StreamingHttpResponse(['a', 'b']) as unknown as HttpResponse),
];

function client(options: { raiseRequestException?: boolean } = {}): Client {
  return new Client({ urlconf: urlpatterns, middleware: [CommonMiddleware], ...options });
}

test('APPEND_SLASH redirects (301) to the slashed path when it resolves, keeping the query', async () => {
  const response = await client().get('/books?page=2');
  assert.equal(response.status, 301);
  assert.equal(response.headers.get('Location'), '/books/?page=2');
});

test('APPEND_SLASH leaves a path alone when it resolves without the slash, or not at all with it', async () => {
  assert.equal((await client().get('/exact')).status, 200);
  assert.equal((await client().get('/nowhere')).status, 404);
});

test('APPEND_SLASH is off when the setting is false', async () => {
  await overrideSettings({ APPEND_SLASH: false }, async () => {
    assert.equal((await client().get('/books')).status, 404);
  });
});

test('a view with shouldAppendSlash = false is not redirected to', async () => {
  assert.equal((await client().get('/feed')).status, 404);
});

test('a POST without the slash raises in DEBUG (the body would be lost) and redirects otherwise', async () => {
  await overrideSettings({ DEBUG: true }, async () => {
    await assert.rejects(client().post('/books', { title: 'Dune' }), (error: unknown) => {
      assert.ok(error instanceof AppendSlashBodyLostError);
      assert.equal(error.code, 'NUAGES_APPEND_SLASH_BODY_LOST');
      assert.match(error.message, /POST .* testserver\/books\/ .* APPEND_SLASH: false/);
      return true;
    });
  });
  const response = await client().post('/books', { title: 'Dune' });
  assert.equal(response.status, 301);
  assert.equal(response.headers.get('Location'), '/books/');
});

test('a path starting with two slashes is not turned into a scheme-relative redirect', async () => {
  const response = await client().get('//evil.example/books');
  assert.equal(response.status, 404);
  const urls = [path('/evil.example/books/', async () => new HttpResponse('x'))];
  const tricky = await new Client({ urlconf: urls, middleware: [CommonMiddleware] }).get('//evil.example/books');
  assert.equal(tricky.status, 301);
  assert.equal(tricky.headers.get('Location'), '/%2Fevil.example/books/');
});

test('PREPEND_WWW redirects to www. with the slash added in the same redirect', async () => {
  await overrideSettings({ PREPEND_WWW: true }, async () => {
    const response = await client().get('/books', undefined, { headers: { Host: 'example.com' } });
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('Location'), 'http://www.example.com/books/');
    const already = await client().get('/books/', undefined, { headers: { Host: 'www.example.com' } });
    assert.equal(already.status, 200);
  });
});

test('DISALLOWED_USER_AGENTS answers 403', async () => {
  await overrideSettings({ DISALLOWED_USER_AGENTS: [/BadBot/] }, async () => {
    const response = await client().get('/books/', undefined, { headers: { 'User-Agent': 'BadBot/1.0' } });
    assert.equal(response.status, 403);
    assert.equal((await client().get('/books/', undefined, { headers: { 'User-Agent': 'Firefox' } })).status, 200);
  });
});

test('Content-Length is set on in-memory responses, not on streaming ones', async () => {
  const response = await client().get('/books/');
  assert.equal(response.headers.get('Content-Length'), '5');
  const streaming = await client().get('/stream/');
  assert.equal(streaming.headers.get('Content-Length'), undefined);
});

test('a subclass can redirect with another response class', async () => {
  class TemporaryCommon extends CommonMiddleware {}
  TemporaryCommon.redirectClass = class extends HttpResponse {
    constructor(url: string) {
      super('', { status: 302, headers: { Location: url } });
    }
  };
  const response = await new Client({ urlconf: urlpatterns, middleware: [TemporaryCommon] }).get('/books');
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('Location'), '/books/');
});

test('every request is checked against ALLOWED_HOSTS, not only when PREPEND_WWW needs the host: an unlisted Host is a 400', async () => {
  const response = await client().get('/books/', undefined, { headers: { Host: 'attacker.example' } });
  assert.equal(response.status, 400);
  assert.equal((await client().get('/books/', undefined, { headers: { Host: 'example.com' } })).status, 200);
});

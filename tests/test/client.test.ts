import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import {
  HttpResponse,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  JsonResponse,
  UploadedFile,
  type HttpRequest,
} from '../../src/http/index.ts';
import { renderToString, resetTemplateEngines } from '../../src/template/index.ts';
import { path } from '../../src/urls/index.ts';
import { Client, RequestFactory, TestClientError } from '../../src/test/index.ts';

let previousLogger: RequestLogger;
before(() => {
  configure({
    SECRET_KEY: 'test',
    ALLOWED_HOSTS: ['example.com'],
    TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: [join(import.meta.dirname, 'fixtures', 'templates')] }],
  });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetTemplateEngines();
  resetSettings();
});

function describeRequest(request: HttpRequest): Record<string, unknown> {
  return {
    method: request.method,
    path: request.path,
    query: request.GET.toJSON(),
    post: request.POST.toJSON(),
    files: [...request.FILES.lists()].map(([name, files]) => [name, files.map((f) => f.name)]),
    contentType: request.contentType,
    cookies: request.COOKIES,
    secure: request.isSecure(),
    host: request.getHost(),
  };
}

const echo = async (request: HttpRequest) => new JsonResponse(describeRequest(request));
const urlpatterns = [
  path('echo/', echo),
  path('json/', async (request) => new JsonResponse({ got: request.json() })),
  path('login/', async () => {
    const response = new HttpResponseRedirect('/echo/');
    response.setCookie('sessionid', 'abc123', { httpOnly: true });
    return response;
  }),
  path('logout/', async () => {
    const response = new HttpResponse('bye');
    response.deleteCookie('sessionid');
    return response;
  }),
  path('old/', async () => new HttpResponsePermanentRedirect('/new/')),
  path('new/', async () => new HttpResponseRedirect('/echo/?from=new')),
  path('keep/', async () => new HttpResponseRedirect('/echo/', { preserveRequest: true })),
  path('loop/', async () => new HttpResponseRedirect('/loop/')),
  path('away/', async () => new HttpResponseRedirect('https://example.com/echo/')),
  path('books/', async (request) => new HttpResponse(await renderToString('book_list.html', { books: ['Dune', 'Emma'] }, request))),
  path('boom/', async () => {
    throw new Error('view exploded');
  }),
];

function client(options: { raiseRequestException?: boolean } = {}): Client {
  return new Client({ urlconf: urlpatterns, ...options });
}

describe('Client', () => {
  test('get() sends data as the query string, repeated for arrays', async () => {
    const response = await client().get('/echo/', { q: 'dune', tag: ['sf', 'classic'] });
    assert.deepEqual(response.json(), {
      ...(response.json() as object),
      method: 'GET',
      query: { q: ['dune'], tag: ['sf', 'classic'] },
    });
  });

  test('post() sends an object as multipart, with files', async () => {
    const response = await client().post('/echo/', {
      title: 'Dune',
      cover: UploadedFile.fromContent('cover.png', Buffer.from([1, 2, 3]), 'image/png'),
      notes: new File(['hello'], 'notes.txt', { type: 'text/plain' }),
    });
    const body = response.json() as Record<string, unknown>;
    assert.equal(body['contentType'], 'multipart/form-data');
    assert.deepEqual(body['post'], { title: ['Dune'] });
    assert.deepEqual(body['files'], [['cover', ['cover.png']], ['notes', ['notes.txt']]]);
  });

  test('post() with a urlencoded content type sends a form body', async () => {
    const response = await client().post('/echo/', { a: '1', b: ['2', '3'] }, { contentType: 'application/x-www-form-urlencoded' });
    assert.deepEqual((response.json() as { post: unknown }).post, { a: ['1'], b: ['2', '3'] });
  });

  test('a JSON content type serializes the data, and response.json() parses the answer', async () => {
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const response = await client()[method]('/json/', { title: 'Dune', tags: [1, 2] }, { contentType: 'application/json' });
      assert.deepEqual(response.json(), { got: { title: 'Dune', tags: [1, 2] } }, method);
    }
  });

  test('response.json() refuses a response that is not JSON', async () => {
    const response = await client().get('/logout/');
    assert.throws(() => response.json(), TestClientError);
  });

  test('head, options and trace reach the view with their method', async () => {
    for (const method of ['options', 'trace'] as const) {
      const response = await client()[method]('/echo/');
      assert.equal((response.json() as { method: string }).method, method.toUpperCase());
    }
    const head = await client().head('/echo/');
    assert.equal(head.status, 200);
  });

  test('cookies set by a response are sent with the next request and deleted when expired', async () => {
    const c = client();
    await c.get('/login/');
    assert.equal(c.cookies.get('sessionid'), 'abc123');
    const echoed = await c.get('/echo/');
    assert.deepEqual((echoed.json() as { cookies: unknown }).cookies, { sessionid: 'abc123' });
    await c.get('/logout/');
    assert.equal(c.cookies.has('sessionid'), false);
  });

  test('follow: true follows redirects and records the chain', async () => {
    const response = await client().get('/old/', undefined, { follow: true });
    assert.deepEqual(response.redirectChain, [
      ['/new/', 301],
      ['/echo/?from=new', 302],
    ]);
    assert.deepEqual((response.json() as { query: unknown }).query, { from: ['new'] });
    const once = await client().get('/old/');
    assert.equal(once.status, 301);
    assert.deepEqual(once.redirectChain, []);
  });

  test('a 302 after a POST becomes a GET; a 307 repeats the method and body', async () => {
    const afterPost = await client().post('/login/', { a: '1' }, { follow: true });
    assert.equal((afterPost.json() as { method: string }).method, 'GET');
    const preserved = await client().post('/keep/', { a: '1' }, { follow: true });
    const body = preserved.json() as { method: string; post: unknown };
    assert.equal(body.method, 'POST');
    assert.deepEqual(body.post, { a: ['1'] });
  });

  test('a redirect to another host follows with that Host and scheme', async () => {
    const response = await client().get('/away/', undefined, { follow: true });
    const body = response.json() as { host: string; secure: boolean };
    assert.equal(body.host, 'example.com');
    assert.equal(body.secure, true);
  });

  test('a redirect loop is reported instead of followed forever', async () => {
    await assert.rejects(client().get('/loop/', undefined, { follow: true }), (error: unknown) => {
      assert.ok(error instanceof TestClientError);
      assert.match(error.message, /Redirect loop: 302 → \/loop\/, 302 → \/loop\//);
      return true;
    });
  });

  test('templates and context of the page are captured, extends parents and includes too', async () => {
    const response = await client().get('/books/');
    assert.equal(response.text, '<title>Shop</title><li>Dune</li>\n<li>Emma</li>\n\n');
    assert.deepEqual(
      response.templates.map((t) => t.name),
      ['book_list.html', 'base.html', 'book_item.html', 'book_item.html'],
    );
    assert.deepEqual(response.context?.['books'], ['Dune', 'Emma']);
    assert.equal(response.contexts[2]?.['book'], 'Dune');
    assert.equal(response.contexts[3]?.['book'], 'Emma');
  });

  test('a response without templates has no context', async () => {
    const response = await client().get('/echo/');
    assert.deepEqual(response.templates, []);
    assert.equal(response.context, undefined);
  });

  test("a view's error is re-thrown by default, and is a 500 with raiseRequestException: false", async () => {
    await assert.rejects(client().get('/boom/'), /view exploded/);
    const response = await client({ raiseRequestException: false }).get('/boom/');
    assert.equal(response.status, 500);
  });

  test('the request and resolver match are on the response', async () => {
    const response = await client().get('/echo/?a=1');
    assert.equal(response.request.getFullPath(), '/echo/?a=1');
    assert.equal(response.resolverMatch?.route, 'echo/');
  });

  test('testserver is an allowed host in tests, as in Django', async () => {
    const response = await client().get('/echo/');
    assert.equal((response.json() as { host: string }).host, 'testserver');
  });

  test('secure: true makes an HTTPS request', async () => {
    const response = await client().get('/echo/', undefined, { secure: true });
    assert.equal((response.json() as { secure: boolean }).secure, true);
  });

  test('concurrent requests capture their own templates', async () => {
    const c = client();
    const [a, b] = await Promise.all([c.get('/books/'), c.get('/echo/')]);
    assert.equal(a.templates.length, 4);
    assert.equal(b.templates.length, 0);
  });
});

describe('RequestFactory', () => {
  test('builds a request with its body read, for calling a view directly', async () => {
    const factory = new RequestFactory({ headers: { 'User-Agent': 'tests' } });
    const request = await factory.post('/books/', { title: 'Dune' });
    assert.equal(request.POST.get('title'), 'Dune');
    assert.equal(request.headers.get('user-agent'), 'tests');
    const view = async (r: HttpRequest) => new HttpResponse(`${r.method} ${r.POST.get('title') ?? ''}`);
    assert.equal((await view(request)).text, 'POST Dune');
  });

  test('a full URL sets the host and scheme; query replaces the query string', async () => {
    const request = await new RequestFactory().get('https://example.com/books/?a=1', undefined, { query: { b: 2 } });
    assert.equal(request.isSecure(), true);
    assert.equal(request.getHost(), 'example.com');
    assert.equal(request.getFullPath(), '/books/?b=2');
  });

  test('JSON bodies for put and patch', async () => {
    const request = await new RequestFactory().patch('/books/1/', { price: '9.99' }, { contentType: 'application/json' });
    assert.deepEqual(request.json(), { price: '9.99' });
    assert.equal(request.method, 'PATCH');
  });
});

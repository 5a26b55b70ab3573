// HttpRequest.fromNode builds META and headers on first read; these tests pin what
// they hold and that a request which never reads them never pays for them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { HttpRequest } from '../../src/http/index.ts';

interface FakeSocket {
  reads: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

function fakeSocket(): FakeSocket {
  return {
    reads: 0,
    get remoteAddress() { this.reads++; return '10.0.0.7'; },
    get remotePort() { this.reads++; return 51000; },
    get localAddress() { this.reads++; return '10.0.0.1'; },
    get localPort() { this.reads++; return 8000; },
  };
}

function nodeRequest(url: string, rawHeaders: string[], socket = fakeSocket(), method = 'GET'): IncomingMessage {
  return {
    url,
    method,
    httpVersion: '1.1',
    rawHeaders,
    socket,
    get headers(): never {
      throw new Error('fromNode must read rawHeaders, not the parsed headers object');
    },
  } as unknown as IncomingMessage;
}

describe('HttpRequest.fromNode laziness', () => {
  test('a request whose META is never read never asks the socket for its addresses', () => {
    const socket = fakeSocket();
    const request = HttpRequest.fromNode(nodeRequest('/books/?page=2', ['Host', 'shop.example'], socket));
    assert.equal(request.path, '/books/');
    assert.equal(request.method, 'GET');
    assert.equal(socket.reads, 0);
    assert.equal(request.META['REMOTE_ADDR'], '10.0.0.7');
    assert.ok(socket.reads > 0);
  });

  test('META is built once and stays the same mutable object', () => {
    const request = HttpRequest.fromNode(
      nodeRequest('/a/?q=tea', ['Host', 'shop.example', 'Cookie', 'a=1', 'cookie', 'b=2', 'X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2', 'Content-Type', 'text/plain']),
    );
    const meta = request.META;
    assert.equal(request.META, meta);
    assert.equal(meta['HTTP_HOST'], 'shop.example');
    assert.equal(meta['HTTP_COOKIE'], 'a=1; b=2');
    assert.equal(meta['HTTP_X_FORWARDED_FOR'], '1.1.1.1,2.2.2.2');
    assert.equal(meta['CONTENT_TYPE'], 'text/plain');
    assert.equal(meta['QUERY_STRING'], 'q=tea');
    assert.equal(meta['PATH_INFO'], '/a/');
    assert.equal(meta['REQUEST_METHOD'], 'GET');
    assert.equal(meta['SERVER_NAME'], '10.0.0.1');
    assert.equal(meta['SERVER_PORT'], '8000');
    assert.equal(meta['SERVER_PROTOCOL'], 'HTTP/1.1');
    meta['HTTP_X_CUSTOM'] = 'set by a middleware';
    assert.equal(request.META['HTTP_X_CUSTOM'], 'set by a middleware');
    assert.deepEqual(request.COOKIES, { a: '1', b: '2' });
    assert.equal(request.GET.get('q'), 'tea');
  });

  test("a header spelled with '_' is in neither META nor headers", () => {
    const request = HttpRequest.fromNode(nodeRequest('/', ['Host', 'h', 'X_Forwarded_For', 'spoof', 'X-Real', 'yes']));
    assert.equal(request.headers.get('x_forwarded_for'), undefined);
    assert.equal(request.META['HTTP_X_FORWARDED_FOR'], undefined);
    assert.equal(request.headers.get('X-REAL'), 'yes');
    assert.deepEqual([...request.headers.keys()], ['Host', 'X-Real']);
  });

  test('headers are built once, on first read', () => {
    const request = HttpRequest.fromNode(nodeRequest('/', ['Accept', 'text/html', 'accept', 'application/json']));
    assert.equal(request.headers, request.headers);
    assert.equal(request.headers.get('accept'), 'text/html, application/json');
    assert.deepEqual(request.headers.getAll('ACCEPT'), ['text/html', 'application/json']);
  });

  test('without Content-Length or Transfer-Encoding there is no body to read', async () => {
    const request = HttpRequest.fromNode(nodeRequest('/', ['Host', 'h']));
    assert.equal(request.bodyRead, true);
    assert.equal(request.body.length, 0);
    assert.equal(request.hasUploads, false);
    assert.equal(request.FILES.size, 0);
    await request.close();
  });

  test('Content-Length other than 0, in any case, means a body is expected', () => {
    assert.equal(HttpRequest.fromNode(nodeRequest('/', ['content-LENGTH', '5'], fakeSocket(), 'POST')).bodyRead, false);
    assert.equal(HttpRequest.fromNode(nodeRequest('/', ['Content-Length', '0'], fakeSocket(), 'POST')).bodyRead, true);
    assert.equal(HttpRequest.fromNode(nodeRequest('/', ['Transfer-Encoding', 'chunked'], fakeSocket(), 'POST')).bodyRead, false);
  });

  test('an ASCII path without escapes is kept as sent; escapes and broken UTF-8 still decode', () => {
    assert.equal(HttpRequest.fromNode(nodeRequest('/books/a-b_c~1/', [])).pathInfo, '/books/a-b_c~1/');
    assert.equal(HttpRequest.fromNode(nodeRequest('/caf%C3%A9/', [])).pathInfo, '/café/');
    assert.equal(HttpRequest.fromNode(nodeRequest('/bad%FF/', [])).pathInfo, '/bad%FF/');
  });

  test('state is a per-request object, created on first use and replaceable', () => {
    const one = HttpRequest.create();
    const two = HttpRequest.create();
    one.state['seen'] = true;
    assert.deepEqual(two.state, {});
    assert.equal(one.state['seen'], true);
    one.state = { replaced: 1 };
    assert.deepEqual(one.state, { replaced: 1 });
  });
});

// HttpRequest.fromNode against a real node:http server on loopback, with raw
// sockets for the requests a well-behaved client would never send.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { configure } from '../../src/conf/index.ts';
import { HttpRequest, RequestDataTooBig, SuspiciousOperation, BadRequest } from '../../src/http/index.ts';

// Settings are read in the server's async context, so limits are configured here, not overridden per test.
configure({ SECRET_KEY: 'from-node-tests-secret', ALLOWED_HOSTS: ['127.0.0.1', 'shop.example'], DATA_UPLOAD_MAX_MEMORY_SIZE: 50_000 });

let server: Server;
let port: number;

// A stand-in for the handler (src/core/handlers): enough to turn the request into JSON.
before(async () => {
  server = createServer(async (req, res) => {
    const request = HttpRequest.fromNode(req);
    try {
      await request.readBody();
      const body = request.contentType === 'application/json' ? request.json() : request.POST.toJSON();
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          method: request.method,
          path: request.path,
          get: request.GET.toJSON(),
          host: request.getHost(),
          remote: request.META['REMOTE_ADDR'],
          serverPort: request.META['SERVER_PORT'],
          accept: request.headers.get('accept') ?? null,
          xa: request.headers.getAll('x-a'),
          bodyRead: request.bodyRead,
          body,
        }),
      );
    } catch (error) {
      res.statusCode = error instanceof RequestDataTooBig ? 413 : error instanceof SuspiciousOperation || error instanceof BadRequest ? 400 : 500;
      res.end((error as Error).message);
      // An unread body would otherwise keep the connection busy.
      req.resume();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Send raw bytes and return the raw response text. */
function raw(text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString()));
    // The server may reset the connection right after answering a request it refused.
    socket.on('error', (error) => (chunks.length > 0 ? resolve(Buffer.concat(chunks).toString()) : reject(error)));
    socket.end(text);
  });
}

function parse(response: string): { status: number; json: Record<string, unknown> | undefined; body: string } {
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(response)?.[1]);
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status, json, body };
}

describe('HttpRequest.fromNode', () => {
  test('a GET carries method, decoded path, query, host, socket addresses and no body to read', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/caf%C3%A9/?q=a+b&q=%zz`, { headers: { Accept: 'text/html' } });
    const json = (await res.json()) as Record<string, unknown>;
    assert.equal(json['method'], 'GET');
    assert.equal(json['path'], '/caf\u00e9/');
    assert.deepEqual(json['get'], { q: ['a b', '%zz'] });
    assert.equal(json['host'], `127.0.0.1:${port}`);
    assert.equal(json['remote'], '127.0.0.1');
    assert.equal(json['serverPort'], String(port));
    assert.equal(json['accept'], 'text/html');
  });

  test('a urlencoded POST is read from the socket', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/form/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'title=Dune&tag=a&tag=b',
    });
    assert.deepEqual(((await res.json()) as Record<string, unknown>)['body'], { title: ['Dune'], tag: ['a', 'b'] });
  });

  test('a chunked JSON body is read without Content-Length', async () => {
    const response = parse(
      await raw(
        'POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
          '6\r\n{"a": \r\n3\r\n[1]\r\n1\r\n}\r\n0\r\n\r\n',
      ),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(response.json?.['body'], { a: [1] });
  });

  test('invalid JSON answers 400 and the server keeps serving', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /not valid JSON/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  });

  test('repeated headers arrive joined, and one by one through getAll()', async () => {
    const response = parse(
      await raw('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nAccept: application/json\r\nX-A: 1\r\nX-A: 2\r\nConnection: close\r\n\r\n'),
    );
    assert.equal(response.json?.['accept'], 'text/html, application/json');
    assert.deepEqual(response.json?.['xa'], ['1', '2']);
  });

  test('a large header under the server limit is kept whole; an oversized one gets 431 and the server keeps serving', async () => {
    const ok = parse(await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ${'v'.repeat(8000)}\r\nConnection: close\r\n\r\n`));
    assert.equal(ok.status, 200);
    assert.equal((ok.json?.['xa'] as string[])[0]?.length, 8000);
    const huge = await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ${'v'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  });

  test('an absolute-form request target is reduced to its path', async () => {
    const response = parse(await raw('GET http://shop.example/books/?page=2 HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n'));
    assert.equal(response.json?.['path'], '/books/');
    assert.deepEqual(response.json?.['get'], { page: ['2'] });
  });

  test('a body over DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 and the server keeps serving', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/upload/`, { method: 'POST', body: 'x'.repeat(200_000) });
    assert.equal(res.status, 413);
    assert.match(await res.text(), /DATA_UPLOAD_MAX_MEMORY_SIZE \(50000 bytes\)/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
  });

  test('an invalid Host header answers 400', async () => {
    const response = parse(await raw('GET / HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n'));
    assert.equal(response.status, 400);
    assert.match(response.body, /ALLOWED_HOSTS/);
  });
});

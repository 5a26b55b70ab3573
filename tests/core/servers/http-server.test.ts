import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestDataTooBig } from '../../../src/core/exceptions.ts';
import { NuagesServer, type RequestLogEntry } from '../../../src/core/servers/index.ts';
import { fetchText, rawExchange, statusOf } from './helpers.ts';

// The app under test reads the body as HttpRequest does (for await), and answers with its size.
async function echoApp(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/slow') await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? 300)));
  if (url.pathname === '/boom') throw new Error('the view failed');
  let size = 0;
  for await (const chunk of req) size += (chunk as Buffer).length;
  const body = `${req.method} ${url.pathname} ${size}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

describe('NuagesServer limits', () => {
  let server: NuagesServer;
  let port: number;
  const log: RequestLogEntry[] = [];
  const errors: unknown[] = [];

  before(async () => {
    server = new NuagesServer({
      app: echoApp,
      port: 0,
      maxBodySize: 1024,
      maxHeaderSize: 4096,
      onResponse: (entry) => log.push(entry),
      onError: (error) => errors.push(error),
    });
    port = (await server.listen()).port;
  });
  after(() => server.close(1));

  test('answers the app and logs the request', async () => {
    const res = await fetchText(port, '/hello?x=1');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'GET /hello 0');
    const entry = log.find((e) => e.url === '/hello?x=1');
    assert.ok(entry);
    assert.equal(entry.status, 200);
    assert.equal(entry.size, 12);
    assert.equal(entry.completed, true);
  });

  test('health path answers 200 ok without calling the app', async () => {
    const res = await fetchText(port, '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok\n');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal((await fetchText(port, '/healthzz')).body, 'GET /healthzz 0');
  });

  test('headers over maxHeaderSize get 431 and the server keeps serving', async () => {
    const raw = await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`);
    assert.equal(statusOf(raw), 431);
    assert.equal((await fetchText(port, '/after')).status, 200);
  });

  test('a declared body over maxBodySize gets 413 before the app reads it', async () => {
    const res = await fetchText(port, '/upload', { method: 'POST', body: Buffer.alloc(5000, 97) });
    assert.equal(res.status, 413);
    assert.match(res.body, /over this server's limit of 1024 bytes/);
    assert.equal(res.headers['connection'], 'close');
    assert.equal((await fetchText(port, '/upload', { method: 'POST', body: 'small' })).body, 'POST /upload 5');
  });

  test('a chunked body is cut off at maxBodySize with 413', async () => {
    const chunk = 'x'.repeat(600);
    const chunked = `${(600).toString(16)}\r\n${chunk}\r\n`.repeat(3) + '0\r\n\r\n';
    const raw = await rawExchange(port, `POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
    assert.equal(statusOf(raw), 413);
    assert.ok(errors.some((e) => e instanceof RequestDataTooBig));
    assert.equal((await fetchText(port, '/after')).status, 200);
  });

  test('a request without Host is refused with 400', async () => {
    const raw = await rawExchange(port, 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(statusOf(raw), 400);
  });

  test('garbage on the socket gets 400 and the server keeps serving', async () => {
    const raw = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.equal(statusOf(raw), 400);
    assert.equal((await fetchText(port, '/after')).status, 200);
  });

  test('an app that throws gets a plain 500', async () => {
    const res = await fetchText(port, '/boom');
    assert.equal(res.status, 500);
    assert.equal(res.body, 'Internal Server Error\n');
    assert.ok(errors.some((e) => e instanceof Error && e.message === 'the view failed'));
  });
});

describe('NuagesServer graceful close', () => {
  test('close() lets in-flight requests finish and refuses new connections', async () => {
    const server = new NuagesServer({ app: echoApp, port: 0 });
    const { port } = await server.listen();
    const pending = Array.from({ length: 5 }, () => fetchText(port, '/slow?ms=400'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.inFlight, 5);
    const closed = server.close(5);
    const health = await fetchText(port, '/healthz').catch((error: NodeJS.ErrnoException) => error.code);
    assert.equal(health, 'ECONNREFUSED');
    const responses = await Promise.all(pending);
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
    for (const r of responses) assert.equal(r.headers['connection'], 'close');
    await closed;
    assert.equal(server.inFlight, 0);
  });

  test('close() cuts requests still running after the timeout', async () => {
    const server = new NuagesServer({ app: echoApp, port: 0 });
    const { port } = await server.listen();
    const pending = fetchText(port, '/slow?ms=5000').catch((error: NodeJS.ErrnoException) => error.code);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await server.close(0.2);
    assert.ok(Date.now() - started < 2000);
    assert.equal(await pending, 'ECONNRESET');
  });
});

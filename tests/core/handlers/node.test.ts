import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { NodeHandler, setRequestLogger, type RequestLogger } from '../../../src/core/handlers/index.ts';
import { requestFinished } from '../../../src/core/signals.ts';
import { HttpResponse, StreamingHttpResponse } from '../../../src/http/index.ts';
import { path } from '../../../src/urls/index.ts';

let server: Server;
let base: string;
let previousLogger: RequestLogger;
let streamClosed = false;

const urlpatterns = [
  path('hello/', async () => {
    const response = new HttpResponse('héllo', { contentType: 'text/plain; charset=utf-8' });
    response.setCookie('theme', 'dark', { httpOnly: true });
    response.setCookie('lang', 'fr');
    return response;
  }),
  path('stream/', async () => {
    async function* chunks() {
      try {
        for (let i = 0; i < 3; i++) yield `chunk ${i}\n`;
      } finally {
        streamClosed = true;
      }
    }
    // ViewFunction is typed to return HttpResponse; streaming responses are handled all the same.
    return new StreamingHttpResponse(chunks(), { contentType: 'text/plain' }) as unknown as HttpResponse;
  }),
  path('echo/', async (request) => new HttpResponse(request.body)),
  path('host/', async (request) => new HttpResponse(request.getHost())),
  path('empty/', async () => new HttpResponse('', { status: 204 })),
];

before(async () => {
  configure({ SECRET_KEY: 'test', ALLOWED_HOSTS: ['127.0.0.1'] });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  server = createServer(new NodeHandler({ urlconf: urlpatterns }).listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  setRequestLogger(previousLogger);
  resetSettings();
});

test('a response is written with its status, headers, one Set-Cookie per cookie and a Content-Length', async () => {
  const response = await fetch(`${base}/hello/`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(response.headers.get('content-length'), String(Buffer.byteLength('héllo')));
  assert.deepEqual(response.headers.getSetCookie(), ['theme=dark; Path=/; HttpOnly', 'lang=fr; Path=/']);
  assert.equal(await response.text(), 'héllo');
});

test('HEAD gets the headers of GET and no body', async () => {
  const { status, headers, body } = await raw('HEAD', '/hello/');
  assert.equal(status, 200);
  assert.equal(headers['content-length'], String(Buffer.byteLength('héllo')));
  assert.equal(body.length, 0);
});

test('a streaming response is piped chunk by chunk, and its source closed', async () => {
  streamClosed = false;
  const response = await fetch(`${base}/stream/`);
  assert.equal(response.headers.get('transfer-encoding'), 'chunked');
  assert.equal(await response.text(), 'chunk 0\nchunk 1\nchunk 2\n');
  assert.equal(streamClosed, true);
});

test('the request body reaches the view', async () => {
  const response = await fetch(`${base}/echo/`, { method: 'POST', body: 'payload', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(await response.text(), 'payload');
});

test('a 204 has no body and no invented Content-Length', async () => {
  const { status, headers, body } = await raw('GET', '/empty/');
  assert.equal(status, 204);
  assert.equal(headers['content-length'], undefined);
  assert.equal(body.length, 0);
});

test('requestFinished is sent after the response was sent', async () => {
  let finished = 0;
  const receiver = () => void finished++;
  requestFinished.connect(receiver);
  try {
    const response = await fetch(`${base}/hello/`);
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(finished, 1);
  } finally {
    requestFinished.disconnect(receiver);
  }
});

test('an invalid Host is a 400 and the server keeps serving', async () => {
  const bad = await raw('GET', '/host/', { Host: 'evil.example' });
  assert.equal(bad.status, 400);
  const ok = await fetch(`${base}/host/`);
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), `127.0.0.1:${new URL(base).port}`);
});

function raw(
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const url = new URL(target, base);
    const req = httpRequest({ method, host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

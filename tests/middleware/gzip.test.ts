import { randomBytes } from 'node:crypto';
// Thresholds and header rules checked against Django 5.2's GZipMiddleware.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { HttpResponse, StreamingHttpResponse } from '../../src/http/index.ts';
import { compressBytes, compressStream, GZipMiddleware } from '../../src/middleware/index.ts';
import { path } from '../../src/urls/index.ts';
import { Client, type TestResponse } from '../../src/test/index.ts';

before(() => configure({ SECRET_KEY: 'test', ALLOWED_HOSTS: ['testserver'] }));
after(() => resetSettings());

const long = 'a'.repeat(300);
const urlpatterns = [
  path('long/', async () => new HttpResponse(long)),
  path('short/', async () => new HttpResponse('a'.repeat(199))),
  path('edge/', async () => new HttpResponse('a'.repeat(200))),
  path('etag/', async () => new HttpResponse(long, { headers: { ETag: '"abc"' } })),
  path('weak/', async () => new HttpResponse(long, { headers: { ETag: 'W/"abc"' } })),
  path('encoded/', async () => new HttpResponse(long, { headers: { 'Content-Encoding': 'br' } })),
  // Random bytes never compress below their size (the gzip header alone adds ~20 bytes).
  path('random/', async () => new HttpResponse(randomBytes(300))),
  path('vary/', async () => new HttpResponse(long, { headers: { Vary: 'Cookie' } })),
  path('stream/', async () => new StreamingHttpResponse(['x'.repeat(50), 'y'.repeat(50)], { headers: { 'Content-Length': '100' } }) as unknown as HttpResponse),
];

const gzip = { headers: { 'Accept-Encoding': 'gzip, deflate, br' } };
function client(): Client {
  return new Client({ urlconf: urlpatterns, middleware: [GZipMiddleware] });
}

test('a long body is gzipped for a client that accepts it, with Vary and a correct Content-Length', async () => {
  const response = await client().get('/long/', undefined, gzip);
  assert.equal(response.headers.get('Content-Encoding'), 'gzip');
  assert.equal(response.headers.get('Vary'), 'Accept-Encoding');
  assert.equal(response.headers.get('Content-Length'), String(response.content.length));
  assert.equal(gunzipSync(response.content).toString(), long);
});

test('without Accept-Encoding: gzip the body is sent as is, but Vary is still added', async () => {
  const response = await client().get('/long/');
  assert.equal(response.headers.get('Content-Encoding'), undefined);
  assert.equal(response.headers.get('Vary'), 'Accept-Encoding');
  assert.equal(response.text, long);
});

test('bodies under 200 bytes are left alone, without Vary; 200 bytes are compressed', async () => {
  const short = await client().get('/short/', undefined, gzip);
  assert.equal(short.headers.get('Content-Encoding'), undefined);
  assert.equal(short.headers.get('Vary'), undefined);
  const edge = await client().get('/edge/', undefined, gzip);
  assert.equal(edge.headers.get('Content-Encoding'), 'gzip');
});

test('a strong ETag is weakened, a weak one kept', async () => {
  assert.equal((await client().get('/etag/', undefined, gzip)).headers.get('ETag'), 'W/"abc"');
  assert.equal((await client().get('/weak/', undefined, gzip)).headers.get('ETag'), 'W/"abc"');
  assert.equal((await client().get('/etag/')).headers.get('ETag'), '"abc"');
});

test('a response that already has a Content-Encoding is not touched', async () => {
  const response = await client().get('/encoded/', undefined, gzip);
  assert.equal(response.headers.get('Content-Encoding'), 'br');
  assert.equal(response.headers.get('Vary'), undefined);
});

test('a body that would not shrink is sent uncompressed', async () => {
  const response = await client().get('/random/', undefined, gzip);
  assert.equal(response.headers.get('Content-Encoding'), undefined);
  assert.equal(response.content.length, 300);
  assert.equal(response.headers.get('Vary'), 'Accept-Encoding');
});

test('Vary keeps the headers already named', async () => {
  assert.equal((await client().get('/vary/', undefined, gzip)).headers.get('Vary'), 'Cookie, Accept-Encoding');
});

test('a streaming response is compressed as one gzip stream and loses its Content-Length', async () => {
  const response = (await client().get('/stream/', undefined, gzip)) as unknown as TestResponse<StreamingHttpResponse>;
  assert.equal(response.streaming, true);
  assert.equal(response.headers.get('Content-Encoding'), 'gzip');
  assert.equal(response.headers.get('Content-Length'), undefined);
  const body = await response.readAll();
  assert.equal(gunzipSync(body).toString(), 'x'.repeat(50) + 'y'.repeat(50));
});

test('compressed bodies carry random padding in the gzip name field, against BREACH', () => {
  const lengths = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const compressed = compressBytes(Buffer.from(long), 100);
    assert.equal(gunzipSync(compressed).toString(), long);
    assert.equal(compressed[3]! & 0x08, 0x08, 'FNAME flag set');
    lengths.add(compressed.length);
  }
  assert.ok(lengths.size > 1, 'lengths vary from response to response');
  const plain = compressBytes(Buffer.from(long), 0);
  assert.equal(plain[3], 0);
});

test('compressStream() flushes each chunk so it can be read as it comes', async () => {
  async function* source() {
    yield Buffer.from('first ');
    yield Buffer.from('second');
  }
  const parts: Buffer[] = [];
  for await (const part of compressStream(source(), 10)) parts.push(part);
  assert.ok(parts.length >= 4, 'header, one part per chunk, trailer');
  assert.equal(gunzipSync(Buffer.concat(parts)).toString(), 'first second');
  // The first chunk alone already decompresses to its text.
  const { inflateRawSync, constants } = await import('node:zlib');
  const headerLength = parts[0]!.length;
  assert.equal(inflateRawSync(parts[1]!, { finishFlush: constants.Z_SYNC_FLUSH }).toString(), 'first ');
  assert.ok(headerLength >= 10);
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { collect } from '../../../src/contrib/staticfiles/collect.ts';
import { encodingQuality, IMMUTABLE_CACHE_CONTROL, parseRange, staticRootHook } from '../../../src/contrib/staticfiles/serving.ts';
import { manifestUrl } from '../../../src/contrib/staticfiles/url.ts';
import { NuagesServer } from '../../../src/core/servers/index.ts';

const CSS = `body { background: url(../img/logo.png); }\n${'.a { color: red; }\n'.repeat(40)}`;

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving STATIC_ROOT', () => {
  let dir: string;
  let out: string;
  let server: NuagesServer;
  let port: number;
  let hashedCss: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nuages-serve-static-'));
    mkdirSync(join(dir, 'static', 'css'), { recursive: true });
    mkdirSync(join(dir, 'static', 'img'), { recursive: true });
    writeFileSync(join(dir, 'static', 'css', 'site.css'), CSS);
    writeFileSync(join(dir, 'static', 'img', 'logo.png'), '0123456789');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    out = join(dir, 'out');
    collect({ root: out, roots: [{ prefix: '', root: join(dir, 'static') }], manifest: true, staticUrl: '/static/' });
    hashedCss = manifestUrl('css/site.css', out, '/static/');
    server = new NuagesServer({ port: 0, before: staticRootHook({ root: out, urlPath: '/static/' }), app: (_req, res) => {
      res.end('app');
    } });
    port = (await server.listen()).port;
  });
  after(async () => {
    await server.close(1);
    rmSync(dir, { recursive: true, force: true });
  });

  test('hashed names are immutable for a year, others short-lived', async () => {
    assert.match(hashedCss, /^\/static\/css\/site\.[0-9a-f]{12}\.css$/);
    const hashed = await get(port, hashedCss);
    assert.equal(hashed.status, 200);
    assert.equal(hashed.headers['cache-control'], IMMUTABLE_CACHE_CONTROL);
    assert.equal(hashed.headers['content-type'], 'text/css; charset=utf-8');
    const plain = await get(port, '/static/css/site.css');
    assert.equal(plain.headers['cache-control'], 'public, max-age=60');
    assert.equal(plain.body.toString(), CSS);
  });

  test('ETag and If-Modified-Since give 304', async () => {
    const first = await get(port, hashedCss);
    assert.equal((await get(port, hashedCss, { 'if-none-match': String(first.headers.etag) })).status, 304);
    assert.equal((await get(port, hashedCss, { 'if-modified-since': String(first.headers['last-modified']) })).status, 304);
    assert.equal((await get(port, hashedCss, { 'if-none-match': '"other"' })).status, 200);
  });

  test('a single range gets 206, an impossible one 416', async () => {
    const part = await get(port, '/static/img/logo.png', { range: 'bytes=2-4' });
    assert.equal(part.status, 206);
    assert.equal(part.body.toString(), '234');
    assert.equal(part.headers['content-range'], 'bytes 2-4/10');
    const tail = await get(port, '/static/img/logo.png', { range: 'bytes=-3' });
    assert.equal(tail.body.toString(), '789');
    const bad = await get(port, '/static/img/logo.png', { range: 'bytes=20-' });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], 'bytes */10');
  });

  test('brotli is preferred, then gzip; q=0 refuses a coding', async () => {
    const br = await get(port, hashedCss, { 'accept-encoding': 'gzip, br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers.vary, 'Accept-Encoding');
    const hashedBody = (await get(port, hashedCss)).body;
    assert.deepEqual(brotliDecompressSync(br.body), hashedBody);
    const gz = await get(port, hashedCss, { 'accept-encoding': 'gzip, br;q=0' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(gz.body), hashedBody);
    const none = await get(port, hashedCss, { 'accept-encoding': 'identity' });
    assert.equal(none.headers['content-encoding'], undefined);
  });

  test('traversal attempts and missing files are 404; other URLs reach the app', async () => {
    for (const path of ['/static/../secret.txt', '/static/%2e%2e/secret.txt', '/static/..%2fsecret.txt', '/static/css/none.css']) {
      assert.equal((await get(port, path)).status, 404, path);
    }
    assert.equal((await get(port, '/page')).body.toString(), 'app');
  });
});

describe('serving helpers', () => {
  test('encodingQuality honours q and *', () => {
    assert.equal(encodingQuality('gzip, br;q=0', 'br'), 0);
    assert.equal(encodingQuality('*;q=0.5', 'gzip'), 0.5);
    assert.equal(encodingQuality(undefined, 'gzip'), 0);
  });

  test('parseRange', () => {
    assert.deepEqual(parseRange('bytes=0-', 5), { start: 0, end: 4 });
    assert.equal(parseRange('bytes=5-6', 5), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,3-4', 5), undefined);
  });
});

describe('{% static %} through the manifest', () => {
  test('names the hashed file, keeps the query, and a missing entry says to run collectstatic', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nuages-manifest-url-'));
    writeFileSync(join(dir, 'a.txt'), 'a');
    collect({ root: join(dir, 'out'), roots: [{ prefix: '', root: dir }], manifest: true, staticUrl: '/static/' });
    assert.equal(manifestUrl('a.txt?v=1', join(dir, 'out'), '/static/'), '/static/a.0cc175b9c0f1.txt?v=1');
    assert.throws(() => manifestUrl('gone.css', join(dir, 'out'), '/static/'), /'gone\.css'.*run 'manage\.ts collectstatic'/);
    assert.equal(manifestUrl('gone.css', join(dir, 'out'), '/static/', false), '/static/gone.css');
    assert.throws(() => manifestUrl('a.txt', join(dir, 'nowhere'), '/static/'), /Missing staticfiles manifest .*collectstatic/);
  });
});

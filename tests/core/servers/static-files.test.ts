import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NuagesServer, safeRelativePath, staticFilesHook } from '../../../src/core/servers/index.ts';
import { fetchText, rawExchange, statusOf } from './helpers.ts';

describe('safeRelativePath', () => {
  test('accepts plain nested paths', () => {
    assert.equal(safeRelativePath('css/site.css'), join('css', 'site.css'));
    assert.equal(safeRelativePath('img/a%20b.png'), join('img', 'a b.png'));
  });

  test('refuses every way out of the folder', () => {
    for (const attempt of ['../secret', 'css/../../secret', '%2e%2e/secret', '..%2fsecret', '..%5csecret', '/etc/passwd', '%2fetc/passwd', 'a%00.css', 'a//b', './a', '%E0%A4%A', '']) {
      assert.equal(safeRelativePath(attempt), undefined, attempt);
    }
  });
});

describe('static files under STATIC_URL', () => {
  let dir: string;
  let server: NuagesServer;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nuages-static-'));
    mkdirSync(join(dir, 'first', 'css'), { recursive: true });
    mkdirSync(join(dir, 'second', 'css'), { recursive: true });
    mkdirSync(join(dir, 'vendor'), { recursive: true });
    writeFileSync(join(dir, 'first', 'css', 'site.css'), 'body { color: red }');
    writeFileSync(join(dir, 'second', 'css', 'site.css'), 'shadowed');
    writeFileSync(join(dir, 'second', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'vendor', 'lib.js'), 'lib');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    const hook = staticFilesHook({
      urlPath: '/static/',
      roots: [
        { prefix: '', root: join(dir, 'first') },
        { prefix: 'vendor', root: join(dir, 'vendor') },
        { prefix: '', root: join(dir, 'second') },
      ],
    });
    server = new NuagesServer({
      port: 0,
      before: hook,
      app: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('app');
      },
    });
    port = (await server.listen()).port;
  });
  after(async () => {
    await server.close(1);
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the first match with its content type and length', async () => {
    const res = await fetchText(port, '/static/css/site.css');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'body { color: red }');
    assert.equal(res.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(res.headers['content-length'], '19');
    assert.ok(res.headers['last-modified']);
    assert.equal((await fetchText(port, '/static/app.js')).headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('a prefixed root answers only under its prefix', async () => {
    assert.equal((await fetchText(port, '/static/vendor/lib.js')).body, 'lib');
    assert.equal((await fetchText(port, '/static/lib.js')).status, 404);
  });

  test('If-Modified-Since an unchanged file gets 304', async () => {
    const first = await fetchText(port, '/static/css/site.css');
    const again = await fetchText(port, '/static/css/site.css', { headers: { 'if-modified-since': String(first.headers['last-modified']) } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
  });

  test('HEAD gets headers without the body', async () => {
    const res = await fetchText(port, '/static/css/site.css', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-length'], '19');
  });

  test('path traversal attempts get 404 and the server keeps serving', async () => {
    for (const attempt of ['/static/../secret.txt', '/static/%2e%2e/secret.txt', '/static/css/..%2f..%2fsecret.txt', '/static/..%5csecret.txt', '/static/%2e%2e%2fsecret.txt', '/static/css%00/site.css']) {
      // Raw bytes: a client library would normalise the dots away before sending.
      const raw = await rawExchange(port, `GET ${attempt} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(raw), 404, attempt);
      assert.doesNotMatch(raw, /do not serve/);
    }
    assert.equal((await fetchText(port, '/static/css/site.css')).status, 200);
  });

  test('URLs outside STATIC_URL and other methods go to the app', async () => {
    assert.equal((await fetchText(port, '/books/')).body, 'app');
    assert.equal((await fetchText(port, '/static/css/site.css', { method: 'POST' })).body, 'app');
  });
});

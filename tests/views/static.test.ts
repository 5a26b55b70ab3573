// serve() and staticPatterns(): files of a folder in development, through the test client.
// Statuses and headers as Django 5.2's django.views.static.serve and conf.urls.static.static().
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import type { StreamingHttpResponse } from '../../src/http/index.ts';
import { Client } from '../../src/test/index.ts';
import { resolve } from '../../src/urls/index.ts';
import { staticPatterns } from '../../src/views/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'nuages-serve-'));
const root = join(dir, 'media');
const MTIME = new Date('2025-03-04T05:06:07Z');
let previousLogger: RequestLogger;

before(() => {
  configure({ DEBUG: true, SECRET_KEY: 'serve-tests', ALLOWED_HOSTS: ['testserver'] });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  mkdirSync(join(root, 'covers', 'empty'), { recursive: true });
  writeFileSync(join(root, 'covers', 'dune.png'), Buffer.from('89504e470d0a1a0a0000', 'hex'));
  writeFileSync(join(root, 'notes.txt'), 'hello\n');
  writeFileSync(join(root, 'page.html'), '<b>hi</b>');
  writeFileSync(join(root, 'archive.tar.gz'), 'gz');
  writeFileSync(join(root, 'blob.unknownext'), 'x');
  // A file next to the root, which no URL may reach.
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  utimesSync(join(root, 'notes.txt'), MTIME, MTIME);
});

after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
  rmSync(dir, { recursive: true, force: true });
});

/** A FileResponse's body, read to the end. */
async function body(response: unknown): Promise<Buffer> {
  return (response as StreamingHttpResponse).readAll();
}

function client(): Client {
  return new Client({ urlconf: staticPatterns('/media/', { documentRoot: root }), middleware: [], raiseRequestException: false });
}

describe('serve() sends the files of its folder', () => {
  test('a file is sent with the type its name gives, its length, date and an inline disposition', async () => {
    const response = await client().get('/media/notes.txt');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Content-Type'), 'text/plain');
    assert.equal(response.headers.get('Content-Length'), '6');
    assert.equal(response.headers.get('Content-Disposition'), 'inline; filename="notes.txt"');
    assert.equal(response.headers.get('Last-Modified'), 'Tue, 04 Mar 2025 05:06:07 GMT');
    assert.equal((await body(response)).toString(), 'hello\n');
  });

  test('files in sub-folders are found, with their image type', async () => {
    const response = await client().get('/media/covers/dune.png');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Content-Type'), 'image/png');
    assert.deepEqual([...(await body(response))], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  });

  test('HTML is sent as text/html, an unknown extension as application/octet-stream', async () => {
    assert.equal((await client().get('/media/page.html')).headers.get('Content-Type'), 'text/html');
    assert.equal((await client().get('/media/blob.unknownext')).headers.get('Content-Type'), 'application/octet-stream');
  });

  test('a compressed file is sent as its inner type with a Content-Encoding, as Django does', async () => {
    const response = await client().get('/media/archive.tar.gz');
    assert.equal(response.headers.get('Content-Type'), 'application/x-tar');
    assert.equal(response.headers.get('Content-Encoding'), 'gzip');
  });

  test('a missing file is a 404', async () => {
    assert.equal((await client().get('/media/covers/missing.png')).status, 404);
    assert.equal((await client().get('/media/notes.txt/more')).status, 404);
  });

  test('a folder is a 404: there are no directory listings', async () => {
    for (const url of ['/media/', '/media/covers', '/media/covers/empty/']) {
      assert.equal((await client().get(url)).status, 404, url);
    }
  });

  test('a path that climbs out of the folder is refused with 400, and nothing outside is sent', async () => {
    for (const url of ['/media/%2e%2e/secret.txt', '/media/..%2fsecret.txt', '/media/covers/%2e%2e/%2e%2e/secret.txt']) {
      const response = await client().get(url);
      assert.equal(response.status, 400, url);
      assert.doesNotMatch(response.text, /do not serve/);
    }
  });

  test('an absolute path or a NUL byte stays inside the folder and finds nothing', async () => {
    assert.equal((await client().get(`/media//${join(dir, 'secret.txt')}`)).status, 404);
    assert.equal((await client().get('/media/notes.txt%00.png')).status, 404);
  });

  test('a path that climbs and comes back in is served, as Django normalises it first', async () => {
    const response = await client().get('/media/covers/%2e%2e/notes.txt');
    assert.equal(response.status, 200);
    assert.equal((await body(response)).toString(), 'hello\n');
  });

  test('If-Modified-Since at or after the file\'s date gives 304, an older one the file', async () => {
    const same = await client().get('/media/notes.txt', {}, { headers: { 'If-Modified-Since': 'Tue, 04 Mar 2025 05:06:07 GMT' } });
    assert.equal(same.status, 304);
    assert.equal(same.content.length, 0);
    const older = await client().get('/media/notes.txt', {}, { headers: { 'If-Modified-Since': 'Tue, 04 Mar 2025 05:06:06 GMT' } });
    assert.equal(older.status, 200);
    const garbage = await client().get('/media/notes.txt', {}, { headers: { 'If-Modified-Since': 'yesterday' } });
    assert.equal(garbage.status, 200);
  });
});

describe('staticPatterns() adds the serving pattern in DEBUG only', () => {
  test('in DEBUG it is one pattern under the prefix, leading slash or not', () => {
    for (const prefix of ['/media/', 'media/']) {
      const patterns = staticPatterns(prefix, { documentRoot: root });
      assert.equal(patterns.length, 1);
      const match = resolve('/media/covers/dune.png', patterns);
      assert.deepEqual(match.kwargs, { path: 'covers/dune.png', documentRoot: root });
    }
  });

  test('a prefix with regex characters matches only literally', async () => {
    const patterns = staticPatterns('/up.loads+/', { documentRoot: root });
    assert.equal(resolve('/up.loads+/notes.txt', patterns).kwargs['path'], 'notes.txt');
    assert.throws(() => resolve('/upXloadsss/notes.txt', patterns));
  });

  test('without DEBUG, or for a prefix on another host, there is nothing to serve', async () => {
    await overrideSettings({ DEBUG: false }, () => {
      assert.deepEqual(staticPatterns('/media/', { documentRoot: root }), []);
    });
    assert.deepEqual(staticPatterns('https://cdn.example.com/media/', { documentRoot: root }), []);
    assert.deepEqual(staticPatterns('//cdn.example.com/media/', { documentRoot: root }), []);
  });

  test('an empty prefix is refused: it would answer every URL', () => {
    assert.throws(() => staticPatterns('', { documentRoot: root }), ImproperlyConfigured);
  });
});

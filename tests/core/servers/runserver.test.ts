// `manage.ts runserver` as a developer runs it, on loopback with a free port.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAddrPort, triggersReload } from '../../../src/core/servers/index.ts';
import { fetchText, rawExchange, spawnNode, statusOf, stopProcess, type Spawned } from './helpers.ts';

const MANAGE = join(import.meta.dirname, 'fixtures', 'site', 'manage.ts');
const SRC = join(import.meta.dirname, '..', '..', '..', 'src');
const started: Spawned[] = [];

after(async () => {
  await Promise.all(started.map(stopProcess));
});

async function runserver(manage: string, ...args: string[]): Promise<{ proc: Spawned; port: number }> {
  const proc = spawnNode([manage, 'runserver', '127.0.0.1:0', ...args]);
  started.push(proc);
  const match = await proc.waitFor(/Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//);
  return { proc, port: Number(match[1]) };
}

describe('runserver arguments', () => {
  test('addrport accepts a port, host:port and [ipv6]:port, as Django', () => {
    assert.deepEqual(parseAddrPort('8080'), { host: undefined, port: 8080 });
    assert.deepEqual(parseAddrPort('0.0.0.0:9000'), { host: '0.0.0.0', port: 9000 });
    assert.deepEqual(parseAddrPort('[::1]:8000'), { host: '::1', port: 8000 });
    assert.deepEqual(parseAddrPort('localhost:8000'), { host: 'localhost', port: 8000 });
    assert.equal(parseAddrPort('nope'), undefined);
    assert.equal(parseAddrPort('1.2.3.4:70000'), undefined);
  });

  test('the reloader reacts to source and templates, not to databases or node_modules', () => {
    assert.equal(triggersReload('catalog/views.ts'), true);
    assert.equal(triggersReload('catalog/templates/catalog/base.html'), true);
    assert.equal(triggersReload('db.sqlite3'), false);
    assert.equal(triggersReload('db.sqlite3-journal'), false);
    assert.equal(triggersReload('node_modules/x/index.js'), false);
    assert.equal(triggersReload('.git/index'), false);
    assert.equal(triggersReload('catalog/views.ts~'), false);
  });
});

describe('manage.ts runserver', () => {
  test('serves the app and static files, logs requests, refuses traversal and bad hosts', async () => {
    // DEBUG is false in the fixture: --insecure turns static files on anyway, as in Django.
    const { proc, port } = await runserver(MANAGE, '--noreload', '--insecure');
    assert.match(proc.output(), /System check identified no issues \(0 silenced\)\./);
    await proc.waitFor(/WARNING: This is a development server\./);

    const page = await fetchText(port, '/pid/');
    assert.equal(page.status, 200);
    assert.equal(page.body, String(proc.child.pid));
    await proc.waitFor(/\[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] "GET \/pid\/ HTTP\/1\.1" 200 \d+/);

    const css = await fetchText(port, '/static/site.css');
    assert.equal(css.status, 200);
    assert.equal(css.body, 'body { margin: 0 }\n');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');

    for (const attempt of ['/static/../secret.env', '/static/%2e%2e/secret.env', '/static/..%2fsecret.env', '/static/..%5csecret.env', '/static/%2e%2e%2f%2e%2e%2fsettings.ts']) {
      const raw = await rawExchange(port, `GET ${attempt} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(raw), 404, attempt);
      assert.doesNotMatch(raw, /SECRET=1|defineSettings/);
    }
    const badHost = await rawExchange(port, 'GET /pid/ HTTP/1.1\r\nHost: evil.example.com\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(badHost), 400);
    assert.equal((await fetchText(port, '/pid/')).status, 200);
  });

  test('without --insecure and with DEBUG false, static URLs go to the app (404)', async () => {
    const { port } = await runserver(MANAGE, '--noreload');
    assert.equal((await fetchText(port, '/static/site.css')).status, 404);
  });

  test('the reloader restarts the server when a source file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nuages-reload-'));
    try {
      const src = (file: string) => JSON.stringify(pathToFileURL(join(SRC, file)).href);
      writeFileSync(
        join(dir, 'settings.ts'),
        `import { defineSettings } from ${src('conf/index.ts')};\n` +
          "export default defineSettings({ BASE_DIR: import.meta.dirname, DEBUG: true, SECRET_KEY: 'x', ROOT_URLCONF: 'urls' });\n",
      );
      const urls = (version: string) =>
        `import { HttpResponse } from ${src('http/response.ts')};\nimport { path } from ${src('urls/index.ts')};\n` +
        `export const urlpatterns = [path('', () => new HttpResponse('${version}'))];\n`;
      writeFileSync(join(dir, 'urls.ts'), urls('v1'));
      writeFileSync(
        join(dir, 'manage.ts'),
        `import { executeFromCommandLine } from ${src('core/management/index.ts')};\n` +
          "process.env['NUAGES_SETTINGS_MODULE'] = new URL('./settings.ts', import.meta.url).href;\n" +
          'process.exitCode = await executeFromCommandLine(process.argv);\n',
      );
      const { proc, port } = await runserver(join(dir, 'manage.ts'));
      assert.match(proc.output(), /Watching for file changes with the reloader/);
      assert.equal((await fetchText(port, '/')).body, 'v1');
      // Port 0 picks a new port on restart: read the next banner.
      const before = proc.output().length;
      writeFileSync(join(dir, 'urls.ts'), urls('v2'));
      await proc.waitFor(/urls\.ts changed, reloading\./);
      const next = await new Promise<number>((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const poll = () => {
          const match = /Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(proc.output().slice(before));
          if (match) resolve(Number(match[1]));
          else if (Date.now() > deadline) reject(new Error(`no restart:\n${proc.output()}`));
          else setTimeout(poll, 50);
        };
        poll();
      });
      assert.equal((await fetchText(next, '/')).body, 'v2');
      proc.child.kill('SIGTERM');
      assert.equal((await proc.exited).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

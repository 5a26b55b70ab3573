// useLiveServer() / startLiveServer(): the configured project answers on a real socket of
// 127.0.0.1 (pages, form posts with CSRF, static files as runserver serves them), its host
// is allowed while it runs, and it is closed with ALLOWED_HOSTS restored afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings, settings } from '../../src/conf/index.ts';
import { assertLogs, startLiveServer, TestToolMisuseError, useLiveServer } from '../../src/test/index.ts';
import { liveSiteSettings } from './fixtures/live-site/settings.ts';

before(() => {
  configure(liveSiteSettings);
});
after(() => resetSettings());

describe('useLiveServer()', () => {
  const live = useLiveServer();

  test('serves the project on 127.0.0.1 and a free port', async () => {
    assert.match(live.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(live.address.port, 0);
    const response = await fetch(live.urlFor('/'));
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<h1>Hello from Nuages<\/h1>/);
  });

  test('allows its host while it runs', () => {
    assert.deepEqual(settings.ALLOWED_HOSTS, ['testserver', '127.0.0.1']);
  });

  test('a form post with its CSRF token round-trips', async () => {
    const form = await fetch(live.urlFor('greet/'));
    const cookie = form.headers.getSetCookie().find((c) => c.startsWith('csrftoken='))!.split(';')[0]!;
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(await form.text())![1]!;
    const posted = await fetch(live.urlFor('/greet/'), {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', referer: live.urlFor('/greet/') },
      body: new URLSearchParams({ csrfmiddlewaretoken: token, name: 'Ada' }),
    });
    assert.equal(posted.status, 200);
    assert.match(await posted.text(), /<p id="greeting">Hello, Ada!<\/p>/);
  });

  test('a post without the token is refused by the project middleware', async () => {
    const { output, result: posted } = await assertLogs('nuages.security.csrf', 'warning', () =>
      fetch(live.urlFor('/greet/'), { method: 'POST', body: new URLSearchParams({ name: 'Eve' }) }),
    );
    assert.equal(posted.status, 403);
    assert.deepEqual(output, ['WARNING:nuages.security.csrf:Forbidden (CSRF cookie not set.): /greet/']);
  });

  test('serves static files under STATIC_URL from STATICFILES_DIRS', async () => {
    const css = await fetch(live.urlFor('/static/site/site.css'));
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(await css.text(), /h1 \{ color: rgb\(0, 128, 0\); \}/);
    assert.equal((await fetch(live.urlFor('/static/site/missing.css'))).status, 404);
  });
});

describe('startLiveServer()', () => {
  test('close() stops the server and restores ALLOWED_HOSTS', async () => {
    const live = await startLiveServer({ staticFiles: false });
    assert.equal((await fetch(live.urlFor('/static/site/site.css'))).status, 404, 'static files off: the URLconf answers');
    await live.close();
    assert.deepEqual(settings.ALLOWED_HOSTS, ['testserver']);
    await assert.rejects(fetch(live.urlFor('/')), /fetch failed/);
  });

  test('serves an explicit urlconf instead of ROOT_URLCONF', async () => {
    const { path } = await import('../../src/urls/index.ts');
    const { HttpResponse } = await import('../../src/http/index.ts');
    const live = await startLiveServer({ urlconf: [path('ping/', async () => new HttpResponse('pong'))], middleware: [] });
    try {
      assert.equal(await (await fetch(live.urlFor('/ping/'))).text(), 'pong');
    } finally {
      await live.close();
    }
  });
});

describe('useLiveServer() read too early', () => {
  const live = useLiveServer();
  // The describe() body runs while tests are collected, before any before() hook.
  let early: unknown;
  try {
    void live.url;
  } catch (error) {
    early = error;
  }

  test('url read in the describe() body is refused, saying where to read it', () => {
    assert.ok(early instanceof TestToolMisuseError, 'reading url before the server started throws');
    assert.match(early.message, /read it inside a test or a later hook/);
    assert.match(live.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the same handle works inside the test');
  });
});

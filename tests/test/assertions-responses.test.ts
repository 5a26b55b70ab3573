// assertContains, assertRedirects and assertTemplateUsed: each passes on the response
// Django's passes on and fails with the sentence Django's says (checked against Django 5.2).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpResponse, HttpResponseRedirect, StreamingHttpResponse } from '../../src/http/index.ts';
import { LocmemLoader, renderToString, resetTemplateEngines } from '../../src/template/index.ts';
import { path } from '../../src/urls/index.ts';
import {
  assertContains,
  assertNotContains,
  assertRedirects,
  assertTemplateNotUsed,
  assertTemplateUsed,
  Client,
  TestToolMisuseError,
} from '../../src/test/index.ts';

const TEMPLATES = { 'page.html': '<p class="b a">Hi {{ x }}</p>{% include "part.html" %}', 'part.html': '<i>part</i>' };

let previousLogger: RequestLogger;
before(() => {
  configure({
    SECRET_KEY: 'test',
    ALLOWED_HOSTS: ['other.example'],
    TEMPLATES: [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader(TEMPLATES)] } }],
  });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetTemplateEngines();
  resetSettings();
});

const urlpatterns = [
  path('plain/', async () => new HttpResponse('hello hello <b>x</b>')),
  path('gone/', async () => new HttpResponse('gone', { status: 404 })),
  path('stream/', async () => new StreamingHttpResponse((async function* () { yield 'hel'; yield 'lo'; })()) as unknown as HttpResponse),
  path('page/', async (request) => new HttpResponse(await renderToString('page.html', { x: 'there' }, request))),
  path('to-page/', async () => new HttpResponseRedirect('/page/?b=2&a=1')),
  path('to-gone/', async () => new HttpResponseRedirect('/gone/')),
  path('relative/', async () => new HttpResponseRedirect('../page/')),
  path('outside/', async () => new HttpResponseRedirect('https://elsewhere.example/x')),
  path('other-host/', async () => new HttpResponseRedirect('http://other.example/page/')),
];

const client = () => new Client({ urlconf: urlpatterns });

async function failsWith(promise: Promise<unknown> | (() => unknown), message: string | RegExp): Promise<void> {
  const run = typeof promise === 'function' ? async () => promise() : () => promise;
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof AssertionError, `expected an AssertionError, got ${String(error)}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('assertContains / assertNotContains', () => {
  test('passes when the text is there, and counts exactly with count', async () => {
    const response = await client().get('/plain/');
    await assertContains(response, 'hello');
    await assertContains(response, 'hello', { count: 2 });
    await assertContains(response, 'bye', { count: 0 });
  });

  test('fails naming the missing text and showing the body', async () => {
    await failsWith(assertContains(await client().get('/plain/'), 'bye'), "Couldn't find 'bye' in the following response\nhello hello <b>x</b>");
  });

  test('fails on a wrong count with the count found', async () => {
    await failsWith(
      assertContains(await client().get('/plain/'), 'hello', { count: 3 }),
      "Found 2 instances of 'hello' (expected 3) in the following response\nhello hello <b>x</b>",
    );
  });

  test('checks the status first, and puts msgPrefix in front', async () => {
    await failsWith(assertContains(await client().get('/gone/'), 'gone'), "Couldn't retrieve content: response code was 404 (expected 200)");
    await assertContains(await client().get('/gone/'), 'gone', { status: 404 });
    await failsWith(assertContains(await client().get('/plain/'), 'bye', { msgPrefix: 'home page' }), /^home page: Couldn't find 'bye'/);
  });

  test('html: true compares markup as parsed HTML', async () => {
    const response = await client().get('/plain/');
    await assertContains(response, '<b>  x </b>', { html: true, count: 1 });
    await failsWith(assertContains(response, '<b>y</b>', { html: true }), /^Couldn't find '<b>y<\/b>'/);
    await failsWith(assertNotContains(response, '<b>x</b>', { html: true }), /^'<b>x<\/b>' unexpectedly found 1 time\(s\)/);
  });

  test('reads a streaming body to its end', async () => {
    await assertContains(await client().get('/stream/'), 'hello');
  });

  test('assertNotContains fails when the text is there', async () => {
    const response = await client().get('/plain/');
    await assertNotContains(response, 'bye');
    await failsWith(assertNotContains(response, 'hello'), "'hello' unexpectedly found 2 time(s) in the following response\nhello hello <b>x</b>");
  });
});

describe('assertRedirects', () => {
  test('passes for a redirect whose target answers 200; query order does not matter', async () => {
    await assertRedirects(await client().get('/to-page/'), '/page/?a=1&b=2');
  });

  test('fails when the response is not a redirect', async () => {
    await failsWith(assertRedirects(await client().get('/plain/'), '/page/'), "Response didn't redirect as expected: response code was 200 (expected 302)");
  });

  test('fails on another status, or another URL', async () => {
    await failsWith(assertRedirects(await client().get('/to-page/'), '/page/', { status: 301 }), "Response didn't redirect as expected: response code was 302 (expected 301)");
    await failsWith(assertRedirects(await client().get('/to-page/'), '/other/'), "Response redirected to '/page/?b=2&a=1', expected '/other/'");
  });

  test('fetches the target through the client and checks its status', async () => {
    await failsWith(assertRedirects(await client().get('/to-gone/'), '/gone/'), "Couldn't retrieve redirection page '/gone/': response code was 404 (expected 200)");
    await assertRedirects(await client().get('/to-gone/'), '/gone/', { targetStatus: 404 });
    await assertRedirects(await client().get('/to-gone/'), '/gone/', { fetchRedirectResponse: false });
  });

  test('reads a relative Location against the request path', async () => {
    await assertRedirects(await client().get('/relative/'), '/page/');
  });

  test('a followed response is checked from its redirect chain', async () => {
    await assertRedirects(await client().get('/to-page/', undefined, { follow: true }), '/page/?a=1&b=2');
    await failsWith(
      assertRedirects(await client().get('/to-gone/', undefined, { follow: true }), '/gone/'),
      "Response didn't redirect as expected: final response code was 404 (expected 200)",
    );
    await failsWith(assertRedirects(await client().get('/to-page/', undefined, { follow: true }), '/x/'), /^Response redirected to '\/page\/\?b=2&a=1', expected '\/x\/'/);
  });

  test('a host outside ALLOWED_HOSTS cannot be fetched; one inside is fetched with its Host', async () => {
    await assert.rejects(assertRedirects(await client().get('/outside/'), 'https://elsewhere.example/x'), TestToolMisuseError);
    await assertRedirects(await client().get('/outside/'), 'https://elsewhere.example/x', { fetchRedirectResponse: false });
    await assertRedirects(await client().get('/other-host/'), 'http://other.example/page/');
  });
});

describe('assertTemplateUsed / assertTemplateNotUsed', () => {
  test('passes for the templates rendered, included ones too', async () => {
    const response = await client().get('/page/');
    assertTemplateUsed(response, 'page.html');
    assertTemplateUsed(response, 'part.html', { count: 1 });
    assertTemplateNotUsed(response, 'other.html');
  });

  test('fails listing the templates that were used', async () => {
    const response = await client().get('/page/');
    assert.throws(
      () => assertTemplateUsed(response, 'other.html'),
      { message: "Template 'other.html' was not a template used to render the response. Actual template(s) used: page.html, part.html" },
    );
    assert.throws(
      () => assertTemplateUsed(response, 'page.html', { count: 2 }),
      { message: "Template 'page.html' was expected to be rendered 2 time(s) but was actually rendered 1 time(s)." },
    );
    assert.throws(() => assertTemplateNotUsed(response, 'part.html'), { message: "Template 'part.html' was used unexpectedly in rendering the response" });
  });

  test('a response not made by the test Client is a misuse', () => {
    assert.throws(() => assertTemplateUsed(new HttpResponse('x') as never, 'page.html'), { code: 'NUAGES_TEST_MISUSE' });
  });

  test('fails when nothing was rendered', async () => {
    const response = await client().get('/plain/');
    assert.throws(() => assertTemplateUsed(response, 'page.html'), { message: 'No templates used to render the response' });
  });

  test('the block form checks what the function renders', async () => {
    await assertTemplateUsed('part.html', () => renderToString('page.html', {}));
    await failsWith(assertTemplateUsed('page.html', () => renderToString('part.html', {})), /Actual template\(s\) used: part.html$/);
    await failsWith(assertTemplateUsed('page.html', () => undefined), 'No templates used to render the response');
    await assertTemplateNotUsed('page.html', () => renderToString('part.html', {}));
    await failsWith(assertTemplateNotUsed('part.html', () => renderToString('page.html', {})), "Template 'part.html' was used unexpectedly in rendering the response");
  });

  test('the block form does not see templates rendered by concurrent code', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const outside = gate.then(() => renderToString('page.html', {}));
    const checked = assertTemplateNotUsed('page.html', async () => {
      release();
      await outside;
    });
    await checked;
  });

  test('overrideSettings() of TEMPLATES in one flow does not change the engines of another', async () => {
    const other = [{ BACKEND: 'nuages/template', OPTIONS: { loaders: [new LocmemLoader({ 'page.html': 'overridden' })] } }];
    const [inside, outside] = await Promise.all([
      overrideSettings({ TEMPLATES: other }, () => renderToString('page.html', {})),
      renderToString('part.html', {}),
    ]);
    assert.equal(inside, 'overridden');
    assert.equal(outside, '<i>part</i>');
    assert.equal(await renderToString('page.html', { x: 'y' }), '<p class="b a">Hi y</p><i>part</i>');
  });
});

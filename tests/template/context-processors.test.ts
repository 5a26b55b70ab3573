// The csrf context processor: built into every RequestContext (as Django's), lazy, one token
// per page, kept by `only` includes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest } from '../../src/http/index.ts';
import { CSRF_COOKIE_META_KEY, unmaskCipherToken } from '../../src/middleware/csrf-token.ts';
import { Engine, LocmemLoader, csrf } from '../../src/template/index.ts';

const engine = new Engine({
  loaders: [
    new LocmemLoader({
      'form.html': '<form>{% csrf_token %}</form>',
      'twice.html': '{{ csrf_token }}|{% csrf_token %}|{% include "inner.html" only %}',
      'inner.html': '{{ csrf_token }}',
      'plain.html': 'no form',
    }),
  ],
});

const TOKEN = /[a-zA-Z0-9]{64}/g;

test('{% csrf_token %} works in a template rendered with a request, with no processor configured', async () => {
  const request = HttpRequest.create();
  const html = await engine.renderToString('form.html', {}, request);
  const [token] = html.match(TOKEN)!;
  assert.equal(html, `<form><input type="hidden" name="csrfmiddlewaretoken" value="${token}"></form>`);
  assert.equal(unmaskCipherToken(token!), request.META[CSRF_COOKIE_META_KEY]);
  assert.equal(request.csrfCookieNeedsReset, true);
});

test('the token is made only when the template uses it', async () => {
  const request = HttpRequest.create();
  assert.equal(await engine.renderToString('plain.html', {}, request), 'no form');
  assert.equal(request.META[CSRF_COOKIE_META_KEY], undefined);
  assert.equal(request.csrfCookieNeedsReset, undefined);
});

test('one page shows one token, in the tag, the variable and an `only` include alike', async () => {
  const html = await engine.renderToString('twice.html', {}, HttpRequest.create());
  const tokens = html.match(TOKEN)!;
  assert.equal(tokens.length, 3);
  assert.equal(new Set(tokens).size, 1);
});

test('each page (each RequestContext) gets a newly masked token of the same secret', async () => {
  const request = HttpRequest.create();
  const first = (await engine.renderToString('form.html', {}, request)).match(TOKEN)![0];
  const second = (await engine.renderToString('form.html', {}, request)).match(TOKEN)![0];
  assert.notEqual(first, second);
  assert.equal(unmaskCipherToken(first), unmaskCipherToken(second));
});

test('without a request the tag renders nothing; a value the view passes wins', async () => {
  assert.equal(await engine.renderToString('form.html', {}), '<form></form>');
  assert.equal(await engine.renderToString('form.html', { csrf_token: 'x'.repeat(64) }, HttpRequest.create()), `<form><input type="hidden" name="csrfmiddlewaretoken" value="${'x'.repeat(64)}"></form>`);
});

test('csrf() on something that is not a request gives the NOTPROVIDED sentinel, which renders nothing', async () => {
  const lazy = csrf({ user: 'ada' })['csrf_token'] as () => string;
  assert.equal(lazy(), 'NOTPROVIDED');
  assert.equal(await engine.renderToString('form.html', {}, { user: 'ada' }), '<form></form>');
});

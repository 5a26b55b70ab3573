// The bookshop's protections as a visitor meets them, on its real settings: every page
// carries the security headers (nosniff, referrer and opener policies, X-Frame-Options,
// the strict Content Security Policy), no page has an inline script or style the policy
// would block, HSTS is not sent over plain HTTP, and the browser's violation reports are
// accepted and logged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../../src/test/index.ts';
import { captureLogs } from '../../src/utils/log.ts';
import { useBookshop } from './bookshop-project.ts';

useBookshop('security', { env: () => ({ CACHE_URL: 'locmem://bookshop-security-test' }), seed: true });

const PAGES = ['/', '/books/', '/books/3/', '/contact/', '/accounts/login/', '/accounts/password_reset/', '/cart/', '/no-such-page/'];

describe('the bookshop sends its security headers on every page', () => {
  for (const url of PAGES) {
    test(`GET ${url}`, async () => {
      const page = await new Client().get(url);
      assert.ok([200, 404].includes(page.status), `${url}: ${page.status}`);
      assert.equal(page.headers.get('X-Frame-Options'), 'DENY');
      assert.equal(page.headers.get('X-Content-Type-Options'), 'nosniff');
      assert.equal(page.headers.get('Referrer-Policy'), 'same-origin');
      assert.equal(page.headers.get('Cross-Origin-Opener-Policy'), 'same-origin');
      assert.equal(page.headers.has('Strict-Transport-Security'), false, 'no HSTS over plain HTTP');
      const policy = page.headers.get('Content-Security-Policy') ?? '';
      assert.match(policy, /default-src 'self'/);
      assert.match(policy, /frame-ancestors 'none'/);
      assert.match(policy, /object-src 'none'/);
      assert.match(policy, /report-uri \/csp-report\//);
      assert.doesNotMatch(policy, /unsafe-inline/);
      // A POST form without the token would be refused by the CSRF middleware in a browser.
      for (const form of page.text.match(/<form\b[^>]*method="post"[^>]*>[\s\S]*?<\/form>/gi) ?? []) {
        assert.match(form, /<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">/, `${url}: ${form.slice(0, 80)}`);
      }
      // Inline code needs the nonce; a script with src= comes from 'self'.
      for (const tag of page.text.match(/<(script|style)\b[^>]*>/g) ?? []) {
        if (/\bsrc=/.test(tag)) continue;
        const nonce = /nonce="([^"]+)"/.exec(tag)?.[1];
        assert.ok(nonce, `${url}: ${tag} has no nonce`);
        assert.ok(policy.includes(`'nonce-${nonce}'`), `${url}: the policy names the nonce of ${tag}`);
      }
    });
  }
});

describe('CSP violation reports', () => {
  test('a report from the browser is accepted without a CSRF token and logged', async () => {
    const report = {
      'csp-report': {
        'document-uri': 'http://testserver/books/',
        'violated-directive': 'script-src-elem',
        'effective-directive': 'script-src-elem',
        'blocked-uri': 'inline',
      },
    };
    const client = new Client({ enforceCsrfChecks: true });
    const { result, records } = await captureLogs('nuages.security.csp', () =>
      client.post('/csp-report/', JSON.stringify(report), { contentType: 'application/csp-report' }),
    );
    assert.equal(result.status, 204);
    assert.equal(records.length, 1);
    assert.match(records[0]!.message, /script-src-elem blocked inline on http:\/\/testserver\/books\//);
  });
});

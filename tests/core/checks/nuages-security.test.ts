// Nuages's own deployment checks, beyond Django 5.2's: a Content-Security-Policy
// (nuages.security.W101/W102), a rate limit on the login page (W103), and a trusted proxy
// without SECURE_PROXY_SSL_HEADER (W104).
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { configure, resetSettings } from '../../../src/conf/index.ts';
import { runChecks, Tags } from '../../../src/core/checks/index.ts';
import { clearUrlCaches } from '../../../src/urls/index.ts';

afterEach(() => {
  resetSettings();
  clearUrlCaches();
});

const CSP_MIDDLEWARE = 'nuages/middleware/csp#ContentSecurityPolicyMiddleware';
const RATELIMIT_MIDDLEWARE = 'nuages/ratelimit#RateLimitMiddleware';
const AUTH = 'nuages/contrib/auth';

async function nuagesIds(settings: Record<string, unknown>): Promise<string[]> {
  configure({ DEBUG: true, ...settings });
  const found = await runChecks({ tags: [Tags.security], includeDeploymentChecks: true });
  return found.filter((m) => m.id?.startsWith('nuages.')).map((m) => m.id!);
}

async function nuagesMessages(settings: Record<string, unknown>): Promise<string[]> {
  configure({ DEBUG: true, ...settings });
  const found = await runChecks({ tags: [Tags.security], includeDeploymentChecks: true });
  return found.filter((m) => m.id?.startsWith('nuages.')).map(String);
}

describe('Content-Security-Policy', () => {
  test('no SECURE_CSP: W101, whose hint names the middleware when it is missing too', async () => {
    assert.deepEqual(await nuagesMessages({}), [
      '?: (nuages.security.W101) You have not set the SECURE_CSP setting, so your pages will not be served with a ' +
        'Content-Security-Policy header. Without a policy, a cross-site scripting bug lets an injected script do anything a page can.\n' +
        "\tHINT: Set SECURE_CSP, e.g. { 'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE] }, and add " +
        `'${CSP_MIDDLEWARE}' to MIDDLEWARE.`,
    ]);
  });

  test('a report-only policy blocks nothing: still W101, and the hint says so', async () => {
    const [message] = await nuagesMessages({ MIDDLEWARE: [CSP_MIDDLEWARE], SECURE_CSP_REPORT_ONLY: { 'default-src': ["'self'"] } });
    assert.match(message!, /\(nuages\.security\.W101\)/);
    assert.match(message!, /HINT: Set SECURE_CSP, e\.g\. .*; SECURE_CSP_REPORT_ONLY only reports violations, it blocks nothing\.$/);
  });

  test('a policy without the middleware is never sent: W102; with it, nothing', async () => {
    assert.deepEqual(await nuagesIds({ SECURE_CSP: { 'default-src': ["'self'"] } }), ['nuages.security.W102']);
    resetSettings();
    assert.deepEqual(await nuagesIds({ SECURE_CSP: { 'default-src': ["'self'"] }, MIDDLEWARE: [CSP_MIDDLEWARE] }), []);
  });
});

describe('a rate limit on the login page', () => {
  const quietCsp = { SECURE_CSP: { 'default-src': ["'self'"] }, MIDDLEWARE: [CSP_MIDDLEWARE, RATELIMIT_MIDDLEWARE] };

  test('auth installed and no rule: W103 names the login path and the rule to add', async () => {
    assert.deepEqual(await nuagesMessages({ ...quietCsp, INSTALLED_APPS: [AUTH] }), [
      '?: (nuages.security.W103) No rate limit covers POST requests to the login page (/accounts/login/), so anyone can try ' +
        'passwords as fast as the server answers.\n' +
        "\tHINT: Add { path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' } to RATELIMIT_RULES. If the login " +
        "view is decorated with ratelimit() instead, add 'nuages.security.W103' to SILENCED_SYSTEM_CHECKS.",
    ]);
  });

  test('a rule without RateLimitMiddleware, or with RATELIMIT_ENABLE false, limits nothing: W103 says why', async () => {
    const rule = { path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' };
    const [withoutMiddleware] = await nuagesMessages({ SECURE_CSP: { 'default-src': ["'self'"] }, MIDDLEWARE: [CSP_MIDDLEWARE], INSTALLED_APPS: [AUTH], RATELIMIT_RULES: [rule] });
    assert.match(withoutMiddleware!, /HINT: Add 'nuages\/ratelimit#RateLimitMiddleware' to MIDDLEWARE: RATELIMIT_RULES apply only through it\.$/);
    resetSettings();
    const [disabled] = await nuagesMessages({ ...quietCsp, INSTALLED_APPS: [AUTH], RATELIMIT_RULES: [rule], RATELIMIT_ENABLE: false });
    assert.match(disabled!, /HINT: RATELIMIT_ENABLE is false, which turns every limit off/);
  });

  test('a prefix, a regex string or a RegExp covering the login path satisfies it, for POST or every method', async () => {
    for (const rule of [
      { path: '/accounts/', method: 'POST' },
      { path: '^/accounts/log', method: ['GET', 'post'] },
      { path: /login\/$/ },
      { path: '/accounts/login/', method: 'ALL' },
    ]) {
      assert.deepEqual(await nuagesIds({ ...quietCsp, INSTALLED_APPS: [AUTH], RATELIMIT_RULES: [{ key: 'ip', rate: '10/m', ...rule }] }), [], JSON.stringify(String(rule.path)));
      resetSettings();
    }
  });

  test('a rule for GET only, or for another path, does not', async () => {
    for (const rule of [{ path: '/accounts/login/', method: 'GET' }, { path: '/api/' }]) {
      assert.deepEqual(await nuagesIds({ ...quietCsp, INSTALLED_APPS: [AUTH], RATELIMIT_RULES: [{ key: 'ip', rate: '10/m', ...rule }] }), ['nuages.security.W103']);
      resetSettings();
    }
  });

  test('LOGIN_URL as a URL name is reversed through ROOT_URLCONF; a full URL is reduced to its path', async () => {
    const urls = join(import.meta.dirname, 'fixtures', 'urls');
    const byName = await nuagesMessages({ ...quietCsp, INSTALLED_APPS: [AUTH], BASE_DIR: urls, ROOT_URLCONF: 'accounts.ts', LOGIN_URL: 'login' });
    assert.equal(byName.length, 1);
    assert.match(byName[0]!, /POST requests to the login page \(\/accounts\/sign-in\/\)/);
    resetSettings();
    const covered = { path: '/accounts/sign-in/', method: 'POST', key: 'ip', rate: '10/m' };
    assert.deepEqual(await nuagesIds({ ...quietCsp, INSTALLED_APPS: [AUTH], BASE_DIR: urls, ROOT_URLCONF: 'accounts.ts', LOGIN_URL: 'login', RATELIMIT_RULES: [covered] }), []);
    resetSettings();
    const rule = { path: '/sso/login', method: 'POST', key: 'ip', rate: '5/m' };
    assert.deepEqual(await nuagesIds({ ...quietCsp, INSTALLED_APPS: [AUTH], LOGIN_URL: 'https://auth.example/sso/login?next=/', RATELIMIT_RULES: [rule] }), []);
  });

  test('without the auth app there is no login page to protect', async () => {
    assert.deepEqual(await nuagesIds({ ...quietCsp }), []);
  });
});

describe('behind a reverse proxy', () => {
  const quiet = { SECURE_CSP: { 'default-src': ["'self'"] }, MIDDLEWARE: [CSP_MIDDLEWARE] };

  test('USE_X_FORWARDED_HOST or TRUSTED_PROXIES without SECURE_PROXY_SSL_HEADER: W104', async () => {
    const [message] = await nuagesMessages({ ...quiet, USE_X_FORWARDED_HOST: true });
    assert.match(message!, /^\?: \(nuages\.security\.W104\) You have set USE_X_FORWARDED_HOST, so the site runs behind a reverse proxy, but SECURE_PROXY_SSL_HEADER is not set/);
    assert.match(message!, /HINT: Set SECURE_PROXY_SSL_HEADER: \['HTTP_X_FORWARDED_PROTO', 'https'\]/);
    resetSettings();
    assert.deepEqual(await nuagesIds({ ...quiet, TRUSTED_PROXIES: ['10.0.0.0/8'] }), ['nuages.security.W104']);
  });

  test('with SECURE_PROXY_SSL_HEADER, or with no proxy, nothing', async () => {
    assert.deepEqual(await nuagesIds({ ...quiet, TRUSTED_PROXIES: ['10.0.0.1'], SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'] }), []);
    resetSettings();
    assert.deepEqual(await nuagesIds({ ...quiet, TRUSTED_PROXIES: [] }), []);
  });
});

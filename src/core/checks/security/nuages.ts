/**
 * Nuages's own deployment checks, for what Django 5.2 does not check: a
 * Content-Security-Policy (nuages.security.W101, W102), a rate limit on the
 * login page (W103), and a trusted reverse proxy without SECURE_PROXY_SSL_HEADER
 * (W104). Their IDs live in the `nuages.` namespace so they never collide with
 * a Django ID.
 */
import { settingOr } from '../../../conf/lazy-settings.ts';
import { CheckWarning, type CheckMessage } from '../messages.ts';
import { registerCheck, Tags } from '../registry.ts';
import { hasMiddleware, setting } from './base.ts';

export const CSP_MIDDLEWARE = 'nuages/middleware/csp#ContentSecurityPolicyMiddleware';
export const RATELIMIT_MIDDLEWARE = 'nuages/ratelimit#RateLimitMiddleware';
const AUTH_APP = 'nuages/contrib/auth';

function isEmptyPolicy(policy: unknown): boolean {
  return policy === null || policy === undefined || (typeof policy === 'object' && Object.keys(policy).length === 0);
}

/**
 * nuages.security.W101: no enforced Content-Security-Policy; W102: a policy is set
 * but the middleware that sends it is not installed.
 */
export function checkContentSecurityPolicy(): CheckMessage[] {
  const enforced = setting<unknown>('SECURE_CSP', {});
  const reportOnly = setting<unknown>('SECURE_CSP_REPORT_ONLY', {});
  const middleware = hasMiddleware(CSP_MIDDLEWARE);
  if (isEmptyPolicy(enforced)) {
    return [
      new CheckWarning(
        'You have not set the SECURE_CSP setting, so your pages will not be served with a Content-Security-Policy ' +
          'header. Without a policy, a cross-site scripting bug lets an injected script do anything a page can.',
        {
          hint:
            "Set SECURE_CSP, e.g. { 'default-src': [CSP.SELF], 'script-src': [CSP.SELF, CSP.NONCE] }" +
            (middleware ? '' : `, and add '${CSP_MIDDLEWARE}' to MIDDLEWARE`) +
            (isEmptyPolicy(reportOnly) ? '' : '; SECURE_CSP_REPORT_ONLY only reports violations, it blocks nothing') +
            '.',
          id: 'nuages.security.W101',
        },
      ),
    ];
  }
  if (middleware) return [];
  return [
    new CheckWarning(`You have set SECURE_CSP, but '${CSP_MIDDLEWARE}' is not in your MIDDLEWARE, so the policy is never sent.`, {
      hint: `Add '${CSP_MIDDLEWARE}' to MIDDLEWARE.`,
      id: 'nuages.security.W102',
    }),
  ];
}

/** One entry of RATELIMIT_RULES, as far as this check reads it. */
interface RateLimitRule {
  readonly path?: unknown;
  readonly method?: unknown;
}

function ruleCoversPost(rule: RateLimitRule): boolean {
  const methods = rule.method === undefined ? ['ALL'] : Array.isArray(rule.method) ? rule.method : [rule.method];
  return methods.some((method) => typeof method === 'string' && ['ALL', 'POST'].includes(method.toUpperCase()));
}

function ruleMatchesPath(rule: RateLimitRule, path: string): boolean {
  if (rule.path instanceof RegExp) return new RegExp(rule.path.source, rule.path.flags.replace('g', '')).test(path);
  if (typeof rule.path !== 'string') return false;
  // A rule path is a prefix, or a regular expression when it starts with '^'.
  if (rule.path.startsWith('^')) {
    try {
      return new RegExp(rule.path).test(path);
    } catch {
      return false;
    }
  }
  return path.startsWith(rule.path);
}

/** The path of LOGIN_URL: a path or URL as is, a URL name reversed; undefined when it cannot be. */
async function loginPath(): Promise<string | undefined> {
  const loginUrl = setting<unknown>('LOGIN_URL', '/accounts/login/');
  if (typeof loginUrl !== 'string' || loginUrl === '') return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(loginUrl)) return new URL(loginUrl).pathname;
  if (loginUrl.startsWith('/')) return loginUrl.split(/[?#]/)[0];
  try {
    const { reverse } = await import('../../../urls/base.ts');
    return reverse(loginUrl);
  } catch {
    // An unknown URL name fails the login redirect itself; this check has nothing to add.
    return undefined;
  }
}

/**
 * nuages.security.W103: the login page accepts unlimited password guesses: no
 * RATELIMIT_RULES entry covers a POST to LOGIN_URL, or RateLimitMiddleware, which
 * applies the rules, is not installed, or RATELIMIT_ENABLE turns limits off.
 */
export async function checkLoginRateLimit(): Promise<CheckMessage[]> {
  const installed = settingOr<readonly string[]>('INSTALLED_APPS', []);
  if (!installed.includes(AUTH_APP)) return [];
  const path = await loginPath();
  if (path === undefined) return [];
  const rules = setting<unknown>('RATELIMIT_RULES', []);
  const list = Array.isArray(rules) ? (rules as RateLimitRule[]) : [];
  const ruled = list.some((rule) => rule !== null && typeof rule === 'object' && ruleMatchesPath(rule, path) && ruleCoversPost(rule));
  const middleware = hasMiddleware(RATELIMIT_MIDDLEWARE);
  const enabled = setting<unknown>('RATELIMIT_ENABLE', true) !== false;
  if (ruled && middleware && enabled) return [];
  let hint: string;
  if (!enabled) hint = 'RATELIMIT_ENABLE is false, which turns every limit off; remove it from the production settings.';
  else if (ruled) hint = `Add '${RATELIMIT_MIDDLEWARE}' to MIDDLEWARE: RATELIMIT_RULES apply only through it.`;
  else {
    hint =
      `Add { path: '${path}', method: 'POST', key: 'ip', rate: '10/m' } to RATELIMIT_RULES` +
      (middleware ? '' : `, with '${RATELIMIT_MIDDLEWARE}' in MIDDLEWARE`) +
      ". If the login view is decorated with ratelimit() instead, add 'nuages.security.W103' to SILENCED_SYSTEM_CHECKS.";
  }
  return [
    new CheckWarning(`No rate limit covers POST requests to the login page (${path}), so anyone can try passwords as fast as the server answers.`, {
      hint,
      id: 'nuages.security.W103',
    }),
  ];
}

/** nuages.security.W104: a trusted proxy, but no way to know a request came over HTTPS. */
export function checkProxySslHeader(): CheckMessage[] {
  const forwardedHost = setting<unknown>('USE_X_FORWARDED_HOST', false) === true;
  const proxies = setting<unknown>('TRUSTED_PROXIES', []);
  const trusted = forwardedHost || (Array.isArray(proxies) && proxies.length > 0);
  if (!trusted || setting<unknown>('SECURE_PROXY_SSL_HEADER', null) !== null) return [];
  const which = forwardedHost ? 'USE_X_FORWARDED_HOST' : 'TRUSTED_PROXIES';
  return [
    new CheckWarning(
      `You have set ${which}, so the site runs behind a reverse proxy, but SECURE_PROXY_SSL_HEADER is not set: requests ` +
        'the proxy received over HTTPS look like plain HTTP, so SECURE_SSL_REDIRECT redirects them in a loop and secure ' +
        'cookies and HSTS are not sent.',
      {
        hint: "Set SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'], and make the proxy set X-Forwarded-Proto (overwriting any the client sent).",
        id: 'nuages.security.W104',
      },
    ),
  ];
}

registerCheck(checkContentSecurityPolicy, { tags: [Tags.security], deploy: true });
registerCheck(checkLoginRateLimit, { tags: [Tags.security], deploy: true });
registerCheck(checkProxySslHeader, { tags: [Tags.security], deploy: true });

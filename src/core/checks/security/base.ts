/**
 * Deployment checks on the security settings (Django 5.2's
 * django.core.checks.security.base): SecurityMiddleware and its HSTS, nosniff,
 * SSL-redirect, Referrer-Policy and Cross-Origin-Opener-Policy settings,
 * X-Frame-Options, SECRET_KEY and its fallbacks, DEBUG and ALLOWED_HOSTS.
 *
 * IDs, messages and hints are Django's, with Nuages's middleware paths and
 * JavaScript's `true` (tests/core/checks/deploy.test.ts compares them with
 * what Django 5.2 reports for the same settings).
 */
import { settingOr } from '../../../conf/lazy-settings.ts';
import { CheckError, CheckWarning, type CheckMessage } from '../messages.ts';
import { registerCheck, Tags } from '../registry.ts';

export const SECURITY_MIDDLEWARE = 'nuages/middleware/security#SecurityMiddleware';
export const XFRAME_MIDDLEWARE = 'nuages/middleware/clickjacking#XFrameOptionsMiddleware';

/** Whether MIDDLEWARE lists `path` (compared as written, as Django compares its dotted paths). */
export function hasMiddleware(path: string): boolean {
  return settingOr<readonly string[]>('MIDDLEWARE', []).includes(path);
}

/** A setting's value, or Django's default for it when the project leaves it unset. */
export function setting<T>(name: string, djangoDefault: T): T {
  return settingOr<T>(name, djangoDefault);
}

export const REFERRER_POLICY_VALUES: ReadonlySet<string> = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);
export const CROSS_ORIGIN_OPENER_POLICY_VALUES: ReadonlySet<string> = new Set(['same-origin', 'same-origin-allow-popups', 'unsafe-none']);

export const SECRET_KEY_INSECURE_PREFIX = 'django-insecure-';
export const SECRET_KEY_MIN_LENGTH = 50;
export const SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5;

function secretKeyWarning(what: string): string {
  return (
    `Your ${what} has less than ${SECRET_KEY_MIN_LENGTH} characters, less than ` +
    `${SECRET_KEY_MIN_UNIQUE_CHARACTERS} unique characters, or it's prefixed ` +
    `with '${SECRET_KEY_INSECURE_PREFIX}' indicating that it was generated ` +
    'automatically by Django. Please generate a long and random value, ' +
    "otherwise many of Nuages's security-critical features will be " +
    'vulnerable to attack.'
  );
}

const sortedValues = (values: ReadonlySet<string>): string => [...values].sort().join(', ');

/** Django's messages, one per ID, so every check returns the same text. */
const W001 = (): CheckWarning =>
  new CheckWarning(
    `You do not have '${SECURITY_MIDDLEWARE}' in your MIDDLEWARE so the SECURE_HSTS_SECONDS, ` +
      'SECURE_CONTENT_TYPE_NOSNIFF, SECURE_REFERRER_POLICY, SECURE_CROSS_ORIGIN_OPENER_POLICY, and ' +
      'SECURE_SSL_REDIRECT settings will have no effect.',
    { id: 'security.W001' },
  );
const W002 = (): CheckWarning =>
  new CheckWarning(
    `You do not have '${XFRAME_MIDDLEWARE}' in your MIDDLEWARE, so your pages will not be served with an ` +
      "'x-frame-options' header. Unless there is a good reason for your site to be served in a frame, you should " +
      'consider enabling this header to help prevent clickjacking attacks.',
    { id: 'security.W002' },
  );
const W004 = (): CheckWarning =>
  new CheckWarning(
    'You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only over SSL, ' +
      'you may want to consider setting a value and enabling HTTP Strict Transport Security. Be sure to read the ' +
      'documentation first; enabling HSTS carelessly can cause serious, irreversible problems.',
    { id: 'security.W004' },
  );
const W005 = (): CheckWarning =>
  new CheckWarning(
    'You have not set the SECURE_HSTS_INCLUDE_SUBDOMAINS setting to true. Without this, your site is potentially ' +
      'vulnerable to attack via an insecure connection to a subdomain. Only set this to true if you are certain that ' +
      'all subdomains of your domain should be served exclusively via SSL.',
    { id: 'security.W005' },
  );
const W006 = (): CheckWarning =>
  new CheckWarning(
    'Your SECURE_CONTENT_TYPE_NOSNIFF setting is not set to true, so your pages will not be served with an ' +
      "'X-Content-Type-Options: nosniff' header. You should consider enabling this header to prevent the browser " +
      'from identifying content types incorrectly.',
    { id: 'security.W006' },
  );
const W008 = (): CheckWarning =>
  new CheckWarning(
    'Your SECURE_SSL_REDIRECT setting is not set to true. Unless your site should be available over both SSL and ' +
      'non-SSL connections, you may want to either set this setting true or configure a load balancer or ' +
      'reverse-proxy server to redirect all connections to HTTPS.',
    { id: 'security.W008' },
  );
const W018 = (): CheckWarning => new CheckWarning('You should not have DEBUG set to true in deployment.', { id: 'security.W018' });
const W019 = (): CheckWarning =>
  new CheckWarning(
    `You have '${XFRAME_MIDDLEWARE}' in your MIDDLEWARE, but X_FRAME_OPTIONS is not set to 'DENY'. Unless ` +
      'there is a good reason for your site to serve other parts of itself in a frame, you should change it to ' +
      "'DENY'.",
    { id: 'security.W019' },
  );
const W020 = (): CheckWarning => new CheckWarning('ALLOWED_HOSTS must not be empty in deployment.', { id: 'security.W020' });
const W021 = (): CheckWarning =>
  new CheckWarning(
    'You have not set the SECURE_HSTS_PRELOAD setting to true. Without this, your site cannot be submitted to the ' +
      'browser preload list.',
    { id: 'security.W021' },
  );
const W022 = (): CheckWarning =>
  new CheckWarning(
    'You have not set the SECURE_REFERRER_POLICY setting. Without this, your site will not send a Referrer-Policy ' +
      'header. You should consider enabling this header to protect user privacy.',
    { id: 'security.W022' },
  );
const E023 = (): CheckError =>
  new CheckError('You have set the SECURE_REFERRER_POLICY setting to an invalid value.', {
    hint: `Valid values are: ${sortedValues(REFERRER_POLICY_VALUES)}.`,
    id: 'security.E023',
  });
const E024 = (): CheckError =>
  new CheckError('You have set the SECURE_CROSS_ORIGIN_OPENER_POLICY setting to an invalid value.', {
    hint: `Valid values are: ${sortedValues(CROSS_ORIGIN_OPENER_POLICY_VALUES)}.`,
    id: 'security.E024',
  });

const securityMiddleware = (): boolean => hasMiddleware(SECURITY_MIDDLEWARE);
const xframeMiddleware = (): boolean => hasMiddleware(XFRAME_MIDDLEWARE);
const hstsSeconds = (): boolean => Boolean(setting<unknown>('SECURE_HSTS_SECONDS', 0));

/** security.W001: SecurityMiddleware is missing. */
export function checkSecurityMiddleware(): CheckMessage[] {
  return securityMiddleware() ? [] : [W001()];
}

/** security.W002: XFrameOptionsMiddleware is missing. */
export function checkXFrameOptionsMiddleware(): CheckMessage[] {
  return xframeMiddleware() ? [] : [W002()];
}

/** security.W004: no HSTS. */
export function checkSts(): CheckMessage[] {
  return !securityMiddleware() || hstsSeconds() ? [] : [W004()];
}

/** security.W005: HSTS without subdomains. */
export function checkStsIncludeSubdomains(): CheckMessage[] {
  const passed = !securityMiddleware() || !hstsSeconds() || setting<unknown>('SECURE_HSTS_INCLUDE_SUBDOMAINS', false) === true;
  return passed ? [] : [W005()];
}

/** security.W021: HSTS without preload. */
export function checkStsPreload(): CheckMessage[] {
  const passed = !securityMiddleware() || !hstsSeconds() || setting<unknown>('SECURE_HSTS_PRELOAD', false) === true;
  return passed ? [] : [W021()];
}

/** security.W006: no `X-Content-Type-Options: nosniff`. */
export function checkContentTypeNosniff(): CheckMessage[] {
  return !securityMiddleware() || setting<unknown>('SECURE_CONTENT_TYPE_NOSNIFF', true) === true ? [] : [W006()];
}

/** security.W008: no redirect to HTTPS. */
export function checkSslRedirect(): CheckMessage[] {
  return !securityMiddleware() || setting<unknown>('SECURE_SSL_REDIRECT', false) === true ? [] : [W008()];
}

/** Django's test of a key: long enough, varied enough, and not a generated development key. */
export function isStrongSecretKey(key: unknown): boolean {
  return (
    typeof key === 'string' &&
    new Set(key).size >= SECRET_KEY_MIN_UNIQUE_CHARACTERS &&
    [...key].length >= SECRET_KEY_MIN_LENGTH &&
    !key.startsWith(SECRET_KEY_INSECURE_PREFIX)
  );
}

/** security.W009: a weak SECRET_KEY. */
export function checkSecretKey(): CheckMessage[] {
  return isStrongSecretKey(setting('SECRET_KEY', '')) ? [] : [new CheckWarning(secretKeyWarning('SECRET_KEY'), { id: 'security.W009' })];
}

/** security.W025: a weak key in SECRET_KEY_FALLBACKS, one message per key. */
export function checkSecretKeyFallbacks(): CheckMessage[] {
  const fallbacks = setting<unknown>('SECRET_KEY_FALLBACKS', []);
  if (!Array.isArray(fallbacks)) return [new CheckWarning(secretKeyWarning('SECRET_KEY_FALLBACKS'), { id: 'security.W025' })];
  return fallbacks.flatMap((key, index) =>
    isStrongSecretKey(key) ? [] : [new CheckWarning(secretKeyWarning(`SECRET_KEY_FALLBACKS[${index}]`), { id: 'security.W025' })],
  );
}

/** security.W018: DEBUG is on. */
export function checkDebug(): CheckMessage[] {
  return setting<unknown>('DEBUG', false) ? [W018()] : [];
}

/** security.W019: X_FRAME_OPTIONS is not DENY. */
export function checkXFrameDeny(): CheckMessage[] {
  return !xframeMiddleware() || setting('X_FRAME_OPTIONS', 'DENY') === 'DENY' ? [] : [W019()];
}

/** security.W020: ALLOWED_HOSTS is empty. */
export function checkAllowedHosts(): CheckMessage[] {
  const hosts = setting<readonly string[]>('ALLOWED_HOSTS', []);
  return hosts.length ? [] : [W020()];
}

/** security.W022 / E023: no Referrer-Policy, or one a browser would not understand. */
export function checkReferrerPolicy(): CheckMessage[] {
  if (!securityMiddleware()) return [];
  const policy = setting<string | readonly string[] | null>('SECURE_REFERRER_POLICY', 'same-origin');
  if (policy === null) return [W022()];
  // A comma-separated string or a list: browsers take the last value they know, so fallbacks are allowed.
  const values = typeof policy === 'string' ? policy.split(',').map((v) => v.trim()) : [...policy];
  return values.every((value) => REFERRER_POLICY_VALUES.has(value)) ? [] : [E023()];
}

/** security.E024: a Cross-Origin-Opener-Policy browsers do not know. */
export function checkCrossOriginOpenerPolicy(): CheckMessage[] {
  const policy = setting<string | null>('SECURE_CROSS_ORIGIN_OPENER_POLICY', 'same-origin');
  if (!securityMiddleware() || policy === null || CROSS_ORIGIN_OPENER_POLICY_VALUES.has(policy)) return [];
  return [E024()];
}

for (const check of [
  checkSecurityMiddleware,
  checkXFrameOptionsMiddleware,
  checkSts,
  checkStsIncludeSubdomains,
  checkStsPreload,
  checkContentTypeNosniff,
  checkSslRedirect,
  checkSecretKey,
  checkSecretKeyFallbacks,
  checkDebug,
  checkXFrameDeny,
  checkAllowedHosts,
  checkReferrerPolicy,
  checkCrossOriginOpenerPolicy,
]) {
  registerCheck(check, { tags: [Tags.security], deploy: true });
}

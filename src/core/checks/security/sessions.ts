/**
 * Session cookie checks (Django 5.2's django.core.checks.security.sessions), for
 * deployment: the cookie must be Secure (W010–W012) and HttpOnly (W013–W015).
 * Which ID depends on what uses sessions: the app (W010/W013), the middleware
 * (W011/W014), or both (W012/W015).
 */
import { settingOr } from '../../../conf/lazy-settings.ts';
import { CheckWarning, type CheckMessage } from '../messages.ts';
import { registerCheck, Tags } from '../registry.ts';
import { hasMiddleware, setting } from './base.ts';

export const SESSION_MIDDLEWARE = 'nuages/contrib/sessions#SessionMiddleware';
export const SESSIONS_APP = 'nuages/contrib/sessions';

function sessionsApp(): boolean {
  return settingOr<readonly string[]>('INSTALLED_APPS', []).includes(SESSIONS_APP);
}

const APP = `You have '${SESSIONS_APP}' in your INSTALLED_APPS, but you have not set`;
const MIDDLEWARE = `You have '${SESSION_MIDDLEWARE}' in your MIDDLEWARE, but you have not set`;
const SECURE_WHY = ' Using a secure-only session cookie makes it more difficult for network traffic sniffers to hijack user sessions.';
const HTTPONLY_WHY = ' Using an HttpOnly session cookie makes it more difficult for cross-site scripting attacks to hijack user sessions.';

/** The app's message, the middleware's, or the combined one when both apply (Django's rule). */
function cookieWarnings(ids: readonly [string, string, string], texts: readonly [string, string, string]): CheckMessage[] {
  const app = sessionsApp();
  const middleware = hasMiddleware(SESSION_MIDDLEWARE);
  if (app && middleware) return [new CheckWarning(texts[2], { id: ids[2] })];
  if (app) return [new CheckWarning(texts[0], { id: ids[0] })];
  if (middleware) return [new CheckWarning(texts[1], { id: ids[1] })];
  return [];
}

/** The warning of `name` (a cookie flag that must be true), worded for what uses sessions. */
function cookieFlag(name: string, djangoDefault: boolean, ids: readonly [string, string, string], why: string): CheckMessage[] {
  if (setting<unknown>(name, djangoDefault) === true) return [];
  return cookieWarnings(ids, [`${APP} ${name} to true.${why}`, `${MIDDLEWARE} ${name} to true.${why}`, `${name} is not set to true.${why}`]);
}

/** security.W010 / W011 / W012: SESSION_COOKIE_SECURE is not true. */
export function checkSessionCookieSecure(): CheckMessage[] {
  return cookieFlag('SESSION_COOKIE_SECURE', false, ['security.W010', 'security.W011', 'security.W012'], SECURE_WHY);
}

/** security.W013 / W014 / W015: SESSION_COOKIE_HTTPONLY is not true. */
export function checkSessionCookieHttponly(): CheckMessage[] {
  return cookieFlag('SESSION_COOKIE_HTTPONLY', true, ['security.W013', 'security.W014', 'security.W015'], HTTPONLY_WHY);
}

registerCheck(checkSessionCookieSecure, { tags: [Tags.security], deploy: true });
registerCheck(checkSessionCookieHttponly, { tags: [Tags.security], deploy: true });

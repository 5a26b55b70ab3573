/**
 * CSRF checks (Django 5.2's django.core.checks.security.csrf): the middleware is
 * installed (deploy, W003), its cookie is secure (deploy, W016), and
 * CSRF_FAILURE_VIEW names a view that can be imported and called (always, E101/E102).
 */
import { dottedToImportString, moduleTarget, parseImportString } from '../../../utils/module-loading.ts';
import { CheckError, CheckWarning, type CheckMessage } from '../messages.ts';
import { registerCheck, Tags } from '../registry.ts';
import { hasMiddleware, setting } from './base.ts';

export const CSRF_MIDDLEWARE = 'nuages/middleware/csrf#CsrfViewMiddleware';
const DEFAULT_FAILURE_VIEW = 'nuages/views/csrf#csrfFailure';

/** security.W003: CsrfViewMiddleware is missing. */
export function checkCsrfMiddleware(): CheckMessage[] {
  if (hasMiddleware(CSRF_MIDDLEWARE)) return [];
  return [
    new CheckWarning(
      "You don't appear to be using Nuages's built-in cross-site request forgery protection via the middleware " +
        `('${CSRF_MIDDLEWARE}' is not in your MIDDLEWARE). Enabling the middleware is the safest approach to ` +
        "ensure you don't leave any holes.",
      { id: 'security.W003' },
    ),
  ];
}

/** security.W016: the CSRF cookie may travel over plain HTTP. */
export function checkCsrfCookieSecure(): CheckMessage[] {
  const passed = Boolean(setting('CSRF_USE_SESSIONS', false)) || !hasMiddleware(CSRF_MIDDLEWARE) || setting<unknown>('CSRF_COOKIE_SECURE', false) === true;
  if (passed) return [];
  return [
    new CheckWarning(
      `You have '${CSRF_MIDDLEWARE}' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to true. ` +
        'Using a secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.',
      { id: 'security.W016' },
    ),
  ];
}

/**
 * security.E102 / E101: CSRF_FAILURE_VIEW cannot be imported, or is not a view taking
 * `(request, { reason })`. Imports the module, as the middleware will on the first refusal.
 */
export async function checkCsrfFailureView(): Promise<CheckMessage[]> {
  const configured = setting<unknown>('CSRF_FAILURE_VIEW', DEFAULT_FAILURE_VIEW);
  let view: unknown = configured;
  if (typeof configured === 'string') {
    const { module, exportName } = parseImportString(dottedToImportString(configured));
    try {
      view = ((await import(moduleTarget(module))) as Record<string, unknown>)[exportName];
    } catch {
      view = undefined;
    }
    if (typeof view !== 'function') {
      return [new CheckError(`The CSRF failure view '${configured}' could not be imported.`, { id: 'security.E102' })];
    }
  }
  // The middleware calls it with two arguments; a view that requires more cannot answer.
  if (typeof view !== 'function' || view.length > 2) {
    const name = typeof configured === 'string' ? configured : (view as Function | undefined)?.name || String(view);
    return [new CheckError(`The CSRF failure view '${name}' does not take the correct number of arguments.`, { id: 'security.E101' })];
  }
  return [];
}

registerCheck(checkCsrfMiddleware, { tags: [Tags.security], deploy: true });
registerCheck(checkCsrfCookieSecure, { tags: [Tags.security], deploy: true });
registerCheck(checkCsrfFailureView, { tags: [Tags.security] });

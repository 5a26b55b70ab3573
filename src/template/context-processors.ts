/**
 * Built-in context processors. Each takes the request and returns variables
 * for every template rendered with it (`contextProcessors` engine option).
 */
import type { HttpRequest } from '../http/request.ts';
import { getNonce } from '../middleware/csp.ts';
import { getToken, type CsrfRequest } from '../middleware/csrf-token.ts';

/**
 * `debug` and `sql_queries` for templates, when the request says the app runs
 * in debug mode (`request.debug`, set by the handler from settings.DEBUG and
 * INTERNAL_IPS, as Django's processor checks).
 */
export function debug(request: unknown): Record<string, unknown> {
  const r = request as { debug?: boolean; sqlQueries?: unknown[] } | null;
  if (!r?.debug) return {};
  return { debug: true, sql_queries: r.sqlQueries ?? [] };
}

/** The request itself, as `{{ request }}`. */
export function request(request: unknown): Record<string, unknown> {
  return { request };
}

/**
 * `csrf_token` for `{% csrf_token %}` and `{{ csrf_token }}`. Every RequestContext runs it
 * first, whatever the engine lists (as Django's RequestContext does), so forms work in any
 * template rendered with a request. Lazy: the token is made (and the CSRF cookie marked
 * for sending) only when the template uses it, and the same token serves every use in the
 * page. Without a request the value is 'NOTPROVIDED', which the tag renders as nothing.
 */
export function csrf(request: unknown): Record<string, unknown> {
  let token: string | undefined;
  const csrfToken = (): string => (token ??= isCsrfRequest(request) ? getToken(request) : 'NOTPROVIDED');
  return { csrf_token: csrfToken };
}

function isCsrfRequest(request: unknown): request is CsrfRequest {
  return request !== null && typeof request === 'object' && typeof (request as { META?: unknown }).META === 'object';
}

/**
 * `csp_nonce` for inline scripts and styles allowed by a Content Security Policy with
 * `CSP.NONCE` (Django's `context_processors.csp`): `<script nonce="{{ csp_nonce }}">`.
 * Printing it makes the nonce, and only then does ContentSecurityPolicyMiddleware put
 * `'nonce-…'` in the header; `{% if csp_nonce %}` is false until something printed it.
 * Without the middleware the value is None, as in Django.
 */
export function csp(request: unknown): Record<string, unknown> {
  const nonce = request !== null && typeof request === 'object' ? getNonce(request as HttpRequest) : undefined;
  return { csp_nonce: nonce ?? null };
}

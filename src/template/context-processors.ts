/**
 * Built-in context processors. Each takes the request and returns variables
 * for every template rendered with it (`contextProcessors` engine option).
 */
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

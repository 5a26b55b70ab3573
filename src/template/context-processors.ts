/**
 * Built-in context processors. Each takes the request and returns variables
 * for every template rendered with it (`contextProcessors` engine option).
 */

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

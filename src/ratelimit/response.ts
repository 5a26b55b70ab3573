/** The answer to a refused request: 429 Too Many Requests with Retry-After. */
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, JsonResponse } from '../http/response.ts';
import { patchVaryHeaders } from '../utils/cache.ts';
import type { RateLimitUsage } from './limit.ts';

/**
 * 429 Too Many Requests, with `Retry-After` in seconds (when the counter resets).
 * A client that asks for JSON and not HTML (`Accept: application/json`) gets
 * `{"detail": "…", "retryAfter": 42}`; anyone else a short HTML page. The body
 * says nothing about the limit itself, so it helps no one tune an attack.
 *
 * ```ts
 * const usage = await getUsage(request, { group: 'export', key: 'user', rate: '2/h', increment: true });
 * if (usage?.limited) return rateLimitedResponse(request, usage);
 * ```
 */
export function rateLimitedResponse(request: HttpRequest, usage: Pick<RateLimitUsage, 'retryAfter'>): HttpResponse {
  const seconds = usage.retryAfter;
  const detail = `Too many requests. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  const json = request.accepts('application/json') && !request.accepts('text/html');
  const response = json
    ? new JsonResponse({ detail, retryAfter: seconds }, { status: 429 })
    : new HttpResponse(`<!DOCTYPE html>\n<title>Too Many Requests</title>\n<h1>Too Many Requests</h1>\n<p>${detail}</p>\n`, { status: 429 });
  response.headers.set('Retry-After', String(seconds));
  // The body depends on Accept: a shared cache must not hand the JSON to a browser.
  patchVaryHeaders(response, ['Accept']);
  return response;
}

/**
 * ConditionalGetMiddleware (Django's django.middleware.http): gives GET responses
 * an ETag and answers 304 Not Modified when the client's copy is current, from
 * If-None-Match / If-Modified-Since (and 412 for failed If-Match /
 * If-Unmodified-Since), so an unchanged page costs the client no body.
 */
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { getConditionalResponse, parseHttpDate, setResponseEtag } from '../utils/cache.ts';
import { MiddlewareMixin } from './mixin.ts';

/**
 * Conditional GET support. Only GET is handled: for HEAD the body is empty, so an
 * ETag computed from it would be wrong, and for unsafe methods it is too late to
 * answer 412 once the view has run.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/middleware/conditional-get#ConditionalGetMiddleware', ...]
 * ```
 */
export class ConditionalGetMiddleware extends MiddlewareMixin {
  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (request.method !== 'GET') return response;
    if (this.needsEtag(response) && !response.headers.has('ETag')) setResponseEtag(response);
    const etag = response.headers.get('ETag');
    const lastModifiedHeader = response.headers.get('Last-Modified');
    const lastModified = lastModifiedHeader ? parseHttpDate(lastModifiedHeader) : undefined;
    if (etag || lastModified !== undefined) {
      return getConditionalResponse(request, { etag, lastModified, response }) ?? response;
    }
    return response;
  }

  /** Whether to compute an ETag: not when Cache-Control says `no-store`. */
  needsEtag(response: HttpResponseBase): boolean {
    const cacheControl = response.headers.get('Cache-Control') ?? '';
    return cacheControl.split(/\s*,\s*/).every((directive) => directive.toLowerCase() !== 'no-store');
  }
}

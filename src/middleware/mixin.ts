/**
 * `MiddlewareMixin`: the old-style middleware shape (Django's MiddlewareMixin),
 * `processRequest` before the inner layers and `processResponse` after, for
 * middleware that only looks at one side of the call.
 */
import type { GetResponse, MiddlewareObject } from '../core/handlers/base.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';

/**
 * Base class for middleware written as two hooks. `processRequest` may return a
 * response to answer at once (the inner layers and the view are skipped, but this
 * middleware's `processResponse` still runs, as in Django).
 *
 * ```ts
 * class NoCacheMiddleware extends MiddlewareMixin {
 *   override processResponse(request: HttpRequest, response: HttpResponseBase) {
 *     response.headers.set('Cache-Control', 'no-store');
 *     return response;
 *   }
 * }
 * ```
 */
export class MiddlewareMixin implements MiddlewareObject {
  /** The next layer inwards. */
  readonly getResponse: GetResponse;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  /** Called on the way in. Return a response to stop there; nothing to carry on. */
  processRequest(_request: HttpRequest): HttpResponseBase | undefined | Promise<HttpResponseBase | undefined> {
    return undefined;
  }

  /** Called on the way out with the inner layers' response; returns the response to pass on. */
  processResponse(_request: HttpRequest, response: HttpResponseBase): HttpResponseBase | Promise<HttpResponseBase> {
    return response;
  }

  async call(request: HttpRequest): Promise<HttpResponseBase> {
    // A sync processRequest (the usual kind) is not awaited: one tick less per layer.
    const pending = this.processRequest(request);
    const early = pending !== undefined && typeof (pending as Promise<unknown>).then === 'function' ? await pending : (pending as HttpResponseBase | undefined);
    const response = early ?? (await this.getResponse(request));
    return this.processResponse(request, response);
  }
}

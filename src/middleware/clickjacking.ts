/**
 * XFrameOptionsMiddleware (Django's django.middleware.clickjacking): sends
 * `X-Frame-Options` on every response, so another site cannot show your pages in a
 * frame and trick visitors into clicking through them (clickjacking).
 */
import { settingOr } from '../conf/lazy-settings.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { registerResponseMark } from '../http/response-marks.ts';
import { MiddlewareMixin } from './mixin.ts';

// Responses xframeOptionsExempt marked (Django sets response.xframe_options_exempt).
// A WeakSet keeps the mark off the response's type and lets the response be collected.
const exemptResponses = new WeakSet<HttpResponseBase>();
registerResponseMark<true>({
  name: 'xframeOptionsExempt',
  read: (response) => (exemptResponses.has(response) ? true : undefined),
  restore: (response) => void exemptResponses.add(response),
});

/**
 * Mark `response` so XFrameOptionsMiddleware leaves it without `X-Frame-Options`: the
 * page may then be framed by any site. The `xframeOptionsExempt` view decorator does
 * this; call it yourself only when one view decides per request.
 */
export function markXFrameOptionsExempt<R extends HttpResponseBase>(response: R): R {
  exemptResponses.add(response);
  return response;
}

/** Whether `response` was marked by {@link markXFrameOptionsExempt} (or `xframeOptionsExempt`). */
export function isXFrameOptionsExempt(response: HttpResponseBase): boolean {
  return exemptResponses.has(response);
}

/**
 * Sets `X-Frame-Options` to X_FRAME_OPTIONS (default 'DENY'; 'SAMEORIGIN' lets your own
 * pages frame each other), upper-cased, unless the view set the header itself or its
 * response is exempt. Put it last in MIDDLEWARE, as in Django.
 *
 * ```ts
 * MIDDLEWARE: [..., 'nuages/middleware/clickjacking#XFrameOptionsMiddleware'],
 * X_FRAME_OPTIONS: 'DENY',
 * ```
 *
 * Subclass and override {@link getXFrameOptionsValue} to choose the value per request.
 */
export class XFrameOptionsMiddleware extends MiddlewareMixin {
  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (response.headers.has('X-Frame-Options') || exemptResponses.has(response)) return response;
    response.headers.set('X-Frame-Options', this.getXFrameOptionsValue(request, response));
    return response;
  }

  /** The header's value for this response: X_FRAME_OPTIONS upper-cased (Django's get_xframe_options_value). */
  getXFrameOptionsValue(_request: HttpRequest, _response: HttpResponseBase): string {
    return settingOr('X_FRAME_OPTIONS', 'DENY').toUpperCase();
  }
}

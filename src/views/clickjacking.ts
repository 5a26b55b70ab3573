/**
 * Clickjacking view decorators (Django's django.views.decorators.clickjacking): choose
 * `X-Frame-Options` for one view, with or without XFrameOptionsMiddleware.
 *
 * ```ts
 * path('embed/', xframeOptionsExempt(embeddableWidget)),   // any site may frame it
 * path('preview/', xframeOptionsSameorigin(preview)),      // only your own pages may
 * path('account/', xframeOptionsDeny(account)),            // nobody may
 * methodDecorator(xframeOptionsSameorigin, 'dispatch')(PreviewView);   // on a class-based view
 * ```
 *
 * A header the view set itself is kept, as in Django.
 */
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponse, HttpResponseBase } from '../http/response.ts';
import { markXFrameOptionsExempt } from '../middleware/clickjacking.ts';
import { afterView } from './cache-decorators.ts';

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponse | Promise<HttpResponse>;

function setFrameOptions(value: 'DENY' | 'SAMEORIGIN') {
  return (response: HttpResponseBase) => response.headers.setDefault('X-Frame-Options', value);
}

/**
 * Send `X-Frame-Options: DENY` from this view, whatever X_FRAME_OPTIONS says: no page,
 * not even your own, may show it in a frame.
 *
 * ```ts
 * path('account/password/', xframeOptionsDeny(changePassword)),
 * ```
 */
export function xframeOptionsDeny<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
  return afterView<P, V>('xframeOptionsDeny', view, setFrameOptions('DENY'));
}

/**
 * Send `X-Frame-Options: SAMEORIGIN` from this view: pages of your own site may frame
 * it, other sites may not.
 *
 * ```ts
 * path('preview/', xframeOptionsSameorigin(preview)),
 * ```
 */
export function xframeOptionsSameorigin<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
  return afterView<P, V>('xframeOptionsSameorigin', view, setFrameOptions('SAMEORIGIN'));
}

/**
 * Let any site frame this view: XFrameOptionsMiddleware sends no `X-Frame-Options` for
 * its responses. Only for pages made to be embedded (a widget, an oEmbed player) that
 * act on nothing when clicked.
 *
 * ```ts
 * path('widgets/price/', xframeOptionsExempt(priceWidget)),
 * ```
 */
export function xframeOptionsExempt<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
  return afterView<P, V>('xframeOptionsExempt', view, markXFrameOptionsExempt);
}

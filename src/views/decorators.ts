/**
 * View decorators (Django's django.views.decorators.http): wrap a view
 * function to refuse other HTTP methods with 405 and an Allow header.
 *
 * ```ts
 * export const search = requireGET(async (request) => …);
 * export const vote = requireHttpMethods(['GET', 'POST'])(async (request, { id }) => …);
 * ```
 */
import { HttpResponseNotAllowed, type HttpRequest, type HttpResponse } from '../http/index.ts';
import type { Params } from '../urls/types.ts';

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponse | Promise<HttpResponse>;

/**
 * Only lets through requests whose method is in `methods` (upper case, as
 * Django compares them); others get 405 with `Allow: <methods>`.
 * Flags set on the view (csrfExempt, …) are kept on the wrapper.
 */
export function requireHttpMethods(methods: readonly string[]) {
  const allowed = [...methods];
  return function decorate<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
    const wrapper = async function (this: unknown, request: HttpRequest, params: P): Promise<HttpResponse> {
      if (!allowed.includes(request.method)) return new HttpResponseNotAllowed(allowed);
      return view.call(this, request, params);
    };
    Object.defineProperty(wrapper, 'name', { value: view.name });
    Object.assign(wrapper, view);
    return wrapper as unknown as V;
  };
}

/** The contract's name for {@link requireHttpMethods}. */
export const requireMethods = requireHttpMethods;

/** Only GET (a HEAD is refused: use {@link requireSafe} to allow it). */
export const requireGET = requireHttpMethods(['GET']);

/** Only POST. */
export const requirePOST = requireHttpMethods(['POST']);

/** Only GET and HEAD, the methods that must not change anything. */
export const requireSafe = requireHttpMethods(['GET', 'HEAD']);

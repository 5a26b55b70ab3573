/**
 * Cache decorators for views (Django's django.views.decorators.cache and .vary):
 * `cachePage` stores a view's pages, `neverCache` and `cacheControl` set
 * Cache-Control, `varyOnHeaders` / `varyOnCookie` extend Vary. Each takes a view
 * function (a class-based view through `MyView.asView()`) and returns one that
 * keeps the view's flags (csrfExempt, viewClass, …).
 *
 * ```ts
 * path('books/<int:id>/', cachePage(60 * 15, { dependsOn: [Book] })(bookDetail)),
 * path('catalog/', cachePage(300)(BookList.asView())),
 * path('account/', neverCache(account)),
 * ```
 */
// dependsOn relies on committed writes outdating model tags: make sure that is on in this process.
import '../cache/invalidation.ts';
import type { ModelReference } from '../cache/model-tags.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponse, HttpResponseBase } from '../http/response.ts';
import { CacheMiddleware, unrendered } from '../middleware/cache.ts';
import type { Params } from '../urls/types.ts';
import { addNeverCacheHeaders, patchCacheControl, patchVaryHeaders, type CacheControlOptions } from '../utils/cache.ts';
import { ViewConfigurationError } from './base.ts';

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponse | Promise<HttpResponse>;

/**
 * A class given where a view function belongs is the usual slip with class-based
 * views; say how to fix it rather than fail later with "cannot call a class".
 */
export function checkView(decorator: string, view: unknown): void {
  if (typeof view !== 'function') {
    throw new ViewConfigurationError(`${decorator} was given ${view === null ? 'null' : typeof view}, not a view function.`);
  }
  if (/^class[\s{]/.test(Function.prototype.toString.call(view))) {
    throw new ViewConfigurationError(
      `${decorator} was given the class ${view.name}; decorate its view function instead: ${decorator}(${view.name}.asView()).`,
    );
  }
}

/** A wrapper that calls `view` then `after` on its response; named and flagged as `view`. */
export function afterView<P, V extends AnyView<P>>(decorator: string, view: V, after: (response: HttpResponseBase) => void): V {
  checkView(decorator, view);
  const wrapper = async function (this: unknown, request: HttpRequest, params: P): Promise<HttpResponse> {
    const response = await view.call(this, request, params);
    after(response);
    return response;
  };
  return keepIdentity(wrapper, view);
}

export function keepIdentity<V extends Function>(wrapper: Function, view: V): V {
  Object.defineProperty(wrapper, 'name', { value: view.name });
  // Flags set on the view (csrfExempt, viewClass, …) must stay visible on the wrapper.
  Object.assign(wrapper, view);
  return wrapper as unknown as V;
}

/** Options of {@link cachePage}. */
export interface CachePageOptions {
  /** The cache alias to store pages in (default `'default'`, as Django's cache_page, not CACHE_MIDDLEWARE_ALIAS). */
  readonly cache?: string | undefined;
  /** Prefix of this view's keys (default `''`): e.g. the site's domain on a multi-site setup. */
  readonly keyPrefix?: string | undefined;
  /**
   * Models the page shows: a committed save, delete, bulk write or m2m change of one
   * makes the stored pages a miss, so the next request renders afresh.
   */
  readonly dependsOn?: readonly ModelReference[] | undefined;
}

/**
 * Cache the view's pages for `seconds` (whatever max-age the response says; the
 * response's own max-age is lowered to `seconds` at most). A request served from the
 * cache does not run the view. Keys are the absolute URL with its query string, the
 * method, and the request headers the response's Vary names, so `varyOnCookie` gives
 * each visitor their own copy. Only GET and HEAD with status 200 are stored, and
 * never a page that sets a cookie, says `Cache-Control: private`, `no-cache` or
 * `no-store`, or streams. Each miss reads and each store writes the cache (two keys:
 * the Vary list for the URL, and the page).
 *
 * ```ts
 * export const bookDetail = cachePage(60 * 15, { dependsOn: [Book, 'catalog.Author'] })(
 *   async (request: HttpRequest, { id }: { id: number }) => render(request, 'book.html', { book: await Book.objects.get({ id }) }),
 * );
 * path('catalog/', cachePage(300)(BookList.asView()));
 * ```
 *
 * @throws ViewConfigurationError when given a class instead of a view function.
 */
export function cachePage(seconds: number, options: CachePageOptions = {}) {
  return function decorate<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
    checkView('cachePage(…)', view);
    // Built on the first request, not at import time: settings may not be configured yet.
    let middleware: CacheMiddleware | undefined;
    const wrapper = async function (this: unknown, request: HttpRequest, params: P): Promise<HttpResponseBase> {
      // Only the middleware's two hooks are used; the wrapper calls the view between them.
      middleware ??= new CacheMiddleware(() => Promise.reject(new Error('cachePage calls the view itself')), {
        pageTimeout: seconds,
        cacheAlias: options.cache ?? null,
        keyPrefix: options.keyPrefix ?? null,
        dependsOn: options.dependsOn,
      });
      const cached = await middleware.processRequest(request);
      if (cached !== undefined) return cached;
      const response = await view.call(this, request, params);
      const pending = unrendered(response);
      if (pending === undefined) return middleware.processResponse(request, response);
      // A TemplateResponse is rendered by the handler after this returns; store it then.
      const owner = middleware;
      pending.addPostRenderCallback((rendered) => owner.processResponse(request, rendered));
      return response;
    };
    return keepIdentity(wrapper, view);
  };
}

/**
 * Mark the view's responses as never to be cached: `Expires` now and
 * `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`,
 * as Django 5.2 (directives the view set are kept).
 *
 * ```ts
 * path('account/', neverCache(async (request) => render(request, 'account.html'))),
 * ```
 */
export function neverCache<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
  return afterView<P, V>('neverCache', view, addNeverCacheHeaders);
}

/**
 * Merge Cache-Control directives into the view's responses (see `patchCacheControl`
 * for how they combine with what is there).
 *
 * ```ts
 * export const catalog = cacheControl({ public: true, maxAge: 3600 })(catalogView);
 * // Cache-Control: public, max-age=3600
 * ```
 */
export function cacheControl(directives: CacheControlOptions) {
  return function decorate<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
    return afterView<P, V>('cacheControl(…)', view, (response) => patchCacheControl(response, directives));
  };
}

/**
 * Add header names to the Vary header of the view's responses, so caches (the
 * browser's, a proxy's, `cachePage`) keep one copy per value of those request headers.
 *
 * ```ts
 * export const home = varyOnHeaders('Accept-Language', 'User-Agent')(homeView);
 * ```
 */
export function varyOnHeaders(...headers: string[]) {
  return function decorate<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
    return afterView<P, V>('varyOnHeaders(…)', view, (response) => patchVaryHeaders(response, headers));
  };
}

/**
 * Add `Cookie` to the Vary header of the view's responses: the page depends on the
 * visitor (their session), so each gets their own cached copy.
 *
 * ```ts
 * export const dashboard = cachePage(60)(varyOnCookie(dashboardView));
 * ```
 */
export const varyOnCookie = varyOnHeaders('Cookie');

/**
 * Which URLconf a request resolves against (Django's get_urlconf/set_urlconf,
 * per request instead of per thread).
 */
import type { HttpRequest } from '../../http/request.ts';
import type { Urlconf } from '../../urls/index.ts';

const handlerUrlconfs = new WeakMap<HttpRequest, Urlconf>();

/** @internal Records the handler's `urlconf` option for `request`. */
export function setHandlerUrlconf(request: HttpRequest, urlconf: Urlconf): void {
  handlerUrlconfs.set(request, urlconf);
}

/**
 * The URLconf `request` is resolved against: `request.urlconf` when a middleware
 * set one, else the handler's `urlconf` option, else undefined (ROOT_URLCONF).
 */
export function urlconfFor(request: HttpRequest): Urlconf | undefined {
  return request.urlconf ?? handlerUrlconfs.get(request) ?? undefined;
}

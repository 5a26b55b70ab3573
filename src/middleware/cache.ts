/**
 * The site-wide cache (Django's django.middleware.cache): whole pages stored in a
 * cache and answered from it without running the view.
 *
 * request → FetchFromCacheMiddleware (last in MIDDLEWARE): GET/HEAD only, key from
 *   the URL and the headers the page varies on → hit: the stored page, rebuilt
 *   → miss: the inner layers and the view run → UpdateCacheMiddleware (first in
 *   MIDDLEWARE, so it sees the response last): a 200 that is safe to share is
 *   stored with Expires/max-age headers, for CACHE_MIDDLEWARE_SECONDS or its max-age.
 *
 * `CacheMiddleware` is both halves in one; `cachePage()` (src/views/cache-decorators.ts)
 * wraps one view with it.
 */
import type { Cache } from '../cache/cache.ts';
import { caches } from '../cache/caches.ts';
import type { TagSnapshot } from '../cache/entry.ts';
import { modelTag, type ModelReference } from '../cache/model-tags.ts';
import { settingOr } from '../conf/lazy-settings.ts';
import type { GetResponse } from '../core/handlers/base.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, type HttpResponseBase } from '../http/response.ts';
import { readResponseMarks, restoreResponseMarks } from '../http/response-marks.ts';
import {
  getCacheKey,
  getMaxAge,
  hasVaryHeader,
  learnCacheKey,
  parseHttpDate,
  patchResponseHeaders,
  patchVaryHeaders,
} from '../utils/cache.ts';
import { getLogger } from '../utils/log.ts';
import { MiddlewareMixin } from './mixin.ts';

const log = getLogger('nuages.cache');

// ---- The stored page ----------------------------------------------------------

/**
 * A page as the cache stores it: plain data every backend can hold (a Redis or
 * Memcached value is bytes), rebuilt as an `HttpResponse` on a hit. Pages that set
 * cookies are never stored, so there are none to keep.
 */
export interface CachedPage {
  readonly format: 'nuages.page.1';
  readonly status: number;
  readonly reason: string;
  readonly charset: string;
  /** `[name, value]` pairs, names as the view set them. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly content: Uint8Array;
  /** Marks the view put on the response besides its headers (`xframeOptionsExempt`, a CSP override). */
  readonly marks?: Record<string, unknown>;
}

/** The data the cache keeps for `response` (an in-memory response: never a streaming one). */
export function pageToCacheData(response: HttpResponse): CachedPage {
  return {
    format: 'nuages.page.1',
    status: response.status,
    reason: response.reasonPhrase,
    charset: response.charset,
    headers: [...response.headers.entries()],
    content: response.content,
    marks: readResponseMarks(response),
  };
}

/** The response a stored page stands for, or undefined when `data` is not one (another writer's key). */
export function pageFromCacheData(data: unknown): HttpResponse | undefined {
  if (data === null || typeof data !== 'object' || (data as Partial<CachedPage>).format !== 'nuages.page.1') return undefined;
  const page = data as CachedPage;
  const response = new HttpResponse(page.content, { status: page.status, reason: page.reason, charset: page.charset, headers: page.headers });
  // The constructor adds a default Content-Type; a page stored without one gets none.
  if (!page.headers.some(([name]) => name.toLowerCase() === 'content-type')) response.headers.delete('Content-Type');
  restoreResponseMarks(response, page.marks);
  return response;
}

// ---- Shared state of the two halves ---------------------------------------------

// Whether the response to a request should be stored: Fetch decides (a GET/HEAD miss),
// Update obeys (Django's request._cache_update_cache). Shared by every instance, so a
// cachePage view behind the site-wide pair answers for both, as in Django.
const updateCache = new WeakMap<HttpRequest, boolean>();

// Cache-Control directives that forbid a shared copy (Django 5.2 checks these three).
const UNSHAREABLE = new Set(['private', 'no-cache', 'no-store']);

function cacheControlForbidsSharing(response: HttpResponseBase): boolean {
  const header = response.headers.get('Cache-Control');
  if (!header) return false;
  return header.split(',').some((field) => UNSHAREABLE.has(field.split('=', 1)[0]!.trim().toLowerCase()));
}

/** What a TemplateResponse offers to act once it is rendered. */
export interface Renderable {
  readonly isRendered: boolean;
  addPostRenderCallback(fn: (response: HttpResponseBase) => unknown): void;
}

/** The response when it is a TemplateResponse still to be rendered (its body is not there yet). */
export function unrendered(response: HttpResponseBase): (HttpResponseBase & Renderable) | undefined {
  const candidate = response as HttpResponseBase & Partial<Renderable>;
  return candidate.isRendered === false && typeof candidate.addPostRenderCallback === 'function' ? (candidate as HttpResponseBase & Renderable) : undefined;
}

/** Options of `new CacheMiddleware()` beyond `getResponse` (what `cachePage()` passes). */
export interface CacheMiddlewareOptions {
  /** Seconds the page is kept, whatever its max-age says (cachePage's `seconds`). */
  readonly pageTimeout?: number | null | undefined;
  /** Seconds when the response has no max-age (default CACHE_MIDDLEWARE_SECONDS). */
  readonly cacheTimeout?: number | undefined;
  /** Key prefix (default '' when given as null; CACHE_MIDDLEWARE_KEY_PREFIX when absent). */
  readonly keyPrefix?: string | null | undefined;
  /** Cache alias (default 'default' when given as null; CACHE_MIDDLEWARE_ALIAS when absent). */
  readonly cacheAlias?: string | null | undefined;
  /** Models whose committed writes outdate the stored pages. */
  readonly dependsOn?: readonly ModelReference[] | undefined;
}

/**
 * The response half of the site-wide cache: stores the pages FetchFromCacheMiddleware
 * missed. Put it FIRST in MIDDLEWARE, so it sees the response after every other
 * middleware changed it.
 *
 * Stored: responses to GET and HEAD with status 200, in memory (not streaming),
 * setting no cookie, without `Cache-Control` private / no-cache / no-store, without
 * `Vary: *`, and with a max-age other than 0. Each stored page gets `Expires` and
 * `max-age` headers; a request with Authorization makes it vary on Authorization
 * unless it says `public`. Cache writes go to CACHE_MIDDLEWARE_ALIAS.
 *
 * ```ts
 * MIDDLEWARE: [
 *   'nuages/middleware/cache#UpdateCacheMiddleware',
 *   'nuages/middleware/common#CommonMiddleware',
 *   'nuages/middleware/cache#FetchFromCacheMiddleware',
 * ]
 * ```
 */
export class UpdateCacheMiddleware extends MiddlewareMixin {
  /** Seconds a page is kept when its response has no max-age. */
  cacheTimeout: number;
  /** Seconds every page is kept, overriding max-age (null: use max-age). */
  pageTimeout: number | null = null;
  keyPrefix: string;
  cacheAlias: string;

  constructor(getResponse: GetResponse) {
    super(getResponse);
    this.cacheTimeout = settingOr('CACHE_MIDDLEWARE_SECONDS', 600);
    this.keyPrefix = settingOr('CACHE_MIDDLEWARE_KEY_PREFIX', '');
    this.cacheAlias = settingOr('CACHE_MIDDLEWARE_ALIAS', 'default');
  }

  /** The cache pages go to (resolved per request, so it follows overrideSettings). */
  get cache(): Cache {
    return caches.get(this.cacheAlias);
  }

  /** Whether FetchFromCacheMiddleware (or cachePage) missed for this request and wants it stored. */
  shouldUpdateCache(request: HttpRequest, _response: HttpResponseBase): boolean {
    return updateCache.get(request) === true;
  }

  /** The tag snapshot to store the page with (cachePage's dependsOn); none for the site-wide cache. */
  protected tagsFor(_request: HttpRequest): TagSnapshot | undefined {
    return undefined;
  }

  override async processResponse(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    if (!this.shouldUpdateCache(request, response)) return response;
    if (response.streaming || (response.status !== 200 && response.status !== 304)) return response;
    // Django refuses cookies only with Vary: Cookie; any cookie stored here would be
    // replayed to every visitor (a session id, a CSRF token), so none is stored.
    if (response.cookies.size > 0) return response;
    if (cacheControlForbidsSharing(response) || hasVaryHeader(response, '*')) return response;
    let timeout = this.pageTimeout;
    if (timeout === null) {
      const maxAge = getMaxAge(response);
      if (maxAge === 0) return response;
      timeout = maxAge ?? this.cacheTimeout;
    }
    patchResponseHeaders(response, timeout);
    const cacheControl = (response.headers.get('Cache-Control') ?? '').toLowerCase();
    if (request.headers.get('Authorization') && !cacheControl.includes('public')) patchVaryHeaders(response, ['Authorization']);
    if (timeout > 0 && response.status === 200 && response instanceof HttpResponse) {
      const cache = this.cache;
      const key = await learnCacheKey(request, response, timeout, this.keyPrefix, cache);
      const tags = this.tagsFor(request);
      const store = (page: HttpResponse): Promise<void> => cache.set(key, pageToCacheData(page), timeout, tags === undefined ? {} : { tags });
      const pending = unrendered(response);
      if (pending !== undefined) pending.addPostRenderCallback((page) => store(page as HttpResponse));
      else await store(response);
      log.debug(`Stored page ${request.method} ${request.getFullPath()} for ${timeout}s.`, { key, alias: this.cacheAlias });
    }
    return response;
  }
}

/**
 * The stored page for a GET or HEAD (a HEAD falls back to the GET's page first, as
 * Django does), with an `Age` header, or undefined on a miss.
 */
async function fetchPage(request: HttpRequest, cache: Cache, keyPrefix: string): Promise<HttpResponse | undefined> {
  const getKey = await getCacheKey(request, keyPrefix, 'GET', cache);
  if (getKey === undefined) return undefined;
  let response = pageFromCacheData(await cache.get(getKey));
  if (response === undefined && request.method === 'HEAD') {
    const headKey = await getCacheKey(request, keyPrefix, 'HEAD', cache);
    if (headKey !== undefined) response = pageFromCacheData(await cache.get(headKey));
  }
  if (response === undefined) return undefined;
  const maxAge = getMaxAge(response);
  const expires = response.headers.get('Expires');
  const expiresAt = expires === undefined ? undefined : parseHttpDate(expires);
  if (maxAge !== undefined && expiresAt !== undefined) {
    const remaining = expiresAt - Math.floor(Date.now() / 1000);
    response.headers.set('Age', String(Math.max(0, maxAge - remaining)));
  }
  return response;
}

/**
 * The request half of the site-wide cache: answers GET and HEAD from the cache
 * when the page is there, so neither the inner middleware nor the view runs. Put it
 * LAST in MIDDLEWARE, after every middleware that changes what the key depends on
 * (sessions, locale). A HEAD is answered from the GET's page when there is one.
 * A hit carries an `Age` header (seconds since the page was stored). Reads go to
 * CACHE_MIDDLEWARE_ALIAS; other methods are passed through and never stored.
 */
export class FetchFromCacheMiddleware extends MiddlewareMixin {
  keyPrefix: string;
  cacheAlias: string;

  constructor(getResponse: GetResponse) {
    super(getResponse);
    this.keyPrefix = settingOr('CACHE_MIDDLEWARE_KEY_PREFIX', '');
    this.cacheAlias = settingOr('CACHE_MIDDLEWARE_ALIAS', 'default');
  }

  /** The cache pages are read from. */
  get cache(): Cache {
    return caches.get(this.cacheAlias);
  }

  override async processRequest(request: HttpRequest): Promise<HttpResponseBase | undefined> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      updateCache.set(request, false);
      return undefined;
    }
    const hit = await fetchPage(request, this.cache, this.keyPrefix);
    updateCache.set(request, hit === undefined);
    return hit;
  }
}

/**
 * Both halves in one middleware, for simple sites (and the engine of `cachePage()`).
 * Use the two-part form when another middleware changes what the key depends on.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/middleware/cache#CacheMiddleware', ...]
 * ```
 */
export class CacheMiddleware extends UpdateCacheMiddleware {
  readonly #dependsOn: readonly ModelReference[];
  readonly #snapshots = new WeakMap<HttpRequest, TagSnapshot>();

  constructor(getResponse: GetResponse, options: CacheMiddlewareOptions = {}) {
    super(getResponse);
    if (options.keyPrefix !== undefined) this.keyPrefix = options.keyPrefix ?? '';
    if (options.cacheAlias !== undefined) this.cacheAlias = options.cacheAlias ?? 'default';
    if (options.cacheTimeout !== undefined) this.cacheTimeout = options.cacheTimeout;
    this.pageTimeout = options.pageTimeout ?? null;
    this.#dependsOn = options.dependsOn ?? [];
  }

  override async processRequest(request: HttpRequest): Promise<HttpResponseBase | undefined> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      updateCache.set(request, false);
      return undefined;
    }
    const cache = this.cache;
    const hit = await fetchPage(request, cache, this.keyPrefix);
    updateCache.set(request, hit === undefined);
    // Tags are read before the view runs: a write that lands while the page renders
    // changes them after this snapshot, so the page is stored already outdated, not fresh.
    if (hit === undefined && this.#dependsOn.length > 0) this.#snapshots.set(request, await cache.readTags(this.#dependsOn.map(modelTag)));
    return hit;
  }

  protected override tagsFor(request: HttpRequest): TagSnapshot | undefined {
    return this.#snapshots.get(request);
  }
}

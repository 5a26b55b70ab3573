/**
 * HTTP caching helpers (Django's django.utils.cache and the ETag/date parts of
 * django.utils.http): Vary and Cache-Control patching, ETags, HTTP dates, the
 * RFC 9110 precondition evaluation behind ConditionalGetMiddleware (304 / 412),
 * and the page keys the cache middleware and `cachePage` share.
 */
import { createHash } from 'node:crypto';
import type { Cache } from '../cache/cache.ts';
import { settingOr } from '../conf/lazy-settings.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, HttpResponseNotModified, type HttpResponseBase } from '../http/response.ts';
import { getCurrentTimeZone } from './timezone.ts';

// A list header is split on commas with optional spaces around them.
const LIST_DELIMITER = /\s*,\s*/;
// One entity tag, weak or strong, quoted; the whole string.
const ETAG = /^((?:W\/)?"[^"]*")$/;

/**
 * Add header names to the response's Vary header, keeping the ones already there
 * (order kept, names compared case-insensitively). A `*` anywhere makes Vary `*`.
 *
 * ```ts
 * patchVaryHeaders(response, ['Accept-Encoding']);
 * ```
 */
export function patchVaryHeaders(response: HttpResponseBase, names: readonly string[]): void {
  const existing = response.headers.has('Vary') ? response.headers.get('Vary')!.split(LIST_DELIMITER) : [];
  const seen = new Set(existing.map((name) => name.toLowerCase()));
  const vary = [...existing, ...names.filter((name) => !seen.has(name.toLowerCase()))];
  response.headers.set('Vary', vary.includes('*') ? '*' : vary.join(', '));
}

/** Whether the response's Vary header names `header` (case-insensitively). */
export function hasVaryHeader(response: HttpResponseBase, header: string): boolean {
  const vary = response.headers.get('Vary');
  if (vary === undefined) return false;
  const wanted = header.trim().toLowerCase();
  return vary.split(LIST_DELIMITER).some((name) => name.trim().toLowerCase() === wanted);
}

/** `tag` as a quoted entity tag: unchanged when already quoted (weak or strong), else quoted strong. */
export function quoteEtag(tag: string): string {
  return ETAG.test(tag) ? tag : `"${tag}"`;
}

/**
 * The entity tags of an If-Match / If-None-Match header, quoted; `['*']` for `*`.
 * Malformed entries are dropped, as Django drops them.
 */
export function parseEtags(header: string): string[] {
  if (header.trim() === '*') return ['*'];
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => ETAG.test(tag));
}

/**
 * Set a strong ETag: the MD5 of the content, as Django computes it. Streaming and
 * empty responses get none (their body is unknown or nothing to validate).
 */
export function setResponseEtag(response: HttpResponseBase): void {
  if (response.streaming || !(response instanceof HttpResponse)) return;
  const content = response.content;
  if (content.length === 0) return;
  response.headers.set('ETag', quoteEtag(createHash('md5').update(content).digest('hex')));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const RFC1123 = /^\w{3}, (\d{2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const RFC850 = /^\w{6,9}, (\d{2})-(\w{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const ASCTIME = /^\w{3} (\w{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Seconds since the epoch of an HTTP date in any of the three formats RFC 9110
 * accepts (IMF-fixdate, RFC 850, asctime); undefined when it is not one.
 * A two-digit RFC 850 year more than 50 years ahead is taken as last century.
 */
export function parseHttpDate(text: string): number | undefined {
  let parts: { day: string; month: string; year: string; h: string; m: string; s: string } | undefined;
  let match: RegExpExecArray | null;
  if ((match = RFC1123.exec(text)) || (match = RFC850.exec(text))) {
    const [, day, month, year, h, m, s] = match as unknown as string[];
    parts = { day: day!, month: month!, year: year!, h: h!, m: m!, s: s! };
  } else if ((match = ASCTIME.exec(text))) {
    const [, month, day, h, m, s, year] = match as unknown as string[];
    parts = { day: day!, month: month!, year: year!, h: h!, m: m!, s: s! };
  }
  if (parts === undefined) return undefined;
  const monthIndex = MONTHS.indexOf(parts.month.toLowerCase());
  if (monthIndex === -1) return undefined;
  let year = Number(parts.year);
  if (year < 100) {
    const now = new Date().getUTCFullYear();
    const century = now - (now % 100);
    year += year - (now % 100) > 50 ? century - 100 : century;
  }
  const day = Number(parts.day.trim());
  const [h, m, s] = [Number(parts.h), Number(parts.m), Number(parts.s)];
  // Reject out-of-range parts (31 Feb, 25:00) instead of letting Date roll them over.
  if (h > 23 || m > 59 || s > 59) return undefined;
  const ms = Date.UTC(year, monthIndex, day, h, m, s);
  if (Number.isNaN(ms) || new Date(ms).getUTCDate() !== day) return undefined;
  return Math.floor(ms / 1000);
}

/** `date` (a Date or epoch seconds) as an IMF-fixdate: `Wed, 21 Oct 2015 07:28:00 GMT`. */
export function httpDate(date: Date | number = new Date()): string {
  return (typeof date === 'number' ? new Date(date * 1000) : date).toUTCString();
}

// Headers a 304 must repeat (RFC 9110 §15.4.5), plus Last-Modified as Django keeps it.
const NOT_MODIFIED_HEADERS = ['Cache-Control', 'Content-Location', 'Date', 'ETag', 'Expires', 'Last-Modified', 'Vary'];

function notModified(response: HttpResponseBase | undefined): HttpResponseNotModified {
  const fresh = new HttpResponseNotModified();
  if (response) {
    for (const name of NOT_MODIFIED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== undefined) fresh.headers.set(name, value);
    }
    // A Set-Cookie still reaches the client on a 304.
    for (const [name, cookie] of response.cookies) fresh.cookies.set(name, cookie);
  }
  return fresh;
}

function preconditionFailed(): HttpResponse {
  return new HttpResponse('', { status: 412 });
}

/** Options of `getConditionalResponse()`. */
export interface ConditionalOptions {
  /** The representation's current entity tag, quoted. */
  readonly etag?: string | undefined;
  /** When the representation last changed, in epoch seconds. */
  readonly lastModified?: number | undefined;
  /** The full response; returned unchanged when no precondition applies. */
  readonly response?: HttpResponseBase;
}

/**
 * Evaluate the request's preconditions (If-Match, If-Unmodified-Since,
 * If-None-Match, If-Modified-Since, in RFC 9110 §13.2.2 order) against an ETag and
 * a modification time. Returns a 412, a 304 (keeping the headers a 304 must carry
 * and the cookies), or `response` when the request may proceed. Only 2xx responses
 * are ever replaced.
 */
export function getConditionalResponse(request: HttpRequest, options: ConditionalOptions = {}): HttpResponseBase | undefined {
  const { etag, lastModified, response } = options;
  if (response && !(response.status >= 200 && response.status < 300)) return response;
  const meta = request.META;
  const ifMatch = parseEtags(meta['HTTP_IF_MATCH'] ?? '');
  const ifUnmodifiedSince = meta['HTTP_IF_UNMODIFIED_SINCE'] ? parseHttpDate(meta['HTTP_IF_UNMODIFIED_SINCE']) : undefined;
  const ifNoneMatch = parseEtags(meta['HTTP_IF_NONE_MATCH'] ?? '');
  const ifModifiedSince = meta['HTTP_IF_MODIFIED_SINCE'] ? parseHttpDate(meta['HTTP_IF_MODIFIED_SINCE']) : undefined;
  const safe = request.method === 'GET' || request.method === 'HEAD';

  if (ifMatch.length > 0 && !ifMatchPasses(etag, ifMatch)) return preconditionFailed();
  if (
    ifMatch.length === 0 &&
    ifUnmodifiedSince !== undefined &&
    !(lastModified !== undefined && lastModified <= ifUnmodifiedSince)
  ) {
    return preconditionFailed();
  }
  if (ifNoneMatch.length > 0 && !ifNoneMatchPasses(etag, ifNoneMatch)) {
    return safe ? notModified(response) : preconditionFailed();
  }
  if (
    ifNoneMatch.length === 0 &&
    ifModifiedSince !== undefined &&
    lastModified !== undefined &&
    lastModified <= ifModifiedSince &&
    safe
  ) {
    return notModified(response);
  }
  return response;
}

// If-Match uses the strong comparison: a weak ETag never matches, except `*`.
function ifMatchPasses(target: string | undefined, tags: readonly string[]): boolean {
  if (!target) return false;
  if (tags.length === 1 && tags[0] === '*') return true;
  if (target.startsWith('W/')) return false;
  return tags.includes(target);
}

// If-None-Match uses the weak comparison: W/ prefixes are ignored on both sides.
function ifNoneMatchPasses(target: string | undefined, tags: readonly string[]): boolean {
  if (!target) return true;
  if (tags.length === 1 && tags[0] === '*') return false;
  const strip = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
  const wanted = strip(target);
  return !tags.some((tag) => strip(tag) === wanted);
}

// ---- Cache-Control ----------------------------------------------------------

/**
 * Directives for `patchCacheControl()` and `cacheControl()`, in camelCase
 * (`maxAge` → `max-age`, `sMaxage` → `s-maxage`). `true` writes the bare
 * directive, a number or string writes `name=value`; `false` and undefined
 * leave the directive as it is. Any other directive may be given the same way.
 */
export interface CacheControlOptions {
  readonly maxAge?: number | undefined;
  readonly sMaxage?: number | undefined;
  readonly public?: boolean | undefined;
  /** `true`, or field names (`'Set-Cookie'`) for `private=Set-Cookie`. */
  readonly private?: boolean | string | undefined;
  /** `true`, or field names; field names from several calls accumulate, `true` wins over them. */
  readonly noCache?: boolean | string | undefined;
  readonly noStore?: boolean | undefined;
  readonly noTransform?: boolean | undefined;
  readonly mustRevalidate?: boolean | undefined;
  readonly proxyRevalidate?: boolean | undefined;
  readonly mustUnderstand?: boolean | undefined;
  readonly immutable?: boolean | undefined;
  readonly staleWhileRevalidate?: number | undefined;
  readonly staleIfError?: number | undefined;
  readonly [directive: string]: boolean | number | string | undefined;
}

type DirectiveValue = string | true;
type Directives = Map<string, DirectiveValue | Set<DirectiveValue>>;

// `maxAge` and `max_age` both name `max-age`.
function directiveName(option: string): string {
  return option.replace(/_/g, '-').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The directives of a Cache-Control header, names lower-cased, `no-cache` values gathered. */
function parseCacheControl(header: string | undefined): Directives {
  const directives: Directives = new Map();
  if (!header) return directives;
  for (const field of header.split(LIST_DELIMITER)) {
    if (field === '') continue;
    const eq = field.indexOf('=');
    const name = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const value: DirectiveValue = eq === -1 ? true : field.slice(eq + 1);
    setDirective(directives, name, value);
  }
  return directives;
}

// no-cache may name header fields several times (no-cache=Set-Cookie, no-cache=Authorization); others hold one value.
function setDirective(directives: Directives, name: string, value: DirectiveValue): void {
  if (name === 'no-cache') {
    const values = directives.get(name);
    if (values instanceof Set) values.add(value);
    else directives.set(name, new Set([value]));
  } else {
    directives.set(name, value);
  }
}

/**
 * Merge directives into the response's Cache-Control header, as Django's
 * `patch_cache_control`: directives already there are kept (in place) unless
 * given again; a new `maxAge` keeps the smaller of the two values (a decorator and
 * a middleware both setting one); `public` removes an existing `private` and
 * vice versa; `noCache` field names accumulate, and a bare `no-cache` wins.
 *
 * ```ts
 * patchCacheControl(response, { maxAge: 3600, public: true });
 * // Cache-Control: max-age=3600, public
 * ```
 */
export function patchCacheControl(response: HttpResponseBase, options: CacheControlOptions): void {
  const directives = parseCacheControl(response.headers.get('Cache-Control'));
  const updates: Array<[string, DirectiveValue]> = [];
  for (const [option, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    updates.push([directiveName(option), value === true ? true : String(value)]);
  }
  const names = new Set(updates.map(([name]) => name));
  const currentMaxAge = directives.get('max-age');
  if (typeof currentMaxAge === 'string' && names.has('max-age')) {
    const current = parseInteger(currentMaxAge);
    if (current !== undefined) {
      for (const update of updates) {
        if (update[0] === 'max-age' && update[1] !== true) {
          const wanted = parseInteger(update[1]);
          if (wanted !== undefined) update[1] = String(Math.min(current, wanted));
        }
      }
    }
  }
  if (directives.has('private') && names.has('public')) directives.delete('private');
  else if (directives.has('public') && names.has('private')) directives.delete('public');
  for (const [name, value] of updates) setDirective(directives, name, value);
  const fields: string[] = [];
  for (const [name, value] of directives) {
    if (value instanceof Set) {
      if (value.has(true)) fields.push(name);
      else for (const fieldNames of value) fields.push(`${name}=${String(fieldNames)}`);
    } else {
      fields.push(value === true ? name : `${name}=${value}`);
    }
  }
  response.headers.set('Cache-Control', fields.join(', '));
}

// Python's int(): optional sign and surrounding spaces, decimal digits.
function parseInteger(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/**
 * The `max-age` of the response's Cache-Control header in seconds, or undefined
 * when there is none or it is not an integer.
 *
 * ```ts
 * getMaxAge(new HttpResponse('', { headers: { 'Cache-Control': 'public, max-age=60' } })); // 60
 * ```
 */
export function getMaxAge(response: HttpResponseBase): number | undefined {
  const value = parseCacheControl(response.headers.get('Cache-Control')).get('max-age');
  return typeof value === 'string' ? parseInteger(value) : undefined;
}

/**
 * Add `Expires` (now + `cacheTimeout`, unless already set) and `max-age`
 * (through {@link patchCacheControl}, so a smaller max-age already there stays).
 * `cacheTimeout` defaults to CACHE_MIDDLEWARE_SECONDS; a negative one counts as 0.
 *
 * ```ts
 * patchResponseHeaders(response, 300);
 * // Expires: <now + 5 min>, Cache-Control: max-age=300
 * ```
 */
export function patchResponseHeaders(response: HttpResponseBase, cacheTimeout?: number): void {
  let timeout = cacheTimeout ?? settingOr('CACHE_MIDDLEWARE_SECONDS', 600);
  if (timeout < 0) timeout = 0;
  if (!response.headers.has('Expires')) response.headers.set('Expires', httpDate(Math.floor(Date.now() / 1000 + timeout)));
  patchCacheControl(response, { maxAge: timeout });
}

/**
 * Mark the response as never to be cached, with Django 5.2's exact headers:
 * `Expires` now and `Cache-Control: max-age=0, no-cache, no-store,
 * must-revalidate, private` (directives already there are kept).
 */
export function addNeverCacheHeaders(response: HttpResponseBase): void {
  patchResponseHeaders(response, -1);
  patchCacheControl(response, { noCache: true, noStore: true, mustRevalidate: true, private: true });
}

// ---- Page cache keys --------------------------------------------------------

/**
 * Django's key suffix for the active language and time zone: with USE_I18N the
 * request's LANGUAGE_CODE (set by a locale middleware) or LANGUAGE_CODE, with
 * USE_TZ the current time zone, so one URL is cached once per language and zone.
 */
function i18nKeySuffix(request: HttpRequest): string {
  let suffix = '';
  if (settingOr('USE_I18N', true)) suffix += `.${requestLanguage(request) ?? settingOr('LANGUAGE_CODE', 'en-us')}`;
  if (settingOr('USE_TZ', true)) suffix += `.${getCurrentTimeZone()}`;
  return suffix;
}

function requestLanguage(request: HttpRequest): string | undefined {
  const code = (request as unknown as { LANGUAGE_CODE?: unknown }).LANGUAGE_CODE;
  return typeof code === 'string' && code !== '' ? code : undefined;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

// A page lookup needs the URL's hash for two keys (the header list, then the page); once per request.
const urlHashes = new WeakMap<HttpRequest, string>();
function urlHash(request: HttpRequest): string {
  let hash = urlHashes.get(request);
  if (hash === undefined) {
    hash = md5(request.buildAbsoluteUri());
    urlHashes.set(request, hash);
  }
  return hash;
}

function pageKey(request: HttpRequest, method: string, headerList: readonly string[], keyPrefix: string): string {
  const values = createHash('md5');
  for (const name of headerList) {
    const value = request.META[name];
    if (value !== undefined) values.update(value);
  }
  return `views.decorators.cache.cache_page.${keyPrefix}.${method}.${urlHash(request)}.${values.digest('hex')}${i18nKeySuffix(request)}`;
}

function headerListKey(request: HttpRequest, keyPrefix: string): string {
  return `views.decorators.cache.cache_header.${keyPrefix}.${urlHash(request)}${i18nKeySuffix(request)}`;
}

let cachesModule: Promise<typeof import('../cache/caches.ts')> | undefined;

async function middlewareCache(cache: Cache | undefined): Promise<Cache> {
  if (cache !== undefined) return cache;
  // Imported on demand (once): the HTTP helpers above must not load the cache framework.
  cachesModule ??= import('../cache/caches.ts');
  const { caches } = await cachesModule;
  return caches.get(settingOr('CACHE_MIDDLEWARE_ALIAS', 'default'));
}

/**
 * The key of the cached page for this request (its absolute URL, `method`, and
 * the values of the request headers the page's Vary named), or undefined when no
 * page was learned for this URL yet. Reads one key from `cache` (default: the
 * CACHE_MIDDLEWARE_ALIAS cache); `keyPrefix` defaults to CACHE_MIDDLEWARE_KEY_PREFIX.
 * Keys have Django's format, e.g.
 * `views.decorators.cache.cache_page.<prefix>.GET.<md5 url>.<md5 header values>.en-us.UTC`.
 *
 * ```ts
 * const key = await getCacheKey(request);
 * if (key !== undefined) await cache.delete(key); // forget this page
 * ```
 */
export async function getCacheKey(request: HttpRequest, keyPrefix?: string, method = 'GET', cache?: Cache): Promise<string | undefined> {
  const prefix = keyPrefix ?? settingOr('CACHE_MIDDLEWARE_KEY_PREFIX', '');
  const store = await middlewareCache(cache);
  const headerList = await store.get<unknown>(headerListKey(request, prefix));
  if (!Array.isArray(headerList)) return undefined;
  return pageKey(request, method, headerList.map(String), prefix);
}

/**
 * Remember which request headers the response varies on (its Vary header) for
 * this URL, for `cacheTimeout` seconds (default CACHE_MIDDLEWARE_SECONDS), and
 * return the key to store the page under for this request's method. Writes one key
 * to `cache`. With USE_I18N, Accept-Language is left out of the key when a locale
 * middleware set `request.LANGUAGE_CODE`, since the language is in the key already.
 *
 * ```ts
 * const key = await learnCacheKey(request, response, 600);
 * await cache.set(key, pageData, 600);
 * ```
 */
export async function learnCacheKey(
  request: HttpRequest,
  response: HttpResponseBase,
  cacheTimeout?: number,
  keyPrefix?: string,
  cache?: Cache,
): Promise<string> {
  const prefix = keyPrefix ?? settingOr('CACHE_MIDDLEWARE_KEY_PREFIX', '');
  const timeout = cacheTimeout ?? settingOr('CACHE_MIDDLEWARE_SECONDS', 600);
  const store = await middlewareCache(cache);
  const headerList: string[] = [];
  const vary = response.headers.get('Vary');
  if (vary !== undefined) {
    // Django drops Accept-Language under USE_I18N because its key holds the active
    // language; Nuages activates a language only through request.LANGUAGE_CODE, so the
    // header is redundant only when that is set.
    const languageInKey = settingOr('USE_I18N', true) && requestLanguage(request) !== undefined;
    for (const name of vary.split(LIST_DELIMITER)) {
      const meta = name.trim().toUpperCase().replace(/-/g, '_');
      if (meta === '' || (meta === 'ACCEPT_LANGUAGE' && languageInKey)) continue;
      headerList.push(`HTTP_${meta}`);
    }
    headerList.sort();
  }
  await store.set(headerListKey(request, prefix), headerList, timeout);
  return pageKey(request, request.method, headerList, prefix);
}

/**
 * HTTP caching helpers (Django's django.utils.cache and the ETag/date parts of
 * django.utils.http): Vary patching, ETags, HTTP dates and the RFC 9110
 * precondition evaluation behind ConditionalGetMiddleware (304 / 412).
 */
import { createHash } from 'node:crypto';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, HttpResponseNotModified, type HttpResponseBase } from '../http/response.ts';

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

/**
 * Serving files from a folder in development (Django's django.views.static.serve
 * and django.conf.urls.static.static): user uploads under MEDIA_URL while DEBUG
 * is on. In production the web server or a CDN serves MEDIA_ROOT instead.
 *
 * URL `path` → normalised → joined under `documentRoot` (safeJoin: leaving it is a
 * SuspiciousFileOperation, answered 400) → missing or a folder: 404 → not newer
 * than If-Modified-Since: 304 → FileResponse with the type its name gives.
 *
 * ```ts
 * export const urlpatterns = [
 *   path('', include(catalog)),
 *   ...staticPatterns(settings.MEDIA_URL, { documentRoot: settings.MEDIA_ROOT }),
 * ];
 * ```
 */
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { lookup } from 'mime-types';
import { settings } from '../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../core/errors.ts';
import { safeJoin } from '../core/files/filesystem.ts';
import { Http404 } from '../http/errors.ts';
import { FileResponse } from '../http/file-response.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponseNotModified, type HttpResponseBase } from '../http/response.ts';
import { rePath, type UrlEntry } from '../urls/patterns.ts';
import { escapeRegex } from '../urls/regex.ts';
import type { ViewFunction } from '../urls/types.ts';
import { httpDate, parseHttpDate } from '../utils/cache.ts';

/** The params `serve` reads: `path` from the URL, `documentRoot` from the pattern's kwargs. */
export interface ServeParams {
  /** The file's path below `documentRoot`, as the URL gives it. */
  path: string;
  /** The folder files are served from. */
  documentRoot: string;
}

// Python's mimetypes.encodings_map: a compressed file is sent as its inner type with a Content-Encoding.
const ENCODINGS: Readonly<Record<string, string>> = { '.gz': 'gzip', '.Z': 'compress', '.bz2': 'bzip2', '.xz': 'xz', '.br': 'br' };

/** [Content-Type, Content-Encoding] for a file name, as Django's serve guesses them. */
function guessType(name: string): [string, string | undefined] {
  const extension = posix.extname(name);
  const encoding = ENCODINGS[extension] ?? ENCODINGS[extension.toLowerCase()];
  const typed = encoding === undefined ? name : name.slice(0, -extension.length);
  return [lookup(typed) || 'application/octet-stream', encoding];
}

/** Django's was_modified_since: true unless the header is a date at or after `mtime` (whole seconds). */
function wasModifiedSince(header: string | undefined, mtime: Date): boolean {
  const since = header === undefined ? undefined : parseHttpDate(header);
  return since === undefined || Math.floor(mtime.getTime() / 1000) > since;
}

/**
 * Sends the file `path` names under `documentRoot` (Django's `serve` view), for
 * development only: no caching beyond Last-Modified / If-Modified-Since, no
 * directory listings. Byte ranges are honoured (FileResponse), so media can seek.
 *
 * ```ts
 * await serve(request, { path: 'covers/dune.png', documentRoot: '/srv/media' }); // 200 image/png
 * // 'covers/' → Http404; '../settings.ts' → SuspiciousFileOperation
 * ```
 *
 * @throws Http404 when the file does not exist or is a folder; SuspiciousFileOperation
 *   (→ 400) when the path would leave `documentRoot`.
 */
export async function serve(request: HttpRequest, params: ServeParams): Promise<HttpResponseBase> {
  const { path, documentRoot } = params;
  if (typeof documentRoot !== 'string' || documentRoot === '') {
    throw new ImproperlyConfigured(
      "serve() needs a documentRoot: give it in the pattern's kwargs, e.g. staticPatterns(settings.MEDIA_URL, { documentRoot: settings.MEDIA_ROOT }).",
    );
  }
  // As Django: normalise first ('a/../b' → 'b'), so only paths that really climb out are refused.
  const name = posix.normalize(path === '' ? '.' : path).replace(/^\/+/, '');
  const fullPath = safeJoin(documentRoot, name);
  let info;
  try {
    info = await stat(fullPath);
  } catch (error) {
    // ENOENT, ENOTDIR, and a NUL byte in the name (which the file system refuses outright).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ERR_INVALID_ARG_VALUE' || code === 'ENAMETOOLONG') {
      throw new Http404(`“${path}” does not exist`);
    }
    throw error;
  }
  if (info.isDirectory()) throw new Http404('Directory indexes are not allowed here.');
  if (!info.isFile()) throw new Http404(`“${path}” does not exist`);
  if (!wasModifiedSince(request.headers.get('if-modified-since'), info.mtime)) return new HttpResponseNotModified();
  const [contentType, encoding] = guessType(fullPath);
  const headers: Record<string, string> = { 'Last-Modified': httpDate(info.mtime) };
  if (encoding !== undefined) headers['Content-Encoding'] = encoding;
  return new FileResponse(fullPath, { contentType, headers, request });
}

/**
 * The URL pattern that serves `documentRoot` under `prefix` while DEBUG is on
 * (Django's `static()` helper); an empty list when DEBUG is off or `prefix` is a
 * full URL (another host serves the files then). Spread it into `urlpatterns`.
 *
 * ```ts
 * urlpatterns.push(...staticPatterns('/media/', { documentRoot: settings.MEDIA_ROOT }));
 * // DEBUG: [rePath('^media/(?P<path>.*)$', serve, { kwargs: { documentRoot } })]; otherwise []
 * ```
 *
 * @throws ImproperlyConfigured for an empty prefix (it would shadow every URL).
 */
export function staticPatterns(
  prefix: string,
  options: { documentRoot: string; view?: (request: HttpRequest, params: ServeParams) => Promise<HttpResponseBase> },
): UrlEntry[] {
  if (!prefix) {
    throw new ImproperlyConfigured('Empty static prefix not permitted: set MEDIA_URL (or the prefix given) to a path such as "/media/".');
  }
  if (!settings.DEBUG || /^([a-z][a-z0-9+.-]*:)?\/\//i.test(prefix)) return [];
  const route = `^${escapeRegex(prefix.replace(/^\/+/, ''))}(?P<path>.*)$`;
  // A view may stream (FileResponse); ViewFunction names HttpResponse only, hence the cast.
  return [rePath(route, (options.view ?? serve) as unknown as ViewFunction, { kwargs: { documentRoot: options.documentRoot } })];
}

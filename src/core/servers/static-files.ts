/**
 * Static files for the development server, as Django's staticfiles app does
 * under runserver: a URL under STATIC_URL is looked up in STATICFILES_DIRS,
 * then in each installed app's `static/` folder, first match wins.
 *
 * URL → percent-decoded → refused if it could leave its folder (`..`, NUL,
 * backslash, absolute) → each root in order → file streamed with
 * Content-Type, Content-Length, Last-Modified; If-Modified-Since → 304.
 *
 * Not for production: a reverse proxy or a CDN serves STATIC_ROOT there.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { lookup } from 'mime-types';
import { apps } from '../../conf/apps.ts';
import { settings } from '../../conf/lazy-settings.ts';
import type { BeforeHook } from './http-server.ts';

/** One place static files are found: files under `root`, served under STATIC_URL + `prefix`. */
export interface StaticRoot {
  /** Sub-path of STATIC_URL this root answers for ('' for the top). Django's STATICFILES_DIRS (prefix, path) form. */
  prefix: string;
  root: string;
}

/**
 * The folders static files come from, in lookup order: STATICFILES_DIRS
 * (strings, or [prefix, path] pairs as in Django; relative to BASE_DIR), then
 * `<app>/static/` of each installed app in INSTALLED_APPS order.
 */
export function staticRoots(): StaticRoot[] {
  const base = settings.BASE_DIR;
  const roots: StaticRoot[] = [];
  const dirs = (settings as unknown as Record<string, unknown>)['STATICFILES_DIRS'];
  if (Array.isArray(dirs)) {
    for (const entry of dirs as unknown[]) {
      if (typeof entry === 'string') roots.push({ prefix: '', root: resolve(base, entry) });
      else if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') {
        roots.push({ prefix: entry[0].replace(/^\/+|\/+$/g, ''), root: resolve(base, entry[1]) });
      }
    }
  }
  for (const config of apps.getAppConfigs()) roots.push({ prefix: '', root: join(config.path, 'static') });
  return roots;
}

/**
 * The relative file path a static URL path names, or undefined when it names
 * nothing safely servable: malformed percent-encoding, a NUL byte, a
 * backslash, an absolute path, or any `.`/`..` segment.
 */
export function safeRelativePath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded === '' || decoded.includes('\0') || decoded.includes('\\') || isAbsolute(decoded)) return undefined;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return undefined;
  // Empty segments ('a//b') are harmless for the file system but are not canonical URLs.
  if (segments.slice(0, -1).some((s) => s === '')) return undefined;
  return segments.join(sep);
}

/** The file under one of `roots` that `relative` names, if it exists and stays inside its root. */
async function findFile(roots: readonly StaticRoot[], relative: string): Promise<{ path: string; size: number; mtime: Date } | undefined> {
  for (const { prefix, root } of roots) {
    let rest = relative;
    if (prefix !== '') {
      const head = prefix.split('/').join(sep) + sep;
      if (!relative.startsWith(head)) continue;
      rest = relative.slice(head.length);
    }
    const candidate = resolve(root, rest);
    // Belt and braces after safeRelativePath: the joined path must still be below the root.
    if (!candidate.startsWith(root.endsWith(sep) ? root : root + sep)) continue;
    try {
      const info = await stat(candidate);
      if (info.isFile()) return { path: candidate, size: info.size, mtime: info.mtime };
    } catch {
      // Not in this root: try the next one.
    }
  }
  return undefined;
}

/** STATIC_URL as an absolute path prefix ('static/' → '/static/'), or undefined when unset or a full URL. */
export function staticUrlPath(): string | undefined {
  const url = settings.STATIC_URL;
  if (typeof url !== 'string' || url === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return undefined;
  const withSlash = url.endsWith('/') ? url : `${url}/`;
  return withSlash.startsWith('/') ? withSlash : `/${withSlash}`;
}

/**
 * What a request asks of a static files hook under `prefix`: undefined when it is
 * not a GET or HEAD under the prefix (the app answers), else the path after the
 * prefix (query dropped) and its safe relative file path, undefined when unsafe.
 */
export function staticRequest(req: IncomingMessage, prefix: string): { name: string; relative: string | undefined } | undefined {
  const url = req.url ?? '/';
  if (!url.startsWith(prefix) || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
  const query = url.indexOf('?');
  const name = url.slice(prefix.length, query === -1 ? undefined : query);
  return { name, relative: safeRelativePath(name) };
}

/** The Content-Type of a static file by its name; text types in UTF-8. */
export function contentTypeOf(path: string): string {
  const type = lookup(path) || 'application/octet-stream';
  const textual = type.startsWith('text/') || type === 'application/javascript' || type === 'application/json';
  return textual && !type.includes('charset') ? `${type}; charset=utf-8` : type;
}

/**
 * A server hook that answers GET and HEAD under STATIC_URL from `roots`
 * (default: `staticRoots()` at the time of the call); other URLs go on to the app.
 * A missing or unsafe path is a plain 404, whatever it tried to reach.
 */
export function staticFilesHook(options: { urlPath?: string; roots?: readonly StaticRoot[] } = {}): BeforeHook | undefined {
  const prefix = options.urlPath ?? staticUrlPath();
  if (prefix === undefined) return undefined;
  const roots = options.roots ?? staticRoots();
  return async (req, res) => {
    const asked = staticRequest(req, prefix);
    if (asked === undefined) return false;
    const found = asked.relative === undefined ? undefined : await findFile(roots, asked.relative);
    if (found === undefined) {
      notFound(res, asked.name);
      return true;
    }
    sendFile(req, res, found);
    return true;
  };
}

function notFound(res: ServerResponse, name: string): void {
  const body = `Static file '${name}' could not be found.\n`;
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: { path: string; size: number; mtime: Date }): void {
  const lastModified = file.mtime.toUTCString();
  const since = req.headers['if-modified-since'];
  // HTTP dates have whole seconds; compare at that precision (Django's was_modified_since).
  if (since !== undefined && Math.floor(file.mtime.getTime() / 1000) <= Math.floor(Date.parse(since) / 1000)) {
    res.writeHead(304, { 'Last-Modified': lastModified });
    res.end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': contentTypeOf(file.path),
    'Content-Length': file.size,
    'Last-Modified': lastModified,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

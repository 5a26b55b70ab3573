/**
 * Serving STATIC_ROOT from the app itself, for deployments without a reverse
 * proxy: hashed names are cached for a year (immutable), others briefly;
 * ETag and Last-Modified answer conditional requests with 304; a single byte
 * range gets 206 (416 when unsatisfiable); a collected `.br`/`.gz` variant is
 * sent when Accept-Encoding allows it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';
import type { BeforeHook } from '../../core/servers/http-server.ts';
import { contentTypeOf, staticRequest, staticUrlPath } from '../../core/servers/static-files.ts';
import { requireStaticRoot } from './collect.ts';

/** A name with a content hash (`site.55e7cbb9ba48.css`) never changes content. */
const HASHED = /\.[0-9a-f]{12}\./;
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const SHORT_CACHE_CONTROL = 'public, max-age=60';

interface FileInfo {
  path: string;
  size: number;
  mtime: Date;
}

async function fileAt(path: string): Promise<FileInfo | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size, mtime: info.mtime } : undefined;
  } catch {
    return undefined;
  }
}

/** The q-value Accept-Encoding gives `coding` (0 when absent or refused, as `*` allows). */
export function encodingQuality(header: string | undefined, coding: string): number {
  if (header === undefined) return 0;
  let star: number | undefined;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = q === undefined ? 1 : Number(q.slice(2));
    const quality = Number.isFinite(value) ? value : 0;
    if (name.trim() === coding) return quality;
    if (name.trim() === '*') star = quality;
  }
  return star ?? 0;
}

/** Parses `bytes=a-b` for a file of `size` bytes: the range, 'unsatisfiable', or undefined to send it whole. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: serving the whole file is a valid answer (RFC 9110 §14.2).
  if (match === null || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function etagOf(file: FileInfo, encoding: string): string {
  return `"${file.size.toString(16)}-${Math.floor(file.mtime.getTime()).toString(16)}${encoding ? `-${encoding}` : ''}"`;
}

/**
 * A server hook answering GET and HEAD under STATIC_URL from `root` (STATIC_ROOT).
 * Anything else under STATIC_URL that names no file is a 404.
 */
export function staticRootHook(options: { root: string; urlPath?: string }): BeforeHook | undefined {
  const prefix = options.urlPath ?? staticUrlPath();
  if (prefix === undefined) return undefined;
  const root = resolve(options.root);
  return async (req, res) => {
    const asked = staticRequest(req, prefix);
    if (asked === undefined) return false;
    const path = asked.relative === undefined ? undefined : resolve(root, asked.relative);
    const file = path === undefined || !path.startsWith(root + sep) ? undefined : await fileAt(path);
    if (path === undefined || file === undefined) {
      const body = 'Not Found\n';
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    await send(req, res, file);
    return true;
  };
}

async function send(req: IncomingMessage, res: ServerResponse, original: FileInfo): Promise<void> {
  const accept = req.headers['accept-encoding'];
  let file = original;
  let encoding = '';
  for (const [coding, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
    if (encodingQuality(accept, coding) <= 0) continue;
    const variant = await fileAt(original.path + suffix);
    if (variant !== undefined) {
      file = variant;
      encoding = coding;
      break;
    }
  }
  const etag = etagOf(file, encoding);
  const headers: Record<string, string | number> = {
    'Content-Type': contentTypeOf(original.path),
    'Cache-Control': HASHED.test(original.path) ? IMMUTABLE_CACHE_CONTROL : SHORT_CACHE_CONTROL,
    'Last-Modified': file.mtime.toUTCString(),
    ETag: etag,
    'Accept-Ranges': 'bytes',
    Vary: 'Accept-Encoding',
  };
  if (encoding) headers['Content-Encoding'] = encoding;
  const noneMatch = req.headers['if-none-match'];
  const since = req.headers['if-modified-since'];
  const notModified =
    noneMatch !== undefined
      ? noneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')
      : since !== undefined && Math.floor(file.mtime.getTime() / 1000) <= Math.floor(Date.parse(since) / 1000);
  if (notModified) {
    delete headers['Content-Type'];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const range = parseRange(req.headers.range, file.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${file.size}`, 'Content-Length': 0, Vary: 'Accept-Encoding' });
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size - 1;
  headers['Content-Length'] = file.size === 0 ? 0 : end - start + 1;
  if (range !== undefined) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  res.writeHead(range === undefined ? 200 : 206, headers);
  if (req.method === 'HEAD' || file.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file.path, { start, end });
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * The hook `manage.ts serve --static` (or SERVE_STATIC) installs: STATIC_ROOT under STATIC_URL.
 *
 * @throws ImproperlyConfigured when STATIC_ROOT is unset.
 */
export function staticRootHookFromSettings(): BeforeHook | undefined {
  return staticRootHook({ root: requireStaticRoot() });
}

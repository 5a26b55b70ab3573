/**
 * FileResponse: stream a file (path, stream or bytes) with its Content-Type,
 * Content-Length, a Content-Disposition whose filename cannot escape its
 * quoting, and single byte ranges (206 Partial Content, 416 Range Not
 * Satisfiable) when given the request.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { lookup } from 'mime-types';
import { headerPairs } from './headers.ts';
import { quote } from './query-dict.ts';
import type { HttpRequest } from './request.ts';
import { StreamingHttpResponse, type ResponseOptions } from './response.ts';
import { sanitizeFileName } from './multipart.ts';

/** Options of `FileResponse`. */
export interface FileResponseOptions extends ResponseOptions {
  /** Send `Content-Disposition: attachment` so browsers download instead of display. */
  asAttachment?: boolean;
  /** The name the client sees; default the path's base name. Directories and control characters are removed. */
  filename?: string;
  /** The request, to honour its `Range` header (GET and HEAD only). */
  request?: Pick<HttpRequest, 'method' | 'headers'>;
  /** The byte size of a stream source, when known (paths and bytes know theirs). */
  size?: number;
}

/** A parsed single byte range, inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Django's `content_disposition_header`: `inline`/`attachment` with the filename
 * quoted when it is printable ASCII, else as RFC 5987 `filename*=utf-8''…`;
 * undefined for an inline response without a filename.
 */
export function contentDispositionHeader(asAttachment: boolean, filename: string | undefined): string | undefined {
  if (filename) {
    const disposition = asAttachment ? 'attachment' : 'inline';
    const quotable = /^[\t \x21-\x7e]*$/.test(filename);
    const expr = quotable
      ? `filename="${filename.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
      : `filename*=utf-8''${quote(filename, '/')}`;
    return `${disposition}; ${expr}`;
  }
  return asAttachment ? 'attachment' : undefined;
}

/**
 * The byte range a `Range` header asks of a `size`-byte body: a range, 'unsatisfiable'
 * (→ 416), or undefined when the header is absent, malformed or asks several
 * ranges (then the whole body is sent, as RFC 9110 allows).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined;
  return { start, end };
}

type Source = { kind: 'path'; path: string } | { kind: 'stream'; stream: Readable | AsyncIterable<Uint8Array> } | { kind: 'bytes'; bytes: Buffer };

/**
 * A streaming response for a file (Django's FileResponse, plus byte ranges).
 *
 * ```ts
 * return new FileResponse('media/covers/dune.png', { request });            // inline, image/png
 * return new FileResponse(report, { asAttachment: true, filename: 'q3.csv' }); // a download
 * ```
 *
 * A path is opened only when the body is sent, and closed when sending stops.
 *
 * @throws the fs error (ENOENT, EACCES) when a path cannot be stat'ed.
 */
export class FileResponse extends StreamingHttpResponse {
  /** The filename in Content-Disposition (sanitized), if any. */
  readonly filename: string | undefined;
  readonly asAttachment: boolean;
  #source: Source;
  #range: ByteRange | undefined;

  constructor(source: string | URL | Readable | AsyncIterable<Uint8Array> | Uint8Array, options: FileResponseOptions = {}) {
    const { asAttachment = false, filename, request, size: givenSize, ...rest } = options;
    super([], rest);
    let resolved: Source;
    let size = givenSize;
    let pathName: string | undefined;
    if (typeof source === 'string' || source instanceof URL) {
      const path = source instanceof URL ? fileURLToPath(source) : source;
      resolved = { kind: 'path', path };
      size = statSync(path).size;
      pathName = basename(path);
    } else if (source instanceof Uint8Array) {
      const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
      resolved = { kind: 'bytes', bytes };
      size = bytes.length;
    } else {
      resolved = { kind: 'stream', stream: source };
      const streamPath = (source as { path?: unknown }).path;
      if (typeof streamPath === 'string') pathName = basename(streamPath);
    }
    this.#source = resolved;
    this.asAttachment = asAttachment;
    this.filename = sanitizeFileName(filename ?? pathName ?? '') ?? undefined;

    const explicitType = options.contentType !== undefined || headerPairs(options.headers).some(([name]) => name.toLowerCase() === 'content-type');
    if (!explicitType) {
      const guessed = this.filename !== undefined ? lookup(this.filename) : false;
      this.headers.set('Content-Type', guessed || 'application/octet-stream');
    }
    const disposition = contentDispositionHeader(asAttachment, this.filename);
    if (disposition !== undefined) this.headers.set('Content-Disposition', disposition);

    if (size !== undefined) {
      this.headers.set('Content-Length', size);
      this.headers.set('Accept-Ranges', 'bytes');
      if (request !== undefined) this.#applyRange(request, size);
    }
    this.streamingContent = this.#body();
  }

  #applyRange(request: Pick<HttpRequest, 'method' | 'headers'>, size: number): void {
    if (this.status !== 200 || (request.method !== 'GET' && request.method !== 'HEAD')) return;
    const ifRange = request.headers.get('if-range');
    // A range is only safe against the representation the client already holds.
    if (ifRange !== undefined && ifRange !== this.headers.get('ETag') && ifRange !== this.headers.get('Last-Modified')) return;
    const range = parseRange(request.headers.get('range'), size);
    if (range === undefined) return;
    if (range === 'unsatisfiable') {
      this.status = 416;
      this.headers.set('Content-Range', `bytes */${size}`);
      this.headers.set('Content-Length', 0);
      this.#range = { start: 0, end: -1 };
      return;
    }
    this.status = 206;
    this.#range = range;
    this.headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    this.headers.set('Content-Length', range.end - range.start + 1);
  }

  /** The byte range being sent (206), or undefined for the whole file. */
  get range(): ByteRange | undefined {
    return this.#range;
  }

  async *#body(): AsyncGenerator<Buffer> {
    const source = this.#source;
    const range = this.#range;
    if (range !== undefined && range.end < range.start) return;
    if (source.kind === 'bytes') {
      yield range === undefined ? source.bytes : source.bytes.subarray(range.start, range.end + 1);
      return;
    }
    if (source.kind === 'path') {
      const stream = createReadStream(source.path, range === undefined ? {} : { start: range.start, end: range.end });
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } finally {
        stream.destroy();
      }
      return;
    }
    // A stream of unknown origin: skip to the range by counting bytes.
    let offset = 0;
    for await (const raw of source.stream as AsyncIterable<Uint8Array | string>) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (range === undefined) {
        yield chunk;
        continue;
      }
      const from = Math.max(range.start - offset, 0);
      const to = Math.min(range.end + 1 - offset, chunk.length);
      offset += chunk.length;
      if (to > from) yield chunk.subarray(from, to);
      if (offset > range.end) break;
    }
  }
}

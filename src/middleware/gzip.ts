/**
 * GZipMiddleware (Django's django.middleware.gzip): compresses responses for
 * clients that accept gzip, with node:zlib.
 *
 * Rules, as Django's: bodies under 200 bytes are left alone (gzip would not pay);
 * a response that already has Content-Encoding is left alone; `Vary: Accept-Encoding`
 * is added to every response long enough to be compressed, so caches keep both
 * versions; the compressed body is used only when it is shorter; a strong ETag
 * becomes weak (the bytes differ, the representation does not).
 *
 * Security (BREACH): compressing a page that reflects user input next to a secret
 * (a CSRF token) lets an attacker guess the secret from response lengths. As Django
 * does, each compressed response carries 0–99 random bytes in the gzip header's
 * file name field, which blurs the lengths; still, mask secrets per request and do
 * not reflect attacker-controlled input on pages that hold secrets.
 */
import { randomInt } from 'node:crypto';
import { constants, crc32, createDeflateRaw, gzipSync } from 'node:zlib';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, StreamingHttpResponse, type HttpResponseBase } from '../http/response.ts';
import { patchVaryHeaders } from '../utils/cache.ts';
import { MiddlewareMixin } from './mixin.ts';

const ACCEPTS_GZIP = /\bgzip\b/;
const MIN_LENGTH = 200;
const FNAME = 0x08;

/** The random file name that pads a gzip header: 0 to `max - 1` bytes. */
function randomName(max: number): Buffer {
  return Buffer.alloc(max > 0 ? randomInt(max) : 0, 'a');
}

/** A gzip header (RFC 1952) with mtime 0, optionally with a file name field. */
function gzipHeader(name: Buffer | undefined): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
  if (name === undefined) return header;
  header[3] = FNAME;
  return Buffer.concat([header, name, Buffer.from([0])]);
}

/**
 * `content` gzipped at level 6 (Django's level), with `maxRandomBytes` of random
 * padding in the header's file name (0 for none).
 */
export function compressBytes(content: Uint8Array, maxRandomBytes = 0): Buffer {
  const compressed = gzipSync(content, { level: 6 });
  if (!maxRandomBytes) return compressed;
  // gzipSync writes a plain 10-byte header; rebuild it with the name field.
  return Buffer.concat([gzipHeader(randomName(maxRandomBytes)), compressed.subarray(10)]);
}

/**
 * One gzip stream over the chunks of `source`, flushed after each chunk so a
 * streamed page (or server-sent events) reaches the client as it is produced.
 */
export async function* compressStream(source: AsyncIterable<Uint8Array>, maxRandomBytes = 0): AsyncGenerator<Buffer> {
  yield gzipHeader(maxRandomBytes ? randomName(maxRandomBytes) : undefined);
  const deflate = createDeflateRaw({ level: 6 });
  const pending: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => pending.push(chunk));
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of source) {
      if (chunk.byteLength === 0) continue;
      crc = crc32(chunk, crc);
      size = (size + chunk.byteLength) % 2 ** 32;
      deflate.write(chunk);
      await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      if (pending.length) yield Buffer.concat(pending.splice(0));
    }
    await new Promise<void>((resolve, reject) => {
      deflate.once('end', resolve);
      deflate.once('error', reject);
      deflate.end();
    });
  } finally {
    if (!deflate.destroyed && !deflate.writableEnded) deflate.destroy();
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  yield Buffer.concat([...pending.splice(0), trailer]);
}

/**
 * Compress responses for clients that send `Accept-Encoding: gzip`. Put it near
 * the top of MIDDLEWARE, so it sees the finished body of everything below it.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/middleware/gzip#GZipMiddleware', 'nuages/middleware/common#CommonMiddleware', ...]
 * ```
 */
export class GZipMiddleware extends MiddlewareMixin {
  /** The random padding of each compressed response, in bytes (0 turns it off). */
  static maxRandomBytes = 100;

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (!response.streaming && response instanceof HttpResponse && response.content.length < MIN_LENGTH) return response;
    if (response.headers.has('Content-Encoding')) return response;
    patchVaryHeaders(response, ['Accept-Encoding']);
    if (!ACCEPTS_GZIP.test(request.META['HTTP_ACCEPT_ENCODING'] ?? '')) return response;
    const maxRandomBytes = (this.constructor as typeof GZipMiddleware).maxRandomBytes;
    if (response instanceof StreamingHttpResponse) {
      response.streamingContent = compressStream(response.streamingContent, maxRandomBytes);
      // The compressed length is unknown until the stream ends.
      response.headers.delete('Content-Length');
    } else if (response instanceof HttpResponse) {
      const compressed = compressBytes(response.content, maxRandomBytes);
      if (compressed.length >= response.content.length) return response;
      response.content = compressed;
      response.headers.set('Content-Length', String(compressed.length));
    } else {
      return response;
    }
    const etag = response.headers.get('ETag');
    if (etag?.startsWith('"')) response.headers.set('ETag', `W/${etag}`);
    response.headers.set('Content-Encoding', 'gzip');
    return response;
  }
}

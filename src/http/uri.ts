/**
 * URI helpers the request and the redirects share: decoding a request path the
 * way a WSGI server and Django do, and re-encoding paths and IRIs for headers.
 */
import { quote } from './query-dict.ts';

const HEX2 = /^[0-9A-Fa-f]{2}$/;
// eslint-disable-next-line no-control-regex
const PLAIN_PATH = /^[\x00-\x24\x26-\x7f]*$/;

/** Percent-decode to bytes; an invalid escape stays as written. */
export function percentDecodeBytes(text: string): Buffer {
  if (!text.includes('%')) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let plainStart = 0;
  const flush = (end: number): void => {
    if (end > plainStart) parts.push(Buffer.from(text.slice(plainStart, end), 'utf8'));
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && HEX2.test(text.slice(i + 1, i + 3))) {
      flush(i);
      parts.push(Buffer.of(Number.parseInt(text.slice(i + 1, i + 3), 16)));
      i += 2;
      plainStart = i + 1;
    }
  }
  flush(text.length);
  return Buffer.concat(parts);
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!;
  if (b0 < 0x80) return 1;
  let length: number;
  let min: number;
  let max = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
    min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    // Overlongs (E0 80..9F) and surrogates (ED A0..BF) are invalid.
    min = b0 === 0xe0 ? 0xa0 : 0x80;
    if (b0 === 0xed) max = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    min = b0 === 0xf0 ? 0x90 : 0x80;
    if (b0 === 0xf4) max = 0x8f;
  } else {
    return 0;
  }
  if (i + length > bytes.length) return 0;
  const b1 = bytes[i + 1]!;
  if (b1 < min || b1 > max) return 0;
  for (let k = 2; k < length; k++) {
    const b = bytes[i + k]!;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return length;
}

/**
 * Decode bytes as UTF-8, writing each byte that is not part of a valid sequence
 * as `%XX` (Django's `repercent_broken_unicode`): a path with stray bytes
 * still resolves, and no byte is lost or turned into U+FFFD.
 */
export function decodeRepercentingBroken(bytes: Uint8Array): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += Buffer.from(bytes.subarray(start, i)).toString('utf8');
    out += `%${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
    i += 1;
    start = i;
  }
  return out + Buffer.from(bytes.subarray(start)).toString('utf8');
}

/** The path part of a request target as Django's `path_info`: percent-decoded, broken UTF-8 re-escaped. */
export function decodePath(rawPath: string): string {
  // Plain ASCII without escapes decodes to itself: the usual request skips the bytes round trip.
  if (PLAIN_PATH.test(rawPath)) return rawPath;
  return decodeRepercentingBroken(percentDecodeBytes(rawPath));
}

/** Escape a path for a URI, keeping the characters paths may hold (Django's `escape_uri_path`). */
export function escapeUriPath(path: string): string {
  return quote(path, "/:@&+$,-_.!~*'()");
}

/**
 * Turn an IRI (a URL that may hold non-ASCII text) into a URI, escaping only what
 * must be and leaving existing escapes alone (Django's `iri_to_uri`).
 */
export function iriToUri(iri: string): string {
  return quote(iri, "/#%[]=:;$&()+,!?*@'~");
}

/**
 * `//evil.example/path` would read as a scheme-relative URL to another host;
 * escape the second slash so it stays a path (Django's `escape_leading_slashes`).
 */
export function escapeLeadingSlashes(url: string): string {
  return url.startsWith('//') ? `/%2F${url.slice(2)}` : url;
}

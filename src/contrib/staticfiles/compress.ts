/**
 * Pre-compressed variants (`name.gz`, `name.br`) written beside text-like
 * static files, so a server can send them without compressing per request.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Extensions worth compressing: text formats; images and fonts are compressed already. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'css', 'js', 'mjs', 'json', 'map', 'svg', 'txt', 'html', 'htm', 'xml', 'csv', 'md', 'ico', 'wasm', 'webmanifest', 'ttf', 'otf', 'eot',
]);

/** Below this many bytes a compressed copy saves too little to be worth a file. */
export const MIN_COMPRESS_SIZE = 200;

/** Whether `name`'s extension and size call for compressed variants. */
export function isCompressible(name: string, size: number): boolean {
  const dot = name.lastIndexOf('.');
  return size >= MIN_COMPRESS_SIZE && dot !== -1 && COMPRESSIBLE_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

/** The `.gz` (gzip level 9) and `.br` (brotli quality 11) variants of `content`, each only when smaller. */
export function compressedVariants(content: Buffer): Array<{ suffix: '.gz' | '.br'; data: Buffer }> {
  const variants: Array<{ suffix: '.gz' | '.br'; data: Buffer }> = [];
  const gz = gzipSync(content, { level: 9 });
  if (gz.length < content.length) variants.push({ suffix: '.gz', data: gz });
  const br = brotliCompressSync(content, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
    },
  });
  if (br.length < content.length) variants.push({ suffix: '.br', data: br });
  return variants;
}

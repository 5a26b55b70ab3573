/**
 * Image facts from bytes (Django's django.core.files.images), using image-size:
 * pure JavaScript, reads only headers, so a huge file is not decoded.
 */
import { imageSize } from 'image-size';
import { bytesOf } from './base.ts';

/** What the bytes of an image say about it. */
export interface ImageInfo {
  width: number;
  height: number;
  /** image-size's format name: 'png', 'jpg', 'gif', 'webp', 'svg', … */
  format: string;
}

const MIME_BY_FORMAT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  tiff: 'image/tiff',
  ico: 'image/x-icon',
  cur: 'image/x-icon',
  svg: 'image/svg+xml',
  avif: 'image/avif',
  heif: 'image/heif',
  psd: 'image/vnd.adobe.photoshop',
  jp2: 'image/jp2',
  icns: 'image/x-icns',
  dds: 'image/vnd-ms.dds',
  tga: 'image/x-tga',
  pnm: 'image/x-portable-anymap',
  ktx: 'image/ktx',
  j2c: 'image/j2c',
  jxl: 'image/jxl',
};

/** The media type for an image-size format name, or undefined. */
export function imageMimeType(format: string): string | undefined {
  return MIME_BY_FORMAT[format];
}

/**
 * Width, height and format of an image (a File, UploadedFile or Buffer), or
 * undefined when the bytes are not an image it can read (or have no size).
 * Reads the whole file synchronously.
 *
 * ```ts
 * getImageInfo(upload); // { width: 640, height: 480, format: 'png' }
 * ```
 */
export function getImageInfo(file: unknown): ImageInfo | undefined {
  const bytes = bytesOf(file);
  if (bytes === undefined || bytes.length === 0) return undefined;
  try {
    const size = imageSize(bytes);
    if (!size.width || !size.height || !size.type) return undefined;
    return { width: size.width, height: size.height, format: size.type };
  } catch {
    return undefined;
  }
}

/** [width, height] of an image, or [null, null] (Django's get_image_dimensions). */
export function getImageDimensions(file: unknown): [number | null, number | null] {
  const info = getImageInfo(file);
  return info ? [info.width, info.height] : [null, null];
}

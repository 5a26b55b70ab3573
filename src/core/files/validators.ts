/**
 * Validators for uploads: the extension (Django's FileExtensionValidator), the
 * type the bytes show (magic numbers, never the client's Content-Type claim),
 * and the size. Each is sync, like every Nuages validator, and reads at most
 * the first few KiB of a file to sniff it.
 */
import { ValidationError } from '../exceptions.ts';
import type { Validator } from '../validators.ts';
import { headOf } from './base.ts';
import { suffix } from './names.ts';

function nameOf(value: unknown): string {
  const name = (value as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : String(value ?? '');
}

/**
 * Refuse files whose last extension (case-insensitive) is not listed
 * (Django's FileExtensionValidator; same message, code `invalid_extension`,
 * params `extension`, `allowed_extensions`, `value`). `null` allows all.
 *
 * ```ts
 * new FileField({ validators: [fileExtensionValidator(['pdf', 'png'])] });
 * ```
 */
export function fileExtensionValidator(
  allowedExtensions: readonly string[] | null = null,
  options: { message?: string; code?: string } = {},
): Validator {
  const allowed = allowedExtensions?.map((ext) => ext.toLowerCase()) ?? null;
  const message =
    options.message ?? 'File extension “%(extension)s” is not allowed. Allowed extensions are: %(allowed_extensions)s.';
  const code = options.code ?? 'invalid_extension';
  return (value) => {
    const extension = suffix(nameOf(value)).slice(1).toLowerCase();
    if (allowed !== null && !allowed.includes(extension)) {
      throw new ValidationError(message, {
        code,
        params: { extension, allowed_extensions: allowed.join(', '), value },
      });
    }
  };
}

/** The extensions Pillow can open, which Django's validate_image_file_extension allows. */
export const IMAGE_FILE_EXTENSIONS: readonly string[] = Object.freeze(
  ('blp bmp dib bufr cur pcx dcx dds ps eps fit fits fli flc ftc ftu gbr gif grib h5 hdf png apng jp2 j2k jpc jpf ' +
    'jpx j2c icns ico im iim jfif jpe jpg jpeg mpg mpeg tif tiff mpo msp palm pcd pdf pxr pbm pgm ppm pnm pfm psd ' +
    'qoi bw rgb rgba sgi ras tga icb vda vst webp wmf emf xbm xpm avif avifs').split(' '),
);

/** Refuse a file whose extension is not an image format's (Django's validate_image_file_extension). */
export const validateImageFileExtension: Validator = fileExtensionValidator(IMAGE_FILE_EXTENSIONS);

// [type, offset, bytes]; a null byte in a pattern is matched exactly.
const MAGIC: ReadonlyArray<readonly [string, number, Buffer]> = [
  ['image/png', 0, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ['image/jpeg', 0, Buffer.from([0xff, 0xd8, 0xff])],
  ['image/gif', 0, Buffer.from('GIF87a')],
  ['image/gif', 0, Buffer.from('GIF89a')],
  ['image/bmp', 0, Buffer.from('BM')],
  ['image/tiff', 0, Buffer.from([0x49, 0x49, 0x2a, 0x00])],
  ['image/tiff', 0, Buffer.from([0x4d, 0x4d, 0x00, 0x2a])],
  ['image/x-icon', 0, Buffer.from([0x00, 0x00, 0x01, 0x00])],
  ['image/vnd.adobe.photoshop', 0, Buffer.from('8BPS')],
  ['application/pdf', 0, Buffer.from('%PDF-')],
  ['application/zip', 0, Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  ['application/zip', 0, Buffer.from([0x50, 0x4b, 0x05, 0x06])],
  ['application/gzip', 0, Buffer.from([0x1f, 0x8b])],
  ['application/x-7z-compressed', 0, Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])],
  ['application/x-rar-compressed', 0, Buffer.from('Rar!\x1a\x07')],
  ['application/x-msdownload', 0, Buffer.from('MZ')],
  ['application/x-executable', 0, Buffer.from([0x7f, 0x45, 0x4c, 0x46])],
  ['audio/ogg', 0, Buffer.from('OggS')],
  ['audio/flac', 0, Buffer.from('fLaC')],
  ['audio/mpeg', 0, Buffer.from('ID3')],
  ['video/webm', 0, Buffer.from([0x1a, 0x45, 0xdf, 0xa3])],
  ['font/woff', 0, Buffer.from('wOFF')],
  ['font/woff2', 0, Buffer.from('wOF2')],
];

const FTYP_BRANDS: Record<string, string> = {
  avif: 'image/avif',
  avis: 'image/avif',
  heic: 'image/heic',
  heix: 'image/heic',
  mif1: 'image/heif',
  msf1: 'image/heif',
  'qt  ': 'video/quicktime',
  'M4A ': 'audio/mp4',
};

/** How many leading bytes `detectContentType()` looks at. */
export const SNIFF_LENGTH = 4096;

/**
 * The media type the bytes show, from a table of magic numbers (images, PDF,
 * archives, executables, audio, video, fonts, SVG); undefined when unknown.
 * Plain text, HTML and scripts are deliberately not recognised as any type.
 *
 * ```ts
 * detectContentType(upload.head(SNIFF_LENGTH)); // 'image/png'
 * ```
 */
export function detectContentType(head: Buffer): string | undefined {
  for (const [type, offset, bytes] of MAGIC) {
    if (head.length >= offset + bytes.length && head.subarray(offset, offset + bytes.length).equals(bytes)) return type;
  }
  const fourCc = (at: number): string => head.subarray(at, at + 4).toString('latin1');
  if (head.length >= 12 && fourCc(0) === 'RIFF') {
    const kind = fourCc(8);
    if (kind === 'WEBP') return 'image/webp';
    if (kind === 'WAVE') return 'audio/wav';
    if (kind === 'AVI ') return 'video/x-msvideo';
  }
  if (head.length >= 12 && fourCc(4) === 'ftyp') return FTYP_BRANDS[fourCc(8)] ?? 'video/mp4';
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) return 'audio/mpeg';
  // SVG is XML text: an optional BOM/prolog/comments/doctype, then an <svg> root.
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(text)) return 'image/svg+xml';
  return undefined;
}

function typeMatches(type: string, pattern: string): boolean {
  const wanted = pattern.toLowerCase();
  return wanted.endsWith('/*') ? type.startsWith(wanted.slice(0, -1)) : type === wanted;
}

/**
 * Refuse a file unless its bytes show one of `allowedTypes` (`'image/png'`,
 * `'image/*'`). The client's Content-Type and the extension are ignored, so a
 * script renamed `cat.png` and sent as image/png fails. Code
 * `invalid_content_type`, params `content_type` (detected, or 'unknown'),
 * `allowed_types`, `value`.
 *
 * ```ts
 * new FileField({ validators: [contentTypeValidator(['application/pdf', 'image/*'])] });
 * ```
 */
export function contentTypeValidator(
  allowedTypes: readonly string[],
  options: { message?: string; code?: string } = {},
): Validator {
  const message = options.message ?? 'File type “%(content_type)s” is not allowed. Allowed types are: %(allowed_types)s.';
  const code = options.code ?? 'invalid_content_type';
  return (value) => {
    const head = headOf(value, SNIFF_LENGTH);
    const detected = head === undefined ? undefined : detectContentType(head);
    if (detected === undefined || !allowedTypes.some((pattern) => typeMatches(detected, pattern))) {
      throw new ValidationError(message, {
        code,
        params: { content_type: detected ?? 'unknown', allowed_types: allowedTypes.join(', '), value },
      });
    }
  };
}

/** Bytes as Django's filesizeformat prints them ('1 byte', '2.5 MB'). */
export function formatFileSize(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 5, 'PB'],
    [1024 ** 4, 'TB'],
    [1024 ** 3, 'GB'],
    [1024 ** 2, 'MB'],
    [1024, 'KB'],
  ];
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const [unit, label] = units.find(([size]) => bytes >= size)!;
  return `${(bytes / unit).toFixed(1)} ${label}`;
}

/**
 * Refuse a file larger than `limit` bytes. Code `max_file_size`, params
 * `max`, `size` (both formatted like filesizeformat), `limit_value`, `show_value`.
 * The multipart parser's FILE_UPLOAD_MAX_SIZE stops a huge upload earlier; this
 * gives the form a message for its field.
 *
 * ```ts
 * new ImageField({ validators: [maxFileSizeValidator(5 * 1024 * 1024)] });
 * ```
 */
export function maxFileSizeValidator(limit: number, options: { message?: string; code?: string } = {}): Validator {
  const message = options.message ?? 'Ensure this file is at most %(max)s (it is %(size)s).';
  const code = options.code ?? 'max_file_size';
  return (value) => {
    const size = (value as { size?: unknown } | null)?.size;
    if (typeof size === 'number' && size > limit) {
      throw new ValidationError(message, {
        code,
        params: { max: formatFileSize(limit), size: formatFileSize(size), limit_value: limit, show_value: size, value },
      });
    }
  };
}

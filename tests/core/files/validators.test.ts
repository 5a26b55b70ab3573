// Messages, codes and params of fileExtensionValidator match Django 5.2's FileExtensionValidator.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../../src/core/exceptions.ts';
import {
  UploadedFile,
  contentTypeValidator,
  detectContentType,
  fileExtensionValidator,
  formatFileSize,
  getImageDimensions,
  maxFileSizeValidator,
  validateImageFileExtension,
} from '../../../src/core/files/index.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function failure(fn: () => void): { message: string; code: string | undefined; params: unknown } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    const [m] = error.errorList;
    return { message: m!.message, code: m!.code, params: m!.params };
  }
  assert.fail('expected a ValidationError');
}

describe('fileExtensionValidator', () => {
  const v = fileExtensionValidator(['pdf', 'PNG']);
  test("refuses other extensions with Django's message and params", () => {
    const f = UploadedFile.fromContent('a.exe', 'x');
    const err = failure(() => v(f));
    assert.equal(err.message, 'File extension “exe” is not allowed. Allowed extensions are: pdf, png.');
    assert.equal(err.code, 'invalid_extension');
    assert.deepEqual({ ...(err.params as object), value: undefined }, { extension: 'exe', allowed_extensions: 'pdf, png', value: undefined });
  });
  test('checks only the last extension, case-insensitively; no extension is ""', () => {
    assert.equal(failure(() => v(UploadedFile.fromContent('a.tar.GZ', 'x'))).message, 'File extension “gz” is not allowed. Allowed extensions are: pdf, png.');
    assert.equal(failure(() => v(UploadedFile.fromContent('a', 'x'))).message, 'File extension “” is not allowed. Allowed extensions are: pdf, png.');
    v(UploadedFile.fromContent('a.PDF', 'x'));
    v(UploadedFile.fromContent('evil.exe.png', 'x'));
  });
  test('image extensions: png allowed, html refused', () => {
    validateImageFileExtension(UploadedFile.fromContent('cat.png', PNG));
    assert.equal(failure(() => validateImageFileExtension(UploadedFile.fromContent('cat.html', 'x'))).code, 'invalid_extension');
  });
});

describe('contentTypeValidator', () => {
  test('reads the magic bytes, not the claimed type or the name', () => {
    const v = contentTypeValidator(['image/*', 'application/pdf']);
    v(UploadedFile.fromContent('cat.png', PNG, 'image/png'));
    v(UploadedFile.fromContent('whatever.bin', GIF, 'application/octet-stream'));
    v(UploadedFile.fromContent('doc.pdf', '%PDF-1.7\n...', 'application/pdf'));
    const liar = failure(() => v(UploadedFile.fromContent('cat.png', '<script>alert(1)</script>', 'image/png')));
    assert.equal(liar.code, 'invalid_content_type');
    assert.equal(liar.message, 'File type “unknown” is not allowed. Allowed types are: image/*, application/pdf.');
    const exe = failure(() => v(UploadedFile.fromContent('cat.jpg', Buffer.from('MZ\x90\x00'), 'image/jpeg')));
    assert.equal(exe.message, 'File type “application/x-msdownload” is not allowed. Allowed types are: image/*, application/pdf.');
  });
  test('an empty file has no type', () => {
    assert.equal(failure(() => contentTypeValidator(['image/png'])(UploadedFile.fromContent('a.png', ''))).code, 'invalid_content_type');
  });
  test('detectContentType knows common formats and SVG, and not HTML', () => {
    assert.equal(detectContentType(PNG), 'image/png');
    assert.equal(detectContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
    assert.equal(detectContentType(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), 'image/webp');
    assert.equal(detectContentType(Buffer.from('\0\0\0\x1cftypavif')), 'image/avif');
    assert.equal(detectContentType(Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>')), 'image/svg+xml');
    assert.equal(detectContentType(Buffer.from('<!doctype html><html>')), undefined);
    assert.equal(detectContentType(Buffer.alloc(0)), undefined);
  });
});

describe('maxFileSizeValidator', () => {
  test('allows the limit itself and refuses one byte more, sizes formatted like filesizeformat', () => {
    const v = maxFileSizeValidator(1024);
    v(UploadedFile.fromContent('a.bin', Buffer.alloc(1024)));
    const err = failure(() => v(UploadedFile.fromContent('a.bin', Buffer.alloc(5 * 1024 * 1024))));
    assert.equal(err.message, 'Ensure this file is at most 1.0 KB (it is 5.0 MB).');
    assert.equal(err.code, 'max_file_size');
    assert.equal(formatFileSize(1), '1 byte');
    assert.equal(formatFileSize(1023), '1023 bytes');
  });
});

describe('getImageDimensions', () => {
  test('reads width and height from the header; non-images give nulls', () => {
    assert.deepEqual(getImageDimensions(UploadedFile.fromContent('a.png', PNG)), [1, 1]);
    assert.deepEqual(getImageDimensions(UploadedFile.fromContent('a.png', 'not an image')), [null, null]);
    assert.deepEqual(getImageDimensions(UploadedFile.fromContent('a.png', '')), [null, null]);
  });
});

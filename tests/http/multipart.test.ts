import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import {
  BadRequest,
  HttpRequest,
  MultiPartParserError,
  RawPostDataError,
  RequestDataTooBig,
  TooManyFieldsSent,
  TooManyFilesSent,
  UploadedFile,
  encodeMultipart,
  sanitizeFileName,
} from '../../src/http/index.ts';

configure({ SECRET_KEY: 'multipart-tests-secret' });

async function multipartRequest(data: Parameters<typeof encodeMultipart>[0], split = 0): Promise<HttpRequest> {
  const { body, contentType } = await encodeMultipart(data);
  async function* pieces(): AsyncIterable<Uint8Array> {
    for (let at = 0; at < body.length; at += split) yield body.subarray(at, at + split);
  }
  return HttpRequest.create({ method: 'POST', headers: { 'content-type': contentType }, body: split > 0 ? pieces() : body });
}

function rawMultipart(body: string, boundary = 'XyZ'): HttpRequest {
  return HttpRequest.create({
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: body.replaceAll('\n', '\r\n'),
  });
}

describe('multipart forms', () => {
  test('fields go to POST and files to FILES, streamed in small chunks', async () => {
    const request = await multipartRequest(
      {
        title: 'Dune',
        tag: ['sf', 'classic'],
        cover: UploadedFile.fromContent('cover.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png'),
        notes: [UploadedFile.fromContent('a.txt', 'first'), UploadedFile.fromContent('b.txt', 'second')],
      },
      7,
    );
    await request.readBody();
    assert.equal(request.POST.get('title'), 'Dune');
    assert.deepEqual(request.POST.getList('tag'), ['sf', 'classic']);
    assert.equal(request.POST.mutable, false);
    const cover = request.FILES.get('cover')!;
    assert.equal(cover.name, 'cover.png');
    assert.equal(cover.fieldName, 'cover');
    assert.equal(cover.contentType, 'image/png');
    assert.equal(cover.size, 4);
    assert.equal(cover.inMemory, true);
    assert.deepEqual(await cover.read(), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    assert.deepEqual(await Promise.all(request.FILES.getList('notes').map((f) => f.text())), ['first', 'second']);
  });

  test('request.body is not kept for a multipart request', async () => {
    const request = await multipartRequest({ a: '1' });
    await request.readBody();
    assert.throws(() => request.body, RawPostDataError);
  });

  test('non-ASCII field values and RFC 5987 file names decode', async () => {
    const request = rawMultipart(
      [
        '--XyZ',
        'Content-Disposition: form-data; name="title"',
        '',
        'Caf\u00e9 \u2603',
        '--XyZ',
        "Content-Disposition: form-data; name=\"doc\"; filename*=utf-8''r%C3%A9sum%C3%A9.txt",
        'Content-Type: text/plain; charset=utf-8',
        '',
        'hi',
        '--XyZ--',
        '',
      ].join('\n'),
    );
    await request.readBody();
    assert.equal(request.POST.get('title'), 'Caf\u00e9 \u2603');
    const doc = request.FILES.get('doc')!;
    assert.equal(doc.name, 'r\u00e9sum\u00e9.txt');
    assert.equal(doc.contentType, 'text/plain');
  });

  test('file names lose their directories, so uploads cannot traverse paths', async () => {
    const request = await multipartRequest({
      a: UploadedFile.fromContent('../../etc/passwd', 'x'),
      b: UploadedFile.fromContent('C:\\Windows\\evil.exe', 'x'),
      c: UploadedFile.fromContent('..', 'x'),
    });
    await request.readBody();
    assert.equal(request.FILES.get('a')!.name, 'passwd');
    assert.equal(request.FILES.get('b')!.name, 'evil.exe');
    assert.equal(request.FILES.has('c'), false, 'a name that is only dots is dropped, as Django does');
  });

  test('sanitizeFileName strips directories and unprintable characters', () => {
    assert.equal(sanitizeFileName('/tmp/../x/report.pdf'), 'report.pdf');
    assert.equal(sanitizeFileName('a\u0000b\u202e\ncd.txt'), 'abcd.txt');
    assert.equal(sanitizeFileName('dir\\'), undefined);
    assert.equal(sanitizeFileName('.'), undefined);
  });

  test('an empty file input (no filename) is skipped', async () => {
    const request = rawMultipart(
      ['--XyZ', 'Content-Disposition: form-data; name="f"; filename=""', 'Content-Type: application/octet-stream', '', '', '--XyZ--', ''].join('\n'),
    );
    await request.readBody();
    assert.equal(request.FILES.size, 0);
  });

  test('a file past FILE_UPLOAD_MAX_MEMORY_SIZE spills to a temporary file that close() deletes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nuages-upload-test-'));
    await overrideSettings({ FILE_UPLOAD_MAX_MEMORY_SIZE: 10, FILE_UPLOAD_TEMP_DIR: dir }, async () => {
      const content = Buffer.alloc(100_000, 7);
      const request = await multipartRequest({ big: UploadedFile.fromContent('big.bin', content, 'application/octet-stream') }, 4096);
      await request.readBody();
      const file = request.FILES.get('big')!;
      assert.equal(file.inMemory, false);
      assert.equal(file.size, content.length);
      assert.ok(file.temporaryFilePath !== undefined && existsSync(file.temporaryFilePath));
      assert.deepEqual(await file.read(), content);
      let total = 0;
      for await (const chunk of file.chunks(10_000)) total += chunk.length;
      assert.equal(total, content.length);
      assert.equal(file.multipleChunks(), true);
      await request.close();
      assert.deepEqual(readdirSync(dir), []);
    });
  });

  test('non-file fields over DATA_UPLOAD_MAX_MEMORY_SIZE throw RequestDataTooBig; files do not count', async () => {
    await overrideSettings({ DATA_UPLOAD_MAX_MEMORY_SIZE: 50 }, async () => {
      const tooBig = await multipartRequest({ text: 'x'.repeat(100) });
      await assert.rejects(tooBig.readBody(), RequestDataTooBig);
      const withFile = await multipartRequest({ text: 'short', file: UploadedFile.fromContent('f.bin', Buffer.alloc(10_000)) });
      await withFile.readBody();
      assert.equal(withFile.FILES.get('file')!.size, 10_000);
    });
  });

  test('FILE_UPLOAD_MAX_SIZE caps each file and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nuages-upload-test-'));
    await overrideSettings({ FILE_UPLOAD_MAX_SIZE: 1000, FILE_UPLOAD_MAX_MEMORY_SIZE: 100, FILE_UPLOAD_TEMP_DIR: dir }, async () => {
      const request = await multipartRequest({ file: UploadedFile.fromContent('f.bin', Buffer.alloc(5000)) }, 512);
      await assert.rejects(request.readBody(), (err: unknown) => err instanceof RequestDataTooBig && /FILE_UPLOAD_MAX_SIZE/.test(err.message));
      assert.deepEqual(readdirSync(dir), []);
    });
  });

  test('too many fields or files throw TooManyFieldsSent / TooManyFilesSent', async () => {
    await overrideSettings({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2, DATA_UPLOAD_MAX_NUMBER_FILES: 1 }, async () => {
      const fields = await multipartRequest({ a: '1', b: '2', c: '3' });
      await assert.rejects(fields.readBody(), TooManyFieldsSent);
      const files = await multipartRequest({ a: UploadedFile.fromContent('a', 'a'), b: UploadedFile.fromContent('b', 'b') });
      await assert.rejects(files.readBody(), TooManyFilesSent);
    });
  });
});

describe('broken multipart', () => {
  const cases: Array<[string, HttpRequest]> = [
    ['a Content-Type without boundary', HttpRequest.create({ method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' })],
    ['a body cut off before the closing boundary', rawMultipart('--XyZ\nContent-Disposition: form-data; name="a"\n\nvalue-without-end')],
    ['a part with malformed headers', rawMultipart('--XyZ\nthis is not a header\n\nx\n--XyZ--\n')],
    ['a body that never mentions the boundary', rawMultipart('just some bytes\n')],
  ];
  for (const [name, request] of cases) {
    test(`${name} throws MultiPartParserError, a BadRequest`, async () => {
      await assert.rejects(request.readBody(), (err: unknown) => {
        assert.ok(err instanceof MultiPartParserError, `got ${String(err)}`);
        assert.ok(err instanceof BadRequest);
        assert.equal(err.code, 'NUAGES_HTTP_MULTIPART');
        return true;
      });
    });
  }
});

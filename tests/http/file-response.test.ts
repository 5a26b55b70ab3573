import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { FileResponse, HttpRequest, contentDispositionHeader, parseRange } from '../../src/http/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'nuages-file-response-'));
const bookPath = join(dir, 'dune.txt');
writeFileSync(bookPath, '0123456789abcdefghij');

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'django-oracle.json'), 'utf8')) as {
  dispositions: Array<{ as_attachment: boolean; filename: string | null; header: string | null }>;
};

function ranged(range: string, extra: Record<string, string> = {}): HttpRequest {
  return HttpRequest.create({ headers: { Range: range, ...extra } });
}

describe('FileResponse', () => {
  test('streams a path with Content-Type from the name, Content-Length and an inline disposition', async () => {
    const response = new FileResponse(bookPath);
    assert.equal(response.status, 200);
    assert.equal(response.streaming, true);
    assert.equal(response.headers.get('Content-Type'), 'text/plain');
    assert.equal(response.headers.get('Content-Length'), '20');
    assert.equal(response.headers.get('Accept-Ranges'), 'bytes');
    assert.equal(response.headers.get('Content-Disposition'), 'inline; filename="dune.txt"');
    assert.equal((await response.readAll()).toString(), '0123456789abcdefghij');
  });

  test('asAttachment and filename make a download; an explicit contentType wins', () => {
    const response = new FileResponse(bookPath, { asAttachment: true, filename: 'report.csv', contentType: 'text/csv; charset=utf-8' });
    assert.equal(response.headers.get('Content-Disposition'), 'attachment; filename="report.csv"');
    assert.equal(response.headers.get('Content-Type'), 'text/csv; charset=utf-8');
  });

  test('an unknown extension is application/octet-stream', () => {
    assert.equal(new FileResponse(Buffer.from('x'), { filename: 'blob.unknownext' }).headers.get('Content-Type'), 'application/octet-stream');
    assert.equal(new FileResponse(Buffer.from('x')).headers.has('Content-Disposition'), false);
  });

  test('a filename with directories or control characters cannot escape the header', () => {
    const response = new FileResponse(Buffer.from('x'), { asAttachment: true, filename: '../../etc/pass"wd\r\nX-Evil: 1' });
    assert.equal(response.filename, 'pass"wdX-Evil: 1');
    assert.equal(response.headers.get('Content-Disposition'), 'attachment; filename="pass\\"wdX-Evil: 1"');
    const dots = new FileResponse(Buffer.from('x'), { asAttachment: true, filename: '..' });
    assert.equal(dots.headers.get('Content-Disposition'), 'attachment');
  });

  for (const { as_attachment, filename, header } of oracle.dispositions) {
    test(`contentDispositionHeader(${as_attachment}, ${JSON.stringify(filename)}) matches Django`, () => {
      assert.equal(contentDispositionHeader(as_attachment, filename ?? undefined), header ?? undefined);
    });
  }

  test('a stream source is piped; its path names the file', async () => {
    const response = new FileResponse(createReadStream(bookPath));
    assert.equal(response.filename, 'dune.txt');
    assert.equal(response.headers.has('Content-Length'), false);
    assert.equal((await response.readAll()).toString(), '0123456789abcdefghij');
    const sized = new FileResponse(Readable.from([Buffer.from('abc')]), { size: 3, filename: 'a.bin' });
    assert.equal(sized.headers.get('Content-Length'), '3');
  });

  test('a missing path throws the fs error', () => {
    assert.throws(() => new FileResponse(join(dir, 'missing.txt')), { code: 'ENOENT' });
  });
});

describe('byte ranges', () => {
  test('bytes=2-5 answers 206 with Content-Range and only those bytes', async () => {
    const response = new FileResponse(bookPath, { request: ranged('bytes=2-5') });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('Content-Range'), 'bytes 2-5/20');
    assert.equal(response.headers.get('Content-Length'), '4');
    assert.equal((await response.readAll()).toString(), '2345');
  });

  test('open-ended and suffix ranges', async () => {
    assert.equal((await new FileResponse(bookPath, { request: ranged('bytes=15-') }).readAll()).toString(), 'fghij');
    assert.equal((await new FileResponse(bookPath, { request: ranged('bytes=-3') }).readAll()).toString(), 'hij');
    assert.equal((await new FileResponse(bookPath, { request: ranged('bytes=-50') }).readAll()).toString(), '0123456789abcdefghij');
    assert.equal((await new FileResponse(bookPath, { request: ranged('bytes=18-99') }).readAll()).toString(), 'ij');
  });

  test('ranges work over bytes and unknown streams with a size', async () => {
    assert.equal((await new FileResponse(Buffer.from('abcdef'), { request: ranged('bytes=1-2') }).readAll()).toString(), 'bc');
    const stream = Readable.from([Buffer.from('abc'), Buffer.from('def'), Buffer.from('ghi')]);
    const response = new FileResponse(stream, { size: 9, request: ranged('bytes=2-6') });
    assert.equal(response.status, 206);
    assert.equal((await response.readAll()).toString(), 'cdefg');
  });

  test('a range past the end answers 416 with Content-Range: bytes */size and no body', async () => {
    for (const header of ['bytes=20-', 'bytes=100-200', 'bytes=-0']) {
      const response = new FileResponse(bookPath, { request: ranged(header) });
      assert.equal(response.status, 416, header);
      assert.equal(response.headers.get('Content-Range'), 'bytes */20');
      assert.equal(response.headers.get('Content-Length'), '0');
      assert.equal((await response.readAll()).length, 0);
    }
  });

  test('malformed, multiple or reversed ranges are ignored: the whole file, 200', async () => {
    for (const header of ['bytes=5-2', 'bytes=a-b', 'items=0-1', 'bytes=0-1,4-5', 'bytes=-', '']) {
      const response = new FileResponse(bookPath, { request: ranged(header) });
      assert.equal(response.status, 200, header);
      assert.equal((await response.readAll()).length, 20);
    }
  });

  test('If-Range that does not match the validators, or a POST, gets the whole file', () => {
    assert.equal(new FileResponse(bookPath, { request: ranged('bytes=0-1', { 'If-Range': '"old-etag"' }) }).status, 200);
    const post = HttpRequest.create({ method: 'POST', headers: { Range: 'bytes=0-1' } });
    assert.equal(new FileResponse(bookPath, { request: post }).status, 200);
  });

  test('parseRange covers the RFC 9110 forms', () => {
    assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
    assert.deepEqual(parseRange(' bytes = 3 - ', 10), { start: 3, end: 9 });
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
    assert.equal(parseRange(undefined, 10), undefined);
  });
});

// The bookshop's `import_csv` command on good and hostile files: what a well-formed file
// (BOM, CRLF, quotes, embedded newlines, no last newline, another delimiter or encoding)
// creates, and for every bad file that nothing is written and the report names the line,
// the column and the value; then --update, --dry-run, --verbosity and the exit code.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { apps } from '../../src/conf/apps.ts';
import { callCommand, CommandError, executeFromCommandLine } from '../../src/core/management/index.ts';
import { captureQueries } from '../../src/db/index.ts';
import type { Book as BookModel, Publisher as PublisherModel } from '../../examples/bookshop/catalog/models.ts';
import { useBookshop } from './bookshop-project.ts';

let Book: typeof BookModel;
let Publisher: typeof PublisherModel;

const { dir } = useBookshop('import', {}, async () => {
  Book = apps.getModel('catalog.Book') as unknown as typeof BookModel;
  Publisher = apps.getModel('catalog.Publisher') as unknown as typeof PublisherModel;
  for (const name of ['Acme Press', 'Blue Door']) await Publisher.objects.create({ name });
});

beforeEach(async () => {
  await Book.objects.all().delete();
});

const HEADER = 'isbn,title,price,publisher,published_date,rating,pages';

/** A good row for the `n`th book. */
function row(n: number, overrides: { title?: string; rating?: number; price?: string } = {}): string {
  return `${9781000000000 + n},${overrides.title ?? `Book ${n}`},${overrides.price ?? '12.50'},Acme Press,2024-01-${String(1 + (n % 28)).padStart(2, '0')},${overrides.rating ?? 3},${100 + n}`;
}

let files = 0;
function csvFile(content: string | Buffer): string {
  const path = join(dir, `books-${++files}.csv`);
  writeFileSync(path, content);
  return path;
}

interface Run {
  out: string;
  err: string;
  error?: CommandError;
}

async function importCsv(content: string | Buffer, ...args: string[]): Promise<Run> {
  const run: Run = { out: '', err: '' };
  const stdout = { write: (text: string) => (run.out += text) };
  const stderr = { write: (text: string) => (run.err += text) };
  try {
    await callCommand('import_csv', csvFile(content), ...args, { stdout, stderr });
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    run.error = error;
  }
  return run;
}

async function failure(content: string | Buffer, ...args: string[]): Promise<string> {
  const run = await importCsv(content, ...args);
  assert.ok(run.error, `the import should fail; it printed: ${run.out}`);
  assert.equal(await Book.objects.count(), 0, 'a failed import writes nothing');
  return run.error.message;
}

test('a well-formed file with a BOM, CRLF, quoted fields, an embedded newline and no last newline imports every row', async () => {
  const content = '\ufeffpublisher,isbn,title,price,published_date\r\n' +
    'Acme Press,9780000000001,"Commas, quotes ""and"" all",10.00,2020-05-01\r\n' +
    'Blue Door,9780000000002,"Two\r\nlines",7.5,2021-06-02\r\n' +
    'Acme Press,9780000000003,Plain,0,2022-07-03';
  const run = await importCsv(content);
  assert.equal(run.error, undefined);
  assert.match(run.out, /^Imported .*: 3 created, 0 updated, 0 unchanged, 0 errors; 3 rows in [\d.]+s \(\d+ rows\/s\)\.\n$/);
  const books = await Book.objects.orderBy('isbn').selectRelated('publisher');
  assert.deepEqual(books.map((b) => [b.isbn, b.title, b.price.toFixed(2), String(b.publishedDate), b.publisher.name, b.rating, b.pages]), [
    ['9780000000001', 'Commas, quotes "and" all', '10.00', '2020-05-01', 'Acme Press', 0, 0],
    ['9780000000002', 'Two\r\nlines', '7.50', '2021-06-02', 'Blue Door', 0, 0],
    ['9780000000003', 'Plain', '0.00', '2022-07-03', 'Acme Press', 0, 0],
  ]);
});

test('--delimiter and --encoding read a semicolon-separated latin1 file', async () => {
  const content = Buffer.from(`${HEADER.replaceAll(',', ';')}\n${row(1, { title: 'Café à Paris' }).replaceAll(',', ';')}\n`, 'latin1');
  const run = await importCsv(content, '--delimiter', ';', '--encoding', 'latin1');
  assert.equal(run.error, undefined);
  assert.equal((await Book.objects.get({ isbn: '9781000000001' })).title, 'Café à Paris');
});

test('rows are written in --batch-size batches: one INSERT per batch', async () => {
  const content = [HEADER, ...Array.from({ length: 5 }, (_, i) => row(i))].join('\n');
  const { queries } = await captureQueries(() => importCsv(content, '--batch-size', '2'));
  assert.equal(queries.filter((q) => /^INSERT INTO "catalog_book"/.test(q.sql)).length, 3);
  assert.equal(await Book.objects.count(), 5);
});

test('a file that is not UTF-8 is refused with the line of the bad byte and the option that fixes it', async () => {
  const content = Buffer.concat([Buffer.from(`${HEADER}\n${row(1)}\n`), Buffer.from(`${row(2, { title: 'Caf\xe9' })}\n`, 'latin1')]);
  const message = await failure(content);
  assert.match(message, /is not valid utf-8 \(a bad byte on or after line 3\)\. .*--encoding latin1/);
});

test('a row with too many columns is reported with its line and extra value; the good rows are not written', async () => {
  const message = await failure(`${HEADER}\n${row(1)}\n${row(2)},surplus\n${row(3)}\n`);
  assert.match(message, /^Nothing was imported from .*: 1 error\.\n {2}line 3, \(column 8\), value "surplus": The row has 8 fields; the header has 7\./);
});

test('blank lines are skipped and do not shift the line numbers of later rows', async () => {
  const lines = ['', HEADER, '', row(1), '', `"${9781000000002}",Two,12.50,Acme Press,2024-01-02,3,1`, row(3, { price: 'x' }), '', ''];
  for (const newline of ['\n', '\r\n']) {
    const message = await failure(lines.join(newline));
    assert.match(message, /^Nothing was imported from .*: 1 error\.\n {2}line 7, column price, value "x": /);
  }
});

test('an ISBN repeated inside the file names both lines', async () => {
  const message = await failure(`${HEADER}\n${row(1)}\n${row(2)}\n${row(1, { title: 'Again' })}\n`);
  assert.match(message, /line 4, column isbn, value "9781000000001": This ISBN is already on line 2 of the file\./);
});

test('an ISBN repeated in a later batch names the line of the batch that wrote it, with and without --update', async () => {
  const content = `${HEADER}\n${row(1)}\n${row(2)}\n${row(3)}\n${row(1, { title: 'Again' })}\n`;
  for (const args of [['--batch-size', '2'], ['--batch-size', '2', '--update']]) {
    const message = await failure(content, ...args);
    assert.match(message, /: 1 error\.\n {2}line 5, column isbn, value "9781000000001": This ISBN is already on line 2 of the file\.$/);
  }
  await Book.objects.create({ isbn: '9781000000001', title: 'Stored', price: '1.00', publisherId: (await Publisher.objects.get({ name: 'Acme Press' })).pk, publishedDate: '2020-01-01' } as never);
  const updated = await importCsv(`${HEADER}\n${row(1, { title: 'First' })}\n${row(2)}\n${row(1, { title: 'Second' })}\n`, '--batch-size', '2', '--update');
  assert.match(updated.error?.message ?? '', /: 1 error\.\n {2}line 4, column isbn, value "9781000000001": This ISBN is already on line 2 of the file\.$/);
  assert.deepEqual(await Book.objects.valuesList('title', { flat: true }), ['Stored']);
});

test('field errors name the line, the column and the value, from the model\'s own validation', async () => {
  const message = await failure(`${HEADER}\n${row(1, { price: 'cheap' })}\n9781000000002,T,1.00,Nobody,2024-02-30,1,1\n`);
  assert.match(message, /line 2, column price, value "cheap": “cheap” value must be a decimal number\./);
  assert.match(message, /line 3, column publisher, value "Nobody": No publisher has this name\./);
  assert.match(message, /line 3, column published_date, value "2024-02-30": /);
});

test('a constraint violated late in a large file aborts the import with that line and nothing written', async () => {
  const rows = Array.from({ length: 4000 }, (_, i) => row(i, i === 3498 ? { rating: 9 } : {}));
  const message = await failure([HEADER, ...rows].join('\n'));
  assert.match(message, /^Nothing was imported from .*: 1 error\.\n {2}line 3500, \(row\): Constraint “book_rating_0_to_5” is violated\.$/);
});

test('a constraint violated at line 900,001 of a million-row file aborts the import with nothing written', async () => {
  const path = join(dir, 'million.csv');
  const out = createWriteStream(path);
  out.write(`${HEADER}\n`);
  for (let start = 0; start < 1_000_000; start += 10_000) {
    let chunk = '';
    // Line 900,001 holds data row 900,000 (0-based 899,999): its rating is out of range.
    for (let i = start; i < start + 10_000; i++) chunk += `${row(i, i === 899_999 ? { rating: 9 } : {})}\n`;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await assert.rejects(
    callCommand('import_csv', path, { stdout: { write() {} }, stderr: { write() {} } }),
    (error: Error) => {
      assert.match(error.message, /^Nothing was imported from .*: 1 error\.\n {2}line 900001, \(row\): Constraint “book_rating_0_to_5” is violated\.$/);
      return true;
    },
  );
  assert.equal(await Book.objects.count(), 0);
});

test('the report shows the first 50 errors and counts the rest', async () => {
  const rows = Array.from({ length: 80 }, (_, i) => row(i, { price: '-' }));
  const message = await failure([HEADER, ...rows].join('\n'));
  assert.match(message, /: 80 errors\.\n/);
  assert.equal(message.split('\n').filter((line) => line.startsWith('  line ')).length, 50);
  assert.match(message, /line 51, column price.*\n {2}… and 30 more errors\.$/);
});

test('a 0-byte file is refused with the header it should start with', async () => {
  assert.match(await failure(''), /is empty\. The first line must be the header: isbn,title,price,publisher,published_date\./);
});

test('a header-only file imports nothing and succeeds', async () => {
  const run = await importCsv(`${HEADER}\n`);
  assert.equal(run.error, undefined);
  assert.match(run.out, /0 created, 0 updated, 0 unchanged, 0 errors; 0 rows/);
});

test('files that are not CSV at all are refused as a whole', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  assert.match(await failure(png), /is not valid utf-8/);
  assert.match(await failure('{"books": [{"isbn": "1"}]}\n'), /is not valid CSV: Invalid Opening Quote: a quote is found on field 0 at line 1/);
  assert.match(await failure('<html><body>Books</body></html>\n<p>none</p>\n'), /The header of .* is wrong: missing column\(s\) isbn, title, price, publisher, published_date; unknown column\(s\) "<html><body>Books<\/body><\/html>"\. Expected: /);
  assert.match(await failure(`${HEADER}\n9781,"unclosed,1,Acme Press,2024-01-01,1,1\n`), /is not valid CSV: Quote Not Closed/);
  assert.match(await failure(HEADER.replaceAll(',', ';')), /pass --delimiter ";"/);
});

test('an existing ISBN is an error without --update', async () => {
  await importCsv(`${HEADER}\n${row(1)}\n`);
  const run = await importCsv(`${HEADER}\n${row(2)}\n${row(1, { title: 'New title' })}\n`);
  assert.match(run.error!.message, /line 3, column isbn, value "9781000000001": A book with this ISBN already exists\. Pass --update to update it\./);
  assert.deepEqual(await Book.objects.orderBy('isbn').valuesList('title', { flat: true }), ['Book 1']);
});

test('--update changes only the fields that differ and counts unchanged rows', async () => {
  await importCsv(`${HEADER}\n${row(1)}\n${row(2)}\n`);
  const { result: run, queries } = await captureQueries(() => importCsv(`${HEADER}\n${row(1, { title: 'Renamed' })}\n${row(2)}\n${row(3)}\n`, '--update'));
  assert.match(run.out, /1 created, 1 updated, 1 unchanged, 0 errors/);
  const update = queries.find((q) => q.sql.startsWith('UPDATE'))!;
  assert.match(update.sql, /^UPDATE "catalog_book" SET "title" = /);
  assert.doesNotMatch(update.sql, /"price"|"rating"|"pages"/);
  assert.deepEqual(await Book.objects.orderBy('isbn').valuesList('title', { flat: true }), ['Renamed', 'Book 2', 'Book 3']);
});

test('--update leaves the fields of columns the file lacks or leaves empty as they are', async () => {
  await importCsv(`${HEADER}\n${row(1, { rating: 4 })}\n`);
  const run = await importCsv('isbn,title,price,publisher,published_date,rating\n9781000000001,Retitled,12.50,Blue Door,2024-01-02,\n', '--update');
  assert.match(run.out, /0 created, 1 updated, 0 unchanged/);
  const book = await Book.objects.selectRelated('publisher').get({ isbn: '9781000000001' });
  assert.deepEqual([book.title, book.publisher.name, book.rating, book.pages], ['Retitled', 'Blue Door', 4, 101]);
});

test('--dry-run does the work, lists what would change and writes nothing', async () => {
  await importCsv(`${HEADER}\n${row(1)}\n`);
  const run = await importCsv(`${HEADER}\n${row(1, { rating: 5 })}\n${row(2)}\n`, '--update', '--dry-run');
  assert.equal(run.error, undefined);
  assert.equal(run.out, [
    '  Would create 9781000000002 "Book 2"',
    '  Would update 9781000000001 (rating)',
    'Dry run, nothing written. Would have: 1 created, 1 updated, 0 unchanged, 0 errors; ' + run.out.split('0 errors; ')[1],
  ].join('\n'));
  assert.deepEqual(await Book.objects.orderBy('isbn').valuesList('rating', { flat: true }), [3]);
  assert.match((await importCsv(`${HEADER}\n${row(2, { price: 'x' })}\n`, '--dry-run')).error!.message, /line 2, column price/);
});

test('--verbosity 0 prints nothing, 2 lists every book written; progress goes to stderr', async () => {
  const quiet = await importCsv(`${HEADER}\n${row(1)}\n`, '--verbosity', '0');
  assert.deepEqual([quiet.out, quiet.err], ['', '']);
  const loud = await importCsv(`${HEADER}\n${row(2)}\n${row(3)}\n`, '--verbosity', '2');
  assert.match(loud.out, /^ {2}Created 9781000000002 "Book 2"\n {2}Created 9781000000003 "Book 3"\nImported /);
  assert.match(loud.err, /^Reading books-\d+\.csv \(bytes\): (\d+)\/\1 \(100%\)/);
});

test('bad options are refused before the file is read', async () => {
  assert.match((await importCsv(`${HEADER}\n`, '--batch-size', '0')).error!.message, /--batch-size must be a positive whole number; got 0\./);
  assert.match((await importCsv(`${HEADER}\n`, '--encoding', 'klingon')).error!.message, /Unknown encoding "klingon"/);
  assert.match((await importCsv(`${HEADER}\n`, '--delimiter', '')).error!.message, /--delimiter cannot be empty/);
  await assert.rejects(callCommand('import_csv', join(dir, 'missing.csv'), { stdout: { write() {} } }), /Cannot read .*missing\.csv: ENOENT\. Check the path\./);
});

test('manage.ts import_csv exits with 0 on success and 1 when a row is bad', async () => {
  const io = { stdout: { write() {} }, stderr: { write() {} } };
  assert.equal(await executeFromCommandLine(['node', 'manage.ts', 'import_csv', csvFile(`${HEADER}\n${row(1)}\n`)], io), 0);
  assert.equal(await executeFromCommandLine(['node', 'manage.ts', 'import_csv', csvFile(`${HEADER}\n${row(1)}\n`)], io), 1);
  assert.equal(await Book.objects.count(), 1);
});

/**
 * The reusable half of a CSV import command: read rows, collect errors, cut batches.
 *
 * file → decoder (`--encoding`, strict: a bad byte is an error, never U+FFFD) → csv-parse
 * (BOM, quotes, embedded newlines, CRLF, a missing last newline) → header checked against
 * the columns the command expects → one `CsvRow` per record, with the line it starts on.
 *
 * Everything is streamed, so memory does not grow with the file. A problem with the file
 * as a whole (missing, empty, wrong encoding, broken quoting, wrong header) throws
 * CsvFileError; a problem with one row (too many or too few fields) goes to the RowErrors
 * collector and the row is skipped, so one run reports every bad line.
 */
import { createReadStream, statSync } from 'node:fs';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import { CommandError } from './base.ts';

/** The file as a whole cannot be read as the expected CSV; the message says why and what to do. */
export class CsvFileError extends CommandError {
  override readonly code = 'NUAGES_CSV_FILE';
}

/** One record: its values by header name, and the line of the file it starts on. */
export interface CsvRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

/** Options of `readCsvRows()`. */
export interface CsvReadOptions {
  /** Columns the header must name. */
  required: readonly string[];
  /** Columns the header may name. Any other column is an error. */
  optional?: readonly string[];
  /** Field separator (default `,`). */
  delimiter?: string;
  /** Any encoding TextDecoder knows: utf-8 (default), latin1, windows-1252, utf-16le, … */
  encoding?: string;
  /** Where rows with the wrong number of fields are reported. */
  errors: RowErrors;
  /** Called with the number of bytes read so far (for a progress display). */
  onBytes?: (bytes: number) => void;
}

/** The file's size in bytes, or a CsvFileError naming the path when it cannot be read. */
export function csvFileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    throw new CsvFileError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path.`, { cause: error });
  }
}

/**
 * The file's records as CsvRows, header first checked and left out.
 *
 * ```ts
 * const errors = new RowErrors();
 * for await (const row of readCsvRows('books.csv', { required: ['isbn', 'title'], errors })) {
 *   row.values.isbn; // '9780000000001'
 * }
 * ```
 */
export async function* readCsvRows(path: string, options: CsvReadOptions): AsyncGenerator<CsvRow> {
  for await (const batch of readCsvBatches(path, { ...options, batchSize: 1000 })) yield* batch;
}

/**
 * The file's records as arrays of up to `batchSize` CsvRows, ready for `bulkCreate()`:
 * what `readCsvRows()` gives, without a promise per row (the cost that matters when a
 * file has millions of them).
 *
 * ```ts
 * for await (const rows of readCsvBatches('books.csv', { required: ['isbn'], errors, batchSize: 1000 })) {
 *   await Book.objects.bulkCreate(rows.map((row) => new Book(row.values)));
 * }
 * ```
 */
export async function* readCsvBatches(path: string, options: CsvReadOptions & { batchSize: number }): AsyncGenerator<CsvRow[]> {
  if (csvFileSize(path) === 0) throw new CsvFileError(`${path} is empty. The first line must be the header: ${options.required.join(options.delimiter ?? ',')}.`);
  const decoder = new DecodingStream(path, options.encoding ?? 'utf-8');
  let bytes = 0;
  const file = createReadStream(path);
  if (options.onBytes) file.on('data', (chunk) => options.onBytes!((bytes += chunk.length)));
  // Empty lines come through as [''] so that the line count stays right; they are skipped below.
  const parser = parse({ bom: true, delimiter: options.delimiter ?? ',', relax_column_count: true });
  pipeline(file, decoder, parser, () => {});
  let header: string[] | undefined;
  let nextLine = 1;
  let batch: CsvRow[] = [];
  try {
    for await (const records of bufferedChunks<string[]>(parser)) {
      for (const record of records) {
        const line = nextLine;
        nextLine += 1 + newlinesIn(record);
        if (record.length === 1 && record[0] === '') continue;
        if (!header) {
          header = checkHeader(path, record, options);
          continue;
        }
        if (record.length !== header.length) {
          const extra = record.length > header.length;
          options.errors.add(line, extra ? `(column ${header.length + 1})` : header[record.length]!, extra ? record[header.length]! : '',
            `The row has ${record.length} fields; the header has ${header.length}. Quote values that contain the delimiter.`);
          continue;
        }
        const values: Record<string, string> = {};
        for (let i = 0; i < header.length; i++) values[header[i]!] = record[i]!;
        batch.push({ line, values });
        if (batch.length >= options.batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
  } catch (error) {
    if (error instanceof CsvFileError) throw error;
    throw new CsvFileError(`${path} is not valid CSV: ${(error as Error).message}.`, { cause: error });
  } finally {
    file.destroy();
  }
  if (!header) throw new CsvFileError(`${path} has no header line. The first line must be: ${options.required.join(options.delimiter ?? ',')}.`);
  if (batch.length) yield batch;
}

/** Newlines inside a record's quoted fields: each moves the next record one line further. */
function newlinesIn(record: readonly string[]): number {
  let newlines = 0;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) newlines++;
  }
  return newlines;
}

/**
 * A readable object stream's objects, in arrays of whatever it has buffered: one promise
 * per chunk (hundreds of records from one block of the file) instead of one per object,
 * as `for await (const object of stream)` would cost.
 */
async function* bufferedChunks<T>(stream: Readable): AsyncGenerator<T[]> {
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const onEnd = (): void => {
    ended = true;
    signal();
  };
  const onError = (error: unknown): void => {
    failure = { error };
    signal();
  };
  stream.on('readable', signal);
  stream.on('end', onEnd);
  stream.on('error', onError);
  try {
    for (;;) {
      const chunk: T[] = [];
      for (let item = stream.read() as T | null; item !== null; item = stream.read() as T | null) chunk.push(item);
      if (chunk.length) {
        yield chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (ended) return;
      // read() returned null, so the stream emits 'readable', 'end' or 'error' next.
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('readable', signal);
    stream.off('end', onEnd);
    stream.off('error', onError);
  }
}

function checkHeader(path: string, record: readonly string[], options: CsvReadOptions): string[] {
  const header = record.map((name) => name.trim());
  const known = new Set([...options.required, ...(options.optional ?? [])]);
  const expected = `Expected: ${options.required.join(', ')}${options.optional?.length ? ` (optional: ${options.optional.join(', ')})` : ''}`;
  const missing = options.required.filter((name) => !header.includes(name));
  const unknown = header.filter((name) => !known.has(name));
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  const problems = [
    missing.length ? `missing column(s) ${missing.join(', ')}` : '',
    unknown.length ? `unknown column(s) ${unknown.map((name) => JSON.stringify(shorten(name))).join(', ')}` : '',
    repeated.length ? `repeated column(s) ${repeated.join(', ')}` : '',
  ].filter(Boolean);
  if (problems.length) {
    // One column holding every name means the file uses another separator.
    const other = header.length === 1 ? [';', '\t', '|'].find((sep) => sep !== (options.delimiter ?? ',') && header[0]!.includes(sep)) : undefined;
    const hint = other ? ` If the file is separated by ${JSON.stringify(other)}, pass --delimiter ${JSON.stringify(other)}.` : '';
    throw new CsvFileError(`The header of ${path} is wrong: ${problems.join('; ')}. ${expected}.${hint}`);
  }
  return header;
}

/**
 * Decodes bytes strictly: an invalid sequence stops the import with the line it is on,
 * because replacing it silently would store corrupted titles.
 */
class DecodingStream extends Transform {
  readonly #decoder: TextDecoder;
  readonly #path: string;
  readonly #encoding: string;
  #lines = 1;

  constructor(path: string, encoding: string) {
    super({ decodeStrings: true, readableObjectMode: false });
    this.#path = path;
    this.#encoding = encoding;
    try {
      this.#decoder = new TextDecoder(encoding, { fatal: true });
    } catch (error) {
      throw new CsvFileError(`Unknown encoding ${JSON.stringify(encoding)}. Use a name such as utf-8, latin1, windows-1252 or utf-16le.`, { cause: error });
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#decode(callback, chunk, () => this.#decoder.decode(chunk, { stream: true }));
  }

  override _flush(callback: TransformCallback): void {
    this.#decode(callback, Buffer.alloc(0), () => this.#decoder.decode());
  }

  #decode(callback: TransformCallback, chunk: Buffer, decode: () => string): void {
    let text: string;
    try {
      text = decode();
    } catch (error) {
      callback(new CsvFileError(
        `${this.#path} is not valid ${this.#encoding} (a bad byte on or after line ${this.#lines + this.#goodLines(chunk)}). ` +
          'Save the file as UTF-8, or pass --encoding with its encoding (for example --encoding latin1).',
        { cause: error },
      ));
      return;
    }
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) this.#lines++;
    callback(null, text);
  }

  /** How many whole lines of a chunk that failed to decode are valid, to point at the bad one. */
  #goodLines(chunk: Buffer): number {
    let good = 0;
    for (let start = 0, end = chunk.indexOf(10); end !== -1; start = end + 1, end = chunk.indexOf(10, start)) {
      try {
        new TextDecoder(this.#encoding, { fatal: true }).decode(chunk.subarray(start, end));
      } catch {
        break;
      }
      good++;
    }
    return good;
  }
}

/** One problem found in one row. */
export interface RowError {
  readonly line: number;
  /** The column's header name, or a description when the problem is not one column's. */
  readonly column: string;
  readonly value: string;
  readonly message: string;
}

/**
 * Collects every row error of an import, to report them all at the end instead of
 * stopping at the first. Keeps the first `keep` in full and counts the rest, so a file
 * that is wrong on every line costs no memory.
 */
export class RowErrors {
  readonly #kept: RowError[] = [];
  readonly #keep: number;
  readonly #lines = new Set<number>();
  #count = 0;

  constructor(keep = 50) {
    this.#keep = keep;
  }

  /** Record that `column` of the row on `line` holds `value`, which is wrong for `message`. */
  add(line: number, column: string, value: string, message: string): void {
    this.#count++;
    this.#lines.add(line);
    if (this.#kept.length < this.#keep) this.#kept.push({ line, column, value, message });
  }

  /** How many errors were recorded. */
  get count(): number {
    return this.#count;
  }

  /** Whether `line` already has an error. */
  has(line: number): boolean {
    return this.#lines.has(line);
  }

  /** The errors kept, in the order found. */
  get kept(): readonly RowError[] {
    return this.#kept;
  }

  /** One line per kept error, then how many more were not shown. */
  report(): string {
    const lines = this.#kept.map(
      (e) => `  line ${e.line}, ${e.column.startsWith('(') ? e.column : `column ${e.column}`}${e.value === '' ? '' : `, value ${JSON.stringify(shorten(e.value))}`}: ${e.message}`,
    );
    const rest = this.#count - this.#kept.length;
    if (rest > 0) lines.push(`  … and ${rest} more error${rest === 1 ? '' : 's'}.`);
    return lines.join('\n');
  }
}

function shorten(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}

/**
 * The line of the file that wrote each row, by primary key. An import asks it whether a key
 * it finds in the table was written earlier in the same run (a key repeated in the file)
 * rather than being there before: 4 bytes per integer key in pages of 1,024, where a set of
 * every key read would grow by tens of bytes a row. Other keys (UUIDs, text) go in a Map.
 */
export class RowLines {
  static readonly #PAGE = 1024;
  readonly #pages = new Map<number, Int32Array>();
  readonly #other = new Map<unknown, number>();

  /** Records that the row with primary key `pk` was written from `line` (1-based). */
  set(pk: unknown, line: number): void {
    if (!isIndexKey(pk)) {
      this.#other.set(pk, line);
      return;
    }
    const page = Math.floor(pk / RowLines.#PAGE);
    let lines = this.#pages.get(page);
    if (!lines) this.#pages.set(page, (lines = new Int32Array(RowLines.#PAGE)));
    lines[pk % RowLines.#PAGE] = line;
  }

  /** The line that wrote the row with primary key `pk`, or undefined if no line did. */
  get(pk: unknown): number | undefined {
    if (!isIndexKey(pk)) return this.#other.get(pk);
    const line = this.#pages.get(Math.floor(pk / RowLines.#PAGE))?.[pk % RowLines.#PAGE];
    return line ? line : undefined;
  }
}

function isIndexKey(pk: unknown): pk is number {
  return typeof pk === 'number' && Number.isSafeInteger(pk) && pk >= 0;
}

/** Groups an iterable's items into arrays of `size` (the last one may be shorter). */
export async function* inBatches<T>(items: AsyncIterable<T> | Iterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Turns a ValidationError-like `{ field: [messages] }` into RowErrors for one row. */
export function addFieldErrors(
  errors: RowErrors,
  line: number,
  messageDict: Readonly<Record<string, readonly string[]>>,
  valueOf: (field: string) => { column: string; value: string },
): void {
  for (const [field, messages] of Object.entries(messageDict)) {
    const { column, value } = valueOf(field);
    for (const message of messages) errors.add(line, column, value, message);
  }
}

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
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse, type Info } from 'csv-parse';
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
  if (csvFileSize(path) === 0) throw new CsvFileError(`${path} is empty. The first line must be the header: ${options.required.join(options.delimiter ?? ',')}.`);
  const decoder = new DecodingStream(path, options.encoding ?? 'utf-8');
  let bytes = 0;
  const file = createReadStream(path);
  if (options.onBytes) file.on('data', (chunk) => options.onBytes!((bytes += chunk.length)));
  const parser = parse({ bom: true, delimiter: options.delimiter ?? ',', relax_column_count: true, skip_empty_lines: true, info: true });
  pipeline(file, decoder, parser, () => {});
  let header: string[] | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const line = startLine(record, info);
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
      yield { line, values };
    }
  } catch (error) {
    if (error instanceof CsvFileError) throw error;
    throw new CsvFileError(`${path} is not valid CSV: ${(error as Error).message}.`, { cause: error });
  } finally {
    file.destroy();
  }
  if (!header) throw new CsvFileError(`${path} has no header line. The first line must be: ${options.required.join(options.delimiter ?? ',')}.`);
}

/** csv-parse counts lines up to the record's end; a field's own newlines move the start back. */
function startLine(record: readonly string[], info: Info): number {
  let newlines = 0;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) newlines++;
  }
  return info.lines - newlines;
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

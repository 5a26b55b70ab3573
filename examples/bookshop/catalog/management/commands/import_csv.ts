/**
 * `manage.ts import_csv books.csv [--update] [--dry-run] [--batch-size 1000] [--delimiter ;]
 * [--encoding latin1]`: loads books from a CSV file whose header names the columns
 * (isbn, title, price, publisher, published_date; optionally rating, pages).
 *
 * rows streamed in batches (readCsvBatches) → each row checked by Book's own validation → batches:
 * existing ISBNs looked up in one query → bulkCreate / bulkUpdate in a savepoint → on a
 * database refusal, the batch's rows re-validated one by one (with the constraint
 * queries) to name the line. All in one transaction: any bad row and nothing is written;
 * re-running after a fix is safe.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  addFieldErrors, BaseCommand, CommandError, csvFileSize, readCsvBatches, RowErrors, RowLines, type CommandOptions, type CsvRow,
} from 'nuages/core/management';
import { atomic, DatabaseError, ValidationError } from 'nuages/db';
import { Book, Publisher } from '../../models.ts';

/** CSV column → Book field. `publisher` holds the publisher's name. */
const COLUMNS: Readonly<Record<string, string>> = {
  isbn: 'isbn', title: 'title', price: 'price', publisher: 'publisher', published_date: 'publishedDate', rating: 'rating', pages: 'pages',
};
const REQUIRED = ['isbn', 'title', 'price', 'publisher', 'published_date'];
const OPTIONAL = ['rating', 'pages'];
/** Column → the Book attribute an update may change (the ISBN is the key). */
const UPDATABLE: Readonly<Record<string, string>> = {
  title: 'title', price: 'price', publisher: 'publisherId', published_date: 'publishedDate', rating: 'rating', pages: 'pages',
};
/** How many planned changes a dry run lists at verbosity 1. */
const LISTED = 50;
/** The row's own checks; the publisher is resolved by name, uniqueness and constraints per batch. */
const ROW_CHECKS = { exclude: ['publisher'], validateUnique: false, validateConstraints: false };

/** Thrown inside the transaction to roll it back (a failed import, or a dry run). */
class Rollback extends Error {}

interface Tally {
  created: number;
  updated: number;
  unchanged: number;
  listed: number;
}

export default class ImportCsvCommand extends BaseCommand {
  override help = 'Imports books from a CSV file, all or nothing: any bad row and nothing is written.';

  override addArguments(parser: Command): void {
    parser
      .argument('<file>', 'The CSV file; its first line names the columns.')
      .option('--update', 'Update books whose ISBN already exists (only the fields that changed).', false)
      .option('--dry-run', 'Do everything, then roll back; list what would be created and updated.', false)
      .option('--batch-size <rows>', 'Rows per INSERT/UPDATE.', '1000')
      .option('--delimiter <char>', 'Field separator.', ',')
      .option('--encoding <name>', 'Encoding of the file (utf-8, latin1, windows-1252, utf-16le, …).', 'utf-8');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const path = String(options['file']);
    const batchSize = Number(options['batchSize']);
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw new CommandError(`--batch-size must be a positive whole number; got ${String(options['batchSize'])}.`);
    if (String(options['delimiter']) === '') throw new CommandError('--delimiter cannot be empty; give the character that separates fields, such as ";".');
    const dryRun = Boolean(options['dryRun']);
    const errors = new RowErrors();
    const tally: Tally = { created: 0, updated: 0, unchanged: 0, listed: 0 };
    const started = performance.now();
    const bar = this.progress(csvFileSize(path), { label: `Reading ${basename(path)} (bytes)` });
    let rows = 0;
    try {
      await atomic(async () => {
        const publishers = await publisherIds();
        const written = new RowLines();
        const batches = readCsvBatches(path, {
          required: REQUIRED, optional: OPTIONAL, errors, batchSize,
          delimiter: String(options['delimiter']), encoding: String(options['encoding']), onBytes: (bytes) => bar.update(bytes),
        });
        for await (const batch of batches) {
          rows += batch.length;
          const books = await validRows(batch, { errors, publishers });
          await this.#write(books, { errors, tally, written, update: Boolean(options['update']), batchSize, dryRun, verbosity: options.verbosity });
        }
        if (errors.count || dryRun) throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    } finally {
      bar.stop();
    }
    if (errors.count) {
      throw new CommandError(`Nothing was imported from ${path}: ${errors.count} error${errors.count === 1 ? '' : 's'}.\n${errors.report()}`);
    }
    if (options.verbosity < 1) return;
    const seconds = (performance.now() - started) / 1000;
    const speed = `${rows} rows in ${seconds.toFixed(1)}s (${Math.round(rows / Math.max(seconds, 1e-3))} rows/s)`;
    const counts = `${tally.created} created, ${tally.updated} updated, ${tally.unchanged} unchanged, 0 errors`;
    if (dryRun) this.stdout.write(`Dry run, nothing written. Would have: ${counts}; ${speed}.`, this.style.WARNING);
    else this.stdout.write(`Imported ${path}: ${counts}; ${speed}.`, this.style.SUCCESS);
  }

  /** Creates the new books and updates the changed ones of one batch, in a savepoint. */
  async #write(
    books: Array<{ row: CsvRow; book: Book }>,
    context: { errors: RowErrors; tally: Tally; written: RowLines; update: boolean; batchSize: number; dryRun: boolean; verbosity: number },
  ): Promise<void> {
    const { errors, tally } = context;
    const existing = new Map<string, Book>();
    const isbns = books.map(({ book }) => book.isbn);
    if (isbns.length) for (const book of await Book.objects.filter({ isbn__in: isbns })) existing.set(book.isbn, book);
    const creates: Array<{ row: CsvRow; book: Book }> = [];
    const updates = new Map<string, Array<{ row: CsvRow; book: Book }>>();
    for (const entry of books) {
      const current = existing.get(entry.book.isbn);
      if (!current) {
        creates.push(entry);
        continue;
      }
      // Earlier batches are in the table already: a key they wrote is repeated in the file.
      const earlier = context.written.get(current.pk);
      if (earlier !== undefined) {
        errors.add(entry.row.line, 'isbn', entry.book.isbn, `This ISBN is already on line ${earlier} of the file.`);
        continue;
      }
      if (!context.update) {
        errors.add(entry.row.line, 'isbn', entry.book.isbn, 'A book with this ISBN already exists. Pass --update to update it.');
        continue;
      }
      const changed = changedFields(current, entry);
      if (!changed.length) {
        tally.unchanged++;
        continue;
      }
      for (const field of changed) (current as unknown as Record<string, unknown>)[field] = (entry.book as unknown as Record<string, unknown>)[field];
      const key = changed.join(',');
      let group = updates.get(key);
      if (!group) updates.set(key, (group = []));
      group.push({ row: entry.row, book: current });
    }
    try {
      await atomic(async () => {
        await Book.objects.bulkCreate(creates.map(({ book }) => book), { batchSize: context.batchSize });
        for (const [fields, group] of updates) await Book.objects.bulkUpdate(group.map(({ book }) => book), fields.split(','), { batchSize: context.batchSize });
      });
    } catch (error) {
      if (!(error instanceof DatabaseError)) throw error;
      await locateRefusal([...creates, ...[...updates.values()].flat()], errors, error);
      return;
    }
    // bulkCreate has set the new rows' primary keys.
    for (const { row, book } of creates) context.written.set(book.pk, row.line);
    tally.created += creates.length;
    for (const group of updates.values()) {
      for (const { row, book } of group) context.written.set(book.pk, row.line);
      tally.updated += group.length;
    }
    this.#list(creates, updates, context);
  }

  /** What was (or, in a dry run, would be) written: all at verbosity 2, the first 50 in a dry run. */
  #list(creates: Array<{ book: Book }>, updates: Map<string, Array<{ book: Book }>>, context: { tally: Tally; dryRun: boolean; verbosity: number }): void {
    const limit = context.verbosity >= 2 ? Infinity : context.dryRun && context.verbosity === 1 ? LISTED : 0;
    if (context.tally.listed > limit) return;
    const lines = [
      ...creates.map(({ book }) => `${context.dryRun ? 'Would create' : 'Created'} ${book.isbn} ${JSON.stringify(book.title)}`),
      ...[...updates].flatMap(([fields, group]) => group.map(({ book }) => `${context.dryRun ? 'Would update' : 'Updated'} ${book.isbn} (${fields.replace('publisherId', 'publisher')})`)),
    ];
    for (const line of lines) {
      if (context.tally.listed++ < limit) this.stdout.write(`  ${line}`);
      else if (limit === LISTED && context.tally.listed === limit + 1) this.stdout.write('  … (pass --verbosity 2 to list them all)');
    }
  }
}

/** Publisher names → ids: the catalogue has few publishers, so one query serves the whole file. */
async function publisherIds(): Promise<Map<string, unknown>> {
  const ids = new Map<string, unknown>();
  for (const publisher of await Publisher.objects.all()) ids.set(publisher.name, publisher.pk);
  return ids;
}

/**
 * Each row as an unsaved Book, checked with the model's own field validation; the unique
 * ISBN is checked within the batch here and against the table (earlier batches included)
 * when the batch is written, and the check constraints by the database then (one query per
 * batch, not per row).
 */
async function validRows(
  batch: readonly CsvRow[],
  context: { errors: RowErrors; publishers: Map<string, unknown> },
): Promise<Array<{ row: CsvRow; book: Book }>> {
  const valid: Array<{ row: CsvRow; book: Book }> = [];
  const inBatch = new Map<string, number>();
  for (const row of batch) {
    const publisher = row.values['publisher']!;
    const publisherId = context.publishers.get(publisher.trim());
    if (publisherId === undefined) context.errors.add(row.line, 'publisher', publisher, 'No publisher has this name. Create the publisher first.');
    const book = new Book({ publisherId } as never);
    // Raw strings go straight onto the instance: fullClean() converts each one and reports
    // every field that cannot be converted, where the constructor would stop at the first.
    for (const column in row.values) {
      if (column === 'publisher') continue;
      const value = row.values[column]!.trim();
      // An empty optional column keeps the model's default, as a missing column does.
      if (value === '' && OPTIONAL.includes(column)) continue;
      (book as unknown as Record<string, unknown>)[COLUMNS[column]!] = value;
    }
    try {
      await book.fullClean(ROW_CHECKS);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      addFieldErrors(context.errors, row.line, error.messageDict, (field) => columnOf(row, field));
    }
    const earlier = inBatch.get(book.isbn);
    if (earlier !== undefined) context.errors.add(row.line, 'isbn', book.isbn, `This ISBN is already on line ${earlier} of the file.`);
    else inBatch.set(book.isbn, row.line);
    if (!context.errors.has(row.line)) valid.push({ row, book });
  }
  return valid;
}

function columnOf(row: CsvRow, field: string): { column: string; value: string } {
  const column = Object.keys(COLUMNS).find((name) => COLUMNS[name] === field);
  return column ? { column, value: row.values[column] ?? '' } : { column: '(row)', value: '' };
}

/**
 * The fields the row gives a different value for. A column the file lacks (or leaves
 * empty) keeps the stored value rather than resetting it to the model's default.
 */
function changedFields(stored: Book, incoming: { row: CsvRow; book: Book }): string[] {
  const a = stored as unknown as Record<string, unknown>;
  const b = incoming.book as unknown as Record<string, unknown>;
  return Object.entries(UPDATABLE)
    .filter(([column, field]) => incoming.row.values[column]?.trim() && String(a[field]) !== String(b[field]))
    .map(([, field]) => field);
}

/**
 * The database refused a batch (a check constraint, usually). Validate its rows one by
 * one with the constraint queries to name each bad line; if none is found, report the
 * batch with the database's message.
 */
async function locateRefusal(entries: Array<{ row: CsvRow; book: Book }>, errors: RowErrors, refusal: DatabaseError): Promise<void> {
  const before = errors.count;
  for (const { row, book } of entries) {
    try {
      await book.fullClean({ exclude: ['publisher'], validateUnique: false });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      addFieldErrors(errors, row.line, error.messageDict, (field) => columnOf(row, field));
    }
  }
  if (errors.count === before && entries.length) {
    const lines = entries.map(({ row }) => row.line);
    errors.add(Math.min(...lines), `(lines ${Math.min(...lines)}–${Math.max(...lines)})`, '', `The database refused these rows: ${refusal.message}`);
  }
}

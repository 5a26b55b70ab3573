/**
 * The workloads written by hand on `pg` (the raw limit on PostgreSQL): one pool, rows as
 * arrays (`rowMode: 'array'`), numeric and date read as text and converted to Decimal and
 * DateOnly exactly as Nuages' fields do, bigint keys read as numbers, so both sides do the
 * same work per row.
 */
import type { Pool } from 'pg';
import { Decimal } from '../../src/utils/decimal.ts';
import { COLUMNS, rowClasses } from './rows.ts';
import { JOINED_BOOKS, PG_CONNECTION, PG_SCHEMA } from './models.ts';
import type { Workloads } from './peers.ts';

const { BookRow, PublisherRow, AuthorRow, BookWithRelations, plain } = rowClasses((raw) => new Decimal(raw as string));
type BookWithRelations = InstanceType<typeof BookWithRelations>;


/** Hand-written `pg`: a pool of 4, search_path set at connect, unnamed parameterized queries. */
export async function handWrittenPg(): Promise<Workloads & { close(): Promise<void> }> {
  const pg = (await import('pg')).default;
  const identity = (value: string) => value;
  // The keys are bigint (BigAutoField): read them as numbers, as Nuages and psycopg do (pg's default is a string).
  const int8 = (value: string) => Number(value);
  const pool: Pool = new pg.Pool({
    ...PG_CONNECTION,
    max: 4,
    options: `-c search_path=${PG_SCHEMA}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20 ? int8 : oid === 1082 || oid === 1700 ? identity : pg.types.getTypeParser(oid, format ?? 'text')) as never,
    },
  });
  const rows = async (text: string, values: unknown[] = []): Promise<unknown[][]> =>
    (await pool.query({ text, values, rowMode: 'array' })).rows as unknown[][];
  return {
    close: () => pool.end(),
    instances: async () => (await rows(`SELECT ${COLUMNS} FROM catalog_book`)).map((r) => new BookRow(r)),
    get: async (id) => {
      const r = (await rows(`SELECT ${COLUMNS} FROM catalog_book WHERE id = $1 LIMIT 21`, [id]))[0];
      if (!r) throw new Error(`Book ${id} does not exist`);
      return new BookRow(r);
    },
    page: async () =>
      (await rows(`SELECT ${COLUMNS} FROM catalog_book WHERE rating >= $1 ORDER BY published_date DESC LIMIT 100`, [3])).map((r) => new BookRow(r)),
    values: async () => (await rows(`SELECT ${COLUMNS} FROM catalog_book`)).map(plain),
    selectRelated: async () =>
      (await rows(
        `SELECT ${COLUMNS.split(', ').map((c) => `b.${c}`).join(', ')}, p.id, p.name FROM catalog_book b INNER JOIN catalog_publisher p ON p.id = b.publisher_id LIMIT ${JOINED_BOOKS}`,
      )).map((r) => {
        const b = new BookWithRelations(r);
        b.publisher = new PublisherRow(r, 8);
        return b;
      }),
    prefetch: async () => {
      const pubs = (await rows('SELECT id, name FROM catalog_publisher')).map((r) => new PublisherRow(r));
      const pubById = new Map(pubs.map((p) => [p.id, p]));
      const pubIds = [...pubById.keys()];
      const marks = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');
      const books = (await rows(`SELECT ${COLUMNS} FROM catalog_book WHERE publisher_id IN (${marks(pubIds.length)})`, pubIds)).map((r) => new BookWithRelations(r));
      const bookById = new Map<number, BookWithRelations>();
      for (const b of books) {
        bookById.set(b.id, b);
        pubById.get(b.publisherId)!.books.push(b);
      }
      const bookIds = [...bookById.keys()];
      const links = await rows(
        `SELECT ba.book_id, a.id, a.name FROM catalog_book_authors ba INNER JOIN catalog_author a ON a.id = ba.author_id WHERE ba.book_id IN (${marks(bookIds.length)})`,
        bookIds,
      );
      for (const r of links) bookById.get(r[0] as number)!.authors.push(new AuthorRow(r, 1));
      return pubs;
    },
  };
}

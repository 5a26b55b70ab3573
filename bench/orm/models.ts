/**
 * The bench's data: 15 publishers, 2,000 books and 200 authors (2 or 3 per book,
 * through Book.authors) in one SQLite file, built through Nuages' schema editor
 * so every tool reads the same tables.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Model, CharField, DecimalField, IntegerField, ForeignKey, ManyToManyField, CASCADE, DateField, connections, createTables } from '../../src/db/index.ts';
import type { ManyRelatedManager, RelatedManager } from '../../src/db/index.ts';

export const BOOKS = 2000;
export const PUBLISHERS = 15;
export const AUTHORS = 200;
/** Books read by the selectRelated workload. */
export const JOINED_BOOKS = 500;
export const DATA_DIR = join(import.meta.dirname, '..', '..', '.bench-data');
export const DB_PATH = join(DATA_DIR, 'orm.sqlite3');

/** `npm run bench:orm -- --db postgres` runs on the PostgreSQL server at 127.0.0.1:5432 (database `test`). */
const dbFlag = process.argv.indexOf('--db');
export const BENCH_DB: 'sqlite' | 'postgres' = dbFlag >= 0 && process.argv[dbFlag + 1] === 'postgres' ? 'postgres' : 'sqlite';
/** The schema the Postgres bench creates (and recreates each run) in database `test`. */
export const PG_SCHEMA = 'nuages_bench';
export const PG_CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

connections.configure({
  default:
    BENCH_DB === 'postgres'
      ? { ENGINE: 'postgres', NAME: PG_CONNECTION.database, HOST: PG_CONNECTION.host, PORT: PG_CONNECTION.port, USER: PG_CONNECTION.user, OPTIONS: { schema: PG_SCHEMA, pool: { max: 4 } } }
      : { ENGINE: 'sqlite', NAME: DB_PATH },
});

export class Publisher extends Model<Publisher>()({ name: new CharField({ maxLength: 100 }) }, { appLabel: 'catalog' }) {}
export interface Publisher {
  books: RelatedManager<Book>;
}

export class Author extends Model<Author>()({ name: new CharField({ maxLength: 100 }) }, { appLabel: 'catalog' }) {}

export class Book extends Model<Book>()(
  {
    title: new CharField({ maxLength: 200 }),
    isbn: new CharField({ maxLength: 13, unique: true }),
    price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
    rating: new IntegerField(),
    pages: new IntegerField(),
    publishedDate: new DateField(),
    publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, relatedName: 'books' }),
    authors: new ManyToManyField(() => Author, { relatedName: 'books' }),
  },
  { appLabel: 'catalog' },
) {}
export interface Book {
  authors: ManyRelatedManager<Author>;
}

/** Deterministic pseudo-random numbers, so every run reads the same data. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/** Recreates the file: schema by Nuages, rows by one transaction of plain INSERTs (fast and neutral). */
export async function buildDatabase(): Promise<void> {
  if (BENCH_DB === 'postgres') return buildPostgres();
  mkdirSync(DATA_DIR, { recursive: true });
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(DB_PATH + suffix, { force: true });
  await createTables([Publisher, Author, Book]);
  await connections.get('default').close();
  const db = new DatabaseSync(DB_PATH);
  const rand = lcg(42);
  db.exec('BEGIN');
  const pub = db.prepare('INSERT INTO catalog_publisher (name) VALUES (?)');
  for (let i = 1; i <= PUBLISHERS; i++) pub.run(`Publisher ${i}`);
  const book = db.prepare(
    'INSERT INTO catalog_book (title, isbn, price, rating, pages, published_date, publisher_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (let i = 1; i <= BOOKS; i++) {
    const cents = 500 + Math.floor(rand() * 9500);
    const day = new Date(Date.UTC(1990, 0, 1) + Math.floor(rand() * 12000) * 86_400_000).toISOString().slice(0, 10);
    book.run(
      `Book number ${i}: a title of ordinary length`,
      String(9780000000000 + i),
      `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
      1 + Math.floor(rand() * 5),
      80 + Math.floor(rand() * 900),
      day,
      1 + (i % PUBLISHERS),
    );
  }
  const author = db.prepare('INSERT INTO catalog_author (name) VALUES (?)');
  for (let i = 1; i <= AUTHORS; i++) author.run(`Author ${i}`);
  // 2 or 3 distinct authors per book.
  const link = db.prepare('INSERT INTO catalog_book_authors (book_id, author_id) VALUES (?, ?)');
  for (let i = 1; i <= BOOKS; i++) {
    const count = 2 + Math.floor(rand() * 2);
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(1 + Math.floor(rand() * AUTHORS));
    for (const a of chosen) link.run(i, a);
  }
  db.exec('COMMIT');
  db.close();
}

/** The same rows in a fresh `nuages_bench` schema: tables by Nuages, rows by plain multi-row INSERTs. */
async function buildPostgres(): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client(PG_CONNECTION);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE; CREATE SCHEMA ${PG_SCHEMA}`);
    await createTables([Publisher, Author, Book]);
    await client.query(`SET search_path TO ${PG_SCHEMA}`);
    const rand = lcg(42);
    const insert = async (table: string, columns: string, rows: unknown[][]): Promise<void> => {
      for (let start = 0; start < rows.length; start += 500) {
        const chunk = rows.slice(start, start + 500);
        const width = chunk[0]!.length;
        const marks = chunk.map((_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
        await client.query(`INSERT INTO ${table} (${columns}) VALUES ${marks}`, chunk.flat());
      }
    };
    await client.query('BEGIN');
    await insert('catalog_publisher', 'name', Array.from({ length: PUBLISHERS }, (_, i) => [`Publisher ${i + 1}`]));
    const books: unknown[][] = [];
    for (let i = 1; i <= BOOKS; i++) {
      const cents = 500 + Math.floor(rand() * 9500);
      const day = new Date(Date.UTC(1990, 0, 1) + Math.floor(rand() * 12000) * 86_400_000).toISOString().slice(0, 10);
      books.push([
        `Book number ${i}: a title of ordinary length`,
        String(9780000000000 + i),
        `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
        1 + Math.floor(rand() * 5),
        80 + Math.floor(rand() * 900),
        day,
        1 + (i % PUBLISHERS),
      ]);
    }
    await insert('catalog_book', 'title, isbn, price, rating, pages, published_date, publisher_id', books);
    await insert('catalog_author', 'name', Array.from({ length: AUTHORS }, (_, i) => [`Author ${i + 1}`]));
    const links: unknown[][] = [];
    for (let i = 1; i <= BOOKS; i++) {
      const count = 2 + Math.floor(rand() * 2);
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(1 + Math.floor(rand() * AUTHORS));
      for (const a of chosen) links.push([i, a]);
    }
    await insert('catalog_book_authors', 'book_id, author_id', links);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

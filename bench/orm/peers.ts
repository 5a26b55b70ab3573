/**
 * The same four workloads written by hand on node:sqlite (the raw limit), with
 * Kysely and with Drizzle. better-sqlite3 cannot be built for Node 24 on machines
 * without Node 24's headers, so Kysely's SqliteDialect and Drizzle's sqlite-proxy
 * driver run on node:sqlite through the thin adapters below: every tool reads
 * the same file through the same SQLite engine.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Decimal } from '../../src/utils/decimal.ts';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { sqliteTable, integer, text, numeric } from 'drizzle-orm/sqlite-core';
import { eq, gte, desc, sql } from 'drizzle-orm';
import { DateOnly } from '../../src/utils/dates.ts';

/** One set of workloads; each returns something so the work cannot be optimised away. */
export interface Workloads {
  instances(): unknown[] | PromiseLike<unknown[]>;
  get(id: number): unknown;
  page(): unknown[] | PromiseLike<unknown[]>;
  values(): unknown[] | PromiseLike<unknown[]>;
}

const COLUMNS = 'id, title, isbn, price, rating, pages, published_date, publisher_id';

/** Mirrors what a DecimalField(decimalPlaces: 2) read from SQLite's REAL must do to keep its digits. */
function toDecimal(raw: unknown): Decimal {
  return new Decimal((raw as number).toFixed(2));
}

function toDateOnly(raw: unknown): DateOnly {
  const t = raw as string;
  return new DateOnly(Date.UTC(Number(t.slice(0, 4)), Number(t.slice(5, 7)) - 1, Number(t.slice(8, 10))));
}

/** The hand-written "instance": a plain class with the same converted fields. */
class BookRow {
  id: number;
  title: string;
  isbn: string;
  price: Decimal;
  rating: number;
  pages: number;
  publishedDate: DateOnly;
  publisherId: number;
  constructor(r: readonly unknown[]) {
    this.id = r[0] as number;
    this.title = r[1] as string;
    this.isbn = r[2] as string;
    this.price = toDecimal(r[3]);
    this.rating = r[4] as number;
    this.pages = r[5] as number;
    this.publishedDate = toDateOnly(r[6]);
    this.publisherId = r[7] as number;
  }
}

function plain(r: readonly unknown[]): Record<string, unknown> {
  return {
    id: r[0],
    title: r[1],
    isbn: r[2],
    price: toDecimal(r[3]),
    rating: r[4],
    pages: r[5],
    publishedDate: toDateOnly(r[6]),
    publisherId: r[7],
  };
}

/** node:sqlite, statements prepared once, rows read as arrays. */
export function handWritten(path: string): Workloads {
  const db = new DatabaseSync(path);
  const prep = (sql: string): StatementSync => {
    const s = db.prepare(sql);
    s.setReturnArrays(true);
    return s;
  };
  const all = prep(`SELECT ${COLUMNS} FROM catalog_book`);
  const one = prep(`SELECT ${COLUMNS} FROM catalog_book WHERE id = ? LIMIT 21`);
  const page = prep(`SELECT ${COLUMNS} FROM catalog_book WHERE rating >= ? ORDER BY published_date DESC LIMIT 100`);
  return {
    instances: () => (all.all() as unknown as unknown[][]).map((r) => new BookRow(r)),
    get: (id) => {
      const r = one.get(id) as unknown as unknown[] | undefined;
      if (!r) throw new Error(`Book ${id} does not exist`);
      return new BookRow(r);
    },
    page: () => (page.all(3) as unknown as unknown[][]).map((r) => new BookRow(r)),
    values: () => (all.all() as unknown as unknown[][]).map(plain),
  };
}

/** Kysely's SqliteDatabase contract, met by node:sqlite. */
function kyselyDatabase(path: string): SqliteDatabase {
  const db = new DatabaseSync(path);
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      let stmt = cache.get(sql);
      if (!stmt) {
        const s = db.prepare(sql);
        stmt = {
          reader: s.columns().length > 0,
          all: (params) => s.all(...(params as never[])),
          run: (params) => s.run(...(params as never[])),
          iterate: (params) => s.iterate(...(params as never[])),
        };
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

interface KyselySchema {
  catalog_book: {
    id: number;
    title: string;
    isbn: string;
    price: number;
    rating: number;
    pages: number;
    published_date: string;
    publisher_id: number;
  };
}

/** Kysely returns rows as the driver gives them (price a float, dates strings): less work than the others. */
export function kysely(path: string): Workloads {
  const db = new Kysely<KyselySchema>({ dialect: new SqliteDialect({ database: kyselyDatabase(path) }) });
  return {
    instances: () => db.selectFrom('catalog_book').selectAll().execute(),
    get: (id) => db.selectFrom('catalog_book').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    page: () => db.selectFrom('catalog_book').selectAll().where('rating', '>=', 3).orderBy('published_date', 'desc').limit(100).execute(),
    values: () => db.selectFrom('catalog_book').selectAll().execute(),
  };
}

const book = sqliteTable('catalog_book', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  isbn: text('isbn').notNull(),
  price: numeric('price').notNull(),
  rating: integer('rating').notNull(),
  pages: integer('pages').notNull(),
  publishedDate: text('published_date').notNull(),
  publisherId: integer('publisher_id').notNull(),
});

/** Drizzle through its sqlite-proxy driver (rows as arrays, which Drizzle maps to objects). */
export function drizzleOrm(path: string): Workloads {
  const sqlite = new DatabaseSync(path);
  const cache = new Map<string, StatementSync>();
  const stmt = (sql: string): StatementSync => {
    let s = cache.get(sql);
    if (!s) {
      s = sqlite.prepare(sql);
      s.setReturnArrays(true);
      cache.set(sql, s);
    }
    return s;
  };
  const db = drizzle(async (text, params, method) => {
    const s = stmt(text);
    if (method === 'get') return { rows: (s.get(...(params as never[])) ?? undefined) as never };
    if (method === 'run') return (s.run(...(params as never[])), { rows: [] });
    return { rows: s.all(...(params as never[])) as never };
  });
  // Drizzle's fastest idiom: statements built once, with a placeholder for the key.
  const all = db.select().from(book).prepare();
  const one = db.select().from(book).where(eq(book.id, sql.placeholder('id'))).limit(21).prepare();
  const page = db.select().from(book).where(gte(book.rating, 3)).orderBy(desc(book.publishedDate)).limit(100).prepare();
  return {
    instances: () => all.all(),
    get: async (id) => {
      const rows = await one.all({ id });
      if (rows.length !== 1) throw new Error(`Book ${id} does not exist`);
      return rows[0];
    },
    page: () => page.all(),
    values: () => all.all(),
  };
}

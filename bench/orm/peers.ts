/**
 * The same workloads written by hand on node:sqlite (the raw limit), with
 * Kysely and with Drizzle. better-sqlite3 cannot be built for Node 24 on machines
 * without Node 24's headers, so Kysely's SqliteDialect and Drizzle's sqlite-proxy
 * driver run on node:sqlite through the thin adapters below: every tool reads
 * the same file through the same SQLite engine.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Decimal } from '../../src/utils/decimal.ts';
import { Kysely, ParseJSONResultsPlugin, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { sqliteTable, integer, text, numeric } from 'drizzle-orm/sqlite-core';
import { eq, gte, desc, sql, relations } from 'drizzle-orm';
import { JOINED_BOOKS } from './models.ts';
import { COLUMNS, rowClasses } from './rows.ts';

/** One set of workloads; each returns something so the work cannot be optimised away. */
export interface Workloads {
  instances(): unknown[] | PromiseLike<unknown[]>;
  get(id: number): unknown;
  page(): unknown[] | PromiseLike<unknown[]>;
  values(): unknown[] | PromiseLike<unknown[]>;
  /** JOINED_BOOKS books, each with its publisher (Nuages: selectRelated('publisher')). */
  selectRelated(): unknown[] | PromiseLike<unknown[]>;
  /** Every publisher with its books and each book's authors (Nuages: prefetchRelated('books__authors')). */
  prefetch(): unknown[] | PromiseLike<unknown[]>;
}

/** What a workload's result holds, counted the same way for every tool, so none wins by loading less. */
export interface Shape {
  readonly rows: number;
  readonly nested: number;
  readonly leaves: number;
}

/** Mirrors what a DecimalField(decimalPlaces: 2) read from SQLite's REAL must do to keep its digits. */
function toDecimal(raw: unknown): Decimal {
  return new Decimal((raw as number).toFixed(2));
}

/** The hand-written "instance": a plain class with the same converted fields. */
const { BookRow, PublisherRow, AuthorRow, BookWithRelations, plain } = rowClasses(toDecimal);
type BookWithRelations = InstanceType<typeof BookWithRelations>;


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
  const joined = prep(
    `SELECT ${COLUMNS.split(', ').map((c) => `b.${c}`).join(', ')}, p.id, p.name FROM catalog_book b INNER JOIN catalog_publisher p ON p.id = b.publisher_id LIMIT ${JOINED_BOOKS}`,
  );
  const publishers = prep('SELECT id, name FROM catalog_publisher');
  // IN lists change length with the data: one statement per length, prepared on first use.
  const byLength = new Map<string, StatementSync>();
  const inList = (sql: (marks: string) => string, n: number): StatementSync => {
    const key = `${sql('')}:${n}`;
    let s = byLength.get(key);
    if (!s) byLength.set(key, (s = prep(sql(Array(n).fill('?').join(', ')))));
    return s;
  };
  const booksOf = (marks: string): string => `SELECT ${COLUMNS} FROM catalog_book WHERE publisher_id IN (${marks})`;
  const authorsOf = (marks: string): string =>
    `SELECT ba.book_id, a.id, a.name FROM catalog_book_authors ba INNER JOIN catalog_author a ON a.id = ba.author_id WHERE ba.book_id IN (${marks})`;
  return {
    selectRelated: () =>
      (joined.all() as unknown as unknown[][]).map((r) => {
        const b = new BookWithRelations(r);
        b.publisher = new PublisherRow(r, 8);
        return b;
      }),
    prefetch: () => {
      const pubs = (publishers.all() as unknown as unknown[][]).map((r) => new PublisherRow(r));
      const pubById = new Map(pubs.map((p) => [p.id, p]));
      const pubIds = [...pubById.keys()];
      const books = (inList(booksOf, pubIds.length).all(...pubIds) as unknown as unknown[][]).map((r) => new BookWithRelations(r));
      const bookById = new Map<number, BookWithRelations>();
      for (const b of books) {
        bookById.set(b.id, b);
        pubById.get(b.publisherId)!.books.push(b);
      }
      const bookIds = [...bookById.keys()];
      for (const r of inList(authorsOf, bookIds.length).all(...bookIds) as unknown as unknown[][]) {
        bookById.get(r[0] as number)!.authors.push(new AuthorRow(r, 1));
      }
      return pubs;
    },
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
  catalog_publisher: { id: number; name: string };
  catalog_author: { id: number; name: string };
  catalog_book_authors: { id: number; book_id: number; author_id: number };
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
  // SQLite hands JSON back as text; the plugin parses what jsonArrayFrom builds (on that query only,
  // since it would scan every string of the other workloads' rows).
  const parseJson = new ParseJSONResultsPlugin();
  return {
    // A join gives flat rows (book columns and the publisher's, aliased): Kysely's idiom for to-one.
    selectRelated: () =>
      db
        .selectFrom('catalog_book as b')
        .innerJoin('catalog_publisher as p', 'p.id', 'b.publisher_id')
        .selectAll('b')
        .select(['p.id as publisher__id', 'p.name as publisher__name'])
        .limit(JOINED_BOOKS)
        .execute(),
    // Nested JSON subqueries in one statement: Kysely's documented idiom for to-many relations.
    prefetch: () =>
      db
        .selectFrom('catalog_publisher as p')
        .select((eb) => [
          'p.id',
          'p.name',
          jsonArrayFrom(
            eb
              .selectFrom('catalog_book as b')
              .whereRef('b.publisher_id', '=', 'p.id')
              .select(['b.id', 'b.title', 'b.isbn', 'b.price', 'b.rating', 'b.pages', 'b.published_date', 'b.publisher_id'])
              .select((eb2) => [
                jsonArrayFrom(
                  eb2
                    .selectFrom('catalog_book_authors as ba')
                    .innerJoin('catalog_author as a', 'a.id', 'ba.author_id')
                    .whereRef('ba.book_id', '=', 'b.id')
                    .select(['a.id', 'a.name']),
                ).as('authors'),
              ]),
          ).as('books'),
        ])
        .withPlugin(parseJson)
        .execute(),
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

const publisher = sqliteTable('catalog_publisher', { id: integer('id').primaryKey(), name: text('name').notNull() });
const author = sqliteTable('catalog_author', { id: integer('id').primaryKey(), name: text('name').notNull() });
const bookAuthors = sqliteTable(
  'catalog_book_authors',
  { id: integer('id').primaryKey(), bookId: integer('book_id').notNull(), authorId: integer('author_id').notNull() },
);

// Drizzle's relational queries need the relations declared; many-to-many goes through the join table.
const schema = {
  book,
  publisher,
  author,
  bookAuthors,
  bookRelations: relations(book, ({ one, many }) => ({
    publisher: one(publisher, { fields: [book.publisherId], references: [publisher.id] }),
    bookAuthors: many(bookAuthors),
  })),
  publisherRelations: relations(publisher, ({ many }) => ({ books: many(book) })),
  authorRelations: relations(author, ({ many }) => ({ bookAuthors: many(bookAuthors) })),
  bookAuthorsRelations: relations(bookAuthors, ({ one }) => ({
    book: one(book, { fields: [bookAuthors.bookId], references: [book.id] }),
    author: one(author, { fields: [bookAuthors.authorId], references: [author.id] }),
  })),
};

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
  const db = drizzle(
    async (text, params, method) => {
      const s = stmt(text);
      if (method === 'get') return { rows: (s.get(...(params as never[])) ?? undefined) as never };
      if (method === 'run') return (s.run(...(params as never[])), { rows: [] });
      return { rows: s.all(...(params as never[])) as never };
    },
    { schema },
  );
  // Drizzle's fastest idiom: statements built once, with a placeholder for the key.
  const all = db.select().from(book).prepare();
  const one = db.select().from(book).where(eq(book.id, sql.placeholder('id'))).limit(21).prepare();
  const page = db.select().from(book).where(gte(book.rating, 3)).orderBy(desc(book.publishedDate)).limit(100).prepare();
  // A join returns { catalog_book, catalog_publisher } objects per row.
  const joined = db.select().from(book).innerJoin(publisher, eq(publisher.id, book.publisherId)).limit(JOINED_BOOKS).prepare();
  // The relational query API: one statement with nested JSON, mapped back to objects.
  const nested = db.query.publisher.findMany({ with: { books: { with: { bookAuthors: { with: { author: true } } } } } }).prepare();
  return {
    selectRelated: () => joined.all(),
    prefetch: () => nested.all(),
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

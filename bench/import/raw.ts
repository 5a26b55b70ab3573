/**
 * The raw limit of the import bench (spawned by run.ts): the same file parsed by the same
 * csv-parse stream, each row inserted into the same table by one prepared node:sqlite
 * statement, all in one transaction, no validation. Prints one JSON line: rows, seconds, peak RSS in MB.
 *
 * Usage: node bench/import/raw.ts FILE.csv DB.sqlite3
 */
import { createReadStream } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'csv-parse';
import { PUBLISHERS } from './rows.ts';

const [csv, database] = process.argv.slice(2) as [string, string];
const db = new DatabaseSync(database);
// The bookshop's tables as its migration creates them (`manage.ts sqlmigrate catalog 0001`
// and 0003): the same indexes, checks and deferred foreign key, so the limit does the same
// work per row as the importers, minus everything a framework adds.
db.exec(`
  CREATE TABLE "catalog_publisher" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "name" varchar(100) NOT NULL UNIQUE);
  CREATE TABLE "catalog_book" (
    "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "title" varchar(200) NOT NULL, "isbn" varchar(13) NOT NULL UNIQUE,
    "price" decimal NOT NULL, "rating" integer NOT NULL, "pages" integer unsigned NOT NULL CHECK ("pages" >= 0),
    "published_date" date NOT NULL,
    "publisher_id" bigint NOT NULL REFERENCES "catalog_publisher" ("id") DEFERRABLE INITIALLY DEFERRED,
    "cover" varchar(100) NULL,
    CONSTRAINT "book_rating_0_to_5" CHECK (("rating" >= 0) AND ("rating" <= 5)),
    CONSTRAINT "book_price_not_negative" CHECK ("price" >= '0'));
  CREATE INDEX "catalog_book_publisher_id_090f6289" ON "catalog_book" ("publisher_id");
  CREATE INDEX "book_publisher_date" ON "catalog_book" ("publisher_id", "published_date" DESC);
  PRAGMA journal_mode = WAL;`);
const addPublisher = db.prepare('INSERT INTO catalog_publisher (name) VALUES (?)');
const publisherIds = new Map(PUBLISHERS.map((name) => [name, addPublisher.run(name).lastInsertRowid]));
const started = performance.now();
const insert = db.prepare('INSERT INTO catalog_book (isbn, title, price, publisher_id, published_date, rating, pages) VALUES (?, ?, ?, ?, ?, ?, ?)');
db.exec('BEGIN');
let header = true;
for await (const [isbn, title, price, publisher, publishedDate, rating, pages] of createReadStream(csv).pipe(parse({ bom: true })) as AsyncIterable<string[]>) {
  if (header) {
    header = false;
    continue;
  }
  insert.run(isbn!, title!, price!, publisherIds.get(publisher!)!, publishedDate!, Number(rating), Number(pages));
}
db.exec('COMMIT');
const seconds = (performance.now() - started) / 1000;
const { rows } = db.prepare('SELECT COUNT(*) AS rows FROM catalog_book').get() as { rows: number };
db.close();
console.log(JSON.stringify({ rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

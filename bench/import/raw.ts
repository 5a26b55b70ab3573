/**
 * The raw limit of the import bench (spawned by run.ts): the same file parsed by the same
 * csv-parse stream, each row inserted by one prepared node:sqlite statement, all in one
 * transaction, no validation. Prints one JSON line: rows, seconds, peak RSS in MB.
 *
 * Usage: node bench/import/raw.ts FILE.csv DB.sqlite3
 */
import { createReadStream } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'csv-parse';
import { PUBLISHERS } from './rows.ts';

const [csv, database] = process.argv.slice(2) as [string, string];
const db = new DatabaseSync(database);
db.exec(`
  CREATE TABLE publisher (id INTEGER PRIMARY KEY AUTOINCREMENT, name varchar(100) NOT NULL UNIQUE);
  CREATE TABLE book (
    id INTEGER PRIMARY KEY AUTOINCREMENT, title varchar(200) NOT NULL, isbn varchar(13) NOT NULL UNIQUE,
    price decimal NOT NULL, rating integer NOT NULL CHECK (rating >= 0 AND rating <= 5), pages integer unsigned NOT NULL,
    published_date date NOT NULL, publisher_id integer NOT NULL REFERENCES publisher (id), cover varchar(100) NULL
  );`);
const addPublisher = db.prepare('INSERT INTO publisher (name) VALUES (?)');
const publisherIds = new Map(PUBLISHERS.map((name) => [name, addPublisher.run(name).lastInsertRowid]));
const started = performance.now();
const insert = db.prepare('INSERT INTO book (isbn, title, price, publisher_id, published_date, rating, pages) VALUES (?, ?, ?, ?, ?, ?, ?)');
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
const { rows } = db.prepare('SELECT COUNT(*) AS rows FROM book').get() as { rows: number };
db.close();
console.log(JSON.stringify({ rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));

/**
 * The bookshop data the aggregation, function and subquery tests share; the same
 * rows were loaded into Django 5.2 to read the expected results.
 */
import {
  Model, CharField, IntegerField, DecimalField, DateField, DateTimeField, FloatField, ForeignKey, CASCADE,
  connections, createTables, Decimal, DateOnly,
} from '../../../src/db/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

export class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 50 }),
}, { appLabel: 'shop' }) {}

export class Book extends Model<Book>()({
  title: new CharField({ maxLength: 50 }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  rating: new IntegerField(),
  pages: new IntegerField({ null: true }),
  weight: new FloatField({ null: true }),
  pubdate: new DateField(),
  created: new DateTimeField({ null: true }),
  publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, relatedName: 'books' }),
}, { appLabel: 'shop', ordering: ['title'] }) {}

export class Review extends Model<Review>()({
  book: new ForeignKey(() => Book, { onDelete: CASCADE, relatedName: 'reviews' }),
  stars: new IntegerField(),
}, { appLabel: 'shop' }) {}

/** Creates the tables in a fresh in-memory database and loads the shared rows. */
export async function seed(): Promise<void> {
  connections.configure({ default: testDatabaseSettings() });
  await createTables([Publisher, Book, Review]);
  const a = await Publisher.objects.create({ name: 'Apress' });
  const b = await Publisher.objects.create({ name: 'Bloom' });
  await Publisher.objects.create({ name: 'Cobalt' });
  const rows: [string, string, number, number | null, number | null, string, Publisher][] = [
    ['Alpha', '19.99', 5, 300, 1.5, '2023-01-15', a],
    ['Beta', '25.50', 3, null, 0.8, '2023-06-01', a],
    ['Gamma', '9.99', 4, 120, null, '2024-02-29', b],
    ['Delta', '100.00', 2, 800, 2.25, '2024-07-04', b],
    ['Eps', '0.10', 5, 50, 0.1, '2022-12-31', a],
  ];
  const books = new Map<string, Book>();
  for (const [i, [title, price, rating, pages, weight, pubdate, publisher]] of rows.entries()) {
    books.set(title, await Book.objects.create({
      title, price: new Decimal(price), rating, pages, weight, pubdate: DateOnly.fromISO(pubdate),
      created: new Date(Date.UTC(2024, 0, 1 + i, 10 + i, 30)), publisher,
    }));
  }
  for (const [title, stars] of [['Alpha', 5], ['Alpha', 4], ['Beta', 2], ['Gamma', 5], ['Gamma', 3], ['Gamma', 4]] as const) {
    await Review.objects.create({ book: books.get(title)!, stars });
  }
}

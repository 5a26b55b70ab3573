/**
 * The bookshop schema and rows the relation tests share. The same schema (same
 * tables and columns) and the same rows, from django/relations-data.json, are
 * loaded into Django 5.2 by django/relations_oracle.py to read the expected
 * results that joins.test.ts hard-codes.
 *
 * Reverse accessors are declared by interface merging, so `publisher.books`
 * type-checks without casts.
 */
import { readFileSync } from 'node:fs';
import {
  Model, CharField, IntegerField, DecimalField, ForeignKey, OneToOneField, ManyToManyField, CASCADE, SET_NULL,
  connections, createTables, Decimal,
  type RelatedManager, type ManyRelatedManager,
} from '../../../src/db/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

export class Country extends Model<Country>()({
  name: new CharField({ maxLength: 50 }),
}, { appLabel: 'rel' }) {}
export interface Country { publishers: RelatedManager<Publisher> }

export class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 50 }),
  country: new ForeignKey(() => Country, { onDelete: SET_NULL, null: true, relatedName: 'publishers' }),
}, { appLabel: 'rel' }) {}
export interface Publisher { books: RelatedManager<Book> }

export class Author extends Model<Author>()({
  name: new CharField({ maxLength: 50 }),
  age: new IntegerField(),
}, { appLabel: 'rel' }) {}
export interface Author {
  books: ManyRelatedManager<Book>;
  edited: RelatedManager<Book>;
  profile: Profile | null;
}

export class Book extends Model<Book>()({
  title: new CharField({ maxLength: 50 }),
  pages: new IntegerField(),
  rating: new IntegerField(),
  publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, relatedName: 'books' }),
  // By 'app.Model' string, as a model defined in another file would be.
  editor: new ForeignKey<Author, true>('rel.Author', { onDelete: SET_NULL, null: true, relatedName: 'edited' }),
  authors: new ManyToManyField(() => Author, { relatedName: 'books' }),
}, { appLabel: 'rel' }) {}
export interface Book { reviews: RelatedManager<Review> }

export class Review extends Model<Review>()({
  book: new ForeignKey(() => Book, { onDelete: CASCADE, relatedName: 'reviews' }),
  stars: new IntegerField(),
}, { appLabel: 'rel' }) {}

export class Profile extends Model<Profile>()({
  author: new OneToOneField(() => Author, { onDelete: CASCADE, relatedName: 'profile' }),
  bio: new CharField({ maxLength: 50 }),
}, { appLabel: 'rel' }) {}

export class Customer extends Model<Customer>()({
  name: new CharField({ maxLength: 50 }),
}, { appLabel: 'rel' }) {}
export interface Customer { orders: RelatedManager<Order> }

export class Product extends Model<Product>()({
  name: new CharField({ maxLength: 50 }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
}, { appLabel: 'rel' }) {}
export interface Product { itemSet: RelatedManager<Item> }

export class Order extends Model<Order>()({
  customer: new ForeignKey(() => Customer, { onDelete: CASCADE, relatedName: 'orders' }),
}, { appLabel: 'rel' }) {}
export interface Order { items: RelatedManager<Item> }

export class Item extends Model<Item>()({
  order: new ForeignKey(() => Order, { onDelete: CASCADE, relatedName: 'items' }),
  // No relatedName: Django's defaults, `item` in filters and `itemSet` on products.
  product: new ForeignKey(() => Product, { onDelete: CASCADE }),
  qty: new IntegerField(),
}, { appLabel: 'rel' }) {}

export const MODELS = [Country, Publisher, Author, Book, Review, Profile, Customer, Product, Order, Item];

interface Data {
  countries: string[];
  publishers: [string, number | null][];
  authors: [string, number][];
  books: [string, number, number, number, number | null, number[]][];
  reviews: [number, number][];
  profiles: [number, string][];
  customers: string[];
  products: [string, string][];
  orders: number[];
  items: [number, number, number][];
}

export const DATA = JSON.parse(readFileSync(new URL('./django/relations-data.json', import.meta.url), 'utf8')) as Data;

/** Creates the tables in a fresh in-memory database and loads the shared rows (pks 1, 2, … in order). */
export async function seed(): Promise<void> {
  connections.configure({ default: testDatabaseSettings() });
  await createTables(MODELS);
  for (const name of DATA.countries) await Country.objects.create({ name });
  for (const [name, countryId] of DATA.publishers) await Publisher.objects.create({ name, countryId });
  for (const [name, age] of DATA.authors) await Author.objects.create({ name, age });
  for (const [title, pages, rating, publisherId, editorId, authors] of DATA.books) {
    const book = await Book.objects.create({ title, pages, rating, publisherId, editorId });
    if (authors.length) await book.authors.add(...authors);
  }
  for (const [bookId, stars] of DATA.reviews) await Review.objects.create({ bookId, stars });
  for (const [authorId, bio] of DATA.profiles) await Profile.objects.create({ authorId, bio });
  for (const name of DATA.customers) await Customer.objects.create({ name });
  for (const [name, price] of DATA.products) await Product.objects.create({ name, price: new Decimal(price) });
  for (const customerId of DATA.orders) await Order.objects.create({ customerId });
  for (const [orderId, productId, qty] of DATA.items) await Item.objects.create({ orderId, productId, qty });
}

/**
 * Grows the shared rows to `total` books for the query-count tests: each new
 * book has a publisher, two authors, and every third one an editor.
 */
export async function addBooks(total: number): Promise<void> {
  for (let n = await Book.objects.count(); n < total; n++) {
    const book = await Book.objects.create({
      title: `Book ${n + 1}`, pages: 100 + n, rating: 1 + (n % 5), publisherId: 1 + (n % 4), editorId: n % 3 === 0 ? 1 + (n % 6) : null,
    });
    await book.authors.add(1 + (n % 6), 1 + ((n + 1) % 6));
  }
}

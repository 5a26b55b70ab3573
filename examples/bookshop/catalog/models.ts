/** The catalogue: publishers, authors, books and products. */
import {
  CharField, CheckConstraint, DateField, DateTimeField, DecimalField, EmailField, ForeignKey, ImageField, Index, IntegerField, ManyToManyField, Model,
  PROTECT, Q, QuerySet, TextField, PositiveIntegerField, SlugField, type RelatedManager,
} from 'nuages/db';

export class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 100, unique: true }),
}, { ordering: ['name'] }) {
  override toString(): string {
    return this.name;
  }
}

export class Author extends Model<Author>()({
  name: new CharField({ maxLength: 100 }),
  email: new EmailField({ blank: true }),
}, { ordering: ['name'] }) {
  override toString(): string {
    return this.name;
  }
}

// Reverse relations are declared for TypeScript; the ORM creates them from the fields that point here.
export interface Publisher { books: RelatedManager<Book> }
export interface Author { books: RelatedManager<Book> }

export class Book extends Model<Book>()({
  title: new CharField({ maxLength: 200 }),
  isbn: new CharField({ maxLength: 13, unique: true, verboseName: 'ISBN' }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  rating: new IntegerField({ default: 0 }),
  pages: new PositiveIntegerField({ default: 0 }),
  publishedDate: new DateField(),
  publisher: new ForeignKey(() => Publisher, { onDelete: PROTECT, relatedName: 'books' }),
  authors: new ManyToManyField(() => Author, { relatedName: 'books' }),
  // Stored under MEDIA_ROOT/covers/; uploads are checked (image bytes, size) by the staff BookForm.
  cover: new ImageField({ uploadTo: 'covers/', blank: true, null: true }),
}, {
  ordering: ['-publishedDate', 'title'],
  getLatestBy: 'publishedDate',
  indexes: [new Index({ fields: ['publisher', '-publishedDate'], name: 'book_publisher_date' })],
  constraints: [
    new CheckConstraint({ condition: Q({ rating__gte: 0, rating__lte: 5 }), name: 'book_rating_0_to_5' }),
    new CheckConstraint({ condition: Q({ price__gte: 0 }), name: 'book_price_not_negative' }),
  ],
}) {}

/** Products answer the shop's recurring questions as QuerySet methods. */
export class ProductQuerySet extends QuerySet<Product> {
  expensive(): this {
    return this.filter({ price__gt: 100 });
  }

  search(text: string): this {
    return this.filter(Q({ name__icontains: text }).or({ description__icontains: text }));
  }
}

export class Product extends Model<Product>()({
  sku: new SlugField({ maxLength: 32, unique: true }),
  name: new CharField({ maxLength: 200 }),
  description: new TextField({ blank: true }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
}, { ordering: ['name'] }) {
  static override objects = ProductQuerySet.asManager(this);

  isExpensive(): boolean {
    return this.price.gt(100);
  }
}

/** What visitors send through the contact form (`/contact/`). */
export class ContactMessage extends Model<ContactMessage>()({
  name: new CharField({ maxLength: 100 }),
  email: new EmailField(),
  subject: new CharField({ maxLength: 200 }),
  message: new TextField(),
  sentAt: new DateTimeField({ autoNowAdd: true }),
}, { ordering: ['-sentAt'] }) {}

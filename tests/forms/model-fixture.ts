// Models shared by the ModelForm and model formset tests, mirrored in django/mf_setup.py for the Django oracles.
import {
  Model, CharField, TextField, DecimalField, IntegerField, DateField, DateTimeField, BooleanField, EmailField,
  ForeignKey, ManyToManyField, CASCADE, SET_NULL, Decimal, Q,
} from '../../src/db/index.ts';

export class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 100, unique: true }),
}, { appLabel: 'mf', ordering: ['name'] }) {
  override toString(): string {
    return this.name;
  }
}

export class Author extends Model<Author>()({
  name: new CharField({ maxLength: 100 }),
  email: new EmailField({ blank: true }),
}, { appLabel: 'mf', ordering: ['name'] }) {
  override toString(): string {
    return this.name;
  }
}

export class Book extends Model<Book>()({
  title: new CharField({ maxLength: 200, helpText: 'As printed on the cover.' }),
  isbn: new CharField({ maxLength: 13, unique: true, verboseName: 'ISBN' }),
  summary: new TextField({ blank: true }),
  price: new DecimalField({ maxDigits: 6, decimalPlaces: 2, default: () => new Decimal('0') }),
  rating: new IntegerField({ choices: [[1, 'Poor'], [3, 'Fair'], [5, 'Great']], default: 3 }),
  publishedDate: new DateField({ null: true, blank: true }),
  inStock: new BooleanField({ default: true }),
  publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, relatedName: 'books' }),
  editor: new ForeignKey(() => Author, { onDelete: SET_NULL, null: true, blank: true, relatedName: 'edited' }),
  authors: new ManyToManyField(() => Author, { blank: true, relatedName: 'books' }),
  created: new DateTimeField({ autoNowAdd: true }),
}, { appLabel: 'mf', uniqueTogether: [['publisher', 'title']] }) {
  override toString(): string {
    return this.title;
  }
}

/** limitChoicesTo in its three shapes: a dict, a Q and a function. */
export class Review extends Model<Review>()({
  book: new ForeignKey(() => Book, { onDelete: CASCADE, limitChoicesTo: { inStock: true }, relatedName: 'reviews' }),
  reviewer: new ForeignKey(() => Author, { onDelete: CASCADE, null: true, blank: true, limitChoicesTo: Q({ email__contains: '@' }), relatedName: 'reviews' }),
  publishers: new ManyToManyField(() => Publisher, { blank: true, limitChoicesTo: () => ({ name__startswith: 'A' }), relatedName: 'reviews' }),
  text: new CharField({ maxLength: 50 }),
}, { appLabel: 'mf' }) {
  override toString(): string {
    return this.text;
  }
}

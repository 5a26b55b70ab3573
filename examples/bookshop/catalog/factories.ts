/**
 * Test factories for the catalogue. Values come from faker; call `faker.seed(n)` in a test
 * file for the same values on every run. Unique columns (publisher name, ISBN, SKU) use
 * sequences, so faker's repeats never collide.
 */
import { faker } from '@faker-js/faker';
import { factory, lazy, lazyAttribute, sequence, subFactory } from 'nuages/test';
import { Author, Book, Product, Publisher } from './models.ts';

export const PublisherFactory = factory(Publisher, {
  name: sequence((n) => `${faker.company.name()} ${n}`),
}, { djangoGetOrCreate: ['name'] });

export const AuthorFactory = factory(Author, {
  name: () => faker.person.fullName(),
  email: lazyAttribute((author) => faker.internet.email({ firstName: author.name.split(' ')[0], lastName: author.name.split(' ').at(-1) })),
});

export const BookFactory = factory(Book, {
  title: lazy(() => faker.book.title()),
  isbn: sequence((n) => `978${String(n).padStart(10, '0')}`),
  price: () => faker.commerce.price({ min: 5, max: 60 }),
  rating: () => faker.number.int({ min: 0, max: 5 }),
  pages: () => faker.number.int({ min: 80, max: 900 }),
  publishedDate: () => faker.date.past({ years: 40 }).toISOString().slice(0, 10),
  publisher: subFactory(PublisherFactory),
}, {
  traits: {
    unrated: { rating: 0 },
    classic: { rating: 5, publishedDate: '1969-03-01' },
  },
  postGeneration: {
    // A saved book has its authors: the ones passed (`{ authors: [leGuin] }`), else one new author.
    authors: async (book, extracted, { create }) => {
      if (!create) return;
      await book.authors.set((extracted as Author[] | undefined) ?? [await AuthorFactory.create()]);
    },
  },
});

export const ProductFactory = factory(Product, {
  sku: sequence((n) => `sku-${n}`),
  name: () => faker.commerce.productName(),
  description: () => faker.commerce.productDescription(),
  price: () => faker.commerce.price({ min: 1, max: 90 }),
}, {
  // Product.objects.expensive() starts above 100.
  traits: { expensive: { price: () => faker.commerce.price({ min: 101, max: 500 }) } },
});

/**
 * Model factories (factory_boy's ideas, typed from the model): declarations, build and
 * create strategies, deep overrides, traits, post-generation, extension, get-or-create,
 * and the errors that name what was wrong. On the ORM test database (SQLite in memory).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BooleanField, CASCADE, CharField, connections, createTables, DecimalField, ForeignKey, IntegerField, ManyToManyField, Model,
  SET_NULL, SlugField, type ManyRelatedManager, type RelatedManager,
} from '../../src/db/index.ts';
import {
  assertNumQueries, factory, Factory, FactoryDeclarationError, FactoryFieldError, FactoryTraitError, lazy, lazyAttribute, relatedFactory,
  sequence, subFactory,
} from '../../src/test/index.ts';
import { testDatabaseSettings } from '../db/test-database.ts';

class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 50, unique: true }),
}, { appLabel: 'fac' }) {}

class Author extends Model<Author>()({
  name: new CharField({ maxLength: 50 }),
  slug: new SlugField({ maxLength: 50 }),
  publisher: new ForeignKey(() => Publisher, { onDelete: SET_NULL, null: true }),
}, { appLabel: 'fac' }) {}

class Tag extends Model<Tag>()({ name: new CharField({ maxLength: 20 }) }, { appLabel: 'fac' }) {}

class Book extends Model<Book>()({
  title: new CharField({ maxLength: 100 }),
  isbn: new CharField({ maxLength: 13, unique: true }),
  slug: new SlugField({ maxLength: 100 }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  stock: new IntegerField({ default: 5 }),
  available: new BooleanField({ default: true }),
  author: new ForeignKey(() => Author, { onDelete: CASCADE, relatedName: 'books' }),
  tags: new ManyToManyField(() => Tag, { relatedName: 'books' }),
}, { appLabel: 'fac' }) {}
interface Book { reviews: RelatedManager<Review>; tags: ManyRelatedManager<Tag> }

class Review extends Model<Review>()({
  book: new ForeignKey(() => Book, { onDelete: CASCADE, relatedName: 'reviews' }),
  stars: new IntegerField(),
}, { appLabel: 'fac' }) {}

const slugify = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

const PublisherFactory = factory(Publisher, { name: sequence((n) => `Publisher ${n}`) }, { djangoGetOrCreate: ['name'] });
const AuthorFactory = factory(Author, {
  name: sequence((n) => `Author ${n}`),
  slug: lazyAttribute((author) => slugify(author.name)),
});
const ReviewFactory = factory(Review, { stars: 4 });
const BookFactory = factory(Book, {
  title: lazy(() => 'A Wizard of Earthsea'),
  isbn: sequence((n) => `978${String(n).padStart(10, '0')}`),
  author: subFactory(AuthorFactory),
  price: '12.50',
  slug: lazyAttribute((book) => slugify(book.title)),
}, {
  traits: { outOfPrint: { stock: 0, available: false }, cheap: { price: '1.00' } },
  postGeneration: {
    tags: async (book, extracted) => {
      if (extracted) await book.tags.set(extracted as Tag[]);
    },
    reviews: relatedFactory(ReviewFactory, 'book', { count: 2 }),
  },
});

before(async () => {
  connections.configure({ default: testDatabaseSettings() });
  await createTables([Publisher, Author, Tag, Book, Review]);
});
after(() => connections.closeAll());
beforeEach(async () => {
  for (const model of [Review, Book, Tag, Author, Publisher]) await model.objects.all().delete();
  for (const each of [PublisherFactory, AuthorFactory, BookFactory, ReviewFactory]) each.resetSequence();
});

describe('build()', () => {
  test('makes an unsaved object with its subFactory objects built, not saved, and sends no query', async () => {
    const book = await assertNumQueries(0, () => BookFactory.build({ title: 'The Dispossessed' }));
    assert.ok(book instanceof Book);
    assert.equal(book.pk, null);
    assert.equal(book.title, 'The Dispossessed');
    assert.equal(book.slug, 'the-dispossessed');
    assert.equal(book.price.toString(), '12.50');
    assert.equal(book.author.pk, null);
    assert.equal(book.author.name, 'Author 0');
  });

  test('buildBatch() numbers the objects one after the other', async () => {
    const books = await BookFactory.buildBatch(3);
    assert.deepEqual(books.map((b) => b.isbn), ['9780000000000', '9780000000001', '9780000000002']);
  });

  test('post-generation hooks run with create false; related objects are built unsaved', async () => {
    const seen: boolean[] = [];
    const Tracked = BookFactory.extend({}, { postGeneration: { seen: (_book, _value, context) => seen.push(context.create) } });
    await Tracked.build();
    assert.deepEqual(seen, [false]);
    assert.equal(await Review.objects.count(), 0);
  });
});

describe('create()', () => {
  test('saves the object after its subFactory objects, and the related objects after it', async () => {
    const book = await BookFactory.create();
    assert.ok(book.pk);
    assert.ok(book.author.pk);
    const saved = await Book.objects.get({ pk: book.pk });
    assert.equal(saved.authorId, book.author.pk);
    assert.deepEqual((await book.reviews.all()).map((r) => r.stars), [4, 4]);
  });

  test('uses a given related instance instead of making one', async () => {
    const author = await AuthorFactory.create({ name: 'Ursula K. Le Guin' });
    const book = await BookFactory.create({ author });
    assert.equal(book.authorId, author.pk);
    assert.equal(await Author.objects.count(), 1);
  });

  test('createBatch() saves every object, with traits applied', async () => {
    const books = await BookFactory.createBatch(3, { traits: ['outOfPrint'] });
    assert.equal(await Book.objects.filter({ stock: 0, available: false }).count(), 3);
    assert.equal(new Set(books.map((b) => b.isbn)).size, 3);
  });

  test('fields the factory does not declare keep the model defaults', async () => {
    const book = await BookFactory.create();
    assert.equal(book.stock, 5);
    assert.equal(book.available, true);
  });
});

describe('declarations', () => {
  test('a plain function and lazy() are called once per object', async () => {
    let calls = 0;
    const Counted = AuthorFactory.extend({ name: () => `Called ${++calls}`, slug: lazy(() => `slug-${calls}`) });
    const [a, b] = await Counted.buildBatch(2);
    assert.deepEqual([a!.name, b!.name, calls], ['Called 1', 'Called 2', 2]);
  });

  test('every sequence of one object sees the same number, and resetSequence() rewinds it', async () => {
    const Numbered = BookFactory.extend({ title: sequence((n) => `Book ${n}`) });
    const first = await Numbered.build();
    assert.equal(first.isbn.endsWith(first.title.slice(5)), true);
    Numbered.resetSequence(40);
    assert.equal((await Numbered.build()).title, 'Book 40');
  });

  test('a factory made by extend() shares its sequence counter with its parent', async () => {
    const Cheap = BookFactory.extend({ price: '2.00' });
    assert.equal((await BookFactory.build()).isbn, '9780000000000');
    assert.equal((await Cheap.build()).isbn, '9780000000001');
    assert.equal((await BookFactory.build()).isbn, '9780000000002');
  });

  test('a lazyAttribute reads attributes declared after it, and overridden values', async () => {
    const Reordered = factory(Book, {
      slug: lazyAttribute((book) => `${slugify(book.title)}-${book.isbn}`),
      title: 'Tehanu',
      isbn: '1',
      price: '1',
      author: subFactory(AuthorFactory),
    });
    assert.equal((await Reordered.build()).slug, 'tehanu-1');
    assert.equal((await Reordered.build({ title: 'The Farthest Shore' })).slug, 'the-farthest-shore-1');
  });

  test('overrides may be declarations themselves', async () => {
    const book = await BookFactory.build({ title: sequence((n) => `Volume ${n}`) });
    assert.equal(book.title, 'Volume 0');
  });

  test('subFactory() and relatedFactory() take a function returning a factory declared later', async () => {
    // Factories that refer to each other annotate the arrow's return type, which breaks TypeScript's inference circle.
    const ReviewOfBook = factory(Review, { stars: 2, book: subFactory((): Factory<typeof Book> => LaterBookFactory) });
    const LaterBookFactory = BookFactory.extend({}, { postGeneration: { reviews: relatedFactory((): Factory<typeof Review> => ReviewOfBook, 'book') } });
    const review = await ReviewOfBook.create({ book__reviews: [] });
    assert.equal(review.book.title, 'A Wizard of Earthsea');
    const book = await LaterBookFactory.create();
    assert.deepEqual((await book.reviews.all()).map((r) => r.stars), [2]);
  });

  test('subFactory() takes overrides for the related object', async () => {
    const Signed = BookFactory.extend({ author: subFactory(AuthorFactory, { name: 'Signed Author' }) });
    assert.equal((await Signed.build()).author.name, 'Signed Author');
  });
});

describe('deep overrides (`name__field`)', () => {
  test('reach the subFactory object, and through it, its own subFactory objects', async () => {
    const WithPublisher = AuthorFactory.extend({ publisher: subFactory(PublisherFactory) });
    const PublishedBook = BookFactory.extend({ author: subFactory(WithPublisher) });
    const book = await PublishedBook.create({ author__name: 'Le Guin', author__publisher__name: 'Ace' });
    assert.equal(book.author.name, 'Le Guin');
    assert.equal(book.author.slug, 'le-guin');
    const author = await Author.objects.selectRelated('publisher').get({ pk: book.authorId });
    assert.equal(author.publisher!.name, 'Ace');
  });

  test('reach the objects of a relatedFactory', async () => {
    const book = await BookFactory.create({ reviews__stars: 1 });
    assert.deepEqual((await book.reviews.all()).map((r) => r.stars), [1, 1]);
  });

  test('a value under the relatedFactory name skips the related objects', async () => {
    const book = await BookFactory.create({ reviews: [] });
    assert.equal(await book.reviews.count(), 0);
  });

  test('a prefix with no subFactory or relatedFactory behind it is refused, naming it', async () => {
    await assert.rejects(BookFactory.build({ title__upper: 'x' }), (error: unknown) => {
      assert.ok(error instanceof FactoryDeclarationError);
      assert.equal(error.code, 'NUAGES_TEST_FACTORY_DECLARATION');
      assert.match(error.message, /'title__upper'.*'title' is not a subFactory/);
      return true;
    });
  });
});

describe('traits', () => {
  test('apply in the order named, and call overrides win over them', async () => {
    const book = await BookFactory.build({ traits: ['outOfPrint', 'cheap'], stock: 3 });
    assert.deepEqual([book.stock, book.available, book.price.toString()], [3, false, '1.00']);
  });

  test('extend() adds traits to the inherited ones', async () => {
    const Extended = BookFactory.extend({}, { traits: { signed: { title: 'Signed' } } });
    const book = await Extended.build({ traits: ['signed', 'outOfPrint'] });
    assert.deepEqual([book.title, book.stock], ['Signed', 0]);
  });

  test('an unknown trait is refused, listing the known ones', async () => {
    await assert.rejects(BookFactory.build({ traits: ['outofprint' as 'outOfPrint'] }), (error: unknown) => {
      assert.ok(error instanceof FactoryTraitError);
      assert.equal(error.code, 'NUAGES_TEST_FACTORY_TRAIT');
      assert.match(error.message, /Book factory has no trait 'outofprint'\. Its traits are: outOfPrint, cheap\./);
      return true;
    });
  });
});

describe('post-generation', () => {
  test('a hook receives the saved object and the value passed under its name (many-to-many)', async () => {
    const [fantasy, classic] = [await Tag.objects.create({ name: 'fantasy' }), await Tag.objects.create({ name: 'classic' })];
    const book = await BookFactory.create({ tags: [fantasy, classic] });
    assert.deepEqual((await book.tags.orderBy('name')).map((t) => t.name), ['classic', 'fantasy']);
    assert.equal(await (await BookFactory.create()).tags.count(), 0);
  });

  test('a hook receives its `name__x` overrides', async () => {
    let received: unknown;
    const Hooked = AuthorFactory.extend({}, { postGeneration: { note: (_a, extracted, context) => (received = [extracted, context.overrides]) } });
    await Hooked.build({ note: 'hi', note__loud: true });
    assert.deepEqual(received, ['hi', { loud: true }]);
  });
});

describe('djangoGetOrCreate', () => {
  test('create() returns the existing row matching the keys instead of inserting', async () => {
    const first = await PublisherFactory.create({ name: 'Ace' });
    const again = await PublisherFactory.create({ name: 'Ace' });
    assert.equal(again.pk, first.pk);
    assert.equal(await Publisher.objects.count(), 1);
  });

  test('a key without a value is refused, naming it', async () => {
    const Keyless = factory(Author, { name: 'x' }, { djangoGetOrCreate: ['slug'] });
    await assert.rejects(Keyless.create(), /Author factory looks objects up by 'slug' \(djangoGetOrCreate\) but declares no value/);
  });
});

describe('errors', () => {
  test('an unknown field is refused, naming the model and its fields', async () => {
    const Typo = factory(Author, { name: 'x', nmae: 'y' } as never);
    await assert.rejects(Typo.build(), (error: unknown) => {
      assert.ok(error instanceof FactoryFieldError);
      assert.equal(error.code, 'NUAGES_TEST_FACTORY_FIELD');
      assert.equal(error.message, "The Author factory was given 'nmae', which is not a field of Author. Fields are: id, name, slug, publisher.");
      return true;
    });
  });

  test('an unknown deep override is refused by the subFactory, naming its model', async () => {
    await assert.rejects(BookFactory.build({ author__nmae: 'x' }), /not a field of Author\. Fields are: id, name, slug, publisher\./);
  });

  test('an unknown override is refused the same way, listing the postGeneration names', async () => {
    await assert.rejects(BookFactory.build({ titel: 'x' } as never), /not a field of Book\. Fields are: id, title, isbn, slug, price, stock, available, author; postGeneration names: tags, reviews\./);
  });

  test('a many-to-many field among the attributes is refused, pointing at postGeneration', async () => {
    const Direct = factory(Book, { tags: [] } as never);
    await assert.rejects(Direct.build(), /Book\.tags is a many-to-many field, set once the object is saved: declare it as postGeneration/);
  });

  test('lazy attributes reading each other in a circle are refused, showing the circle', async () => {
    const Circular = factory(Author, {
      name: lazyAttribute((author) => author.slug),
      slug: lazyAttribute((author) => author.name),
    });
    await assert.rejects(Circular.build(), /read each other in a circle \(name → slug → name\)/);
  });

  test('a lazy attribute reading an undeclared attribute is refused, naming it', async () => {
    const Reader = factory(Author, { name: 'x', slug: lazyAttribute((author) => String(author.publisher)) });
    await assert.rejects(Reader.build(), /read 'publisher', which the factory does not declare\. Declared: name, slug/);
  });
});

test('the type checker rejects what the factories refuse at run time', () => {
  // Never called: `npx tsc -p .` checks these lines, and fails when an expected error is missing.
  const check = async (): Promise<void> => {
    const book = await BookFactory.build();
    const title: string = book.title;
    void title;
    factory(Book, { slug: lazyAttribute((b) => b.title.toUpperCase()), price: 3, author: subFactory(AuthorFactory) });
    // @ts-expect-error -- Book has no field 'titel'.
    factory(Book, { titel: 'x' });
    // @ts-expect-error -- isbn is a string.
    factory(Book, { isbn: sequence((n) => n) });
    // @ts-expect-error -- a lazy attribute for slug must give a string.
    factory(Book, { slug: lazyAttribute((b) => b.stock) });
    // @ts-expect-error -- no trait 'signed' on BookFactory.
    await BookFactory.build({ traits: ['signed'] });
    // @ts-expect-error -- author must be an Author.
    await BookFactory.build({ author: await ReviewFactory.build() });
    // @ts-expect-error -- djangoGetOrCreate names fields.
    factory(Author, {}, { djangoGetOrCreate: ['nmae'] });
    // @ts-expect-error -- subFactory(ReviewFactory) makes a Review, not an Author.
    factory(Book, { author: subFactory(ReviewFactory) });
  };
  assert.equal(typeof check, 'function');
});

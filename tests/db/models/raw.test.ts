import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Model, CharField, IntegerField, DecimalField, DateField, DateTimeField, BooleanField, ForeignKey, CASCADE,
  connections, connection, createTables, captureQueries, Decimal, DateOnly,
  RawQuerySet, FieldDoesNotExist, DeferredFieldError,
} from '../../../src/db/index.ts';
import { nativeSql, testDatabaseSettings } from '../test-database.ts';

connections.configure({ default: testDatabaseSettings(), other: testDatabaseSettings() });

class Publisher extends Model<Publisher>()({
  name: new CharField({ maxLength: 50 }),
}, { appLabel: 'raw' }) {}

class Book extends Model<Book>()({
  title: new CharField({ maxLength: 100 }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
  published: new DateField({ null: true }),
  stockedAt: new DateTimeField({ null: true }),
  inPrint: new BooleanField({ default: true }),
  pages: new IntegerField({ default: 0 }),
  publisher: new ForeignKey(() => Publisher, { onDelete: CASCADE, null: true }),
}, { appLabel: 'raw' }) {}

before(async () => {
  await createTables([Publisher, Book]);
  await createTables([Publisher, Book], { using: 'other' });
  const acme = await Publisher.objects.create({ name: 'Acme' });
  await Book.objects.bulkCreate([
    new Book({ title: 'Dune', price: new Decimal('9.50'), published: new DateOnly('1965-08-01'), stockedAt: new Date('2024-01-02T03:04:05Z'), pages: 412, publisher: acme }),
    new Book({ title: 'Emma', price: new Decimal('4.00'), published: new DateOnly('1815-12-23'), inPrint: false, pages: 474 }),
    new Book({ title: "Robert'); DROP TABLE raw_book;--", price: new Decimal('1.00'), pages: 1 }),
  ]);
});

after(async () => {
  await connections.closeAll();
});

describe('raw()', () => {
  test('maps rows to instances, converting model columns as their fields read them', async () => {
    const books = await Book.objects.raw(nativeSql('SELECT * FROM raw_book WHERE pages > ? ORDER BY title'), [100]);
    assert.deepEqual(books.map((b) => b.title), ['Dune', 'Emma']);
    const [dune, emma] = books;
    assert.ok(dune instanceof Book);
    assert.ok(dune.price instanceof Decimal && dune.price.toString() === '9.50');
    assert.ok(dune.published instanceof DateOnly && dune.published.isoformat() === '1965-08-01');
    assert.equal(dune.stockedAt!.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.equal(dune.inPrint, true);
    assert.equal(emma!.inPrint, false);
    assert.equal(dune.publisherId, (await Publisher.objects.get({ name: 'Acme' })).pk);
    assert.equal(dune._state.adding, false);
    assert.equal(dune._state.db, 'default');
  });

  test('columns not on the model become attributes, unconverted', async () => {
    const [row] = await Book.objects.raw(nativeSql('SELECT id, title, pages * 2 AS double_pages, upper(title) AS shout FROM raw_book WHERE title = ?'), ['Dune']);
    const extra = row as Book & { double_pages: number; shout: string };
    assert.equal(extra.double_pages, 824);
    assert.equal(extra.shout, 'DUNE');
  });

  test('fields the SQL did not select are deferred and load on refreshFromDb()', async () => {
    const [dune] = await Book.objects.raw(nativeSql('SELECT id, title FROM raw_book WHERE title = ?'), ['Dune']);
    assert.throws(() => dune!.pages, DeferredFieldError);
    await dune!.refreshFromDb({ fields: ['pages'] });
    assert.equal(dune!.pages, 412);
  });

  test('a query without the primary key column is refused, naming the column', async () => {
    await assert.rejects(
      async () => Book.objects.raw('SELECT title FROM raw_book'),
      (e: Error) => e instanceof FieldDoesNotExist && /Raw query must include the primary key: Book's query returned columns 'title' but not 'id'/.test(e.message),
    );
  });

  test('translations map result columns to fields', async () => {
    const [book] = await Book.objects.raw(nativeSql('SELECT id AS key, title AS name, price AS cost FROM raw_book WHERE title = ?'), ['Emma'], {
      translations: { key: 'id', name: 'title', cost: 'price' },
    });
    assert.equal(book!.title, 'Emma');
    assert.equal(book!.price.toString(), '4.00');
  });

  test('columns may be named by attribute as well as by column', async () => {
    const [book] = await Book.objects.raw(nativeSql('SELECT id, in_print AS "inPrint", publisher_id FROM raw_book WHERE title = ?'), ['Emma']);
    assert.equal(book!.inPrint, false);
    assert.equal(book!.publisherId, null);
  });

  test('is lazy, cached once run, and async iterable', async () => {
    const { result: qs, queries } = await captureQueries(() => ({ qs: Book.objects.raw('SELECT * FROM raw_book') }));
    assert.equal(queries.length, 0);
    assert.ok(qs.qs instanceof RawQuerySet);
    const titles: string[] = [];
    const run = await captureQueries(async () => {
      for await (const b of qs.qs) titles.push(b.title);
      await qs.qs;
    });
    assert.equal(run.queries.length, 1);
    assert.equal(titles.length, 3);
    assert.equal(String(qs.qs), '<RawQuerySet: SELECT * FROM raw_book>');
    assert.deepEqual(await qs.qs.columns(), ['id', 'title', 'price', 'published', 'stocked_at', 'in_print', 'pages', 'publisher_id']);
  });

  test('hostile values in params stay values: quotes, comments and statements are data', async () => {
    const hostile = ["Robert'); DROP TABLE raw_book;--", "' OR '1'='1", '1; DELETE FROM raw_book', '%', '\\'];
    const { queries } = await captureQueries(async () => {
      for (const value of hostile) {
        const found = await Book.objects.raw(nativeSql('SELECT * FROM raw_book WHERE title = ?'), [value]);
        assert.equal(found.length, value.startsWith('Robert') ? 1 : 0, value);
      }
    });
    // The SQL text never changes; the value is bound separately.
    assert.ok(queries.every((q) => q.sql === nativeSql('SELECT * FROM raw_book WHERE title = ?')));
    assert.equal(await Book.objects.count(), 3, 'nothing was dropped or deleted');
  });

  test('JavaScript values are adapted like model fields adapt them', async () => {
    const rows = await Book.objects.raw(
      nativeSql('SELECT * FROM raw_book WHERE in_print = ? AND price >= ? AND published < ? AND (stocked_at IS NULL OR stocked_at < ?)'),
      [true, new Decimal('5'), new DateOnly('2000-01-01'), new Date('2030-01-01T00:00:00Z')],
    );
    assert.deepEqual(rows.map((b) => b.title), ['Dune']);
    await assert.rejects(async () => Book.objects.raw(nativeSql('SELECT * FROM raw_book WHERE id = ?'), [{ id: 1 }]), /parameter 0 is a Object/);
  });

  test('refuses params that are not an array (the interpolation mistake)', () => {
    assert.throws(() => Book.objects.raw(nativeSql('SELECT * FROM raw_book WHERE title = ?'), 'Dune' as never), /parameters as an array/);
  });

  test('using() runs on another database', async () => {
    const qs = Book.objects.raw('SELECT * FROM raw_book').using('other');
    assert.equal(qs.db, 'other');
    const { queries } = await captureQueries(() => qs.then(() => undefined, () => undefined));
    assert.deepEqual(queries.map((q) => q.alias), ['other']);
    assert.equal(Book.objects.using('other').raw('SELECT 1').db, 'other');
  });
});

describe('the cursor API', () => {
  test('execute() writes with parameters and reports rows changed', async () => {
    const result = await connection.execute({ sql: nativeSql('UPDATE raw_book SET pages = pages + ? WHERE title = ?'), params: [1, 'Emma'] });
    assert.equal(result.rowCount, 1);
    const { columns, rows } = await connection.fetchWithColumns({ sql: nativeSql('SELECT title, pages FROM raw_book WHERE title = ?'), params: ['Emma'] });
    assert.deepEqual(columns, ['title', 'pages']);
    assert.deepEqual(rows, [['Emma', 475]]);
    await connection.execute({ sql: nativeSql('UPDATE raw_book SET pages = pages - ? WHERE title = ?'), params: [1, 'Emma'] });
  });

  test('interpolating a value into the SQL text is what injection exploits; a parameter is not', async () => {
    const input = "x' OR '1'='1";
    const interpolated = await connection.fetchAll({ sql: `SELECT id FROM raw_book WHERE title = '${input}'`, params: [] });
    assert.equal(interpolated.length, 3, 'the quote ended the string and the OR matched every row');
    const bound = await connection.fetchAll({ sql: nativeSql('SELECT id FROM raw_book WHERE title = ?'), params: [input] });
    assert.equal(bound.length, 0);
  });
});

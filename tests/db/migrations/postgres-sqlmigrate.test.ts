import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  AutoField, BigIntegerField, BooleanField, CASCADE, CharField, CheckConstraint, connections, DecimalField, ForeignKey, Index, IntegerField,
  ManyToManyField, NotSupportedError, PositiveIntegerField, PROTECT, Q, TextField, UniqueConstraint, BigAutoField,
} from '../../../src/db/index.ts';
import {
  AddConstraint, AddField, AddIndex, AddIndexConcurrently, AlterField, AlterModelTable, AlterUniqueTogether, CreateModel, DeleteModel, RemoveConstraint,
  MigrationRecorder, RemoveField, RemoveIndex, RemoveIndexConcurrently, RenameField, RenameIndex, RenameModel, type Operation,
} from '../../../src/db/migrations/index.ts';
import type { DatabaseWrapper } from '../../../src/db/backends/base/connection.ts';
import { postgresTestSettings } from '../test-database.ts';
import { executorFor, migration } from './helpers.ts';

// sqlmigrate on PostgreSQL against Django 5.2's for the same migrations (Django's output was
// taken from a project with the same models, migrated step by step on the same server). Each
// step is migrated before the next one is printed, since some statements name constraints
// read from the database. Always on PostgreSQL.

let db: DatabaseWrapper;
before(() => {
  connections.configure({ default: postgresTestSettings() });
  db = connections.get('default');
});
after(() => connections.closeAll());

const pub = (options: Record<string, unknown> = {}) => new ForeignKey('shop.Publisher', { onDelete: PROTECT, relatedName: 'books', ...options });

/** [operation(s), the statements Django 5.2's sqlmigrate prints for them (comments left out)]. */
const STEPS: [string, Operation[], string[]][] = [
  ['add a NOT NULL field with a default', [new AddField({ modelName: 'book', name: 'rating', field: new IntegerField({ default: 3 }) })], [
    'ALTER TABLE "shop_book" ADD COLUMN "rating" integer DEFAULT 3 NOT NULL',
    'ALTER TABLE "shop_book" ALTER COLUMN "rating" DROP DEFAULT',
  ]],
  ['add a nullable field', [new AddField({ modelName: 'book', name: 'pages', field: new IntegerField({ null: true }) })], [
    'ALTER TABLE "shop_book" ADD COLUMN "pages" integer NULL',
  ]],
  ['add an indexed text field', [new AddField({ modelName: 'book', name: 'isbn', field: new CharField({ maxLength: 13, null: true, dbIndex: true }) })], [
    'ALTER TABLE "shop_book" ADD COLUMN "isbn" varchar(13) NULL',
    'CREATE INDEX "shop_book_isbn_d60b4a22" ON "shop_book" ("isbn")',
    'CREATE INDEX "shop_book_isbn_d60b4a22_like" ON "shop_book" ("isbn" varchar_pattern_ops)',
  ]],
  ['add a foreign key', [new AddField({ modelName: 'book', name: 'rival', field: new ForeignKey('shop.Publisher', { onDelete: CASCADE, null: true, relatedName: '+' }) })], [
    'ALTER TABLE "shop_book" ADD COLUMN "rival_id" bigint NULL CONSTRAINT "shop_book_rival_id_b3240c75_fk_shop_publisher_id" REFERENCES "shop_publisher"("id") DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "shop_book_rival_id_b3240c75_fk_shop_publisher_id" IMMEDIATE',
    'CREATE INDEX "shop_book_rival_id_b3240c75" ON "shop_book" ("rival_id")',
  ]],
  ['longer and nullable: one ALTER TABLE', [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 300, null: true }) })], [
    'ALTER TABLE "shop_book" ALTER COLUMN "title" TYPE varchar(300), ALTER COLUMN "title" DROP NOT NULL',
  ]],
  ['NOT NULL with a default fills the NULLs', [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 300, default: 'untitled' }) })], [
    'ALTER TABLE "shop_book" ALTER COLUMN "title" SET DEFAULT \'untitled\'',
    'UPDATE "shop_book" SET "title" = \'untitled\' WHERE "title" IS NULL; SET CONSTRAINTS ALL IMMEDIATE',
    'ALTER TABLE "shop_book" ALTER COLUMN "title" SET NOT NULL',
    'ALTER TABLE "shop_book" ALTER COLUMN "title" DROP DEFAULT',
  ]],
  ['integer to bigint: USING cast', [new AlterField({ modelName: 'book', name: 'pages', field: new BigIntegerField({ null: true }) })], [
    'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE bigint USING "pages"::bigint',
  ]],
  ['bigint to varchar: USING cast', [new AlterField({ modelName: 'book', name: 'pages', field: new CharField({ maxLength: 10, null: true }) })], [
    'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE varchar(10) USING "pages"::varchar(10)',
  ]],
  ['varchar back to integer: USING cast', [new AlterField({ modelName: 'book', name: 'pages', field: new IntegerField({ null: true }) })], [
    'ALTER TABLE "shop_book" ALTER COLUMN "pages" TYPE integer USING "pages"::integer',
  ]],
  ['made unique', [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 300, default: 'untitled', unique: true }) })], [
    'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_title_1f19d72a_uniq" UNIQUE ("title")',
    'CREATE INDEX "shop_book_title_1f19d72a_like" ON "shop_book" ("title" varchar_pattern_ops)',
  ]],
  ['no longer unique', [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 300, default: 'untitled' }) })], [
    'ALTER TABLE "shop_book" DROP CONSTRAINT "shop_book_title_1f19d72a_uniq"',
    'DROP INDEX IF EXISTS "shop_book_title_1f19d72a_like"',
  ]],
  ['indexed', [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 300, default: 'untitled', dbIndex: true }) })], [
    'CREATE INDEX "shop_book_title_1f19d72a" ON "shop_book" ("title")',
    'CREATE INDEX "shop_book_title_1f19d72a_like" ON "shop_book" ("title" varchar_pattern_ops)',
  ]],
  ['no longer indexed', [new AlterField({ modelName: 'book', name: 'isbn', field: new CharField({ maxLength: 13, null: true }) })], [
    'DROP INDEX IF EXISTS "shop_book_isbn_d60b4a22"',
    'DROP INDEX IF EXISTS "shop_book_isbn_d60b4a22_like"',
  ]],
  ['rename a field', [new RenameField({ modelName: 'book', oldName: 'title', newName: 'name' })], [
    'ALTER TABLE "shop_book" RENAME COLUMN "title" TO "name"',
  ]],
  ['rename a model', [new RenameModel({ oldName: 'Publisher', newName: 'House' })], [
    'ALTER TABLE "shop_publisher" RENAME TO "shop_house"',
  ]],
  ['rename a table', [new AlterModelTable({ name: 'Book', table: 'books' })], ['ALTER TABLE "shop_book" RENAME TO "books"']],
  ['and back', [new AlterModelTable({ name: 'Book' })], ['ALTER TABLE "books" RENAME TO "shop_book"']],
  ['add an index', [new AddIndex({ modelName: 'book', index: new Index({ fields: ['name', '-price'], name: 'book_name_price' }) })], [
    'CREATE INDEX "book_name_price" ON "shop_book" ("name", "price" DESC)',
  ]],
  ['rename it', [new RenameIndex({ modelName: 'book', oldName: 'book_name_price', newName: 'book_np' })], ['ALTER INDEX "book_name_price" RENAME TO "book_np"']],
  ['remove it', [new RemoveIndex({ modelName: 'book', name: 'book_np' })], ['DROP INDEX IF EXISTS "book_np"']],
  ['check constraint', [new AddConstraint({ modelName: 'book', constraint: new CheckConstraint({ condition: Q({ price__gte: 0 }), name: 'price_positive' }) })], [
    // Django: CHECK ("price" >= 0). Nuages inlines the decimal as the string the driver would get.
    'ALTER TABLE "shop_book" ADD CONSTRAINT "price_positive" CHECK ("price" >= \'0\')',
  ]],
  ['unique constraint', [new AddConstraint({ modelName: 'book', constraint: new UniqueConstraint({ fields: ['name', 'publisher'], name: 'name_pub_u' }) })], [
    'ALTER TABLE "shop_book" ADD CONSTRAINT "name_pub_u" UNIQUE ("name", "publisher_id")',
  ]],
  ['partial unique constraint', [new AddConstraint({ modelName: 'book', constraint: new UniqueConstraint({ fields: ['name'], condition: Q({ price__isnull: false }), name: 'name_priced_u' }) })], [
    'CREATE UNIQUE INDEX "name_priced_u" ON "shop_book" ("name") WHERE "price" IS NOT NULL',
  ]],
  ['remove constraints', [
    new RemoveConstraint({ modelName: 'book', name: 'price_positive' }),
    new RemoveConstraint({ modelName: 'book', name: 'name_pub_u' }),
    new RemoveConstraint({ modelName: 'book', name: 'name_priced_u' }),
  ], [
    'ALTER TABLE "shop_book" DROP CONSTRAINT "price_positive"',
    'ALTER TABLE "shop_book" DROP CONSTRAINT "name_pub_u"',
    'DROP INDEX IF EXISTS "name_priced_u"',
  ]],
  ['unique together', [new AlterUniqueTogether({ name: 'Book', uniqueTogether: [['name', 'publisher']] })], [
    'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_name_publisher_id_6fcf12d2_uniq" UNIQUE ("name", "publisher_id")',
  ]],
  ['unique together removed', [new AlterUniqueTogether({ name: 'Book', uniqueTogether: [] })], [
    'ALTER TABLE "shop_book" DROP CONSTRAINT "shop_book_name_publisher_id_6fcf12d2_uniq"',
  ]],
  ['partial index', [new AddIndex({ modelName: 'book', index: new Index({ fields: ['pages'], condition: Q({ pages__gt: 100 }), name: 'book_long' }) })], [
    'CREATE INDEX "book_long" ON "shop_book" ("pages") WHERE "pages" > 100',
  ]],
  ['remove a field', [new RemoveField({ modelName: 'book', name: 'isbn' })], ['ALTER TABLE "shop_book" DROP COLUMN "isbn" CASCADE']],
  ['remove a foreign key', [new RemoveField({ modelName: 'book', name: 'rival' })], [
    'SET CONSTRAINTS "shop_book_rival_id_b3240c75_fk_shop_publisher_id" IMMEDIATE; ALTER TABLE "shop_book" DROP CONSTRAINT "shop_book_rival_id_b3240c75_fk_shop_publisher_id"',
    'ALTER TABLE "shop_book" DROP COLUMN "rival_id" CASCADE',
  ]],
  ['text with a quote in its default', [new AddField({ modelName: 'book', name: 'blurb', field: new TextField({ default: "it's" }) })], [
    'ALTER TABLE "shop_book" ADD COLUMN "blurb" text DEFAULT \'it\'\'s\' NOT NULL',
    'ALTER TABLE "shop_book" ALTER COLUMN "blurb" DROP DEFAULT',
  ]],
  ['boolean default', [new AddField({ modelName: 'book', name: 'active', field: new BooleanField({ default: true }) })], [
    'ALTER TABLE "shop_book" ADD COLUMN "active" boolean DEFAULT true NOT NULL',
    'ALTER TABLE "shop_book" ALTER COLUMN "active" DROP DEFAULT',
  ]],
  ['positive integer: a named check', [new AlterField({ modelName: 'book', name: 'pages', field: new PositiveIntegerField({ null: true }) })], [
    'ALTER TABLE "shop_book" ADD CONSTRAINT "shop_book_pages_d177e4d8_check" CHECK ("pages" >= 0)',
  ]],
];

describe('sqlmigrate on PostgreSQL writes what Django 5.2 writes', () => {
  const initial = migration('0001_initial', {
    initial: true,
    operations: [
      new CreateModel({ name: 'Publisher', fields: [['id', new BigAutoField({ primaryKey: true })], ['name', new CharField({ maxLength: 100, unique: true })]] }),
      new CreateModel({
        name: 'Book',
        fields: [
          ['id', new BigAutoField({ primaryKey: true })],
          ['title', new CharField({ maxLength: 200 })],
          ['price', new DecimalField({ maxDigits: 8, decimalPlaces: 2, null: true })],
          ['publisher', pub()],
          ['editor', new ForeignKey('shop.Publisher', { onDelete: CASCADE, null: true, relatedName: 'edited' })],
        ],
      }),
    ],
  });
  const migrations = [initial];
  for (const [label, operations] of STEPS) {
    migrations.push(migration(`${String(migrations.length + 1).padStart(4, '0')}_${label.replace(/\W+/g, '_')}`, {
      dependencies: [['shop', migrations.at(-1)!.name]],
      operations,
    }));
  }

  test('the initial migration creates the tables', async () => {
    const executor = await executorFor(db, migrations);
    await executor.migrate([['shop', '0001_initial']]);
  });

  STEPS.forEach(([label, , expected], i) => {
    test(label, async () => {
      const executor = await executorFor(db, migrations);
      const step = migrations[i + 1]!;
      const sql = (await executor.collectSql(step)).filter((s) => !s.startsWith('--'));
      assert.deepEqual(sql, expected);
      await executor.migrate([['shop', step.name]]);
    });
  });

  test('many-to-many and delete model', async () => {
    const m2m = migration('0099_m2m', { dependencies: [['shop', migrations.at(-1)!.name]], operations: [new AddField({ modelName: 'book', name: 'fans', field: new ManyToManyField('shop.House', { relatedName: 'liked' }) })] });
    const gone = migration('0100_gone', { dependencies: [['shop', '0099_m2m']], operations: [new RemoveField({ modelName: 'book', name: 'fans' }), new DeleteModel({ name: 'Book' })] });
    const all = await executorFor(db, [...migrations, m2m, gone]);
    await all.migrate([['shop', '0100_gone']]);
    await all.migrate([['shop', migrations.at(-1)!.name]]);
  });
});

describe('indexes built concurrently', () => {
  const base = () =>
    migration('0001_initial', {
      operations: [new CreateModel({ name: 'Note', fields: [['id', new BigAutoField({ primaryKey: true })], ['title', new CharField({ maxLength: 50 })]] })],
    }, 'notes');
  const indexNames = async () =>
    (await db.fetchAll({ sql: "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'notes_note' ORDER BY 1", params: [] })).map((r) => r[0]);

  test('in an atomic migration they are refused before anything runs', async () => {
    const atomicOne = migration('0002_title_idx', {
      dependencies: [['notes', '0001_initial']],
      operations: [new AddIndexConcurrently({ modelName: 'note', index: new Index({ fields: ['title'], name: 'note_title_idx' }) })],
    }, 'notes');
    const executor = await executorFor(db, [base(), atomicOne]);
    await assert.rejects(executor.migrate([['notes', '0002_title_idx']]), (error: unknown) => {
      assert.ok(error instanceof NotSupportedError);
      assert.match(error.message, /note_title_idx on note cannot run inside a transaction: set atomic: false/);
      return true;
    });
    assert.ok(!(await indexNames()).includes('note_title_idx'));
    assert.ok(!(await new MigrationRecorder(db).appliedMigrations()).has('notes.0002_title_idx'));
    await executor.migrate([['notes', null]]);
  });

  test('with atomic: false they run, forwards and backwards, as Django writes them', async () => {
    const add = migration('0002_title_idx', {
      atomic: false,
      dependencies: [['notes', '0001_initial']],
      operations: [new AddIndex({ modelName: 'note', index: new Index({ fields: ['title'], name: 'note_title_idx' }), concurrently: true })],
    }, 'notes');
    const remove = migration('0003_drop_idx', {
      atomic: false,
      dependencies: [['notes', '0002_title_idx']],
      operations: [new RemoveIndexConcurrently({ modelName: 'note', name: 'note_title_idx' })],
    }, 'notes');
    const executor = await executorFor(db, [base(), add, remove]);
    await executor.migrate([['notes', '0001_initial']]);
    assert.deepEqual(await executor.collectSql(add), [
      '--\n-- Concurrently create index note_title_idx on field(s) title of model note\n--',
      'CREATE INDEX CONCURRENTLY "note_title_idx" ON "notes_note" ("title")',
    ]);
    await executor.migrate([['notes', '0002_title_idx']]);
    assert.ok((await indexNames()).includes('note_title_idx'));
    assert.deepEqual((await executor.collectSql(remove)).at(-1), 'DROP INDEX CONCURRENTLY IF EXISTS "note_title_idx"');
    await executor.migrate([['notes', '0003_drop_idx']]);
    assert.ok(!(await indexNames()).includes('note_title_idx'));
    await executor.migrate([['notes', '0001_initial']]);
    assert.ok(!(await indexNames()).includes('note_title_idx'));
    await executor.migrate([['notes', null]]);
  });

  test('the writer keeps concurrently, and the Django-named classes as they are', () => {
    assert.deepEqual(new AddIndex({ modelName: 'note', index: new Index({ fields: ['title'], name: 'i' }), concurrently: true }).deconstruct().concurrently, true);
    assert.equal(new AddIndexConcurrently({ modelName: 'note', index: new Index({ fields: ['title'], name: 'i' }) }).deconstruct().concurrently, undefined);
  });
});

describe('identity sequences follow their table', () => {
  test('after RenameModel and AutoField → BigAutoField, new rows still get the next key', async () => {
    const first = migration('0001_initial', {
      operations: [new CreateModel({ name: 'Tag', fields: [['id', new AutoField({ primaryKey: true })], ['label', new CharField({ maxLength: 20 })]] })],
    }, 'tags');
    const rename = migration('0002_rename', { dependencies: [['tags', '0001_initial']], operations: [new RenameModel({ oldName: 'Tag', newName: 'Label' })] }, 'tags');
    const widen = migration('0003_bigger', {
      dependencies: [['tags', '0002_rename']],
      operations: [new AlterField({ modelName: 'label', name: 'id', field: new BigAutoField({ primaryKey: true }) })],
    }, 'tags');
    const executor = await executorFor(db, [first, rename, widen]);
    await executor.migrate([['tags', '0001_initial']]);
    await db.executeScript("INSERT INTO tags_tag (label) VALUES ('a'), ('b')");
    await executor.migrate([['tags', '0002_rename']]);
    const schema = String((await db.fetchOne({ sql: 'SELECT current_schema()', params: [] }))![0]);
    // The sequence keeps the name of the table it was created with: it is found, not guessed.
    assert.deepEqual((await executor.collectSql(widen)).filter((x) => !x.startsWith('--')), [
      'ALTER TABLE "tags_label" ALTER COLUMN "id" TYPE bigint USING "id"::bigint',
      `ALTER SEQUENCE IF EXISTS ${schema}.tags_tag_id_seq AS bigint`,
    ]);
    await executor.migrate([['tags', '0003_bigger']]);
    await db.executeScript("INSERT INTO tags_label (label) VALUES ('c')");
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT id::integer, label FROM tags_label ORDER BY id', params: [] }), [[1, 'a'], [2, 'b'], [3, 'c']]);
    const type = await db.fetchOne({ sql: "SELECT format_type(seqtypid, NULL) FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('tags_label', 'id')::regclass", params: [] });
    assert.equal(type![0], 'bigint');
    await executor.migrate([['tags', null]]);
  });
});

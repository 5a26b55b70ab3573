import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  atomic, BigAutoField, BigIntegerField, PositiveIntegerField, CASCADE, Decimal, CharField, CheckConstraint, connections, DecimalField, ForeignKey, Index, IntegerField,
  IntegrityError, ManyToManyField, PROTECT, Q, UniqueConstraint,
} from '../../../src/db/index.ts';
import {
  AddConstraint, AddField, AddIndex, AlterField, AlterModelOptions, AlterModelTable, AlterUniqueTogether, CreateModel, DeleteModel,
  IrreversibleError, RemoveConstraint, RemoveField, RemoveIndex, RenameField, RenameIndex, RenameModel, RunCode, RunSQL,
  SeparateDatabaseAndState, MigrationRecorder,
} from '../../../src/db/migrations/index.ts';
import type { DatabaseWrapper } from '../../../src/db/backends/base/connection.ts';
import { schemaEditorFor } from '../../../src/db/schema.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';
import { executorFor, migration, schemaOf, initialShopMigration, seedShop } from './helpers.ts';

// Runs on the test database (NUAGES_TEST_DB): SQLite by default, PostgreSQL in CI's second pass.

let db: DatabaseWrapper;

beforeEach(async () => {
  await connections.closeAll();
  connections.configure({ default: testDatabaseSettings() });
  db = connections.get('default');
});
after(() => connections.closeAll());

const initial = initialShopMigration;
const seed = (): Promise<void> => seedShop(db);

const tables = async () => schemaEditorFor(db).tableNames();

describe('migrate forwards then backwards leaves the schema identical', () => {
  const steps: [string, () => ConstructorParameters<typeof SeparateDatabaseAndState>[0]['databaseOperations']][] = [
    ['AddField (nullable: ADD COLUMN)', () => [new AddField({ modelName: 'book', name: 'pages', field: new IntegerField({ null: true }) })]],
    ['AddField (NOT NULL with default: rebuild)', () => [new AddField({ modelName: 'book', name: 'rating', field: new IntegerField({ default: 3 }) })]],
    ['AddField (foreign key)', () => [new AddField({ modelName: 'book', name: 'rival', field: new ForeignKey('shop.Publisher', { onDelete: CASCADE, null: true, relatedName: '+' }) })]],
    ['AddField (many-to-many)', () => [new AddField({ modelName: 'book', name: 'fans', field: new ManyToManyField('shop.Publisher', { relatedName: 'liked' }) })]],
    ['RemoveField', () => [new RemoveField({ modelName: 'book', name: 'price' })]],
    ['RemoveField (foreign key: rebuild)', () => [new RemoveField({ modelName: 'book', name: 'editor' })]],
    ['AlterField (length, NULL)', () => [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 300, null: true }) })]],
    ['AlterField (unique)', () => [new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 200, unique: true }) })]],
    ['AlterField (drop a unique created with the table)', () => [new AlterField({ modelName: 'publisher', name: 'name', field: new CharField({ maxLength: 100 }) })]],
    ['AlterField (type change with a cast: decimal to integer)', () => [new AlterField({ modelName: 'book', name: 'price', field: new IntegerField({ null: true }) })]],
    ['AlterField (type change: integer to bigint to text)', () => [
      new AddField({ modelName: 'book', name: 'pages', field: new IntegerField({ null: true, dbIndex: true }) }),
      new AlterField({ modelName: 'book', name: 'pages', field: new BigIntegerField({ null: true, dbIndex: true }) }),
      new AlterField({ modelName: 'book', name: 'pages', field: new CharField({ maxLength: 10, null: true, dbIndex: true }) }),
    ]],
    ['AlterField (NOT NULL, filling NULLs with the default)', () => [
      new AlterField({ modelName: 'book', name: 'price', field: new DecimalField({ maxDigits: 8, decimalPlaces: 2, default: new Decimal('0.00') }) }),
    ]],
    ['AlterField (index added, then dropped on another field)', () => [
      new AlterField({ modelName: 'book', name: 'title', field: new CharField({ maxLength: 200, dbIndex: true }) }),
      new AlterField({ modelName: 'book', name: 'editor', field: new ForeignKey('shop.Publisher', { onDelete: CASCADE, null: true, relatedName: 'edited', dbIndex: false }) }),
    ]],
    ['AlterField (foreign key made nullable)', () => [
      new AlterField({ modelName: 'book', name: 'publisher', field: new ForeignKey('shop.Publisher', { onDelete: PROTECT, null: true, relatedName: 'books' }) }),
    ]],
    ['AlterField (positive integer: a check constraint)', () => [
      new AddField({ modelName: 'book', name: 'pages', field: new IntegerField({ null: true }) }),
      new AlterField({ modelName: 'book', name: 'pages', field: new PositiveIntegerField({ null: true }) }),
    ]],
    ['RenameField', () => [new RenameField({ modelName: 'book', oldName: 'title', newName: 'name' })]],
    ['RenameField (unique, then dropping the unique under the new name)', () => [
      new RenameField({ modelName: 'publisher', oldName: 'name', newName: 'label' }),
      new AlterField({ modelName: 'publisher', name: 'label', field: new CharField({ maxLength: 100 }) }),
    ]],
    ['RenameField (foreign key)', () => [new RenameField({ modelName: 'book', oldName: 'editor', newName: 'redactor' })]],
    ['RenameModel', () => [new RenameModel({ oldName: 'Publisher', newName: 'House' })]],
    ['AlterModelTable', () => [new AlterModelTable({ name: 'Book', table: 'books' })]],
    ['AlterModelOptions', () => [new AlterModelOptions({ name: 'Book', options: { ordering: ['-id'] } })]],
    ['AlterUniqueTogether', () => [new AlterUniqueTogether({ name: 'Book', uniqueTogether: [['title', 'publisher']] })]],
    ['AddIndex', () => [new AddIndex({ modelName: 'book', index: new Index({ fields: ['title', '-price'], name: 'book_title_price' }) })]],
    ['RenameIndex', () => [
      new AddIndex({ modelName: 'book', index: new Index({ fields: ['title'], name: 'book_t' }) }),
      new RenameIndex({ modelName: 'book', oldName: 'book_t', newName: 'book_title' }),
    ]],
    ['RemoveIndex', () => [
      new AddIndex({ modelName: 'book', index: new Index({ fields: ['title'], name: 'book_t' }) }),
      new RemoveIndex({ modelName: 'book', name: 'book_t' }),
    ]],
    ['AddConstraint (check: rebuild)', () => [new AddConstraint({ modelName: 'book', constraint: new CheckConstraint({ condition: Q({ price__gte: 0 }), name: 'price_positive' }) })]],
    ['AddConstraint (partial unique: index)', () => [
      new AddConstraint({ modelName: 'book', constraint: new UniqueConstraint({ fields: ['title'], condition: Q({ price__isnull: false }), name: 'title_priced_u' }) }),
    ]],
    ['RemoveConstraint', () => [
      new AddConstraint({ modelName: 'book', constraint: new UniqueConstraint({ fields: ['title', 'publisher'], name: 'title_pub_u' }) }),
      new RemoveConstraint({ modelName: 'book', name: 'title_pub_u' }),
    ]],
    ['CreateModel with many-to-many, then DeleteModel', () => [
      new CreateModel({ name: 'Shelf', fields: [['id', new BigAutoField({ primaryKey: true })], ['books', new ManyToManyField('shop.Book')]] }),
    ]],
    ['DeleteModel', () => [new DeleteModel({ name: 'Book' })]],
    ['RunSQL with reverseSql', () => [new RunSQL({ sql: 'CREATE TABLE extra (x integer)', reverseSql: 'DROP TABLE extra' })]],
  ];

  for (const [label, operations] of steps) {
    test(label, async () => {
      const first = initial();
      const second = migration('0002_change', { dependencies: [['shop', '0001_initial']], operations: operations() ?? [] });
      const executor = await executorFor(db, [first, second]);
      await executor.migrate([['shop', '0001_initial']]);
      await seed();
      const before = await schemaOf(db);
      await executor.migrate([['shop', '0002_change']]);
      assert.notDeepEqual(label.startsWith('AlterModelOptions') || label.startsWith('RemoveIndex') || label.startsWith('RemoveConstraint') ? 1 : await schemaOf(db), before);
      await executor.migrate([['shop', '0001_initial']]);
      assert.deepEqual(await schemaOf(db), before);
      if (testVendor === 'sqlite') assert.deepEqual(await db.fetchAll({ sql: 'PRAGMA foreign_key_check', params: [] }), []);
      const count = await db.fetchOne({ sql: 'SELECT count(*) FROM shop_publisher', params: [] });
      assert.equal(Number(count![0]), 2, 'the rows of the untouched table survive');
    });
  }
});

describe('data migrations', () => {
  test('RunCode updates existing rows through historical models', async () => {
    const seen: string[] = [];
    const data = migration('0002_ratings', {
      dependencies: [['shop', '0001_initial']],
      operations: [
        new AddField({ modelName: 'book', name: 'rating', field: new IntegerField({ null: true }) }),
        new RunCode({
          code: async ({ apps }) => {
            const Book = apps.model('shop', 'Book');
            seen.push(...Book._meta.fields.map((f) => f.name));
            for (const book of (await Book.objects.selectRelated('publisher')) as unknown as { title: string; rating: number; publisher: { name: string }; save(): Promise<void> }[]) {
              book.rating = book.title.length + book.publisher.name.length;
              await book.save();
            }
          },
          reverseCode: async ({ apps }) => {
            await apps.model('shop', 'Book').objects.update({ rating: null });
          },
        }),
      ],
    });
    const later = migration('0003_isbn', {
      dependencies: [['shop', '0002_ratings']],
      operations: [new AddField({ modelName: 'book', name: 'isbn', field: new CharField({ maxLength: 13, null: true }) })],
    });
    const executor = await executorFor(db, [initial(), data, later]);
    await executor.migrate([['shop', '0001_initial']]);
    await seed();
    await executor.migrate([['shop', '0003_isbn']]);
    // The historical Book of 0002 has the field 0002 added, and not the one 0003 adds.
    assert.deepEqual(seen, ['id', 'title', 'price', 'publisher', 'editor', 'rating']);
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT title, rating FROM shop_book ORDER BY id', params: [] }), [['Dune', 8], ['Emma', 9]]);
    await executor.migrate([['shop', '0001_initial']]);
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT CAST(count(*) AS integer) FROM shop_book', params: [] }), [[2]]);
  });

  test('historical models stay out of the project registry', async () => {
    const { apps } = await import('../../../src/conf/apps.ts');
    const executor = await executorFor(db, [initial()]);
    await executor.migrate([['shop', '0001_initial']]);
    const state = executor.loader.projectState();
    assert.equal(state.apps.model('shop', 'Book')._meta.objectName, 'Book');
    assert.throws(() => apps.getModel('shop', 'Book'));
  });
});

describe('the executor', () => {
  test('a failing migration is rolled back as a whole and not recorded', async () => {
    const broken = migration('0002_broken', {
      dependencies: [['shop', '0001_initial']],
      operations: [
        new CreateModel({ name: 'Tag', fields: [['id', new BigAutoField({ primaryKey: true })]] }),
        new RunSQL({ sql: 'THIS IS NOT SQL', reverseSql: RunSQL.noop }),
      ],
    });
    const executor = await executorFor(db, [initial(), broken]);
    await assert.rejects(executor.migrate([['shop', '0002_broken']]));
    assert.ok(!(await tables()).includes('shop_tag'));
    assert.deepEqual([...(await new MigrationRecorder(db).appliedMigrations()).keys()], ['shop.0001_initial']);
  });

  test('unapplying an irreversible operation is refused before anything runs', async () => {
    const oneWay = migration('0002_oneway', { dependencies: [['shop', '0001_initial']], operations: [new RunSQL({ sql: 'CREATE TABLE t1 (x integer)' })] });
    const executor = await executorFor(db, [initial(), oneWay]);
    await executor.migrate([['shop', '0002_oneway']]);
    await assert.rejects(executor.migrate([['shop', null]]), IrreversibleError);
    assert.ok((await tables()).includes('t1'));
  });

  test('migrationPlan: forwards to a target, back to a target, and zero', async () => {
    const m2 = migration('0002_b', { dependencies: [['shop', '0001_initial']], operations: [] });
    const m3 = migration('0003_c', { dependencies: [['shop', '0002_b']], operations: [] });
    const other = migration('0001_initial', { dependencies: [['shop', '0002_b']], operations: [] }, 'blog');
    let executor = await executorFor(db, [initial(), m2, m3, other]);
    const plan = (targets: Parameters<typeof executor.migrationPlan>[0]) =>
      executor.migrationPlan(targets).map((s) => `${s.backwards ? '-' : '+'}${s.migration.key}`);
    assert.deepEqual(plan([['blog', '0001_initial']]), ['+shop.0001_initial', '+shop.0002_b', '+blog.0001_initial']);
    await executor.migrate(executor.leafTargets());
    executor = await executorFor(db, [initial(), m2, m3, other]);
    assert.deepEqual(plan([['shop', '0002_b']]), ['-shop.0003_c']);
    assert.deepEqual(plan([['shop', '0001_initial']]), ['-blog.0001_initial', '-shop.0003_c', '-shop.0002_b']);
    assert.deepEqual(plan([['shop', null]]), ['-blog.0001_initial', '-shop.0003_c', '-shop.0002_b', '-shop.0001_initial']);
    assert.deepEqual(executor.resolveTarget('shop', '0002'), ['shop', '0002_b']);
  });

  test('--fake records without touching the schema; --fake-initial fakes only when the tables exist', async () => {
    let executor = await executorFor(db, [initial()]);
    await executor.migrate([['shop', '0001_initial']], { fake: true });
    assert.ok(!(await tables()).includes('shop_book'));
    await executor.migrate([['shop', null]], { fake: true });
    executor = await executorFor(db, [initial()]);
    assert.equal(await executor.detectSoftApplied(initial()), false);
    await executor.migrate([['shop', '0001_initial']]);
    await executor.migrate([['shop', null]], { fake: true });
    executor = await executorFor(db, [initial()]);
    assert.equal(await executor.detectSoftApplied(executor.loader.graph.nodes.get('shop.0001_initial')!), true);
    await executor.migrate([['shop', '0001_initial']], { fakeInitial: true });
    assert.deepEqual([...(await new MigrationRecorder(db).appliedMigrations()).keys()], ['shop.0001_initial']);
  });

  const idColumn = testVendor === 'postgres' ? 'bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY' : 'integer NOT NULL PRIMARY KEY AUTOINCREMENT';
  test('SeparateDatabaseAndState adopts an existing table into the state', async () => {
    const adopt = migration('0002_adopt', {
      dependencies: [['shop', '0001_initial']],
      operations: [
        new SeparateDatabaseAndState({
          databaseOperations: [new RunSQL({ sql: `CREATE TABLE "shop_note" ("id" ${idColumn})`, reverseSql: 'DROP TABLE "shop_note"' })],
          stateOperations: [new CreateModel({ name: 'Note', fields: [['id', new BigAutoField({ primaryKey: true })]] })],
        }),
      ],
    });
    const executor = await executorFor(db, [initial(), adopt]);
    await executor.migrate([['shop', '0002_adopt']]);
    assert.ok((await tables()).includes('shop_note'));
    assert.equal(executor.loader.projectState().getModel('shop', 'Note').name, 'Note');
    await executor.migrate([['shop', '0001_initial']]);
    assert.ok(!(await tables()).includes('shop_note'));
  });
});

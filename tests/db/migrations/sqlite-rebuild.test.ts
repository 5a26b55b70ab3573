import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { atomic, Decimal, CharField, connections, DecimalField, IntegerField, IntegrityError } from '../../../src/db/index.ts';
import { AddField, AlterField } from '../../../src/db/migrations/index.ts';
import type { DatabaseWrapper } from '../../../src/db/backends/base/connection.ts';
import { executorFor, migration, initialShopMigration, seedShop } from './helpers.ts';

// SQLite's own ways: table rebuilds and the statements sqlmigrate shows for them. Always on SQLite.

let db: DatabaseWrapper;

beforeEach(async () => {
  await connections.closeAll();
  connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
  db = connections.get('default');
});
after(() => connections.closeAll());

const initial = initialShopMigration;
const seed = (): Promise<void> => seedShop(db);

describe('SQLite table rebuild', () => {
  test('rebuilding a referenced table keeps its rows and the foreign keys pointing at it', async () => {
    const change = migration('0002_longer', {
      dependencies: [['shop', '0001_initial']],
      operations: [new AlterField({ modelName: 'publisher', name: 'name', field: new CharField({ maxLength: 200, unique: true }) })],
    });
    const executor = await executorFor(db, [initial(), change]);
    await executor.migrate([['shop', '0001_initial']]);
    await seed();
    const sql = await executor.collectSql(change);
    assert.ok(sql.some((s) => s.startsWith('CREATE TABLE "new__shop_publisher"')), sql.join('\n'));
    await executor.migrate([['shop', '0002_longer']]);
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT id, name FROM shop_publisher ORDER BY id', params: [] }), [[1, 'Acme'], [2, 'Bloom']]);
    const keys = await db.fetchAll({ sql: 'PRAGMA foreign_key_list(shop_book)', params: [] });
    assert.deepEqual(keys.map((fk) => fk[2]), ['shop_publisher', 'shop_publisher']);
    // Enforcement is back on after the migration: a dangling key fails at commit.
    await assert.rejects(
      atomic(() => db.executeScript("INSERT INTO shop_book (title, publisher_id) VALUES ('Ghost', 99)")),
      IntegrityError,
    );
    // And PROTECT-style references still hold: the referenced row cannot go.
    await assert.rejects(atomic(() => db.executeScript('DELETE FROM shop_publisher WHERE id = 1')), IntegrityError);
  });

  test('a NOT NULL column added by rebuild fills existing rows with the default', async () => {
    const change = migration('0002_rating', {
      dependencies: [['shop', '0001_initial']],
      operations: [new AddField({ modelName: 'book', name: 'rating', field: new IntegerField({ default: 3 }) })],
    });
    const executor = await executorFor(db, [initial(), change]);
    await executor.migrate([['shop', '0001_initial']]);
    await seed();
    await executor.migrate([['shop', '0002_rating']]);
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT title, rating, publisher_id FROM shop_book ORDER BY id', params: [] }), [['Dune', 3, 1], ['Emma', 3, 2]]);
  });

  test('a one-off default (preserveDefault: false) fills rows but is not kept in the state', async () => {
    const change = migration('0002_pages', {
      dependencies: [['shop', '0001_initial']],
      operations: [new AddField({ modelName: 'book', name: 'pages', field: new IntegerField({ default: 100 }), preserveDefault: false })],
    });
    const executor = await executorFor(db, [initial(), change]);
    await executor.migrate([['shop', '0001_initial']]);
    await seed();
    await executor.migrate([['shop', '0002_pages']]);
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT pages FROM shop_book', params: [] }), [[100], [100]]);
    const state = executor.loader.projectState();
    assert.equal(state.getModel('shop', 'Book').getField('pages').hasDefault(), false);
  });

  test('making a column NOT NULL fills its NULLs with the new default', async () => {
    const change = migration('0002_price', {
      dependencies: [['shop', '0001_initial']],
      operations: [new AlterField({ modelName: 'book', name: 'price', field: new DecimalField({ maxDigits: 8, decimalPlaces: 2, default: new Decimal('0.00') }) })],
    });
    const executor = await executorFor(db, [initial(), change]);
    await executor.migrate([['shop', '0001_initial']]);
    await seed();
    await executor.migrate([['shop', '0002_price']]);
    assert.deepEqual(await db.fetchAll({ sql: 'SELECT price FROM shop_book ORDER BY id', params: [] }), [[9.99], [0]]);
  });
});

describe('sqlmigrate on SQLite', () => {
  test('collectSql shows the statements without running them, as sqlmigrate prints them', async () => {
    const change = migration('0002_fields', {
      dependencies: [['shop', '0001_initial']],
      operations: [
        new AddField({ modelName: 'book', name: 'rating', field: new IntegerField({ default: 0 }) }),
        new AddField({ modelName: 'book', name: 'subtitle', field: new CharField({ maxLength: 50, null: true }) }),
      ],
    });
    const executor = await executorFor(db, [initial(), change]);
    await executor.migrate([['shop', '0001_initial']]);
    const sql = await executor.collectSql(change);
    assert.deepEqual(sql.filter((s) => !s.startsWith('--') && !s.startsWith('CREATE')), [
      'INSERT INTO "new__shop_book" ("id", "title", "price", "publisher_id", "editor_id", "rating") SELECT "id", "title", "price", "publisher_id", "editor_id", 0 FROM "shop_book"',
      'DROP TABLE "shop_book"',
      'ALTER TABLE "new__shop_book" RENAME TO "shop_book"',
      'ALTER TABLE "shop_book" ADD COLUMN "subtitle" varchar(50) NULL',
    ]);
    assert.equal(sql[0], '--\n-- Add field rating to book\n--');
    assert.deepEqual(await executor.collectSql(change, true).then((s) => s.filter((x) => !x.startsWith('--'))), [
      'ALTER TABLE "shop_book" DROP COLUMN "subtitle"',
      'ALTER TABLE "shop_book" DROP COLUMN "rating"',
    ]);
    assert.ok(!(await db.fetchAll({ sql: 'PRAGMA table_info(shop_book)', params: [] })).some((c) => c[1] === 'rating'));
  });

});

import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { AutoField, BigAutoField, CASCADE, connections, ForeignKey, ManyToManyField } from '../../../src/db/index.ts';
import { AlterField, CreateModel, RenameModel } from '../../../src/db/migrations/index.ts';
import type { DatabaseWrapper } from '../../../src/db/backends/base/connection.ts';
import { schemaEditorFor } from '../../../src/db/schema.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';
import { executorFor, migration } from './helpers.ts';

// Columns that follow what they reference, as in Django 5.2: a key changing type takes the
// referencing columns along; a renamed model takes its join tables and join columns along.
// Runs on the test database (NUAGES_TEST_DB): SQLite by default, PostgreSQL in CI's second pass.

let db: DatabaseWrapper;

beforeEach(async () => {
  await connections.closeAll();
  connections.configure({ default: testDatabaseSettings() });
  db = connections.get('default');
});
after(() => connections.closeAll());

const initial = () =>
  migration('0001_initial', {
    initial: true,
    operations: [
      new CreateModel({ name: 'Author', fields: [['id', new AutoField({ primaryKey: true })]] }),
      new CreateModel({ name: 'Tag', fields: [['id', new AutoField({ primaryKey: true })]] }),
      new CreateModel({
        name: 'Book',
        fields: [
          ['id', new AutoField({ primaryKey: true })],
          ['author', new ForeignKey('shop.Author', { onDelete: CASCADE })],
          ['tags', new ManyToManyField('shop.Tag')],
        ],
      }),
    ],
  });

/** Column name → declared type, as the database reports it. */
async function columnTypes(table: string): Promise<Record<string, string>> {
  const sql =
    testVendor === 'postgres'
      ? `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}'`
      : `SELECT name, type FROM pragma_table_info('${table}')`;
  const rows = await db.fetchAll({ sql, params: [] });
  return Object.fromEntries(rows.map((r) => [String(r[0]), String(r[1]).toLowerCase()]));
}

/** `column → referenced table.column` for every foreign key of `table`. */
async function foreignKeys(table: string): Promise<Record<string, string>> {
  const sql =
    testVendor === 'postgres'
      ? 'SELECT a.attname, t.relname, ta.attname FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] ' +
        'JOIN pg_class t ON t.oid = c.confrelid JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = c.confkey[1] ' +
        `WHERE c.contype = 'f' AND c.conrelid = '${table}'::regclass`
      : `SELECT "from", "table", "to" FROM pragma_foreign_key_list('${table}')`;
  const rows = await db.fetchAll({ sql, params: [] });
  return Object.fromEntries(rows.map((r) => [String(r[0]), `${String(r[1])}.${String(r[2])}`]));
}

const bigint = 'bigint';
const integer = 'integer';

describe('AlterField on a primary key changes the referencing columns', () => {
  const widen = () =>
    migration('0002_widen', {
      dependencies: [['shop', '0001_initial']],
      operations: [
        new AlterField({ modelName: 'author', name: 'id', field: new BigAutoField({ primaryKey: true }) }),
        new AlterField({ modelName: 'tag', name: 'id', field: new BigAutoField({ primaryKey: true }) }),
      ],
    });

  test('AutoField → BigAutoField widens foreign key and join table columns, and back', async () => {
    const migrations = [initial(), widen()];
    await (await executorFor(db, migrations)).migrate([['shop', '0001_initial']]);
    await db.executeScript('INSERT INTO shop_author (id) VALUES (1); INSERT INTO shop_tag (id) VALUES (7); INSERT INTO shop_book (id, author_id) VALUES (3, 1)');
    await db.executeScript('INSERT INTO shop_book_tags (book_id, tag_id) VALUES (3, 7)');
    assert.equal((await columnTypes('shop_book'))['author_id'], integer);

    await (await executorFor(db, migrations)).migrate([['shop', '0002_widen']]);
    assert.equal((await columnTypes('shop_book'))['author_id'], bigint);
    assert.equal((await columnTypes('shop_book_tags'))['tag_id'], bigint);
    assert.equal((await columnTypes('shop_book_tags'))['book_id'], integer);
    assert.deepEqual(await foreignKeys('shop_book'), { author_id: 'shop_author.id' });
    assert.deepEqual(await foreignKeys('shop_book_tags'), { book_id: 'shop_book.id', tag_id: 'shop_tag.id' });
    const rows = await db.fetchAll({ sql: 'SELECT book_id, tag_id FROM shop_book_tags', params: [] });
    assert.deepEqual(rows.map((r) => r.map(Number)), [[3, 7]]);
    if (testVendor === 'postgres') {
      // Re-created under the name Django gives a re-added key: `<table>_<column>_<hash>_fk`.
      const names = await db.fetchAll({ sql: "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = 'shop_book'::regclass", params: [] });
      assert.match(String(names[0]![0]), /^shop_book_author_id_[0-9a-f]{8}_fk$/);
    }

    await (await executorFor(db, migrations)).migrate([['shop', '0001_initial']]);
    assert.equal((await columnTypes('shop_book'))['author_id'], integer);
    assert.equal((await columnTypes('shop_book_tags'))['tag_id'], integer);
    assert.deepEqual(await foreignKeys('shop_book_tags'), { book_id: 'shop_book.id', tag_id: 'shop_tag.id' });
  });

});

describe('RenameModel renames automatic join tables and their columns', () => {
  const renames = () => [
    migration('0002_volume', { dependencies: [['shop', '0001_initial']], operations: [new RenameModel({ oldName: 'Book', newName: 'Volume' })] }),
    migration('0003_label', { dependencies: [['shop', '0002_volume']], operations: [new RenameModel({ oldName: 'Tag', newName: 'Label' })] }),
  ];

  test('the join table and the column named after the model follow it, and back', async () => {
    const migrations = [initial(), ...renames()];
    await (await executorFor(db, migrations)).migrate([['shop', '0001_initial']]);
    await db.executeScript('INSERT INTO shop_author (id) VALUES (1); INSERT INTO shop_tag (id) VALUES (7); INSERT INTO shop_book (id, author_id) VALUES (3, 1)');
    await db.executeScript('INSERT INTO shop_book_tags (book_id, tag_id) VALUES (3, 7)');
    const tables = async () => (await schemaEditorFor(db).tableNames()).filter((t) => t.startsWith('shop_')).sort();

    await (await executorFor(db, migrations)).migrate([['shop', '0002_volume']]);
    assert.deepEqual(await tables(), ['shop_author', 'shop_tag', 'shop_volume', 'shop_volume_tags']);
    assert.deepEqual(Object.keys(await columnTypes('shop_volume_tags')).sort(), ['id', 'tag_id', 'volume_id']);
    assert.deepEqual(await foreignKeys('shop_volume_tags'), { volume_id: 'shop_volume.id', tag_id: 'shop_tag.id' });

    await (await executorFor(db, migrations)).migrate([['shop', '0003_label']]);
    assert.deepEqual(await tables(), ['shop_author', 'shop_label', 'shop_volume', 'shop_volume_tags']);
    assert.deepEqual(Object.keys(await columnTypes('shop_volume_tags')).sort(), ['id', 'label_id', 'volume_id']);
    assert.deepEqual(await foreignKeys('shop_volume_tags'), { volume_id: 'shop_volume.id', label_id: 'shop_label.id' });
    const rows = await db.fetchAll({ sql: 'SELECT volume_id, label_id FROM shop_volume_tags', params: [] });
    assert.deepEqual(rows.map((r) => r.map(Number)), [[3, 7]]);

    await (await executorFor(db, migrations)).migrate([['shop', '0001_initial']]);
    assert.deepEqual(await tables(), ['shop_author', 'shop_book', 'shop_book_tags', 'shop_tag']);
    assert.deepEqual(Object.keys(await columnTypes('shop_book_tags')).sort(), ['book_id', 'id', 'tag_id']);
    assert.deepEqual(await foreignKeys('shop_book_tags'), { book_id: 'shop_book.id', tag_id: 'shop_tag.id' });
  });
});

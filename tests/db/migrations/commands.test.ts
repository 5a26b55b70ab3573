import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps } from '../../../src/conf/apps.ts';
import { connections } from '../../../src/db/index.ts';
import { callCommand, CommandError } from '../../../src/core/management/index.ts';
import { schemaEditorFor } from '../../../src/db/schema.ts';
import { testDatabaseSettings } from '../test-database.ts';

// On the test database (NUAGES_TEST_DB): SQLite by default, PostgreSQL in CI's second pass.
const shopTables = async () => (await schemaEditorFor(connections.get()).tableNames()).filter((t) => t.startsWith('shop_')).sort();

// The project lives inside the repository so its files import 'nuages/db' as a real project does.
const WORK = join(import.meta.dirname, `.work-${process.pid}`);
const MIGRATIONS = join(WORK, 'shop', 'migrations');

const MODELS = `
import {
  CASCADE, CharField, CheckConstraint, DateTimeField, DecimalField, ForeignKey, Index, IntegerField, JSONField,
  ManyToManyField, Model, Q, UUIDField, uuid4, Decimal,
} from 'nuages/db';

export class Tag extends Model<Tag>()({
  label: new CharField({ maxLength: 30, unique: true }),
}) {}

export class Item extends Model<Item>()({
  name: new CharField({ maxLength: 100, choices: [['a', 'A'], ['b', 'B']] }),
  price: new DecimalField({ maxDigits: 8, decimalPlaces: 2, default: new Decimal('1.50') }),
  code: new UUIDField({ default: uuid4 }),
  created: new DateTimeField({ autoNowAdd: true }),
  extra: new JSONField({ default: () => ({}) }),
  notes: new CharField({ maxLength: 200, blank: true }),
  parent: new ForeignKey('self', { onDelete: CASCADE, null: true, relatedName: 'children' }),
  tags: new ManyToManyField(() => Tag, { relatedName: 'items' }),
  stock: new IntegerField({ default: 0 }),
}, {
  ordering: ['name'],
  uniqueTogether: [['name', 'parent']],
  indexes: [new Index({ fields: ['-created'], name: 'item_created' })],
  constraints: [new CheckConstraint({ condition: Q({ stock__gte: 0 }).or({ name: 'b' }), name: 'item_stock_ok' })],
}) {}
`;

function output() {
  return { text: '', write(chunk: string) { this.text += chunk; } };
}

before(async () => {
  mkdirSync(join(WORK, 'shop'), { recursive: true });
  writeFileSync(join(WORK, 'shop', 'models.ts'), MODELS);
  await apps.populate(['shop'], { baseDir: WORK });
  connections.configure({ default: testDatabaseSettings() });
});

after(async () => {
  await connections.closeAll();
  rmSync(WORK, { recursive: true, force: true });
});

describe('makemigrations, migrate, showmigrations, sqlmigrate', () => {
  test('makemigrations writes a readable initial migration', async () => {
    const out = output();
    await callCommand('makemigrations', { stdout: out });
    assert.match(out.text, /Migrations for 'shop':/);
    assert.match(out.text, /- Create model Item/);
    const text = readFileSync(join(MIGRATIONS, '0001_initial.ts'), 'utf8');
    assert.match(text, /export default new Migration\(\{\n {2}initial: true,\n {2}dependencies: \[\],/);
    assert.match(text, /\['parent', new ForeignKey\('self', \{ null: true, onDelete: CASCADE, relatedName: 'children' \}\)\]/);
    assert.match(text, /\['price', new DecimalField\(\{ decimalPlaces: 2, default: new Decimal\('1\.50'\), maxDigits: 8 \}\)\]/);
    assert.match(text, /\['code', new UUIDField\(\{ default: uuid4 \}\)\]/);
    assert.match(text, /\['created', new DateTimeField\(\{ autoNowAdd: true \}\)\]/);
    assert.match(text, /condition: Q\(\{ stock__gte: 0 \}\)\.or\(Q\(\{ name: 'b' \}\)\)/);
  });

  test('makemigrations --check passes when the migrations match the models', async () => {
    const out = output();
    await callCommand('makemigrations', '--check', { stdout: out });
    assert.equal(out.text.trim(), 'No changes detected');
  });

  test('migrate applies it, showmigrations marks it, and migrate again has nothing to do', async () => {
    const out = output();
    await callCommand('migrate', { stdout: out });
    assert.match(out.text, /Applying shop\.0001_initial\.\.\. OK/);
    assert.deepEqual(await shopTables(), ['shop_item', 'shop_item_tags', 'shop_tag']);
    const shown = output();
    await callCommand('showmigrations', { stdout: shown });
    assert.equal(shown.text, 'shop\n [X] 0001_initial\n');
    const again = output();
    await callCommand('migrate', { stdout: again });
    assert.match(again.text, /No migrations to apply\./);
  });

  test('sqlmigrate prints the SQL inside BEGIN/COMMIT without running it', async () => {
    const out = output();
    await callCommand('sqlmigrate', 'shop', '0001', { stdout: out });
    const lines = out.text.trim().split('\n');
    assert.equal(lines[0], 'BEGIN;');
    assert.equal(lines.at(-1), 'COMMIT;');
    assert.ok(lines.includes('-- Create model Tag'));
    assert.ok(lines.some((l) => l.startsWith('CREATE TABLE "shop_item" (')), out.text);
  });

  test('makemigrations --check fails (exit 1) when the models are ahead of the migrations', async () => {
    // A hand-written migration removes a field the models still have.
    writeFileSync(
      join(MIGRATIONS, '0002_drop_notes.ts'),
      `import { Migration, RemoveField } from 'nuages/db/migrations';\n` +
        `export default new Migration({ dependencies: [['shop', '0001_initial']], operations: [new RemoveField({ modelName: 'item', name: 'notes' })] });\n`,
    );
    const out = output();
    await assert.rejects(callCommand('makemigrations', '--check', { stdout: out }), (error: unknown) => {
      assert.ok(error instanceof CommandError);
      assert.equal(error.returncode, 1);
      return true;
    });
    assert.match(out.text, /- Add field notes to item/);
    assert.deepEqual(readdirSync(MIGRATIONS).sort(), ['0001_initial.ts', '0002_drop_notes.ts'], '--check writes nothing');
  });

  test('migrate --plan lists, migrate forwards and back to a named migration', async () => {
    const plan = output();
    await callCommand('migrate', '--plan', { stdout: plan });
    assert.equal(plan.text, 'Planned operations:\nshop.0002_drop_notes\n    Remove field notes from item\n');
    await callCommand('migrate', { stdout: output() });
    const columns = async () => schemaEditorFor(connections.get()).columnNames('shop_item');
    assert.ok(!(await columns()).includes('notes'));
    const back = output();
    await callCommand('migrate', 'shop', '0001_initial', { stdout: back });
    assert.match(back.text, /Unapplying shop\.0002_drop_notes\.\.\. OK/);
    assert.ok((await columns()).includes('notes'));
  });

  test('makemigrations writes the next migration, named after its operations', async () => {
    const out = output();
    await callCommand('makemigrations', 'shop', { stdout: out });
    assert.match(out.text, /0003_item_notes\.ts/);
    const text = readFileSync(join(MIGRATIONS, '0003_item_notes.ts'), 'utf8');
    assert.match(text, /dependencies: \[\['shop', '0002_drop_notes'\]\]/);
    assert.match(text, /new AddField\(\{\n {6}modelName: 'item',\n {6}name: 'notes',\n {6}field: new CharField\(\{ blank: true, maxLength: 200 \}\),\n {4}\}\)/);
    await callCommand('makemigrations', '--check', { stdout: output() });
  });

  test('makemigrations --empty --name writes an empty migration to fill in', async () => {
    await callCommand('makemigrations', 'shop', '--empty', '--name', 'backfill', { stdout: output() });
    const text = readFileSync(join(MIGRATIONS, '0004_backfill.ts'), 'utf8');
    assert.match(text, /operations: \[\n {2}\],/);
  });

  test('migrate shop zero unapplies everything', async () => {
    await callCommand('migrate', { stdout: output() });
    const out = output();
    await callCommand('migrate', 'shop', 'zero', { stdout: out });
    assert.match(out.text, /Unapply all migrations: shop/);
    assert.deepEqual(await shopTables(), []);
  });

  test('squashmigrations writes one migration that replaces the others', async () => {
    const out = output();
    await callCommand('squashmigrations', 'shop', '0003', { stdout: out });
    const file = readdirSync(MIGRATIONS).find((f) => f.includes('_squashed_'))!;
    const text = readFileSync(join(MIGRATIONS, file), 'utf8');
    assert.match(text, /replaces: \[\['shop', '0001_initial'\], \['shop', '0002_drop_notes'\], \['shop', '0003_item_notes'\]\]/);
    await callCommand('migrate', { stdout: output() });
    const shown = output();
    await callCommand('showmigrations', { stdout: shown });
    assert.match(shown.text, /\[X\] 0001_squashed_0003_item_notes \(3 squashed migrations\)/);
    await callCommand('makemigrations', '--check', { stdout: output() });
  });
});

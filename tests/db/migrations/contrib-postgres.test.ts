import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apps } from '../../../src/conf/apps.ts';
import { BigAutoField, CharField, connections, Index, IntegerField } from '../../../src/db/index.ts';
import {
  AddIndex, AlterField, Imports, Migration, MigrationAutodetector, ModelState, ProjectState, RemoveIndex, RenameIndex, serialize,
  type StateOptions,
} from '../../../src/db/migrations/index.ts';
import { writeMigration } from '../../../src/db/migrations/writer.ts';
import { ArrayField, BrinIndex, GinIndex } from '../../../src/contrib/postgres/index.ts';
import { callCommand } from '../../../src/core/management/index.ts';
import type { Field } from '../../../src/db/models/fields/field.ts';
import { postgresTestSettings } from '../test-database.ts';

// contrib.postgres' fields and indexes in migrations: written as themselves (with their import),
// compared by what they are, and migrated on PostgreSQL (always PostgreSQL: SQLite has no arrays).

function model(fields: [string, Field][], options: StateOptions = {}): ModelState {
  return new ModelState('shop', 'Post', [['id', new BigAutoField({ primaryKey: true })], ...fields], options);
}

async function detect(from: ModelState, to: ModelState) {
  const changes = await new MigrationAutodetector(new ProjectState([from]), new ProjectState([to])).changes();
  return changes.get('shop') ?? [];
}

const names = (ops: readonly object[]) => ops.map((op) => op.constructor.name);

describe('serializer: contrib.postgres classes describe themselves', () => {
  test('an ArrayField is written with its base field and size, imported from nuages/contrib/postgres', () => {
    const imports = new Imports();
    const text = serialize(new ArrayField(new CharField({ maxLength: 20 }), { size: 8, blank: true }), imports);
    assert.equal(text, 'new ArrayField(new CharField({ maxLength: 20 }), { blank: true, size: 8 })');
    assert.deepEqual(imports.lines(), ["import { CharField } from 'nuages/db';", "import { ArrayField } from 'nuages/contrib/postgres';"].sort());
  });

  test('an ArrayField without options is written with its base field only; nested arrays nest', () => {
    const text = serialize(new ArrayField(new ArrayField(new IntegerField())), new Imports());
    assert.equal(text, 'new ArrayField(new ArrayField(new IntegerField()))');
  });

  test('a GinIndex keeps its class and storage options instead of becoming an Index', () => {
    const imports = new Imports();
    const text = serialize(new GinIndex({ fields: ['tags'], name: 'post_tags_gin', fastupdate: false }), imports);
    assert.equal(text, "new GinIndex({ fields: ['tags'], name: 'post_tags_gin', fastupdate: false })");
    assert.deepEqual(imports.lines(), ["import { GinIndex } from 'nuages/contrib/postgres';"]);
  });

  test('a plain Index is still written as Index from nuages/db', () => {
    const imports = new Imports();
    assert.equal(serialize(new Index({ fields: ['title'], name: 'post_title' }), imports), "new Index({ fields: ['title'], name: 'post_title' })");
    assert.deepEqual(imports.lines(), ["import { Index } from 'nuages/db';"]);
  });

  test('an unnamed GinIndex given a name by the state stays a GinIndex with its options', () => {
    const named = new GinIndex({ fields: ['tags'], fastupdate: false }).withName('post_tags_idx');
    assert.ok(named instanceof GinIndex);
    assert.equal(named.name, 'post_tags_idx');
    assert.deepEqual(named.storageParameters, { fastupdate: false });
  });
});

describe('autodetector: contrib.postgres changes', () => {
  const tags = (base: Field = new CharField({ maxLength: 20 }), size?: number): [string, Field] => ['tags', new ArrayField(base, size === undefined ? {} : { size })];

  test('the same ArrayField and GinIndex is no change', async () => {
    const options = () => ({ indexes: [new GinIndex({ fields: ['tags'], name: 'post_tags_gin' })] });
    assert.deepEqual(await detect(model([tags()], options()), model([tags()], options())), []);
  });

  test("a change of ArrayField's base field is an AlterField", async () => {
    const ops = await detect(model([tags(new CharField({ maxLength: 20 }))]), model([tags(new CharField({ maxLength: 40 }))]));
    assert.deepEqual(names(ops), ['AlterField']);
    assert.equal(serialize((ops[0] as AlterField).field, new Imports()), 'new ArrayField(new CharField({ maxLength: 40 }))');
  });

  test("a change of ArrayField's base field class is an AlterField", async () => {
    const ops = await detect(model([tags(new CharField({ maxLength: 20 }))]), model([tags(new IntegerField())]));
    assert.deepEqual(names(ops), ['AlterField']);
  });

  test("a change of ArrayField's size is an AlterField", async () => {
    const ops = await detect(model([tags(undefined, 3)]), model([tags(undefined, 5)]));
    assert.deepEqual(names(ops), ['AlterField']);
    assert.equal(((ops[0] as AlterField).field as ArrayField).size, 5);
  });

  test('Index → GinIndex under the same name removes the index and adds the GIN one', async () => {
    const ops = await detect(
      model([tags()], { indexes: [new Index({ fields: ['tags'], name: 'post_tags' })] }),
      model([tags()], { indexes: [new GinIndex({ fields: ['tags'], name: 'post_tags' })] }),
    );
    assert.deepEqual(names(ops), ['RemoveIndex', 'AddIndex']);
    assert.equal((ops[0] as RemoveIndex).name, 'post_tags');
    assert.ok((ops[1] as AddIndex).index instanceof GinIndex);
  });

  test('Index → GinIndex under a new name is not taken for a rename', async () => {
    const ops = await detect(
      model([tags()], { indexes: [new Index({ fields: ['tags'], name: 'post_tags' })] }),
      model([tags()], { indexes: [new GinIndex({ fields: ['tags'], name: 'post_tags_gin' })] }),
    );
    assert.deepEqual(names(ops).sort(), ['AddIndex', 'RemoveIndex']);
  });

  test('a GinIndex whose storage options change is replaced', async () => {
    const ops = await detect(
      model([tags()], { indexes: [new GinIndex({ fields: ['tags'], name: 'post_tags' })] }),
      model([tags()], { indexes: [new GinIndex({ fields: ['tags'], name: 'post_tags', fastupdate: false })] }),
    );
    assert.deepEqual(names(ops), ['RemoveIndex', 'AddIndex']);
  });

  test('GinIndex → BrinIndex is a different index; a renamed GinIndex is a RenameIndex', async () => {
    const gin = (name: string) => ({ indexes: [new GinIndex({ fields: ['tags'], name })] });
    assert.deepEqual(names(await detect(model([tags()], gin('a')), model([tags()], { indexes: [new BrinIndex({ fields: ['tags'], name: 'a' })] }))), ['RemoveIndex', 'AddIndex']);
    const ops = await detect(model([tags()], gin('a')), model([tags()], gin('b')));
    assert.deepEqual(names(ops), ['RenameIndex']);
    assert.deepEqual([(ops[0] as RenameIndex).oldName, (ops[0] as RenameIndex).newName], ['a', 'b']);
  });
});

// The project lives inside the repository so its files import 'nuages/db' as a real project does.
const WORK = join(import.meta.dirname, `.work-pg-${process.pid}`);
const MIGRATIONS = join(WORK, 'shop', 'migrations');

const MODELS = `
import { CharField, Model } from 'nuages/db';
import { ArrayField, GinIndex } from 'nuages/contrib/postgres';

export class Post extends Model<Post>()({
  title: new CharField({ maxLength: 100 }),
  tags: new ArrayField(new CharField({ maxLength: 20 }), { size: 8, default: () => [] }),
}, {
  indexes: [new GinIndex({ fields: ['tags'], name: 'post_tags_gin', fastupdate: false })],
}) {}
`;

function output() {
  return { text: '', write(chunk: string) { this.text += chunk; } };
}

describe('makemigrations and migrate with ArrayField and GinIndex on PostgreSQL', () => {
  before(async () => {
    mkdirSync(join(WORK, 'shop'), { recursive: true });
    writeFileSync(join(WORK, 'shop', 'models.ts'), MODELS);
    await apps.populate(['shop'], { baseDir: WORK });
    connections.configure({ default: postgresTestSettings() });
  });

  after(async () => {
    await connections.closeAll();
    rmSync(WORK, { recursive: true, force: true });
  });

  test('the written migration imports and uses ArrayField and GinIndex', async () => {
    await callCommand('makemigrations', { stdout: output() });
    const text = readFileSync(join(MIGRATIONS, '0001_initial.ts'), 'utf8');
    assert.match(text, /^import \{ ArrayField, GinIndex \} from 'nuages\/contrib\/postgres';$/m);
    assert.match(text, /^import \{ BigAutoField, CharField \} from 'nuages\/db';$/m);
    assert.match(text, /\['tags', new ArrayField\(new CharField\(\{ maxLength: 20 \}\), \{ default: \(\) => \[\], size: 8 \}\)\]/);
    assert.match(text, /new GinIndex\(\{ fields: \['tags'\], name: 'post_tags_gin', fastupdate: false \}\)/);
    assert.doesNotMatch(text, /new Index\(/);
  });

  test('the written file loads as a Migration holding the same classes', async () => {
    const loaded = (await import(pathToFileURL(join(MIGRATIONS, '0001_initial.ts')).href)) as { default: Migration };
    assert.ok(loaded.default instanceof Migration);
    const written = writeMigration({ dependencies: loaded.default.dependencies, operations: loaded.default.operations, initial: true }, { now: new Date(0) });
    assert.match(written, /new ArrayField\(new CharField\(\{ maxLength: 20 \}\)/);
    assert.match(written, /new GinIndex\(/);
  });

  test('a second makemigrations finds no changes', async () => {
    const out = output();
    await callCommand('makemigrations', { stdout: out });
    assert.match(out.text, /No changes detected/);
  });

  test('migrate creates the array column and a GIN index with its storage parameter', async () => {
    await callCommand('migrate', { stdout: output() });
    const db = connections.get();
    const column = await db.fetchOne({
      sql: "SELECT data_type, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'shop_post' AND column_name = 'tags'",
      params: [],
    });
    assert.deepEqual(column, ['ARRAY', '_varchar']);
    const index = await db.fetchOne({
      sql: "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'post_tags_gin'",
      params: [],
    });
    assert.ok(index, 'pg_indexes has post_tags_gin');
    assert.match(String(index[0]), /USING gin \(tags\) WITH \(fastupdate='?off'?\)/);
  });
});

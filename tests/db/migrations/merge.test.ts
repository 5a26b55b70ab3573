import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { apps } from '../../../src/conf/apps.ts';
import { connections } from '../../../src/db/index.ts';
import { callCommand, CommandError } from '../../../src/core/management/index.ts';
import { InteractiveMigrationQuestioner, MigrationQuestioner } from '../../../src/db/migrations/questioner.ts';
import { testDatabaseSettings } from '../test-database.ts';

// The project lives inside the repository so its files import 'nuages/db' as a real project does.
const WORK = join(import.meta.dirname, `.work-merge-${process.pid}`);
const MIGRATIONS = join(WORK, 'shop', 'migrations');
const MERGE = join(MIGRATIONS, '0003_merge_0002_add_note_0002_add_stock.ts');

const MODELS = `
import { CharField, IntegerField, Model } from 'nuages/db';

export class Item extends Model<Item>()({
  name: new CharField({ maxLength: 100 }),
  stock: new IntegerField({ default: 0 }),
  note: new CharField({ maxLength: 50, default: '' }),
}) {}
`;

// Two migrations written on two branches, each starting from 0001.
const branch = (field: string, declaration: string) => `
import { AddField, Migration } from 'nuages/db/migrations';
import { CharField, IntegerField } from 'nuages/db';

export default new Migration({
  dependencies: [['shop', '0001_initial']],
  operations: [new AddField({ modelName: 'item', name: '${field}', field: ${declaration} })],
});
`;

const INITIAL = `
import { CreateModel, Migration } from 'nuages/db/migrations';
import { BigAutoField, CharField } from 'nuages/db';

export default new Migration({
  initial: true,
  dependencies: [],
  operations: [
    new CreateModel({
      name: 'Item',
      fields: [
        ['id', new BigAutoField({ primaryKey: true })],
        ['name', new CharField({ maxLength: 100 })],
      ],
    }),
  ],
});
`;

function output() {
  return { text: '', write(chunk: string) { this.text += chunk; } };
}

before(async () => {
  mkdirSync(MIGRATIONS, { recursive: true });
  writeFileSync(join(WORK, 'shop', 'models.ts'), MODELS);
  writeFileSync(join(MIGRATIONS, '0001_initial.ts'), INITIAL);
  writeFileSync(join(MIGRATIONS, '0002_add_stock.ts'), branch('stock', 'new IntegerField({ default: 0 })'));
  writeFileSync(join(MIGRATIONS, '0002_add_note.ts'), branch('note', "new CharField({ maxLength: 50, default: '' })"));
  await apps.populate(['shop'], { baseDir: WORK });
  connections.configure({ default: testDatabaseSettings() });
});

after(async () => {
  await connections.closeAll();
  rmSync(WORK, { recursive: true, force: true });
});

describe('makemigrations --merge', () => {
  test('makemigrations without --merge reports the two leaves and points at --merge', async () => {
    await assert.rejects(callCommand('makemigrations', { stdout: output() }), (error: unknown) => {
      assert.ok(error instanceof CommandError);
      assert.match(error.message, /multiple leaf nodes in the migration graph: \(0002_add_note, 0002_add_stock in shop\)/);
      assert.match(error.message, /makemigrations --merge/);
      return true;
    });
  });

  test('migrate refuses to run while the graph has two leaves', async () => {
    await assert.rejects(callCommand('migrate', { stdout: output() }), /Conflicting migrations detected/);
  });

  test('--merge --dry-run lists each branch with its operations and writes nothing', async () => {
    const out = output();
    await callCommand('makemigrations', '--merge', '--dry-run', '--noinput', '--verbosity', '3', { stdout: out });
    assert.match(out.text, /Merging shop\n {2}Branch 0002_add_note\n {4}- Add field note to item\n {2}Branch 0002_add_stock\n {4}- Add field stock to item\n/);
    assert.match(out.text, /Full merge migrations file '0003_merge_0002_add_note_0002_add_stock\.ts':/);
    assert.match(out.text, /operations: \[\n {2}\],/);
    assert.equal(existsSync(MERGE), false);
  });

  test('--merge --noinput writes an empty migration depending on both leaves', async () => {
    const out = output();
    await callCommand('makemigrations', '--merge', '--noinput', { stdout: out });
    assert.match(out.text, /Created new merge migration .*0003_merge_0002_add_note_0002_add_stock\.ts/);
    const text = readFileSync(MERGE, 'utf8');
    assert.match(text, /dependencies: \[\['shop', '0002_add_note'\], \['shop', '0002_add_stock'\]\],\n {2}operations: \[\n {2}\],/);
  });

  test('--merge with nothing left to merge says so and writes nothing', async () => {
    const out = output();
    await callCommand('makemigrations', '--merge', '--noinput', { stdout: out });
    assert.equal(out.text.trim(), 'No conflicts detected to merge.');
  });

  test('migrate applies both branches and the merge', async () => {
    const out = output();
    await callCommand('migrate', { stdout: out });
    for (const name of ['0001_initial', '0002_add_note', '0002_add_stock', '0003_merge_0002_add_note_0002_add_stock']) {
      assert.match(out.text, new RegExp(`Applying shop\\.${name}\\.\\.\\. OK`));
    }
    // The merged state matches the models: both branches' fields are in it.
    await callCommand('makemigrations', '--check', { stdout: output() });
  });

  test('--name names the merge migration; long leaf names fall back to a timestamp', async () => {
    const long = '0004_a_rather_long_branch_name_about_prices';
    writeFileSync(join(MIGRATIONS, `${long}.ts`), INITIAL.replace("initial: true,\n  dependencies: []", "dependencies: [['shop', '0003_merge_0002_add_note_0002_add_stock']]").replace(/operations: \[[\s\S]*\],\n\}\);/, 'operations: [],\n});'));
    writeFileSync(join(MIGRATIONS, '0004_b.ts'), readFileSync(join(MIGRATIONS, `${long}.ts`), 'utf8'));
    const named = output();
    await callCommand('makemigrations', '--merge', '--noinput', '--dry-run', '--name', 'join_prices', '-v', '3', { stdout: named });
    assert.match(named.text, /'0005_join_prices\.ts'/);
    const stamped = output();
    await callCommand('makemigrations', 'shop', '--merge', '--noinput', { stdout: stamped });
    assert.match(stamped.text, /0005_merge_\d{8}_\d{4}\.ts/);
  });

  test('the terminal questioner merges only on yes; without a terminal it merges', async () => {
    const ask = async (answer: string) => {
      const input = new PassThrough();
      const shown = new PassThrough();
      let text = '';
      shown.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      input.end(answer);
      const merged = await new InteractiveMigrationQuestioner(input, shown).askMerge('shop');
      return { merged, text };
    };
    const no = await ask('\n');
    assert.equal(no.merged, false);
    assert.match(no.text, /Should these migration branches be merged\? \[y\/N\] $/);
    assert.equal((await ask('y\n')).merged, true);
    assert.equal(await new MigrationQuestioner().askMerge('shop'), true);
  });
});

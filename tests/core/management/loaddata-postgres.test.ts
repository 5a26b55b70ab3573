/**
 * dumpdata and loaddata on PostgreSQL (127.0.0.1:5432, database `test`, a schema of this
 * file's own): ids given by a fixture move the sequences on, so the next insert works;
 * foreign keys are checked at the end of the load (deferred constraints); the dataset dumps
 * to Django's values and survives a dump, flush and load.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callCommand, CommandError } from '../../../src/core/management/index.ts';
import { connections } from '../../../src/db/connections.ts';
import { createDataset, EXPECTED, output, setUpShelfProject, shelfModels, type ShelfModels } from '../serializers/shelf-project.ts';
import { postgresTestSettings } from '../../db/test-database.ts';

let shelf: ShelfModels;
const dir = mkdtempSync(join(tmpdir(), 'nuages-loaddata-pg-'));

before(async () => {
  await setUpShelfProject({ DATABASES: { default: postgresTestSettings() } });
  shelf = shelfModels();
});
after(async () => {
  await connections.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

async function run(command: string, ...args: string[]): Promise<string> {
  const stdout = output();
  await callCommand(command, ...args, { stdout });
  return stdout.text;
}

describe('loaddata on PostgreSQL', () => {
  beforeEach(() => run('flush', '--noinput'));

  test('resets the sequences, so rows inserted after the fixture get new ids', async () => {
    const printed = await run('loaddata', 'authors', '-v', '2');
    assert.match(printed, /\nResetting sequences\nInstalled 3 object\(s\) from 1 fixture\(s\)\n$/);
    assert.equal((await shelf.Author.objects.create({ name: 'After the fixture' })).pk, 3);
    assert.equal((await shelf.Tag.objects.create({ name: 'next' })).pk, 2);
  });

  test('a row may point to one later in the fixture; a key to no row fails and writes nothing', async () => {
    await run('loaddata', 'authors');
    assert.equal((await shelf.Author.objects.selectRelated('mentor').get({ pk: 1 })).mentor!.name, 'Terry Pratchett');
    await run('flush', '--noinput');
    await assert.rejects(run('loaddata', 'bad_fk'), (error: Error) =>
      error instanceof CommandError && /^Problem installing fixtures: .*shelf_author/s.test(error.message));
    assert.equal(await shelf.Author.objects.count(), 0);
  });
});

describe('dumpdata on PostgreSQL', () => {
  test("writes Django's values for the dataset, and survives dump, flush and load", async () => {
    await run('flush', '--noinput');
    await createDataset();
    const dumped = await run('dumpdata', 'shelf', '--indent', '2');
    // jsonb keeps an object's keys in its own order, so the comparison is of the data.
    assert.deepEqual(JSON.parse(dumped), JSON.parse(readFileSync(join(EXPECTED, 'dump-indent2.json'), 'utf8')));
    const auth = await run('dumpdata', 'auth.group', 'auth.user', '--natural-foreign', '--natural-primary');
    writeFileSync(join(dir, 'auth.json'), auth);
    writeFileSync(join(dir, 'shelf.json'), dumped);
    await run('flush', '--noinput');
    assert.equal(await run('loaddata', join(dir, 'auth.json'), join(dir, 'shelf.json')), 'Installed 21 object(s) from 2 fixture(s)\n');
    assert.equal(await run('dumpdata', 'shelf', '--indent', '2'), dumped);
  });
});

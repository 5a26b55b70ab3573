// makemigrations / sqlmigrate / migrate on an app whose models have FileField and ImageField,
// including a function uploadTo and a storage, which migrations cannot write and leave out.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps } from '../../../src/conf/apps.ts';
import { connections } from '../../../src/db/index.ts';
import { callCommand } from '../../../src/core/management/index.ts';
import { testDatabaseSettings } from '../test-database.ts';

// The project lives inside the repository so its files import 'nuages/db' as a real project does.
const WORK = join(import.meta.dirname, `.work-files-${process.pid}`);
const MIGRATIONS = join(WORK, 'library', 'migrations');

const MODELS = `
import { CharField, FileField, ImageField, IntegerField, Model } from 'nuages/db';
import { FileSystemStorage } from 'nuages/core/files';

const privateStorage = new FileSystemStorage({ location: '/tmp/private-media', baseUrl: null });

export class Scan extends Model<Scan>()({
  title: new CharField({ maxLength: 50 }),
  document: new FileField({ uploadTo: 'scans/%Y/%m/' }),
  original: new FileField({ uploadTo: (_instance: unknown, name: string) => 'originals/' + name, storage: privateStorage, blank: true }),
  long: new FileField({ maxLength: 255, blank: true }),
  cover: new ImageField({ uploadTo: 'covers/', widthField: 'coverWidth', heightField: 'coverHeight', blank: true }),
  coverWidth: new IntegerField({ null: true }),
  coverHeight: new IntegerField({ null: true }),
}) {}
`;

function output() {
  return { text: '', write(chunk: string) { this.text += chunk; } };
}

before(async () => {
  mkdirSync(join(WORK, 'library'), { recursive: true });
  writeFileSync(join(WORK, 'library', 'models.ts'), MODELS);
  await apps.populate(['library'], { baseDir: WORK });
  connections.configure({ default: testDatabaseSettings() });
});

after(async () => {
  await connections.closeAll();
  rmSync(WORK, { recursive: true, force: true });
});

describe('migrations of file fields', () => {
  test('makemigrations writes uploadTo strings and leaves out functions and storages', async () => {
    const out = output();
    await callCommand('makemigrations', { stdout: out });
    assert.match(out.text, /- Create model Scan/);
    const text = readFileSync(join(MIGRATIONS, '0001_initial.ts'), 'utf8');
    assert.match(text, /import \{[^}]*FileField[^}]*ImageField[^}]*\} from 'nuages\/db';/s);
    assert.match(text, /\['document', new FileField\(\{ uploadTo: 'scans\/%Y\/%m\/' \}\)\]/);
    assert.match(text, /\['original', new FileField\(\{ blank: true, uploadTo: '' \}\)\]/);
    assert.match(text, /\['long', new FileField\(\{ blank: true, maxLength: 255, uploadTo: '' \}\)\]/);
    assert.match(text, /\['cover', new ImageField\(\{ blank: true, heightField: 'coverHeight', uploadTo: 'covers\/', widthField: 'coverWidth' \}\)\]/);
    assert.doesNotMatch(text, /storage|originals|private-media/);
  });

  test('makemigrations --check sees no change afterwards', async () => {
    const out = output();
    await callCommand('makemigrations', '--check', { stdout: out });
    assert.equal(out.text.trim(), 'No changes detected');
  });

  test('sqlmigrate gives varchar(100) and varchar(255) columns; migrate applies it', async () => {
    const out = output();
    await callCommand('sqlmigrate', 'library', '0001', { stdout: out });
    assert.match(out.text, /"document" varchar\(100\) NOT NULL/);
    assert.match(out.text, /"long" varchar\(255\) NOT NULL/);
    assert.match(out.text, /"cover" varchar\(100\) NOT NULL/);
    const applied = output();
    await callCommand('migrate', { stdout: applied });
    assert.match(applied.text, /Applying library\.0001_initial\.\.\. OK/);
  });
});

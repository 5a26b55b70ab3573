/**
 * `manage.ts loaddata` against Django 5.2: each case fixtures_oracle.py ran with Django's
 * command (same fixtures: project/shelf/fixtures, project/more_fixtures) must print the
 * same lines, fail with the same message and leave the same rows. Then what only shows
 * here: raw saves, one transaction, compressed files, and fixtures Django wrote.
 */
import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { apps } from '../../../src/conf/apps.ts';
import { overrideSettings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import { Group, User } from '../../../src/contrib/auth/models.ts';
import { callCommand, CommandError } from '../../../src/core/management/index.ts';
import type { ModelBase } from '../../../src/db/models/base.ts';
import { postSave, preSave } from '../../../src/db/models/signals.ts';
import { createDataset, EXPECTED, oracleCases, output, PROJECT, shelfModels, useShelfProject } from '../serializers/shelf-project.ts';

interface OracleRun {
  stdout: string;
  stderr: string;
  error: { type: string; message: string } | null;
  warnings: string[];
  rows: Record<string, number>;
}

const messages = JSON.parse(readFileSync(join(EXPECTED, 'messages.json'), 'utf8')) as { loaddata: Record<string, OracleRun> };
const SERIALIZERS = join(PROJECT, '..');
const FIXTURES = join(PROJECT, 'shelf', 'fixtures');

const LOADDATA_CASES = oracleCases().loaddata;

/**
 * Where Nuages says more than Django, its message starts with Django's and goes on with
 * what was wrong: the JSON parser's complaint (Django's message stops at the file name),
 * the fields the model has, the database and SQL of a database error.
 */
// Django's sentence first, then what Nuages adds (the parser's complaint, the field list, the SQL, the installed labels).
const MESSAGE_EXTENDED = new Set(['invalid JSON', 'unknown field', 'a database error', 'exclude an unknown app']);

const SHELF_MODELS = ['shelf.author', 'shelf.book', 'shelf.issue', 'shelf.loan', 'shelf.member', 'shelf.series', 'shelf.tag'];

function stable(text: string): string {
  return text.replaceAll(SERIALIZERS, '<serializers>').replaceAll(process.cwd(), '<cwd>');
}

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const label of SHELF_MODELS) counts[label] = await (apps.getModel(label) as unknown as typeof ModelBase).objects.all().count();
  return counts;
}

async function emptyShelf(): Promise<void> {
  await callCommand('flush', '--noinput', { stdout: output() });
}

async function loaddata(args: readonly string[], stdin?: string): Promise<{ stdout: string; stderr: string }> {
  const stdout = output();
  const stderr = output();
  await callCommand('loaddata', ...args, { stdout, stderr, stdin: stdin === undefined ? undefined : Readable.from([stdin]) });
  return { stdout: stdout.text, stderr: stderr.text };
}

const dir = mkdtempSync(join(tmpdir(), 'nuages-loaddata-'));

useShelfProject();
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loaddata prints, fails and loads as Django does', () => {
  beforeEach(emptyShelf);
  for (const [name, args] of Object.entries(LOADDATA_CASES)) {
    test(name, async () => {
      const expected = messages.loaddata[name]!;
      const stdin = args[0] === '-' ? '[{"model": "shelf.tag", "pk": 5, "fields": {"name": "from stdin"}}]' : undefined;
      if (expected.error) {
        await assert.rejects(loaddata(args, stdin), (error: Error) => {
          assert.ok(error instanceof CommandError, `${error.name}: ${error.message}`);
          const message = stable(error.message);
          if (MESSAGE_EXTENDED.has(name)) assert.ok(message.startsWith(expected.error!.message), `${message}\n  should start with\n${expected.error!.message}`);
          else assert.equal(message, expected.error!.message);
          return true;
        });
      } else {
        const { stdout, stderr } = await loaddata(args, stdin);
        assert.equal(stable(stdout), expected.stdout);
        assert.equal(stderr, expected.warnings.map((warning) => `${warning}\n`).join(''));
      }
      assert.deepEqual(await rowCounts(), expected.rows);
    });
  }
});

describe('what loading does to the rows', () => {
  beforeEach(emptyShelf);

  test('natural keys name rows, and forward references are set once the rows exist', async () => {
    await loaddata(['natural']);
    const { Book, Author, Issue } = shelfModels();
    const book = await Book.objects.selectRelated('author', 'editor').get({ pk: 7 });
    assert.equal(book.author.name, 'Terry Pratchett');
    assert.equal(book.editor!.name, 'Ursula K. Le Guin');
    assert.equal(book.readingTime, 93_784_500, '"1 02:03:04.500000" is read as Django writes durations');
    assert.deepEqual((await book.tags.orderBy('name')).map((tag) => tag.name), ['fantasy', 'later']);
    const leGuin = await Author.objects.selectRelated('mentor').get({ name: 'Ursula K. Le Guin' });
    assert.equal(leGuin.mentor!.name, 'Terry Pratchett');
    assert.deepEqual((await Issue.objects.selectRelated('series').get({ number: 4 })).naturalKey(), ['Discworld', 4]);
  });

  test('loading a fixture again updates the rows its natural keys name instead of adding others', async () => {
    await loaddata(['natural']);
    const { Tag } = shelfModels();
    const ids = await Tag.objects.orderBy('pk').valuesList('pk', { flat: true });
    await loaddata(['natural']);
    assert.deepEqual(await Tag.objects.orderBy('pk').valuesList('pk', { flat: true }), ids);
  });

  test('preSave and postSave receivers get raw: true, and the values are saved as given', async () => {
    const seen: string[] = [];
    const { Tag } = shelfModels();
    const onPre = ({ raw }: { raw: boolean }) => void seen.push(`pre raw=${raw}`);
    const onPost = ({ raw, created }: { raw: boolean; created: boolean }) => void seen.push(`post raw=${raw} created=${created}`);
    preSave.connect(onPre, { sender: Tag });
    postSave.connect(onPost, { sender: Tag });
    try {
      await loaddata(['tags']);
      await loaddata(['tags']);
    } finally {
      preSave.disconnect(onPre, { sender: Tag });
      postSave.disconnect(onPost, { sender: Tag });
    }
    assert.deepEqual(seen, [
      'pre raw=true', 'post raw=true created=true', 'pre raw=true', 'post raw=true created=true',
      'pre raw=true', 'post raw=true created=false', 'pre raw=true', 'post raw=true created=false',
    ]);
  });

  test('nothing is written when an object fails, not even the objects before it', async () => {
    const path = join(dir, 'half.json');
    writeFileSync(path, JSON.stringify([
      { model: 'shelf.tag', pk: 1, fields: { name: 'kept?' } },
      { model: 'shelf.tag', pk: 2, fields: { name: null } },
    ]));
    await assert.rejects(loaddata([path]), /Could not load shelf\.Tag\(pk=2\): NOT NULL constraint failed: shelf_tag\.name/);
    assert.equal((await rowCounts())['shelf.tag'], 0);
  });

  test('a many-to-many key to no row fails naming the join table, and nothing is written', async () => {
    const book = JSON.parse(readFileSync(join(FIXTURES, 'natural.json'), 'utf8'))[5] as { fields: Record<string, unknown> };
    const path = join(dir, 'bad-m2m.json');
    writeFileSync(path, JSON.stringify([
      { model: 'shelf.tag', pk: 1, fields: { name: 'a' } },
      { model: 'shelf.author', pk: 2, fields: { name: 'x', bio: '', born: null, mentor: null } },
      { model: 'shelf.book', pk: 1, fields: { ...book.fields, author: 2, editor: null, tags: [1, 99] } },
    ]));
    await assert.rejects(loaddata([path]), {
      message: "Problem installing fixtures: The row in table 'shelf_book_tags' with primary key '2' has an invalid foreign key: " +
        "shelf_book_tags.tag_id contains a value '99' that does not have a corresponding value in shelf_tag.id.",
    });
    assert.equal((await rowCounts())['shelf.book'], 0);
  });

  test('a zip holding one fixture is read; one holding two is refused', async () => {
    writeFileSync(join(dir, 'zipped.json.zip'), zipSync({ 'zipped.json': readFileSync(join(FIXTURES, 'authors.json')) }));
    assert.equal((await loaddata([join(dir, 'zipped')])).stdout, 'Installed 3 object(s) from 1 fixture(s)\n');
    writeFileSync(join(dir, 'two.json.zip'), zipSync({ 'a.json': new Uint8Array([91, 93]), 'b.json': new Uint8Array([91, 93]) }));
    await assert.rejects(loaddata([join(dir, 'two.json.zip')]), /Zip-compressed fixtures must contain one file\./);
  });

  test('an xz fixture is found but refused, saying how to read it', async () => {
    writeFileSync(join(dir, 'packed.json.xz'), 'not really xz');
    await assert.rejects(loaddata([join(dir, 'packed')]), /reads gzip \(\.gz\) and zip \(\.zip\) fixtures, not \.xz\. Decompress it first \(unxz packed\.json\.xz\)/);
  });

  test('a gzip fixture named with its extensions', async () => {
    writeFileSync(join(dir, 'series.json.gz'), gzipSync(readFileSync(join(PROJECT, 'more_fixtures', 'series.json'))));
    assert.equal((await loaddata([join(dir, 'series.json.gz')])).stdout, 'Installed 2 object(s) from 1 fixture(s)\n');
  });
});

describe('FIXTURE_DIRS mistakes are reported as Django reports them', () => {
  test('a folder listed twice', async () => {
    const twice = [join(PROJECT, 'more_fixtures'), join(PROJECT, 'more_fixtures')];
    await overrideSettings({ FIXTURE_DIRS: twice }, () =>
      assert.rejects(loaddata(['series']), (error: Error) => error instanceof ImproperlyConfigured && error.message === 'settings.FIXTURE_DIRS contains duplicates.'));
  });

  test("an app's own fixtures folder", async () => {
    await overrideSettings({ FIXTURE_DIRS: [FIXTURES] }, () =>
      assert.rejects(loaddata(['series']), {
        message: `'${FIXTURES}' is a default fixture directory for the 'shelf' app and cannot be listed in settings.FIXTURE_DIRS.`,
      }));
  });
});

describe('round trips', () => {
  beforeEach(emptyShelf);

  test('dumpdata, flush, loaddata: the same rows, dumped the same', async () => {
    await createDataset();
    const path = join(dir, 'shelf-dump.json');
    const before = output();
    await callCommand('dumpdata', 'shelf', '--indent', '2', { stdout: before });
    writeFileSync(path, before.text);
    await emptyShelf();
    await createUsersAndGroups();
    assert.equal((await loaddata([path])).stdout, 'Installed 17 object(s) from 1 fixture(s)\n');
    const again = output();
    await callCommand('dumpdata', 'shelf', '--indent', '2', { stdout: again });
    assert.equal(again.text, before.text);
  });

  test("Django's natural-key dump loads into an empty database and dumps as Django dumped the rows", async () => {
    await createDataset();
    await callCommand('flush', '--noinput', { stdout: output() });
    await createUsersAndGroups();
    await loaddata([join(EXPECTED, 'dump-natural.json')]);
    const dumped = output();
    await callCommand('dumpdata', 'shelf', { stdout: dumped });
    assert.equal(dumped.text, readFileSync(join(EXPECTED, 'dump-plain.json'), 'utf8'));
  });

  test("Django's auth fixture (snake_case field names, natural keys) loads", async () => {
    await loaddata([join(EXPECTED, 'auth-natural.json')]);
    const ada = await User.objects.get({ username: 'ada' });
    assert.equal(ada.isActive, true);
    assert.equal(ada.isStaff, false);
    assert.equal(ada.dateJoined.toISOString(), '2024-01-01T09:00:00.000Z');
    assert.deepEqual(await ada.groups.valuesList('name', { flat: true }), ['readers']);
    const staff = await Group.objects.get({ name: 'staff' });
    assert.deepEqual(await staff.permissions.orderBy('codename').valuesList('codename', { flat: true }), ['add_book', 'view_tag']);
  });
});

/** The users and groups of the dataset alone, which the shelf's natural keys name. */
async function createUsersAndGroups(): Promise<void> {
  const users = readFileSync(join(EXPECTED, 'auth-natural.json'), 'utf8');
  const path = join(dir, 'auth.json');
  writeFileSync(path, users);
  await loaddata([path]);
}

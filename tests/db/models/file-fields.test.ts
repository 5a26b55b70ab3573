// Model FileField / ImageField: names, collisions, traversal and URLs follow Django 5.2's FileField on the same inputs.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure } from '../../../src/conf/index.ts';
import { ContentFile, FileSystemStorage, SuspiciousFileOperation, UploadedFile } from '../../../src/core/files/index.ts';
import {
  CharField, FieldFile, FileField, ImageField, ImageFieldFile, IntegerField, Model, NoFileAssociatedError,
  connections, createTables, uploadDate,
} from '../../../src/db/index.ts';
import { Imports, serializeField } from '../../../src/db/migrations/index.ts';
import { testDatabaseSettings, testVendor } from '../test-database.ts';

const root = await mkdtemp(join(tmpdir(), 'nuages-media-'));
configure({ SECRET_KEY: 'file-fields-tests', MEDIA_ROOT: root, MEDIA_URL: '/media/' });
connections.configure({ default: testDatabaseSettings() });

const PNG_3x2 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAC0lEQVR4nGNgwAQAABQAAX3+Hu4AAAAASUVORK5CYII=', 'base64');
const PNG_5x4 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAUAAAAECAIAAADJUWIXAAAADElEQVR4nGNgoAwAAABAAAG3NHzvAAAAAElFTkSuQmCC', 'base64');

class Doc extends Model<Doc>()({
  title: new CharField({ maxLength: 30 }),
  attachment: new FileField({ uploadTo: 'docs/', blank: true }),
  dated: new FileField({ uploadTo: 'dated/%Y/%m/', blank: true }),
  byOwner: new FileField({ uploadTo: (instance: { title: string }, filename: string): string => `owners/${instance.title}/${filename}`, blank: true }),
}, { appLabel: 'filefields' }) {}

class Photo extends Model<Photo>()({
  image: new ImageField({ uploadTo: 'photos/', widthField: 'width', heightField: 'height', blank: true }),
  width: new IntegerField({ null: true }),
  height: new IntegerField({ null: true }),
}, { appLabel: 'filefields' }) {}

const upload = (name: string, content: string | Uint8Array, type = 'text/plain') => UploadedFile.fromContent(name, content, type);
// The attribute reads as a FieldFile; assigning an upload is a run-time conversion the static type does not model.
const assign = (instance: object, field: string, value: unknown) => {
  (instance as Record<string, unknown>)[field] = value;
};

before(async () => {
  await createTables([Doc, Photo]);
});

after(async () => {
  await connections.closeAll();
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  await Doc.objects.all().delete();
  await Photo.objects.all().delete();
});

describe('FieldFile on an instance', () => {
  test('a new instance holds an empty FieldFile: no file, name "", url refused', () => {
    const doc = new Doc({ title: 'a' });
    assert.ok(doc.attachment instanceof FieldFile);
    assert.equal(doc.attachment.hasFile, false);
    assert.equal(String(doc.attachment), '');
    assert.throws(() => doc.attachment.url, NoFileAssociatedError);
    assert.throws(() => doc.attachment.url, /The 'attachment' attribute has no file associated with it/);
  });

  test('saving an instance with an assigned upload stores the file and the name', async () => {
    const doc = new Doc({ title: 'a' });
    assign(doc, 'attachment', upload('report.txt', 'hello'));
    assert.equal(doc.attachment.committed, false);
    await doc.save();
    assert.equal(doc.attachment.name, 'docs/report.txt');
    assert.equal(doc.attachment.committed, true);
    assert.equal(await readFile(join(root, 'docs/report.txt'), 'utf8'), 'hello');
    const loaded = await Doc.objects.get({ pk: doc.pk });
    assert.ok(loaded.attachment instanceof FieldFile);
    assert.equal(loaded.attachment.name, 'docs/report.txt');
    assert.equal(loaded.attachment.url, '/media/docs/report.txt');
    assert.equal(loaded.attachment.path, join(root, 'docs/report.txt'));
    assert.equal(await loaded.attachment.size(), 5);
    assert.equal((await loaded.attachment.read()).toString(), 'hello');
    assert.deepEqual(await Doc.objects.filter({ pk: doc.pk }).valuesList('attachment', { flat: true }), ['docs/report.txt']);
  });

  test('the constructor accepts an upload too, and toJSON gives the name', async () => {
    const doc = await Doc.objects.create({ title: 'b', attachment: upload('x.txt', 'x') as never });
    assert.equal(doc.attachment.name, 'docs/x.txt');
    assert.equal(JSON.parse(JSON.stringify(doc)).attachment, 'docs/x.txt');
  });

  test('a taken name gets Django\'s _<7 letters/digits> suffix before the extension', async () => {
    const first = await Doc.objects.create({ title: 'a', attachment: upload('same.tar.gz', '1') as never });
    const second = await Doc.objects.create({ title: 'b', attachment: upload('same.tar.gz', '2') as never });
    assert.equal(first.attachment.name, 'docs/same.tar.gz');
    assert.match(second.attachment.name!, /^docs\/same_[A-Za-z0-9]{7}\.tar\.gz$/);
    assert.equal(await readFile(join(root, first.attachment.name!), 'utf8'), '1');
    assert.equal(await readFile(join(root, second.attachment.name!), 'utf8'), '2');
  });

  test('file.save(name, content) names the file through uploadTo, cleans it and saves the row', async () => {
    const doc = await Doc.objects.create({ title: 'c' });
    await doc.attachment.save("john's notes 2004.txt", new ContentFile('n'));
    assert.equal(doc.attachment.name, 'docs/johns_notes_2004.txt');
    const loaded = await Doc.objects.get({ pk: doc.pk });
    assert.equal(loaded.attachment.name, 'docs/johns_notes_2004.txt');
  });

  test('save({ save: false }) stores the file without writing the row', async () => {
    const doc = await Doc.objects.create({ title: 'd' });
    await doc.attachment.save('later.txt', 'l', { save: false });
    assert.equal(doc.attachment.name, 'docs/later.txt');
    assert.equal((await Doc.objects.get({ pk: doc.pk })).attachment.name, '');
  });

  test('uploadTo with strftime parts and uploadTo as a function', async () => {
    const doc = new Doc({ title: 'ann' });
    assign(doc, 'dated', upload('d.txt', 'd'));
    assign(doc, 'byOwner', upload('o.txt', 'o'));
    await doc.save();
    assert.equal(doc.dated.name, `${uploadDate('dated/%Y/%m')}/d.txt`);
    assert.match(doc.dated.name!, /^dated\/\d{4}\/\d{2}\/d\.txt$/);
    assert.equal(doc.byOwner.name, 'owners/ann/o.txt');
    assert.equal(uploadDate('%Y-%m-%d %b %%', new Date(Date.UTC(2024, 1, 9, 12))), '2024-02-09 Feb %');
  });

  test('path traversal is refused, and nothing is written outside MEDIA_ROOT', async () => {
    const doc = await Doc.objects.create({ title: '..' });
    await assert.rejects(doc.attachment.save('../../escape.txt', 'x'), SuspiciousFileOperation);
    // A function uploadTo that builds '..' from user data (the title) is refused the same way.
    await assert.rejects(doc.byOwner.save('o.txt', 'x'), SuspiciousFileOperation);
    await assert.rejects(doc.attachment.save('/etc/passwd', 'x'), SuspiciousFileOperation);
    assert.equal(existsSync(join(root, '..', 'escape.txt')), false);
    assert.throws(() => new FileField({ uploadTo: '/abs/' }), /absolute path/);
  });

  test('delete() removes the file and clears the field; deleting the row keeps the file', async () => {
    const doc = await Doc.objects.create({ title: 'e', attachment: upload('gone.txt', 'g') as never });
    const path = doc.attachment.path;
    await doc.attachment.delete();
    assert.equal(existsSync(path), false);
    assert.equal(doc.attachment.hasFile, false);
    assert.equal((await Doc.objects.get({ pk: doc.pk })).attachment.name, '');

    const kept = await Doc.objects.create({ title: 'f', attachment: upload('kept.txt', 'k') as never });
    const keptPath = kept.attachment.path;
    await kept.delete();
    assert.equal(existsSync(keptPath), true);
  });

  test('assigning a name points at an existing file; refreshFromDb keeps a FieldFile', async () => {
    const doc = await Doc.objects.create({ title: 'g', attachment: upload('one.txt', '1') as never });
    const other = new Doc({ title: 'h' });
    assign(other, 'attachment', doc.attachment.name);
    await other.save();
    assert.equal(other.attachment.url, '/media/docs/one.txt');
    await Doc.objects.filter({ pk: other.pk }).update({ attachment: 'docs/two.txt' });
    await other.refreshFromDb();
    assert.ok(other.attachment instanceof FieldFile);
    assert.equal(other.attachment.name, 'docs/two.txt');
  });

  test('a storage given to the field is used instead of the default', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'nuages-other-'));
    try {
      const field = new FileField({ storage: () => new FileSystemStorage({ location: elsewhere, baseUrl: '/other/' }), uploadTo: 'x' });
      assert.equal(field.storage.url('x/a.txt'), '/other/x/a.txt');
      assert.equal(field.storage, field.storage);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('saveFormData: an upload replaces, false clears, null keeps (as a ModelForm saves)', () => {
    const doc = new Doc({ title: 'i' });
    const field = Doc._meta.getField('attachment') as FileField;
    assign(doc, 'attachment', 'docs/a.txt');
    field.saveFormData(doc, null);
    assert.equal(doc.attachment.name, 'docs/a.txt');
    field.saveFormData(doc, upload('b.txt', 'b'));
    assert.equal(doc.attachment.name, 'b.txt');
    assert.equal(doc.attachment.committed, false);
    field.saveFormData(doc, false);
    assert.equal(doc.attachment.hasFile, false);
  });
});

describe('ImageField', () => {
  test('saving an image upload fills widthField and heightField', async () => {
    const photo = await Photo.objects.create({ image: upload('tiny.png', PNG_3x2, 'image/png') as never });
    assert.ok(photo.image instanceof ImageFieldFile);
    assert.equal(photo.image.name, 'photos/tiny.png');
    assert.deepEqual([photo.width, photo.height], [3, 2]);
    const loaded = await Photo.objects.get({ pk: photo.pk });
    assert.deepEqual([loaded.width, loaded.height], [3, 2]);
    assert.deepEqual([(loaded.image as ImageFieldFile).width, (loaded.image as ImageFieldFile).height], [3, 2]);
  });

  test('assigning another image updates the dimensions at once; clearing it empties them', async () => {
    const photo = await Photo.objects.create({ image: upload('a.png', PNG_3x2, 'image/png') as never });
    assign(photo, 'image', upload('b.png', PNG_5x4, 'image/png'));
    assert.deepEqual([photo.width, photo.height], [5, 4]);
    await photo.save();
    assert.deepEqual([photo.width, photo.height], [5, 4]);
    assign(photo, 'image', '');
    assert.deepEqual([photo.width, photo.height], [null, null]);
  });

  test('file.save() on an image field records the dimensions', async () => {
    const photo = await Photo.objects.create({});
    await photo.image.save('c.png', new ContentFile(PNG_5x4));
    assert.deepEqual([photo.width, photo.height], [5, 4]);
    assert.deepEqual([(await Photo.objects.get({ pk: photo.pk })).width], [5]);
  });
});

describe('migrations', () => {
  test('writes uploadTo as a string (always), drops maxLength 100, a storage and a function uploadTo', () => {
    const write = (field: FileField) => serializeField(field, new Imports());
    assert.equal(write(new FileField()), "new FileField({ uploadTo: '' })");
    assert.equal(write(new FileField({ uploadTo: 'docs/%Y/', maxLength: 200 })), "new FileField({ maxLength: 200, uploadTo: 'docs/%Y/' })");
    assert.equal(
      write(new FileField({ uploadTo: (_i, f) => f, storage: new FileSystemStorage({ location: root }), blank: true })),
      "new FileField({ blank: true, uploadTo: '' })",
    );
    assert.equal(
      write(new ImageField({ uploadTo: 'c/%Y', widthField: 'w', heightField: 'h' })),
      "new ImageField({ heightField: 'h', uploadTo: 'c/%Y', widthField: 'w' })",
    );
  });

  test('the column is varchar(100) by default', async () => {
    const connection = connections.get();
    const sql =
      testVendor === 'sqlite'
        ? "SELECT type FROM pragma_table_info('filefields_doc') WHERE name = 'attachment'"
        : "SELECT 'varchar(' || character_maximum_length || ')' FROM information_schema.columns WHERE table_name = 'filefields_doc' AND column_name = 'attachment' AND table_schema = current_schema()";
    const rows = await connection.fetchAll({ sql, params: [] });
    assert.equal(String(rows[0]![0]).toLowerCase(), 'varchar(100)');
  });
});

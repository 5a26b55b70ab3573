// Names and messages match Django 5.2's FileSystemStorage and get_valid_filename on the same inputs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import {
  ContentFile,
  FileSystemStorage,
  InvalidStorageError,
  Storage,
  StorageUnsupportedError,
  SuspiciousFileOperation,
  UploadedFile,
  defaultStorage,
  getValidFilename,
  storages,
  validateFileName,
} from '../../../src/core/files/index.ts';
import { parseMultipart, encodeMultipart } from '../../../src/http/multipart.ts';

configure({ SECRET_KEY: 'files-tests-secret' });

let root: string;
let storage: FileSystemStorage;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'nuages-storage-'));
  storage = new FileSystemStorage({ location: root, baseUrl: '/media' });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('getValidFilename', () => {
  test('keeps letters, digits, - _ . and turns spaces into underscores, as Django', () => {
    assert.equal(getValidFilename("john's portrait in 2004.jpg"), 'johns_portrait_in_2004.jpg');
    assert.equal(getValidFilename('  a b  '), 'a_b');
    assert.equal(getValidFilename('日本 語.png'), '日本_語.png');
    assert.equal(getValidFilename('émoji😀.png'), 'émoji.png');
    assert.equal(getValidFilename('a\x00b.txt'), 'ab.txt');
    assert.equal(getValidFilename('../etc/passwd'), '..etcpasswd');
  });

  test('refuses a name with nothing usable left', () => {
    for (const name of ['', '   ', '..', '/', '💥']) {
      assert.throws(() => getValidFilename(name), (e: unknown) => e instanceof SuspiciousFileOperation && e.code === 'NUAGES_SUSPICIOUS_FILE_OPERATION');
    }
  });
});

describe('validateFileName', () => {
  test('refuses traversal and absolute paths, allows plain relative folders', () => {
    assert.equal(validateFileName('covers/a.png', true), 'covers/a.png');
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'a/../../b.txt', 'a\\..\\..\\b.txt']) {
      assert.throws(() => validateFileName(bad, true), /Detected path traversal attempt/);
    }
    assert.throws(() => validateFileName('covers/a.png'), /includes path elements/);
    assert.throws(() => validateFileName('covers/..', true), /Could not derive file name/);
  });
});

describe('FileSystemStorage', () => {
  test('saves content and reads it back; url, size, path and exists agree', async () => {
    const name = await storage.save('notes/hello world.txt', new ContentFile('hello'));
    assert.equal(name, 'notes/hello world.txt');
    assert.equal(await storage.exists(name), true);
    assert.equal(await storage.size(name), 5);
    assert.equal(storage.path(name), join(root, 'notes', 'hello world.txt'));
    assert.equal(storage.url(name), '/media/notes/hello%20world.txt');
    assert.equal((await (await storage.open(name)).read()).toString(), 'hello');
    await storage.delete(name);
    assert.equal(await storage.exists(name), false);
    await storage.delete(name); // deleting a missing file is fine
  });

  test('a taken name gets _ plus 7 random letters/digits before all extensions', async () => {
    const first = await storage.save('archive.tar.gz', 'one');
    const second = await storage.save('archive.tar.gz', 'two');
    assert.equal(first, 'archive.tar.gz');
    assert.match(second, /^archive_[A-Za-z0-9]{7}\.tar\.gz$/);
    assert.equal(await readFile(join(root, first), 'utf8'), 'one');
    assert.equal(await readFile(join(root, second), 'utf8'), 'two');
  });

  test('maxLength truncates the root to fit, and fails clearly when nothing fits', async () => {
    await storage.save('long/abcdefghij.txt', 'x');
    const name = await storage.save('long/abcdefghij.txt', 'y', 22);
    assert.ok(name.length <= 22, name);
    assert.match(name, /^long\/abcde_[A-Za-z0-9]{7}\.txt$/);
    await assert.rejects(storage.save('long/abcdefghij.txt', 'z', 12), /Storage can not find an available filename/);
  });

  test('refuses ../ names, absolute names and names escaping through the folder', async () => {
    for (const bad of ['../../etc/passwd', '/etc/passwd', 'a/../../x.txt', '..\\..\\x.txt']) {
      await assert.rejects(storage.save(bad, 'x'), SuspiciousFileOperation);
    }
    assert.throws(() => storage.path('../outside.txt'), /located outside of the base path/);
    await assert.rejects(storage.exists('../../etc/passwd'), SuspiciousFileOperation);
    await assert.rejects(storage.delete('../x'), SuspiciousFileOperation);
    assert.equal(existsSync(join(root, '..', 'x.txt')), false);
  });

  test('generateFilename cleans the file name but keeps the folder; refuses .. folders', () => {
    assert.equal(storage.generateFilename('covers/my cover (1).png'), 'covers/my_cover_1.png');
    assert.equal(storage.generateFilename('./covers//a b.png'), 'covers/a_b.png');
    assert.throws(() => storage.generateFilename('../covers/a.png'), /path traversal/);
  });

  test('an upload spilled to a temporary file is moved in without being overwritten', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nuages-upload-'));
    try {
      await overrideSettings({ FILE_UPLOAD_MAX_MEMORY_SIZE: 4, FILE_UPLOAD_TEMP_DIR: dir }, async () => {
        const { body, contentType } = await encodeMultipart({ doc: UploadedFile.fromContent('big file.bin', 'x'.repeat(100)) });
        const { files } = await parseMultipart((async function* () { yield body; })(), { contentType, fileMaxMemorySize: 4, tempDir: dir });
        const upload = files.get('doc')!;
        assert.ok(upload.temporaryFilePath);
        await writeFile(join(root, 'big file.bin'), 'existing');
        const name = await storage.save(upload.name, upload);
        assert.notEqual(name, 'big file.bin');
        assert.equal(await readFile(join(root, 'big file.bin'), 'utf8'), 'existing');
        assert.equal((await readFile(join(root, name))).length, 100);
        await upload.close();
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('allowOverwrite replaces the file under the same name', async () => {
    const over = new FileSystemStorage({ location: root, allowOverwrite: true });
    assert.equal(await over.save('same.txt', 'a'), 'same.txt');
    assert.equal(await over.save('same.txt', 'b'), 'same.txt');
    assert.equal(await readFile(join(root, 'same.txt'), 'utf8'), 'b');
  });

  test('exists() sees a dangling symlink, so the name is not reused', async () => {
    await symlink(join(root, 'nowhere'), join(root, 'link.txt'));
    assert.equal(await storage.exists('link.txt'), true);
    assert.notEqual(await storage.save('link.txt', 'x'), 'link.txt');
  });

  test('url() without a base URL says how to fix it', () => {
    assert.throws(() => new FileSystemStorage({ location: root, baseUrl: null }).url('a.txt'), StorageUnsupportedError);
    assert.equal(new FileSystemStorage({ location: root, baseUrl: 'https://cdn.example/m/' }).url('a b/ü.png'), 'https://cdn.example/m/a%20b/%C3%BC.png');
  });
});

describe('STORAGES and defaultStorage()', () => {
  test('default storage follows MEDIA_ROOT and MEDIA_URL', async () => {
    await overrideSettings({ MEDIA_ROOT: root, MEDIA_URL: '/uploads/' }, async () => {
      const media = defaultStorage();
      assert.ok(media instanceof FileSystemStorage);
      assert.equal((media as FileSystemStorage).location, root);
      assert.equal(media.url('a.png'), '/uploads/a.png');
      assert.equal(await media.save('via-default.txt', 'x'), 'via-default.txt');
    });
  });

  test('a Storage class in BACKEND is built with OPTIONS; an unknown alias or name is refused', async () => {
    class Memory extends Storage {
      options: unknown;
      constructor(options?: Record<string, unknown>) {
        super();
        this.options = options;
      }
      files = new Map<string, Buffer>();
      async open(): Promise<never> { throw new Error('unused'); }
      async exists(name: string) { return this.files.has(name); }
      async delete(name: string) { this.files.delete(name); }
      async size(name: string) { return this.files.get(name)?.length ?? 0; }
      url(name: string) { return `mem://${name}`; }
      protected async _save(name: string, content: { read(): Promise<Buffer> }) { this.files.set(name, await content.read()); return name; }
    }
    await overrideSettings({ STORAGES: { default: { BACKEND: Memory, OPTIONS: { bucket: 'b' } }, odd: { BACKEND: 'nope' } } }, async () => {
      const mem = storages('default') as Memory;
      assert.ok(mem instanceof Memory);
      assert.deepEqual(mem.options, { bucket: 'b' });
      assert.equal(storages('default'), mem);
      await mem.save('a.txt', 'x');
      assert.match(await mem.save('a.txt', 'y'), /^a_[A-Za-z0-9]{7}\.txt$/);
      assert.throws(() => storages('missing'), InvalidStorageError);
      assert.throws(() => storages('odd'), /not a built-in storage/);
      assert.throws(() => mem.path('a.txt'), StorageUnsupportedError);
    });
  });
});

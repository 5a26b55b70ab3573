// The bookshop's staff book editor through the test client, on its migrated and seeded
// database: a ModelForm with a cover upload (multipart), Django's errors for a file that
// is not an image and one that is too big, the cover served from MEDIA_ROOT in DEBUG, and
// the cached book pages outdated by the save. The pages need the editors' permissions: each
// test logs in as seed_demo's `staff` (bookshop-accounts.test.ts checks who is turned away).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { apps } from '../../src/conf/apps.ts';
import type { StreamingHttpResponse } from '../../src/http/index.ts';
import { assertNumQueries, Client } from '../../src/test/index.ts';
import type { Book as BookModel } from '../../examples/bookshop/catalog/models.ts';
import type { User as UserModel } from '../../src/contrib/auth/index.ts';
import { useBookshop } from './bookshop-project.ts';

let Book: typeof BookModel;
let User: typeof UserModel;
let MAX_COVER_SIZE: number;

const { dir } = useBookshop('editor', { env: (folder) => ({ CACHE_URL: 'locmem://bookshop-editor-test', MEDIA_ROOT: join(folder, 'media') }), seed: true }, async () => {
  Book = apps.getModel('catalog.Book') as unknown as typeof BookModel;
  User = apps.getModel('auth.User') as unknown as typeof UserModel;
  // The project's modules load once its settings are set up.
  ({ MAX_COVER_SIZE } = await import('../../examples/bookshop/catalog/forms.ts'));
});
const MEDIA_ROOT = join(dir, 'media');

/** A client logged in as `staff`, who holds catalog.add_book and catalog.change_book through "Editors". */
async function staffClient(options: { raiseRequestException?: boolean } = {}): Promise<Client> {
  const client = new Client(options);
  await client.forceLogin(await User.objects.get({ username: 'staff' }));
  return client;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real PNG: `width` × `height` red pixels, RGB, 8 bits. */
function png(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([0xff, 0, 0]))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

type PostData = Record<string, string | readonly string[] | Blob>;

/** What the edit form posts for `book` unchanged, with `changes` on top. */
async function formData(book: BookModel, changes: PostData = {}): Promise<PostData> {
  const authors = await book.authors.all();
  return {
    title: book.title,
    isbn: book.isbn,
    price: book.price.toString(),
    rating: String(book.rating),
    pages: String(book.pages),
    publishedDate: book.publishedDate.toISOString().slice(0, 10),
    publisher: String(book.publisherId),
    authors: authors.map((a) => String(a.id)),
    ...changes,
  };
}

function coverFiles(): string[] {
  const folder = join(MEDIA_ROOT, 'covers');
  return existsSync(folder) ? readdirSync(folder) : [];
}

describe('the staff book editor', () => {
  test('GET shows the book in a multipart form, the cover as a file input for images', async () => {
    const page = await (await staffClient()).get('/staff/books/5/edit/');
    assert.equal(page.status, 200);
    const book = await Book.objects.get({ id: 5 });
    assert.match(page.text, /<form method="post" enctype="multipart\/form-data"/);
    assert.match(page.text, new RegExp(`<h1>Edit “${book.title}”</h1>`));
    assert.match(page.text, new RegExp(`<input type="text" name="title" value="${book.title}" maxlength="200" required id="id_title">`));
    assert.match(page.text, /<label for="id_isbn">ISBN:<\/label>/);
    assert.match(page.text, /<option value="\d+" selected>Author [A-H]<\/option>/, 'authors are listed by name');
    assert.match(
      page.text,
      /<input type="file" name="cover" accept="image\/\*" aria-describedby="id_cover_helptext" id="id_cover">/,
    );
    assert.doesNotMatch(page.text, /Currently:/, 'a book without a cover offers nothing to clear');
  });

  test('a book that does not exist is a 404', async () => {
    const page = await (await staffClient({ raiseRequestException: false })).get('/staff/books/99999/edit/');
    assert.equal(page.status, 404);
  });

  test('a valid POST with a PNG saves the book and its cover, and the cached book page shows it at once', async () => {
    const client = await staffClient();
    // Visitors get the cached page; staff pages carry a CSRF token (the logout form), so
    // they set the CSRF cookie and are never stored.
    const visitor = new Client();
    const before = await visitor.get('/books/3/');
    assert.equal(before.status, 200);
    await assertNumQueries(0, () => visitor.get('/books/3/')); // served from the cache from now on

    const book = await Book.objects.get({ id: 3 });
    const image = png(3, 2);
    const data = await formData(book, { title: 'Dune, revised', cover: new File([image], 'dune cover.png', { type: 'image/png' }) });
    const saved = await client.post('/staff/books/3/edit/', data);
    assert.equal(saved.status, 302);
    assert.equal(saved.headers.get('Location'), '/books/3/');

    const stored = await Book.objects.get({ id: 3 });
    assert.equal(stored.title, 'Dune, revised');
    assert.equal(stored.cover.name, 'covers/dune_cover.png');
    assert.deepEqual(coverFiles(), ['dune_cover.png']);

    const detail = await visitor.get('/books/3/');
    assert.match(detail.text, /<h1>Dune, revised<\/h1>/);
    assert.match(detail.text, /<img class="cover" src="\/media\/covers\/dune_cover\.png" alt="Cover of Dune, revised">/);

    const served = await client.get('/media/covers/dune_cover.png');
    assert.equal(served.status, 200);
    assert.equal(served.headers.get('Content-Type'), 'image/png');
    assert.deepEqual(await (served as unknown as StreamingHttpResponse).readAll(), image);
  });

  test('the form then shows the current cover with a Clear box, and ticking it removes the cover', async () => {
    const client = await staffClient();
    const page = await client.get('/staff/books/3/edit/');
    assert.match(page.text, /Currently: <a href="\/media\/covers\/dune_cover\.png">covers\/dune_cover\.png<\/a>/);
    assert.match(page.text, /<input type="checkbox" name="cover-clear" id="cover-clear_id">/);

    const book = await Book.objects.get({ id: 3 });
    const cleared = await client.post('/staff/books/3/edit/', await formData(book, { 'cover-clear': 'on' }));
    assert.equal(cleared.status, 302);
    assert.equal((await Book.objects.get({ id: 3 })).cover.name, '');
    assert.doesNotMatch((await client.get('/books/3/')).text, /<img class="cover"/);
  });

  test('a text file named .png is refused with Django\'s message, and nothing is stored', async () => {
    const book = await Book.objects.get({ id: 4 });
    const before = coverFiles();
    const fake = new File(['#!/bin/sh\necho not an image\n'], 'innocent.png', { type: 'image/png' });
    const page = await (await staffClient()).post('/staff/books/4/edit/', await formData(book, { title: 'Should not be saved', cover: fake }));
    assert.equal(page.status, 200);
    assert.match(
      page.text,
      /<ul class="errorlist" id="id_cover_error"><li>Upload a valid image\. The file you uploaded was either not an image or a corrupted image\.<\/li><\/ul>/,
    );
    assert.equal((await Book.objects.get({ id: 4 })).title, book.title);
    assert.deepEqual(coverFiles(), before);
  });

  test('an image over the size limit is refused with a message giving the limit', async () => {
    const book = await Book.objects.get({ id: 4 });
    const before = coverFiles();
    // A real PNG padded to 3 MB (image readers stop at IEND); past 2.5 MB the upload is spooled to disk.
    const big = Buffer.concat([png(1, 1), Buffer.alloc(MAX_COVER_SIZE * 1.5)]);
    const page = await (await staffClient()).post('/staff/books/4/edit/', await formData(book, { cover: new File([big], 'huge.png') }));
    assert.equal(page.status, 200);
    assert.match(page.text, /<ul class="errorlist" id="id_cover_error"><li>Ensure this file is at most 2\.0 MB \(it is 3\.0 MB\)\.<\/li><\/ul>/);
    assert.equal((await Book.objects.get({ id: 4 })).cover.hasFile, false);
    assert.deepEqual(coverFiles(), before);
  });

  test('invalid data shows the errors, keeps what the user typed, and changes nothing', async () => {
    const client = await staffClient();
    const book = await Book.objects.get({ id: 6 });
    const visitor = new Client();
    const detailBefore = (await visitor.get('/books/6/')).text;
    const other = await Book.objects.get({ id: 7 });
    const data = await formData(book, { title: 'A title typed by the editor', isbn: other.isbn, price: 'cheap', rating: '9' });
    const page = await client.post('/staff/books/6/edit/', data);
    assert.equal(page.status, 200);
    assert.match(page.text, /value="A title typed by the editor"/);
    assert.match(page.text, /value="cheap"/);
    assert.match(page.text, /<ul class="errorlist" id="id_price_error"><li>Enter a number\.<\/li><\/ul>/);
    assert.match(page.text, /<ul class="errorlist" id="id_isbn_error"><li>Book with this ISBN already exists\.<\/li><\/ul>/);
    assert.match(page.text, /<ul class="errorlist nonfield"><li>Constraint “book_rating_0_to_5” is violated\.<\/li><\/ul>/);
    assert.match(page.text, /<h1>Edit “[^”]+”<\/h1>/);
    assert.doesNotMatch(page.text, /<h1>Edit “A title typed/, 'the heading names the book as stored');
    assert.equal((await Book.objects.get({ id: 6 })).title, book.title);
    assert.equal((await visitor.get('/books/6/')).text, detailBefore);
  });
});

describe('the new book page', () => {
  test('GET shows the same form, empty', async () => {
    const page = await (await staffClient()).get('/staff/books/new/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<h1>New book<\/h1>/);
    assert.match(page.text, /<form method="post" enctype="multipart\/form-data"/);
    assert.match(page.text, /<input type="text" name="title" maxlength="200" required id="id_title">/);
    assert.match(page.text, /<input type="file" name="cover" accept="image\/\*"/);
  });

  test('a valid POST creates the book with its authors and cover, and the book list shows it', async () => {
    const client = await staffClient();
    const list = await client.get('/books/?q=Nuages');
    assert.doesNotMatch(list.text, /Nuages in Action/);
    const template = await Book.objects.get({ id: 10 });
    const data = await formData(template, {
      title: 'Nuages in Action',
      isbn: '9781234567897',
      cover: new File([png(2, 2)], 'action.png'),
    });
    const created = await client.post('/staff/books/new/', data);
    assert.equal(created.status, 302);
    const book = await Book.objects.get({ isbn: '9781234567897' });
    assert.equal(created.headers.get('Location'), `/books/${book.id}/`);
    assert.equal(book.cover.name, 'covers/action.png');
    assert.deepEqual(
      (await book.authors.all()).map((a) => a.id).sort(),
      (await template.authors.all()).map((a) => a.id).sort(),
    );
    assert.match((await client.get('/books/?q=Nuages')).text, /Nuages in Action/);
  });

  test('a POST missing required fields shows Django\'s errors and creates nothing', async () => {
    const count = await Book.objects.count();
    const page = await (await staffClient()).post('/staff/books/new/', { title: 'Only a title' });
    assert.equal(page.status, 200);
    assert.match(page.text, /<ul class="errorlist" id="id_isbn_error"><li>This field is required\.<\/li><\/ul>/);
    assert.match(page.text, /<ul class="errorlist" id="id_publisher_error"><li>This field is required\.<\/li><\/ul>/);
    assert.match(page.text, /value="Only a title"/);
    assert.equal(await Book.objects.count(), count);
  });
});

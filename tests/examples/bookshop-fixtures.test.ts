// dumpdata and loaddata on the seeded bookshop: the catalog dumped, every table flushed,
// the dump loaded back: the same rows (ids, prices, dates, authors of each book), and the
// same dump again. autoNowAdd times are kept as dumped, as Django's raw saves keep them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps } from '../../src/conf/apps.ts';
import { callCommand } from '../../src/core/management/index.ts';
import type { Book as BookModel } from '../../examples/bookshop/catalog/models.ts';
import { useBookshop } from './bookshop-project.ts';

let Book: typeof BookModel;

const { dir } = useBookshop('fixtures', { env: () => ({ CACHE_URL: 'locmem://bookshop-fixtures-test' }), seed: true }, () => {
  Book = apps.getModel('catalog.Book') as unknown as typeof BookModel;
});

function output(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

async function catalogRows(): Promise<unknown[]> {
  const books = await Book.objects.orderBy('pk');
  return books.map((book) => [book.pk, book.title, book.isbn, book.price.toString(), book.publishedDate.isoformat(), book.publisherId, book.cover.name]);
}

describe('manage.ts dumpdata catalog → flush → loaddata', () => {
  test('gives back the same rows', async () => {
    const path = join(dir, 'catalog.json');
    await callCommand('dumpdata', 'catalog', '--indent', '2', '-o', path, { stdout: output() });
    const dumped = readFileSync(path, 'utf8');
    const before = await catalogRows();
    const authorsBefore = await Book.objects.orderBy('pk').valuesList('pk', 'authors__name');
    assert.ok(before.length > 0, 'the seed made books');

    await callCommand('flush', '--noinput', { stdout: output() });
    assert.equal(await Book.objects.count(), 0);

    const stdout = output();
    await callCommand('loaddata', path, { stdout });
    assert.match(stdout.text, /^Installed \d+ object\(s\) from 1 fixture\(s\)\n$/);
    assert.deepEqual(await catalogRows(), before);
    assert.deepEqual(await Book.objects.orderBy('pk').valuesList('pk', 'authors__name'), authorsBefore);

    const again = output();
    await callCommand('dumpdata', 'catalog', '--indent', '2', { stdout: again });
    assert.equal(again.text, dumped);
  });
});

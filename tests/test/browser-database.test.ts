// A browser test inside useTestCase()'s transaction: the live server runs in this process,
// so a page shows rows the test created without committing them, and they are gone after
// the test. On SQLite, and on PostgreSQL with NUAGES_TEST_DB=postgres.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponse } from '../../src/http/index.ts';
import { useBrowser, useLiveServer, useTestCase } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { escapeHtml } from '../../src/utils/safestring.ts';
import { Book } from './fixtures/shelf-models.ts';
import { useIsolationProject } from './isolation-project.ts';

await useIsolationProject('nuages_live');

async function shelf(): Promise<HttpResponse> {
  const titles = (await Book.objects.orderBy('title').valuesList('title', { flat: true })) as string[];
  const items = titles.map((title) => `<li>${escapeHtml(title)}</li>`).join('');
  return new HttpResponse(`<!doctype html><title>Shelf</title><ul id="books">${items}</ul><p id="count">${titles.length}</p>`, {
    contentType: 'text/html; charset=utf-8',
  });
}

describe('a browser test in the test transaction', () => {
  useTestCase();
  const live = useLiveServer({ urlconf: [path('books/', shelf)], middleware: [] });
  const browser = useBrowser({ baseURL: () => live.url });

  test('the page shows rows the test created, uncommitted', async () => {
    await Book.objects.create({ title: 'Dune' });
    await Book.objects.create({ title: 'Emma' });
    await browser.page.goto('/books/');
    assert.deepEqual(await browser.page.locator('#books li').allTextContents(), ['Dune', 'Emma']);
  });

  test("the previous test's rows are gone, for the page and the test", async () => {
    await browser.page.goto('/books/');
    assert.equal(await browser.page.textContent('#count'), '0');
    assert.equal(await Book.objects.count(), 0);
  });
});

// A browser test inside useTestCase()'s transaction: the live server runs in this process,
// so a page shows rows the test created without committing them, and they are gone after
// the test. On SQLite, and on PostgreSQL with NUAGES_TEST_DB=postgres.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resetSettings, setup } from '../../src/conf/index.ts';
import { apps } from '../../src/conf/apps.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { useBrowser, useLiveServer, useTestCase, useTestDatabase } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { escapeHtml } from '../../src/utils/safestring.ts';
import { Book } from './fixtures/shelf-models.ts';
import { writeIsolationProject } from './isolation-project.ts';

const project = writeIsolationProject();
process.env['ISOLATION_PG_NAME'] = `nuages_live_${randomBytes(4).toString('hex')}`;
await setup({ settingsModule: join(project, 'settings.ts') });
useTestDatabase();
after(() => {
  resetSettings();
  apps.clear();
  rmSync(project, { recursive: true, force: true });
});

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

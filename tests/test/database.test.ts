// setupTestDatabase() on the reference project: the bookshop's apps migrated into a fresh SQLite
// file (as `migrate` would build it), demo data loaded, and its pages' queries checked through
// the test client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetSettings, setup } from '../../src/conf/index.ts';
import { apps } from '../../src/conf/apps.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { connections } from '../../src/db/index.ts';
import { schemaEditorFor } from '../../src/db/schema.ts';
import { resetTemplateEngines } from '../../src/template/index.ts';
import { assertNumQueries, Client, setupTestDatabase, type TestDatabaseReport } from '../../src/test/index.ts';
import { captureQueries } from '../../src/db/index.ts';

const BOOKSHOP = join(import.meta.dirname, '..', '..', 'examples', 'bookshop');
const dir = mkdtempSync(join(tmpdir(), 'nuages-testdb-'));
let reports: TestDatabaseReport[];
let previousLogger: RequestLogger;

before(async () => {
  // CI also runs this file against PostgreSQL behind PgBouncer (.ci/bookshop-through-pgbouncer).
  process.env['DATABASE_URL'] = process.env['NUAGES_BOOKSHOP_DATABASE_URL'] ?? `sqlite:///${join(dir, 'test.sqlite3')}`;
  await setup({ settingsModule: join(BOOKSHOP, 'settings.ts') });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  reports = await setupTestDatabase();
  const quiet = { write() {} };
  await callCommand('seed_demo', { stdout: quiet });
});

after(async () => {
  setRequestLogger(previousLogger);
  await connections.closeAll();
  resetTemplateEngines();
  resetSettings();
  apps.clear();
  delete process.env['DATABASE_URL'];
  rmSync(dir, { recursive: true, force: true });
});

describe('setupTestDatabase() builds the bookshop by its migrations', () => {
  test('it applies the catalogue migrations and records them', async () => {
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.alias, 'default');
    assert.ok(reports[0]!.applied.includes('catalog.0001_initial'), String(reports[0]!.applied));
    const tables = await schemaEditorFor(connections.get()).tableNames();
    for (const table of ['catalog_book', 'catalog_book_authors', 'catalog_publisher', 'nuages_migrations']) assert.ok(tables.includes(table), table);
    const out = { text: '', write(chunk: string) { this.text += chunk; } };
    await callCommand('showmigrations', 'catalog', { stdout: out });
    assert.match(out.text, /\[X\] 0001_initial/);
  });

  test('running it again has nothing left to apply', async () => {
    const again = await setupTestDatabase();
    assert.deepEqual(again[0]!.applied, []);
    assert.deepEqual(again[0]!.synced, []);
  });

  test('the home page and the book list render from the migrated tables', async () => {
    const client = new Client();
    const home = await client.get('/');
    assert.equal(home.status, 200);
    assert.match(home.text, /60 books by 8 authors from 5 publishers\./);
    const list = await client.get('/books/');
    assert.match(list.text, /60 books, page 1 of 6\./);
    assert.equal(list.text.match(/<li>\s*<a href="\/books\/\d+\/">/g)?.length, 10);
  });

  test('the book list costs a fixed number of queries whatever the page size', async () => {
    const client = new Client();
    // A page no earlier test asked for: the list is cached per URL.
    const { queries } = await captureQueries(() => client.get('/books/?page=2'));
    // count, the page of books with their publishers (JOIN), their authors (one IN query).
    assert.equal(queries.length, 3, queries.map((q) => q.sql).join('\n'));
  });

  test('a book page is two queries: the book with its publisher, then its authors', async () => {
    const client = new Client();
    const response = await assertNumQueries(2, () => client.get('/books/1/'));
    assert.equal(response.status, 200);
    assert.match(response.text, /<h1>[^<]+<\/h1>/);
  });

  test('the authors page is one annotated query', async () => {
    const client = new Client();
    const response = await assertNumQueries(1, () => client.get('/authors/'));
    assert.equal([...response.text.matchAll(/<tr><td>Author [A-H]<\/td>/g)].length, 8);
  });
});

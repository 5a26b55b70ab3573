/**
 * loadFixtures(): fixture files loaded by name in a test, through `loaddata` (the
 * same search: each app's fixtures/ folder, FIXTURE_DIRS, or a path), as Django's
 * `TestCase.fixtures` does.
 */
import { callCommand } from '../core/management/call-command.ts';

/** Options of {@link loadFixtures}. */
export interface LoadFixturesOptions {
  /** The database alias to load into (default `'default'`). */
  readonly using?: string;
}

/** A writer that drops what it is given: loading fixtures in a test prints nothing. */
const silent = { write(): void {} };

/**
 * Loads the fixtures `names` (`'books'`, `'books.json'`, `'shop/fixtures/books.json'`)
 * into the database, all in one transaction: when one object fails, nothing is
 * written. Call it in a `beforeEach` (the rows go when the test's transaction is
 * rolled back) or once per suite.
 *
 * @throws CommandError naming the fixture that was not found or the object that failed.
 * @example
 * beforeEach(() => loadFixtures(['authors.json', 'books.json']));
 * // INSERT INTO "shop_author" … ; INSERT INTO "shop_book" … (one per object)
 */
export async function loadFixtures(names: readonly string[], options: LoadFixturesOptions = {}): Promise<void> {
  if (names.length === 0) return;
  await callCommand('loaddata', ...names, { database: options.using ?? 'default', verbosity: 0, stdout: silent });
}

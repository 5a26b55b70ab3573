/**
 * The bookshop as the example tests load it: its real settings module, on a throw-away
 * SQLite file with the schema built by migrations (and the demo data when asked), request
 * logs silenced; everything undone after the file's tests.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetSettings, setup } from '../../src/conf/index.ts';
import { apps } from '../../src/conf/apps.ts';
import { caches } from '../../src/cache/index.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { connections } from '../../src/db/index.ts';
import { resetTemplateEngines } from '../../src/template/index.ts';
import { setupTestDatabase } from '../../src/test/index.ts';

export const BOOKSHOP = join(import.meta.dirname, '..', '..', 'examples', 'bookshop');

/** Options of `useBookshop()`. */
export interface BookshopOptions {
  /** Environment variables the settings read (CACHE_URL, MEDIA_ROOT, …), given the project's temp folder. */
  env?: (dir: string) => Record<string, string>;
  /** Run `seed_demo` after migrating. */
  seed?: boolean;
}

/**
 * Registers the hooks that set the bookshop up before the file's tests and tear it down
 * after; returns the temporary folder. `ready` runs once the project is loaded (to look up
 * its models): root-level `before()` hooks of a file do not wait for one another.
 */
export function useBookshop(name: string, options: BookshopOptions = {}, ready?: () => unknown): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), `nuages-bookshop-${name}-`));
  const env = { DATABASE_URL: `sqlite:///${join(dir, 'test.sqlite3')}`, ...options.env?.(dir) };
  let previousLogger: RequestLogger;
  before(async () => {
    Object.assign(process.env, env);
    await setup({ settingsModule: join(BOOKSHOP, 'settings.ts') });
    previousLogger = setRequestLogger({ warn() {}, error() {} });
    await setupTestDatabase();
    if (options.seed) await callCommand('seed_demo', { stdout: { write() {} } });
    await ready?.();
  });
  after(async () => {
    setRequestLogger(previousLogger);
    await caches.closeAll();
    await connections.closeAll();
    resetTemplateEngines();
    resetSettings();
    apps.clear();
    for (const variable of Object.keys(env)) delete process.env[variable];
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir };
}

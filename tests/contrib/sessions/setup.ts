// One set-up for the session test files: the sessions app installed, the secret key,
// the test database migrated when a store needs it, and quiet request logs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps } from '../../../src/conf/apps.ts';
import { configure, resetSettings, setup, type SettingsInput } from '../../../src/conf/index.ts';
import { caches } from '../../../src/cache/index.ts';
import { setRequestLogger, type RequestLogger } from '../../../src/core/handlers/index.ts';
import { connections } from '../../../src/db/index.ts';
import { setupTestDatabase } from '../../../src/test/index.ts';
import { testDatabaseSettings } from '../../db/test-database.ts';

export const SECRET_KEY = 'sessions-test-secret-key';

let previousLogger: RequestLogger | undefined;
let folder: string | undefined;

/**
 * Configure settings with `extra`, install the sessions app and, with `database`, build
 * `django_session` by its migration on the test database (SQLite, or Postgres with
 * NUAGES_TEST_DB=postgres). Returns a fresh temporary folder for file sessions.
 */
export async function setUpSessions(extra: SettingsInput = {}, options: { database?: boolean } = {}): Promise<string> {
  folder = mkdtempSync(join(tmpdir(), 'nuages-sessions-'));
  configure({
    SECRET_KEY,
    INSTALLED_APPS: ['nuages/contrib/sessions'],
    DATABASES: options.database ? { default: testDatabaseSettings() } : {},
    SESSION_FILE_PATH: folder,
    ...extra,
  });
  await setup();
  if (options.database) await setupTestDatabase({ apps: ['sessions'] });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
  return folder;
}

export async function tearDownSessions(): Promise<void> {
  if (previousLogger) setRequestLogger(previousLogger);
  await connections.closeAll();
  await caches.closeAll();
  resetSettings();
  apps.clear();
  if (folder) rmSync(folder, { recursive: true, force: true });
}

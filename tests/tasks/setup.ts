// One set-up for the task test files: settings with TASKS, the tasks app and its table
// when a backend needs one, and a clean slate between tests.
import { apps } from '../../src/conf/apps.ts';
import { configure, resetSettings, setup, type SettingsInput } from '../../src/conf/index.ts';
import type { DatabaseSettings } from '../../src/db/backends/base/types.ts';
import { connections } from '../../src/db/index.ts';
import { DBTaskResult, taskBackends, type QueuedTaskBackend } from '../../src/tasks/index.ts';
import { setupTestDatabase } from '../../src/test/index.ts';
import { testDatabaseSettings } from '../db/test-database.ts';

/** Options a worker test gives the database backend: fast leases, polls and retries. */
export const FAST_OPTIONS = { LEASE_SECONDS: 1, POLL_INTERVAL: 0.05, RETRY_DELAY: 0, RETRY_MAX_DELAY: 0 };

/**
 * Configure settings with `extra`; with `database`, install nuages/tasks and build its
 * table by its migration (SQLite in memory, Postgres with NUAGES_TEST_DB=postgres, or the
 * settings given).
 */
export async function setUpTasks(extra: SettingsInput = {}, options: { database?: boolean | DatabaseSettings } = {}): Promise<void> {
  const database = options.database === true ? testDatabaseSettings() : options.database || undefined;
  configure({
    DEBUG: true,
    INSTALLED_APPS: database ? ['nuages/tasks'] : [],
    DATABASES: database ? { default: database } : {},
    ...extra,
  });
  await setup();
  if (database) await setupTestDatabase({ apps: ['nuages_tasks'] });
}

export async function tearDownTasks(): Promise<void> {
  await taskBackends.closeAll();
  await connections.closeAll();
  resetSettings();
  apps.clear();
}

/** Delete every stored run (between database tests). */
export async function clearTaskTable(): Promise<void> {
  await DBTaskResult.objects.all().delete();
}

/** Run every due task of the default backend in this process; returns the attempts run. */
export async function drain(options: { concurrency?: number; alias?: string } = {}): Promise<number> {
  const backend = taskBackends.get(options.alias ?? 'default') as QueuedTaskBackend;
  return backend.createRunner({ concurrency: options.concurrency ?? 1 }).runUntilEmpty();
}

// A one-app project (`shelf`: Book) written into a folder, for the test database and isolation
// tests: its migrations can change between runs (keepdb) and child processes can load it.
// DATABASES come from the environment: NUAGES_TEST_DB=postgres puts `default` on the test
// server under ISOLATION_PG_NAME, else SQLite at ISOLATION_DB (in memory when unset).
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resetSettings, setup } from '../../src/conf/index.ts';
import { apps } from '../../src/conf/apps.ts';
import { useTestDatabase } from '../../src/test/index.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const from = (module: string) => JSON.stringify(pathToFileURL(join(SRC, module)).href);

/**
 * For a test file: writes the project, loads its settings (on PostgreSQL a database named
 * `<pgPrefix>_<random>`), gives the file its test database, and removes it all after the file.
 */
export async function useIsolationProject(pgPrefix: string): Promise<void> {
  const project = writeIsolationProject();
  process.env['ISOLATION_PG_NAME'] = `${pgPrefix}_${randomBytes(4).toString('hex')}`;
  await setup({ settingsModule: join(project, 'settings.ts') });
  useTestDatabase();
  after(() => {
    resetSettings();
    apps.clear();
    rmSync(project, { recursive: true, force: true });
  });
}

/** Writes the project into a new temporary folder and returns the folder. */
export function writeIsolationProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nuages-isolation-'));
  mkdirSync(join(dir, 'shelf', 'migrations'), { recursive: true });
  writeFileSync(
    join(dir, 'settings.ts'),
    `import { defineSettings } from ${from('conf/index.ts')};
const postgres = process.env['NUAGES_TEST_DB'] === 'postgres';
export default defineSettings({
  BASE_DIR: import.meta.dirname,
  SECRET_KEY: 'isolation-tests-only',
  INSTALLED_APPS: ['shelf'],
  DATABASES: {
    default: postgres
      ? { ENGINE: 'postgres', NAME: process.env['ISOLATION_PG_NAME'] ?? 'nuages_isolation', HOST: '127.0.0.1', PORT: 5432, USER: 'postgres' }
      : { ENGINE: 'sqlite', NAME: process.env['ISOLATION_DB'] ?? ':memory:' },
  },
});
`,
  );
  writeFileSync(
    join(dir, 'shelf', 'models.ts'),
    `export { Book } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'fixtures', 'shelf-models.ts')).href)};\n`,
  );
  writeFileSync(
    join(dir, 'shelf', 'migrations', '0001_initial.ts'),
    `import { BigAutoField, CharField, IntegerField } from ${from('db/index.ts')};
import { CreateModel, Migration } from ${from('db/migrations/index.ts')};
export default new Migration({
  initial: true,
  dependencies: [],
  operations: [
    new CreateModel({
      name: 'Book',
      fields: [
        ['id', new BigAutoField({ primaryKey: true })],
        ['title', new CharField({ maxLength: 100 })],
        ['pages', new IntegerField({ default: 0 })],
      ],
    }),
  ],
});
`,
  );
  return dir;
}

/** Adds a migration that creates a `shelf_marker` table, as a project's new migration would. */
export function addMarkerMigration(dir: string): void {
  writeFileSync(
    join(dir, 'shelf', 'migrations', '0002_marker.ts'),
    `import { Migration, RunSQL } from ${from('db/migrations/index.ts')};
export default new Migration({
  dependencies: [['shelf', '0001_initial']],
  operations: [new RunSQL({ sql: 'CREATE TABLE shelf_marker (id integer PRIMARY KEY)', reverseSql: 'DROP TABLE shelf_marker' })],
});
`,
  );
}

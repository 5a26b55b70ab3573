// The database the ORM tests run on: SQLite in memory by default, PostgreSQL when
// NUAGES_TEST_DB=postgres. Each test file gets a fresh Postgres schema of its own, so files
// run in parallel without seeing each other's tables; the schema is dropped when the file
// closes its connections (as a :memory: database is lost), or at exit.
import { randomBytes } from 'node:crypto';
import type { DatabaseSettings } from '../../src/db/backends/base/types.ts';

/** `'postgres'` when NUAGES_TEST_DB says so, else `'sqlite'`. */
export const testVendor: 'sqlite' | 'postgres' = process.env['NUAGES_TEST_DB'] === 'postgres' ? 'postgres' : 'sqlite';

const created = new Set<string>();
let exitHookInstalled = false;

/**
 * A DATABASES entry for one test file. Call it once per alias; each Postgres call gets
 * its own schema, like each `:memory:` database is its own.
 */
export function testDatabaseSettings(): DatabaseSettings {
  if (testVendor === 'sqlite') return { ENGINE: 'sqlite', NAME: ':memory:' };
  return postgresTestSettings();
}

/**
 * Settings for the PostgreSQL test server (127.0.0.1:5432, database `test`) in a fresh schema,
 * whatever NUAGES_TEST_DB says: the Postgres backend's own tests always run on it. `extra`
 * is merged in (OPTIONS merged one level deep).
 */
export function postgresTestSettings(extra: Partial<DatabaseSettings> = {}): DatabaseSettings {
  const schema = `nuages_test_${randomBytes(6).toString('hex')}`;
  created.add(schema);
  installExitHook();
  return {
    ENGINE: 'postgres',
    NAME: process.env['NUAGES_TEST_PG_NAME'] ?? 'test',
    HOST: process.env['NUAGES_TEST_PG_HOST'] ?? '127.0.0.1',
    PORT: Number(process.env['NUAGES_TEST_PG_PORT'] ?? 5432),
    USER: process.env['NUAGES_TEST_PG_USER'] ?? 'postgres',
    ...extra,
    OPTIONS: { schema, createSchema: true, dropSchemaOnClose: true, pool: { max: 5 }, ...extra.OPTIONS },
  };
}

/** Drops the schemas this process created, for files that never closed their connections. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  let dropping = false;
  process.on('beforeExit', () => {
    if (dropping || created.size === 0) return;
    dropping = true;
    void (async () => {
      const pg = (await import('pg')).default;
      const client = new pg.Client({
        host: process.env['NUAGES_TEST_PG_HOST'] ?? '127.0.0.1',
        port: Number(process.env['NUAGES_TEST_PG_PORT'] ?? 5432),
        user: process.env['NUAGES_TEST_PG_USER'] ?? 'postgres',
        database: process.env['NUAGES_TEST_PG_NAME'] ?? 'test',
      });
      try {
        await client.connect();
        for (const schema of created) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } catch {
        // Best effort: a schema left behind only costs disk space on the test server.
      } finally {
        created.clear();
        await client.end().catch(() => undefined);
      }
    })();
  });
}

/**
 * Hand-written test SQL with `?` placeholders, in the test database's own style: `$1, $2, …`
 * on PostgreSQL. Raw SQL reaches the driver as written, so tests that write it use this.
 */
export function nativeSql(text: string): string {
  if (testVendor === 'sqlite') return text;
  let index = 0;
  return text.replace(/\?/g, () => `$${++index}`);
}

/**
 * A regular expression over SQL the compiler writes with `?` placeholders, matching the
 * test database's own: on PostgreSQL `\?` also matches `$n` and a typed `$n::integer`.
 */
export function sqlPattern(pattern: RegExp): RegExp {
  if (testVendor === 'sqlite') return pattern;
  return new RegExp(pattern.source.replaceAll('\\?', '\\$\\d+(?:::[a-z ]+)?'), pattern.flags);
}

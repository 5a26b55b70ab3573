// The test database lifecycle: Django's names (test_<NAME>, SQLite files beside the original,
// :memory: kept in memory), drop at the end, keepdb reusing a migrated template and rebuilding
// it when a migration changes, parallel node:test files each in a database of their own, and
// setupTestEnvironment(). Child processes run the fixtures in ./fixtures on the project of
// ./isolation-project.ts; with NUAGES_TEST_DB=postgres the databases are on the test server.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { configure, resetSettings, settings } from '../../src/conf/index.ts';
import { connections } from '../../src/db/connections.ts';
import { createTestDatabases, setupTestEnvironment, teardownTestEnvironment } from '../../src/test/index.ts';
import { testVendor } from '../db/test-database.ts';
import { addMarkerMigration, writeIsolationProject } from './isolation-project.ts';

const run = promisify(execFile);
const FIXTURES = join(import.meta.dirname, 'fixtures');
const postgres = testVendor === 'postgres';
const project = writeIsolationProject();
const pgName = `nuages_iso_${randomBytes(4).toString('hex')}`;
const sqliteFile = join(project, 'db.sqlite3');

/** The environment of a child process: not a node:test child unless `parallel`, so a lone process keeps Django's name. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ISOLATION_PROJECT: project, ISOLATION_PG_NAME: pgName, ISOLATION_DB: sqliteFile, ...extra };
  delete env['NODE_TEST_CONTEXT'];
  return env;
}

interface RunReport {
  names: Record<string, string>;
  migrated: Record<string, boolean>;
  tables: string[];
  books: number;
}

async function runOnce(extra: Record<string, string> = {}): Promise<RunReport> {
  const { stdout } = await run('npx', ['node', join(FIXTURES, 'test-database-run.ts')], { env: childEnv(extra) });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string) as RunReport;
}

async function pgDatabases(): Promise<string[]> {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [`test_${pgName}%`]);
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

/** The test databases left on the server or disk, by name. */
async function leftOver(): Promise<string[]> {
  if (postgres) return pgDatabases();
  return [join(project, 'test_db.sqlite3')].filter((file) => existsSync(file));
}

after(async () => {
  if (postgres) {
    const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    for (const name of await pgDatabases()) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
  rmSync(project, { recursive: true, force: true });
});

describe('a test database per run', () => {
  test("gets Django's name, is migrated, and is dropped at the end", async () => {
    const report = await runOnce();
    const expected = postgres ? `test_${pgName}` : join(project, 'test_db.sqlite3');
    assert.deepEqual(report.names, { default: expected });
    assert.deepEqual(report.migrated, { default: true });
    assert.deepEqual(report.tables, ['shelf_book']);
    assert.deepEqual(await leftOver(), []);
    assert.equal(existsSync(sqliteFile), false, 'the real database is never touched');
  });

  test('starts empty even when the last run wrote to a database of the same name', async () => {
    assert.equal((await runOnce()).books, 1);
    assert.equal((await runOnce()).books, 1);
  });

  test('an SQLite :memory: database stays in memory', async () => {
    // On SQLite whichever database this file runs on: a :memory: test database has no server.
    const report = await runOnce({ NUAGES_TEST_DB: 'sqlite', ISOLATION_DB: ':memory:' });
    assert.deepEqual(report.names, { default: ':memory:' });
    assert.deepEqual(report.tables, ['shelf_book']);
  });
});

describe('keepdb', () => {
  const template = postgres ? `test_${pgName}` : join(project, 'test_db.sqlite3');

  test('the first run migrates the template and keeps it; each run works in a copy', async () => {
    const report = await runOnce({ KEEPDB: '1' });
    assert.deepEqual(report.migrated, { default: true });
    assert.notEqual(report.names['default'], template, 'a process works in a copy of the template');
    assert.deepEqual(await leftOver(), [template], 'the template is kept, the copy dropped');
  });

  test('the next run reuses the template without migrating, and it has no rows from the last run', async () => {
    const report = await runOnce({ KEEPDB: '1' });
    assert.deepEqual(report.migrated, { default: false });
    assert.deepEqual(report.tables, ['shelf_book']);
    assert.equal(report.books, 1);
  });

  test('a new migration rebuilds the template', async () => {
    addMarkerMigration(project);
    const rebuilt = await runOnce({ KEEPDB: '1' });
    assert.deepEqual(rebuilt.migrated, { default: true });
    assert.deepEqual(rebuilt.tables, ['shelf_book', 'shelf_marker']);
    const reused = await runOnce({ KEEPDB: '1' });
    assert.deepEqual(reused.migrated, { default: false });
    assert.deepEqual(reused.tables, ['shelf_book', 'shelf_marker']);
  });

  test('a run without keepdb drops the kept database', async () => {
    await runOnce();
    assert.deepEqual(await leftOver(), []);
  });
});

test('two test files run in parallel each see only their own data', async () => {
  const barrier = mkdtempSync(join(tmpdir(), 'nuages-barrier-'));
  try {
    const files = ['parallel-a.fixture.ts', 'parallel-b.fixture.ts'].map((file) => join(FIXTURES, file));
    const env = childEnv({ ISOLATION_BARRIER: barrier });
    const { stdout } = await run('npx', ['node', '--test', '--test-concurrency=2', '--test-reporter=tap', ...files], { env }).catch(
      (error: { stdout?: string }) => {
        throw new Error(`the parallel files failed:\n${error.stdout ?? String(error)}`);
      },
    );
    assert.match(stdout, /# pass 2/);
    assert.match(stdout, /# fail 0/);
    const [a, b] = ['a', 'b'].map((name) => readFileSync(join(barrier, name), 'utf8'));
    assert.notEqual(a, b, 'each file has a database of its own');
    assert.deepEqual(await leftOver(), []);
  } finally {
    rmSync(barrier, { recursive: true, force: true });
  }
});

test('TEST.NAME names the test database; TEST.MIRROR shares another alias\'s', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nuages-mirror-'));
  connections.configure({
    default: { ENGINE: 'sqlite', NAME: join(dir, 'db.sqlite3'), TEST: { NAME: join(dir, 'custom.sqlite3') } },
    replica: { ENGINE: 'sqlite', NAME: join(dir, 'replica.sqlite3'), TEST: { MIRROR: 'default' } },
  });
  try {
    const databases = await createTestDatabases();
    // Under node --test this process is one of several: its database carries its pid.
    assert.equal(databases.names['default'], join(dir, `custom_${process.pid}.sqlite3`));
    assert.equal(databases.names['replica'], databases.names['default']);
    await connections.get('default').executeScript('CREATE TABLE t (x integer); INSERT INTO t VALUES (1)');
    assert.deepEqual(await connections.get('replica').fetchAll({ sql: 'SELECT x FROM t', params: [] }), [[1]]);
    await databases.destroy();
    assert.equal(connections.databases['default']?.NAME, join(dir, 'db.sqlite3'), 'DATABASES restored');
    assert.equal(existsSync(join(dir, `custom_${process.pid}.sqlite3`)), false);
  } finally {
    await connections.reset();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('setupTestEnvironment()', () => {
  test('routes mail to locmem, allows testserver, runs tasks at once; teardown restores', async () => {
    configure({
      SECRET_KEY: 'environment-test',
      ALLOWED_HOSTS: ['example.com'],
      TASKS: { default: { BACKEND: 'database' }, other: { BACKEND: 'dummy' } },
    });
    try {
      const environment = await setupTestEnvironment();
      assert.equal(settings.EMAIL_BACKEND, 'locmem');
      assert.deepEqual(settings.ALLOWED_HOSTS, ['example.com', 'testserver']);
      assert.deepEqual(settings.TASKS, { default: { BACKEND: 'immediate' }, other: { BACKEND: 'dummy' } });
      await teardownTestEnvironment(environment);
      assert.equal(settings.EMAIL_BACKEND, 'console');
      assert.deepEqual(settings.ALLOWED_HOSTS, ['example.com']);
      assert.equal(settings.TASKS['default']?.BACKEND, 'database');
    } finally {
      resetSettings();
    }
  });

  test("the immediate backend keeps the project's QUEUES, so tasks on other queues are still accepted", async () => {
    configure({ SECRET_KEY: 'environment-test', TASKS: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'] } } });
    try {
      const environment = await setupTestEnvironment();
      assert.deepEqual(settings.TASKS, { default: { BACKEND: 'immediate', QUEUES: ['default', 'mail'] } });
      await teardownTestEnvironment(environment);
    } finally {
      resetSettings();
    }
  });

  test('keeps the project\'s task backend when asked', async () => {
    configure({ SECRET_KEY: 'environment-test', TASKS: { default: { BACKEND: 'dummy' } } });
    try {
      const environment = await setupTestEnvironment({ immediateTasks: false });
      assert.equal(settings.TASKS['default']?.BACKEND, 'dummy');
      await teardownTestEnvironment(environment);
    } finally {
      resetSettings();
    }
  });
});

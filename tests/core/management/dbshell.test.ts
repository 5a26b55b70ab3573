// `manage.ts dbshell`: the client of each backend with the connection's settings (the
// password in the environment, never on the command line), and sqlite3 run for real.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresDatabaseWrapper } from '../../../src/db/backends/postgres/connection.ts';
import { SqliteDatabaseWrapper } from '../../../src/db/backends/sqlite/connection.ts';

const dir = mkdtempSync(join(tmpdir(), 'nuages-dbshell-'));
const MANAGE = join(import.meta.dirname, '..', '..', '..', 'examples', 'bookshop', 'manage.ts');
before(() => {
  const database = `sqlite:///${join(dir, 'shop.sqlite3')}`;
  const run = spawnSync(process.execPath, [MANAGE, 'migrate'], { env: { ...process.env, DATABASE_URL: database }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('PostgreSQL: psql with user, host, port, the parameters, then the database; the password in PGPASSWORD', () => {
  const db = new PostgresDatabaseWrapper('default', { ENGINE: 'postgres', NAME: 'shop', USER: 'ada', PASSWORD: 's3cret', HOST: 'db.internal', PORT: 5433, OPTIONS: { sslmode: 'require' } });
  assert.deepEqual(db.shellCommand(['-c', 'select 1']), {
    command: 'psql',
    args: ['-U', 'ada', '-h', 'db.internal', '-p', '5433', '-c', 'select 1', 'shop'],
    env: { PGPASSWORD: 's3cret', PGSSLMODE: 'require' },
  });
});

test('SQLite: sqlite3 on the database file', () => {
  const db = new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: '/srv/shop.sqlite3' });
  assert.deepEqual(db.shellCommand(['.tables']), { command: 'sqlite3', args: ['/srv/shop.sqlite3', '.tables'], env: {} });
});

test('the bookshop: dbshell -- .tables lists its tables through the real sqlite3', () => {
  const database = `sqlite:///${join(dir, 'shop.sqlite3')}`;
  const run = spawnSync(process.execPath, [MANAGE, 'dbshell', '--', '.tables'], { env: { ...process.env, DATABASE_URL: database }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /catalog_book/);
  assert.match(run.stdout, /auth_user/);
});

test('a client that fails makes the command fail with its exit status', () => {
  const database = `sqlite:///${join(dir, 'shop.sqlite3')}`;
  const run = spawnSync(process.execPath, [MANAGE, 'dbshell', '--', '-bail', '-cmd', 'select * from no_such_table;', '.quit'], {
    env: { ...process.env, DATABASE_URL: database },
    encoding: 'utf8',
  });
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /returned non-zero exit status 1/);
});

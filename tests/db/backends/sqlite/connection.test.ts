import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabaseWrapper } from '../../../../src/db/backends/sqlite/connection.ts';
import {
  DataError,
  DatabaseError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from '../../../../src/db/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'nuages-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

function memory(): SqliteDatabaseWrapper {
  return new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: ':memory:' });
}
function file(): SqliteDatabaseWrapper {
  return new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: join(dir, `db${++fileCount}.sqlite3`) });
}
const q = (sql: string, ...params: (string | number | bigint | null | Uint8Array)[]) => ({ sql, params });

function withBooks(db: SqliteDatabaseWrapper): SqliteDatabaseWrapper {
  db.executeScript(`
    CREATE TABLE author (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE book (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER REFERENCES author(id));
    INSERT INTO author (id, name) VALUES (1, 'Le Guin'), (2, 'Herbert');
    INSERT INTO book (title, author_id) VALUES ('Dune', 2), ('Earthsea', 1), ('Lathe', 1);
  `);
  return db;
}

describe('SQLite connection: statements', () => {
  test('fetchAll returns rows as arrays in column order, synchronously on the fast path', () => {
    const db = withBooks(memory());
    const rows = db.fetchAll(q('SELECT id, title FROM book WHERE author_id = ? ORDER BY id', 1));
    assert.ok(!(rows instanceof Promise));
    assert.deepEqual(rows, [
      [2, 'Earthsea'],
      [3, 'Lathe'],
    ]);
  });

  test('fetchOne returns the first row or undefined', () => {
    const db = withBooks(memory());
    assert.deepEqual(db.fetchOne(q('SELECT title FROM book WHERE id = ?', 1)), ['Dune']);
    assert.equal(db.fetchOne(q('SELECT title FROM book WHERE id = ?', 99)), undefined);
  });

  test('fetchWithColumns names the result columns', async () => {
    const db = withBooks(memory());
    const result = await db.fetchWithColumns(q('SELECT id AS pk, title FROM book ORDER BY id LIMIT 1'));
    assert.deepEqual(result, { columns: ['pk', 'title'], rows: [[1, 'Dune']] });
  });

  test('execute reports rows changed and the last inserted id', async () => {
    const db = withBooks(memory());
    const inserted = await db.execute(q('INSERT INTO book (title) VALUES (?)', 'Solaris'));
    assert.deepEqual(inserted, { rowCount: 1, lastInsertId: 4 });
    const updated = await db.execute(q('UPDATE book SET title = upper(title) WHERE author_id = ?', 1));
    assert.equal(updated.rowCount, 2);
  });

  test('integers read as numbers, and as BigInt only past 2^53', async () => {
    const db = memory();
    db.executeScript('CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER)');
    await db.execute(q('INSERT INTO n (v) VALUES (?), (?)', 42, 9007199254740993n));
    assert.deepEqual(db.fetchAll(q('SELECT id, v FROM n ORDER BY id')), [
      [1, 42],
      [2, 9007199254740993n],
    ]);
    assert.deepEqual(db.fetchOne(q('SELECT v FROM n WHERE id = 2')), [9007199254740993n]);
    const streamed: unknown[][] = [];
    for await (const row of db.iterate(q('SELECT id, v FROM n ORDER BY id'), 1)) streamed.push(row);
    assert.deepEqual(streamed, [
      [1, 42],
      [2, 9007199254740993n],
    ]);
  });

  test('INSERT … RETURNING through fetchAll(kind write) returns the new rows', async () => {
    const db = withBooks(memory());
    const rows = await db.fetchAll(q('INSERT INTO book (title) VALUES (?), (?) RETURNING id, title', 'A', 'B'), 'write');
    assert.deepEqual(rows, [
      [4, 'A'],
      [5, 'B'],
    ]);
  });

  test('Uint8Array parameters round-trip as blobs', async () => {
    const db = memory();
    db.executeScript('CREATE TABLE b (data BLOB)');
    db.execute(q('INSERT INTO b VALUES (?)', new Uint8Array([1, 2, 255])));
    const [row] = await db.fetchAll(q('SELECT data FROM b'));
    assert.deepEqual([...(row![0] as Uint8Array)], [1, 2, 255]);
  });

  test('iterate streams rows chunk by chunk and stops reading when the loop breaks', async () => {
    const db = memory();
    db.executeScript(`CREATE TABLE r (n INTEGER);
      WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) INSERT INTO r SELECT x FROM c;`);
    let calls = 0;
    const seen: number[] = [];
    for await (const [n] of db.iterate(q('SELECT n FROM r ORDER BY n'), 100)) {
      seen.push(n as number);
      calls++;
      if (calls === 150) break;
    }
    assert.equal(seen.length, 150);
    assert.equal(seen[149], 150);
    // The cursor was closed: the table can be dropped (an open statement would keep it busy).
    db.executeScript('DROP TABLE r');
  });

  test('REGEXP matches with JavaScript regular expressions, NULL-safe', () => {
    const db = memory();
    assert.deepEqual(db.fetchOne(q("SELECT 'Dune' REGEXP ?, 'Dune' REGEXP ?, NULL REGEXP 'x'", '^D.n', '^x')), [1, 0, null]);
    assert.deepEqual(db.fetchOne(q("SELECT 'CAFÉ' REGEXP ?", '(?i)^caf\\w$')), [1]);
  });

  test('foreign keys are enforced', async () => {
    const db = withBooks(memory());
    await assert.rejects(
      async () => db.execute(q('INSERT INTO book (title, author_id) VALUES (?, ?)', 'Orphan', 99)),
      IntegrityError,
    );
  });

  test('a file database is opened in WAL mode', () => {
    const db = file();
    assert.deepEqual(db.fetchOne(q('PRAGMA journal_mode')), ['wal']);
    assert.deepEqual(db.fetchOne(q('PRAGMA foreign_keys')), [1]);
  });

  test('features describe SQLite', () => {
    const db = memory();
    assert.equal(db.vendor, 'sqlite');
    assert.equal(db.features.supportsReturning, true);
    assert.equal(db.features.supportsTransactionalDdl, true);
    assert.equal(db.features.hasNativeDecimal, false);
    assert.ok(db.features.maxQueryParams >= 999);
  });

  test('close() closes the driver and the next statement reopens it', async () => {
    const db = file();
    db.executeScript('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (7)');
    await db.close();
    assert.deepEqual(db.fetchAll(q('SELECT a FROM t')), [[7]]);
    await db.close();
  });

  test('the prepared-statement cache stays bounded', () => {
    const db = new SqliteDatabaseWrapper('default', {
      ENGINE: 'sqlite',
      NAME: ':memory:',
      OPTIONS: { statement_cache_size: 3 },
    });
    for (let i = 0; i < 50; i++) assert.deepEqual(db.fetchOne(q(`SELECT ${i}`)), [i]);
    assert.deepEqual(db.fetchOne(q('SELECT 1')), [1]);
  });

  test('OPTIONS.init_command runs on every new connection', () => {
    const db = new SqliteDatabaseWrapper('default', {
      ENGINE: 'sqlite',
      NAME: ':memory:',
      OPTIONS: { init_command: 'PRAGMA cache_size = 1234' },
    });
    assert.deepEqual(db.fetchOne(q('PRAGMA cache_size')), [1234]);
  });
});

describe('SQLite connection: driver errors become DatabaseError subclasses', () => {
  test('a UNIQUE violation is an IntegrityError naming the SQL but not the values', async () => {
    const db = withBooks(memory());
    const error = await captureError(() => db.execute(q('INSERT INTO author (name) VALUES (?)', 'Le Guin')));
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.code, 'NUAGES_DB_INTEGRITY');
    assert.match(error.message, /UNIQUE constraint failed: author\.name/);
    assert.match(error.message, /INSERT INTO author \(name\) VALUES \(\?\)/);
    assert.equal(error.sql, 'INSERT INTO author (name) VALUES (?)');
    assert.equal(error.alias, 'default');
    assert.ok(error.cause instanceof Error);
  });

  test('parameter values never appear in the message', async () => {
    const db = withBooks(memory());
    const error = await captureError(() => db.execute(q('INSERT INTO author (id, name) VALUES (?, ?)', 1, 'hunter2')));
    assert.ok(error instanceof IntegrityError);
    assert.doesNotMatch(error.message, /hunter2/);
  });

  test('NOT NULL and CHECK violations are IntegrityErrors', async () => {
    const db = memory();
    db.executeScript('CREATE TABLE c (a TEXT NOT NULL, n INTEGER CHECK (n > 0))');
    assert.ok((await captureError(() => db.execute(q('INSERT INTO c VALUES (NULL, 1)')))) instanceof IntegrityError);
    assert.ok((await captureError(() => db.execute(q("INSERT INTO c VALUES ('x', -1)")))) instanceof IntegrityError);
  });

  test('a missing table is an OperationalError that says how to fix it', async () => {
    const db = memory();
    const error = await captureError(() => db.fetchAll(q('SELECT * FROM nowhere')));
    assert.ok(error instanceof OperationalError);
    assert.equal(error.code, 'NUAGES_DB_OPERATIONAL');
    assert.match(error.message, /no such table: nowhere/);
    assert.match(error.message, /migrate/);
  });

  test('a syntax error is an OperationalError (as in Python sqlite3)', async () => {
    const db = memory();
    assert.ok((await captureError(() => db.fetchAll(q('SELEC 1')))) instanceof OperationalError);
  });

  test('more parameters than placeholders is a ProgrammingError', async () => {
    const db = memory();
    const error = await captureError(() => db.fetchAll(q('SELECT ?', 1, 2)));
    assert.ok(error instanceof ProgrammingError);
    assert.match(error.message, /more parameters/);
  });

  test('an invalid REGEXP pattern is a ProgrammingError naming the pattern', async () => {
    const db = memory();
    const error = await captureError(() => db.fetchAll(q("SELECT 'a' REGEXP ?", '(unclosed')));
    assert.ok(error instanceof ProgrammingError);
    assert.match(error.message, /\(unclosed/);
  });

  test('every translated error is a DatabaseError', async () => {
    const db = memory();
    const error = await captureError(() => db.execute(q('INSERT INTO nowhere VALUES (1)')));
    assert.ok(error instanceof DatabaseError);
    assert.ok(!(error instanceof DataError));
  });
});

async function captureError(fn: () => unknown): Promise<DatabaseError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DatabaseError) return error;
    throw error;
  }
  assert.fail('expected the statement to fail');
}

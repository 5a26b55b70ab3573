// The PostgreSQL wrapper against the real server at 127.0.0.1:5432 (database `test`), each
// wrapper in a throwaway schema: types, error translation, pool and transactions, dropped
// connections, server-side cursors and row locks.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresDatabaseWrapper } from '../../../../src/db/backends/postgres/connection.ts';
import { connections } from '../../../../src/db/connections.ts';
import { atomic } from '../../../../src/db/transaction.ts';
import { captureQueries } from '../../../../src/db/query-log.ts';
import {
  DataError,
  IntegrityError,
  InternalError,
  OperationalError,
  ProgrammingError,
} from '../../../../src/db/errors.ts';
import type { DatabaseSettings, SqlParam } from '../../../../src/db/backends/base/types.ts';
import { postgresTestSettings } from '../../test-database.ts';

const opened: PostgresDatabaseWrapper[] = [];
after(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await connections.reset();
});

function wrapper(extra: Partial<DatabaseSettings> = {}): PostgresDatabaseWrapper {
  const db = new PostgresDatabaseWrapper('default', postgresTestSettings(extra));
  opened.push(db);
  return db;
}

const q = (sql: string, ...params: SqlParam[]) => ({ sql, params });

describe('types', () => {
  test('numeric comes back as exact text, int8 as a number, timestamptz as a Date, date as text', async () => {
    const db = wrapper();
    const row = await db.fetchOne(
      q("SELECT 12345678901234567890.123456789::numeric, 9007199254740991::int8, COUNT(*), '2024-03-01 12:30:00+02'::timestamptz, '2024-02-29'::date, '13:45:10.5'::time"),
    );
    assert.deepEqual(row!.slice(0, 3), ['12345678901234567890.123456789', 9007199254740991, 1]);
    assert.ok(row![3] instanceof Date);
    assert.equal((row![3] as Date).toISOString(), '2024-03-01T10:30:00.000Z');
    assert.deepEqual(row!.slice(4), ['2024-02-29', '13:45:10.5']);
  });

  test('int8 past 2^53 stays a BigInt; jsonb stays text for the field to parse; bytea and uuid are native', async () => {
    const db = wrapper();
    const row = await db.fetchOne(q(`SELECT 9007199254740993::int8, '"just a string"'::jsonb, '\\x00ff'::bytea, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, true`));
    assert.equal(row![0], 9007199254740993n);
    assert.equal(row![1], '"just a string"');
    assert.deepEqual([...(row![2] as Buffer)], [0, 255]);
    assert.deepEqual(row!.slice(3), ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true]);
  });

  test('the session runs in UTC, and parameters round-trip Uint8Array, booleans and big integers', async () => {
    const db = wrapper();
    assert.deepEqual(await db.fetchOne(q('SHOW TIME ZONE')), ['UTC']);
    const row = await db.fetchOne(q('SELECT $1::bytea, $2::boolean, $3::int8', new Uint8Array([1, 2]), true as never, 12n));
    assert.deepEqual([...(row![0] as Buffer)], [1, 2]);
    assert.deepEqual(row!.slice(1), [true, 12]);
  });

  test("the pool's type parsers leave pg's global ones alone", async () => {
    const pg = (await import('pg')).default;
    assert.equal(typeof pg.types.getTypeParser(1082)('2024-01-02'), 'object');
  });
});

describe('errors', () => {
  test('SQLSTATE classes map to Django exception classes, naming the SQL', async () => {
    const db = wrapper();
    await db.executeScript('CREATE TABLE thing (id integer PRIMARY KEY, name varchar(3) NOT NULL UNIQUE)');
    await db.execute(q("INSERT INTO thing VALUES (1, 'a')"));
    await assert.rejects(async () => db.execute(q("INSERT INTO thing VALUES (2, 'a')")), (e: unknown) => e instanceof IntegrityError && /duplicate key/.test(e.message) && e.sql === "INSERT INTO thing VALUES (2, 'a')");
    await assert.rejects(async () => db.execute(q("INSERT INTO thing VALUES (3, 'toolong')")), DataError);
    await assert.rejects(async () => db.fetchAll(q('SELECT 1/0')), DataError);
    await assert.rejects(async () => db.fetchAll(q('SELECT * FROM missing')), (e: unknown) => e instanceof ProgrammingError && /Create the table first/.test(e.message));
    await assert.rejects(async () => db.fetchAll(q('SELEC 1')), ProgrammingError);
  });

  test('a statement after a failed one in the same transaction is an InternalError that names the fix', async () => {
    connections.configure({ default: postgresTestSettings() });
    const db = connections.get('default');
    await assert.rejects(
      atomic(async () => {
        await Promise.resolve(db.fetchAll(q('SELECT * FROM missing'))).catch(() => undefined);
        await db.fetchAll(q('SELECT 1'));
      }),
      (e: unknown) => e instanceof InternalError && /its own atomic\(\)/.test(e.message),
    );
    await connections.closeAll();
  });

  test('an unreachable server is an OperationalError', async () => {
    const db = wrapper({ PORT: 1, OPTIONS: { createSchema: false, dropSchemaOnClose: false, connect_timeout: 2 } });
    await assert.rejects(async () => db.fetchAll(q('SELECT 1')), OperationalError);
  });
});

describe('pool and transactions', () => {
  test('atomic() holds one client: its rows are invisible to other flows until COMMIT', async () => {
    connections.configure({ default: postgresTestSettings() });
    const db = connections.get('default');
    await db.executeScript('CREATE TABLE acct (id integer PRIMARY KEY, n integer)');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inside = atomic(async () => {
      await db.execute(q('INSERT INTO acct VALUES ($1, $2)', 1, 10));
      await gate;
      return db.fetchAll(q('SELECT n FROM acct'));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await db.fetchAll(q('SELECT n FROM acct')), []);
    release();
    assert.deepEqual(await inside, [[10]]);
    assert.deepEqual(await db.fetchAll(q('SELECT n FROM acct')), [[10]]);
    await connections.closeAll();
  });

  test('a nested atomic() rolls back to its savepoint and the outer block commits', async () => {
    connections.configure({ default: postgresTestSettings() });
    const db = connections.get('default');
    await db.executeScript('CREATE TABLE t (id integer PRIMARY KEY)');
    const { queries } = await captureQueries(() =>
      atomic(async () => {
        await db.execute(q('INSERT INTO t VALUES (1)'));
        await atomic(async () => {
          await db.execute(q('INSERT INTO t VALUES (2)'));
          await db.execute(q('INSERT INTO t VALUES (1)'));
        }).catch(() => undefined);
      }),
    );
    assert.deepEqual(await db.fetchAll(q('SELECT id FROM t')), [[1]]);
    assert.deepEqual(
      queries.map((r) => r.sql.replace(/"nuages_s\d+"/, 'sp')),
      ['BEGIN', 'INSERT INTO t VALUES (1)', 'SAVEPOINT sp', 'INSERT INTO t VALUES (2)', 'INSERT INTO t VALUES (1)', 'ROLLBACK TO SAVEPOINT sp', 'RELEASE SAVEPOINT sp', 'COMMIT'],
    );
    await connections.closeAll();
  });

  test('parallel statements inside one transaction run one after another on its client', async () => {
    connections.configure({ default: postgresTestSettings() });
    const db = connections.get('default');
    const results = await atomic(() => Promise.all([1, 2, 3, 4].map((n) => db.fetchOne(q('SELECT $1::integer, pg_backend_pid()', n)))));
    assert.deepEqual(results.map((r) => r![0]), [1, 2, 3, 4]);
    assert.equal(new Set(results.map((r) => r![1])).size, 1);
    await connections.closeAll();
  });

  test('OPTIONS.pool.max bounds the clients; waiting statements get the next free one', async () => {
    const db = wrapper({ OPTIONS: { pool: { max: 2 } } });
    const pids = await Promise.all(Array.from({ length: 6 }, () => db.fetchOne(q('SELECT pg_backend_pid() FROM pg_sleep(0.05)'))));
    assert.ok(new Set(pids.map((r) => r![0])).size <= 2);
    assert.ok(db.poolStats.total <= 2);
  });

  test('a killed connection fails the running statement with OperationalError, and the next one succeeds', async () => {
    const db = wrapper({ OPTIONS: { pool: { max: 1 } } });
    const killer = wrapper({ OPTIONS: { createSchema: false, dropSchemaOnClose: false } });
    const [pid] = (await db.fetchOne(q('SELECT pg_backend_pid()')))!;
    const running = db.fetchAll(q('SELECT pg_sleep(5)')).then(() => undefined, (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await killer.fetchAll(q('SELECT pg_terminate_backend($1::integer)', pid as number));
    const error = await running;
    assert.ok(error instanceof OperationalError && /was not retried/.test(error.message), String(error));
    const [next] = (await db.fetchOne(q('SELECT pg_backend_pid()')))!;
    assert.notEqual(next, pid);
  });

  test('a killed connection inside atomic() fails the block, never retrying its writes', async () => {
    connections.configure({ default: postgresTestSettings() });
    const db = connections.get('default');
    const killer = wrapper({ OPTIONS: { createSchema: false, dropSchemaOnClose: false } });
    await db.executeScript('CREATE TABLE w (id integer PRIMARY KEY)');
    await assert.rejects(
      atomic(async () => {
        await db.execute(q('INSERT INTO w VALUES (1)'));
        const [pid] = (await db.fetchOne(q('SELECT pg_backend_pid()')))!;
        await killer.fetchAll(q('SELECT pg_terminate_backend($1::integer)', pid as number));
        await db.execute(q('INSERT INTO w VALUES (2)'));
      }),
      OperationalError,
    );
    assert.deepEqual(await db.fetchAll(q('SELECT id FROM w')), []);
    await connections.closeAll();
  });

  test('CONN_HEALTH_CHECKS replaces a client that died while idle before sending the statement', async () => {
    const db = wrapper({ CONN_HEALTH_CHECKS: true, OPTIONS: { pool: { max: 1 } } });
    const killer = wrapper({ OPTIONS: { createSchema: false, dropSchemaOnClose: false } });
    const [pid] = (await db.fetchOne(q('SELECT pg_backend_pid()')))!;
    await killer.fetchAll(q('SELECT pg_terminate_backend($1::integer)', pid as number));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const [next] = (await db.fetchOne(q('SELECT pg_backend_pid()')))!;
    assert.notEqual(next, pid);
  });
});

describe('server-side cursors', () => {
  test('iterate() reads chunkSize rows per FETCH and lets the loop body query meanwhile', async () => {
    const db = wrapper();
    await db.executeScript('CREATE TABLE n (v integer); INSERT INTO n SELECT generate_series(1, 25)');
    const seen: unknown[] = [];
    for await (const row of db.iterate(q('SELECT v FROM n WHERE v > $1::integer ORDER BY v', 5), 7)) {
      seen.push(row[0]);
      if (seen.length === 3) assert.deepEqual(await db.fetchOne(q('SELECT COUNT(*) FROM n')), [25]);
    }
    assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 6));
  });

  test('breaking out of the loop closes the cursor and returns its client', async () => {
    const db = wrapper({ OPTIONS: { pool: { max: 1 } } });
    await db.executeScript('CREATE TABLE n (v integer); INSERT INTO n SELECT generate_series(1, 10)');
    for await (const row of db.iterate(q('SELECT v FROM n ORDER BY v'), 2)) if (row[0] === 3) break;
    assert.deepEqual(await db.fetchOne(q('SELECT COUNT(*) FROM pg_cursors')), [0]);
  });

  test('DISABLE_SERVER_SIDE_CURSORS reads with one plain query (PgBouncer transaction mode)', async () => {
    const db = wrapper({ DISABLE_SERVER_SIDE_CURSORS: true });
    await db.executeScript('CREATE TABLE n (v integer); INSERT INTO n SELECT generate_series(1, 5)');
    const { queries, result } = await captureQueries(async () => {
      const out: unknown[] = [];
      for await (const row of db.iterate(q('SELECT v FROM n ORDER BY v'), 2)) out.push(row[0]);
      return out;
    });
    assert.deepEqual(result, [1, 2, 3, 4, 5]);
    assert.deepEqual(queries.map((r) => r.sql), ['SELECT v FROM n ORDER BY v']);
  });

  test('inside atomic() the cursor lives on the transaction and sees its uncommitted rows', async () => {
    connections.configure({ default: postgresTestSettings() });
    const db = connections.get('default');
    await db.executeScript('CREATE TABLE n (v integer)');
    const seen = await atomic(async () => {
      await db.execute(q('INSERT INTO n VALUES (1), (2), (3)'));
      const out: unknown[] = [];
      for await (const row of db.iterate(q('SELECT v FROM n ORDER BY v'), 2)) out.push(row[0]);
      return out;
    });
    assert.deepEqual(seen, [1, 2, 3]);
    await connections.closeAll();
  });
});

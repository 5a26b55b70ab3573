import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { SqliteDatabaseWrapper } from '../../src/db/backends/sqlite/connection.ts';
import { connections } from '../../src/db/connections.ts';
import { captureQueries, QueryLog, resetQueries } from '../../src/db/query-log.ts';
import { atomic } from '../../src/db/transaction.ts';

const q = (sql: string, ...params: (string | number)[]) => ({ sql, params });

after(() => connections.reset());

describe('captureQueries', () => {
  beforeEach(async () => {
    await connections.reset();
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
  });

  test('records each statement with its SQL, parameters, alias and duration', async () => {
    const db = connections.get();
    const { result, queries } = await captureQueries(async () => {
      await db.executeScript('CREATE TABLE t (a INTEGER)');
      await db.execute(q('INSERT INTO t VALUES (?)', 5));
      return db.fetchAll(q('SELECT a FROM t WHERE a > ?', 1));
    });
    assert.deepEqual(result, [[5]]);
    assert.deepEqual(
      queries.map((r) => [r.sql, r.params, r.alias]),
      [
        ['CREATE TABLE t (a INTEGER)', [], 'default'],
        ['INSERT INTO t VALUES (?)', [5], 'default'],
        ['SELECT a FROM t WHERE a > ?', [1], 'default'],
      ],
    );
    for (const record of queries) assert.ok(record.durationMs >= 0 && record.durationMs < 1000);
  });

  test('records failed statements too', async () => {
    const db = connections.get();
    const { queries } = await captureQueries(async () => {
      await assert.rejects(async () => db.fetchAll(q('SELECT * FROM missing')));
    });
    assert.deepEqual(
      queries.map((r) => r.sql),
      ['SELECT * FROM missing'],
    );
  });

  test('nested captures each see their own statements; the outer one sees all', async () => {
    const db = connections.get();
    const outer = await captureQueries(async () => {
      db.fetchAll(q('SELECT 1'));
      const inner = await captureQueries(() => db.fetchAll(q('SELECT 2')));
      db.fetchAll(q('SELECT 3'));
      return inner.queries.map((r) => r.sql);
    });
    assert.deepEqual(outer.result, ['SELECT 2']);
    assert.deepEqual(
      outer.queries.map((r) => r.sql),
      ['SELECT 1', 'SELECT 2', 'SELECT 3'],
    );
  });

  test('concurrent captures never see each other’s statements', async () => {
    const db = connections.get();
    const flow = (label: string) =>
      captureQueries(async () => {
        for (let i = 0; i < 3; i++) {
          db.fetchAll(q(`SELECT '${label}${i}'`));
          await delay(1);
        }
      });
    const [a, b] = await Promise.all([flow('a'), flow('b')]);
    assert.deepEqual(
      a.queries.map((r) => r.sql),
      ["SELECT 'a0'", "SELECT 'a1'", "SELECT 'a2'"],
    );
    assert.deepEqual(
      b.queries.map((r) => r.sql),
      ["SELECT 'b0'", "SELECT 'b1'", "SELECT 'b2'"],
    );
  });

  test('transaction statements are recorded as Django records them', async () => {
    const db = connections.get();
    await db.executeScript('CREATE TABLE t (a INTEGER)');
    const { queries } = await captureQueries(() =>
      atomic(async () => {
        await db.execute(q('INSERT INTO t VALUES (1)'));
        await atomic(async () => db.execute(q('INSERT INTO t VALUES (2)')));
        await atomic(async () => {
          throw new Error('x');
        }).catch(() => undefined);
      }),
    );
    assert.deepEqual(
      queries.map((r) => r.sql),
      [
        'BEGIN',
        'INSERT INTO t VALUES (1)',
        'SAVEPOINT "nuages_s1"',
        'INSERT INTO t VALUES (2)',
        'RELEASE SAVEPOINT "nuages_s1"',
        'SAVEPOINT "nuages_s2"',
        'ROLLBACK TO SAVEPOINT "nuages_s2"',
        'RELEASE SAVEPOINT "nuages_s2"',
        'COMMIT',
      ],
    );
  });

  test('streamed queries are recorded once, when the cursor opens', async () => {
    const db = connections.get();
    const { queries } = await captureQueries(async () => {
      for await (const row of db.iterate(q('SELECT 1 UNION ALL SELECT 2'), 1)) assert.ok(row);
    });
    assert.equal(queries.length, 1);
  });

  test('{ stack: true } records where each statement was issued', async () => {
    const db = connections.get();
    const { queries } = await captureQueries(() => db.fetchAll(q('SELECT 1')), { stack: true });
    assert.match(queries[0]!.stack ?? '', /query-log\.test\.ts/);
    assert.doesNotMatch(queries[0]!.stack ?? '', /src[\\/]db[\\/]backends/);
  });

  test('the fn’s error propagates', async () => {
    await assert.rejects(
      captureQueries(() => {
        throw new Error('inside');
      }),
      /inside/,
    );
  });
});

describe('connection.queries (DEBUG)', () => {
  test('is empty and records nothing when DEBUG is off', () => {
    const db = new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: ':memory:' });
    db.fetchAll(q('SELECT 1'));
    assert.deepEqual(db.queries, []);
  });

  test('keeps every statement when DEBUG is on, until resetQueries()', () => {
    const db = new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: ':memory:' }, { debug: true });
    db.fetchAll(q('SELECT ?', 1));
    db.fetchOne(q('SELECT 2'));
    assert.deepEqual(
      db.queries.map((r) => [r.sql, r.params]),
      [
        ['SELECT ?', [1]],
        ['SELECT 2', []],
      ],
    );
    resetQueries();
    assert.deepEqual(db.queries, []);
  });

  test('forceDebugCursor turns recording on and off without DEBUG', () => {
    const db = new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: ':memory:' });
    db.forceDebugCursor = true;
    db.fetchAll(q('SELECT 1'));
    assert.equal(db.queries.length, 1);
    db.forceDebugCursor = false;
    db.fetchAll(q('SELECT 1'));
    assert.deepEqual(db.queries, []);
  });

  test('the DEBUG log is bounded, keeping the newest records', () => {
    const log = new QueryLog(3);
    for (let i = 0; i < 10; i++) log.push({ sql: `SELECT ${i}`, params: [], durationMs: 0, alias: 'default' });
    assert.deepEqual(
      log.entries.map((r) => r.sql),
      ['SELECT 7', 'SELECT 8', 'SELECT 9'],
    );
    log.dispose();
  });
});

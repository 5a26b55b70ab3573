/**
 * ReplicaRouter against real PostgreSQL: the primary is the test database (`test`), the
 * replica a second database on the same server (`test_replica`), standing in for a
 * streaming replica. Replication lag is simulated by writing to the primary only: a read
 * the router sends to the replica does not see the write. Runs on PostgreSQL whatever
 * NUAGES_TEST_DB says, as the backend's own tests do.
 */
import { test, describe, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Model, CharField, connections, createTables, atomic, router, ReplicaRouter, runWithRoutingScope } from '../../src/db/index.ts';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { path } from '../../src/urls/index.ts';
import { Client } from '../../src/test/index.ts';
import { postgresTestSettings } from './test-database.ts';

class Note extends Model<Note>()({ text: new CharField({ maxLength: 50 }) }, { appLabel: 'replicas' }) {}
/** Its table is created on the primary only. */
class Draft extends Model<Draft>()({ text: new CharField({ maxLength: 50 }) }, { appLabel: 'replicas' }) {}

const HOST = process.env['NUAGES_TEST_PG_HOST'] ?? '127.0.0.1';
const PORT = Number(process.env['NUAGES_TEST_PG_PORT'] ?? 5432);
const USER = process.env['NUAGES_TEST_PG_USER'] ?? 'postgres';

/** Creates `test_replica` on the test server unless it exists (also when another file races us). */
async function ensureReplicaDatabase(): Promise<void> {
  const client = new pg.Client({ host: HOST, port: PORT, user: USER, database: process.env['NUAGES_TEST_PG_NAME'] ?? 'test' });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${HOST}:${PORT} (${(error as Error).message}); start it (see the env notes) and run again.`);
  }
  try {
    const found = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'test_replica'`);
    if (found.rowCount === 0) {
      try {
        await client.query('CREATE DATABASE test_replica');
      } catch (error) {
        // 42P04 duplicate_database; 23505 when two sessions create it at the same moment.
        const code = (error as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

let replicaRouter: ReplicaRouter;

before(async () => {
  await ensureReplicaDatabase();
  configure({ SECRET_KEY: 'test', ALLOWED_HOSTS: ['testserver'], BASE_DIR: import.meta.dirname });
  await connections.reset();
  connections.configure({
    default: postgresTestSettings(),
    replica: postgresTestSettings({ NAME: 'test_replica' }),
    // Nothing listens there: a replica that is down.
    down: postgresTestSettings({ PORT: 1, OPTIONS: { connect_timeout: 2 } }),
  });
  await createTables([Note, Draft], { using: 'default' });
  await createTables([Note], { using: 'replica' });
});

after(async () => {
  router.configure(undefined);
  await connections.reset();
  resetSettings();
});

beforeEach(async () => {
  replicaRouter = new ReplicaRouter({ replicas: { default: ['replica'] } });
  router.configure([replicaRouter]);
  for (const alias of ['default', 'replica']) await Note.objects.using(alias).delete();
  // The state both servers agree on, as after replication caught up.
  for (const alias of ['default', 'replica']) await Note.objects.using(alias).create({ text: 'replicated' });
});

describe('ReplicaRouter on PostgreSQL with a lagging replica', () => {
  test('reads go to the replica and writes to the primary', async () => {
    const notes = await Note.objects.all();
    assert.deepEqual(notes.map((n) => [n.text, n._state.db]), [['replicated', 'replica']]);
    await Note.objects.create({ text: 'written' });
    assert.equal(await Note.objects.using('default').filter({ text: 'written' }).count(), 1);
    assert.equal(await Note.objects.using('replica').filter({ text: 'written' }).count(), 0);
  });

  test('outside a routing scope a read right after a write is stale; inside one it reads the primary', async () => {
    const first = await Note.objects.create({ text: 'lagging' });
    assert.equal(await Note.objects.filter({ pk: first.pk }).exists(), false, 'served by the lagging replica');

    await runWithRoutingScope(async () => {
      assert.equal((await Note.objects.all()).length, 1, 'before any write: the replica');
      const second = await Note.objects.create({ text: 'sticky' });
      const again = await Note.objects.get({ pk: second.pk });
      assert.equal(again.text, 'sticky');
      assert.equal(again._state.db, 'default');
      assert.equal(await Note.objects.count(), 3);
    });
  });

  test('each HTTP request is a routing scope: a view reads back what it just saved', async () => {
    const saveThenRead = async () => {
      const note = await Note.objects.create({ text: 'from a view' });
      const read = await Note.objects.get({ pk: note.pk });
      return new HttpResponse(`${read.text} via ${read._state.db}`);
    };
    const count = async () => new HttpResponse(String(await Note.objects.filter({ text: 'from a view' }).count()));
    const client = new Client({ urlconf: [path('save/', saveThenRead), path('count/', count)], middleware: [] });
    assert.equal((await client.post('/save/')).text, 'from a view via default');
    // The next request has written nothing: it reads the lagging replica.
    assert.equal((await client.get('/count/')).text, '0');
  });

  test('inside atomic() reads go to the primary and see the transaction\'s writes', async () => {
    await atomic(async () => {
      await Note.objects.create({ text: 'in a transaction' });
      assert.equal(await Note.objects.filter({ text: 'in a transaction' }).count(), 1);
      assert.equal(Note.objects.all().db, 'default');
    });
  });

  test('a replica that is down is skipped: the read is served by the primary, then the others are used', async (t) => {
    const warn = t.mock.method(console, 'warn', () => undefined);
    replicaRouter = new ReplicaRouter({ replicas: { default: ['down', 'replica'] }, retryAfter: 60 });
    router.configure([replicaRouter]);
    await Note.objects.using('default').create({ text: 'primary only' });
    const first = await Note.objects.orderBy('text');
    assert.deepEqual(first.map((n) => [n.text, n._state.db]), [['primary only', 'default'], ['replicated', 'default']]);
    assert.ok(replicaRouter.isDown('down'));
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]!.arguments[0]), /replica 'down' could not be reached/);
    for (let i = 0; i < 3; i++) {
      const notes = await Note.objects.all();
      assert.deepEqual(notes.map((n) => n._state.db), ['replica']);
    }
    assert.equal(await Note.objects.count(), 1);
  });

  test('a query error on a replica is not mistaken for a replica that is down', async () => {
    // The table exists on the primary only: the replica answers "relation does not exist".
    await assert.rejects(() => Draft.objects.count(), (error: unknown) => /replicas_draft/.test((error as Error).message));
    assert.equal(replicaRouter.isDown('replica'), false);
    assert.equal(await Draft.objects.using('default').count(), 0);
  });
});

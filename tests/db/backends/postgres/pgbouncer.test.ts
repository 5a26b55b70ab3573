// The ORM behind a real PgBouncer (Debian's package) in transaction pooling mode, in front of
// 127.0.0.1:5432: schema creation, transactions and savepoints, iterator() with
// DISABLE_SERVER_SIDE_CURSORS, and concurrent flows sharing fewer server connections than clients.
// The bouncer runs on a free loopback port with its config in a temp dir, and is stopped after.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, chmodSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Model, CharField, IntegerField, connections, createTables, atomic } from '../../../../src/db/index.ts';
import { postgresTestSettings } from '../../test-database.ts';

function pgbouncerPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v pgbouncer || ls /usr/sbin/pgbouncer'], { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    throw new Error('pgbouncer is not installed: run `apt-get install -y pgbouncer` (.ci/run does it) to run the PgBouncer tests.');
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, logfile: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pgbouncer did not listen on 127.0.0.1:${port}: ${existsSync(logfile) ? readFileSync(logfile, 'utf8') : 'no log'}`);
}

const settings = postgresTestSettings({ DISABLE_SERVER_SIDE_CURSORS: true });
const schema = String(settings.OPTIONS!['schema']);
let bouncer: ChildProcess | undefined;
let dir = '';

class Account extends Model<Account>()({
  owner: new CharField({ maxLength: 30 }),
  balance: new IntegerField({ default: 0 }),
}, { appLabel: 'pgbouncer', ordering: ['id'] }) {}

before(async () => {
  const binary = pgbouncerPath();
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'nuages-pgbouncer-'));
  chmodSync(dir, 0o777);
  const logfile = join(dir, 'pgbouncer.log');
  // Under transaction pooling a session SET reaches whichever server connection ran it; the
  // search_path is therefore set by the bouncer on every server connection it opens.
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `nuages = host=127.0.0.1 port=5432 dbname=test user=postgres connect_query='CREATE SCHEMA IF NOT EXISTS "${schema}"; SET search_path TO "${schema}"'`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = any',
    'pool_mode = transaction',
    'default_pool_size = 2',
    'max_client_conn = 50',
    `logfile = ${logfile}`,
    `pidfile = ${join(dir, 'pgbouncer.pid')}`,
    'ignore_startup_parameters = extra_float_digits,options',
    '',
  ].join('\n'));
  chmodSync(join(dir, 'pgbouncer.ini'), 0o644);
  // PgBouncer refuses to run as root; drop to the postgres user when we are root.
  const args = process.getuid?.() === 0 ? ['-u', 'postgres', join(dir, 'pgbouncer.ini')] : [join(dir, 'pgbouncer.ini')];
  bouncer = spawn(binary, args, { stdio: 'ignore' });
  await waitForPort(port, logfile);
  connections.configure({ default: { ...settings, NAME: 'nuages', PORT: port, OPTIONS: { ...settings.OPTIONS, pool: { max: 6 } } } });
  await createTables([Account]);
});

after(async () => {
  await connections.closeAll();
  bouncer?.kill('SIGTERM');
  if (bouncer && bouncer.exitCode === null) await new Promise((r) => bouncer!.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
});

describe('through PgBouncer in transaction mode', () => {
  test('atomic() commits, and a failed savepoint rolls back only its own work', async () => {
    await atomic(async () => {
      await Account.objects.create({ owner: 'ann', balance: 10 });
      await assert.rejects(
        atomic(async () => {
          await Account.objects.create({ owner: 'bob', balance: 5 });
          throw new Error('boom');
        }),
        /boom/,
      );
      await Account.objects.filter({ owner: 'ann' }).update({ balance: 20 });
    });
    assert.deepEqual(await Account.objects.valuesList('owner', 'balance'), [['ann', 20]]);
  });

  test('a failing outer block rolls everything back', async () => {
    await assert.rejects(atomic(async () => {
      await Account.objects.create({ owner: 'carl' });
      throw new Error('abort');
    }), /abort/);
    assert.equal(await Account.objects.filter({ owner: 'carl' }).count(), 0);
  });

  test('iterator() reads in chunks with server-side cursors disabled, inside and outside atomic()', async () => {
    await Account.objects.bulkCreate(Array.from({ length: 120 }, (_, i) => new Account({ owner: `u${i}`, balance: i })));
    let seen = 0;
    for await (const account of Account.objects.filter({ owner__startswith: 'u' }).iterator({ chunkSize: 25 })) {
      // A query inside the loop needs another client: the bouncer must hand out a server connection.
      if (seen === 0) assert.equal(await Account.objects.filter({ owner: 'ann' }).count(), 1);
      seen += account.balance >= 0 ? 1 : 0;
    }
    assert.equal(seen, 120);
    const total = await atomic(async () => {
      let sum = 0;
      for await (const account of Account.objects.filter({ owner__startswith: 'u' }).iterator({ chunkSize: 50 })) sum += account.balance;
      return sum;
    });
    assert.equal(total, (119 * 120) / 2);
  });

  test('concurrent flows share two server connections without seeing each other', async () => {
    const flows = Array.from({ length: 12 }, (_, i) =>
      atomic(async () => {
        const account = await Account.objects.create({ owner: `flow${i}`, balance: i });
        // Each transaction sees its own uncommitted row and nobody else's.
        const visible = await Account.objects.filter({ owner__startswith: 'flow' }).valuesList('owner', { flat: true });
        assert.ok((visible as unknown[]).includes(`flow${i}`));
        if (i % 3 === 0) throw new Error(`rollback ${i}`);
        return account.pk;
      }).catch((error: Error) => error.message),
    );
    const results = await Promise.all(flows);
    assert.equal(results.filter((r) => typeof r === 'string').length, 4);
    const committed = await Account.objects.filter({ owner__startswith: 'flow' }).count();
    assert.equal(committed, 8);
  });
});

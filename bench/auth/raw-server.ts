/**
 * The raw limit of the auth benchmark, in its own process: `node bench/auth/raw-server.ts
 * page|io`. A hand-written node:http handler answering GET /me/ with the same JSON as
 * server.ts: `page` with no I/O, `io` after the I/O a logged-in page cannot avoid — the
 * session read from Redis (ioredis, auto-pipelined) and the user row read from SQLite by
 * primary key (node:sqlite, a prepared statement). The gap between the two is the floor
 * under any session + auth layer. Prints `READY <port> <cookie>`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Redis } from 'ioredis';

const kind = process.argv[2] ?? 'page';
const SESSION_KEY = `bench-raw-${process.pid}`;
const USERNAME = `bench-${process.pid}`;

function openUsers(): DatabaseSync {
  const db = new DatabaseSync(join(mkdtempSync(join(tmpdir(), 'nuages-bench-raw-')), 'db.sqlite3'));
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(
    'CREATE TABLE auth_user (id integer PRIMARY KEY, password text, last_login text, is_superuser bool, username text UNIQUE, ' +
      'first_name text, last_name text, email text, is_staff bool, is_active bool, date_joined text)',
  );
  db.prepare("INSERT INTO auth_user VALUES (1, ?, NULL, 0, ?, '', '', '', 0, 1, '2026-11-28 10:00:00')").run('md5$salt$'.padEnd(45, '0'), USERNAME);
  return db;
}

let handle: (cookie: string | undefined) => Promise<string>;
if (kind === 'io') {
  const redis = new Redis('redis://127.0.0.1:6379/13', { enableAutoPipelining: true });
  await redis.set(SESSION_KEY, JSON.stringify({ _auth_user_id: '1' }), 'EX', 3600);
  const select = openUsers().prepare(
    'SELECT id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined FROM auth_user WHERE id = ?',
  );
  select.setReturnArrays(true);
  handle = async (cookie) => {
    const key = /(?:^|;\s*)sessionid=([^;]*)/.exec(cookie ?? '')?.[1];
    const data = key === undefined ? null : await redis.get(key);
    const userId = data === null ? undefined : (JSON.parse(data) as { _auth_user_id?: string })._auth_user_id;
    const row = userId === undefined ? undefined : (select.get(Number(userId)) as unknown as unknown[] | undefined);
    return JSON.stringify({ user: row ? row[4] : null });
  };
} else {
  handle = async () => JSON.stringify({ user: null });
}

const server = createServer((req, res) => {
  handle(req.headers.cookie).then((body) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`READY ${(server.address() as AddressInfo).port} ${kind === 'io' ? `sessionid=${SESSION_KEY}` : ''}`);
});

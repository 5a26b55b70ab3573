/**
 * One target of the auth benchmark, in its own process: `node bench/auth/server.ts
 * plain|db|cache`. Serves GET /me/, a minimal JSON page: `plain` without middleware,
 * `db` and `cache` through SessionMiddleware + AuthenticationMiddleware with the session
 * in SQLite or in Redis, for a user logged in at start-up. Prints
 * `READY <port> <cookie>` and serves until killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configure, setup } from '../../src/conf/index.ts';
import { User, login } from '../../src/contrib/auth/index.ts';
import { sessionEngine } from '../../src/contrib/sessions/index.ts';
import { callCommand } from '../../src/core/management/index.ts';
import { NuagesServer, createNodeApp } from '../../src/core/servers/index.ts';
import { HttpRequest } from '../../src/http/index.ts';
import type { SessionBase } from '../../src/contrib/sessions/index.ts';

const kind = process.argv[2] ?? 'plain';
const withAuth = kind !== 'plain';
const dir = mkdtempSync(join(tmpdir(), 'nuages-bench-auth-'));

configure({
  DEBUG: false,
  SECRET_KEY: 'bench-auth-not-secret',
  ALLOWED_HOSTS: ['127.0.0.1'],
  BASE_DIR: import.meta.dirname,
  ROOT_URLCONF: 'urls',
  INSTALLED_APPS: withAuth ? ['nuages/contrib/contenttypes', 'nuages/contrib/auth', 'nuages/contrib/sessions'] : [],
  DATABASES: { default: { ENGINE: 'sqlite', NAME: join(dir, 'db.sqlite3') } },
  CACHES: { default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/13' } },
  SESSION_ENGINE: kind === 'cache' ? 'cache' : 'db',
  PASSWORD_HASHERS: ['md5'],
  MIDDLEWARE: withAuth ? ['nuages/contrib/sessions#SessionMiddleware', 'nuages/contrib/auth#AuthenticationMiddleware'] : [],
});
await setup();
let cookie = '';
if (withAuth) {
  await callCommand('migrate', { stdout: { write() {} } });
  const user = await User.objects.createUser(`bench-${process.pid}`, '', 'not-measured');
  const request = HttpRequest.create();
  const Store = sessionEngine();
  request.session = new Store(null) as SessionBase;
  await login(request, user, { backend: 'nuages/contrib/auth/backends#ModelBackend' });
  await request.session.save();
  cookie = `sessionid=${request.session.sessionKey}`;
}
const server = new NuagesServer({ app: await createNodeApp(), host: '127.0.0.1', port: 0 });
const { port } = await server.listen();
console.log(`READY ${port} ${cookie}`);

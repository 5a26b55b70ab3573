/**
 * What bench/bookshop/run.ts starts and stops: a fresh PostgreSQL database migrated and
 * seeded by the bookshop, `manage.ts serve --workers 2`, and gunicorn serving the Django
 * version in bench/bookshop/django. Every process is started in its own process group,
 * so stopping it stops its workers too, whatever happened to the parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..', '..');
const MANAGE = join(ROOT, 'examples', 'bookshop', 'manage.ts');
const GUNICORN = join(ROOT, '.venv-django', 'bin', 'gunicorn');
const DJANGO_DIR = join(import.meta.dirname, 'django');
const START_TIMEOUT_MS = 30_000;

export const WORKERS = 2;
/** gunicorn gthread's threads per worker. */
export const THREADS = 4;

/** The PostgreSQL server the bench uses: BENCH_DATABASE_URL names its maintenance database. */
const SERVER_URL = new URL(process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');

/** Production-shape environment shared by both servers: DEBUG off, a real secret key. */
const SECRET_KEY = randomBytes(36).toString('base64url');

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL.href });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A database of its own for this run (dropped by `dropDatabase`), as a DATABASE_URL. */
export async function createDatabase(name: string): Promise<string> {
  await onServer(`DROP DATABASE IF EXISTS ${quoteName(name)} WITH (FORCE)`);
  await onServer(`CREATE DATABASE ${quoteName(name)}`);
  const url = new URL(SERVER_URL.href);
  url.pathname = `/${name}`;
  return url.href;
}

/** FORCE: the servers' pooled connections must not keep it alive if a stop was too slow. */
export async function dropDatabase(name: string): Promise<void> {
  await onServer(`DROP DATABASE IF EXISTS ${quoteName(name)} WITH (FORCE)`);
}

// Each stack's collected static files (hashed names and a manifest, as in production).
const NUAGES_STATIC_ROOT = mkdtempSync(join(tmpdir(), 'nuages-bench-static-'));
const DJANGO_STATIC_ROOT = mkdtempSync(join(tmpdir(), 'django-bench-static-'));

function bookshopEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: databaseUrl, DEBUG: 'false', SECRET_KEY, ALLOWED_HOSTS: '127.0.0.1,localhost', STATIC_ROOT: NUAGES_STATIC_ROOT };
}

function djangoEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  return {
    ...process.env,
    SECRET_KEY,
    BENCH_DB_NAME: url.pathname.slice(1),
    BENCH_DB_HOST: url.hostname,
    BENCH_DB_PORT: url.port || '5432',
    BENCH_STATIC_ROOT: DJANGO_STATIC_ROOT,
    DJANGO_SETTINGS_MODULE: 'settings',
    PYTHONPATH: DJANGO_DIR,
  };
}

/** Runs a bookshop management command to completion; its output is shown only if it fails. */
function manage(databaseUrl: string, ...args: string[]): Promise<void> {
  return runToEnd(process.execPath, [MANAGE, ...args], bookshopEnv(databaseUrl));
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with code ${code}:\n${output}`)),
    );
  });
}

/** The bookshop's schema (its migrations) and demo data (seed_demo: 60 books) in `databaseUrl`; each stack's static files collected. */
export async function migrateAndSeed(databaseUrl: string): Promise<void> {
  await manage(databaseUrl, 'migrate', '--no-input');
  await manage(databaseUrl, 'seed_demo');
  // Both stacks' collectstatic: the pages link catalog/site.<the same hash>.css.
  await manage(databaseUrl, 'collectstatic', '--noinput');
  if (djangoAvailable()) await runToEnd(join(ROOT, '.venv-django', 'bin', 'python'), ['-m', 'django', 'collectstatic', '--noinput'], djangoEnv(databaseUrl));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Server {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What the process printed, for the error when it does not come up. */
  output(): string;
}

function launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, port: number): Server {
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer) => (text = (text + chunk.toString()).slice(-8_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, port, child, output: () => text };
}

/** Resolves once `GET path` answers 200, rejects when the process exits or the time is up. */
async function waitReady(server: Server, path: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited with code ${server.child.exitCode}:\n${server.output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${server.name} did not answer 200 on ${path} within ${START_TIMEOUT_MS / 1000} s:\n${server.output()}`);
}

/** `manage.ts serve 127.0.0.1:PORT --workers 2` on the bench's database. */
export async function startNuages(databaseUrl: string, readyPath: string): Promise<Server> {
  const port = await freePort();
  const server = launch('nuages', process.execPath, [MANAGE, 'serve', `127.0.0.1:${port}`, '--workers', String(WORKERS)], bookshopEnv(databaseUrl), port);
  await waitReady(server, readyPath);
  return server;
}

/** Whether the Django virtualenv (DEVELOPERS.md) is there; without it the bench cannot compare. */
export function djangoAvailable(): boolean {
  return existsSync(GUNICORN);
}

/**
 * gunicorn with 2 workers serving bench/bookshop/django: `sync` (gunicorn's default, one
 * request at a time per worker) or `gthread` (THREADS threads per worker).
 */
export async function startDjango(kind: 'sync' | 'gthread', databaseUrl: string, readyPath: string): Promise<Server> {
  const port = await freePort();
  const env = djangoEnv(databaseUrl);
  const args = ['--chdir', DJANGO_DIR, '--workers', String(WORKERS), '--bind', `127.0.0.1:${port}`, '--no-control-socket'];
  if (kind === 'gthread') args.push('--worker-class', 'gthread', '--threads', String(THREADS));
  const server = launch(`django-${kind}`, GUNICORN, [...args, 'wsgi'], env, port);
  await waitReady(server, readyPath);
  return server;
}


/** SIGTERM to the server's process group (the primary and its workers); SIGKILL after 5 s. */
export async function stop(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * What the test database lifecycle asks of a database server: create a database (empty or
 * as a copy of a template), drop it, keep a fingerprint on a template, and hold a lock
 * across processes while a template is built or copied. SQLite files and PostgreSQL
 * databases implement it; `database.ts` decides what to create.
 */
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Client } from 'pg';
import type { DatabaseSettings } from '../db/backends/base/types.ts';
import { DatabaseLockTimeoutError } from '../db/errors.ts';

/** A database server the test lifecycle manages databases on. */
export interface TestDatabaseServer {
  /** Creates `name`, empty or as a copy of `template`; an existing `name` is dropped first. */
  create(name: string, template?: string): Promise<void>;
  /** Drops `name` if it exists. */
  drop(name: string): Promise<void>;
  /** The fingerprint stored on `name`, or undefined when it does not exist or has none. */
  fingerprint(name: string): Promise<string | undefined>;
  /** Stores `value` as the fingerprint of `name`. */
  setFingerprint(name: string, value: string): Promise<void>;
  /** Runs `fn` while holding the cross-process lock of `name`. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Ends the server's own connection. */
  close(): Promise<void>;
}

const LOCK_TIMEOUT_MS = 10 * 60_000;

/** The server of a DATABASES entry (SQLite files beside each other, or a PostgreSQL server). */
export function testDatabaseServer(settings: DatabaseSettings): TestDatabaseServer {
  return settings.ENGINE === 'postgres' ? new PostgresServer(settings) : new SqliteFiles();
}

/** SQLite: a database is a file; the lock is a file created exclusively beside the template. */
class SqliteFiles implements TestDatabaseServer {
  async create(name: string, template?: string): Promise<void> {
    await this.drop(name);
    if (template !== undefined) copyFileSync(template, name);
  }

  async drop(name: string): Promise<void> {
    for (const suffix of ['', '-wal', '-shm', '-journal', '.fingerprint']) rmSync(`${name}${suffix}`, { force: true });
  }

  async fingerprint(name: string): Promise<string | undefined> {
    if (!existsSync(name) || !existsSync(`${name}.fingerprint`)) return undefined;
    return readFileSync(`${name}.fingerprint`, 'utf8');
  }

  async setFingerprint(name: string, value: string): Promise<void> {
    writeFileSync(`${name}.fingerprint`, value);
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${name}.lock`;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx'));
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // A process killed while holding the lock leaves the file behind: older than the timeout, it is stale.
        if (Date.now() - mtime(lock) > LOCK_TIMEOUT_MS) rmSync(lock, { force: true });
        else if (Date.now() > deadline) throw lockTimeout(name);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    try {
      return await fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }

  async close(): Promise<void> {}
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Date.now();
  }
}

function lockTimeout(name: string): DatabaseLockTimeoutError {
  return new DatabaseLockTimeoutError(
    `Waited ${LOCK_TIMEOUT_MS / 1000}s for another test process building the test database ${name}. ` +
      'If no other test run is going on, a crashed one left its lock: run again without --keepdb.',
  );
}

/**
 * PostgreSQL: databases are made from the server's `postgres` database (CREATE DATABASE
 * cannot run in the database it copies); the fingerprint is the database's comment; the
 * lock is a session advisory lock, released if the process dies.
 */
class PostgresServer implements TestDatabaseServer {
  readonly #settings: DatabaseSettings;
  #client: Promise<Client> | undefined;

  constructor(settings: DatabaseSettings) {
    this.#settings = settings;
  }

  async create(name: string, template?: string): Promise<void> {
    await this.drop(name);
    await this.#query(`CREATE DATABASE ${ident(name)}${template === undefined ? '' : ` TEMPLATE ${ident(template)}`}`);
  }

  async drop(name: string): Promise<void> {
    // FORCE: connections a failed test process left open must not keep the database alive.
    await this.#query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
  }

  async fingerprint(name: string): Promise<string | undefined> {
    const rows = await this.#query(
      "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
      [name],
    );
    const comment = rows[0]?.[0];
    return typeof comment === 'string' ? comment : undefined;
  }

  async setFingerprint(name: string, value: string): Promise<void> {
    await this.#query(`COMMENT ON DATABASE ${ident(name)} IS ${literal(value)}`);
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = `nuages_test:${name}`;
    await this.#query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    try {
      return await fn();
    } finally {
      await this.#query('SELECT pg_advisory_unlock(hashtext($1))', [key]);
    }
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) await (await client).end();
  }

  async #query(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    const client = await (this.#client ??= this.#connect());
    return (await client.query({ text: sql, values: params, rowMode: 'array' })).rows as unknown[][];
  }

  async #connect(): Promise<Client> {
    const pg = (await import('pg')).default as unknown as typeof import('pg');
    const s = this.#settings;
    const client = new pg.Client({
      database: 'postgres',
      ...(s.HOST ? { host: s.HOST } : {}),
      ...(s.PORT !== undefined && s.PORT !== '' ? { port: Number(s.PORT) } : {}),
      ...(s.USER ? { user: s.USER } : {}),
      ...(s.PASSWORD ? { password: s.PASSWORD } : {}),
    });
    await client.connect();
    return client;
  }
}

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The database cache (Django's DatabaseCache): one row per key in a table that
 * `manage.ts createcachetable` creates, on SQLite or PostgreSQL.
 *
 * The table is Django's: `cache_key varchar(255)` primary key, `value text` (the
 * base64 of the bytes `encodeValue()` writes, as Django keeps base64 of a pickle)
 * and `expires` (a datetime, indexed). "Now" is `Date.now()` computed here and
 * passed as a parameter, never the database's clock, so expiry follows the process
 * (and a test's fake clock) and both databases agree.
 *
 * Each primitive is one statement that the database makes atomic: `add` is an
 * upsert that only replaces an expired row, `set` an upsert, `touch` an UPDATE of a
 * live row, and `incr` a compare-and-swap (read the value, UPDATE … WHERE value is
 * still what was read, retry if another writer came first). Statements run on the
 * current transaction when called inside `atomic()`, as Django's cursor does.
 *
 * Culling is Django's: before a write, when the table holds more than `MAX_ENTRIES`
 * rows, expired rows go first; if still over, the first 1/`CULL_FREQUENCY` of the
 * rows in cache_key order are deleted (all rows when CULL_FREQUENCY is 0).
 */
import { NuagesError } from '../../core/errors.ts';
import type { DatabaseWrapper } from '../../db/backends/base/connection.ts';
import type { CompiledQuery, SqlParam } from '../../db/backends/base/types.ts';
import { connections } from '../../db/connections.ts';
import { formatDateTimeUtc } from '../../db/models/fields/temporal.ts';
import { compilerFor } from '../../db/models/sql/backend.ts';
import { isConnectionFailure, router, type RoutedModel } from '../../db/routers.ts';
import { atomic } from '../../db/transaction.ts';
import { CacheBackend, type CacheBackendParams, type Ttl } from '../backend.ts';
import { CacheUnavailableError, CacheValueNotIntegerError, InvalidCacheBackendError } from '../errors.ts';
import { decodeValue, encodeValue, UNREADABLE } from '../serializer.ts';

/**
 * The cache table does not exist on the database the cache uses.
 *
 * ```ts
 * // fix: node manage.ts createcachetable
 * ```
 */
export class CacheTableMissingError extends NuagesError {
  readonly code = 'NUAGES_CACHE_TABLE_MISSING';
  constructor(alias: string, table: string, database: string, options?: ErrorOptions) {
    super(
      `The cache table '${table}' of CACHES.${alias} does not exist on database '${database}'. ` +
        `Create it with: node manage.ts createcachetable${database === 'default' ? '' : ` --database ${database}`}`,
      options,
    );
  }
}

/**
 * The model a router is asked about for the cache table: Django's `django_cache.cacheentry`,
 * so an existing router that places it keeps working.
 */
export const CACHE_ENTRY_MODEL: RoutedModel = Object.freeze({ _meta: Object.freeze({ appLabel: 'django_cache', modelName: 'cacheentry' }) });

/** Django's `datetime.max` to the second: the expiry of a value kept forever. */
const FOREVER_MS = Date.UTC(9999, 11, 31, 23, 59, 59);
const MAX_KEYS_PER_STATEMENT = 500;
const MAX_INCR_ATTEMPTS = 1000;

type Param = (value: SqlParam) => string;

/** A statement with its parameters numbered the way `connection` wants them. */
function statement(connection: DatabaseWrapper, build: (param: Param) => string): CompiledQuery {
  const ops = compilerFor(connection).ops;
  const params: SqlParam[] = [];
  const sql = build((value) => {
    params.push(value);
    return ops.placeholder(params.length, value);
  });
  return { sql, params };
}

/**
 * The SQL that creates the cache table `table` on `connection`, as Django's
 * createcachetable writes it: the CREATE TABLE, then the index on `expires`.
 */
export function cacheTableSql(connection: DatabaseWrapper, table: string): string[] {
  const ops = compilerFor(connection).ops;
  const q = (name: string): string => ops.quoteName(name);
  const type = (internal: string): string => (ops.dataTypes[internal] ?? 'text').replaceAll('%(maxLength)s', '255');
  return [
    [
      `CREATE TABLE ${q(table)} (`,
      `    ${q('cache_key')} ${type('CharField')} NOT NULL PRIMARY KEY,`,
      `    ${q('value')} ${type('TextField')} NOT NULL,`,
      `    ${q('expires')} ${type('DateTimeField')} NOT NULL`,
      ');',
    ].join('\n'),
    `CREATE INDEX ${q(`${table}_expires`)} ON ${q(table)} (${q('expires')});`,
  ];
}

/** Create the cache table on `connection` in one transaction (Django's createcachetable, without the checks). */
export async function createCacheTable(connection: DatabaseWrapper, table: string): Promise<void> {
  const script = cacheTableSql(connection, table).join('\n');
  await atomic(() => connection.executeScript(script), { using: connection.alias });
}

function isMissingTable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '42P01') return true; // PostgreSQL: undefined_table
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && message.startsWith('no such table')) return true;
  }
  return false;
}

/**
 * Database cache: `BACKEND: 'db'` (or Django's `'django.core.cache.backends.db.DatabaseCache'`),
 * `LOCATION` the table name. `OPTIONS.DATABASE` names the alias of DATABASES to use;
 * without it the database routers choose (Django's `django_cache.cacheentry` model),
 * falling back to `'default'`. Every call runs SQL; a missing table throws
 * CacheTableMissingError, a database that cannot be reached CacheUnavailableError.
 *
 * ```ts
 * CACHES = { default: { BACKEND: 'db', LOCATION: 'nuages_cache', OPTIONS: { MAX_ENTRIES: 5000 } } };
 * // then: node manage.ts createcachetable
 * ```
 */
export class DatabaseCache extends CacheBackend {
  readonly shared = true;
  /** The table the rows live in (`LOCATION`). */
  readonly table: string;
  /** `OPTIONS.DATABASE`, or undefined to let the routers choose. */
  readonly database: string | undefined;
  readonly #maxEntries: number;
  readonly #cullFrequency: number;

  constructor(params: CacheBackendParams) {
    super(params);
    if (typeof params.location !== 'string' || params.location === '') {
      throw new InvalidCacheBackendError(`CACHES.${params.alias}.LOCATION must be the name of the cache table, e.g. 'nuages_cache' (create it with manage.ts createcachetable).`);
    }
    const database = params.options['DATABASE'];
    if (database !== undefined && typeof database !== 'string') {
      throw new InvalidCacheBackendError(`CACHES.${params.alias}.OPTIONS.DATABASE must name an alias of DATABASES, got ${JSON.stringify(database)}.`);
    }
    this.table = params.location;
    this.database = database;
    this.#maxEntries = params.maxEntries;
    this.#cullFrequency = params.cullFrequency;
  }

  /** The alias reads go to. */
  dbForRead(): string {
    return this.database ?? router.dbForRead(CACHE_ENTRY_MODEL);
  }

  /** The alias writes go to. */
  dbForWrite(): string {
    return this.database ?? router.dbForWrite(CACHE_ENTRY_MODEL);
  }

  async get(key: string): Promise<unknown> {
    return (await this.getMany([key])).get(key);
  }

  /** One SELECT per 500 keys; expired rows found are deleted, as Django's get_many does. */
  override async getMany(keys: readonly string[]): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    if (keys.length === 0) return found;
    const expired: string[] = [];
    await this.#run(this.dbForRead(), async (connection, q) => {
      const now = this.#timestamp(connection, Date.now());
      for (let start = 0; start < keys.length; start += MAX_KEYS_PER_STATEMENT) {
        const chunk = keys.slice(start, start + MAX_KEYS_PER_STATEMENT);
        const rows = await connection.fetchAll(
          statement(connection, (p) => {
            const live = `CASE WHEN ${q('expires')} > ${p(now)} THEN 1 ELSE 0 END`;
            return `SELECT ${q('cache_key')}, ${q('value')}, ${live} FROM ${q(this.table)} WHERE ${q('cache_key')} IN (${chunk.map((key) => p(key)).join(', ')})`;
          }),
        );
        for (const [cacheKey, value, live] of rows) {
          if (Number(live) !== 1) {
            expired.push(String(cacheKey));
            continue;
          }
          const decoded = decodeValue(Buffer.from(String(value), 'base64'), String(cacheKey));
          if (decoded !== UNREADABLE) found.set(String(cacheKey), decoded);
        }
      }
    });
    if (expired.length > 0) await this.deleteMany(expired);
    return found;
  }

  async set(key: string, value: unknown, ttl: Ttl): Promise<void> {
    const encoded = encodeValue(value);
    await this.#run(this.dbForWrite(), async (connection, q) => {
      await this.#cull(connection, q);
      await connection.execute(
        statement(connection, (p) =>
          `INSERT INTO ${q(this.table)} (${q('cache_key')}, ${q('value')}, ${q('expires')}) VALUES (${p(key)}, ${p(base64(encoded))}, ${p(this.#expires(connection, ttl))}) ` +
          `ON CONFLICT (${q('cache_key')}) DO UPDATE SET ${q('value')} = excluded.${q('value')}, ${q('expires')} = excluded.${q('expires')}`,
        ),
      );
    });
  }

  /** An INSERT that may only replace an expired row: of concurrent adds, one changes a row. */
  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    const encoded = encodeValue(value);
    return this.#run(this.dbForWrite(), async (connection, q) => {
      await this.#cull(connection, q);
      const result = await connection.execute(
        statement(connection, (p) =>
          `INSERT INTO ${q(this.table)} (${q('cache_key')}, ${q('value')}, ${q('expires')}) VALUES (${p(key)}, ${p(base64(encoded))}, ${p(this.#expires(connection, ttl))}) ` +
          `ON CONFLICT (${q('cache_key')}) DO UPDATE SET ${q('value')} = excluded.${q('value')}, ${q('expires')} = excluded.${q('expires')} ` +
          `WHERE ${q(this.table)}.${q('expires')} <= ${p(this.#timestamp(connection, Date.now()))}`,
        ),
      );
      return result.rowCount > 0;
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.#run(this.dbForWrite(), async (connection, q) => {
      const result = await connection.execute(statement(connection, (p) => `DELETE FROM ${q(this.table)} WHERE ${q('cache_key')} = ${p(key)}`));
      return result.rowCount > 0;
    });
  }

  override async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#run(this.dbForWrite(), async (connection, q) => {
      for (let start = 0; start < keys.length; start += MAX_KEYS_PER_STATEMENT) {
        const chunk = keys.slice(start, start + MAX_KEYS_PER_STATEMENT);
        await connection.execute(statement(connection, (p) => `DELETE FROM ${q(this.table)} WHERE ${q('cache_key')} IN (${chunk.map((key) => p(key)).join(', ')})`));
      }
    });
  }

  async touch(key: string, ttl: Ttl): Promise<boolean> {
    return this.#run(this.dbForWrite(), async (connection, q) => {
      const result = await connection.execute(
        statement(connection, (p) =>
          `UPDATE ${q(this.table)} SET ${q('expires')} = ${p(this.#expires(connection, ttl))} WHERE ${q('cache_key')} = ${p(key)} AND ${q('expires')} > ${p(this.#timestamp(connection, Date.now()))}`,
        ),
      );
      return result.rowCount > 0;
    });
  }

  /**
   * Compare-and-swap: the UPDATE only lands if the value is still the one read, so two
   * processes incrementing together both count; the loser reads again and retries.
   */
  async incr(key: string, delta: number): Promise<number | undefined> {
    return this.#run(this.dbForWrite(), async (connection, q) => {
      for (let attempt = 0; attempt < MAX_INCR_ATTEMPTS; attempt++) {
        const row = await connection.fetchOne(
          statement(connection, (p) => `SELECT ${q('value')} FROM ${q(this.table)} WHERE ${q('cache_key')} = ${p(key)} AND ${q('expires')} > ${p(this.#timestamp(connection, Date.now()))}`),
        );
        if (row === undefined) return undefined;
        const stored = String(row[0]);
        const value = decodeValue(Buffer.from(stored, 'base64'), key);
        if (value === UNREADABLE) return undefined;
        if (typeof value !== 'number' || !Number.isInteger(value)) throw new CacheValueNotIntegerError(key);
        const next = value + delta;
        const result = await connection.execute(
          statement(connection, (p) => `UPDATE ${q(this.table)} SET ${q('value')} = ${p(base64(encodeValue(next)))} WHERE ${q('cache_key')} = ${p(key)} AND ${q('value')} = ${p(stored)}`),
        );
        if (result.rowCount > 0) return next;
      }
      throw new CacheUnavailableError(`incr of '${key}' lost ${MAX_INCR_ATTEMPTS} races in a row on the cache table '${this.table}'; the counter is too contended for the database cache.`);
    });
  }

  /** Delete every row of the table (every prefix and version). */
  async clear(): Promise<void> {
    await this.#run(this.dbForWrite(), async (connection, q) => {
      await connection.execute({ sql: `DELETE FROM ${q(this.table)}`, params: [] });
    });
  }

  override async has(key: string): Promise<boolean> {
    return this.#run(this.dbForRead(), async (connection, q) => {
      const row = await connection.fetchOne(
        statement(connection, (p) => `SELECT 1 FROM ${q(this.table)} WHERE ${q('cache_key')} = ${p(key)} AND ${q('expires')} > ${p(this.#timestamp(connection, Date.now()))}`),
      );
      return row !== undefined;
    });
  }

  /** Django's _cull: runs before a write when the table holds more than MAX_ENTRIES rows. */
  async #cull(connection: DatabaseWrapper, q: (name: string) => string): Promise<void> {
    const counted = await connection.fetchOne({ sql: `SELECT COUNT(*) FROM ${q(this.table)}`, params: [] });
    const count = Number(counted?.[0] ?? 0);
    if (count <= this.#maxEntries) return;
    if (this.#cullFrequency === 0) {
      await connection.execute({ sql: `DELETE FROM ${q(this.table)}`, params: [] });
      return;
    }
    const now = this.#timestamp(connection, Date.now());
    const expired = await connection.execute(statement(connection, (p) => `DELETE FROM ${q(this.table)} WHERE ${q('expires')} < ${p(now)}`));
    const remaining = count - expired.rowCount;
    if (remaining <= this.#maxEntries) return;
    const cullCount = Math.floor(remaining / this.#cullFrequency);
    const boundary = await connection.fetchOne(
      statement(connection, (p) => `SELECT ${q('cache_key')} FROM ${q(this.table)} ORDER BY ${q('cache_key')} LIMIT 1 OFFSET ${p(cullCount)}`),
    );
    if (boundary === undefined) return;
    await connection.execute(statement(connection, (p) => `DELETE FROM ${q(this.table)} WHERE ${q('cache_key')} < ${p(String(boundary[0]))}`));
  }

  #expires(connection: DatabaseWrapper, ttl: Ttl): string {
    return this.#timestamp(connection, ttl === null ? FOREVER_MS : Math.min(FOREVER_MS, Date.now() + ttl * 1000));
  }

  /**
   * A time as the `expires` column compares it: SQLite keeps the text Nuages's
   * DateTimeField writes (UTC, ordered as text); PostgreSQL gets an explicit UTC
   * offset so the session's time zone cannot shift it.
   */
  #timestamp(connection: DatabaseWrapper, ms: number): string {
    const date = new Date(ms);
    return connection.vendor === 'sqlite' ? formatDateTimeUtc(date) : date.toISOString();
  }

  /** Run `fn` on the alias's connection, turning a missing table or an unreachable database into cache errors. */
  async #run<T>(alias: string, fn: (connection: DatabaseWrapper, q: (name: string) => string) => Promise<T>): Promise<T> {
    const connection = connections.get(alias);
    const ops = compilerFor(connection).ops;
    try {
      return await fn(connection, (name) => ops.quoteName(name));
    } catch (error) {
      if (isMissingTable(error)) throw new CacheTableMissingError(this.alias, this.table, alias, { cause: error });
      if (isConnectionFailure(error)) {
        throw new CacheUnavailableError(`The database '${alias}' holding the cache table '${this.table}' could not be reached (${(error as Error).message}).`, { cause: error });
      }
      throw error;
    }
  }
}

function base64(encoded: Buffer | string): string {
  return (typeof encoded === 'string' ? Buffer.from(encoded, 'latin1') : encoded).toString('base64');
}

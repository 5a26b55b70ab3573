/**
 * The PostgreSQL backend on `pg` (node-postgres), an optional peer dependency loaded on
 * the first statement.
 *
 * statement → (inside atomic(): the transaction's client | else: a client from the pool)
 * → `client.query({ text, values, rowMode: 'array' })` → rows as arrays.
 *
 * - **One `pg.Pool` per wrapper.** A statement outside a transaction borrows a client for
 *   that statement only; a transaction holds one client from BEGIN to COMMIT/ROLLBACK (the
 *   client lives on the `TransactionState` the async context carries) and its savepoints
 *   run on that client.
 * - **PgBouncer-safe.** Only unnamed statements (plain parameterized queries) are sent, so
 *   transaction pooling works; the per-client session settings (time zone, search_path)
 *   are the same on every client, so it does not matter which server connection runs them.
 * - **Failures are loud.** A dropped connection fails the statement that was running with
 *   an OperationalError and the pool replaces the client; nothing is retried, so a write is
 *   never sent twice.
 * - **Types per pool.** The pool gets its own type parsers (pg's global ones are untouched):
 *   numeric and date as text (the fields make Decimal and DateOnly of them), int8 as a
 *   number when it fits, timestamptz as Date, jsonb as text for the field to parse.
 */
import type { Pool, PoolClient, PoolConfig, QueryArrayResult } from 'pg';
import { NuagesError } from '../../../core/errors.ts';
import {
  DataError,
  DatabaseError,
  IntegrityError,
  InternalError,
  NotSupportedError,
  OperationalError,
  ProgrammingError,
  describeStatement,
} from '../../errors.ts';
import { queriesObserved, recordQuery } from '../../query-log.ts';
import { DatabaseWrapper } from '../base/connection.ts';
import type { AtomicBlock, TransactionState, WrapperOptions } from '../base/connection.ts';
import type { CompiledQuery, DatabaseFeatures, DatabaseSettings, ExecuteResult, SqlParam, StatementKind } from '../base/types.ts';
import { postgresFeatures } from './features.ts';

/** The `pg` package is not installed, so the Postgres backend cannot connect. */
export class PostgresDriverMissingError extends NuagesError {
  readonly code = 'NUAGES_DB_POSTGRES_DRIVER_MISSING';
  constructor(alias: string, cause: unknown) {
    super(
      `DATABASES.${alias} uses ENGINE 'postgres', which needs the 'pg' package. ` +
        `Install it with: npm install pg`,
      { cause },
    );
  }
}

/** What a transaction keeps in `TransactionState.session`. */
interface PgSession {
  readonly client: PoolClient;
  /** The connection failed mid-transaction: it goes back to the pool destroyed. */
  broken: boolean;
  /**
   * The last statement sent on this client. Parallel branches of one transaction send
   * statements one after another: pg refuses (and will fail, in pg 9) a query on a busy client.
   */
  tail: Promise<unknown>;
}

type Op = 'rows' | 'one' | 'columns' | 'run' | 'script';

const NO_PARAMS: readonly SqlParam[] = Object.freeze([]);
const RESOLVED: Promise<unknown> = Promise.resolve();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** A client idle this long is pinged before use when CONN_HEALTH_CHECKS is on. */
const HEALTH_CHECK_IDLE_MS = 1000;

/** int8: a number inside 2^53, a BigInt past it (COUNT(*) and bigint keys read as numbers). */
function parseInt8(text: string): number | bigint {
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  const big = BigInt(text);
  return big <= MAX_SAFE && big >= MIN_SAFE ? Number(big) : big;
}

/** `timestamp without time zone` (DATE_TRUNC results, raw SQL) is read as UTC wall time. */
function parseTimestamp(text: string): Date | string {
  if (text === 'infinity' || text === '-infinity') return text;
  return new Date(`${text.replace(' ', 'T')}Z`);
}

const identity = (text: string): string => text;

/** Type parsers by OID that differ from pg's defaults; everything else falls through. */
const PARSERS: Record<number, (text: string) => unknown> = {
  20: parseInt8, // int8
  // The server writes int2/int4/oid as plain decimal digits: Number reads them faster than pg's parseInt(text, 10).
  21: Number, // int2
  23: Number, // int4
  26: Number, // oid
  1700: identity, // numeric: exact text, the DecimalField makes a Decimal
  1082: identity, // date: 'YYYY-MM-DD', the DateField makes a DateOnly
  1114: parseTimestamp, // timestamp
  1083: identity, // time
  114: identity, // json: the JSONField parses it (a JSON string must stay a string)
  3802: identity, // jsonb
};

/** Error class by SQLSTATE class (the first two characters), as psycopg maps them. */
const SQLSTATE_CLASSES: Record<string, new (message: string, options?: ErrorOptions & { alias?: string; sql?: string }) => DatabaseError> = {
  '08': OperationalError, // connection exception
  '0A': NotSupportedError, // feature not supported
  '21': ProgrammingError, // cardinality violation
  '22': DataError, // data exception: value too long, invalid input syntax, division by zero
  '23': IntegrityError, // integrity constraint violation
  '24': InternalError, // invalid cursor state
  '25': InternalError, // invalid transaction state (a statement after an error in the transaction)
  '26': ProgrammingError, // invalid SQL statement name
  '28': OperationalError, // invalid authorization
  '2B': InternalError,
  '2D': InternalError,
  '34': InternalError, // invalid cursor name
  '3D': ProgrammingError, // invalid catalog name
  '3F': ProgrammingError, // invalid schema name
  '40': OperationalError, // transaction rollback: serialization failure, deadlock
  '42': ProgrammingError, // syntax error or access rule violation: undefined table/column
  '44': ProgrammingError,
  '53': OperationalError, // insufficient resources
  '54': OperationalError, // program limit exceeded
  '55': OperationalError, // object not in prerequisite state: lock not available (NOWAIT)
  '57': OperationalError, // operator intervention: query canceled, admin shutdown
  '58': OperationalError, // system error
  XX: InternalError,
};

/** Whether the error means the client's connection is gone and must not be reused. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return true; // socket errors, "Connection terminated unexpectedly"
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code.startsWith('E');
}

function hintFor(error: { code?: string; message: string }): string {
  if (error.code === '42P01') return '. Create the table first: run migrate, or the schema editor for this model';
  if (error.code === '25P02') {
    return '. An earlier statement failed in this transaction; wrap the statement that may fail in its own atomic() to roll back only that part';
  }
  if (error.code === '55P03') return '. Another transaction holds the row lock (selectForUpdate with nowait)';
  if (isConnectionError(error)) {
    return '. The connection to PostgreSQL failed; the pool replaces it, and the statement was not retried';
  }
  return '';
}

/**
 * Turns a `pg` error into the matching {@link DatabaseError} subclass by its SQLSTATE, keeping
 * it as `cause`. Errors without a SQLSTATE (sockets, timeouts) are OperationalError.
 */
export function translatePostgresError(error: unknown, alias: string, sql: string | undefined): unknown {
  if (error instanceof NuagesError) return error;
  const e = error as { code?: unknown; message?: unknown; detail?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  let message = typeof e?.message === 'string' ? e.message : String(error);
  if (typeof e?.detail === 'string' && e.detail) message += ` (${e.detail})`;
  message += hintFor({ code, message });
  const options = { cause: error, alias, sql };
  const sqlstate = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const ErrorClass = sqlstate === undefined ? OperationalError : (SQLSTATE_CLASSES[sqlstate.slice(0, 2)] ?? DatabaseError);
  return new ErrorClass(describeStatement(message, { alias, sql }), options);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A connection pool to one PostgreSQL database (`ENGINE: 'postgres'`).
 *
 * Settings: `NAME`, `USER`, `PASSWORD`, `HOST`, `PORT`; `CONN_MAX_AGE` (seconds a client
 * lives before the pool replaces it; 0 or null: until idle), `CONN_HEALTH_CHECKS` (ping a
 * client that sat idle before giving it a statement), `DISABLE_SERVER_SIDE_CURSORS`
 * (iterator() reads everything in one query: set it behind PgBouncer in transaction mode).
 * `OPTIONS`: `pool: { max, idleTimeoutMillis }`, `connect_timeout` (seconds), `sslmode`,
 * `application_name`, `schema` (search_path of every client), `searchPathAfter` (schemas
 * searched after it, e.g. `['public']` for extensions installed there), `createSchema` /
 * `dropSchemaOnClose` (a throwaway schema, for test isolation), `timeout` (seconds a
 * statement may wait for a nested block of a parallel branch, as on SQLite).
 *
 * @example
 * const db = new PostgresDatabaseWrapper('default', { ENGINE: 'postgres', NAME: 'shop', HOST: '127.0.0.1' });
 * await db.fetchAll({ sql: 'SELECT id, title FROM book WHERE id = $1', params: [1] }); // [[1, 'Dune']]
 */
export class PostgresDatabaseWrapper extends DatabaseWrapper {
  /** Always `'postgres'`. */
  readonly vendor = 'postgres';
  readonly features: DatabaseFeatures = postgresFeatures;
  #pool: Pool | undefined;
  #opening: Promise<Pool> | undefined;
  readonly #idleSince = new WeakMap<PoolClient, number>();
  /** The session setup (time zone, search_path) of clients that have not run a statement yet. */
  readonly #setup = new WeakMap<PoolClient, Promise<unknown>>();
  #cursorSeq = 0;

  constructor(alias: string, settings: DatabaseSettings, options: WrapperOptions = {}) {
    super(alias, settings, options);
  }

  /** The search_path schema from `OPTIONS.schema`, if any. */
  get schema(): string | undefined {
    const schema = this.settings.OPTIONS?.['schema'];
    return typeof schema === 'string' && schema !== '' ? schema : undefined;
  }

  // ---- the statement API --------------------------------------------------------------

  fetchAll(query: CompiledQuery, _kind: StatementKind = 'read'): Promise<unknown[][]> {
    return this.#route(query, 'rows') as Promise<unknown[][]>;
  }

  fetchOne(query: CompiledQuery, _kind: StatementKind = 'read'): Promise<unknown[] | undefined> {
    return this.#route(query, 'one') as Promise<unknown[] | undefined>;
  }

  fetchWithColumns(query: CompiledQuery, _kind: StatementKind = 'read'): Promise<{ columns: string[]; rows: unknown[][] }> {
    return this.#route(query, 'columns') as Promise<{ columns: string[]; rows: unknown[][] }>;
  }

  execute(query: CompiledQuery, _kind: StatementKind = 'write'): Promise<ExecuteResult> {
    return this.#route(query, 'run') as Promise<ExecuteResult>;
  }

  executeScript(sql: string): Promise<void> {
    return this.#route({ sql, params: NO_PARAMS }, 'script') as Promise<void>;
  }

  /**
   * Streams rows `chunkSize` at a time through a server-side cursor (DECLARE … / FETCH n).
   * Outside a transaction the cursor gets a client and a transaction of its own, so queries
   * run while iterating use other clients of the pool. With `DISABLE_SERVER_SIDE_CURSORS`
   * (PgBouncer in transaction mode) the rows are read by one plain query instead.
   */
  async *iterate(query: CompiledQuery, chunkSize: number): AsyncIterable<unknown[]> {
    if (this.settings.DISABLE_SERVER_SIDE_CURSORS === true) {
      yield* await this.fetchAll(query);
      return;
    }
    const name = `nuages_cursor_${++this.#cursorSeq}`;
    const declare = { sql: `DECLARE ${quoteIdent(name)} NO SCROLL CURSOR FOR ${query.sql}`, params: query.params };
    const fetch = { sql: `FETCH FORWARD ${Math.max(1, Math.floor(chunkSize))} FROM ${quoteIdent(name)}`, params: NO_PARAMS };
    const block = this.currentBlock();
    if (block !== undefined) {
      const transaction = block.transaction;
      transaction.assertUsable(block);
      await transaction.waitForTurn(block, this.lockTimeoutMs);
      const session = transaction.session as PgSession;
      await this.#perform(session, declare, 'run', query.sql);
      let done = false;
      try {
        while (!done) {
          if (transaction.closed) return;
          const rows = (await this.#perform(session, fetch, 'rows', null)) as unknown[][];
          done = rows.length < chunkSize;
          yield* rows;
        }
      } finally {
        if (!transaction.closed && !session.broken) {
          await this.#perform(session, { sql: `CLOSE ${quoteIdent(name)}`, params: NO_PARAMS }, 'run', null).catch(() => undefined);
        }
      }
      return;
    }
    const session: PgSession = { client: await this.#checkout(), broken: false, tail: Promise.resolve() };
    let failed = false;
    try {
      await this.#perform(session, { sql: 'BEGIN', params: NO_PARAMS }, 'run', null);
      await this.#perform(session, declare, 'run', query.sql);
      let done = false;
      while (!done) {
        const rows = (await this.#perform(session, fetch, 'rows', null)) as unknown[][];
        done = rows.length < chunkSize;
        yield* rows;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // Ending the read-only transaction closes the cursor, also when the loop broke early.
      if (!session.broken) {
        await this.#perform(session, { sql: failed ? 'ROLLBACK' : 'COMMIT', params: NO_PARAMS }, 'run', null).catch(() => {
          session.broken = true;
        });
      }
      this.#release(session.client, session.broken);
    }
  }

  /** Ends the pool (and drops the throwaway schema of `OPTIONS.dropSchemaOnClose`). A later statement opens a new one. */
  /** Deferred foreign keys are checked now: the failing statement names the constraint and the key. */
  override async checkConstraints(): Promise<void> {
    await this.executeScript('SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED');
  }

  async close(): Promise<void> {
    const opening = this.#opening;
    this.#opening = undefined;
    this.#pool = undefined;
    if (opening === undefined) return;
    const pool = await opening.catch(() => undefined);
    if (pool === undefined) return;
    try {
      if (this.settings.OPTIONS?.['dropSchemaOnClose'] === true && this.schema !== undefined) {
        await this.#withClient(pool, `DROP SCHEMA IF EXISTS ${quoteIdent(this.schema)} CASCADE`);
      }
    } finally {
      await pool.end();
    }
  }

  /** Clients open, idle and waiting in the pool, for monitoring. */
  get poolStats(): { total: number; idle: number; waiting: number } {
    const pool = this.#pool;
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : { total: 0, idle: 0, waiting: 0 };
  }

  // ---- routing --------------------------------------------------------------------------

  #route(query: CompiledQuery, op: Op): Promise<unknown> {
    const block = this.currentBlock();
    if (block === undefined) return this.#sendPooled(query, op);
    return this.#sendInTransaction(block, query, op);
  }

  async #sendInTransaction(block: AtomicBlock, query: CompiledQuery, op: Op): Promise<unknown> {
    const transaction = block.transaction;
    transaction.assertUsable(block);
    const turn = transaction.waitForTurn(block, this.lockTimeoutMs);
    if (turn !== undefined) await turn;
    return this.#perform(transaction.session as PgSession, query, op, query.sql);
  }

  /**
   * A statement outside a transaction: a client of its own for just this statement. Nothing
   * else runs on that client meanwhile, so the statement skips the session's queue.
   */
  async #sendPooled(query: CompiledQuery, op: Op): Promise<unknown> {
    const session: PgSession = { client: await this.#checkout(query.sql), broken: false, tail: RESOLVED };
    try {
      return await this.#send(session, query, op, query.sql);
    } finally {
      this.#release(session.client, session.broken);
    }
  }

  /**
   * Runs one statement on a client: records it when someone listens, translates errors.
   * `logged` is the SQL recorded for it (null: an internal statement of a cursor, not recorded).
   */
  #perform(session: PgSession, query: CompiledQuery, op: Op, logged: string | null): Promise<unknown> {
    const run = session.tail.then(() => this.#send(session, query, op, logged));
    session.tail = run.catch(() => undefined);
    return run;
  }

  async #send(session: PgSession, query: CompiledQuery, op: Op, logged: string | null): Promise<unknown> {
    const logging = logged !== null && (this.debugLog !== undefined || queriesObserved());
    const start = logging ? performance.now() : 0;
    let failed: unknown;
    try {
      if (op === 'script') {
        await session.client.query(query.sql);
        return undefined;
      }
      const result: QueryArrayResult = await session.client.query({
        text: query.sql,
        values: query.params as unknown[],
        rowMode: 'array',
      });
      switch (op) {
        case 'rows':
          return result.rows;
        case 'one':
          return result.rows[0];
        case 'columns':
          return { columns: result.fields.map((f) => f.name), rows: result.rows };
        case 'run':
          return { rowCount: result.rowCount ?? 0, lastInsertId: null } satisfies ExecuteResult;
      }
    } catch (error) {
      if (isConnectionError(error)) session.broken = true;
      failed = translatePostgresError(error, this.alias, query.sql);
      throw failed;
    } finally {
      if (logging) recordQuery(this.alias, logged, query.params, performance.now() - start, this.debugLog, failed);
    }
  }

  // ---- the pool ---------------------------------------------------------------------------

  #getPool(): Promise<Pool> {
    if (this.#pool !== undefined) return Promise.resolve(this.#pool);
    this.#opening ??= this.#openPool().then(
      (pool) => (this.#pool = pool),
      (error: unknown) => {
        this.#opening = undefined;
        throw error;
      },
    );
    return this.#opening;
  }

  async #openPool(): Promise<Pool> {
    let pg: typeof import('pg');
    try {
      pg = (await import('pg')).default as unknown as typeof import('pg');
    } catch (error) {
      throw new PostgresDriverMissingError(this.alias, error);
    }
    const builtin = pg.types;
    const pool = new pg.Pool({
      ...this.#poolConfig(),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          (format ?? 'text') === 'text' && PARSERS[oid] !== undefined ? PARSERS[oid] : builtin.getTypeParser(oid, format ?? 'text')) as never,
      },
    });
    // An idle client whose connection dies emits here; the pool drops it. Without a
    // listener the process would crash on a server restart.
    pool.on('error', () => undefined);
    const setup = this.#sessionSetupSql();
    pool.on('connect', (client) => {
      // A server that drops a client while it is checked out (inside a transaction, between
      // statements) emits here; unhandled, that would crash the process. The next statement
      // on the client fails with OperationalError, and the client is destroyed on release.
      client.on('error', () => undefined);
      // The same settings on every client, so PgBouncer may hand any server connection to
      // any transaction. #checkout awaits it before the client's first statement.
      this.#setup.set(client, client.query(setup));
    });
    try {
      if (this.settings.OPTIONS?.['createSchema'] === true && this.schema !== undefined) {
        await this.#withClient(pool, `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      }
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw translatePostgresError(error, this.alias, undefined);
    }
    return pool;
  }

  /** Runs one maintenance statement on a fresh client of `pool`, after its session setup. */
  async #withClient(pool: Pool, sql: string): Promise<void> {
    const client = await pool.connect();
    let broken = false;
    try {
      const setup = this.#setup.get(client);
      this.#setup.delete(client);
      await setup;
      await client.query(sql);
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  #sessionSetupSql(): string {
    let sql = "SET TIME ZONE 'UTC'";
    if (this.schema !== undefined) {
      // Schemas after the own one (usually 'public', where extensions such as pg_trgm live).
      const extra = this.settings.OPTIONS?.['searchPathAfter'];
      const after = Array.isArray(extra) ? extra.filter((name): name is string => typeof name === 'string' && name !== '') : [];
      sql += `; SET search_path TO ${[this.schema, ...after].map(quoteIdent).join(', ')}`;
    }
    return sql;
  }

  shellCommand(parameters: readonly string[]): { command: string; args: string[]; env: Record<string, string> } {
    const s = this.settings;
    const options = s.OPTIONS ?? {};
    const args: string[] = [];
    if (s.USER) args.push('-U', s.USER);
    if (s.HOST) args.push('-h', s.HOST);
    if (s.PORT !== undefined && s.PORT !== '') args.push('-p', String(s.PORT));
    args.push(...parameters, s.NAME || 'postgres');
    const env: Record<string, string> = {};
    if (s.PASSWORD) env['PGPASSWORD'] = s.PASSWORD;
    if (typeof options['sslmode'] === 'string') env['PGSSLMODE'] = options['sslmode'];
    if (typeof options['application_name'] === 'string') env['PGAPPNAME'] = options['application_name'];
    if (this.schema !== undefined) env['PGOPTIONS'] = `-c search_path=${this.schema}`;
    return { command: 'psql', args, env };
  }

  #poolConfig(): PoolConfig {
    const s = this.settings;
    const options = s.OPTIONS ?? {};
    const poolOptions = (options['pool'] ?? {}) as { max?: number; idleTimeoutMillis?: number; min?: number };
    const config: PoolConfig = {
      database: s.NAME,
      max: poolOptions.max ?? 10,
      idleTimeoutMillis: poolOptions.idleTimeoutMillis ?? 10_000,
      // Idle clients must not keep a finished script or test process alive.
      allowExitOnIdle: true,
    };
    if (s.HOST) config.host = s.HOST;
    if (s.PORT !== undefined && s.PORT !== '') config.port = Number(s.PORT);
    if (s.USER) config.user = s.USER;
    if (s.PASSWORD) config.password = s.PASSWORD;
    if (typeof s.CONN_MAX_AGE === 'number' && s.CONN_MAX_AGE > 0) config.maxLifetimeSeconds = s.CONN_MAX_AGE;
    const timeout = Number(options['connect_timeout']);
    if (Number.isFinite(timeout) && timeout > 0) config.connectionTimeoutMillis = timeout * 1000;
    if (typeof options['application_name'] === 'string') config.application_name = options['application_name'];
    const sslmode = options['sslmode'];
    if (sslmode === 'require' || sslmode === 'prefer') config.ssl = { rejectUnauthorized: false };
    else if (sslmode === 'verify-ca' || sslmode === 'verify-full') config.ssl = true;
    return config;
  }

  /** A client from the pool; with CONN_HEALTH_CHECKS, one that sat idle is pinged first. */
  async #checkout(sql?: string): Promise<PoolClient> {
    const pool = this.#pool ?? (await this.#getPool());
    for (let attempt = 0; ; attempt++) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translatePostgresError(error, this.alias, sql);
      }
      const setup = this.#setup.get(client);
      if (setup !== undefined) {
        this.#setup.delete(client);
        try {
          await setup;
        } catch (error) {
          client.release(true);
          throw translatePostgresError(error, this.alias, sql);
        }
      }
      const idleSince = this.#idleSince.get(client);
      if (this.settings.CONN_HEALTH_CHECKS !== true || idleSince === undefined || performance.now() - idleSince < HEALTH_CHECK_IDLE_MS) {
        return client;
      }
      try {
        // Nothing of the caller's was sent yet, so replacing a dead client here is safe.
        await client.query('SELECT 1');
        return client;
      } catch (error) {
        client.release(true);
        if (attempt >= (pool.options.max ?? 10)) throw translatePostgresError(error, this.alias, sql);
      }
    }
  }

  #release(client: PoolClient, broken: boolean): void {
    // Only the health check reads when a client went idle.
    if (!broken && this.settings.CONN_HEALTH_CHECKS === true) this.#idleSince.set(client, performance.now());
    client.release(broken ? true : undefined);
  }

  // ---- transaction primitives (used by transaction.ts) ------------------------------------

  /** @internal */
  async beginTransaction(transaction: TransactionState): Promise<void> {
    this.openTransactions++;
    let session: PgSession | undefined;
    try {
      session = { client: await this.#checkout('BEGIN'), broken: false, tail: Promise.resolve() };
      await this.#perform(session, { sql: 'BEGIN', params: NO_PARAMS }, 'run', 'BEGIN');
      transaction.session = session;
    } catch (error) {
      if (session !== undefined) this.#release(session.client, true);
      this.openTransactions--;
      throw error;
    }
  }

  /** @internal */
  async commitTransaction(transaction: TransactionState): Promise<void> {
    // A failed COMMIT leaves the transaction to rollbackTransaction(), which releases the client.
    await this.#perform(transaction.session as PgSession, { sql: 'COMMIT', params: NO_PARAMS }, 'run', 'COMMIT');
    this.#endTransaction(transaction);
  }

  /** @internal */
  async rollbackTransaction(transaction: TransactionState): Promise<void> {
    if (transaction.closed) return;
    const session = transaction.session as PgSession;
    try {
      if (!session.broken) await this.#perform(session, { sql: 'ROLLBACK', params: NO_PARAMS }, 'run', 'ROLLBACK');
    } catch (error) {
      // A dead connection has rolled back on the server already; anything else is worth reporting.
      if (!session.broken) throw error;
    } finally {
      this.#endTransaction(transaction);
    }
  }

  /** @internal */
  async createSavepoint(transaction: TransactionState, name: string): Promise<void> {
    await this.#perform(transaction.session as PgSession, { sql: `SAVEPOINT ${quoteIdent(name)}`, params: NO_PARAMS }, 'run', `SAVEPOINT ${quoteIdent(name)}`);
  }

  /** @internal */
  async releaseSavepoint(transaction: TransactionState, name: string): Promise<void> {
    const sql = `RELEASE SAVEPOINT ${quoteIdent(name)}`;
    await this.#perform(transaction.session as PgSession, { sql, params: NO_PARAMS }, 'run', sql);
  }

  /** @internal */
  async rollbackToSavepoint(transaction: TransactionState, name: string): Promise<void> {
    const session = transaction.session as PgSession;
    const rollback = `ROLLBACK TO SAVEPOINT ${quoteIdent(name)}`;
    await this.#perform(session, { sql: rollback, params: NO_PARAMS }, 'run', rollback);
    const release = `RELEASE SAVEPOINT ${quoteIdent(name)}`;
    await this.#perform(session, { sql: release, params: NO_PARAMS }, 'run', release);
  }

  #endTransaction(transaction: TransactionState): void {
    if (transaction.closed) return;
    transaction.closed = true;
    this.openTransactions--;
    const session = transaction.session as PgSession;
    this.#release(session.client, session.broken);
  }
}

/**
 * The SQLite backend on `node:sqlite` (`DatabaseSync`).
 *
 * node:sqlite is synchronous, so concurrency is arranged here rather than in the driver:
 *
 * - **File databases** (WAL): a *main* connection serves statements outside transactions;
 *   a second, dedicated *transaction* connection runs `atomic()` blocks. SQLite allows one
 *   writer, so a transaction holds the database's async FIFO lock from BEGIN IMMEDIATE to
 *   COMMIT. Outside reads never wait (WAL shows them the last committed state); outside
 *   writes and other transactions wait on the lock without blocking the event loop.
 * - **`:memory:` databases** cannot be opened twice: the transaction runs on the one
 *   connection, and every outside statement waits on the lock while it is open, so it
 *   only ever sees committed rows.
 *
 * The fast path — no transaction anywhere on this alias, nothing recording — is a cached
 * prepared statement returning arrays, synchronously, with no per-row work.
 */
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync } from 'node:sqlite';
import { NuagesError } from '../../../core/errors.ts';
import {
  DataError,
  DatabaseError,
  DatabaseLockTimeoutError,
  IntegrityError,
  InterfaceError,
  InternalError,
  OperationalError,
  ProgrammingError,
  TransactionManagementError,
  describeStatement,
} from '../../errors.ts';
import { queriesObserved, recordQuery } from '../../query-log.ts';
import { AsyncMutex, DatabaseWrapper } from '../base/connection.ts';
import type { TransactionState, WrapperOptions } from '../base/connection.ts';
import type {
  CompiledQuery,
  DatabaseFeatures,
  DatabaseSettings,
  ExecuteResult,
  MaybePromise,
  SqlParam,
  StatementKind,
} from '../base/types.ts';
import { sqliteFeatures } from './features.ts';
import { InvalidRegexError, registerFunctions } from './functions.ts';

type Op = 'all' | 'get' | 'columns' | 'run' | 'script';
type OpResult = unknown[][] | unknown[] | undefined | { columns: string[]; rows: unknown[][] } | ExecuteResult | void;

const DEFAULT_STATEMENT_CACHE = 500;
const NO_PARAMS: readonly SqlParam[] = Object.freeze([]);

/** One `DatabaseSync` with its prepared-statement caches. */
class SqliteSession {
  readonly db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** Statements that read integers as BigInt, for results that may hold integers past 2^53. */
  readonly #bigStatements = new Map<string, StatementSync>();
  readonly #limit: number;

  constructor(path: string, memory: boolean, options: Record<string, unknown>, limit: number) {
    this.#limit = limit;
    // A busy timeout would spin the event loop; waits happen on the async lock instead.
    this.db = new DatabaseSync(path, { timeout: 0, enableForeignKeyConstraints: true });
    this.db.exec('PRAGMA foreign_keys = ON');
    if (!memory) this.db.exec('PRAGMA journal_mode = WAL');
    registerFunctions(this.db);
    const init = options['init_command'];
    if (typeof init === 'string' && init.trim() !== '') this.db.exec(init);
  }

  /** A cached statement returning rows as arrays. */
  prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      statement.setReturnArrays(true);
      remember(this.#statements, sql, statement, this.#limit);
    }
    return statement;
  }

  /** A cached statement returning arrays with BigInt integers (normalised by the caller). */
  prepareBig(sql: string): StatementSync {
    let statement = this.#bigStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      statement.setReturnArrays(true);
      statement.setReadBigInts(true);
      remember(this.#bigStatements, sql, statement, this.#limit);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.#bigStatements.clear();
    if (this.db.isOpen) this.db.close();
  }
}

function remember(cache: Map<string, StatementSync>, sql: string, statement: StatementSync, limit: number): void {
  if (cache.size >= limit) {
    // Evict the oldest: cheaper than LRU bookkeeping on every hit, and hot shapes re-enter at once.
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(sql, statement);
}

/** Integers inside the safe range come back as numbers; larger ones stay BigInt. */
function normaliseRow(row: unknown[]): unknown[] {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (typeof value === 'bigint' && value <= MAX_SAFE && value >= MIN_SAFE) row[i] = Number(value);
  }
  return row;
}
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function isOverflow(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_OUT_OF_RANGE';
}

function isBusy(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown } | null;
  return e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' && ((e.errcode & 0xff) === 5 || (e.errcode & 0xff) === 6);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Error class for each SQLite primary result code, as Python's sqlite3 module maps them. */
const ERROR_CLASSES: Record<number, new (message: string, options?: ErrorOptions & { alias?: string; sql?: string }) => DatabaseError> = {
  1: OperationalError, // SQLITE_ERROR: syntax, no such table/column
  2: InternalError, // SQLITE_INTERNAL
  3: OperationalError, // SQLITE_PERM
  4: OperationalError, // SQLITE_ABORT
  5: OperationalError, // SQLITE_BUSY
  6: OperationalError, // SQLITE_LOCKED
  8: OperationalError, // SQLITE_READONLY
  9: OperationalError, // SQLITE_INTERRUPT
  10: OperationalError, // SQLITE_IOERR
  11: DatabaseError, // SQLITE_CORRUPT
  12: InternalError, // SQLITE_NOTFOUND
  13: OperationalError, // SQLITE_FULL
  14: OperationalError, // SQLITE_CANTOPEN
  15: OperationalError, // SQLITE_PROTOCOL
  17: OperationalError, // SQLITE_SCHEMA
  18: DataError, // SQLITE_TOOBIG
  19: IntegrityError, // SQLITE_CONSTRAINT
  20: IntegrityError, // SQLITE_MISMATCH
  21: InterfaceError, // SQLITE_MISUSE
  25: ProgrammingError, // SQLITE_RANGE: more parameters than placeholders
};

function hintFor(message: string): string {
  if (message.startsWith('no such table')) {
    return '. Create the table first: run migrate, or the schema editor for this model';
  }
  if (message.startsWith('database is locked')) {
    return '. Another process holds the write lock; retry, or keep transactions short';
  }
  if (message === 'column index out of range') {
    return ': more parameters were passed than the SQL has placeholders';
  }
  return '';
}

/**
 * Turns a `node:sqlite` error into the matching {@link DatabaseError} subclass, keeping it
 * as `cause`. Errors that are already Nuages errors pass through.
 */
export function translateSqliteError(error: unknown, alias: string, sql: string | undefined): unknown {
  if (error instanceof NuagesError) return error;
  if (error instanceof InvalidRegexError) {
    return new ProgrammingError(describeStatement(error.message, { alias, sql }), { cause: error, alias, sql });
  }
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const options = { cause: error, alias, sql };
  if (e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    const ErrorClass = ERROR_CLASSES[e.errcode & 0xff] ?? DatabaseError;
    return new ErrorClass(describeStatement(message + hintFor(message), { alias, sql }), options);
  }
  if (e?.code === 'ERR_INVALID_STATE') {
    return new InterfaceError(describeStatement(`${message}: the connection was closed while in use`, { alias, sql }), options);
  }
  if (e?.code === 'ERR_OUT_OF_RANGE') return new DataError(describeStatement(message, { alias, sql }), options);
  if (e?.code === 'ERR_INVALID_ARG_TYPE') {
    return new ProgrammingError(
      describeStatement(`${message}. Parameters must be null, number, bigint, string or Uint8Array`, { alias, sql }),
      options,
    );
  }
  return error;
}

/** An open streaming cursor; see {@link SqliteDatabaseWrapper.iterate}. */
interface Cursor {
  iterator: Iterator<unknown> | undefined;
  buffer: unknown[][];
  readonly transaction: TransactionState | undefined;
  dead: boolean;
}

/**
 * A connection to one SQLite database (`ENGINE: 'sqlite'`, `NAME`: a file path or `':memory:'`).
 *
 * Options (`DATABASES[alias].OPTIONS`): `timeout` — seconds a statement may wait for another
 * transaction's lock (default 5); `init_command` — SQL run on every new connection;
 * `statement_cache_size` — prepared statements kept per connection (default 500).
 *
 * @example
 * const db = new SqliteDatabaseWrapper('default', { ENGINE: 'sqlite', NAME: 'db.sqlite3' });
 * db.fetchAll({ sql: 'SELECT id, title FROM book WHERE id = ?', params: [1] }); // [[1, 'Dune']]
 */
export class SqliteDatabaseWrapper extends DatabaseWrapper {
  /** Always `'sqlite'`. */
  readonly vendor = 'sqlite';
  readonly #path: string;
  readonly #memory: boolean;
  readonly #cacheSize: number;
  #main: SqliteSession | undefined;
  #txSession: SqliteSession | undefined;
  #features: DatabaseFeatures | undefined;
  /** SQLite's single-writer lock, held by an open transaction or a waiting outside write. */
  readonly #lock = new AsyncMutex();
  readonly #cursors = new Set<Cursor>();

  constructor(alias: string, settings: DatabaseSettings, options: WrapperOptions = {}) {
    super(alias, settings, options);
    this.#path = settings.NAME;
    this.#memory = settings.NAME === ':memory:' || settings.NAME === '' || settings.NAME.includes('mode=memory');
    const size = settings.OPTIONS?.['statement_cache_size'];
    this.#cacheSize = typeof size === 'number' && size > 0 ? size : DEFAULT_STATEMENT_CACHE;
  }

  /** SQLite's feature flags; `maxQueryParams` read from the open connection. */
  get features(): DatabaseFeatures {
    if (this.#features === undefined) {
      const limits = (this.#mainSession().db as { limits?: { variableNumber?: number } }).limits;
      this.#features = sqliteFeatures(limits?.variableNumber ?? 32766);
    }
    return this.#features;
  }

  /** True for `:memory:` databases, where a transaction makes every other flow wait. */
  get isInMemory(): boolean {
    return this.#memory;
  }

  // ---- the statement API --------------------------------------------------------------

  shellCommand(parameters: readonly string[]): { command: string; args: string[]; env: Record<string, string> } {
    return { command: 'sqlite3', args: [this.#path, ...parameters], env: {} };
  }

  fetchAll(query: CompiledQuery, kind: StatementKind = 'read'): MaybePromise<unknown[][]> {
    if (kind === 'read' && this.openTransactions === 0 && this.debugLog === undefined && !queriesObserved()) {
      try {
        return this.#mainSession().prepare(query.sql).all(...query.params) as unknown as unknown[][];
      } catch (error) {
        return this.#perform(this.#mainSession(), query, 'read', 'all', error) as unknown[][];
      }
    }
    return this.#route(query, kind, 'all') as MaybePromise<unknown[][]>;
  }

  fetchOne(query: CompiledQuery, kind: StatementKind = 'read'): MaybePromise<unknown[] | undefined> {
    if (kind === 'read' && this.openTransactions === 0 && this.debugLog === undefined && !queriesObserved()) {
      try {
        return this.#mainSession().prepare(query.sql).get(...query.params) as unknown as unknown[] | undefined;
      } catch (error) {
        return this.#perform(this.#mainSession(), query, 'read', 'get', error) as unknown[] | undefined;
      }
    }
    return this.#route(query, kind, 'get') as MaybePromise<unknown[] | undefined>;
  }

  fetchWithColumns(query: CompiledQuery, kind: StatementKind = 'read'): MaybePromise<{ columns: string[]; rows: unknown[][] }> {
    return this.#route(query, kind, 'columns') as MaybePromise<{ columns: string[]; rows: unknown[][] }>;
  }

  execute(query: CompiledQuery, kind: StatementKind = 'write'): MaybePromise<ExecuteResult> {
    if (this.openTransactions === 0 && this.debugLog === undefined && !queriesObserved()) {
      try {
        const { changes, lastInsertRowid } = this.#mainSession().prepare(query.sql).run(...query.params);
        return { rowCount: Number(changes), lastInsertId: lastInsertRowid };
      } catch (error) {
        if (!isBusy(error)) throw translateSqliteError(error, this.alias, query.sql);
        return this.#retryBusy(() => this.#perform(this.#mainSession(), query, kind, 'run')) as Promise<ExecuteResult>;
      }
    }
    return this.#route(query, kind, 'run') as MaybePromise<ExecuteResult>;
  }

  executeScript(sql: string): MaybePromise<void> {
    return this.#route({ sql, params: NO_PARAMS }, 'write', 'script') as MaybePromise<void>;
  }

  /**
   * Streams rows, reading `chunkSize` at a time from an open cursor. Integers past 2^53 come
   * back as BigInt. On a `:memory:` database, a transaction opened by another flow while this
   * cursor is open makes the cursor read its remaining rows at once, so it never sees that
   * transaction's uncommitted rows.
   */
  async *iterate(query: CompiledQuery, chunkSize: number): AsyncIterable<unknown[]> {
    const size = Math.max(1, Math.floor(chunkSize));
    const cursor = await this.#openCursor(query);
    try {
      for (;;) {
        if (cursor.buffer.length === 0) {
          if (cursor.dead) {
            throw new TransactionManagementError(
              `A cursor on database '${this.alias}' was read after its atomic block ended. Consume ` +
                `iterate()/iterator() inside the atomic block that opened it.`,
            );
          }
          if (cursor.iterator === undefined) return;
          cursor.buffer = this.#readChunk(cursor, size);
          if (cursor.buffer.length === 0) return;
        }
        const chunk = cursor.buffer;
        cursor.buffer = [];
        for (const row of chunk) yield row;
      }
    } finally {
      this.#closeCursor(cursor);
    }
  }

  /**
   * `PRAGMA foreign_key_check` per table; the first row whose key points nowhere fails with
   * Django's sentence, naming the table, the row's primary key, the column and its value.
   */
  override async checkConstraints(tableNames?: readonly string[]): Promise<void> {
    for (const table of tableNames ?? [undefined]) {
      const target = table === undefined ? '' : `(${quoteIdent(table)})`;
      const violations = await this.fetchAll({ sql: `PRAGMA foreign_key_check${target}`, params: [] }, 'write');
      const [bad] = violations;
      if (bad) await this.#reportForeignKeyViolation(String(bad[0]), bad[1], String(bad[2]), Number(bad[3]));
    }
  }

  async #reportForeignKeyViolation(table: string, rowid: unknown, parent: string, keyId: number): Promise<never> {
    const keys = await this.fetchAll({ sql: `PRAGMA foreign_key_list(${quoteIdent(table)})`, params: [] }, 'write');
    const key = keys.find((row) => Number(row[0]) === keyId)!;
    const [column, target] = [String(key[3]), String(key[4])];
    const columns = await this.fetchAll({ sql: `PRAGMA table_info(${quoteIdent(table)})`, params: [] }, 'write');
    const pkColumn = String(columns.find((row) => Number(row[5]) === 1)?.[1] ?? 'rowid');
    const row = await this.fetchOne({ sql: `SELECT ${quoteIdent(pkColumn)}, ${quoteIdent(column)} FROM ${quoteIdent(table)} WHERE rowid = ?`, params: [rowid as SqlParam] }, 'write');
    throw new IntegrityError(
      `The row in table '${table}' with primary key '${String(row?.[0])}' has an invalid foreign key: ${table}.${column} ` +
        `contains a value '${String(row?.[1])}' that does not have a corresponding value in ${parent}.${target}.`,
    );
  }

  async close(): Promise<void> {
    for (const cursor of this.#cursors) this.#closeCursor(cursor);
    this.#main?.close();
    this.#txSession?.close();
    this.#main = undefined;
    this.#txSession = undefined;
    this.#features = undefined;
  }

  // ---- routing --------------------------------------------------------------------------

  /** Picks the session for a statement in the current async context, waiting if it must. */
  #route(query: CompiledQuery, kind: StatementKind, op: Op): MaybePromise<OpResult> {
    const block = this.currentBlock();
    if (block !== undefined) {
      const transaction = block.transaction;
      transaction.assertUsable(block);
      const turn = transaction.waitForTurn(block, this.lockTimeoutMs);
      if (turn !== undefined) return turn.then(() => this.#route(query, kind, op));
      return this.#perform(transaction.session as SqliteSession, query, kind, op);
    }
    if (this.openTransactions > 0 && (this.#memory || kind === 'write')) {
      if (!this.#lock.tryAcquire()) {
        return this.#lock
          .acquire(this.lockTimeoutMs, () => this.#lockTimeout(query.sql))
          .then(() => this.#autocommitLocked(query, kind, op));
      }
      return this.#autocommitLocked(query, kind, op);
    }
    return this.#autocommit(query, kind, op);
  }

  #autocommitLocked(query: CompiledQuery, kind: StatementKind, op: Op): MaybePromise<OpResult> {
    let result: MaybePromise<OpResult>;
    try {
      result = this.#autocommit(query, kind, op);
    } catch (error) {
      this.#lock.release();
      throw error;
    }
    if (result instanceof Promise) return result.finally(() => this.#lock.release());
    this.#lock.release();
    return result;
  }

  #autocommit(query: CompiledQuery, kind: StatementKind, op: Op): MaybePromise<OpResult> {
    try {
      return this.#perform(this.#mainSession(), query, kind, op);
    } catch (error) {
      // Another process holds SQLite's write lock: retry asynchronously instead of spinning.
      if (kind === 'write' && error instanceof OperationalError && isBusy(error.cause)) {
        return this.#retryBusy(() => this.#perform(this.#mainSession(), query, kind, op));
      }
      throw error;
    }
  }

  async #retryBusy<T>(attempt: () => T): Promise<T> {
    const deadline = performance.now() + this.lockTimeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      await sleep(delay);
      try {
        return attempt();
      } catch (error) {
        const busy = isBusy(error) || (error instanceof OperationalError && isBusy(error.cause));
        if (!busy) throw error;
        if (performance.now() >= deadline) {
          throw new DatabaseLockTimeoutError(
            `Database '${this.alias}' (${this.#path}) stayed locked by another process for ` +
              `${this.lockTimeoutMs}ms. Keep write transactions short, or raise OPTIONS.timeout.`,
            { cause: error, alias: this.alias },
          );
        }
      }
    }
  }

  #lockTimeout(sql: string): Error {
    return new DatabaseLockTimeoutError(
      describeStatement(
        `Waited ${this.lockTimeoutMs}ms for a transaction on database '${this.alias}' to finish. ` +
          `SQLite allows one writer${this.#memory ? ' and a :memory: database one connection' : ''}: ` +
          `keep atomic() blocks short, and never await, inside one, work that runs outside it`,
        { alias: this.alias, sql },
      ),
      { alias: this.alias, sql },
    );
  }

  /** Runs one statement on a session: records it when someone listens, translates errors. */
  #perform(session: SqliteSession, query: CompiledQuery, kind: StatementKind, op: Op, firstError?: unknown): OpResult {
    const logging = this.debugLog !== undefined || queriesObserved();
    const start = logging ? performance.now() : 0;
    let failed: unknown;
    try {
      return this.#driver(session, query, kind, op, firstError);
    } catch (error) {
      failed = translateSqliteError(error, this.alias, query.sql);
      throw failed;
    } finally {
      if (logging) recordQuery(this.alias, query.sql, query.params, performance.now() - start, this.debugLog, failed);
    }
  }

  #driver(session: SqliteSession, query: CompiledQuery, kind: StatementKind, op: Op, firstError?: unknown): OpResult {
    const { sql, params } = query;
    switch (op) {
      case 'all': {
        if (kind === 'read' && firstError === undefined) {
          try {
            return session.prepare(sql).all(...params) as unknown as unknown[][];
          } catch (error) {
            if (!isOverflow(error)) throw error;
          }
        } else if (firstError !== undefined && !isOverflow(firstError)) {
          throw firstError;
        }
        // Reads are safe to re-run with BigInt integers; writes (RETURNING) always read them
        // so that a huge id is never lost after the row was written.
        const rows = session.prepareBig(sql).all(...params) as unknown as unknown[][];
        for (const row of rows) normaliseRow(row);
        return rows;
      }
      case 'get': {
        if (kind === 'read' && firstError === undefined) {
          try {
            return session.prepare(sql).get(...params) as unknown as unknown[] | undefined;
          } catch (error) {
            if (!isOverflow(error)) throw error;
          }
        } else if (firstError !== undefined && !isOverflow(firstError)) {
          throw firstError;
        }
        const row = session.prepareBig(sql).get(...params) as unknown as unknown[] | undefined;
        return row === undefined ? undefined : normaliseRow(row);
      }
      case 'columns': {
        const statement = session.prepareBig(sql);
        const rows = statement.all(...params) as unknown as unknown[][];
        for (const row of rows) normaliseRow(row);
        return { columns: statement.columns().map((c) => c.name), rows };
      }
      case 'run': {
        const { changes, lastInsertRowid } = session.prepare(sql).run(...params);
        return { rowCount: Number(changes), lastInsertId: lastInsertRowid };
      }
      case 'script':
        session.db.exec(sql);
        return undefined;
    }
  }

  #mainSession(): SqliteSession {
    return (this.#main ??= new SqliteSession(this.#path, this.#memory, this.settings.OPTIONS ?? {}, this.#cacheSize));
  }

  // ---- cursors --------------------------------------------------------------------------

  async #openCursor(query: CompiledQuery): Promise<Cursor> {
    const block = this.currentBlock();
    if (block !== undefined) {
      const transaction = block.transaction;
      transaction.assertUsable(block);
      await transaction.waitForTurn(block, this.lockTimeoutMs);
      return this.#startCursor(transaction.session as SqliteSession, query, transaction);
    }
    if (this.openTransactions > 0 && this.#memory) {
      await this.#lock.acquire(this.lockTimeoutMs, () => this.#lockTimeout(query.sql));
      try {
        return this.#startCursor(this.#mainSession(), query, undefined);
      } finally {
        this.#lock.release();
      }
    }
    return this.#startCursor(this.#mainSession(), query, undefined);
  }

  #startCursor(session: SqliteSession, query: CompiledQuery, transaction: TransactionState | undefined): Cursor {
    const logging = this.debugLog !== undefined || queriesObserved();
    const start = logging ? performance.now() : 0;
    try {
      // A fresh statement: a cached one would be reset by the next query with the same SQL.
      const statement = session.db.prepare(query.sql);
      statement.setReturnArrays(true);
      statement.setReadBigInts(true);
      const cursor: Cursor = { iterator: statement.iterate(...query.params), buffer: [], transaction, dead: false };
      // Step once now so errors surface at open, as a query would.
      cursor.buffer = this.#readChunk(cursor, 1);
      this.#cursors.add(cursor);
      return cursor;
    } catch (error) {
      throw translateSqliteError(error, this.alias, query.sql);
    } finally {
      if (logging) recordQuery(this.alias, query.sql, query.params, performance.now() - start, this.debugLog);
    }
  }

  #readChunk(cursor: Cursor, size: number): unknown[][] {
    const rows: unknown[][] = [];
    const iterator = cursor.iterator;
    if (iterator === undefined) return rows;
    try {
      while (rows.length < size) {
        const step = iterator.next();
        if (step.done === true) {
          cursor.iterator = undefined;
          break;
        }
        rows.push(normaliseRow(step.value as unknown[]));
      }
    } catch (error) {
      cursor.iterator = undefined;
      throw translateSqliteError(error, this.alias, undefined);
    }
    return rows;
  }

  #closeCursor(cursor: Cursor): void {
    cursor.iterator?.return?.();
    cursor.iterator = undefined;
    this.#cursors.delete(cursor);
  }

  /** Before a transaction starts on the shared :memory: connection, outside cursors read their rest. */
  #drainOutsideCursors(): void {
    for (const cursor of this.#cursors) {
      if (cursor.transaction !== undefined || cursor.iterator === undefined) continue;
      const rest = this.#readChunk(cursor, Number.MAX_SAFE_INTEGER);
      cursor.buffer = cursor.buffer.concat(rest);
      this.#closeCursor(cursor);
    }
  }

  /**
   * Turns foreign key enforcement on or off on every connection of this alias. SQLite
   * ignores the pragma inside a transaction, so this refuses to run in one; the
   * migration executor switches it off around a migration so table rebuilds can drop
   * and rename referenced tables, then checks every reference before committing.
   */
  setForeignKeyEnforcement(enabled: boolean): void {
    if (this.openTransactions > 0) {
      throw new TransactionManagementError(
        `Foreign key enforcement on database '${this.alias}' cannot change while a transaction is open. ` +
          'Run migrations outside atomic().',
      );
    }
    const sql = `PRAGMA foreign_keys = ${enabled ? 'ON' : 'OFF'}`;
    this.#mainSession().db.exec(sql);
    if (!this.#memory) (this.#txSession ??= new SqliteSession(this.#path, false, this.settings.OPTIONS ?? {}, this.#cacheSize)).db.exec(sql);
  }

  // ---- transaction primitives (used by transaction.ts) ------------------------------------

  /** @internal */
  async beginTransaction(transaction: TransactionState): Promise<void> {
    this.openTransactions++;
    try {
      await this.#lock.acquire(this.lockTimeoutMs, () => this.#lockTimeout('BEGIN'));
    } catch (error) {
      this.openTransactions--;
      throw error;
    }
    try {
      let session: SqliteSession;
      if (this.#memory) {
        session = this.#mainSession();
        this.#drainOutsideCursors();
      } else {
        session = this.#txSession ??= new SqliteSession(this.#path, false, this.settings.OPTIONS ?? {}, this.#cacheSize);
      }
      // IMMEDIATE takes SQLite's write lock now: a deferred transaction that read first could
      // not upgrade later if another connection committed meanwhile (SQLITE_BUSY_SNAPSHOT).
      const begin = { sql: this.#memory ? 'BEGIN' : 'BEGIN IMMEDIATE', params: NO_PARAMS };
      try {
        this.#perform(session, begin, 'write', 'run');
      } catch (error) {
        if (!(error instanceof OperationalError && isBusy(error.cause))) throw error;
        await this.#retryBusy(() => this.#perform(session, begin, 'write', 'run'));
      }
      transaction.session = session;
    } catch (error) {
      this.#lock.release();
      this.openTransactions--;
      throw error;
    }
  }

  /** @internal */
  commitTransaction(transaction: TransactionState): void {
    this.#perform(transaction.session as SqliteSession, { sql: 'COMMIT', params: NO_PARAMS }, 'write', 'run');
    this.#endTransaction(transaction);
  }

  /** @internal */
  rollbackTransaction(transaction: TransactionState): void {
    const session = transaction.session as SqliteSession;
    try {
      // SQLite may already have rolled back on its own (disk full, interrupt).
      if (session.db.isOpen && session.db.isTransaction) {
        this.#perform(session, { sql: 'ROLLBACK', params: NO_PARAMS }, 'write', 'run');
      }
    } finally {
      this.#endTransaction(transaction);
    }
  }

  /** @internal */
  createSavepoint(transaction: TransactionState, name: string): void {
    this.#perform(transaction.session as SqliteSession, { sql: `SAVEPOINT "${name}"`, params: NO_PARAMS }, 'write', 'run');
  }

  /** @internal */
  releaseSavepoint(transaction: TransactionState, name: string): void {
    this.#perform(transaction.session as SqliteSession, { sql: `RELEASE SAVEPOINT "${name}"`, params: NO_PARAMS }, 'write', 'run');
  }

  /** @internal */
  rollbackToSavepoint(transaction: TransactionState, name: string): void {
    const session = transaction.session as SqliteSession;
    this.#perform(session, { sql: `ROLLBACK TO SAVEPOINT "${name}"`, params: NO_PARAMS }, 'write', 'run');
    this.#perform(session, { sql: `RELEASE SAVEPOINT "${name}"`, params: NO_PARAMS }, 'write', 'run');
  }

  #endTransaction(transaction: TransactionState): void {
    if (transaction.closed) return;
    transaction.closed = true;
    for (const cursor of this.#cursors) {
      if (cursor.transaction === transaction) {
        this.#closeCursor(cursor);
        cursor.buffer = [];
        cursor.dead = true;
      }
    }
    this.openTransactions--;
    this.#lock.release();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The contract every database backend implements, and the transaction state that
 * follows the async context.
 *
 * compiler → `{ sql, params }` → `DatabaseWrapper.fetchAll/execute` → driver → rows.
 *
 * A wrapper owns one `AsyncLocalStorage` holding the atomic block the current async
 * flow is in. `transaction.ts` opens blocks through the internal primitives below;
 * each statement asks `currentBlock()` which connection (session) and which savepoint
 * it belongs to. Backends decide how sessions map to driver connections. While the test
 * toolkit holds a shared block (its per-test transaction), a flow with no block of its
 * own runs in that one instead of autocommitting.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseLockTimeoutError, TransactionManagementError } from '../../errors.ts';
import { QueryLog } from '../../query-log.ts';
import type { QueryRecord } from '../../query-log.ts';
import type {
  CompiledQuery,
  DatabaseFeatures,
  DatabaseSettings,
  ExecuteResult,
  MaybePromise,
  StatementKind,
} from './types.ts';

/** Options a connection handler passes when it creates a wrapper. */
export interface WrapperOptions {
  /** Keep `connection.queries` (Django's DEBUG behaviour). */
  readonly debug?: boolean;
}

/** A callback registered by `onCommit()`, with the block it was registered in. */
export interface CommitHook {
  readonly fn: () => unknown;
  readonly robust: boolean;
  readonly block: AtomicBlock;
}

/**
 * One `atomic()` level. The outermost is the transaction's root; nested ones have a
 * savepoint unless opened with `savepoint: false`.
 * @internal
 */
export class AtomicBlock {
  readonly parent: AtomicBlock | undefined;
  readonly transaction: TransactionState;
  /** The savepoint this block opened, or null (root, or `savepoint: false`). */
  readonly savepoint: string | null;
  /** The nearest block that can roll back on its own: itself if it has a savepoint, else its parent's. */
  readonly scope: AtomicBlock;
  /** Opened by the test toolkit around a test: durable blocks may nest directly inside it. */
  fromTestCase = false;
  #needsRollback = false;

  constructor(transaction: TransactionState, parent: AtomicBlock | undefined, savepoint: string | null) {
    this.transaction = transaction;
    this.parent = parent;
    this.savepoint = savepoint;
    this.scope = parent === undefined || savepoint !== null ? this : parent.scope;
  }

  /** Set on a scope block: its exit rolls back instead of committing/releasing. */
  get needsRollback(): boolean {
    return this.#needsRollback;
  }

  set needsRollback(value: boolean) {
    if (value === this.#needsRollback) return;
    this.#needsRollback = value;
    this.transaction.brokenScopes += value ? 1 : -1;
  }

  /** True when this block is `ancestor` or nested (at any depth) inside it. */
  isWithin(ancestor: AtomicBlock): boolean {
    for (let block: AtomicBlock | undefined = this; block !== undefined; block = block.parent) {
      if (block === ancestor) return true;
    }
    return false;
  }
}

/**
 * One database transaction: its root block, its open savepoint chain, its onCommit hooks.
 * @internal
 */
export class TransactionState {
  readonly root: AtomicBlock;
  readonly alias: string;
  /** The innermost block whose savepoint is open (the root when none). */
  top: AtomicBlock;
  /** Backend-specific handle of the driver connection running this transaction. */
  session: unknown = undefined;
  /** True once committed or rolled back: late statements from escaped async branches run in autocommit. */
  closed = false;
  /** How many scope blocks are marked for rollback; statements check only when non-zero. */
  brokenScopes = 0;
  hooks: CommitHook[] = [];
  #savepointSeq = 0;
  #turnWaiters: Array<{ block: AtomicBlock; wake: () => void }> = [];

  constructor(alias: string) {
    this.alias = alias;
    this.root = new AtomicBlock(this, undefined, null);
    this.top = this.root;
  }

  /** A savepoint name unique within this transaction. */
  nextSavepointName(): string {
    return `nuages_s${++this.#savepointSeq}`;
  }

  /**
   * Resolves when statements of `block` may run: the open savepoint chain must be
   * `block` or one of its ancestors. Parallel branches of one transaction that open
   * nested atomic blocks are serialised here, so one branch's ROLLBACK TO never
   * discards another branch's writes.
   */
  waitForTurn(block: AtomicBlock, timeoutMs: number): Promise<void> | undefined {
    if (block.isWithin(this.top)) return undefined;
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        block,
        wake: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#turnWaiters = this.#turnWaiters.filter((w) => w !== waiter);
        reject(
          new DatabaseLockTimeoutError(
            `A statement in a parallel branch of a transaction on database '${this.alias}' waited ` +
              `${timeoutMs}ms for a nested atomic block of another branch to finish. Nested atomic ` +
              `blocks in parallel branches of one transaction run one at a time: make sure no branch ` +
              `awaits another branch from inside its nested atomic block.`,
            { alias: this.alias },
          ),
        );
      }, timeoutMs);
      this.#turnWaiters.push(waiter);
    }).then(() => this.waitForTurn(block, timeoutMs));
  }

  /** Moves the open savepoint chain and wakes the branches that may now run. */
  setTop(block: AtomicBlock): void {
    this.top = block;
    if (this.#turnWaiters.length === 0) return;
    const ready = this.#turnWaiters.filter((w) => w.block.isWithin(block));
    this.#turnWaiters = this.#turnWaiters.filter((w) => !w.block.isWithin(block));
    for (const waiter of ready) waiter.wake();
  }

  /** Throws when the block (or a block around it) is marked for rollback, as Django does. */
  assertUsable(block: AtomicBlock): void {
    if (this.brokenScopes === 0) return;
    for (let b: AtomicBlock | undefined = block; b !== undefined; b = b.parent) {
      if (b.needsRollback) {
        throw new TransactionManagementError(
          `An error occurred in the current transaction on database '${this.alias}', or setRollback(true) ` +
            `was called: queries are refused until the end of the atomic block. Let the error leave the ` +
            `block, or wrap the failing part in its own atomic() so only that part rolls back.`,
        );
      }
    }
  }
}

/**
 * A FIFO async mutex. `tryAcquire` is synchronous so uncontended callers stay on the
 * synchronous fast path; `release` hands the lock straight to the next waiter.
 * @internal
 */
export class AsyncMutex {
  #locked = false;
  #waiters: Array<{ grant: () => void }> = [];

  /** Whether someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Takes the lock if free; never waits. */
  tryAcquire(): boolean {
    if (this.#locked) return false;
    this.#locked = true;
    return true;
  }

  /** Waits for the lock in arrival order; rejects with `onTimeout()` after `timeoutMs`. */
  acquire(timeoutMs: number, onTimeout: () => Error): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(onTimeout());
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Releases the lock, or passes it directly to the longest waiter. */
  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next.grant();
  }
}

/**
 * A connection to one database alias. The ORM calls only the methods below; each backend
 * implements them on its driver. Reads return plain values when the driver answers
 * synchronously (SQLite), promises otherwise: `await` the result once either way.
 *
 * Every statement issued inside `atomic()` — by any code, at any depth of awaits — runs
 * on that transaction's session; statements from other async flows never see its
 * uncommitted rows.
 */
export abstract class DatabaseWrapper {
  /** The key in `DATABASES` (`'default'`). */
  readonly alias: string;
  /** The `DATABASES[alias]` entry this connection was opened from. */
  readonly settings: DatabaseSettings;
  /** The backend's name (`'sqlite'`), for messages and checks; branch on `features`, not this. */
  abstract readonly vendor: 'sqlite' | 'postgres' | (string & {});
  /** What this database can do; the compiler and schema editor read these flags. */
  abstract readonly features: DatabaseFeatures;

  readonly #context = new AsyncLocalStorage<AtomicBlock | undefined>();
  #shared: AtomicBlock | undefined;
  /** Transactions that exist (waiting for their lock or open); 0 keeps statements on the fast path. */
  protected openTransactions = 0;
  /** The DEBUG buffer behind `queries`, or undefined when DEBUG is off. */
  protected debugLog: QueryLog | undefined;

  constructor(alias: string, settings: DatabaseSettings, options: WrapperOptions = {}) {
    this.alias = alias;
    this.settings = settings;
    this.debugLog = options.debug === true ? new QueryLog() : undefined;
  }

  /** Rows as arrays, in column order. `kind` defaults to `'read'`. */
  abstract fetchAll(query: CompiledQuery, kind?: StatementKind): MaybePromise<unknown[][]>;

  /** The first row as an array, or undefined when there is none. */
  abstract fetchOne(query: CompiledQuery, kind?: StatementKind): MaybePromise<unknown[] | undefined>;

  /** Rows plus the column names, for raw SQL and `cursor.description`-like needs. */
  abstract fetchWithColumns(
    query: CompiledQuery,
    kind?: StatementKind,
  ): MaybePromise<{ columns: string[]; rows: unknown[][] }>;

  /** Runs a statement that returns no rows. `kind` defaults to `'write'`. */
  abstract execute(query: CompiledQuery, kind?: StatementKind): MaybePromise<ExecuteResult>;

  /**
   * Streams rows with bounded memory: reads `chunkSize` rows at a time from an open
   * cursor. Inside `atomic()` the cursor belongs to the transaction and must be consumed
   * before the block ends.
   */
  abstract iterate(query: CompiledQuery, chunkSize: number): AsyncIterable<unknown[]>;

  /** Runs several `;`-separated statements (schema editor); inside the current transaction if any. */
  abstract executeScript(sql: string): MaybePromise<void>;

  /**
   * The database's own command-line client for `manage.ts dbshell` (Django's
   * client.settings_to_cmd_args_env): the program, its arguments (then `parameters`), and
   * environment variables to add (a password never goes on the command line).
   */
  abstract shellCommand(parameters: readonly string[]): { command: string; args: string[]; env: Record<string, string> };

  /** Closes the driver connections. A later statement reopens them (Django's lazy connect). */
  abstract close(): Promise<void>;

  /**
   * Checks now the foreign keys of the rows written in the open transaction, which the
   * database would otherwise check at COMMIT (Django's check_constraints), so the error can
   * name the row (loaddata runs it before committing). `tableNames` limits the check to
   * those tables. A database that checks every statement at once has nothing to do.
   *
   * @throws IntegrityError for a row whose key points nowhere.
   */
  async checkConstraints(_tableNames?: readonly string[]): Promise<void> {}

  /** Whether the current async context is inside `atomic()` on this alias. */
  inAtomicBlock(): boolean {
    return this.currentBlock() !== undefined;
  }

  /**
   * The statements run on this connection while DEBUG is on (newest 9000), else empty.
   * Use `captureQueries()` for a scoped, concurrency-safe record.
   */
  get queries(): readonly QueryRecord[] {
    return this.debugLog?.entries ?? [];
  }

  /** Record statements into `queries` even without DEBUG (Django's `force_debug_cursor`). */
  get forceDebugCursor(): boolean {
    return this.debugLog !== undefined;
  }

  set forceDebugCursor(value: boolean) {
    if (value && this.debugLog === undefined) this.debugLog = new QueryLog();
    else if (!value && this.debugLog !== undefined) {
      this.debugLog.dispose();
      this.debugLog = undefined;
    }
  }

  /** Milliseconds a statement may wait for another transaction (from `OPTIONS.timeout`, seconds; 5 by default). */
  get lockTimeoutMs(): number {
    const seconds = this.settings.OPTIONS?.['timeout'];
    return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : 5000;
  }

  // ---- transaction internals, used by transaction.ts -------------------------------

  /**
   * The live atomic block of the current async context, or undefined in autocommit.
   * A block whose transaction already ended (an async branch that outlived its atomic())
   * counts as autocommit, as a thread does in Django after the block exits.
   * @internal
   */
  currentBlock(): AtomicBlock | undefined {
    if (this.openTransactions === 0) return undefined;
    const block = this.#context.getStore();
    if (block !== undefined && !block.transaction.closed) return block;
    const shared = this.#shared;
    return shared === undefined || shared.transaction.closed ? undefined : shared;
  }

  /**
   * The test toolkit's block, shared by every async context without one of its own: the
   * per-test transaction must reach hooks and HTTP requests node:test and a live server run
   * in contexts of their own, so it cannot live in the AsyncLocalStorage.
   * @internal
   */
  get sharedBlock(): AtomicBlock | undefined {
    return this.#shared;
  }

  /** Sets or clears the shared block; only `transaction.ts` calls it. @internal */
  setSharedBlock(block: AtomicBlock | undefined): void {
    this.#shared = block;
  }

  /** Runs `fn` with `block` as the current block of its async context. @internal */
  runInBlock<T>(block: AtomicBlock | undefined, fn: () => T): T {
    return this.#context.run(block, fn);
  }

  /**
   * Opens the transaction's session and issues BEGIN; waits for the database's
   * transaction lock when the backend has one.
   * @internal
   */
  abstract beginTransaction(transaction: TransactionState): Promise<void>;
  /** COMMIT, then release the session. @internal */
  abstract commitTransaction(transaction: TransactionState): MaybePromise<void>;
  /** ROLLBACK, then release the session. Never throws for an already-aborted transaction. @internal */
  abstract rollbackTransaction(transaction: TransactionState): MaybePromise<void>;
  /** SAVEPOINT name. @internal */
  abstract createSavepoint(transaction: TransactionState, name: string): MaybePromise<void>;
  /** RELEASE SAVEPOINT name. @internal */
  abstract releaseSavepoint(transaction: TransactionState, name: string): MaybePromise<void>;
  /** ROLLBACK TO SAVEPOINT name, then release it. @internal */
  abstract rollbackToSavepoint(transaction: TransactionState, name: string): MaybePromise<void>;
}

/**
 * The database exception hierarchy, as in Django (PEP 249 names), with permanent codes.
 *
 * ```
 * DatabaseError
 *   ├─ IntegrityError      a constraint refused the row (unique, not null, foreign key, check)
 *   ├─ OperationalError    the database could not run it (no such table, locked, I/O)
 *   │    └─ DatabaseLockTimeoutError   waited too long for another transaction
 *   ├─ ProgrammingError    the statement itself is wrong (parameter count, misuse)
 *   ├─ DataError           a value does not fit (too big)
 *   ├─ NotSupportedError   the backend cannot do this
 *   ├─ InterfaceError      the connection is unusable (closed)
 *   └─ InternalError       the database's own internal failure
 * TransactionManagementError   atomic()/onCommit() used wrongly
 *   └─ NestedDurableAtomicError
 * ```
 *
 * Backends translate driver errors into these classes and keep the driver's error
 * as `cause`. Messages carry the SQL, never the parameter values (they may be secrets).
 */
import { NuagesError } from '../core/errors.ts';

/** Where a failing statement ran; attached to errors raised while running SQL. */
export interface StatementContext {
  /** The connection alias (`'default'`). */
  readonly alias: string;
  /** The SQL text, with placeholders; parameter values are deliberately left out. */
  readonly sql?: string;
}

/** Base of every error raised by a database or about one (Django's DatabaseError). */
export class DatabaseError extends NuagesError {
  readonly code: string = 'NUAGES_DB_ERROR';
  /** The alias of the connection that raised it, when known. */
  readonly alias: string | undefined;
  /** The SQL that failed, when a statement was running. Never includes parameter values. */
  readonly sql: string | undefined;

  constructor(message: string, options?: ErrorOptions & { alias?: string; sql?: string }) {
    super(message, options);
    this.alias = options?.alias;
    this.sql = options?.sql;
  }
}

/** A constraint refused the change: UNIQUE, NOT NULL, FOREIGN KEY, CHECK, PRIMARY KEY. */
export class IntegrityError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_INTEGRITY';
}

/** The database could not carry out the statement: missing table, locked, disk full, I/O. */
export class OperationalError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_OPERATIONAL';
}

/** A statement is malformed for the driver: wrong number of parameters, bad use of the API. */
export class ProgrammingError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_PROGRAMMING';
}

/** A value does not fit what the database can store or return (too large, out of range). */
export class DataError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_DATA';
}

/** The backend does not support the requested operation. */
export class NotSupportedError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_NOT_SUPPORTED';
}

/** The connection itself is unusable (closed, finalized statement). */
export class InterfaceError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_INTERFACE';
}

/** The database reported an internal failure of its own. */
export class InternalError extends DatabaseError {
  override readonly code: string = 'NUAGES_DB_INTERNAL';
}

/**
 * A statement waited longer than the connection's `OPTIONS.timeout` for another
 * transaction on the same database (SQLite allows one writer at a time).
 */
export class DatabaseLockTimeoutError extends OperationalError {
  override readonly code: string = 'NUAGES_DB_LOCK_TIMEOUT';
}

/** `atomic()`, `onCommit()` or `setRollback()` were used in a way the transaction rules forbid. */
export class TransactionManagementError extends NuagesError {
  readonly code: string = 'NUAGES_DB_TRANSACTION_MANAGEMENT';
}

/** `atomic({ durable: true })` was entered inside another atomic block. */
export class NestedDurableAtomicError extends TransactionManagementError {
  override readonly code: string = 'NUAGES_DB_NESTED_DURABLE_ATOMIC';
  constructor(alias: string) {
    super(
      `A durable atomic block on database '${alias}' was opened inside another atomic block. ` +
        `durable: true promises the block commits on exit; call it only where no transaction is open, ` +
        `or drop durable.`,
    );
  }
}

/** Appends the alias and SQL to a driver message, the way every translated error reads. */
export function describeStatement(message: string, context: StatementContext): string {
  return context.sql === undefined
    ? `${message} (database '${context.alias}')`
    : `${message}\n  database: '${context.alias}'\n  SQL: ${context.sql}`;
}

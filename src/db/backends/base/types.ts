/**
 * Plain types shared by every database backend and the SQL compiler.
 *
 * The query path ends here: a compiler turns a query tree into a
 * `CompiledQuery`; a backend runs it. Nothing in this file knows about models.
 */

/** A value bound to a statement parameter. Values are always parameters, never interpolated. */
export type SqlParam = null | number | bigint | string | Uint8Array;

export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** A value or a promise of it: SQLite answers synchronously, Postgres does not. Await it once. */
export type MaybePromise<T> = T | Promise<T>;

export interface ExecuteResult {
  /** Rows changed by INSERT/UPDATE/DELETE. */
  readonly rowCount: number;
  /** Last inserted rowid where the database reports it. */
  readonly lastInsertId: number | bigint | null;
}

/** Whether a statement only reads. Writes are serialised where the database needs it (SQLite). */
export type StatementKind = 'read' | 'write';

/** One entry of `DATABASES` in settings (declared with the settings, in nuages/conf). */
export type { DatabaseSettings } from '../../../conf/settings.ts';

/** What a backend can do; the compiler and schema editor branch on these, never on the vendor name. */
export interface DatabaseFeatures {
  readonly canReturnRowsFromBulkInsert: boolean;
  readonly supportsReturning: boolean;
  readonly supportsTransactionalDdl: boolean;
  readonly supportsNullsOrdering: boolean;
  readonly supportsSelectForUpdate: boolean;
  readonly supportsRegex: boolean;
  readonly hasNativeUuid: boolean;
  readonly hasNativeJson: boolean;
  readonly hasNativeDecimal: boolean;
  readonly hasNativeBoolean: boolean;
  /** Array columns (`integer[]`) and their operators: contrib/postgres' ArrayField needs them. */
  readonly hasNativeArrays?: boolean;
  /** Full-text search types and functions (tsvector, to_tsvector): contrib/postgres' search. */
  readonly hasFullTextSearch?: boolean;
  /** SELECT DISTINCT ON (…), for distinct(...fields). */
  readonly supportsDistinctOn?: boolean;
  /**
   * A CASE of bound parameters has no column type to take (PostgreSQL reads it as text),
   * so bulkUpdate() casts each value to its column's type (Django's
   * requires_casted_case_in_updates).
   */
  readonly requiresCastedCaseInUpdates?: boolean;
  /** Upper bound on bound parameters in one statement. */
  readonly maxQueryParams: number;
}

/**
 * Feature flags every backend starts from. A backend spreads these and overrides what
 * its database does better; the compiler and schema editor read flags, never vendor names.
 */
import type { DatabaseFeatures } from './types.ts';

/**
 * The conservative defaults: what a plain SQL-92 database can be trusted to do.
 *
 * @example
 * export const sqliteFeatures = Object.freeze({ ...baseFeatures, supportsReturning: true });
 */
export const baseFeatures: DatabaseFeatures = Object.freeze({
  canReturnRowsFromBulkInsert: false,
  supportsReturning: false,
  supportsTransactionalDdl: false,
  supportsNullsOrdering: false,
  supportsSelectForUpdate: false,
  supportsRegex: false,
  hasNativeUuid: false,
  hasNativeJson: false,
  hasNativeDecimal: false,
  hasNativeBoolean: false,
  maxQueryParams: 999,
});

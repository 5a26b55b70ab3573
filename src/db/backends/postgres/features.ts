/**
 * What PostgreSQL (12 and later) can do, read by the compiler, the fields and the schema editor.
 */
import { baseFeatures } from '../base/features.ts';
import type { DatabaseFeatures } from '../base/types.ts';

/**
 * PostgreSQL's feature flags.
 *
 * - RETURNING on every INSERT, so bulk inserts read their keys back.
 * - DDL is transactional.
 * - Native `numeric` (read as exact text, turned into Decimal by the field), `boolean`,
 *   `uuid` and `jsonb`: the fields hand values over as they are.
 * - Arrays, full-text search and DISTINCT ON, for contrib/postgres and distinct(...fields).
 * - 65535 bound parameters per statement (the protocol's 16-bit count).
 */
export const postgresFeatures: DatabaseFeatures = Object.freeze({
  ...baseFeatures,
  canReturnRowsFromBulkInsert: true,
  supportsReturning: true,
  supportsTransactionalDdl: true,
  supportsNullsOrdering: true,
  supportsSelectForUpdate: true,
  supportsRegex: true,
  hasNativeUuid: true,
  hasNativeJson: true,
  hasNativeDecimal: true,
  hasNativeBoolean: true,
  hasNativeArrays: true,
  hasFullTextSearch: true,
  requiresCastedCaseInUpdates: true,
  supportsDistinctOn: true,
  maxQueryParams: 65535,
});

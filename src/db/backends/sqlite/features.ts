/**
 * What the SQLite bundled with Node 24 (3.49+) can do.
 */
import { baseFeatures } from '../base/features.ts';
import type { DatabaseFeatures } from '../base/types.ts';

/**
 * SQLite's feature flags. `maxQueryParams` is the limit the connection reports
 * (`SQLITE_LIMIT_VARIABLE_NUMBER`, 32766 in Node's build) when known.
 *
 * - RETURNING (3.35) makes bulk inserts return their rows.
 * - DDL is transactional: a failed migration leaves no half-built table.
 * - `NULLS FIRST/LAST` (3.30) is native.
 * - REGEXP is a JavaScript function registered on every connection (functions.ts).
 * - No native UUID, JSON column type, decimal or boolean: the fields convert.
 */
export function sqliteFeatures(maxQueryParams = 32766): DatabaseFeatures {
  return Object.freeze({
    ...baseFeatures,
    canReturnRowsFromBulkInsert: true,
    supportsReturning: true,
    supportsTransactionalDdl: true,
    supportsNullsOrdering: true,
    supportsSelectForUpdate: false,
    supportsRegex: true,
    maxQueryParams,
  });
}

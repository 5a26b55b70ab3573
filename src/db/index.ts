/**
 * `nuages/db`: models, fields, QuerySets, expressions, transactions.
 *
 * Query path: `Model.objects` (a QuerySet) → `Query` (plain tree) → the
 * backend's compiler → `{ sql, params }` → connection → rows → instances.
 */
import './models/query-set.ts';

export { Model, ModelBase } from './models/base.ts';
export type { FieldValues, ModelInit, ModelClass, ModelOptions, SaveOptions } from './models/base.ts';
export { QuerySet } from './models/query-set.ts';
export { Prefetch, prefetchRelatedObjects, type PrefetchLookup } from './models/prefetch.ts';
export type { ManyRelatedManager, RelatedManager, RelatedRef } from './models/related-managers.ts';
export { FETCH_ONE, FETCH_PEERS, RAISE, LazyLoadRefusedError, type FetchMode } from './models/fetch-modes.ts';
export { NPlusOneError, onNPlusOne, type NPlusOneReport } from './models/n-plus-one.ts';
export type { FilterArg } from './models/query-set.ts';
export { BulkOptionsError } from './models/bulk.ts';
export type { BulkCreateOptions, BulkUpdateOptions } from './models/bulk.ts';
export { RawQuerySet } from './models/raw-query.ts';
export type { RawQueryOptions, RawParam } from './models/raw-query.ts';
export { Q, QNode } from './models/query-utils.ts';
export { F, Value, RawSQL, OrderBy, Expression } from './models/expressions.ts';
export { Func, ExpressionWrapper } from './models/expressions.ts';
export type { FuncOptions, ResolveContext } from './models/expressions.ts';
export { Aggregate, Count, Sum, Avg, Min, Max, StdDev, Variance } from './models/aggregates.ts';
export type { AggregateOptions, StatisticOptions, Typed } from './models/aggregates.ts';
export type { AnnotatedValues } from './models/query-set.ts';
export { Case, When } from './models/conditional.ts';
export type { CaseOptions } from './models/conditional.ts';
export { Subquery, Exists, OuterRef } from './models/subqueries.ts';
export * from './models/functions/index.ts';
export { OuterRefOutsideSubqueryError } from './models/errors.ts';
export { Index, UniqueConstraint, CheckConstraint } from './models/indexes.ts';
export { Options } from './models/options.ts';
export * from './models/fields/index.ts';
export { RelationNotLoadedError, DeferredFieldError, ModelNotInAppError, ModelStateError } from './models/errors.ts';
export * as signals from './models/signals.ts';
export { connections, connection } from './connections.ts';
export { atomic, onCommit, setRollback, getRollback, inAtomicBlock } from './transaction.ts';
export { router, ConnectionRouter, ReplicaRouter, RouterConfigError, CrossDatabaseRelationError, isConnectionFailure } from './routers.ts';
export type { DatabaseRouter, RouterHints, RouterSetting, RoutedModel, ReplicaRouterOptions } from './routers.ts';
export { runWithRoutingScope, noteWrite, wroteTo } from './routing-scope.ts';
export { onModelWrite, noteModelWrite, hasModelWriteListeners, type ModelWriteKind, type ModelWriteListener } from './models/model-writes.ts';
export { captureQueries } from './query-log.ts';
export * from './errors.ts';
export { createTables, schemaEditorFor } from './schema.ts';
export { Decimal } from '../utils/decimal.ts';
export { DateOnly } from '../utils/dates.ts';
export { ProtectedError, RestrictedError, ValidationError, FieldError, FieldDoesNotExist, ObjectDoesNotExist, MultipleObjectsReturned } from '../core/exceptions.ts';

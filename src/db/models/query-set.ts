/**
 * QuerySet: a lazy, immutable description of a database query.
 *
 * Every method that refines a query returns a new QuerySet; nothing runs until
 * the QuerySet is awaited, iterated with `for await`, or asked for a single
 * value (`count()`, `get()`, `exists()`…). Results are cached on the QuerySet
 * that was evaluated, as in Django.
 *
 * ```ts
 * const cheap = await Book.objects.filter({ price__lt: 10 }).orderBy('-rating').slice(0, 20);
 * // SELECT … FROM "catalog_book" WHERE "catalog_book"."price" < ? ORDER BY "catalog_book"."rating" DESC LIMIT 20
 * ```
 */
import { FieldError, MultipleObjectsReturned as BaseMultiple } from '../../core/exceptions.ts';
import { DateOnly } from '../../utils/dates.ts';
import { connections } from '../connections.ts';
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import type { ForUpdateOptions } from '../backends/base/operations.ts';
import { IntegrityError, NotSupportedError, TransactionManagementError } from '../errors.ts';
import { atomic } from '../transaction.ts';
import { readWithFallback, router, type RouterHints } from '../routers.ts';
import { noteWrite } from '../routing-scope.ts';
import { setRootQuerySetFactory, type ManagerSpec, ModelBase } from './base.ts';
import { Expression, OrderBy } from './expressions.ts';
import type { Field } from './fields/field.ts';
import { ForeignKey } from './fields/related.ts';
import { DateField, DateTimeField } from './fields/temporal.ts';
import { Collector } from './deletion.ts';
import { hasModelWriteListeners, noteModelWrite } from './model-writes.ts';
import { prefetchRelatedObjects, type PrefetchLookup } from './prefetch.ts';
import { checkFetchMode, type FetchMode } from './fetch-modes.ts';
import { QNode, type Lookups } from './query-utils.ts';
import { arrayMapper, flatMapper, modelRowMapper, objectMapper, type RowMapper } from './row-mapper.ts';
import { keyPlan } from './sql/key-plan.ts';
import { updateAssignments } from './sql/update.ts';
import { truncatedDatesQuery } from './sql/date-lists.ts';
import { getCurrentTimeZone } from '../../utils/timezone.ts';
import { compilerFor } from './sql/backend.ts';
import type { CompiledSelect } from './sql/compiler.ts';
import { Query, type Combinator } from './sql/query.ts';
import { insertInstances } from './persistence.ts';
import { Aggregate, type Typed } from './aggregates.ts';
import { addAnnotations, describeValue, freezeModelGrouping, prepareAggregate } from './sql/aggregation.ts';
import { bulkCreate, bulkUpdate, type BulkCreateOptions, type BulkUpdateOptions } from './bulk.ts';
import { RawQuerySet, type RawQueryOptions } from './raw-query.ts';

/** The row values annotate()/aggregate() add, typed where the expression says (Count → number). */
export type AnnotatedValues<A> = { -readonly [K in keyof A]: A[K] extends Typed<infer T> ? T : unknown };

const NO_HINTS: RouterHints = Object.freeze({});

/** Django fetches at most this many rows in get() to report "more than 20". */
const MAX_GET_RESULTS = 21;

type RowKind =
  | { readonly type: 'model' }
  | { readonly type: 'values' }
  | { readonly type: 'valuesList'; readonly flat: boolean; readonly named: boolean };

type Model = ModelBase;
type ModelCtor = typeof ModelBase;

/** A filter argument: `{ path: value }` lookups or a `Q`. */
export type FilterArg = Lookups | QNode;

export class QuerySet<M = Model, R = M> implements PromiseLike<R[]>, AsyncIterable<R> {
  readonly model: ModelCtor;
  #db: string | undefined;
  #query: Query | undefined;
  #kind: RowKind = { type: 'model' };
  #result: R[] | undefined;
  #fieldNames: readonly string[] = [];
  /** A model's manager: a root QuerySet that never caches, since it is shared by every caller. */
  #isManager = false;
  /** Not derived from another QuerySet: no filters, ordering or options yet (enables get()'s key plan). */
  #pristine = true;
  /** prefetchRelated() lookups, run after the rows are fetched. */
  #prefetch: readonly PrefetchLookup[] = [];
  /** How instances of this QuerySet load what it did not (null: the project default). */
  #fetchMode: FetchMode | null = null;
  /** What the routers are told (Django's `_hints`): the instance of a related manager. */
  #hints: RouterHints = NO_HINTS;
  /** Routed as a write (Django's `_for_write`): getOrCreate() and selectForUpdate() read from the write database. */
  #forWrite = false;

  /**
   * This QuerySet class as a model's manager, so its methods are available on
   * `Model.objects`:
   * ```ts
   * class ProductQuerySet extends QuerySet<Product> { expensive() { return this.filter({ price__gt: 100 }); } }
   * class Product extends Model<Product>()({ ... }) {
   *   static objects = ProductQuerySet.asManager(this);
   * }
   * await Product.objects.expensive();
   * ```
   */
  static asManager<T extends QuerySet<any, any>>(this: new (model: ModelCtor) => T, model: abstract new (...args: any[]) => unknown): T {
    const manager = new this(model as ModelCtor);
    (manager as QuerySet<any, any>).#isManager = true;
    return manager;
  }

  constructor(model: ModelCtor, options: { using?: string } = {}) {
    this.model = model;
    this.#db = options.using;
  }

  // --- plumbing ---------------------------------------------------------------

  /**
   * The alias this QuerySet runs on: the one given to `using()`, else the routers' choice
   * (`DATABASE_ROUTERS`' dbForRead, or dbForWrite for a QuerySet that writes), else the
   * hinted instance's database, else `'default'`. A router such as ReplicaRouter may answer
   * differently on each read; each evaluation asks once.
   */
  get db(): string {
    if (this.#db !== undefined) return this.#db;
    return this.#forWrite ? router.dbForWrite(this.model, this.#hints) : router.dbForRead(this.model, this.#hints);
  }

  /** The alias a write goes to, noted in the routing scope so the reads after it can stick to it. */
  #writeAlias(): string {
    const alias = this.#db ?? router.dbForWrite(this.model, this.#hints);
    noteWrite(alias);
    return alias;
  }

  /**
   * Runs a read on this QuerySet's database. A routed read whose database cannot be reached
   * (a replica that is down) runs once more where the routers say (the primary).
   */
  #read<T>(run: (connection: DatabaseWrapper, alias: string) => T | Promise<T>): T | Promise<T> {
    return readWithFallback(this.db, this.#db === undefined, this.model, this.#hints, (alias) => run(connections.get(alias), alias));
  }

  /** Adds router hints, in place (Django's `_add_hints`). Internal to the ORM. */
  _addHints(hints: RouterHints): this {
    this.#hints = { ...this.#hints, ...hints };
    return this;
  }

  /** The query tree (cloned by every refining method; read-only for callers). */
  get query(): Query {
    // The write database stands for the backend: routers send one model's reads and
    // writes to databases of one kind (a primary and its replicas).
    this.#query ??= new Query(this.model as never, connections.get(this.#db ?? router.dbForWrite(this.model, this.#hints)).features);
    return this.#query;
  }

  #clone(): this {
    const Ctor = this.constructor as new (model: ModelCtor, options: { using?: string }) => this;
    const copy = new Ctor(this.model, { using: this.#db });
    copy.#query = this.query.clone();
    copy.#pristine = false;
    copy.#prefetch = this.#prefetch;
    copy.#fetchMode = this.#fetchMode;
    copy.#kind = this.#kind;
    copy.#fieldNames = this.#fieldNames;
    copy.#hints = this.#hints;
    copy.#forWrite = this.#forWrite;
    return copy;
  }

  #chain<T>(change: (query: Query, qs: QuerySet<M, T>) => void): QuerySet<M, T> & this {
    const copy = this.#clone() as unknown as QuerySet<M, T> & this;
    change(copy.query, copy);
    return copy;
  }

  #assertNotSliced(operation: string): void {
    if (this.query.isSliced) throw new FieldError(`Cannot ${operation} a query once a slice has been taken.`);
  }

  // Django refuses these too: a filter would silently apply to the first query only.
  #assertNotCombined(operation: string): void {
    const combinator = this.query.combinator;
    if (combinator) {
      const name = { UNION: 'union', INTERSECT: 'intersection', EXCEPT: 'difference' }[combinator.kind] ?? combinator.kind;
      throw new NotSupportedError(`Calling ${operation}() after ${name}() is not supported; filter each QuerySet before combining them.`);
    }
  }

  #assertModelRows(operation: string): void {
    if (this.#kind.type !== 'model') throw new FieldError(`${operation}() returns model instances; call it before values()/valuesList().`);
  }

  // --- refining -------------------------------------------------------------------

  /** A copy of this QuerySet (Django's `all()`), with an empty result cache. */
  all(): this {
    return this.#clone();
  }

  /** Rows matching every lookup: `filter({ price__gte: 10 }, Q(...))`. */
  filter(...conditions: (FilterArg | Expression)[]): this {
    if (conditions.length) this.#assertNotSliced('filter');
    this.#assertNotCombined('filter');
    return this.#chain((query) => {
      for (const condition of conditions) {
        if (condition instanceof Expression) query.addExpressionFilter(condition, false);
        else query.addFilter(condition, false);
      }
    });
  }

  /** Rows that do not match: `exclude({ status: 'draft' })`. */
  exclude(...conditions: (FilterArg | Expression)[]): this {
    if (conditions.length) this.#assertNotSliced('exclude');
    this.#assertNotCombined('exclude');
    return this.#chain((query) => {
      for (const condition of conditions) {
        if (condition instanceof Expression) query.addExpressionFilter(condition, true);
        else query.addFilter(condition, true);
      }
    });
  }

  /** Ordering by field names (`'-price'`, `'publisher__name'`), `'?'` for random, or expressions. */
  orderBy(...fields: (string | OrderBy | Expression)[]): this {
    this.#assertNotSliced('reorder');
    return this.#chain((query) => query.setOrdering(fields));
  }

  /** The opposite order. */
  reverse(): this {
    return this.#chain((query) => query.reverseOrdering());
  }

  /**
   * SELECT DISTINCT; with field names, PostgreSQL's `DISTINCT ON (…)`: one row per distinct
   * value of those fields, the first in the ordering, which must start with the same fields.
   */
  distinct(...fields: string[]): this {
    this.#assertNotSliced('make distinct');
    return this.#chain((query) => {
      query.distinct = true;
      if (fields.length) query.setDistinctFields(fields);
    });
  }

  /** Python's `qs[start:end]`: LIMIT/OFFSET. Negative indexes are not supported, as in Django. */
  slice(start: number, end?: number): this {
    if (start < 0 || (end !== undefined && end < 0) || !Number.isInteger(start) || (end !== undefined && !Number.isInteger(end))) {
      throw new FieldError('slice() takes non-negative integers; negative indexing is not supported.');
    }
    if (end !== undefined && end < start) throw new FieldError('slice(start, end) needs end >= start.');
    return this.#chain((query) => query.setLimits(start, end));
  }

  /** An empty QuerySet that runs no query. */
  none(): this {
    return this.#chain((query) => {
      query.isEmpty = true;
    });
  }

  /** Queries another database alias. */
  using(alias: string): this {
    const copy = this.#clone();
    copy.#db = alias;
    return copy;
  }

  /**
   * Locks the selected rows until the end of the transaction: `SELECT … FOR UPDATE` on
   * PostgreSQL, with `{ nowait }` (fail at once), `{ skipLocked }` (leave locked rows out),
   * `{ of: ['self', 'publisher'] }` (lock only those tables of a selectRelated() query) and
   * `{ noKey }` (FOR NO KEY UPDATE). Ignored on SQLite, which locks the whole database for a writer.
   *
   * @example
   * await atomic(async () => {
   *   const seat = await Seat.objects.selectForUpdate({ skipLocked: true }).filter({ free: true }).first();
   *   // SELECT … FROM "seat" WHERE "seat"."free" = $1::boolean ORDER BY … LIMIT 1 FOR UPDATE SKIP LOCKED
   * });
   */
  selectForUpdate(options: ForUpdateOptions = {}): this {
    if (options.nowait && options.skipLocked) throw new FieldError('selectForUpdate() takes nowait or skipLocked, not both.');
    return this.#chain((query, qs) => {
      query.selectForUpdate = { ...options };
      qs.#forWrite = true;
    });
  }

  /** Loads only these fields (and the primary key); reading another throws until it is loaded. */
  only(...fields: string[]): this {
    this.#assertModelRows('only');
    return this.#chain((query) => query.restrictFields(fields, true));
  }

  /** Loads every field but these. */
  defer(...fields: string[]): this {
    this.#assertModelRows('defer');
    return this.#chain((query) => query.restrictFields(fields, false));
  }

  /** Plain objects instead of instances: `values('title', 'publisher__name')`. */
  values<K extends string>(...fields: K[]): QuerySet<M, { [P in K]: P extends keyof M ? M[P] : unknown }> {
    return this.#chain<{ [P in K]: P extends keyof M ? M[P] : unknown }>((query, qs) => {
      freezeModelGrouping(query);
      query.setValues(fields);
      qs.#kind = { type: 'values' };
      qs.#fieldNames = fields;
    });
  }

  /**
   * Arrays instead of instances; `{ flat: true }` with one field gives the bare
   * values, `{ named: true }` gives objects (Django's named tuples).
   */
  valuesList<T = unknown[]>(...args: (string | { flat?: boolean; named?: boolean })[]): QuerySet<M, T> {
    const last = args.at(-1);
    const options = typeof last === 'object' ? last : {};
    const fields = args.filter((a): a is string => typeof a === 'string');
    const flat = options.flat ?? false;
    const named = options.named ?? false;
    if (flat && named) throw new FieldError("valuesList() takes flat or named, not both.");
    if (flat && fields.length !== 1) throw new FieldError('valuesList(…, { flat: true }) takes exactly one field.');
    return this.#chain<T>((query, qs) => {
      freezeModelGrouping(query);
      query.setValues(fields);
      qs.#kind = { type: 'valuesList', flat, named };
      qs.#fieldNames = fields;
    });
  }

  // --- annotations and aggregation -----------------------------------------------------

  /**
   * Adds computed values to each row, by name. An aggregate groups the rows: by
   * the model's fields, or after values() by the values selected (GROUP BY);
   * filtering on an aggregate annotation becomes HAVING.
   * ```ts
   * await Book.objects.values('publisher__name').annotate({ n: Count('id') }).filter({ n__gt: 1 })
   * // SELECT "pub"."name" AS "publisher__name", COUNT("book"."id") AS "n" FROM "book" INNER JOIN "pub" …
   * //   GROUP BY "pub"."name" HAVING COUNT("book"."id") > ?
   * ```
   */
  annotate<A extends Readonly<Record<string, Expression>>>(annotations: A): QuerySet<M & AnnotatedValues<A>, R & AnnotatedValues<A>> {
    return this.#annotate(annotations, true) as unknown as QuerySet<M & AnnotatedValues<A>, R & AnnotatedValues<A>>;
  }

  /** Like annotate(), but the values are not selected: for filter(), orderBy() and other annotations. */
  alias(aliases: Readonly<Record<string, Expression>>): this {
    return this.#annotate(aliases, false);
  }

  #annotate(annotations: Readonly<Record<string, Expression>>, select: boolean): this {
    this.#assertNotCombined(select ? 'annotate' : 'alias');
    return this.#chain((query) => addAnnotations(query, annotations, select));
  }

  /**
   * Computes aggregates over the rows and returns them by name; positional
   * aggregates of one field are named `field__count`, `price__avg`…
   * ```ts
   * await Book.objects.filter({ rating__gte: 4 }).aggregate({ avg: Avg('price'), n: Count('id') })
   * // { avg: Decimal('31.12'), n: 3 }
   * ```
   * Over a sliced, distinct or grouped QuerySet (or an aggregate annotation) the
   * query runs as a subquery, as in Django. An empty QuerySet (`none()`) runs no query.
   */
  async aggregate<A extends Readonly<Record<string, Expression>>>(aggregates: A, ...more: Aggregate[]): Promise<AnnotatedValues<A> & Record<string, unknown>>;
  async aggregate(...aggregates: Aggregate[]): Promise<Record<string, unknown>>;
  async aggregate(...args: (Aggregate | Readonly<Record<string, Expression>>)[]): Promise<Record<string, unknown>> {
    this.#assertNotCombined('aggregate');
    const entries: [string, Expression][] = [];
    for (const arg of args) {
      if (arg instanceof Expression) {
        const alias = arg instanceof Aggregate ? arg.defaultAlias : undefined;
        if (!alias) throw new TypeError('Complex aggregates require an alias: pass aggregate({ name: ... }).');
        entries.push([alias, arg]);
      } else {
        for (const [name, expression] of Object.entries(arg)) {
          if (!(expression instanceof Expression)) throw new TypeError(`aggregate(): '${name}' is not an aggregate expression; got ${describeValue(expression)}.`);
          entries.push([name, expression]);
        }
      }
    }
    if (!entries.length) return {};
    if (this.query.isEmpty) {
      return Object.fromEntries(entries.map(([name, e]) => [name, e instanceof Aggregate ? (e.default ?? e.emptyResult) : null]));
    }
    const prepared = prepareAggregate(this.query.clone(), entries);
    return this.#read(async (connection, alias) => {
      const compiled = compilerFor(connection).compileAggregate(prepared.query, prepared.items, prepared.wrapped);
      const row = await connection.fetchOne(compiled);
      const map = objectMapper<Record<string, unknown>>(compiled.sql, compiled.columns, connection.features);
      return row ? map(row as unknown[], alias) : {};
    });
  }

  /** Rows in either QuerySet (SQL UNION); `{ all: true }` keeps duplicates. */
  union(...others: (QuerySet<M, R> | { all?: boolean })[]): this {
    return this.#combine('UNION', others);
  }

  intersection(...others: QuerySet<M, R>[]): this {
    return this.#combine('INTERSECT', others);
  }

  difference(...others: QuerySet<M, R>[]): this {
    return this.#combine('EXCEPT', others);
  }

  #combine(kind: Combinator, args: readonly (QuerySet<M, R> | { all?: boolean })[]): this {
    const others = args.filter((a): a is QuerySet<M, R> => a instanceof QuerySet);
    const all = args.some((a) => !(a instanceof QuerySet) && a.all);
    const queries = [this, ...others].filter((qs) => !qs.query.isEmpty).map((qs) => qs.query);
    return this.#chain((query) => {
      if (!queries.length) {
        query.isEmpty = true;
        return;
      }
      const fresh = new Query(this.model as never, query.features);
      fresh.valuesSelect = query.valuesSelect;
      Object.assign(query, fresh, { combinator: { kind, all, queries } });
      query.valuesSelect = this.query.valuesSelect;
    });
  }

  // --- evaluation --------------------------------------------------------------------

  /**
   * Fills the result cache with rows loaded elsewhere (prefetchRelated), so
   * evaluating this QuerySet runs no query. Internal to the ORM.
   */
  _fillCache(rows: R[]): this {
    this.#result = rows;
    return this;
  }

  /** Takes over another QuerySet's query (related managers start from a filtered one). Internal to the ORM. */
  _adopt(other: QuerySet<any, any>): this {
    this.#query = other.query;
    this.#pristine = false;
    return this;
  }

  /** Whether this QuerySet has been evaluated (its rows are cached). */
  get isEvaluated(): boolean {
    return this.#result !== undefined;
  }

  then<T1 = R[], T2 = never>(
    onfulfilled?: ((value: R[]) => T1 | PromiseLike<T1>) | null,
    onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
  ): Promise<T1 | T2> {
    return this.#fetchAll().then(onfulfilled, onrejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<R> {
    yield* await this.#fetchAll();
  }

  #fetchAll(): Promise<R[]> {
    if (this.#result) return Promise.resolve(this.#result);
    if (this.query.isEmpty) return Promise.resolve((this.#result = []));
    const alias = this.db;
    const connection = connections.get(alias);
    if (this.query.selectForUpdate && connection.features.supportsSelectForUpdate && !connection.inAtomicBlock()) {
      // As Django: a row lock outside a transaction would end with the statement, so it is refused.
      return Promise.reject(
        new TransactionManagementError(
          `selectForUpdate() on ${this.model._meta.objectName} was used outside a transaction: the lock would be released at once. ` +
            'Run the query and the writes it protects inside await atomic(async () => { … }).',
        ),
      );
    }
    const rows = readWithFallback(alias, this.#db === undefined, this.model, this.#hints, (db) => this.#select(connections.get(db), db));
    return rows instanceof Promise ? rows : Promise.resolve(rows);
  }

  /** Runs the SELECT on one connection and turns its rows into results (then prefetches). */
  #select(connection: DatabaseWrapper, db: string): R[] | Promise<R[]> {
    const compiled = compilerFor(connection).compileSelect(this.query);
    const map = this.#mapper(compiled, connection);
    const rows = connection.fetchAll(compiled);
    const finish = (raw: unknown[][]): R[] | Promise<R[]> => {
      const out = new Array<R>(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = map(raw[i]!, db);
      if (this.#kind.type === 'model') this.#markPeers(out as unknown as ModelBase[]);
      if (!this.#isManager) this.#result = out;
      if (!this.#prefetch.length || !out.length) return out;
      return prefetchRelatedObjects(out as unknown as ModelBase[], ...this.#prefetch).then(() => out);
    };
    return rows instanceof Promise ? rows.then(finish) : finish(rows);
  }

  #mapper(compiled: CompiledSelect, connection: DatabaseWrapper): RowMapper<R> {
    const features = connection.features;
    const kind = this.#kind;
    if (kind.type === 'values') return objectMapper(compiled.sql, compiled.columns, features);
    if (kind.type === 'valuesList') {
      if (kind.flat) return flatMapper(compiled.columns[0]!, features);
      if (kind.named) return objectMapper(compiled.sql, compiled.columns, features);
      return arrayMapper(compiled.sql, compiled.columns, features);
    }
    return modelRowMapper<R>(this.model, this.query, compiled, features);
  }

  /** Instances of one query know each other, so a lazy load can serve them all (FETCH_PEERS). */
  #markPeers(rows: ModelBase[]): void {
    const mode = this.#fetchMode;
    if (rows.length < 2 && !mode) return;
    for (const row of rows) {
      row._state.peers = rows;
      row._state.fetchMode = mode;
    }
  }

  /**
   * How instances from this QuerySet load relations and deferred fields they
   * did not load: FETCH_PEERS (default: for every row of the query at once),
   * FETCH_ONE (one row at a time) or RAISE (refuse).
   */
  fetchMode(mode: FetchMode): this {
    const checked = checkFetchMode(mode);
    const copy = this.#clone();
    copy.#fetchMode = checked;
    return copy;
  }

  /**
   * Loads relations of the fetched rows with one extra query per level (batched
   * `IN`), for to-many and to-one relations: `prefetchRelated('books__authors',
   * new Prefetch('reviews', { queryset: Review.objects.orderBy('-date') }))`.
   * `prefetchRelated(null)` clears the list.
   */
  prefetchRelated(...lookups: (PrefetchLookup | null)[]): this {
    this.#assertModelRows('prefetchRelated');
    const copy = this.#clone();
    copy.#prefetch = lookups.length === 1 && lookups[0] === null ? [] : [...this.#prefetch, ...(lookups as PrefetchLookup[])];
    return copy;
  }

  /**
   * Loads these to-one relations in the same query, with JOINs:
   * `selectRelated('publisher', 'customer__profile')`; with no argument, every
   * non-null ForeignKey (as Django). `selectRelated(null)` clears the list.
   * ```ts
   * for (const book of await Book.objects.selectRelated('publisher')) book.publisher.name; // one query
   * ```
   */
  selectRelated(...fields: (string | null)[]): this {
    this.#assertModelRows('selectRelated');
    return this.#chain((query) => {
      if (fields.length === 1 && fields[0] === null) {
        query.relatedSelections = [];
        return;
      }
      query.setSelectRelated(fields.length ? (fields as string[]) : true);
    });
  }

  /**
   * Streams rows `chunkSize` at a time with bounded memory; results are not cached.
   * ```ts
   * for await (const book of Book.objects.iterator({ chunkSize: 500 })) { … }
   * ```
   */
  async *iterator(options: { chunkSize?: number } = {}): AsyncGenerator<R> {
    const chunkSize = options.chunkSize ?? 2000;
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new FieldError('iterator({ chunkSize }) takes a positive integer.');
    if (this.query.isEmpty) return;
    // No fallback here: rows may already have been yielded when a connection fails.
    const db = this.db;
    const connection = connections.get(db);
    const compiled = compilerFor(connection).compileSelect(this.query);
    const map = this.#mapper(compiled, connection);
    for await (const row of connection.iterate(compiled, chunkSize)) yield map(row, db);
  }

  /** Number of rows (SELECT COUNT(*)), or the cached result's length. */
  async count(): Promise<number> {
    if (this.#result) return this.#result.length;
    if (this.query.isEmpty) return 0;
    const row = await this.#read((connection) => connection.fetchOne(compilerFor(connection).compileCount(this.query)));
    return Number(row?.[0] ?? 0);
  }

  /** Whether any row matches (SELECT 1 … LIMIT 1). */
  async exists(): Promise<boolean> {
    if (this.#result) return this.#result.length > 0;
    if (this.query.isEmpty) return false;
    return (await this.#read((connection) => connection.fetchOne(compilerFor(connection).compileExists(this.query)))) !== undefined;
  }

  /** Whether `obj` is among the rows. */
  async contains(obj: Model): Promise<boolean> {
    if (!(obj instanceof this.model)) throw new TypeError(`contains() expects a ${this.model.name} instance.`);
    if (obj.pk === null || obj.pk === undefined) throw new FieldError('contains() cannot be used on an unsaved object.');
    if (this.#result) return (this.#result as unknown as Model[]).some((r) => r.equals(obj));
    return this.filter({ pk: obj.pk }).exists();
  }

  /**
   * The single row matching; throws `Model.DoesNotExist` or
   * `Model.MultipleObjectsReturned`.
   * ```ts
   * const book = await Book.objects.get({ isbn: '9780000000001' });
   * ```
   */
  async get(...conditions: FilterArg[]): Promise<R> {
    if (this.#pristine && this.#kind.type === 'model' && conditions.length === 1) {
      const rows = this.#fetchByKey(conditions[0]!);
      if (rows) return this.#single(await rows);
    }
    if (this.#kind.type === 'model' && this.query.combinator) throw new FieldError('get() is not supported on combined queries; filter first.');
    let qs = conditions.length ? this.filter(...conditions) : this.#clone();
    if (!qs.query.isSliced) {
      qs = qs.#chain((query) => {
        query.ordering = [];
        query.noOrdering = true;
        query.setLimits(undefined, MAX_GET_RESULTS);
      });
    }
    return this.#single(await qs.#fetchAll());
  }

  #single(rows: readonly R[]): R {
    if (rows.length === 1) return rows[0]!;
    const name = this.model._meta.objectName;
    if (!rows.length) throw new this.model.DoesNotExist(`${name} matching query does not exist.`);
    const count = rows.length === MAX_GET_RESULTS ? `more than ${MAX_GET_RESULTS - 1}` : String(rows.length);
    throw new (this.model.MultipleObjectsReturned as typeof BaseMultiple)(`get() returned more than one ${name} -- it returned ${count}!`);
  }

  /**
   * `Model.objects.get({ pk })` and gets by another unique field skip building
   * and compiling a query: the SQL and row mapper are planned once per model,
   * field and connection. Returns undefined when the call is not of that shape,
   * and the general path handles it (and its errors).
   */
  #fetchByKey(condition: FilterArg): R[] | Promise<R[]> | undefined {
    if (condition instanceof QNode) return undefined;
    let name: string | undefined;
    for (const key in condition) {
      if (name !== undefined) return undefined;
      name = key;
    }
    if (name === undefined) return undefined;
    const value = condition[name];
    if (value === null || value === undefined || typeof value === 'object' || typeof value === 'function') return undefined;
    const meta = this.model._meta;
    const field = name === 'pk' ? meta.pk : meta.findField(name);
    if (!field || !field.unique || field.isRelation || (name !== 'pk' && name !== field.name)) return undefined;
    const alias = this.db;
    let param;
    try {
      param = field.toDb(field.getPrepValue(value), connections.get(alias).features);
    } catch {
      return undefined;
    }
    return readWithFallback<R[]>(alias, this.#db === undefined, this.model, this.#hints, (db) => {
      const connection = connections.get(db);
      const plan = keyPlan(this.model, field, connection, MAX_GET_RESULTS);
      const rows = connection.fetchAll({ sql: plan.sql, params: [param] });
      const map = plan.map as RowMapper<R>;
      const finish = (raw: unknown[][]): R[] => raw.map((row) => map(row, db));
      return rows instanceof Promise ? rows.then(finish) : finish(rows);
    });
  }

  /** The first row by the current ordering (or by pk), or undefined. */
  async first(): Promise<R | undefined> {
    const qs = this.#orderedForEnds();
    const rows = await (qs.query.isSliced ? qs : qs.slice(0, 1));
    return rows[0];
  }

  /** The last row by the current ordering (or by pk), or undefined. */
  async last(): Promise<R | undefined> {
    const qs = this.#orderedForEnds().reverse();
    const rows = await (qs.query.isSliced ? qs : qs.slice(0, 1));
    return rows[0];
  }

  #orderedForEnds(): this {
    if (this.query.effectiveOrdering().length || this.query.combinator) return this.#clone();
    return this.orderBy('pk');
  }

  /** The row with the greatest value of `fields` (or the model's getLatestBy). */
  async latest(...fields: string[]): Promise<R> {
    return this.#byLatest(fields, true);
  }

  /** The row with the smallest value of `fields` (or the model's getLatestBy). */
  async earliest(...fields: string[]): Promise<R> {
    return this.#byLatest(fields, false);
  }

  async #byLatest(fields: string[], latest: boolean): Promise<R> {
    this.#assertNotSliced('take latest() or earliest() of');
    const order = fields.length ? fields : [...this.model._meta.getLatestBy];
    if (!order.length) {
      throw new FieldError(`earliest() and latest() need field names, or getLatestBy in ${this.model._meta.objectName}'s options.`);
    }
    const terms = latest ? order.map((f) => (f.startsWith('-') ? f.slice(1) : `-${f}`)) : order;
    return this.orderBy(...terms).slice(0, 1).get();
  }

  /** Objects by primary key (or `fieldName`, which must be unique), as a Map. */
  async inBulk(ids?: readonly unknown[], options: { fieldName?: string } = {}): Promise<Map<unknown, R>> {
    this.#assertModelRows('inBulk');
    this.#assertNotSliced('use inBulk() on');
    const fieldName = options.fieldName ?? 'pk';
    const field = this.model._meta.getField(fieldName);
    if (fieldName !== 'pk' && !field.unique && !this.model._meta.uniqueTogether.some((u) => u.length === 1 && u[0] === fieldName)) {
      throw new FieldError(`inBulk()'s fieldName must be a unique field; ${this.model._meta.objectName}.${fieldName} is not.`);
    }
    if (ids && !ids.length) return new Map();
    const qs = ids ? this.filter({ [`${fieldName}__in`]: ids }) : this.#clone();
    const rows = (await qs) as unknown as Record<string, unknown>[];
    return new Map(rows.map((row) => [row[field.attname], row as R]));
  }

  // --- writing -------------------------------------------------------------------------

  /** Creates and saves one object; returns it with its primary key set. */
  async create(init: Record<string, unknown> & Partial<M> = {}): Promise<M> {
    const obj = new (this.model as unknown as new (init: Record<string, unknown>) => Model)(init);
    await obj.save({ forceInsert: true, using: this.#writeAlias() });
    return obj as M;
  }

  /**
   * Gets the object matching `lookups`, or creates it with `defaults` added.
   * Returns `[object, created]`. Safe against a concurrent create by catching
   * the unique violation and reading again, as Django does.
   */
  async getOrCreate(lookups: Lookups, defaults: Record<string, unknown> = {}): Promise<[M, boolean]> {
    // As Django: the read that decides goes to the database the create would write to.
    if (!this.#forWrite) return this.#forWriting().getOrCreate(lookups, defaults);
    try {
      return [(await this.get(lookups)) as unknown as M, false];
    } catch (error) {
      if (!(error instanceof this.model.DoesNotExist)) throw error;
    }
    const init = { ...plainLookups(lookups), ...resolveCallables(defaults) };
    try {
      const created = await atomic(() => this.create(init as never), { using: this.db });
      return [created, true];
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      try {
        return [(await this.get(lookups)) as unknown as M, false];
      } catch {
        throw error;
      }
    }
  }

  /**
   * Updates the object matching `lookups` with `defaults`, or creates it with
   * `createDefaults` (default: `defaults`). Returns `[object, created]`.
   */
  async updateOrCreate(
    lookups: Lookups,
    defaults: Record<string, unknown> = {},
    createDefaults?: Record<string, unknown>,
  ): Promise<[M, boolean]> {
    if (!this.#forWrite) return this.#forWriting().updateOrCreate(lookups, defaults, createDefaults);
    return atomic(
      async () => {
        let obj: Model;
        try {
          obj = (await this.selectForUpdate().get(lookups)) as unknown as Model;
        } catch (error) {
          if (!(error instanceof this.model.DoesNotExist)) throw error;
          return this.getOrCreate(lookups, createDefaults ?? defaults);
        }
        const values = resolveCallables(defaults);
        const meta = this.model._meta;
        for (const [key, value] of Object.entries(values)) {
          const field = meta.getField(key);
          (obj as unknown as Record<string, unknown>)[field instanceof ForeignKey && key === field.attname ? field.attname : key] = value;
        }
        const updateFields = Object.keys(values).map((key) => meta.getField(key).name);
        const autoNow = meta.fields.filter((f) => (f as { autoNow?: boolean }).autoNow).map((f) => f.name);
        await obj.save({ using: this.db, updateFields: updateFields.length ? [...new Set([...updateFields, ...autoNow])] : undefined });
        return [obj as unknown as M, false] as [M, boolean];
      },
      { using: this.db },
    );
  }

  /** A copy routed as a write. */
  #forWriting(): this {
    const copy = this.#clone();
    copy.#pristine = this.#pristine;
    copy.#forWrite = true;
    return copy;
  }

  /**
   * UPDATE every matching row; returns the number of rows changed. Sends no
   * signals and calls no save(), as in Django. Values may be `F()` expressions.
   * ```ts
   * await Product.objects.filter({ sku__startswith: 'X' }).update({ price: F('price').mul(2) })
   * ```
   */
  async update(values: Record<string, unknown>): Promise<number> {
    this.#assertNotSliced('update');
    if (this.query.combinator) throw new FieldError('update() is not supported on combined queries.');
    const query = this.query.clone();
    const assignments = updateAssignments(query, values);
    if (!assignments.length) throw new FieldError('update() needs at least one field to set.');
    if (query.isEmpty) return 0;
    const connection = connections.get(this.#writeAlias());
    const result = await connection.execute(compilerFor(connection).compileUpdate(query, assignments));
    this.#result = undefined;
    if (result.rowCount !== 0 && hasModelWriteListeners()) await noteModelWrite(this.model, connection.alias, 'update');
    return result.rowCount;
  }

  /**
   * Deletes every matching row and what CASCADE reaches, sending preDelete and
   * postDelete; returns `[total, { 'app.Model': count }]` like Django.
   */
  async delete(): Promise<[number, Record<string, number>]> {
    this.#assertModelRows('delete');
    this.#assertNotSliced('delete');
    if (this.query.distinct) throw new FieldError('Cannot call delete() after distinct().');
    if (this.query.combinator) throw new FieldError('delete() is not supported on combined queries.');
    const alias = this.#writeAlias();
    // The rows to delete are read from the database they are deleted from.
    const target = this.#db === alias ? this : this.using(alias);
    const collector = new Collector(alias, this);
    const result = await atomic(async () => {
      await collector.collectQuerySet(target as unknown as QuerySet<Model, Model>);
      return collector.delete();
    }, { using: alias, savepoint: false });
    this.#result = undefined;
    return result;
  }

  /**
   * Inserts many objects in few statements and returns them, primary keys set (SQLite
   * and other databases with RETURNING). Fills autoNow/autoNowAdd and defaults; calls no
   * save() and sends no signals. Runs in one transaction, or in the caller's.
   * ```ts
   * await Book.objects.bulkCreate(books, { batchSize: 100 });
   * // INSERT INTO "catalog_book" ("title", …) VALUES (?, …), (?, …), … RETURNING "id"   (per 100)
   * await Tag.objects.bulkCreate(tags, { updateConflicts: true, uniqueFields: ['slug'], updateFields: ['label'] });
   * // … ON CONFLICT("slug") DO UPDATE SET "label" = EXCLUDED."label" RETURNING "id"
   * ```
   * With `ignoreConflicts` colliding rows are skipped and no primary keys are set.
   * Throws BulkOptionsError for contradictory options.
   */
  async bulkCreate(objs: readonly M[], options: BulkCreateOptions = {}): Promise<M[]> {
    return bulkCreate(this.model, this.#writeAlias(), objs as readonly Model[], options) as Promise<M[]>;
  }

  /**
   * Writes `fields` of saved objects with one UPDATE per batch; returns the rows matched.
   * Calls no save() and sends no signals; autoNow fields are not touched.
   * ```ts
   * await Book.objects.bulkUpdate(books, ['price']);
   * // UPDATE "catalog_book" SET "price" = CASE WHEN "catalog_book"."id" = ? THEN ? … ELSE NULL END
   * //   WHERE "catalog_book"."id" IN (?, …)
   * ```
   */
  async bulkUpdate(objs: readonly M[], fields: readonly (keyof M & string)[] | readonly string[], options: BulkUpdateOptions = {}): Promise<number> {
    return bulkUpdate(this.model, this.#writeAlias(), objs as readonly Model[], fields, options);
  }

  /**
   * Instances from SQL you write, with the values as parameters (never interpolate
   * them into the text). Lazy, like a QuerySet; the filters of this QuerySet do not
   * apply. See {@link RawQuerySet}.
   * ```ts
   * await Book.objects.raw('SELECT * FROM catalog_book WHERE title = ?', [title]);
   * ```
   */
  raw(sql: string, params: readonly unknown[] = [], options: RawQueryOptions = {}): RawQuerySet<M> {
    return new RawQuerySet<M>(this.model, sql, params, { ...options, using: options.using ?? this.#db });
  }

  /** Runs INSERTs for unsaved instances; used by save() and bulk operations. */
  async _insert(objs: readonly Model[], fields: readonly Field[], returning: readonly Field[]): Promise<void> {
    await insertInstances(connections.get(this.#writeAlias()), this.model, objs, fields, returning);
  }

  // --- dates --------------------------------------------------------------------------

  /** Distinct dates truncated to `kind`, as `DateOnly` values. */
  async dates(field: string, kind: 'year' | 'month' | 'week' | 'day', order: 'ASC' | 'DESC' = 'ASC'): Promise<DateOnly[]> {
    const f = this.model._meta.getField(field);
    if (!(f instanceof DateField) && !(f instanceof DateTimeField)) throw new FieldError(`dates() needs a DateField or DateTimeField; ${f.label} is ${f.internalType}.`);
    if (!['year', 'month', 'week', 'day'].includes(kind)) throw new FieldError("dates() kind must be 'year', 'month', 'week' or 'day'.");
    const values = await this.#truncated(field, kind, order, f instanceof DateTimeField);
    return values.map((v) => DateOnly.fromISO(String(v).slice(0, 10)));
  }

  /** Distinct datetimes truncated to `kind`, as `Date` values in UTC. */
  async datetimes(field: string, kind: 'year' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second', order: 'ASC' | 'DESC' = 'ASC'): Promise<Date[]> {
    const f = this.model._meta.getField(field);
    if (!(f instanceof DateTimeField)) throw new FieldError(`datetimes() needs a DateTimeField; ${f.label} is ${f.internalType}.`);
    const values = await this.#truncated(field, kind, order, true);
    return values.map((v) => new Date(String(v)));
  }

  async #truncated(field: string, kind: string, order: 'ASC' | 'DESC', isDateTime: boolean): Promise<unknown[]> {
    const query = truncatedDatesQuery(this.query, field, kind, order, isDateTime ? getCurrentTimeZone() : null);
    const rows = await this.#read((connection) => connection.fetchAll(compilerFor(connection).compileSelect(query)));
    return rows.map((r) => r[0]);
  }

  /** The database's query plan for this QuerySet, as text. */
  async explain(): Promise<string> {
    const connection = connections.get(this.db);
    const compiled = compilerFor(connection).compileSelect(this.query);
    const prefix = connection.vendor === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
    const rows = await connection.fetchAll({ sql: prefix + compiled.sql, params: compiled.params });
    return rows.map((r) => (connection.vendor === 'sqlite' ? `${r[0]} ${r[1]} ${r[2]} ${r[3]}` : String(r[0]))).join('\n');
  }

  /** The SQL and parameters this QuerySet would send (for debugging and docs). */
  toSQL(): { sql: string; params: readonly unknown[] } {
    const compiled = compilerFor(connections.get(this.db)).compileSelect(this.query);
    return { sql: compiled.sql, params: compiled.params };
  }
}


function resolveCallables(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'function' && !(v instanceof ModelBase) ? (v as () => unknown)() : v]));
}

/** The lookups of getOrCreate() that name plain fields (`title`, not `title__iexact`). */
function plainLookups(lookups: Lookups): Record<string, unknown> {
  return Object.fromEntries(Object.entries(lookups).filter(([key]) => !key.includes('__')));
}

setRootQuerySetFactory((model, spec?: ManagerSpec) => {
  if (!spec) return new QuerySet(model);
  if (spec.prototype instanceof QuerySet || spec === QuerySet) {
    return new (spec as unknown as new (model: ModelCtor) => QuerySet<never>)(model);
  }
  return (spec as unknown as (qs: QuerySet<never>) => QuerySet<never>)(new QuerySet(model));
});

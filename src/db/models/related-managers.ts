/**
 * Managers for the "many" side of relations: `publisher.books` (reverse
 * ForeignKey) and `book.authors` / `author.books` (many-to-many).
 *
 * A related manager is a QuerySet of the related model, already filtered to
 * the instance, built on that model's own QuerySet class (so custom methods
 * work), plus add/remove/set/clear/create. When the relation was prefetched,
 * evaluating the manager itself returns the prefetched rows without a query;
 * refining it (filter, orderBy…) queries as usual, as in Django.
 */
import { FieldError } from '../../core/exceptions.ts';
import { atomic } from '../transaction.ts';
import { CrossDatabaseRelationError, router } from '../routers.ts';
import type { ModelBase } from './base.ts';
import { ModelStateError } from './errors.ts';
import type { ManyToManyField } from './fields/many-to-many.ts';
import type { ForeignKey } from './fields/related.ts';
import type { QuerySet } from './query-set.ts';
import { m2mChanged } from './signals.ts';
import { clearPrefetched, prefetchCache } from './prefetch-cache.ts';
import { fetchRelated } from './fetch-modes.ts';
import { detectorActive } from './n-plus-one.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

/** Model instances or their primary keys. */
export type RelatedRef = ModelBase | string | number;

/**
 * `book.authors` / `author.books`: a QuerySet of the related model scoped to the
 * instance, plus methods that change the join table.
 */
export interface ManyRelatedManager<M> extends QuerySet<M> {
  add(...objs: (M | RelatedRef | { throughDefaults?: Record<string, unknown> })[]): Promise<void>;
  remove(...objs: (M | RelatedRef)[]): Promise<void>;
  clear(): Promise<void>;
  set(objs: readonly (M | RelatedRef)[], options?: { clear?: boolean; throughDefaults?: Record<string, unknown> }): Promise<void>;
  create(init?: Record<string, unknown> & Partial<M>, options?: { throughDefaults?: Record<string, unknown> }): Promise<M>;
}

/**
 * `publisher.books`: the rows whose ForeignKey points at the instance, plus
 * methods that re-point them. Declare it on the model for typing:
 * `interface Publisher { books: RelatedManager<Book> }`.
 */
export interface RelatedManager<M> extends QuerySet<M> {
  add(...objs: (M | { bulk?: boolean })[]): Promise<void>;
  remove(...objs: (M | { bulk?: boolean })[]): Promise<void>;
  clear(options?: { bulk?: boolean }): Promise<void>;
  set(objs: readonly M[], options?: { bulk?: boolean; clear?: boolean }): Promise<void>;
  create(init?: Record<string, unknown> & Partial<M>): Promise<M>;
}

function defaultQuerySetClass(model: ModelCtor): new (model: ModelCtor, options?: { using?: string }) => QuerySet<any> {
  return (model.objects as QuerySet<any>).constructor as new (model: ModelCtor, options?: { using?: string }) => QuerySet<any>;
}

function requireSaved(instance: Instance, what: string): void {
  if (instance.pk === null || instance.pk === undefined) {
    const name = (instance.constructor as ModelCtor)._meta.objectName;
    throw new ModelStateError(`${name} instance needs a primary key value before ${what} can be used; save it first.`);
  }
}

/** Where a related manager writes `model`'s rows: the routers' choice for the instance, else its database (Django). */
function writeDbOf(model: ModelCtor, instance: Instance): string {
  return router.dbForWrite(model, { instance });
}

/** Refuses to relate objects the routers keep apart (Django's allow_relation check). */
function checkRelation(instance: Instance, obj: ModelBase, what: string): void {
  if (instance._state.db === null || obj._state.db === null) return;
  if (!router.allowRelation(obj, instance)) throw new CrossDatabaseRelationError(what, instance, obj);
}

type QuerySetClass = new (model: ModelCtor, options?: { using?: string }) => QuerySet<any>;

const scopedClasses = new WeakMap<Function, Function>();

/**
 * What every related manager shares: the instance it belongs to, the prefetch
 * cache it reads, and the lazy load that awaiting it performs.
 */
function scopedQuerySet(Base: QuerySetClass) {
  const cached = scopedClasses.get(Base);
  if (cached) return cached as ReturnType<typeof makeScoped>;
  const made = makeScoped(Base);
  scopedClasses.set(Base, made);
  return made;
}

function makeScoped(Base: QuerySetClass) {
  return class ScopedQuerySet extends Base {
    #owner: Instance | undefined;
    #accessor = '';
    /** Where user code took the manager, for the N+1 report (awaiting loses the caller's stack). */
    #origin: Error | undefined;

    /**
     * Drops the rows cached on the owner for this relation; add/remove/set/clear/create
     * call it because they make those rows stale (Django's _remove_prefetched_objects). Internal.
     */
    _forgetPrefetched(): void {
      if (this.#owner) clearPrefetched(this.#owner, this.#accessor);
    }

    /** Becomes `scoped` (the model's QuerySet filtered to `owner`), serving prefetched rows when there are. */
    scopeTo(owner: Instance, accessor: string, scoped: QuerySet<any>): void {
      this.#owner = owner;
      this.#accessor = accessor;
      this.#origin = detectorActive() ? new Error() : undefined;
      this._adopt(scoped);
      const rows = prefetchCache(owner)?.get(accessor);
      if (rows) this._fillCache(rows as never[]);
    }

    /**
     * `book.authors.all()`: a copy that still belongs to the object, so it serves
     * prefetched rows and lazy-loads through the fetch mode, as Django's does.
     */
    override all(): this {
      const copy = super.all();
      if (this.#owner) {
        copy.#owner = this.#owner;
        copy.#accessor = this.#accessor;
        copy.#origin = this.#origin;
        const rows = prefetchCache(this.#owner)?.get(this.#accessor);
        if (rows) copy._fillCache(rows as never[]);
      }
      return copy;
    }

    /** The related rows as the database has them now, past any cache (for add/remove/set/clear). */
    freshRows(): Promise<Instance[]> {
      return super.all().then((rows) => rows as Instance[]);
    }

    /** The object this manager belongs to (Django's `manager.instance`). */
    get instance(): ModelBase | undefined {
      return this.#owner;
    }

    /** Awaiting the manager itself is a lazy load: the fetch mode decides (FETCH_PEERS loads all peers at once). */
    override then<T1 = any[], T2 = never>(
      onfulfilled?: ((value: any[]) => T1 | PromiseLike<T1>) | null,
      onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null,
    ): Promise<T1 | T2> {
      if (!this.#owner || this.isEvaluated) return super.then(onfulfilled, onrejected);
      return lazyLoad(this, this.#owner, this.#accessor, this.#origin).then(onfulfilled, onrejected);
    }
  };
}

const reverseClasses = new WeakMap<Function, Function>();
const manyClasses = new WeakMap<Function, Function>();

/** The manager of `publisher.books`: rows of the ForeignKey's model pointing at `instance`. */
export function reverseManyToOneManager(instance: Instance, fk: ForeignKey, accessor: string): QuerySet<any> {
  const model = (fk.model as unknown as ModelCtor);
  const Base = defaultQuerySetClass(model);
  let Manager = reverseClasses.get(Base) as (new (model: ModelCtor, options?: { using?: string }) => ReverseManager) | undefined;
  if (!Manager) {
    Manager = makeReverseManager(Base) as never;
    reverseClasses.set(Base, Manager!);
  }
  // Reads are routed with the instance as hint: without a router, they go to its database.
  const manager = new Manager!(model);
  (manager as unknown as QuerySet<any>)._addHints({ instance });
  manager._relate(instance, fk, accessor);
  return manager as unknown as QuerySet<any>;
}

interface ReverseManager {
  _relate(instance: Instance, fk: ForeignKey, accessor: string): void;
}

function makeReverseManager(Base: QuerySetClass) {
  return class RelatedManager extends scopedQuerySet(Base) {
    #instance: Instance | undefined;
    #fk: ForeignKey | undefined;

    _relate(instance: Instance, fk: ForeignKey, accessor: string): this {
      this.#instance = instance;
      this.#fk = fk;
      this.scopeTo(instance, accessor, this.filter({ [fk.name]: instance[fk.targetField.attname] }));
      return this;
    }

    #bound(method: string): { instance: Instance; fk: ForeignKey } {
      if (!this.#instance || !this.#fk) {
        throw new FieldError(`${method}() is available on the related manager itself (e.g. publisher.books.${method}(…)), not on a QuerySet derived from it.`);
      }
      this._forgetPrefetched();
      return { instance: this.#instance, fk: this.#fk };
    }

    /** Creates a related object pointing at the instance. */
    override async create(init: Record<string, unknown> = {}): Promise<any> {
      const { instance, fk } = this.#bound('create');
      requireSaved(instance, 'this relationship');
      return super.create({ ...init, [fk.name]: instance });
    }

    /** Points `objs` at the instance: one UPDATE (bulk) or a save() each. */
    async add(...args: (ModelBase | { bulk?: boolean })[]): Promise<void> {
      const { instance, fk } = this.#bound('add');
      const { objs, bulk } = splitOptions(args);
      requireSaved(instance, 'this relationship');
      const model = fk.model as unknown as ModelCtor;
      for (const obj of objs) {
        if (!(obj instanceof model)) throw new TypeError(`'${model._meta.objectName}' instance expected, got ${String(obj)}.`);
        checkRelation(instance, obj, `add ${String(obj)} to the related objects of ${String(instance)}`);
      }
      const key = instance[fk.targetField.attname];
      const db = writeDbOf(model, instance);
      await atomic(async () => {
        if (bulk) {
          const unsaved = objs.filter((o) => o._state.adding);
          if (unsaved.length) throw new ModelStateError(`${String(unsaved[0])} instance isn't saved. Use add(obj, { bulk: false }) or save the object first.`);
          await model.objects.using(db).filter({ pk__in: objs.map((o) => o.pk) }).update({ [fk.name]: key });
          for (const obj of objs) setRelated(obj as Instance, fk, instance);
        } else {
          for (const obj of objs) {
            setRelated(obj as Instance, fk, instance);
            await obj.save();
          }
        }
      }, { using: db, savepoint: false });
    }

    /** Detaches `objs` (sets their key to NULL); only for nullable ForeignKeys, as in Django. */
    async remove(...args: (ModelBase | { bulk?: boolean })[]): Promise<void> {
      const { instance, fk } = this.#bound('remove');
      const { objs, bulk } = splitOptions(args);
      this.#requireNullable('remove');
      const key = instance[fk.targetField.attname];
      for (const obj of objs) {
        if ((obj as Instance)[fk.attname] !== key) throw new ModelStateError(`${String(obj)} is not related to ${String(instance)}.`);
      }
      await this.#detach(objs as Instance[], bulk);
    }

    /** Detaches every related object; only for nullable ForeignKeys. */
    async clear(options: { bulk?: boolean } = {}): Promise<void> {
      this.#bound('clear');
      this.#requireNullable('clear');
      const objs = await this.freshRows();
      await this.#detach(objs, options.bulk ?? true);
    }

    /** Makes `objs` exactly the related set: removes the others (nullable keys) and adds the new. */
    async set(objs: readonly ModelBase[], options: { bulk?: boolean; clear?: boolean } = {}): Promise<void> {
      const { instance, fk } = this.#bound('set');
      const bulk = options.bulk ?? true;
      await atomic(async () => {
        if (options.clear) {
          await this.clear({ bulk });
          await this.add(...objs, { bulk });
          return;
        }
        const current = await this.freshRows();
        const wanted = new Set(objs.map((o) => o.pk));
        const stale = current.filter((o) => !wanted.has(o.pk));
        if (stale.length) {
          this.#requireNullable('set');
          await this.#detach(stale, bulk);
        }
        const have = new Set(current.map((o) => o.pk));
        const fresh = objs.filter((o) => !have.has(o.pk) || o._state.adding);
        if (fresh.length) await this.add(...fresh, { bulk });
      }, { using: writeDbOf(fk.model as unknown as ModelCtor, instance), savepoint: false });
      void fk;
    }

    #requireNullable(method: string): void {
      const fk = this.#fk!;
      if (!fk.null) {
        throw new FieldError(
          `${method}() needs ${fk.label} to be nullable (null: true); delete the related objects instead, or make the key nullable.`,
        );
      }
    }

    async #detach(objs: Instance[], bulk: boolean): Promise<void> {
      const fk = this.#fk!;
      const model = fk.model as unknown as ModelCtor;
      const db = writeDbOf(model, this.#instance!);
      if (!objs.length) return;
      await atomic(async () => {
        if (bulk) await model.objects.using(db).filter({ pk__in: objs.map((o) => o.pk) }).update({ [fk.name]: null });
        else for (const obj of objs) {
          obj[fk.attname] = null;
          await obj.save({ updateFields: [fk.name] });
        }
      }, { using: db, savepoint: false });
      for (const obj of objs) setRelated(obj, fk, null);
    }
  };
}

/** Loads the manager's rows through the fetch mode and keeps them as its result. */
async function lazyLoad(manager: QuerySet<any>, instance: Instance, accessor: string, origin: Error | undefined): Promise<any[]> {
  const rows = (await fetchRelated(instance, accessor, origin)) as any[];
  manager._fillCache(rows);
  return rows;
}

function setRelated(obj: Instance, fk: ForeignKey, target: Instance | null): void {
  obj[fk.attname] = target ? target[fk.targetField.attname] : null;
  obj._state.fieldsCache ??= {};
  obj._state.fieldsCache[fk.name] = target;
}

function splitOptions<T>(args: readonly (T | { bulk?: boolean })[]): { objs: T[]; bulk: boolean } {
  const last = args.at(-1);
  const hasOptions = last !== undefined && typeof last === 'object' && last !== null && !('_state' in last);
  const options = (hasOptions ? last : {}) as { bulk?: boolean };
  return { objs: (hasOptions ? args.slice(0, -1) : args) as T[], bulk: options.bulk ?? true };
}

/**
 * The manager of `book.authors` (reverse = false) or `author.books` (reverse = true):
 * rows of the other model joined to `instance` through the join table.
 */
export function manyRelatedManager(instance: Instance, field: ManyToManyField, reverse: boolean, accessor: string): QuerySet<any> {
  const model = (reverse ? field.model : field.remoteModel) as unknown as ModelCtor;
  const Base = defaultQuerySetClass(model);
  let Manager = manyClasses.get(Base) as (new (model: ModelCtor, options?: { using?: string }) => ManyManager) | undefined;
  if (!Manager) {
    Manager = makeManyManager(Base) as never;
    manyClasses.set(Base, Manager!);
  }
  const manager = new Manager!(model);
  (manager as unknown as QuerySet<any>)._addHints({ instance });
  manager._relate(instance, field, reverse, accessor);
  return manager as unknown as QuerySet<any>;
}

interface ManyManager {
  _relate(instance: Instance, field: ManyToManyField, reverse: boolean, accessor: string): void;
}

function makeManyManager(Base: QuerySetClass) {
  return class ManyRelatedManager extends scopedQuerySet(Base) {
    #instance: Instance | undefined;
    #field: ManyToManyField | undefined;
    #reverse = false;

    _relate(instance: Instance, field: ManyToManyField, reverse: boolean, accessor: string): this {
      this.#instance = instance;
      this.#field = field;
      this.#reverse = reverse;
      this.scopeTo(instance, accessor, this.filter({ [reverse ? field.name : field.relatedQueryName]: instance.pk }));
      return this;
    }

    #bound(method: string): { instance: Instance; field: ManyToManyField } {
      if (!this.#instance || !this.#field) {
        throw new FieldError(`${method}() is available on the related manager itself (e.g. book.authors.${method}(…)), not on a QuerySet derived from it.`);
      }
      requireSaved(this.#instance, 'this many-to-many relationship');
      this._forgetPrefetched();
      return { instance: this.#instance, field: this.#field };
    }

    /** The join model's keys: to this side (near) and to the other side (far). */
    #keys() {
      const field = this.#field!;
      return this.#reverse ? { near: field.targetFkey, far: field.sourceFkey } : { near: field.sourceFkey, far: field.targetFkey };
    }

    #through(): ModelCtor {
      return this.#field!.throughModel as unknown as ModelCtor;
    }

    #ids(objs: readonly RelatedRef[], what: string): unknown[] {
      const other = this.model;
      return objs.map((obj) => {
        if (obj instanceof other) {
          if (obj.pk === null || obj.pk === undefined) throw new ModelStateError(`Cannot ${what} "${String(obj)}": the object has no primary key; save it first.`);
          if (what === 'add') checkRelation(this.#instance!, obj, `add "${String(obj)}" to ${String(this.#instance)}`);
          return obj.pk;
        }
        if (typeof obj === 'object') throw new TypeError(`'${other._meta.objectName}' instance or primary key expected, got ${String(obj)}.`);
        return obj;
      });
    }

    async #send(action: Parameters<typeof m2mChanged.send>[1]['action'], pkSet: Set<unknown> | null): Promise<void> {
      const through = this.#through();
      if (!m2mChanged.hasListeners(through)) return;
      await m2mChanged.send(through, {
        action,
        instance: this.#instance,
        reverse: this.#reverse,
        model: this.model as never,
        pkSet,
        using: writeDbOf(through, this.#instance!),
      });
    }

    /** Adds rows to the join table for objs not already related; `throughDefaults` fills extra columns. */
    async add(...args: (RelatedRef | { throughDefaults?: Record<string, unknown> })[]): Promise<void> {
      const { instance } = this.#bound('add');
      const last = args.at(-1);
      const hasOptions = typeof last === 'object' && last !== null && !('_state' in last);
      const options = (hasOptions ? last : {}) as { throughDefaults?: Record<string, unknown> };
      const objs = (hasOptions ? args.slice(0, -1) : args) as RelatedRef[];
      const ids = this.#ids(objs, 'add');
      const db = writeDbOf(this.#through(), instance);
      await atomic(async () => {
        await this.#addIds(ids, options.throughDefaults ?? {}, db);
        if (this.#field!.symmetrical) await this.#mirror('add', ids, options.throughDefaults ?? {}, db);
      }, { using: db, savepoint: false });
    }

    async #addIds(ids: unknown[], defaults: Record<string, unknown>, db: string, from = this.#instance!.pk): Promise<void> {
      const { near, far } = this.#keys();
      const through = this.#through();
      const existing = new Set<unknown>(
        await through.objects.using(db).filter({ [near.attname]: from, [`${far.attname}__in`]: ids }).valuesList<unknown>(far.attname, { flat: true }),
      );
      const missing = [...new Set(ids)].filter((id) => !existing.has(id));
      const isMain = from === this.#instance!.pk;
      if (isMain) await this.#send('pre_add', new Set(missing));
      for (const id of missing) {
        const row = new (through as unknown as new (init: Record<string, unknown>) => ModelBase)({ ...defaults, [near.attname]: from, [far.attname]: id });
        await row.save({ using: db, forceInsert: true });
      }
      if (isMain) await this.#send('post_add', new Set(missing));
    }

    /** A self relation that is symmetrical keeps the mirror rows in step. */
    async #mirror(action: 'add' | 'remove', ids: unknown[], defaults: Record<string, unknown>, db: string): Promise<void> {
      const { near, far } = this.#keys();
      const through = this.#through();
      const me = this.#instance!.pk;
      for (const id of ids) {
        if (id === me) continue;
        if (action === 'add') {
          const exists = await through.objects.using(db).filter({ [near.attname]: id, [far.attname]: me }).exists();
          if (!exists) {
            const row = new (through as unknown as new (init: Record<string, unknown>) => ModelBase)({ ...defaults, [near.attname]: id, [far.attname]: me });
            await row.save({ using: db, forceInsert: true });
          }
        } else {
          await through.objects.using(db).filter({ [near.attname]: id, [far.attname]: me }).delete();
        }
      }
    }

    /** Removes join rows to objs (the objects themselves stay). */
    async remove(...objs: RelatedRef[]): Promise<void> {
      const { instance } = this.#bound('remove');
      const ids = this.#ids(objs, 'remove');
      const { near, far } = this.#keys();
      const db = writeDbOf(this.#through(), instance);
      await atomic(async () => {
        await this.#send('pre_remove', new Set(ids));
        await this.#through().objects.using(db).filter({ [near.attname]: instance.pk, [`${far.attname}__in`]: ids }).delete();
        if (this.#field!.symmetrical) await this.#mirror('remove', ids, {}, db);
        await this.#send('post_remove', new Set(ids));
      }, { using: db, savepoint: false });
    }

    /** Removes every join row of the instance. */
    async clear(): Promise<void> {
      const { instance } = this.#bound('clear');
      const { near, far } = this.#keys();
      const db = writeDbOf(this.#through(), instance);
      await atomic(async () => {
        await this.#send('pre_clear', null);
        if (this.#field!.symmetrical) {
          const ids = await this.#through().objects.using(db).filter({ [near.attname]: instance.pk }).valuesList(far.attname, { flat: true });
          await this.#mirror('remove', [...(ids as Iterable<unknown>)], {}, db);
        }
        await this.#through().objects.using(db).filter({ [near.attname]: instance.pk }).delete();
        await this.#send('post_clear', null);
      }, { using: db, savepoint: false });
    }

    /** Makes objs exactly the related set (remove the others, add the new); `clear: true` clears first. */
    async set(objs: readonly RelatedRef[], options: { clear?: boolean; throughDefaults?: Record<string, unknown> } = {}): Promise<void> {
      const { instance } = this.#bound('set');
      const ids = this.#ids(objs, 'set');
      const db = writeDbOf(this.#through(), instance);
      await atomic(async () => {
        if (options.clear) {
          await this.clear();
          await this.add(...ids as RelatedRef[], { throughDefaults: options.throughDefaults });
          return;
        }
        const { near, far } = this.#keys();
        const current = await this.#through().objects.using(db).filter({ [near.attname]: instance.pk }).valuesList(far.attname, { flat: true });
        const wanted = new Set(ids);
        const stale = (current as unknown[]).filter((id) => !wanted.has(id));
        if (stale.length) await this.remove(...(stale as RelatedRef[]));
        const have = new Set(current as unknown[]);
        const fresh = ids.filter((id) => !have.has(id));
        if (fresh.length) await this.add(...(fresh as RelatedRef[]), { throughDefaults: options.throughDefaults });
      }, { using: db, savepoint: false });
    }

    /** Creates an object of the other model and relates it. */
    override async create(init: Record<string, unknown> = {}, options: { throughDefaults?: Record<string, unknown> } = {}): Promise<any> {
      const { instance } = this.#bound('create');
      const db = writeDbOf(this.#through(), instance);
      return atomic(async () => {
        const obj = await this.model.objects.using(db).create(init);
        await this.add(obj as ModelBase, { throughDefaults: options.throughDefaults });
        return obj;
      }, { using: db, savepoint: false });
    }
  };
}

/**
 * Model classes: `class Book extends Model<Book>()({ ...fields }, { ...options }) {}`.
 *
 * `Model<Self>()` returns a base class built from the field definitions, whose
 * instance type has one property per field (and `publisherId` beside each
 * relation). The `Self` parameter lets `Book.objects` return `Book` instances
 * with their custom methods. Metadata (`Book._meta`) is built on first use, so
 * models may refer to each other in any order.
 */
import { MODEL_MARKER, MODEL_ORDER, apps } from '../../conf/apps.ts';
import { MultipleObjectsReturned, ObjectDoesNotExist, ValidationError, NON_FIELD_ERRORS } from '../../core/exceptions.ts';
import { Field } from './fields/field.ts';
import { AutoField, BigAutoField } from './fields/numeric.ts';
import { CASCADE, ForeignKey, OneToOneField, setModelReferenceResolver, type RelatedModel } from './fields/related.ts';
import { ManyToManyField, setManyToManyReferenceResolver, setThroughModelFactory } from './fields/many-to-many.ts';
import { manyRelatedManager, reverseManyToOneManager, type ManyRelatedManager } from './related-managers.ts';
import { ModelNotInAppError, ModelStateError, RelationNotLoadedError } from './errors.ts';
import { Options, registerConcreteModel, type ModelMetaOptions } from './options.ts';
import { MissingRelated, ModelState } from './state.ts';
import type { QuerySet } from './query-set.ts';
import { modelPersistence } from './persistence.ts';
import { fetchRelated } from './fetch-modes.ts';
import { classPrepared } from './signals.ts';
import { CrossDatabaseRelationError, router } from '../routers.ts';

export type FieldMap = Readonly<Record<string, object>>;

type ValueOf<F> = F extends ManyToManyField<infer M>
  ? ManyRelatedManager<M>
  : F extends Field<infer T, infer N>
    ? N extends true
      ? T | null
      : T
    : never;
type KeyOf<M> = M extends { pk: infer P } ? (unknown extends P ? number : P) : number;
type RelationIds<F> = {
  -readonly [K in keyof F as F[K] extends ForeignKey<any, any> ? `${K & string}Id` : never]: F[K] extends ForeignKey<
    infer M,
    infer N
  >
    ? N extends true
      ? KeyOf<M> | null
      : KeyOf<M>
    : never;
};
type ImplicitPk<F> = { [K in keyof F]: F[K] extends { primaryKey: true } ? K : never }[keyof F] extends never
  ? 'id' extends keyof F
    ? {}
    : { id: number }
  : {};

/** The data properties an instance of a model with fields `F` has. */
export type FieldValues<F> = { -readonly [K in keyof F]: ValueOf<F[K]> } & RelationIds<F> & ImplicitPk<F>;

/** What `new Book({...})` and `Book.objects.create({...})` accept (many-to-many sets are added after saving). */
export type ModelInit<F> = Partial<Omit<FieldValues<F>, { [K in keyof F]: F[K] extends ManyToManyField<any> ? K : never }[keyof F]>>;

/** Managers declared in the options: a QuerySet subclass, or a function narrowing the default one. */
export type ManagerSpec = (abstract new (...args: any[]) => QuerySet<any>) | ((qs: QuerySet<any>) => QuerySet<any>);

export interface ModelOptions extends ModelMetaOptions {
  managers?: Readonly<Record<string, ManagerSpec>>;
}

type ManagerType<Self, S> = S extends abstract new (...args: any[]) => infer Q
  ? Q
  : S extends (qs: QuerySet<any>) => QuerySet<any>
    ? QuerySet<Self>
    : never;

/** The static side of a model class. */
export interface ModelStatics<Self> {
  readonly _meta: Options;
  readonly DoesNotExist: typeof ObjectDoesNotExist;
  readonly MultipleObjectsReturned: typeof MultipleObjectsReturned;
  readonly abstract: boolean;
  readonly [MODEL_MARKER]: true;
  /** Builds an instance from database values without running defaults or signals. */
  fromDb(values: Record<string, unknown>, db?: string): Self;
}

/** A model class whose base is `P` (ModelBase, or an abstract model) and whose own fields are `F`. */
export type ModelClass<Self, F, P extends AbstractModelClass = typeof ModelBase> = {
  new (init?: ModelInit<F> & ModelInit<FieldsOf<P>>): InstanceType<P> & FieldValues<F>;
  readonly fields: F & FieldsOf<P>;
  /** The default QuerySet; override with `static override objects = MyQuerySet.asManager(this)`. */
  readonly objects: QuerySet<Self>;
} & ModelStatics<Self> & OwnStaticsOf<P>;

/** Statics an abstract parent declares beyond the ORM's own (AbstractUser's USERNAME_FIELD); they are inherited. */
type OwnStaticsOf<P> = Omit<P, keyof typeof ModelBase | 'fields'>;

type AbstractModelClass = abstract new (...args: any[]) => ModelBase;
type FieldsOf<P> = P extends { readonly fields: infer PF } ? PF : {};

/** Any model class, for APIs that accept every model. */
export type AnyModelClass = typeof ModelBase & { readonly _meta: Options };

interface Definition {
  readonly fields: FieldMap;
  readonly options: ModelOptions;
  readonly parent: Definition | undefined;
}

const definitions = new WeakMap<Function, Definition>();
/** How many model classes have been defined: each one's MODEL_ORDER. */
let modelsDefined = 0;
const metas = new WeakMap<Function, Options>();
const doesNotExist = new WeakMap<Function, typeof ObjectDoesNotExist>();
const multipleReturned = new WeakMap<Function, typeof MultipleObjectsReturned>();

function findDefinition(cls: Function): Definition | undefined {
  for (let c: Function | null = cls; c && c !== ModelBase; c = Object.getPrototypeOf(c)) {
    const def = definitions.get(c);
    if (def) return def;
  }
  return undefined;
}

function collectFields(def: Definition): [string, Field][] {
  const inherited = def.parent ? collectFields(def.parent) : [];
  const own = Object.entries(def.fields) as [string, Field][];
  const names = new Set(own.map(([name]) => name));
  return [...inherited.filter(([name]) => !names.has(name)), ...own];
}

function collectOptions(def: Definition): ModelOptions {
  const parent = def.parent ? collectOptions(def.parent) : {};
  // Like Django's abstract Meta inheritance: ordering and friends carry over, abstract does not.
  return { ...parent, abstract: false, dbTable: undefined, ...def.options };
}

function buildMeta(cls: typeof ModelBase): Options {
  const def = findDefinition(cls);
  if (!def) throw new ModelStateError(`${cls.name} is not a model class: define it with Model<${cls.name}>()({ ...fields }).`);
  const options = collectOptions(def);
  // Historical models (migrations) live in a registry of their own, never in the project's.
  const registry = options.apps ?? apps;
  const appLabel = options.appLabel ?? registry.appLabelOf(cls);
  if (!appLabel) throw new ModelNotInAppError(cls.name);
  const entries = collectFields(def).map(([name, field]) => [name, field.clone()] as [string, Field]);
  if (!entries.some(([, f]) => f.primaryKey)) {
    const auto = registry.findAppConfig(appLabel)?.defaultAutoField ?? apps.findAppConfig(appLabel)?.defaultAutoField === 'AutoField' ? new AutoField() : new BigAutoField();
    entries.unshift(['id', auto]);
  }
  for (const [name, field] of entries) field.contributeToClass(cls as unknown as RelatedModel, name);
  const built = new Options(cls as never, appLabel, entries.map(([, f]) => f), options);
  metas.set(cls, built);
  if (!built.abstract) {
    // A swapped-out model (auth.User under a custom AUTH_USER_MODEL) takes no part in relations.
    if (!built.swapped) registerConcreteModel(cls as never, options.apps);
    if (!registry.appLabelOf(cls)) registry.register(appLabel, cls);
    pendingRelations.push(...entries.map(([, f]) => f).filter((f) => f instanceof ForeignKey || f instanceof ManyToManyField));
    // Reverse accessors (publisher.books) exist once every model of the project has its metadata.
    for (const model of registry.getModels() as unknown as (typeof ModelBase)[]) {
      if (!metas.has(model) && findDefinition(model)) void model._meta;
    }
    installPendingRelations();
  }
  // Django sends class_prepared when a model class is ready; here that is when its metadata is built.
  // Receivers run in order; a failing one surfaces as an unhandled rejection, never silently.
  if (classPrepared.hasListeners(cls)) void classPrepared.send(cls);
  return built;
}

/** The error class of one model (`Book.DoesNotExist`), made once and named after it, as Django's are. */
function perModelError<E extends Function>(model: Function, cache: WeakMap<Function, E>, Base: E, suffix: string): E {
  let cls = cache.get(model);
  if (!cls) {
    cls = class extends (Base as unknown as new (message: string) => Error) {} as unknown as E;
    Object.defineProperty(cls, 'name', { value: `${model.name}.${suffix}` });
    cache.set(model, cls);
  }
  return cls;
}

/** Values given to the constructor take the field's type at once, so `book.price` is always a Decimal. */
function convertInit(field: Field, value: unknown): unknown {
  if (value === null || value === undefined || typeof value === 'object' && 'resolve' in (value as object)) return value;
  try {
    return field.toPython(value);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError({ [field.name]: error });
    throw error;
  }
}

/**
 * The base of every model instance. Define models with `Model<Self>()(fields,
 * options)`; this class holds the instance API (save, delete, validation).
 */
export class ModelBase {
  declare _state: ModelState;
  /** The default QuerySet of the model (installed per model class by `Model()`). */
  declare static readonly objects: QuerySet<any>;

  static readonly [MODEL_MARKER] = true as const;

  /** True for abstract models, which have no table and exist to be inherited. */
  static get abstract(): boolean {
    return Boolean(definitions.get(Object.getPrototypeOf(this))?.options.abstract);
  }

  static get _meta(): Options {
    return metas.get(this) ?? buildMeta(this);
  }

  /** `Book.DoesNotExist`: raised by get() when nothing matches; a subclass of ObjectDoesNotExist per model. */
  static get DoesNotExist(): typeof ObjectDoesNotExist {
    return perModelError(this, doesNotExist, ObjectDoesNotExist, 'DoesNotExist');
  }

  /** `Book.MultipleObjectsReturned`: raised by get() when several rows match. */
  static get MultipleObjectsReturned(): typeof MultipleObjectsReturned {
    return perModelError(this, multipleReturned, MultipleObjectsReturned, 'MultipleObjectsReturned');
  }

  static fromDb(this: typeof ModelBase, values: Record<string, unknown>, db = 'default'): ModelBase {
    const instance = Object.create(this.prototype) as ModelBase;
    instance._state = new ModelState(db, false);
    Object.assign(instance, values);
    return instance;
  }

  constructor(init: Record<string, unknown> = {}) {
    const cls = this.constructor as typeof ModelBase;
    const meta = cls._meta;
    this._state = new ModelState(null, true);
    const self = this as unknown as Record<string, unknown>;
    for (const field of meta.fields) {
      if (field instanceof ForeignKey) {
        if (field.name in init) {
          self[field.name] = init[field.name];
          continue;
        }
        self[field.attname] = field.attname in init ? init[field.attname] : field.getDefault();
        continue;
      }
      if (field.name in init) self[field.attname] = convertInit(field, init[field.name]);
      else if (field.hasDbDefault() || field.isAuto) self[field.attname] = null;
      else self[field.attname] = field.getDefault();
    }
    for (const key of Object.keys(init)) {
      if (!meta.findField(key) && !(key in self)) {
        const known = meta.fields.map((f) => f.name).join(', ');
        throw new TypeError(`${cls.name}() got an unexpected field '${key}'. Fields are: ${known}.`);
      }
    }
  }

  /** The primary key's value, whatever the field is called. */
  get pk(): unknown {
    const meta = (this.constructor as typeof ModelBase)._meta;
    return (this as unknown as Record<string, unknown>)[meta.pk.attname];
  }

  set pk(value: unknown) {
    const meta = (this.constructor as typeof ModelBase)._meta;
    (this as unknown as Record<string, unknown>)[meta.pk.attname] = value;
  }

  /** Same model and same primary key (Django's `==` on instances). */
  equals(other: unknown): boolean {
    if (!(other instanceof ModelBase) || (other.constructor as typeof ModelBase)._meta !== (this.constructor as typeof ModelBase)._meta) return false;
    return this.pk !== null && this.pk !== undefined && this.pk === other.pk;
  }

  /**
   * Inserts or updates the row. With a primary key set, tries UPDATE first and
   * INSERTs when no row matched (Django's algorithm); `updateFields` limits the
   * UPDATE to those columns. Sends preSave/postSave.
   */
  async save(options: SaveOptions = {}): Promise<void> {
    await modelPersistence.save(this, options);
  }

  /** Deletes the row and what CASCADE reaches; returns Django's `[total, { 'app.Model': n }]`. */
  async delete(options: { using?: string; keepParents?: boolean } = {}): Promise<[number, Record<string, number>]> {
    if (this.pk === null || this.pk === undefined) {
      const name = (this.constructor as typeof ModelBase)._meta.objectName;
      throw new ModelStateError(`${name} object can't be deleted because its id attribute is set to null.`);
    }
    return modelPersistence.delete(this, options);
  }

  /** Reloads field values from the database (all, or `fields`). */
  async refreshFromDb(options: { fields?: readonly string[]; using?: string } = {}): Promise<void> {
    await modelPersistence.refresh(this, options);
  }

  /**
   * Loads a relation (or a deferred field) the query did not load and returns it.
   * Under the default FETCH_PEERS mode it is loaded for every object of the same
   * query at once, so calling it in a loop costs one query in all.
   */
  async fetchRelated(name: string): Promise<unknown> {
    return fetchRelated(this, name);
  }

  /** Django's `get_FOO_display()`: the label of a choice field's current value. */
  getDisplay(field: string): string {
    const meta = (this.constructor as typeof ModelBase)._meta;
    return meta.getField(field).displayFor((this as unknown as Record<string, unknown>)[meta.getField(field).attname]);
  }

  /** Hook for model-wide validation; throw ValidationError. Called by fullClean(). */
  clean(): void | Promise<void> {}

  /**
   * Validates every field, then `clean()`, then uniqueness and constraints
   * (which query the database). Throws one ValidationError with all messages by field.
   */
  fullClean(options: FullCleanOptions = {}): Promise<void> {
    // Without a query or an async clean() to wait for, the steps run synchronously: an
    // import validating a million rows pays no await per row.
    try {
      return fullCleanSteps(this, options) ?? Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Cleans each field's value in place; throws a ValidationError keyed by field. */
  cleanFields(exclude: readonly string[] | ReadonlySet<string> = []): void {
    const skip: ReadonlySet<string> = exclude instanceof Set ? exclude : new Set(exclude);
    const meta = (this.constructor as typeof ModelBase)._meta;
    const self = this as unknown as Record<string, unknown>;
    const errors: Record<string, ValidationError> = {};
    for (const field of meta.fields) {
      if (skip.has(field.name)) continue;
      const raw = self[field.attname];
      // Blank values in blank-allowed fields are not validated, as in Django.
      if (field.blank && field.isEmpty(raw)) continue;
      if (field.isAuto && (raw === null || raw === undefined)) continue;
      try {
        self[field.attname] = field instanceof ForeignKey ? (field.clean(raw), raw) : field.clean(raw);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors[field.name] = error;
      }
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  }

  /** Plain field values by name, for JSON and logging; relations appear as their keys. */
  toJSON(): Record<string, unknown> {
    const meta = (this.constructor as typeof ModelBase)._meta;
    const self = this as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of meta.fields) if (field.attname in self) out[field.attname] = self[field.attname];
    return out;
  }

  toString(): string {
    return `${(this.constructor as typeof ModelBase)._meta.objectName} object (${String(this.pk)})`;
  }
}

/** Options of `fullClean()`: fields to skip, and whether to run the checks that query. */
export interface FullCleanOptions {
  exclude?: readonly string[];
  validateUnique?: boolean;
  validateConstraints?: boolean;
}

/** fullClean()'s messages by field, gathered across its steps. */
type CleanErrors = Record<string, ValidationError[]>;

function addCleanError(errors: CleanErrors, name: string, error: ValidationError): void {
  const dict = error.errorDict;
  if (dict) for (const [key, messages] of Object.entries(dict)) (errors[key] ??= []).push(new ValidationError(messages.map((m) => m.message)));
  else (errors[name] ??= []).push(error);
}

function throwCleanErrors(errors: CleanErrors): undefined {
  for (const _ in errors) throw new ValidationError(errors);
  return undefined;
}

/** fullClean()'s steps; a promise only when one of them must wait. */
function fullCleanSteps(instance: ModelBase, options: FullCleanOptions): Promise<void> | undefined {
  const exclude = new Set(options.exclude ?? []);
  const errors: CleanErrors = {};
  try {
    instance.cleanFields(exclude);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    addCleanError(errors, NON_FIELD_ERRORS, error);
    for (const name of Object.keys(error.errorDict ?? {})) exclude.add(name);
  }
  const meta = (instance.constructor as typeof ModelBase)._meta;
  // Django's ForeignKey.validate queries the related row, so it runs here, not in cleanFields().
  const checksRelated = meta.fields.some((field) => field instanceof ForeignKey && !exclude.has(field.name));
  if (checksRelated || (options.validateUnique ?? true) || (options.validateConstraints ?? true)) {
    return cleanWithQueries(instance, options, exclude, errors, checksRelated);
  }
  let cleaning: void | Promise<void> = undefined;
  try {
    cleaning = instance.clean();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    addCleanError(errors, NON_FIELD_ERRORS, error);
  }
  if (!cleaning) return throwCleanErrors(errors);
  return cleaning.then(
    () => throwCleanErrors(errors),
    (error: unknown) => {
      if (!(error instanceof ValidationError)) throw error;
      addCleanError(errors, NON_FIELD_ERRORS, error);
      throwCleanErrors(errors);
    },
  );
}

async function cleanWithQueries(instance: ModelBase, options: FullCleanOptions, exclude: Set<string>, errors: CleanErrors, checksRelated: boolean): Promise<void> {
  if (checksRelated) {
    for (const [name, error] of await modelPersistence.relatedErrors(instance, exclude)) {
      addCleanError(errors, name, error);
      exclude.add(name);
    }
  }
  try {
    await instance.clean();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    addCleanError(errors, NON_FIELD_ERRORS, error);
  }
  if (options.validateUnique ?? true) {
    for (const [name, error] of await modelPersistence.uniqueErrors(instance, exclude)) addCleanError(errors, name, error);
  }
  if (options.validateConstraints ?? true) {
    for (const [name, error] of await modelPersistence.constraintErrors(instance, exclude)) addCleanError(errors, name, error);
  }
  throwCleanErrors(errors);
}

export interface SaveOptions {
  using?: string;
  updateFields?: readonly string[];
  forceInsert?: boolean;
  forceUpdate?: boolean;
  /**
   * Save the values exactly as given (Django's `raw`, used when loading fixtures): no
   * autoNow/autoNowAdd, no file upload, and preSave/postSave receivers get `raw: true`.
   */
  raw?: boolean;
}

function relationField(obj: ModelBase, name: string): ForeignKey {
  return (obj.constructor as typeof ModelBase)._meta.getField(name) as ForeignKey;
}

/**
 * As Django's forward descriptor: an object not yet tied to a database takes the one the
 * routers give for writing it next to the other, and two objects the routers keep on
 * separate databases cannot be related.
 */
function checkAssignedRelation(instance: ModelBase, value: ModelBase, where: string): void {
  if (instance._state.db === null) instance._state.db = router.dbForWrite(instance.constructor as typeof ModelBase, { instance: value });
  if (value._state.db === null) value._state.db = router.dbForWrite(value.constructor as typeof ModelBase, { instance });
  if (!router.allowRelation(value, instance)) throw new CrossDatabaseRelationError(`assign ${String(value)} to ${where}`, instance, value);
}

/** `book.publisher`: the cached related object, or an error naming the fix; never a hidden query. */
function defineRelationAccessor(proto: object, name: string): void {
  Object.defineProperty(proto, name, {
    configurable: true,
    enumerable: false,
    get(this: ModelBase & Record<string, unknown>) {
      const field = relationField(this, name);
      const cache = this._state.fieldsCache;
      const key = this[field.attname];
      if (cache && name in cache) {
        const cached = cache[name] as (ModelBase & Record<string, unknown>) | null;
        // A changed key makes the cached object stale.
        if (cached instanceof MissingRelated) {
          if (cached.key === key) return null;
        } else if (cached === null ? key === null || key === undefined : cached[field.targetField.attname] === key) return cached;
      }
      if (key === null || key === undefined) return null;
      throw new RelationNotLoadedError((this.constructor as typeof ModelBase)._meta.objectName, name);
    },
    set(this: ModelBase & Record<string, unknown>, value: unknown) {
      const field = relationField(this, name);
      const model = (this.constructor as typeof ModelBase)._meta.objectName;
      if (value !== null && value !== undefined && !(value instanceof ModelBase)) {
        throw new TypeError(`${model}.${name} must be a model instance or null; to set the key, assign ${model}.${field.attname}.`);
      }
      const remote = field.remoteModel as unknown as typeof ModelBase;
      if (value instanceof ModelBase && !(value instanceof remote)) {
        throw new TypeError(`${model}.${name} must be a ${remote._meta.objectName} instance; got ${(value as object).constructor.name}.`);
      }
      if (value instanceof ModelBase) checkAssignedRelation(this, value, `${model}.${name}`);
      this._state.fieldsCache ??= {};
      this._state.fieldsCache[name] = value ?? null;
      this[field.attname] = value ? (value as unknown as Record<string, unknown>)[field.targetField.attname] : null;
    },
  });
}

/**
 * Defines a model base class from its fields and options.
 *
 * ```ts
 * export class Book extends Model<Book>()({
 *   title: new CharField({ maxLength: 200 }),
 *   price: new DecimalField({ maxDigits: 8, decimalPlaces: 2 }),
 * }, { ordering: ['title'] }) {
 *   isExpensive() { return this.price.gt(100); }
 * }
 * ```
 * Pass an abstract model to inherit its fields, options and methods:
 * `Model<Novel, typeof Book>(Book)({ ... })` (the second type argument carries its types).
 */
export function Model<Self = unknown, P extends AbstractModelClass = typeof ModelBase>(parent?: P) {
  return function define<const F extends FieldMap>(fields: F, options?: ModelOptions): ModelClass<Self, F, P> {
    const Parent = (parent ?? ModelBase) as typeof ModelBase;
    const parentDefinition = parent ? findDefinition(parent) : undefined;
    if (parent && !parentDefinition?.options.abstract) {
      throw new ModelStateError(`Model(${parent.name}) can only extend an abstract model ({ abstract: true }).`);
    }
    const Base = class extends Parent {};
    definitions.set(Base, { fields, options: options ?? {}, parent: parentDefinition });
    for (const [name, field] of Object.entries(fields)) {
      if (field instanceof ForeignKey) defineRelationAccessor(Base.prototype, name);
      if (field instanceof ManyToManyField) defineManyToManyAccessor(Base.prototype, name);
      if (!(field instanceof Field)) {
        throw new TypeError(`Field '${name}' must be a field instance, e.g. new CharField({ maxLength: 100 }).`);
      }
    }
    for (const [name, field] of parentDefinition ? collectFields(parentDefinition) : []) {
      if (field instanceof ForeignKey && !(name in fields)) defineRelationAccessor(Base.prototype, name);
      if (field instanceof ManyToManyField && !(name in fields)) defineManyToManyAccessor(Base.prototype, name);
    }
    Object.defineProperty(Base, 'fields', { value: fields });
    Object.defineProperty(Base, MODEL_ORDER, { value: ++modelsDefined });
    installManagers(Base, { ...(parentDefinition ? collectOptions(parentDefinition).managers : {}), ...options?.managers });
    return Base as unknown as ModelClass<Self, F, P>;
  };
}

Object.defineProperty(Model, Symbol.hasInstance, { value: (value: unknown) => value instanceof ModelBase });

/** Hook set by query-set.ts so managers can be created without a circular import at load time. */
let makeRootQuerySet: (model: typeof ModelBase, spec: ManagerSpec | undefined) => QuerySet<any> = () => {
  throw new Error('The QuerySet module is not loaded; import models through nuages/db.');
};

export function setRootQuerySetFactory(factory: typeof makeRootQuerySet): void {
  makeRootQuerySet = factory;
}

function installManagers(Base: typeof ModelBase, managers: Readonly<Record<string, ManagerSpec>>): void {
  const specs: Record<string, ManagerSpec | undefined> = { objects: undefined, ...managers };
  for (const [name, spec] of Object.entries(specs)) {
    Object.defineProperty(Base, name, {
      configurable: true,
      // A fresh QuerySet per access: QuerySets cache their results, so a shared one would go stale.
      get(this: typeof ModelBase) {
        if (this.abstract) {
          throw new ModelStateError(
            `Manager '${name}' isn't available; ${this.name} is abstract. Query a concrete model that extends it, e.g. class Child extends Model<Child>(${this.name})({ ... }).`,
          );
        }
        const meta = this._meta;
        if (meta.swappable !== undefined && meta.swapped !== undefined) {
          throw new ModelStateError(
            `Manager '${name}' isn't available; '${meta.label}' has been swapped for '${meta.swapped}' (setting ${meta.swappable}). ` +
              `Query the model the setting names instead (for users: getUserModel()).`,
          );
        }
        return makeRootQuerySet(this, spec);
      },
    });
  }
}

/** `book.authors`: the many-to-many manager; assigning is refused, as in Django. */
function defineManyToManyAccessor(proto: object, name: string): void {
  Object.defineProperty(proto, name, {
    configurable: true,
    enumerable: false,
    get(this: ModelBase & Record<string, unknown>) {
      const field = (this.constructor as typeof ModelBase)._meta.getField(name) as unknown as ManyToManyField;
      return manyRelatedManager(this, field, false, name);
    },
    set() {
      throw new TypeError(`Direct assignment to the forward side of a many-to-many set is prohibited. Use ${name}.set() instead.`);
    },
  });
}

/** Relation fields whose reverse accessor waits for its target model to be defined. */
const pendingRelations: Field[] = [];

/**
 * Defines reverse accessors on related models: `publisher.books` (a manager),
 * `user.profile` (one object, when loaded) and `author.books` (many-to-many).
 */
function installPendingRelations(): void {
  for (let i = pendingRelations.length - 1; i >= 0; i--) {
    const field = pendingRelations[i]!;
    let target: typeof ModelBase;
    try {
      target = (field as ForeignKey | ManyToManyField).remoteModel as unknown as typeof ModelBase;
    } catch {
      continue; // the target class is not defined yet; retried when the next model is prepared
    }
    pendingRelations.splice(i, 1);
    const owner = field.model as unknown as typeof ModelBase;
    const ownerMeta = metas.get(owner);
    if (ownerMeta?.abstract || ownerMeta?.swapped !== undefined || isAutoThrough(owner)) continue;
    const relation = field as ForeignKey | ManyToManyField;
    const accessor = relation.relatedAccessorName;
    if (relation.relatedName?.endsWith('+')) continue;
    const existing = Object.getOwnPropertyDescriptor(target.prototype, accessor);
    // Field values live on instances, so a field of the same name would hide the accessor silently.
    const targetDefinition = findDefinition(target);
    const fieldClash = targetDefinition !== undefined && collectFields(targetDefinition).some(([fieldName]) => fieldName === accessor);
    if (fieldClash || (existing && !(existing.get as { reverseOf?: Field } | undefined)?.reverseOf)) {
      throw new ModelStateError(
        `Reverse accessor '${target.name}.${accessor}' for '${owner.name}.${field.name}' clashes with a name on ${target.name}. ` +
          `Add or change relatedName on ${owner.name}.${field.name}.`,
      );
    }
    const get = reverseGetter(relation, accessor);
    Object.assign(get, { reverseOf: field });
    Object.defineProperty(target.prototype, accessor, { configurable: true, enumerable: false, get, set: reverseSetter(relation, accessor) });
  }
}

function reverseGetter(field: ForeignKey | ManyToManyField, accessor: string): (this: ModelBase & Record<string, unknown>) => unknown {
  if (field instanceof ManyToManyField) return function (this) { return manyRelatedManager(this, field, true, accessor); };
  if (field instanceof OneToOneField) {
    return function (this) {
      const cache = this._state.fieldsCache;
      if (cache && accessor in cache) return cache[accessor];
      throw new RelationNotLoadedError((this.constructor as typeof ModelBase)._meta.objectName, accessor);
    };
  }
  return function (this) { return reverseManyToOneManager(this, field, accessor); };
}

function reverseSetter(field: ForeignKey | ManyToManyField, accessor: string): (this: ModelBase, value: unknown) => void {
  if (field instanceof OneToOneField) {
    return function (this, value) {
      (this._state.fieldsCache ??= {})[accessor] = value ?? null;
    };
  }
  return function () {
    throw new TypeError(`Direct assignment to the reverse side of a related set is prohibited. Use ${accessor}.set() instead.`);
  };
}

const autoThroughModels = new WeakSet<Function>();

function isAutoThrough(model: Function): boolean {
  return autoThroughModels.has(model);
}

/** The join model Django would create: table `<app>_<model>_<field>`, keys `<model>_id` and `<target>_id`. */
setThroughModelFactory((field) => {
  const source = field.model as unknown as typeof ModelBase;
  const target = field.remoteModel as unknown as typeof ModelBase;
  const sourceMeta = source._meta;
  const self = target === source;
  const from = self ? `from_${sourceMeta.modelName}` : sourceMeta.modelName;
  const to = self ? `to_${sourceMeta.modelName}` : target._meta.modelName;
  const table = field.m2mOptions.dbTable ?? `${sourceMeta.dbTable}_${field.column || field.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`;
  const Base = Model()(
    {
      [from]: new ForeignKey(() => source, { onDelete: CASCADE, dbColumn: `${from}_id`, relatedName: '+' }),
      [to]: new ForeignKey(() => target, { onDelete: CASCADE, dbColumn: `${to}_id`, relatedName: '+' }),
    },
    { appLabel: sourceMeta.appLabel, apps: sourceMeta.apps, dbTable: table, uniqueTogether: [[from, to]], verboseName: `${sourceMeta.objectName}-${target._meta.objectName} relationship` },
  );
  const Through = class extends (Base as unknown as typeof ModelBase) {};
  Object.defineProperty(Through, 'name', { value: `${sourceMeta.objectName}_${field.name}` });
  autoThroughModels.add(Through);
  void Through._meta;
  return Through as unknown as RelatedModel;
});

setManyToManyReferenceResolver((reference, from) => {
  const meta = (from as typeof ModelBase)._meta;
  const target = reference.includes('.') ? reference : `${meta.appLabel}.${reference}`;
  return (meta.apps ?? apps).getModel(target);
});

setModelReferenceResolver((reference, from) => {
  const meta = (from as unknown as typeof ModelBase)._meta;
  const target = reference.includes('.') ? reference : `${meta.appLabel}.${reference}`;
  return (meta.apps ?? apps).getModel(target) as unknown as RelatedModel;
});

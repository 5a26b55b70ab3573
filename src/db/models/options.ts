/**
 * A model's metadata (Django's `_meta`): its fields, table, ordering, indexes
 * and constraints, built once per model class from the definition.
 */
import { FieldDoesNotExist } from '../../core/exceptions.ts';
import type { Field } from './fields/field.ts';
import { ForeignKey } from './fields/related.ts';
import { ManyToManyField } from './fields/many-to-many.ts';
import type { Index, Constraint } from './indexes.ts';
import type { Apps } from '../../conf/apps.ts';
import { settingOr } from '../../conf/lazy-settings.ts';

export interface ModelMetaOptions {
  /** The app this model belongs to; taken from INSTALLED_APPS when the model is found there. */
  appLabel?: string;
  dbTable?: string;
  /** Default ordering, e.g. `['-publishedDate', 'title']`. */
  ordering?: readonly string[];
  indexes?: readonly Index[];
  constraints?: readonly Constraint[];
  uniqueTogether?: readonly (readonly string[])[];
  abstract?: boolean;
  verboseName?: string;
  verboseNamePlural?: string;
  /** The field `latest()` and `earliest()` use when called without one. */
  getLatestBy?: string | readonly string[];
  /** Set false for tables Nuages must not create or drop (Django's managed). */
  managed?: boolean;
  defaultRelatedName?: string;
  /**
   * The setting that may name a replacement for this model (Django's Meta.swappable), e.g.
   * `'AUTH_USER_MODEL'` on auth's User. When the setting names another model, this one is
   * swapped out: no table, no reverse relations, and its managers refuse queries.
   */
  swappable?: string;
  /** Extra permissions created for the model after `migrate`: `[['close_poll', 'Can close polls']]`. */
  permissions?: readonly (readonly [codename: string, name: string])[];
  /** The default permissions created for the model (Django's default: add, change, delete, view). */
  defaultPermissions?: readonly string[];
  /**
   * The registry the model belongs to (Django's Meta.apps). Migrations build
   * historical models in a registry of their own, so they never meet the project's.
   */
  apps?: Apps;
}

/** A reverse relation: a ForeignKey or ManyToManyField elsewhere that points at this model. */
export interface RelatedObject {
  readonly field: ForeignKey | ManyToManyField;
  readonly relatedModel: ModelLike;
}

/** The static side of a model class, as far as metadata needs it. */
export interface ModelLike {
  readonly name: string;
  readonly _meta: Options;
}

/** Django's Meta.default_permissions. */
export const DEFAULT_PERMISSIONS: readonly string[] = Object.freeze(['add', 'change', 'delete', 'view']);

const allModels = new Set<ModelLike>();
/** Models of other registries (historical models of migrations), kept apart from the project's. */
const modelGroups = new WeakMap<Apps, Set<ModelLike>>();
let modelsVersion = 0;

function groupOf(registry: Apps | undefined): Set<ModelLike> {
  if (!registry) return allModels;
  let group = modelGroups.get(registry);
  if (!group) modelGroups.set(registry, (group = new Set()));
  return group;
}

/** Every concrete model whose metadata was built; used to find reverse relations. */
export function registerConcreteModel(model: ModelLike, registry?: Apps): void {
  groupOf(registry).add(model);
  modelsVersion++;
}

/**
 * Builds the join models of every many-to-many field seen so far, so they take
 * part in reverse lookups and deletion cascades. Runs when relations are first
 * needed: by then every model class in the program is defined.
 */
export function ensureThroughModels(registry?: Apps): void {
  for (const model of [...groupOf(registry)]) {
    for (const field of model._meta.manyToMany) void field.throughModel._meta;
  }
}

/**
 * `models` without the join models Nuages created for the many-to-many fields of any of them,
 * as Django's `apps.get_models()` leaves out auto-created models unless asked for them.
 */
export function withoutAutoCreated<M extends ModelLike>(models: readonly M[]): M[] {
  const joins = new Set<unknown>(models.flatMap((model) => model._meta.autoCreatedJoinModels));
  return models.filter((model) => !joins.has(model));
}

export class Options {
  readonly model: ModelLike;
  readonly objectName: string;
  readonly modelName: string;
  readonly appLabel: string;
  readonly dbTable: string;
  readonly ordering: readonly string[];
  readonly indexes: readonly Index[];
  readonly constraints: readonly Constraint[];
  readonly uniqueTogether: readonly (readonly string[])[];
  readonly abstract: boolean;
  readonly managed: boolean;
  readonly verboseName: string;
  readonly verboseNamePlural: string;
  readonly getLatestBy: readonly string[];
  /** The setting that may swap this model out, or undefined. */
  readonly swappable: string | undefined;
  readonly permissions: readonly (readonly [string, string])[];
  readonly defaultPermissions: readonly string[];
  /** Concrete fields in definition order, primary key first if it was added. */
  readonly fields: readonly Field[];
  /** Many-to-many fields declared on this model (they have no column). */
  readonly manyToMany: readonly ManyToManyField[];
  readonly pk: Field;
  /** The registry of a historical model; undefined for the project's models. */
  readonly apps: Apps | undefined;
  readonly #byName = new Map<string, Field>();
  #related: { version: number; list: RelatedObject[] } | undefined;

  constructor(model: ModelLike, appLabel: string, allFields: readonly Field[], options: ModelMetaOptions) {
    const fields = allFields.filter((f) => f.concrete);
    this.model = model;
    this.objectName = model.name;
    this.modelName = model.name.toLowerCase();
    this.appLabel = appLabel;
    this.dbTable = options.dbTable ?? `${appLabel}_${this.modelName}`;
    this.ordering = options.ordering ?? [];
    this.indexes = options.indexes ?? [];
    this.constraints = options.constraints ?? [];
    this.uniqueTogether = options.uniqueTogether ?? [];
    this.abstract = options.abstract ?? false;
    this.managed = options.managed ?? true;
    this.verboseName = options.verboseName ?? model.name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    this.verboseNamePlural = options.verboseNamePlural ?? `${this.verboseName}s`;
    const latest = options.getLatestBy;
    this.getLatestBy = latest === undefined ? [] : typeof latest === 'string' ? [latest] : latest;
    this.swappable = options.swappable;
    this.permissions = options.permissions ?? [];
    this.defaultPermissions = options.defaultPermissions ?? DEFAULT_PERMISSIONS;
    this.fields = fields;
    this.manyToMany = allFields.filter((f): f is ManyToManyField => f instanceof ManyToManyField);
    for (const field of allFields) {
      this.#byName.set(field.name, field);
      if (field.attname !== field.name) this.#byName.set(field.attname, field);
    }
    this.pk = fields.find((f) => f.primaryKey)!;
    this.apps = options.apps;
  }

  /**
   * The 'app.Model' that replaces this model when its `swappable` setting names another
   * one (`settings.AUTH_USER_MODEL = 'accounts.Customer'` swaps auth.User out); undefined
   * while the model is in use. Read from settings on each call, as Django does.
   */
  get swapped(): string | undefined {
    if (this.swappable === undefined) return undefined;
    const target = settingOr<unknown>(this.swappable, undefined);
    if (typeof target !== 'string' || target === '') return undefined;
    const [appLabel, modelName, ...rest] = target.split('.');
    // A malformed value still swaps the model out; the auth app's check names the fix.
    if (!appLabel || !modelName || rest.length) return target;
    return `${appLabel}.${modelName.toLowerCase()}` === this.labelLower ? undefined : target;
  }

  /** `catalog.Book` */
  get label(): string {
    return `${this.appLabel}.${this.objectName}`;
  }

  /** `catalog.book` */
  get labelLower(): string {
    return `${this.appLabel}.${this.modelName}`;
  }

  /** The many-to-many fields declared without `through`, whose join model Nuages creates. */
  get autoCreatedManyToMany(): ManyToManyField[] {
    return this.manyToMany.filter((field) => field.autoCreated);
  }

  /** The join models Nuages created for this model's many-to-many fields (Django's auto-created through models). */
  get autoCreatedJoinModels(): ModelLike[] {
    return this.autoCreatedManyToMany.map((field) => field.throughModel as unknown as ModelLike);
  }

  /** A field by name or attname (`publisher` or `publisherId`); throws naming the choices. */
  getField(name: string): Field {
    const field = this.#byName.get(name === 'pk' ? this.pk.name : name);
    if (field) return field;
    throw new FieldDoesNotExist(
      `${this.objectName} has no field named '${name}'. Choices are: ${this.fieldNames().join(', ')}.`,
    );
  }

  findField(name: string): Field | undefined {
    return this.#byName.get(name === 'pk' ? this.pk.name : name);
  }

  fieldNames(): string[] {
    return [...this.fields, ...this.manyToMany].map((f) => f.name);
  }

  /** ForeignKeys and ManyToManyFields on other models (or this one) that point here. */
  get relatedObjects(): readonly RelatedObject[] {
    ensureThroughModels(this.apps);
    if (this.#related?.version === modelsVersion) return this.#related.list;
    const list: RelatedObject[] = [];
    for (const other of groupOf(this.apps)) {
      for (const field of [...other._meta.fields, ...other._meta.manyToMany]) {
        if ((field instanceof ForeignKey || field instanceof ManyToManyField) && field.remoteModel === this.model) {
          list.push({ field, relatedModel: other });
        }
      }
    }
    this.#related = { version: modelsVersion, list };
    return list;
  }

  /** The reverse relation reached by `name` in a filter path (`books` on Publisher). */
  findRelatedObject(name: string): RelatedObject | undefined {
    return this.relatedObjects.find((r) => r.field.relatedQueryName === name);
  }
}

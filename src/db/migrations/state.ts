/**
 * The project state: what the models looked like at some point in the
 * migration history, built by replaying operations.
 *
 * migrations → operations.stateForwards() → ProjectState (plain ModelStates)
 * → `state.apps`: historical model classes, rendered on demand in a registry
 * of their own (never the project's), which schema editors and RunCode use.
 */
import { Apps, apps as projectApps, type ModelClass } from '../../conf/apps.ts';
import { NuagesError } from '../../core/errors.ts';
import { Model, type ModelBase } from '../models/base.ts';
import type { Field } from '../models/fields/field.ts';
import { ForeignKey } from '../models/fields/related.ts';
import { ManyToManyField } from '../models/fields/many-to-many.ts';
import type { Constraint, Index } from '../models/indexes.ts';
import { DEFAULT_PERMISSIONS, withoutAutoCreated, type ModelMetaOptions } from '../models/options.ts';
import { makeName } from '../backends/base/schema-editor.ts';
import { stateField } from './serializer.ts';

/** A model class as migrations handle it. */
export type ModelCtor = typeof ModelBase;

/** A migration refers to a model or field the state does not have. */
export class InvalidStateError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_INVALID_STATE';
}

/** The options a migration records (Django's Meta, minus what has no place in history). */
export interface StateOptions {
  dbTable?: string;
  ordering?: readonly string[];
  indexes?: readonly Index[];
  constraints?: readonly Constraint[];
  uniqueTogether?: readonly (readonly string[])[];
  verboseName?: string;
  verboseNamePlural?: string;
  getLatestBy?: string | readonly string[];
  managed?: boolean;
  defaultRelatedName?: string;
  /** The setting that may swap the model out (auth.User's 'AUTH_USER_MODEL'). */
  swappable?: string;
  permissions?: readonly (readonly [string, string])[];
  defaultPermissions?: readonly string[];
}

/** Options AlterModelOptions changes: they never touch the database. */
export const ALTER_OPTION_KEYS = [
  'ordering', 'verboseName', 'verboseNamePlural', 'getLatestBy', 'managed', 'defaultRelatedName', 'permissions', 'defaultPermissions',
] as const;

/** One model at one point of history: its fields (in order) and options. */
export class ModelState {
  readonly appLabel: string;
  name: string;
  fields: Map<string, Field>;
  options: StateOptions;

  constructor(appLabel: string, name: string, fields: Iterable<readonly [string, Field]>, options: StateOptions = {}) {
    this.appLabel = appLabel;
    this.name = name;
    this.fields = new Map(fields);
    this.options = { ...options };
  }

  get nameLower(): string {
    return this.name.toLowerCase();
  }

  /** `catalog.book` */
  get key(): string {
    return `${this.appLabel}.${this.nameLower}`;
  }

  /** The table: the dbTable option, or `<app>_<model>`. */
  get dbTable(): string {
    return this.options.dbTable ?? `${this.appLabel}_${this.nameLower}`;
  }

  getField(name: string): Field {
    const field = this.fields.get(name);
    if (!field) {
      throw new InvalidStateError(
        `${this.appLabel}.${this.name} has no field '${name}' at this point of its migrations. ` +
          `Fields are: ${[...this.fields.keys()].join(', ')}. Check the migration's dependencies.`,
      );
    }
    return field;
  }

  clone(): ModelState {
    return new ModelState(this.appLabel, this.name, this.fields, { ...this.options });
  }

  /** The state of a model class as it is defined today. */
  static fromModel(model: ModelCtor): ModelState {
    const meta = model._meta;
    const fields: [string, Field][] = [...meta.fields, ...meta.manyToMany].map((field) => [field.name, stateField(field)]);
    const options: StateOptions = {};
    if (meta.dbTable !== `${meta.appLabel}_${meta.modelName}`) options.dbTable = meta.dbTable;
    if (meta.ordering.length) options.ordering = [...meta.ordering];
    if (meta.uniqueTogether.length) options.uniqueTogether = meta.uniqueTogether.map((names) => [...names]);
    // An index without a name gets the one the schema editor gives it, so a later migration can remove it.
    if (meta.indexes.length) {
      options.indexes = meta.indexes.map((index) =>
        index.name
          ? index
          : index.withName(makeName(meta.dbTable, index.fields.map((f) => meta.getField(f.replace(/^-/, '')).column), 'idx')),
      );
    }
    if (meta.constraints.length) options.constraints = [...meta.constraints];
    const defaultVerbose = meta.objectName.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    if (meta.verboseName !== defaultVerbose) options.verboseName = meta.verboseName;
    if (meta.verboseNamePlural !== `${meta.verboseName}s`) options.verboseNamePlural = meta.verboseNamePlural;
    if (meta.getLatestBy.length) options.getLatestBy = meta.getLatestBy.length === 1 ? meta.getLatestBy[0]! : [...meta.getLatestBy];
    if (!meta.managed) options.managed = false;
    if (meta.swappable !== undefined) options.swappable = meta.swappable;
    if (meta.permissions.length) options.permissions = meta.permissions.map(([codename, name]) => [codename, name] as const);
    if (meta.defaultPermissions !== DEFAULT_PERMISSIONS) options.defaultPermissions = [...meta.defaultPermissions];
    return new ModelState(meta.appLabel, meta.objectName, fields, options);
  }

  /** A model class built from this state, registered in `registry` only. */
  render(registry: Apps): ModelCtor {
    const fields = Object.fromEntries([...this.fields].map(([name, field]) => [name, field.clone()]));
    const options: ModelMetaOptions = { ...this.options, appLabel: this.appLabel, apps: registry };
    const Base = Model()(fields, options) as unknown as ModelCtor;
    const Historical = class extends Base {};
    Object.defineProperty(Historical, 'name', { value: this.name });
    registry.register(this.appLabel, Historical as unknown as ModelClass);
    return Historical;
  }
}

/**
 * The historical models of one state: `apps.getModel('catalog', 'Book')` in a
 * RunCode function is the Book of that point of history, not today's class.
 */
export class StateApps extends Apps {
  /** A historical model class by 'app.Model' or (app, model). */
  model(appLabelOrRef: string, modelName?: string): ModelCtor {
    return this.getModel(appLabelOrRef, modelName) as unknown as ModelCtor;
  }
}

/** Every model of the project at one point of its migration history. */
export class ProjectState {
  readonly models: Map<string, ModelState>;
  /** Apps whose migrations this state includes, for cross-app references. */
  readonly realApps: Set<string>;
  #apps: StateApps | undefined;

  constructor(models: Iterable<ModelState> = [], realApps: Iterable<string> = []) {
    this.models = new Map([...models].map((m) => [m.key, m]));
    this.realApps = new Set(realApps);
  }

  /** The state of today's models (every installed model, or those given). */
  static fromApps(models: readonly ModelCtor[] = projectApps.getModels() as unknown as ModelCtor[]): ProjectState {
    // Join models Nuages creates for many-to-many fields are part of their field, not models of their own.
    const concrete = withoutAutoCreated(models.filter((model) => !model._meta.abstract));
    return new ProjectState(concrete.map((model) => ModelState.fromModel(model)));
  }

  clone(): ProjectState {
    return new ProjectState([...this.models.values()].map((m) => m.clone()), this.realApps);
  }

  /** The model state by app and (case-insensitive) name. */
  getModel(appLabel: string, name: string): ModelState {
    const state = this.models.get(`${appLabel}.${name.toLowerCase()}`);
    if (!state) {
      throw new InvalidStateError(
        `The migrations of '${appLabel}' have no model '${name}' at this point. ` +
          `Check that the migration creating it is listed in the dependencies.`,
      );
    }
    return state;
  }

  findModel(appLabel: string, name: string): ModelState | undefined {
    return this.models.get(`${appLabel}.${name.toLowerCase()}`);
  }

  addModel(state: ModelState): void {
    this.models.set(state.key, state);
    this.changed();
  }

  removeModel(appLabel: string, name: string): void {
    this.models.delete(`${appLabel}.${name.toLowerCase()}`);
    this.changed();
  }

  /** Forget the rendered models; the next `apps` renders them again. */
  changed(): void {
    this.#apps = undefined;
  }

  /** The historical model classes of this state, rendered once per change. */
  get apps(): StateApps {
    if (this.#apps) return this.#apps;
    const registry = new StateApps();
    const rendered = [...this.models.values()].map((state) => state.render(registry));
    for (const model of rendered) void model._meta;
    for (const model of rendered) for (const m2m of model._meta.manyToMany) void m2m.throughModel._meta;
    this.#apps = registry;
    return registry;
  }

  /** Models whose ForeignKey or ManyToManyField points at `appLabel.name` (for renames and deletes). */
  relatedTo(appLabel: string, name: string): ModelState[] {
    const label = `${appLabel}.${name}`.toLowerCase();
    return [...this.models.values()].filter((model) =>
      [...model.fields.values()].some(
        (field) => (field instanceof ForeignKey || field instanceof ManyToManyField) && refersTo(field, model.appLabel, label),
      ),
    );
  }
}

/** Whether a state field's target names `label` ('app.model', lower case). */
export function refersTo(field: ForeignKey | ManyToManyField, fromApp: string, label: string): boolean {
  if (typeof field.target !== 'string') return false;
  const target = field.target.includes('.') ? field.target : `${fromApp}.${field.target}`;
  return target.toLowerCase() === label;
}

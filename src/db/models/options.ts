/**
 * A model's metadata (Django's `_meta`): its fields, table, ordering, indexes
 * and constraints, built once per model class from the definition.
 */
import { FieldDoesNotExist } from '../../core/exceptions.ts';
import type { Field } from './fields/field.ts';
import { ForeignKey } from './fields/related.ts';
import type { Index, Constraint } from './indexes.ts';

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
}

/** A reverse relation: a ForeignKey elsewhere that points at this model. */
export interface RelatedObject {
  readonly field: ForeignKey;
  readonly relatedModel: ModelLike;
}

/** The static side of a model class, as far as metadata needs it. */
export interface ModelLike {
  readonly name: string;
  readonly _meta: Options;
}

const allModels = new Set<ModelLike>();
let modelsVersion = 0;

/** Every concrete model whose metadata was built; used to find reverse relations. */
export function registerConcreteModel(model: ModelLike): void {
  allModels.add(model);
  modelsVersion++;
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
  /** Concrete fields in definition order, primary key first if it was added. */
  readonly fields: readonly Field[];
  readonly pk: Field;
  readonly #byName = new Map<string, Field>();
  #related: { version: number; list: RelatedObject[] } | undefined;

  constructor(model: ModelLike, appLabel: string, fields: readonly Field[], options: ModelMetaOptions) {
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
    this.fields = fields;
    for (const field of fields) {
      this.#byName.set(field.name, field);
      if (field.attname !== field.name) this.#byName.set(field.attname, field);
    }
    this.pk = fields.find((f) => f.primaryKey)!;
  }

  /** `catalog.Book` */
  get label(): string {
    return `${this.appLabel}.${this.objectName}`;
  }

  /** `catalog.book` */
  get labelLower(): string {
    return `${this.appLabel}.${this.modelName}`;
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
    return this.fields.map((f) => f.name);
  }

  /** ForeignKeys on other models (or this one) that point here, for deletion and reverse lookups. */
  get relatedObjects(): readonly RelatedObject[] {
    if (this.#related?.version === modelsVersion) return this.#related.list;
    const list: RelatedObject[] = [];
    for (const other of allModels) {
      for (const field of other._meta.fields) {
        if (field instanceof ForeignKey && field.remoteModel === this.model) {
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

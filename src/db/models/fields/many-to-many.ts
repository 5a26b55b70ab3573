/**
 * ManyToManyField: a relation through a join table.
 *
 * Without `through`, Nuages creates the join model itself (table
 * `<app>_<model>_<field>`, columns `<model>_id` and `<target>_id`, unique
 * together), as Django does. With `through`, a model of yours with two
 * ForeignKeys (and any extra fields) is the join table. The field has no
 * column; `book.authors` is a manager (see related-managers.ts).
 */
import { FieldError } from '../../../core/exceptions.ts';
import { Field, type FieldOptions } from './field.ts';
import type { QNode } from '../query-utils.ts';
import { evaluateLimitChoicesTo, type ForeignKey, type LimitChoicesTo, type RelatedModel, type RelationTarget } from './related.ts';

export interface ManyToManyOptions extends Omit<FieldOptions<unknown>, 'null' | 'default' | 'dbDefault' | 'primaryKey' | 'unique' | 'dbColumn'> {
  relatedName?: string;
  relatedQueryName?: string;
  /** Your join model (class, thunk or 'app.Model'); by default one is created. */
  through?: RelationTarget;
  /** With `through`: the names of its ForeignKeys to this model and to the target, when ambiguous. */
  throughFields?: readonly [string, string];
  /** Table name of the automatic join model. */
  dbTable?: string;
  /** For a relation to 'self': whether it is symmetrical (friends); Django's default is true. */
  symmetrical?: boolean;
  /** Narrows the rows a ModelForm offers: `{ active: true }`, a Q, or a function returning one. */
  limitChoicesTo?: LimitChoicesTo;
}

/** Builds the automatic join model; installed by base.ts, which owns Model(). */
let createThroughModel: (field: ManyToManyField) => RelatedModel = () => {
  throw new FieldError('ManyToManyField needs the model layer loaded (import from nuages/db).');
};

export function setThroughModelFactory(factory: typeof createThroughModel): void {
  createThroughModel = factory;
}

/** `M` is the related model's instance type, as for ForeignKey. */
export class ManyToManyField<M = unknown> extends Field<M, false> {
  readonly internalType: string = 'ManyToManyField';
  override readonly isRelation = true;
  readonly target: RelationTarget;
  readonly m2mOptions: ManyToManyOptions;
  #through: RelatedModel | undefined;
  #remote: RelatedModel | undefined;

  constructor(to: (() => abstract new (...args: never[]) => M) | (() => unknown) | string, options: ManyToManyOptions = {}) {
    super({ ...options } as FieldOptions<M> & { null?: false });
    this.target = to;
    this.m2mOptions = options;
  }

  override clone(): this {
    const Ctor = this.constructor as new (to: RelationTarget, options: ManyToManyOptions) => this;
    return new Ctor(this.target, this.m2mOptions);
  }

  override get concrete(): boolean {
    return false;
  }

  get relatedName(): string | undefined {
    return this.m2mOptions.relatedName;
  }

  /** The related model class, resolved on first use. */
  get remoteModel(): RelatedModel {
    if (!this.#remote) this.#remote = resolveTarget(this, this.target);
    return this.#remote;
  }

  /** The join model (automatic or yours). */
  get throughModel(): RelatedModel {
    if (!this.#through) {
      const through = this.m2mOptions.through;
      this.#through = through ? resolveTarget(this, through) : createThroughModel(this);
    }
    return this.#through;
  }

  get autoCreated(): boolean {
    return !this.m2mOptions.through;
  }

  /** The join model's ForeignKey to the model that declares this field. */
  get sourceFkey(): ForeignKey {
    return this.#throughFkey(0, this.model as unknown as RelatedModel);
  }

  /** The join model's ForeignKey to the related model. */
  get targetFkey(): ForeignKey {
    return this.#throughFkey(1, this.remoteModel);
  }

  #throughFkey(index: 0 | 1, model: RelatedModel): ForeignKey {
    const meta = this.throughModel._meta as unknown as { fields: readonly Field[]; objectName: string };
    const named = this.m2mOptions.throughFields?.[index];
    if (named) return meta.fields.find((f) => f.name === named) as ForeignKey;
    const candidates = meta.fields.filter((f) => f.isRelation && (f as ForeignKey).remoteModel === model) as ForeignKey[];
    if (candidates.length === 1) return candidates[0]!;
    // A relation to 'self' has two keys to the same model: source first, then target.
    if (candidates.length === 2) return candidates[index]!;
    throw new FieldError(
      `${this.label}: the through model ${meta.objectName} needs exactly one ForeignKey to ${model._meta.objectName}; ` +
        `name them with throughFields: ['source', 'target'].`,
    );
  }

  /** Name used in filters from the related model (`author.books`: `books`). */
  get relatedQueryName(): string {
    return this.m2mOptions.relatedQueryName ?? this.m2mOptions.relatedName ?? this.model!._meta.objectName.toLowerCase();
  }

  /** Name of the manager on related instances (`author.books`, default `bookSet`). */
  get relatedAccessorName(): string {
    const name = this.model!._meta.objectName;
    return this.relatedName ?? `${name.charAt(0).toLowerCase()}${name.slice(1)}Set`;
  }

  /** The `limitChoicesTo` option evaluated (a function is called): lookups or a Q, or null. */
  getLimitChoicesTo(): Readonly<Record<string, unknown>> | QNode | null {
    return evaluateLimitChoicesTo(this.m2mOptions.limitChoicesTo);
  }

  get symmetrical(): boolean {
    return this.remoteModel === (this.model as unknown) && (this.m2mOptions.symmetrical ?? true);
  }
}

function resolveTarget(field: ManyToManyField, target: RelationTarget): RelatedModel {
  const owner = field.model;
  if (!owner) throw new FieldError('The ManyToManyField is not attached to a model yet.');
  let resolved: unknown;
  if (typeof target === 'string') resolved = target === 'self' ? owner : resolveReference(target, owner);
  else {
    try {
      resolved = target();
    } catch (error) {
      throw new FieldError(`${field.label} refers to a model that is not defined yet (${(error as Error).message}).`);
    }
  }
  if (typeof resolved !== 'function' || !('_meta' in resolved)) {
    throw new FieldError(`${field.label} must refer to a model class, 'app.Model' or 'self'.`);
  }
  return resolved as RelatedModel;
}

let resolveReference: (reference: string, from: unknown) => unknown = (reference) => {
  throw new FieldError(`Cannot resolve '${reference}' before the model layer is loaded.`);
};

export function setManyToManyReferenceResolver(resolver: typeof resolveReference): void {
  resolveReference = resolver;
}

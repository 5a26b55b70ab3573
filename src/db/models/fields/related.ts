/**
 * ForeignKey and OneToOneField: the to-one relations.
 *
 * A relation named `publisher` stores its key in the attribute `publisherId`
 * (column `publisher_id`). Reading `book.publisher` returns the related object
 * only when it was loaded (selectRelated, prefetchRelated, assignment); otherwise
 * it throws an error naming the fix. Nothing is ever loaded behind your back.
 */
import type { DatabaseFeatures, SqlParam } from '../../backends/base/types.ts';
import { FieldError } from '../../../core/exceptions.ts';
import type { QNode } from '../query-utils.ts';
import { Field, type DbConverter, type FieldOptions, type FieldOwner } from './field.ts';

/** What happens to rows that reference a deleted row; see `deletion.ts`. */
export interface OnDeleteAction {
  readonly name: 'CASCADE' | 'PROTECT' | 'RESTRICT' | 'SET_NULL' | 'SET_DEFAULT' | 'DO_NOTHING' | 'SET';
  /** For SET: the value (or a function giving it) written into the referencing rows. */
  readonly value?: unknown;
}

export const CASCADE: OnDeleteAction = Object.freeze({ name: 'CASCADE' });
export const PROTECT: OnDeleteAction = Object.freeze({ name: 'PROTECT' });
export const RESTRICT: OnDeleteAction = Object.freeze({ name: 'RESTRICT' });
export const SET_NULL: OnDeleteAction = Object.freeze({ name: 'SET_NULL' });
export const SET_DEFAULT: OnDeleteAction = Object.freeze({ name: 'SET_DEFAULT' });
export const DO_NOTHING: OnDeleteAction = Object.freeze({ name: 'DO_NOTHING' });
/** `onDelete: SET(() => defaultPublisher.pk)` */
export function SET(value: unknown): OnDeleteAction {
  return Object.freeze({ name: 'SET', value });
}

/** A model class as a relation sees it: enough to resolve and read its primary key. */
export interface RelatedModel extends FieldOwner {
  readonly _meta: FieldOwner['_meta'] & { readonly pk: Field; getField(name: string): Field };
}

/** A model class, a thunk returning one, `'app.Model'`, or `'self'`. */
export type RelationTarget = (() => unknown) | string;

/**
 * Django's limit_choices_to: the related rows a form offers (and model validation accepts),
 * as filter lookups, a Q, or a function returning either (called each time, so it can
 * depend on the date).
 */
export type LimitChoicesTo =
  | Readonly<Record<string, unknown>>
  | QNode
  | (() => Readonly<Record<string, unknown>> | QNode);

/** A limitChoicesTo option evaluated: lookups or a Q, or null when it limits nothing. */
export function evaluateLimitChoicesTo(limit: LimitChoicesTo | undefined): Readonly<Record<string, unknown>> | QNode | null {
  const value = typeof limit === 'function' ? limit() : limit;
  if (value === undefined || value === null) return null;
  if (!('children' in value) && Object.keys(value).length === 0) return null;
  return value as Readonly<Record<string, unknown>> | QNode;
}

export interface ForeignKeyOptions<N extends boolean> extends FieldOptions<unknown> {
  onDelete: OnDeleteAction;
  relatedName?: string;
  relatedQueryName?: string;
  /** The field on the related model the key refers to (default: its primary key). */
  toField?: string;
  /** Create a FOREIGN KEY constraint in the database (default true). */
  dbConstraint?: boolean;
  /** Narrows the rows a ModelForm offers and model validation accepts: `{ isStaff: true }`, a Q, or a function. */
  limitChoicesTo?: LimitChoicesTo;
  null?: N;
}

/** Resolves `'app.Model'` strings; installed by the model layer so fields stay below it. */
let resolveModelReference: (reference: string, from: FieldOwner) => RelatedModel = (reference) => {
  throw new FieldError(`Cannot resolve the model reference '${reference}' before the ORM is loaded.`);
};

export function setModelReferenceResolver(resolver: typeof resolveModelReference): void {
  resolveModelReference = resolver;
}

function isModelClass(value: unknown): value is RelatedModel {
  return typeof value === 'function' && '_meta' in value;
}

/**
 * A many-to-one relation. `M` is the related model's instance type:
 * `new ForeignKey(() => Publisher, { onDelete: CASCADE })` infers it, and
 * `new ForeignKey<Author>(() => Author, …)` names it where two models refer to
 * each other (TypeScript cannot infer through that cycle).
 */
export class ForeignKey<M = unknown, N extends boolean = false> extends Field<M, N> {
  readonly internalType: string = 'ForeignKey';
  override readonly isRelation = true;
  override readonly emptyStringsAllowed = false;
  readonly target: RelationTarget;
  readonly onDelete: OnDeleteAction;
  readonly relatedName: string | undefined;
  readonly dbConstraint: boolean;
  #remote: RelatedModel | undefined;

  constructor(
    to: (() => abstract new (...args: never[]) => M) | (() => unknown) | string,
    options: ForeignKeyOptions<N>,
  ) {
    super({ dbIndex: true, ...options } as FieldOptions<M> & { null?: N });
    if (!options || !options.onDelete) {
      throw new FieldError(
        'ForeignKey needs onDelete, e.g. new ForeignKey(() => Publisher, { onDelete: CASCADE }).',
      );
    }
    this.target = to;
    this.onDelete = options.onDelete;
    this.relatedName = options.relatedName;
    this.dbConstraint = options.dbConstraint ?? true;
    if (this.onDelete === SET_NULL && !options.null) {
      throw new FieldError('onDelete: SET_NULL needs null: true on the ForeignKey, or the column cannot hold NULL.');
    }
  }

  override clone(): this {
    const Ctor = this.constructor as new (to: RelationTarget, options: ForeignKeyOptions<N>) => this;
    return new Ctor(this.target, this.options as ForeignKeyOptions<N>);
  }

  protected override attnameFor(name: string): string {
    return `${name}Id`;
  }

  /** The related model class, resolved on first use (it may be defined after this one). */
  get remoteModel(): RelatedModel {
    if (this.#remote) return this.#remote;
    const owner = this.model;
    if (!owner) throw new FieldError('The ForeignKey is not attached to a model yet.');
    let resolved: unknown;
    if (typeof this.target === 'string') {
      resolved = this.target === 'self' ? owner : resolveModelReference(this.target, owner);
    } else {
      try {
        resolved = this.target();
      } catch (error) {
        throw new FieldError(
          `${this.label} refers to a model that is not defined yet (${(error as Error).message}). ` +
            `Define it first, or refer to it by name: new ForeignKey<Model>('app.Model', …).`,
        );
      }
    }
    if (!isModelClass(resolved)) {
      throw new FieldError(`${this.label} must refer to a model class, 'app.Model' or 'self'.`);
    }
    this.#remote = resolved;
    return resolved;
  }

  /** The field of the related model this key stores (its primary key unless `toField`). */
  get targetField(): Field {
    const meta = this.remoteModel._meta;
    const toField = (this.options as ForeignKeyOptions<N>).toField;
    return toField ? meta.getField(toField) : meta.pk;
  }

  /** The `limitChoicesTo` option evaluated (a function is called): lookups or a Q, or null. */
  getLimitChoicesTo(): Readonly<Record<string, unknown>> | QNode | null {
    return evaluateLimitChoicesTo((this.options as ForeignKeyOptions<N>).limitChoicesTo);
  }

  /** Name of the reverse relation on the related model (`books`), as filters use it. */
  get relatedQueryName(): string {
    const options = this.options as ForeignKeyOptions<N>;
    return options.relatedQueryName ?? options.relatedName ?? this.model!._meta.objectName.toLowerCase();
  }

  /** Name of the reverse accessor on related instances (`publisher.books`). */
  get relatedAccessorName(): string {
    return this.relatedName ?? `${this.model!._meta.objectName.charAt(0).toLowerCase()}${this.model!._meta.objectName.slice(1)}Set`;
  }

  override toPython(value: unknown): M | null {
    if (value === null || value === undefined) return null;
    if (isModelInstance(value)) return value as M;
    return this.targetField.toPython(value) as M;
  }

  /** Accepts an instance or a key; returns the key as the related primary key's type. */
  override getPrepValue(value: unknown): unknown {
    if (value === null || value === undefined) return null;
    if (isModelInstance(value)) return (value as { pk: unknown }).pk;
    return this.targetField.getPrepValue(value);
  }

  override toDb(value: unknown, features: DatabaseFeatures): SqlParam {
    return this.targetField.toDb(value, features);
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    return this.targetField.dbConverter(features);
  }

  override dbParameters(): Record<string, unknown> {
    return this.targetField.dbParameters();
  }

  /** Column type follows the target: an AutoField key is stored as a plain integer. */
  get targetInternalType(): string {
    const type = this.targetField.internalType;
    return { AutoField: 'IntegerField', BigAutoField: 'BigIntegerField', SmallAutoField: 'SmallIntegerField' }[type] ?? type;
  }
}

/** A one-to-one relation: a unique ForeignKey whose reverse side is a single object. */
export class OneToOneField<M = unknown, N extends boolean = false> extends ForeignKey<M, N> {
  override readonly internalType: string = 'OneToOneField';

  constructor(
    to: (() => abstract new (...args: never[]) => M) | (() => unknown) | string,
    options: ForeignKeyOptions<N>,
  ) {
    super(to, { ...options, unique: true });
  }

  override get relatedAccessorName(): string {
    const name = this.model!._meta.objectName;
    return this.relatedName ?? `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
  }
}

function isModelInstance(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '_state' in value && 'pk' in value;
}

/**
 * Indexes and constraints declared in a model's options (Django's Meta.indexes
 * and Meta.constraints). They are plain descriptions; the schema editor turns
 * them into SQL.
 */
import type { Deconstruction } from './deconstruct.ts';
import type { Q } from './query-utils.ts';

export interface IndexOptions {
  fields: readonly string[];
  name?: string;
  /** A partial index: only rows matching the condition are indexed. */
  condition?: Q;
}

/** `new Index({ fields: ['customer', '-orderDate'], name: 'order_customer_date' })` */
export class Index {
  readonly fields: readonly string[];
  readonly name: string | undefined;
  readonly condition: Q | undefined;
  /** The access method (`gin`, `gist`, `brin`, `hash`), set by contrib/postgres' index classes; '' is the default B-tree. */
  readonly method: string = '';
  /** Storage parameters written as `WITH (…)` (`fastupdate = off`, `pages_per_range = 16`). */
  readonly storageParameters: Readonly<Record<string, string | number | boolean>> = {};
  /** An operator class per field (`gin_trgm_ops`), in field order; '' for the default. */
  readonly opclasses: readonly string[] = [];

  constructor(options: IndexOptions) {
    this.fields = options.fields;
    this.name = options.name;
    this.condition = options.condition;
    if (!this.fields.length) throw new TypeError('An Index needs at least one field name in fields.');
    if (this.condition && !this.name) throw new TypeError('A partial Index (with condition) needs a name.');
  }

  /** How a migration writes this index; subclasses outside nuages/db override it with their own module and options. */
  deconstruct(): Deconstruction {
    return { path: 'nuages/db', name: 'Index', args: [{ fields: this.fields, name: this.name, condition: this.condition }] };
  }

  /** The same index (same class and options) under another name, as migrations name unnamed indexes. */
  withName(name: string): Index {
    const options = this.deconstruct().args[0] as IndexOptions;
    const Ctor = this.constructor as new (options: IndexOptions) => Index;
    return new Ctor({ ...options, name });
  }
}

export interface UniqueConstraintOptions {
  fields: readonly string[];
  name: string;
  condition?: Q;
  nullsDistinct?: boolean;
  violationErrorMessage?: string;
}

export class UniqueConstraint {
  readonly kind = 'unique';
  readonly fields: readonly string[];
  readonly name: string;
  readonly condition: Q | undefined;
  readonly violationErrorMessage: string | undefined;

  constructor(options: UniqueConstraintOptions) {
    this.fields = options.fields;
    this.name = options.name;
    this.condition = options.condition;
    this.violationErrorMessage = options.violationErrorMessage;
    if (!this.fields.length) throw new TypeError('A UniqueConstraint needs at least one field name in fields.');
    if (!this.name) throw new TypeError('A UniqueConstraint needs a name.');
  }
}

export interface CheckConstraintOptions {
  condition: Q;
  name: string;
  violationErrorMessage?: string;
}

/** `new CheckConstraint({ condition: Q({ price__gte: 0 }), name: 'price_not_negative' })` */
export class CheckConstraint {
  readonly kind = 'check';
  readonly condition: Q;
  readonly name: string;
  readonly violationErrorMessage: string | undefined;

  constructor(options: CheckConstraintOptions) {
    this.condition = options.condition;
    this.name = options.name;
    this.violationErrorMessage = options.violationErrorMessage;
    if (!this.name) throw new TypeError('A CheckConstraint needs a name.');
  }
}

export type Constraint = UniqueConstraint | CheckConstraint;

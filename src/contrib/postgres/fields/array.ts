/**
 * `ArrayField(base, { size })`: a PostgreSQL array column of any field type, with Django's
 * lookups (`contains`, `containedBy`, `overlap`, `len`) and transforms (`tags__0` is the
 * first element, `tags__0_2` the slice of the first two).
 *
 * Values travel as PostgreSQL array literals (`{1,2,NULL}`), built from each element's own
 * `toDb`, and come back as arrays `pg` already parsed, each element read by the base field.
 */
import type { DatabaseFeatures, SqlParam } from '../../../db/backends/base/types.ts';
import { NotSupportedError } from '../../../db/errors.ts';
import type { Deconstruction } from '../../../db/models/deconstruct.ts';
import { Field, type DbConverter, type FieldLookup, type FieldOptions, type FieldTransform, type LookupContext } from '../../../db/models/fields/field.ts';
import { IntegerField } from '../../../db/models/fields/numeric.ts';
import type { ExprNode } from '../../../db/models/sql/nodes.ts';

export interface ArrayFieldOptions<T> extends FieldOptions<T[]> {
  /** The declared length (`integer[3]`); PostgreSQL does not enforce it, validation does. */
  size?: number;
}

/** Thrown when an array column is used on a database that has none (SQLite). */
export class ArrayFieldNotSupportedError extends NotSupportedError {
  override readonly code: string = 'NUAGES_POSTGRES_ARRAY_NOT_SUPPORTED';
}

function requireArrays(features: DatabaseFeatures, what: string): void {
  if (!features.hasNativeArrays) {
    throw new ArrayFieldNotSupportedError(`${what} needs PostgreSQL: this database has no array columns. Use a JSONField to store lists here.`);
  }
}

/** One element of an array literal: NULL, a bare number, or a double-quoted string. */
function literalElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Uint8Array) return `"\\\\x${Buffer.from(value).toString('hex')}"`;
  return `"${String(value).replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** A PostgreSQL array literal, `{1,2,NULL}` or `{"a","b \"c\""}`. */
export function arrayLiteral(values: readonly unknown[]): string {
  return `{${values.map(literalElement).join(',')}}`;
}

const lengthOutput = new IntegerField({ null: true });

/** `new ArrayField(new CharField({ maxLength: 20 }), { size: 8 })`. */
export class ArrayField<T = unknown, N extends boolean = false> extends Field<T[], N> {
  readonly internalType: string = 'ArrayField';
  readonly baseField: Field;
  readonly size: number | undefined;

  constructor(baseField: Field, options: ArrayFieldOptions<T> & { null?: N } = {}) {
    super(options);
    this.baseField = baseField;
    this.size = options.size;
  }

  override clone(): this {
    const Ctor = this.constructor as new (base: Field, options: ArrayFieldOptions<T>) => this;
    return new Ctor(this.baseField.clone(), this.options as ArrayFieldOptions<T>);
  }

  /** Written as `new ArrayField(<base field>, { size, … })` imported from nuages/contrib/postgres. */
  deconstruct(): Deconstruction {
    return { path: 'nuages/contrib/postgres', name: 'ArrayField', args: [this.baseField, this.options] };
  }

  override contributeToClass(model: Parameters<Field['contributeToClass']>[0], name: string): void {
    super.contributeToClass(model, name);
    // The base field names itself after the array in messages (`Post.tags`).
    this.baseField.model = model;
    this.baseField.name = name;
  }

  override customColumnType(columnType: (field: Field) => string | null, ops?: { readonly hasArrayTypes: boolean }): string | null {
    if (ops && !ops.hasArrayTypes) requireArrays({ hasNativeArrays: false } as DatabaseFeatures, `${this.label} (an ArrayField column)`);
    const base = columnType(this.baseField);
    return base === null ? null : `${base}[${this.size ?? ''}]`;
  }

  override toPython(value: unknown): T[] | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') {
      // Forms and fixtures give arrays as JSON text.
      try {
        value = JSON.parse(value);
      } catch {
        throw this.invalid(value, `“${value}” is not an array.`);
      }
    }
    if (!Array.isArray(value)) throw this.invalid(value, `${JSON.stringify(value)} is not an array.`);
    return value.map((item) => (item === null ? null : this.baseField.toPython(item))) as T[];
  }

  override toDb(value: unknown, features: DatabaseFeatures): SqlParam {
    if (value === null || value === undefined) return null;
    requireArrays(features, `${this.label} (an ArrayField)`);
    // A nested ArrayField is one multi-dimensional literal: encode its scalars with the innermost field.
    let leaf: Field = this.baseField;
    while (leaf instanceof ArrayField) leaf = leaf.baseField;
    const encode = (items: readonly unknown[]): unknown[] =>
      items.map((item) => (Array.isArray(item) ? encode(item) : item === null ? null : leaf.toDb(item, features)));
    return arrayLiteral(encode(value as unknown[]));
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    const element = this.baseField.dbConverter(features);
    if (!element) return null;
    const read = (raw: unknown): unknown => (raw === null ? null : Array.isArray(raw) ? raw.map(read) : element(raw));
    return read;
  }

  override isEmpty(value: unknown): boolean {
    return value === null || value === undefined || (Array.isArray(value) && value.length === 0);
  }

  override validate(value: unknown): void {
    super.validate(value);
    if (this.size !== undefined && Array.isArray(value) && value.length > this.size) {
      throw this.invalid(value, `List contains ${value.length} items, it should contain no more than ${this.size}.`);
    }
  }

  /** `tags__0`: one element (0-based, as in Django); `tags__0_2`: a slice; `tags__len`: the length. */
  override getTransform(name: string): FieldTransform | undefined {
    if (name === 'len') {
      return {
        output: lengthOutput,
        apply: (lhs, features) => {
          requireArrays(features, `${this.label}__len`);
          return { kind: 'raw', sql: 'CASE WHEN %s IS NULL THEN NULL ELSE COALESCE(ARRAY_LENGTH(%s, 1), 0) END', params: [lhs, lhs] };
        },
      };
    }
    const index = /^\d+$/.exec(name);
    if (index) {
      return {
        output: this.baseField,
        apply: (lhs, features) => {
          requireArrays(features, `${this.label}__${name}`);
          return { kind: 'raw', sql: `(%s)[${Number(name) + 1}]`, params: [lhs] };
        },
      };
    }
    const slice = /^(\d+)_(\d+)$/.exec(name);
    if (slice) {
      return {
        output: this,
        apply: (lhs, features) => {
          requireArrays(features, `${this.label}__${name}`);
          return { kind: 'raw', sql: `(%s)[${Number(slice[1]) + 1}:${Number(slice[2])}]`, params: [lhs] };
        },
      };
    }
    return undefined;
  }

  override getLookup(name: string): FieldLookup | undefined {
    const operator = ARRAY_OPERATORS[name];
    if (!operator) return super.getLookup(name);
    return (lhs: ExprNode, value: unknown, context: LookupContext) => {
      requireArrays(context.features, `The ${name} lookup in ${context.path}`);
      const rhs = context.param(value, this);
      return { kind: 'lookup', lookup: 'expression', lhs: { kind: 'raw', sql: `%s ${operator} %s`, params: [lhs, rhs] }, rhs: null };
    };
  }
}

/** Django's array lookups and the PostgreSQL operators behind them. */
const ARRAY_OPERATORS: Readonly<Record<string, string>> = {
  contains: '@>',
  containedBy: '<@',
  overlap: '&&',
};

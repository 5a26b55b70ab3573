/**
 * Comparison and conversion functions: Coalesce, Cast, Greatest, Least, NullIf.
 *
 * ```ts
 * await Book.objects.annotate({ pages: Coalesce('pages', Value(0)) })
 * // SELECT …, COALESCE("book"."pages", ?) AS "pages" FROM "book"
 * ```
 */
import { Expression, Func, type FuncOptions, type ResolveContext } from '../expressions.ts';
import { expressionOutput } from '../expression-fields.ts';
import type { Field } from '../fields/field.ts';
import type { ExprNode } from '../sql/nodes.ts';

/** The first non-null argument. Needs two or more; mixed types need `outputField`. */
export class CoalesceFunc extends Func {
  constructor(expressions: readonly unknown[], options: FuncOptions = {}) {
    if (expressions.length < 2) throw new TypeError('Coalesce must take at least two expressions.');
    super(expressions, { ...options, fn: 'COALESCE' });
  }
}

/** `Coalesce('pages', Value(0))`, `Coalesce('nickname', 'name', { outputField })`. */
export function Coalesce(...args: unknown[]): CoalesceFunc {
  const { expressions, options } = splitOptions(args);
  return new CoalesceFunc(expressions, options);
}

/** The greatest argument; NULL if any is NULL (SQLite's MAX(a, b), PostgreSQL differs and skips NULLs). */
export class GreatestFunc extends Func {
  constructor(expressions: readonly unknown[], options: FuncOptions = {}) {
    if (expressions.length < 2) throw new TypeError('Greatest must take at least two expressions.');
    super(expressions, { ...options, fn: 'GREATEST' });
  }
}

export function Greatest(...args: unknown[]): GreatestFunc {
  const { expressions, options } = splitOptions(args);
  return new GreatestFunc(expressions, options);
}

/** The least argument; NULL if any is NULL on SQLite. */
export class LeastFunc extends Func {
  constructor(expressions: readonly unknown[], options: FuncOptions = {}) {
    if (expressions.length < 2) throw new TypeError('Least must take at least two expressions.');
    super(expressions, { ...options, fn: 'LEAST' });
  }
}

export function Least(...args: unknown[]): LeastFunc {
  const { expressions, options } = splitOptions(args);
  return new LeastFunc(expressions, options);
}

/** NULL when both arguments are equal, else the first: `NullIf('title', Value(''))`. */
export class NullIfFunc extends Func {
  constructor(first: unknown, second: unknown, options: FuncOptions = {}) {
    super([first, second], { ...options, fn: 'NULLIF' });
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return sources[0];
  }
}

export function NullIf(first: unknown, second: unknown, options?: FuncOptions): NullIfFunc {
  return new NullIfFunc(first, second, options);
}

/**
 * Converts a value to another field's type in SQL: `Cast('rating', new FloatField())`.
 * On SQLite dates and datetimes go through date()/strftime(), as in Django.
 */
export class CastFunc extends Expression {
  readonly expression: Expression;
  readonly outputField: Field;

  constructor(expression: unknown, outputField: Field) {
    super();
    this.expression = new Func([expression]).sources[0]!;
    this.outputField = outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const { node } = this.expression.resolve(context);
    return { node: { kind: 'cast', arg: node, field: this.outputField }, field: expressionOutput(this.outputField) };
  }
}

export function Cast(expression: unknown, outputField: Field): CastFunc {
  return new CastFunc(expression, outputField);
}

/** A trailing `{ outputField }` object is options, not an expression. */
export function splitOptions(args: readonly unknown[]): { expressions: unknown[]; options: FuncOptions } {
  const last = args.at(-1);
  if (last !== null && typeof last === 'object' && !(last instanceof Expression) && Object.getPrototypeOf(last) === Object.prototype) {
    return { expressions: args.slice(0, -1), options: last as FuncOptions };
  }
  return { expressions: [...args], options: {} };
}

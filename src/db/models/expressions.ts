/**
 * Query expressions: `F()` references, `Value()` literals, arithmetic, and
 * ordering. They are unresolved descriptions; the query resolves them into
 * plain expression nodes (`sql/nodes.ts`) that the compiler turns into SQL.
 *
 * ```ts
 * await Product.objects.filter({ stock__lt: F('reorderLevel') }).update({ price: F('price').mul(1.1) })
 * ```
 */
import type { Field } from './fields/field.ts';
import type { DatabaseFeatures } from '../backends/base/types.ts';
import type { ExprNode, WhereNode } from './sql/nodes.ts';
import type { Lookups, QNode } from './query-utils.ts';
import { commonOutputField, expressionOutput, fieldForValue, isDecimalField } from './expression-fields.ts';

/** What an expression needs from the query that resolves it. */
export interface ResolveContext {
  /** The column node and field for a `__` path (`publisher__name`), adding joins as needed. */
  resolveRef(path: string): { node: ExprNode; field: Field };
  /** A value bound as a parameter, converted for `field` when given. */
  resolveValue(value: unknown, field: Field | undefined): ExprNode;
  /** Whether the expression appears in an aggregate-allowed position (annotate, aggregate). */
  readonly allowAggregates: boolean;
  /** A condition (`Q`, lookups, or a boolean expression) resolved here: When() and aggregate `filter`. */
  resolveCondition?(condition: QNode | Lookups | Expression): WhereNode;
  /** The connection's features, for expressions only some databases have (full-text search). */
  readonly features?: DatabaseFeatures;
}

export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%' | '^';

export abstract class Expression {
  /** Resolves `F` paths and values against the query; returns a plain node. */
  abstract resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined };

  #combine(op: ArithmeticOperator, other: unknown, reversed = false): CombinedExpression {
    const right = toExpression(other);
    return reversed ? new CombinedExpression(right, op, this) : new CombinedExpression(this, op, right);
  }

  add(other: unknown): CombinedExpression {
    return this.#combine('+', other);
  }

  sub(other: unknown): CombinedExpression {
    return this.#combine('-', other);
  }

  mul(other: unknown): CombinedExpression {
    return this.#combine('*', other);
  }

  div(other: unknown): CombinedExpression {
    return this.#combine('/', other);
  }

  mod(other: unknown): CombinedExpression {
    return this.#combine('%', other);
  }

  pow(other: unknown): CombinedExpression {
    return this.#combine('^', other);
  }

  /** Ascending order; `{ nullsFirst: true }` or `{ nullsLast: true }` places NULLs. */
  asc(options: NullsPlacement = {}): OrderBy {
    return new OrderBy(this, false, options);
  }

  desc(options: NullsPlacement = {}): OrderBy {
    return new OrderBy(this, true, options);
  }
}

export interface NullsPlacement {
  nullsFirst?: boolean;
  nullsLast?: boolean;
}

/** A reference to a field of the row, by `__` path. */
export class FExpression extends Expression {
  readonly name: string;

  constructor(name: string) {
    super();
    this.name = name;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field } {
    return context.resolveRef(this.name);
  }
}

/** `F('price')`: the value of a field in the same row, resolved by the database. */
export function F(name: string): FExpression {
  return new FExpression(name);
}

/** A literal bound as a parameter; `outputField` says how to convert it. */
export class ValueExpression extends Expression {
  readonly value: unknown;
  readonly outputField: Field | undefined;

  constructor(value: unknown, outputField?: Field) {
    super();
    this.value = value;
    this.outputField = outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    return { node: context.resolveValue(this.value, this.outputField), field: this.outputField };
  }
}

export function Value(value: unknown, outputField?: Field): ValueExpression {
  return new ValueExpression(value, outputField);
}

export class CombinedExpression extends Expression {
  readonly lhs: Expression;
  readonly op: ArithmeticOperator;
  readonly rhs: Expression;

  constructor(lhs: Expression, op: ArithmeticOperator, rhs: Expression) {
    super();
    this.lhs = lhs;
    this.op = op;
    this.rhs = rhs;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const left = this.lhs.resolve(context);
    // A bare number next to a column takes the column's type (price * 1.1 stays a decimal).
    const right =
      this.rhs instanceof ValueExpression && !this.rhs.outputField && left.field && typeof this.rhs.value !== 'number'
        ? { node: context.resolveValue(this.rhs.value, left.field), field: left.field }
        : this.rhs.resolve(context);
    const field = left.field ?? right.field;
    return { node: { kind: 'combined', op: this.op, lhs: left.node, rhs: right.node }, field };
  }
}

/** An ordering term: an expression with a direction and NULLs placement. */
export class OrderBy {
  readonly expression: Expression;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
  readonly nullsLast: boolean;

  constructor(expression: Expression, descending: boolean, options: NullsPlacement = {}) {
    if (options.nullsFirst && options.nullsLast) {
      throw new TypeError('OrderBy: nullsFirst and nullsLast are mutually exclusive; pass one of them.');
    }
    this.expression = expression;
    this.descending = descending;
    this.nullsFirst = options.nullsFirst ?? false;
    this.nullsLast = options.nullsLast ?? false;
  }

  /** The same term in the opposite direction (for `reverse()` and `last()`). */
  reversed(): OrderBy {
    return new OrderBy(this.expression, !this.descending, { nullsFirst: this.nullsLast, nullsLast: this.nullsFirst });
  }
}

/** Wraps plain values so arithmetic accepts `F('x').add(1)`. */
export function toExpression(value: unknown): Expression {
  return value instanceof Expression ? value : new ValueExpression(value);
}

/** A raw SQL fragment with parameters, for what expressions cannot say. Parameters only, never interpolation. */
export class RawSQL extends Expression {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly outputField: Field | undefined;

  constructor(sql: string, params: readonly unknown[] = [], outputField?: Field) {
    super();
    this.sql = sql;
    this.params = params;
    this.outputField = outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const params = this.params.map((p) => context.resolveValue(p, undefined));
    return { node: { kind: 'raw', sql: this.sql, params }, field: this.outputField };
  }
}

/** Options shared by Func and its subclasses. */
export interface FuncOptions {
  /** The field the result is read back as; required when the sources mix types. */
  outputField?: Field;
}

/**
 * An SQL function call over expressions (`LOWER(title)`); the base of every
 * database function and aggregate. Strings name fields, as `F()` does. Subclass
 * it, or give `fn`/`template`, for a function Nuages does not ship:
 * ```ts
 * class Soundex extends Func { constructor(e: string) { super([e], { fn: 'SOUNDEX', outputField: new CharField() }); } }
 * Func(['title'], { fn: 'LENGTH', outputField: new IntegerField() })   // LENGTH("book"."title")
 * ```
 * The output field defaults to the sources' common type ("Expression contains
 * mixed types" otherwise, as in Django).
 */
export class Func extends Expression {
  readonly fn: string;
  readonly template: string | undefined;
  readonly sources: readonly Expression[];
  readonly outputField: Field | undefined;

  constructor(expressions: readonly unknown[], options: FuncOptions & { fn?: string; template?: string; arity?: number } = {}) {
    super();
    if (options.arity !== undefined && expressions.length !== options.arity) {
      throw new TypeError(`${new.target.name} takes exactly ${options.arity} argument${options.arity === 1 ? '' : 's'} (${expressions.length} given).`);
    }
    this.fn = options.fn ?? '';
    this.template = options.template;
    this.sources = expressions.map(toSource);
    this.outputField = options.outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const resolved = this.sources.map((source) => {
      const result = source.resolve(context);
      return { node: result.node, field: result.field ?? (source instanceof ValueExpression ? fieldForValue(source.value) : undefined) };
    });
    const field = expressionOutput(this.outputField ?? this.resolveOutputField(resolved.map((r) => r.field)));
    return { node: this.toNode(resolved.map((r) => r.node), field, context), field };
  }

  /** The output field when none was given; Django's default is the sources' common type. */
  protected resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return commonOutputField(sources);
  }

  /** The node for the resolved arguments; subclasses change the SQL shape here. */
  protected toNode(args: readonly ExprNode[], field: Field | undefined, _context: ResolveContext): ExprNode {
    if (!this.fn && !this.template) throw new TypeError(`${this.constructor.name} needs a function name: pass { fn: 'NAME' } or a template.`);
    return { kind: 'func', name: this.fn, args, template: this.template, decimal: isDecimalField(field) || undefined };
  }
}

/** Strings in function arguments name fields, as in Django. */
function toSource(value: unknown): Expression {
  if (typeof value === 'string') return new FExpression(value);
  return toExpression(value);
}

/**
 * Gives an expression the output field Nuages cannot infer, e.g. arithmetic on
 * mixed types: `ExpressionWrapper(F('price').mul(F('rating')), new DecimalField({ maxDigits: 10, decimalPlaces: 2 }))`.
 */
export class ExpressionWrapperExpression extends Expression {
  readonly expression: Expression;
  readonly outputField: Field;

  constructor(expression: Expression, outputField: Field) {
    super();
    this.expression = expression;
    this.outputField = outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const { node } = this.expression.resolve(context);
    return { node, field: node.kind === 'col' ? this.outputField : expressionOutput(this.outputField) };
  }
}

export function ExpressionWrapper(expression: Expression, outputField: Field): ExpressionWrapperExpression {
  return new ExpressionWrapperExpression(expression, outputField);
}

/**
 * Aggregate functions for `annotate()` and `aggregate()`: Count, Sum, Avg, Min,
 * Max, StdDev, Variance. Each takes `filter` (a `Q` or lookups: only matching
 * rows count), `distinct` (Count, Sum, Avg) and `default` (the value instead of
 * NULL when no row matched), as in Django 4+.
 *
 * ```ts
 * await Book.objects.aggregate({ avg: Avg('price'), n: Count('id', { filter: Q({ rating__gte: 4 }) }) })
 * // SELECT CAST(AVG("book"."price") AS NUMERIC) AS "avg",
 * //        COUNT(CASE WHEN "book"."rating" >= ? THEN "book"."id" ELSE NULL END) AS "n" FROM "book"
 * ```
 * Output types follow Django: Count → number; Sum, Min, Max → the field's type;
 * Avg, StdDev, Variance → Decimal over decimals, else a float.
 */
import { FieldError } from '../../core/exceptions.ts';
import { Expression, FExpression, Func, type ResolveContext } from './expressions.ts';
import { isDecimalField, numericOutputField, OUTPUT } from './expression-fields.ts';
import type { Field } from './fields/field.ts';
import type { Lookups, QNode } from './query-utils.ts';
import type { ExprNode } from './sql/nodes.ts';
import type { Decimal } from '../../utils/decimal.ts';

/** A phantom of the value type an expression yields, read by annotate()/aggregate() result types. */
export interface Typed<T> {
  /** Never set at run time. */
  readonly __type?: T;
}

export interface AggregateOptions {
  /** Only rows matching this condition are aggregated (Django's `filter=Q(...)`). */
  filter?: QNode | Lookups;
  /** Aggregate distinct values only (Count, Sum, Avg). */
  distinct?: boolean;
  /** The result when no row is aggregated, instead of null (not for Count, which gives 0). */
  default?: unknown;
  /** The field the result is read back as. */
  outputField?: Field;
}

/** Base of the aggregate functions; subclass it for a database aggregate Nuages lacks. */
export class Aggregate extends Func {
  readonly distinct: boolean;
  readonly filter: QNode | Lookups | undefined;
  readonly default: unknown;
  /** Whether DISTINCT is allowed (Django's allow_distinct). */
  protected readonly allowDistinct: boolean = false;
  /** The value an aggregate over no rows yields (Count: 0), used when the query is known to be empty. */
  readonly emptyResult: unknown = null;
  /** The suffix of the alias aggregate() gives a positional aggregate: `price__avg`. */
  readonly aliasSuffix: string;

  constructor(fn: string, aliasSuffix: string, expression: unknown, options: AggregateOptions = {}) {
    super(expression === '*' ? [] : [expression], { fn, outputField: options.outputField });
    this.aliasSuffix = aliasSuffix;
    this.distinct = options.distinct ?? false;
    this.filter = options.filter;
    this.default = options.default;
  }

  /** Checks options once the subclass's fields are set. */
  protected checkOptions(): void {
    const name = this.label;
    if (this.distinct && !this.allowDistinct) throw new TypeError(`${name} does not allow distinct.`);
    if (this.default !== undefined && this.default !== null && this.emptyResult !== null) throw new TypeError(`${name} does not allow default.`);
  }

  /** The name users write: `Count`, `Sum`… */
  get label(): string {
    return this.constructor.name.replace(/Aggregate$/, '');
  }

  /** The alias aggregate() gives this aggregate when passed without a name, or undefined. */
  get defaultAlias(): string | undefined {
    const [source] = this.sources;
    if (this.sources.length === 1 && source instanceof FExpression) return `${source.name}__${this.aliasSuffix}`;
    if (!this.sources.length) return `${this.aliasSuffix}`;
    return undefined;
  }

  override resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    if (!context.allowAggregates) {
      throw new FieldError(`${this.label}() is an aggregate; it can be used in annotate(), alias() and aggregate() only.`);
    }
    const { node, field } = super.resolve(context);
    if (node.kind !== 'func') return { node, field };
    for (const arg of node.args) {
      if (arg.kind === 'func' && arg.aggregate) {
        throw new FieldError(`Cannot compute ${this.label}() of an aggregate: annotate the inner aggregate, then aggregate() over its name.`);
      }
    }
    const filter = this.filter && context.resolveCondition ? context.resolveCondition(this.filter) : undefined;
    const aggregate: ExprNode = { ...node, aggregate: true, distinct: this.distinct || undefined, filter };
    if (this.default === undefined || this.default === null) return { node: aggregate, field };
    const fallback = this.default instanceof Expression ? this.default.resolve(context).node : context.resolveValue(this.default, field);
    return { node: { kind: 'func', name: 'COALESCE', args: [aggregate, fallback], decimal: isDecimalField(field) || undefined }, field };
  }
}

/** `COUNT(expr)`, `COUNT(DISTINCT expr)`, or `COUNT(*)` for `Count('*')`. Never null: 0 when no rows. */
export class CountAggregate extends Aggregate implements Typed<number> {
  declare readonly __type?: number;
  protected override readonly allowDistinct = true;
  override readonly emptyResult = 0;

  constructor(expression: unknown, options: AggregateOptions = {}) {
    super('COUNT', 'count', expression, { ...options, outputField: options.outputField ?? OUTPUT.integer });
    this.checkOptions();
  }

  protected override resolveOutputField(): Field {
    return OUTPUT.integer;
  }
}

export class SumAggregate extends Aggregate {
  protected override readonly allowDistinct = true;

  constructor(expression: unknown, options: AggregateOptions = {}) {
    super('SUM', 'sum', expression, options);
    this.checkOptions();
  }
}

export class AvgAggregate extends Aggregate {
  protected override readonly allowDistinct = true;

  constructor(expression: unknown, options: AggregateOptions = {}) {
    super('AVG', 'avg', expression, options);
    this.checkOptions();
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return numericOutputField(sources);
  }
}

export class MinAggregate extends Aggregate {
  constructor(expression: unknown, options: AggregateOptions = {}) {
    super('MIN', 'min', expression, options);
    this.checkOptions();
  }
}

export class MaxAggregate extends Aggregate {
  constructor(expression: unknown, options: AggregateOptions = {}) {
    super('MAX', 'max', expression, options);
    this.checkOptions();
  }
}

export interface StatisticOptions extends AggregateOptions {
  /** The sample statistic (n - 1) instead of the population one. */
  sample?: boolean;
}

export class StdDevAggregate extends Aggregate {
  constructor(expression: unknown, options: StatisticOptions = {}) {
    super(options.sample ? 'STDDEV_SAMP' : 'STDDEV_POP', 'stddev', expression, options);
    this.checkOptions();
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return numericOutputField(sources);
  }
}

export class VarianceAggregate extends Aggregate {
  constructor(expression: unknown, options: StatisticOptions = {}) {
    super(options.sample ? 'VAR_SAMP' : 'VAR_POP', 'variance', expression, options);
    this.checkOptions();
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return numericOutputField(sources);
  }
}

/** `Count('id')`, `Count('books', { distinct: true })`, `Count('*')`: a number, 0 over no rows. */
export function Count(expression: unknown, options?: AggregateOptions): CountAggregate {
  return new CountAggregate(expression, options);
}

/** `Sum('price')`: the field's type (Decimal for DecimalField); null over no rows unless `default`. */
export function Sum<T = unknown>(expression: unknown, options?: AggregateOptions): SumAggregate & Typed<T | null> {
  return new SumAggregate(expression, options) as SumAggregate & Typed<T | null>;
}

/** `Avg('rating')`: a float over integers, a Decimal over decimals. */
export function Avg<T = number | Decimal>(expression: unknown, options?: AggregateOptions): AvgAggregate & Typed<T | null> {
  return new AvgAggregate(expression, options) as AvgAggregate & Typed<T | null>;
}

/** `Min('price')`; name the result type when you want it typed: `Min<Decimal>('price')`. */
export function Min<T = unknown>(expression: unknown, options?: AggregateOptions): MinAggregate & Typed<T | null> {
  return new MinAggregate(expression, options) as MinAggregate & Typed<T | null>;
}

/** `Max('rating')`; name the result type when you want it typed: `Max<number>('rating')`. */
export function Max<T = unknown>(expression: unknown, options?: AggregateOptions): MaxAggregate & Typed<T | null> {
  return new MaxAggregate(expression, options) as MaxAggregate & Typed<T | null>;
}

/** Standard deviation (population; `{ sample: true }` for the sample one). SQLite gets it from Nuages' registered function. */
export function StdDev(expression: unknown, options?: StatisticOptions): StdDevAggregate & Typed<number | null> {
  return new StdDevAggregate(expression, options) as StdDevAggregate & Typed<number | null>;
}

/** Variance (population; `{ sample: true }` for the sample one). */
export function Variance(expression: unknown, options?: StatisticOptions): VarianceAggregate & Typed<number | null> {
  return new VarianceAggregate(expression, options) as VarianceAggregate & Typed<number | null>;
}

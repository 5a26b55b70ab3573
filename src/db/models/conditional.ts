/**
 * Conditional expressions: `Case(When(...), ..., { default })`, SQL's
 * `CASE WHEN … THEN … ELSE … END`.
 *
 * ```ts
 * await Book.objects.annotate({ label: Case(When({ rating__gte: 4, then: Value('good') }), { default: Value('meh') }) })
 * // SELECT …, CASE WHEN "book"."rating" >= ? THEN ? ELSE ? END AS "label" FROM "book"
 * ```
 * As in Django, a string `then` or `default` names a field (`then: 'title'`);
 * wrap text in `Value('…')`.
 */
import { FieldError } from '../../core/exceptions.ts';
import { Expression, FExpression, toExpression, ValueExpression, type ResolveContext } from './expressions.ts';
import { commonOutputField, expressionOutput, fieldForValue, isDecimalField } from './expression-fields.ts';
import type { Field } from './fields/field.ts';
import { QNode, type Lookups } from './query-utils.ts';
import type { ExprNode, WhereNode } from './sql/nodes.ts';

/** Strings are field names here, as in Django's When/Case. */
function toResult(value: unknown): Expression {
  return typeof value === 'string' ? new FExpression(value) : toExpression(value);
}

function resolveWithType(expression: Expression, context: ResolveContext): { node: ExprNode; field: Field | undefined } {
  const { node, field } = expression.resolve(context);
  return { node, field: field ?? (expression instanceof ValueExpression ? fieldForValue(expression.value) : undefined) };
}

/** One branch of a Case: a condition and the value when it holds. */
export class WhenExpression extends Expression {
  readonly condition: QNode | Expression;
  readonly result: Expression;

  constructor(condition: QNode | Expression, then: unknown) {
    super();
    if (condition instanceof QNode && condition.isEmpty) {
      throw new FieldError('When() needs a condition: lookups such as { rating__gte: 4, then: … }, a Q, or a boolean expression.');
    }
    this.condition = condition;
    this.result = toResult(then);
  }

  /** The resolved condition and result, for Case. */
  resolveBranch(context: ResolveContext): { condition: WhereNode; result: ExprNode; field: Field | undefined } {
    if (!context.resolveCondition) throw new FieldError('When() cannot be used here: this query does not resolve conditions.');
    const condition = context.resolveCondition(this.condition);
    const { node, field } = resolveWithType(this.result, context);
    return { condition, result: node, field };
  }

  resolve(): { node: ExprNode; field: Field | undefined } {
    throw new FieldError('When() is only valid inside Case(): Case(When({ … , then: … }), { default: … }).');
  }
}

/**
 * `When({ rating__gte: 4, then: Value('good') })`, `When(Q(...), Value(1))` or
 * `When(Exists(...), true)`.
 */
export function When(condition: (Lookups & { then?: unknown }) | QNode | Expression, then?: unknown): WhenExpression {
  if (condition instanceof QNode || condition instanceof Expression) return new WhenExpression(condition, then);
  const { then: result, ...lookups } = condition;
  if (!('then' in condition) && then === undefined) throw new FieldError("When() needs a result: When({ rating__gte: 4, then: Value('good') }).");
  return new WhenExpression(new QNode(lookups), 'then' in condition ? result : then);
}

export interface CaseOptions {
  /** The value when no branch matches; null when absent. A string names a field. */
  default?: unknown;
  /** The field the result is read back as; required when branches mix types. */
  outputField?: Field;
}

export class CaseExpression extends Expression {
  readonly whens: readonly WhenExpression[];
  readonly default: Expression;
  readonly outputField: Field | undefined;

  constructor(whens: readonly WhenExpression[], options: CaseOptions = {}) {
    super();
    for (const when of whens) {
      if (!(when instanceof WhenExpression)) throw new FieldError('Case() takes When() branches, then an options object { default, outputField }.');
    }
    this.whens = whens;
    this.default = 'default' in options ? toResult(options.default) : new ValueExpression(null);
    this.outputField = options.outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const branches = this.whens.map((when) => when.resolveBranch(context));
    const otherwise = resolveWithType(this.default, context);
    const field = expressionOutput(this.outputField ?? commonOutputField([...branches.map((b) => b.field), otherwise.field]));
    if (!branches.length) return { node: otherwise.node, field };
    const node: ExprNode = {
      kind: 'case',
      whens: branches.map((b) => ({ condition: b.condition, result: b.result })),
      otherwise: otherwise.node,
      decimal: isDecimalField(field) || undefined,
    };
    return { node, field };
  }
}

/** `Case(When(...), When(...), { default, outputField })`. */
export function Case(...args: (WhenExpression | CaseOptions)[]): CaseExpression {
  const last = args.at(-1);
  const options = last !== undefined && !(last instanceof WhenExpression) ? (last as CaseOptions) : {};
  const whens = args.filter((a): a is WhenExpression => a instanceof WhenExpression || a !== last || last instanceof WhenExpression);
  return new CaseExpression(whens as WhenExpression[], options);
}

/**
 * Subqueries in expressions: `Subquery(qs)`, `Exists(qs)` and `OuterRef('pk')`.
 *
 * The inner QuerySet's query is resolved into the outer one: its aliases are
 * relabelled (U0, U1…) so the same table can appear on both sides, each
 * `OuterRef` becomes a column of the outer query, and the compiler writes the
 * inner SELECT inline with the outer statement's parameters.
 *
 * ```ts
 * const newest = Review.objects.filter({ book: OuterRef('pk') }).orderBy('-stars').values('stars').slice(0, 1);
 * await Book.objects.annotate({ best: Subquery(newest) })
 * // SELECT …, (SELECT U0."stars" FROM "review" U0 WHERE U0."book_id" = ("book"."id") ORDER BY U0."stars" DESC LIMIT 1) AS "best"
 * await Book.objects.filter(Exists(Review.objects.filter({ book: OuterRef('pk') })))
 * // … WHERE EXISTS(SELECT 1 AS "a" FROM "review" U0 WHERE U0."book_id" = ("book"."id") LIMIT 1)
 * ```
 */
import { FieldError } from '../../core/exceptions.ts';
import { Expression, type ResolveContext } from './expressions.ts';
import { expressionOutput, OUTPUT } from './expression-fields.ts';
import type { Field } from './fields/field.ts';
import type { ExprNode, SelectItem } from './sql/nodes.ts';
import type { Query } from './sql/query.ts';
import { mapExpr, mapWhere } from './sql/walk.ts';

/** A reference to a field of the enclosing query, by `__` path; `OuterRef(OuterRef('pk'))` goes two levels up. */
export class OuterRefExpression extends Expression {
  readonly name: string | OuterRefExpression;

  constructor(name: string | OuterRefExpression) {
    super();
    this.name = name;
  }

  resolve(): { node: ExprNode; field: Field | undefined } {
    let depth = 1;
    let name: string | OuterRefExpression = this.name;
    while (name instanceof OuterRefExpression) {
      depth++;
      name = name.name;
    }
    return { node: { kind: 'outerRef', name, depth }, field: undefined };
  }
}

export function OuterRef(name: string | OuterRefExpression): OuterRefExpression {
  return new OuterRefExpression(name);
}

/** Anything with a query tree: a QuerySet. */
export interface HasQuery {
  readonly query: Query;
}

/** A copy of `query` with every expression mapped through `visit` (nested subqueries included) and its aliases through `rename`. */
function rewriteQuery(query: Query, visit: (node: ExprNode) => ExprNode | undefined, rename: (alias: string) => string): Query {
  const copy = query.clone();
  const deep = (node: ExprNode): ExprNode | undefined => {
    const replaced = visit(node);
    if (replaced !== undefined) return replaced;
    if (node.kind === 'subquery') return { ...node, query: rewriteQuery(node.query as Query, deep, rename) };
    return undefined;
  };
  const expr = (node: ExprNode): ExprNode => mapExpr(node, deep);
  Object.assign(copy, { alias: rename(query.alias) });
  copy.joins = query.joins.map((join) => ({ ...join, alias: rename(join.alias), parentAlias: rename(join.parentAlias) }));
  copy.where = mapWhere(query.where, deep);
  copy.having = mapWhere(query.having, deep);
  copy.annotations = query.annotations.map((a) => ({ ...a, expr: expr(a.expr) }));
  if (query.valuesSelect) copy.valuesSelect = query.valuesSelect.map((item): SelectItem => ({ ...item, expr: expr(item.expr) }));
  if (query.ordering) copy.ordering = query.ordering.map((o) => ({ ...o, expr: expr(o.expr) }));
  if (query.groupBy) copy.groupBy = query.groupBy.map(expr);
  return copy;
}

/** Letters for subquery aliases, one per nesting level, as Django's U0, V0… */
const PREFIXES = 'UVWXYZ';

function prefixFor(query: Query): string {
  let level = -1;
  const scan = (node: ExprNode): ExprNode | undefined => {
    if (node.kind === 'subquery') {
      const inner = node.query as Query;
      const index = PREFIXES.indexOf(inner.alias[0] ?? '');
      if (/^[U-Z]\d+$/.test(inner.alias)) level = Math.max(level, index);
      rewriteQuery(inner, scan, (a) => a);
      return node;
    }
    return undefined;
  };
  rewriteQuery(query, scan, (a) => a);
  const prefix = PREFIXES[level + 1];
  if (!prefix) throw new FieldError('Subqueries are nested too deeply (more than six levels).');
  return prefix;
}

/** Resolves an inner query into the outer context: relabelled aliases, outer references bound. */
function bindInner(query: Query, context: ResolveContext): Query {
  const prefix = prefixFor(query);
  const aliases = [query.alias, ...query.joins.map((j) => j.alias)];
  const renamed = new Map(aliases.map((alias, i) => [alias, `${prefix}${i}`]));
  const rename = (alias: string): string => renamed.get(alias) ?? alias;
  const relabelled = rewriteQuery(query, (node) => (node.kind === 'col' && renamed.has(node.alias) ? { ...node, alias: rename(node.alias) } : undefined), rename);
  const bind = (node: ExprNode): ExprNode | undefined => {
    if (node.kind !== 'outerRef') return undefined;
    if (node.depth > 1) return { ...node, depth: node.depth - 1 };
    return context.resolveRef(node.name).node;
  };
  return rewriteQuery(relabelled, bind, (a) => a);
}

/** A query used as a value: its single selected column, in the outer query's row. */
export class SubqueryExpression extends Expression {
  readonly queryset: HasQuery;
  readonly outputField: Field | undefined;

  constructor(queryset: HasQuery, outputField?: Field) {
    super();
    this.queryset = queryset;
    this.outputField = outputField;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const inner = this.queryset.query.clone();
    if (!inner.valuesSelect) {
      const selected = inner.annotations.filter((a) => a.selected !== false);
      inner.valuesSelect = selected.length === 1
        ? [{ name: selected[0]!.name, expr: selected[0]!.expr, field: selected[0]!.field }]
        : [{ name: 'pk', expr: { kind: 'col', alias: inner.alias, column: inner.meta.pk.column, field: inner.meta.pk }, field: inner.meta.pk }];
    }
    if (inner.valuesSelect.length !== 1) {
      throw new FieldError(`Subquery() must select one column; ${inner.meta.objectName}'s query selects ${inner.valuesSelect.length}. Use values('field').`);
    }
    clearUnneededOrdering(inner);
    const field = this.outputField ?? inner.valuesSelect[0]!.field;
    return { node: { kind: 'subquery', query: bindInner(inner, context) }, field: expressionOutput(field) };
  }
}

/** `Subquery(qs.values('x').slice(0, 1))`: one value from another query per row. */
export function Subquery(queryset: HasQuery, outputField?: Field): SubqueryExpression {
  return new SubqueryExpression(queryset, outputField);
}

/** Whether the inner query has any row: `EXISTS(SELECT 1 … LIMIT 1)`, a boolean. */
export class ExistsExpression extends Expression {
  readonly queryset: HasQuery;

  constructor(queryset: HasQuery) {
    super();
    this.queryset = queryset;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const inner = this.queryset.query.clone();
    inner.valuesSelect = [{ name: 'a', expr: { kind: 'raw', sql: '1', params: [] }, field: OUTPUT.integer }];
    inner.annotations = inner.annotations.map((a) => ({ ...a, selected: false }));
    clearUnneededOrdering(inner);
    if (!inner.isSliced) inner.setLimits(undefined, 1);
    return { node: { kind: 'subquery', query: bindInner(inner, context), exists: true }, field: OUTPUT.boolean };
  }
}

export function Exists(queryset: HasQuery): ExistsExpression {
  return new ExistsExpression(queryset);
}

// Ordering only matters to a sliced subquery, as in Django.
function clearUnneededOrdering(query: Query): void {
  if (query.isSliced) return;
  query.ordering = [];
  query.noOrdering = true;
}

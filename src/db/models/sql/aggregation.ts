/**
 * Aggregation rules on the query tree, as Django applies them:
 *
 * - a query is grouped once it has an aggregate annotation (or an explicit GROUP BY);
 * - it groups by its selected non-aggregate expressions, its explicit GROUP BY
 *   (the values() fields), its ordering and the non-aggregate parts of HAVING;
 * - conditions on aggregates move from WHERE to HAVING;
 * - aggregate() over a sliced, distinct, combined or grouped query, or over an
 *   aggregate annotation, runs over that query as a subquery.
 *
 * The compiler calls these while writing SQL; QuerySet calls `prepareAggregate`.
 */
import { FieldError } from '../../../core/exceptions.ts';
import { Expression, type ResolveContext } from '../expressions.ts';
import type { Field } from '../fields/field.ts';
import { EMPTY_WHERE, type ExprNode, type OrderNode, type SelectItem, type WhereChild, type WhereNode } from './nodes.ts';
import type { Query } from './query.ts';
import { mapExpr, mapWhere, nodeKey, someExpr, someInWhere } from './walk.ts';

/** Whether an expression computes an aggregate at this query level (not inside a subquery). */
export function containsAggregate(node: ExprNode): boolean {
  return someExpr(node, (n) => n.kind === 'func' && n.aggregate === true);
}

function whereHasAggregate(node: WhereChild): boolean {
  return someInWhere(node, (n) => n.kind === 'func' && n.aggregate === true);
}

/** Whether the query has GROUP BY: an aggregate annotation, an explicit grouping, or a condition on an aggregate. */
export function isGrouped(query: Query): boolean {
  return query.groupBy !== null || query.annotations.some((a) => a.aggregate) || whereHasAggregate(query.where);
}

/**
 * Splits WHERE into the conditions SQL evaluates per row and those on aggregates
 * (HAVING). Under AND each child goes where it belongs; an OR or a negation that
 * mixes both goes to HAVING whole, as in Django.
 */
export function splitHaving(where: WhereNode): { where: WhereNode; having: WhereNode | null } {
  if (!whereHasAggregate(where)) return { where, having: null };
  if (where.connector !== 'AND' || where.negated) return { where: EMPTY_WHERE, having: where };
  const rowChildren: WhereChild[] = [];
  const groupChildren: WhereChild[] = [];
  for (const child of where.children) {
    if (!whereHasAggregate(child)) rowChildren.push(child);
    else if (child.kind === 'where') {
      const split = splitHaving(child);
      if (split.where.children.length) rowChildren.push(split.where);
      if (split.having) groupChildren.push(split.having);
    } else groupChildren.push(child);
  }
  const node = (children: WhereChild[]): WhereNode => ({ kind: 'where', connector: 'AND', negated: false, children });
  return { where: node(rowChildren), having: groupChildren.length ? node(groupChildren) : null };
}

/** The expressions an expression contributes to GROUP BY (Django's get_group_by_cols). */
export function groupByCols(node: ExprNode): ExprNode[] {
  if (node.kind === 'param' || node.kind === 'outerRef') return [];
  if (node.kind === 'raw' && !node.params.length && !/[."]/.test(node.sql)) return [];
  if (!containsAggregate(node)) return [node];
  if (node.kind === 'func' && node.aggregate) return [];
  switch (node.kind) {
    case 'combined':
      return [...groupByCols(node.lhs), ...groupByCols(node.rhs)];
    case 'func':
      return node.args.flatMap(groupByCols);
    case 'transform':
    case 'cast':
      return groupByCols(node.arg);
    case 'case':
      return [...node.whens.flatMap((w) => [...whereCols(w.condition), ...groupByCols(w.result)]), ...groupByCols(node.otherwise)];
    default:
      return [];
  }
}

function whereCols(node: WhereChild): ExprNode[] {
  if (node.kind === 'nothing') return [];
  if (node.kind === 'where') return node.children.flatMap(whereCols);
  const rhs = node.rhs === null ? [] : Array.isArray(node.rhs) ? (node.rhs as ExprNode[]) : [node.rhs as ExprNode];
  return [node.lhs, ...rhs].flatMap(groupByCols);
}

/** The GROUP BY terms of a grouped query, without duplicates. */
export function groupByTerms(query: Query, columns: readonly SelectItem[], ordering: readonly OrderNode[], having: WhereNode | null): ExprNode[] {
  const terms: ExprNode[] = [];
  const seen = new Set<string>();
  const add = (node: ExprNode): void => {
    const key = nodeKey(node);
    if (!seen.has(key)) {
      seen.add(key);
      terms.push(node);
    }
  };
  for (const node of query.groupBy ?? []) add(node);
  for (const column of columns) groupByCols(column.expr).forEach(add);
  for (const order of ordering) if (!order.random) groupByCols(order.expr).forEach(add);
  if (having) whereCols(having).forEach(add);
  return terms;
}

/**
 * values() after annotate() with an aggregate: the rows stay grouped by the
 * model's fields (and earlier plain annotations), not by the values selected.
 */
export function freezeModelGrouping(query: Query): void {
  if (query.groupBy !== null || query.valuesSelect !== null || !query.annotations.some((a) => a.aggregate)) return;
  query.groupBy = [
    ...query.meta.fields.map((field): ExprNode => ({ kind: 'col', alias: query.alias, column: field.column, field })),
    ...query.annotations.filter((a) => !a.aggregate).flatMap((a) => groupByCols(a.expr)),
  ];
}

/** values(...).annotate(aggregate): group by the values() selection. */
export function groupByValues(query: Query): void {
  if (!query.valuesSelect) return;
  query.groupBy = query.valuesSelect.filter((item) => !containsAggregate(item.expr)).flatMap((item) => groupByCols(item.expr));
}

/** What compileAggregate() needs: the query to read (maybe wrapped) and the aggregate columns. */
export interface PreparedAggregate {
  readonly query: Query;
  readonly items: SelectItem[];
  readonly wrapped: boolean;
}

/**
 * Resolves aggregate() arguments against `query` (already cloned by the caller).
 * When the query's rows are not plain table rows (sliced, distinct, combined,
 * grouped) or an aggregate reads an aggregate annotation, the query becomes a
 * subquery and each aggregate reads its columns, as Django does.
 */
export function prepareAggregate(query: Query, entries: readonly (readonly [string, Expression])[]): PreparedAggregate {
  const refsAggregate = (expression: Expression): boolean => {
    let found = false;
    const probe: ResolveContext = {
      resolveRef: (path) => {
        const annotation = query.annotations.find((a) => a.name === path);
        if (annotation?.aggregate) found = true;
        return query.clone().resolveRef(path);
      },
      resolveValue: (value, field) => query.resolveValue(value, field),
      resolveCondition: () => EMPTY_WHERE,
      allowAggregates: true,
    };
    expression.resolve(probe);
    return found;
  };
  const wrap = query.isSliced || query.distinct || query.combinator !== null || isGrouped(query) || entries.some(([, e]) => refsAggregate(e));
  if (!wrap) {
    const items = entries.map(([name, expression]) => {
      const { node, field } = query.resolveExpression(expression, true);
      checkAggregate(name, node);
      return { name, expr: node, field };
    });
    return { query, items, wrapped: false };
  }
  const inner = query.clone();
  if (!inner.isSliced) {
    inner.ordering = [];
    inner.noOrdering = true;
  }
  const select: SelectItem[] = inner.valuesSelect
    ? [...inner.valuesSelect]
    : [
        ...inner.instanceFields.map((field): SelectItem => ({ name: field.attname, expr: { kind: 'col', alias: inner.alias, column: field.column, field }, field })),
        ...inner.annotations.filter((a) => a.selected !== false).map((a): SelectItem => ({ name: a.name, expr: a.expr, field: a.field })),
      ];
  const byAnnotation = new Map(inner.annotations.map((a) => [a.expr, a] as const));
  const outerCol = (name: string, field: Field | undefined): ExprNode => ({ kind: 'col', alias: 'subquery', column: name, field: field as Field });
  const hoist = (node: ExprNode): ExprNode | undefined => {
    if (node.kind === 'col' && node.alias === 'subquery') return node;
    const annotation = byAnnotation.get(node);
    if (annotation || node.kind === 'col') {
      const key = nodeKey(node);
      let item = select.find((s) => nodeKey(s.expr) === key);
      if (!item) {
        item = { name: annotation && !select.some((s) => s.name === annotation.name) ? annotation.name : `__col${select.length + 1}`, expr: node, field: annotation?.field ?? (node.kind === 'col' ? node.field : undefined) };
        select.push(item);
      }
      return outerCol(item.name, item.field);
    }
    return undefined;
  };
  // An aggregate annotation is read from the subquery's column: Avg('n') is AVG("subquery"."n").
  const context: ResolveContext = {
    resolveRef: (path) => {
      const annotation = inner.annotations.find((a) => a.name === path && a.aggregate);
      if (!annotation) return inner.resolveRef(path);
      const ref = hoist(annotation.expr)!;
      return { node: ref, field: annotation.field ?? inner.meta.pk };
    },
    resolveValue: (value, field) => inner.resolveValue(value, field),
    resolveCondition: (condition) => inner.buildCondition(condition),
    allowAggregates: true,
  };
  const items = entries.map(([name, expression]) => {
    const { node, field } = expression.resolve(context);
    checkAggregate(name, node, byAnnotation);
    // The aggregate itself stays outside; what it reads moves into the subquery.
    const outer = mapExpr(node, (n) => (n.kind === 'func' && n.aggregate && !byAnnotation.has(n) ? { ...n, args: n.args.map((a) => mapExpr(a, hoist)), filter: n.filter ? mapWhere(n.filter, hoist) : undefined } : hoist(n)));
    return { name, expr: outer, field };
  });
  inner.valuesSelect = select;
  return { query: inner, items, wrapped: true };
}

/** aggregate() takes aggregates only, and an aggregate may not contain another. */
function checkAggregate(name: string, node: ExprNode, annotations: ReadonlyMap<ExprNode, unknown> = new Map()): void {
  if (!containsAggregate(node)) throw new FieldError(`aggregate(): '${name}' is not an aggregate expression. Use Count, Sum, Avg, Min, Max, StdDev or Variance.`);
  const visit = (n: ExprNode, inside: boolean): void => {
    if (annotations.has(n)) return;
    if (n.kind === 'func' && n.aggregate) {
      if (inside) throw new FieldError(`aggregate(): '${name}' nests an aggregate inside an aggregate; annotate the inner one first, then aggregate over it.`);
      n.args.forEach((a) => visit(a, true));
      return;
    }
    mapExpr(n, (child) => {
      if (child === n) return undefined;
      visit(child, inside);
      return child;
    });
  };
  visit(node, false);
}

/**
 * Adds annotate() (`select`) or alias() expressions to the query: aliases are
 * usable in filters and ordering but not selected; after values(), an
 * aggregate groups by the values selected.
 */
export function addAnnotations(query: Query, annotations: Readonly<Record<string, Expression>>, select: boolean): void {
  let grouping = false;
  for (const [name, expression] of Object.entries(annotations)) {
    if (!(expression instanceof Expression)) {
      throw new FieldError(
        `${select ? 'annotate' : 'alias'}(): '${name}' must be an expression such as F('x'), Value(1) or Count('y'); got ${describeValue(expression)}.`,
      );
    }
    query.addAnnotation(name, expression);
    const added = query.annotations.at(-1)!;
    if (!select) query.annotations = [...query.annotations.slice(0, -1), { ...added, selected: false }];
    else if (query.valuesSelect) {
      query.valuesSelect = [...query.valuesSelect.filter((item) => item.name !== name), { name, expr: added.expr, field: added.field }];
    }
    grouping ||= added.aggregate;
  }
  if (grouping && query.valuesSelect) groupByValues(query);
}

/** How a non-expression given to annotate()/aggregate() is named in the error: strings get the F() hint. */
export function describeValue(value: unknown): string {
  return typeof value === 'string' ? `the string '${value}' (wrap field names in F())` : (JSON.stringify(value) ?? String(value));
}

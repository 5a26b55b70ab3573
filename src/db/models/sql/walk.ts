/**
 * Walking and rewriting the plain node tree: structural keys (to compare and
 * de-duplicate expressions), and copy-on-write maps over expressions and
 * conditions (to relabel a subquery's aliases or bind its outer references).
 */
import type { ExprNode, LookupNode, WhereChild, WhereNode } from './nodes.ts';

/** A string that is equal for two nodes exactly when they compile to the same SQL. */
export function nodeKey(node: ExprNode): string {
  switch (node.kind) {
    case 'col':
      return `c:${node.alias}.${node.column}`;
    case 'param':
      return `p:${typeof node.value}:${String(node.value)}`;
    case 'combined':
      return `(${nodeKey(node.lhs)}${node.op}${nodeKey(node.rhs)})`;
    case 'raw':
      return `r:${node.sql}[${node.params.map(nodeKey).join(',')}]`;
    case 'transform':
      return `t:${node.name}:${node.timeZone}(${nodeKey(node.arg)})`;
    case 'func':
      return `f:${node.name}:${node.template ?? ''}:${node.distinct ? 'd' : ''}(${node.args.map(nodeKey).join(',')})${node.filter ? whereKey(node.filter) : ''}`;
    case 'case':
      return `case(${node.whens.map((w) => `${whereKey(w.condition)}=>${nodeKey(w.result)}`).join(';')};${nodeKey(node.otherwise)})`;
    case 'cast':
      return `cast:${node.field.internalType}(${nodeKey(node.arg)})`;
    case 'outerRef':
      return `o:${node.depth}:${node.name}`;
    case 'subquery':
      // Two subqueries are the same only when they are the same object.
      return `s:${subqueryIds.get(node) ?? setId(node)}`;
  }
}

const subqueryIds = new WeakMap<object, number>();
let nextId = 0;
function setId(node: object): number {
  const id = ++nextId;
  subqueryIds.set(node, id);
  return id;
}

function whereKey(node: WhereChild): string {
  if (node.kind === 'nothing') return 'nothing';
  if (node.kind === 'lookup') {
    const rhs = node.rhs === null ? 'null' : Array.isArray(node.rhs) ? `[${(node.rhs as ExprNode[]).map(nodeKey).join(',')}]` : nodeKey(node.rhs as ExprNode);
    return `${nodeKey(node.lhs)} ${node.lookup} ${rhs}`;
  }
  return `${node.negated ? '!' : ''}${node.connector}{${node.children.map(whereKey).join(';')}}`;
}

/**
 * Rebuilds `node` bottom-up through `visit`: `visit` returns a replacement, or
 * undefined to keep descending. Unchanged subtrees keep their identity.
 */
export function mapExpr(node: ExprNode, visit: (node: ExprNode) => ExprNode | undefined): ExprNode {
  const replaced = visit(node);
  if (replaced !== undefined) return replaced;
  const map = (n: ExprNode): ExprNode => mapExpr(n, visit);
  switch (node.kind) {
    case 'combined': {
      const lhs = map(node.lhs);
      const rhs = map(node.rhs);
      return lhs === node.lhs && rhs === node.rhs ? node : { ...node, lhs, rhs };
    }
    case 'raw': {
      const params = node.params.map(map);
      return params.every((p, i) => p === node.params[i]) ? node : { ...node, params };
    }
    case 'transform': {
      const arg = map(node.arg);
      return arg === node.arg ? node : { ...node, arg };
    }
    case 'cast': {
      const arg = map(node.arg);
      return arg === node.arg ? node : { ...node, arg };
    }
    case 'func': {
      const args = node.args.map(map);
      const filter = node.filter ? mapWhere(node.filter, visit) : undefined;
      return args.every((a, i) => a === node.args[i]) && filter === node.filter ? node : { ...node, args, filter };
    }
    case 'case': {
      const whens = node.whens.map((w) => ({ condition: mapWhere(w.condition, visit), result: map(w.result) }));
      const otherwise = map(node.otherwise);
      return { ...node, whens, otherwise };
    }
    default:
      return node;
  }
}

/** mapExpr over every expression of a condition tree. */
export function mapWhere(node: WhereNode, visit: (node: ExprNode) => ExprNode | undefined): WhereNode {
  const children = node.children.map((child) => mapWhereChild(child, visit));
  return children.every((c, i) => c === node.children[i]) ? node : { ...node, children };
}

function mapWhereChild(child: WhereChild, visit: (node: ExprNode) => ExprNode | undefined): WhereChild {
  if (child.kind === 'nothing') return child;
  if (child.kind === 'where') return mapWhere(child, visit);
  const lhs = mapExpr(child.lhs, visit);
  let rhs: LookupNode['rhs'] = child.rhs;
  if (Array.isArray(child.rhs)) rhs = (child.rhs as ExprNode[]).map((n) => mapExpr(n, visit));
  else if (child.rhs !== null) rhs = mapExpr(child.rhs as ExprNode, visit);
  return { ...child, lhs, rhs };
}

/** Calls `fn` on every expression node reachable from `node`, including inside conditions. */
export function someExpr(node: ExprNode, test: (node: ExprNode) => boolean): boolean {
  let found = false;
  mapExpr(node, (n) => {
    if (found) return n;
    if (test(n)) {
      found = true;
      return n;
    }
    return undefined;
  });
  return found;
}

/** Whether any expression of a condition tree passes `test`. */
export function someInWhere(node: WhereChild, test: (node: ExprNode) => boolean): boolean {
  if (node.kind === 'nothing') return false;
  if (node.kind === 'where') return node.children.some((c) => someInWhere(c, test));
  if (someExpr(node.lhs, test)) return true;
  if (node.rhs === null) return false;
  if (Array.isArray(node.rhs)) return (node.rhs as ExprNode[]).some((n) => someExpr(n, test));
  return someExpr(node.rhs as ExprNode, test);
}

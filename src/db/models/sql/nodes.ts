/**
 * The query tree's nodes: plain, resolved data that the compiler turns into
 * SQL. Nothing here refers back to QuerySet or Model instances; fields are
 * carried only so the compiler can pick converters.
 */
import type { SqlParam } from '../../backends/base/types.ts';
import type { Field } from '../fields/field.ts';

export type ExprNode =
  | { readonly kind: 'col'; readonly alias: string; readonly column: string; readonly field: Field }
  | { readonly kind: 'param'; readonly value: SqlParam }
  | { readonly kind: 'combined'; readonly op: string; readonly lhs: ExprNode; readonly rhs: ExprNode }
  | { readonly kind: 'raw'; readonly sql: string; readonly params: readonly ExprNode[] }
  | { readonly kind: 'transform'; readonly name: string; readonly arg: ExprNode; readonly timeZone: string }
  | {
      readonly kind: 'func';
      readonly name: string;
      readonly args: readonly ExprNode[];
      readonly distinct?: boolean;
      readonly filter?: WhereNode;
      readonly aggregate?: boolean;
      readonly template?: string;
      /** The result is a decimal: backends without a native decimal type give it numeric affinity. */
      readonly decimal?: boolean;
    }
  /** A correlated subquery: `query` is the inner `Query`, compiled inline so parameters stay in order. */
  | { readonly kind: 'subquery'; readonly query: unknown; readonly exists?: boolean }
  /** CASE WHEN … THEN … ELSE … END (Case/When). */
  | {
      readonly kind: 'case';
      readonly whens: readonly { readonly condition: WhereNode; readonly result: ExprNode }[];
      readonly otherwise: ExprNode;
      readonly decimal?: boolean;
    }
  /** CAST(arg AS the column type of `field`). */
  | { readonly kind: 'cast'; readonly arg: ExprNode; readonly field: Field }
  /** OuterRef(name) not yet bound: `depth` levels up. Only valid inside a Subquery/Exists. */
  | { readonly kind: 'outerRef'; readonly name: string; readonly depth: number };

/** A comparison `lhs <lookup> rhs`. `rhs` is a list for `in` and `range`. */
export interface LookupNode {
  readonly kind: 'lookup';
  readonly lookup: string;
  readonly lhs: ExprNode;
  readonly rhs: ExprNode | readonly ExprNode[] | null;
}

/** Matches no rows (an empty `in`, `none()`): compiles to a false condition. */
export interface NothingNode {
  readonly kind: 'nothing';
}

export type WhereChild = WhereNode | LookupNode | NothingNode;

export interface WhereNode {
  readonly kind: 'where';
  readonly connector: 'AND' | 'OR' | 'XOR';
  readonly negated: boolean;
  readonly children: readonly WhereChild[];
}

export const EMPTY_WHERE: WhereNode = Object.freeze({ kind: 'where', connector: 'AND', negated: false, children: [] });

export interface Join {
  readonly alias: string;
  readonly table: string;
  readonly parentAlias: string;
  /** Column on the parent side and on the joined side. */
  readonly parentColumn: string;
  readonly column: string;
  type: 'INNER' | 'LEFT OUTER';
  /** Identity of the relation from its parent alias (`catalog_book|f:publisher`), for join reuse. */
  readonly key: string;
  /** Whether the join can match several rows per parent row (reverse FK, many-to-many). */
  readonly multi: boolean;
}

export interface OrderNode {
  readonly expr: ExprNode;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
  readonly nullsLast: boolean;
  /** ORDER BY RANDOM() */
  readonly random?: boolean;
}

/** One selected column or expression and the name it is read back as. */
export interface SelectItem {
  readonly name: string;
  readonly expr: ExprNode;
  readonly field: Field | undefined;
}

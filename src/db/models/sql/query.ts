/**
 * The query tree: what a QuerySet asks for, as plain data.
 *
 * QuerySet (immutable, clones) → Query (this file: where, joins, ordering,
 * limits, selection) → the backend's compiler → `{ sql, params }`.
 * A Query is mutated only on a fresh clone, by the QuerySet that owns it; the
 * compiler only reads it.
 */
import { FieldError } from '../../../core/exceptions.ts';
import { getCurrentTimeZone } from '../../../utils/timezone.ts';
import type { DatabaseFeatures } from '../../backends/base/types.ts';
import { Expression, FExpression, OrderBy, type ResolveContext } from '../expressions.ts';
import type { Field } from '../fields/field.ts';
import { ForeignKey } from '../fields/related.ts';
import { isLookupName, likePattern, PATTERN_LOOKUPS, transformOutput, unsupportedLookup } from '../lookups.ts';
import type { ModelLike, Options } from '../options.ts';
import { QNode, type Lookups } from '../query-utils.ts';
import {
  EMPTY_WHERE,
  type ExprNode,
  type Join,
  type LookupNode,
  type OrderNode,
  type SelectItem,
  type WhereChild,
  type WhereNode,
} from './nodes.ts';

export type Combinator = 'UNION' | 'INTERSECT' | 'EXCEPT';

/** An annotation kept by name, resolved once when added. */
export interface Annotation {
  readonly name: string;
  readonly expr: ExprNode;
  readonly field: Field | undefined;
  readonly aggregate: boolean;
}

export class Query {
  readonly model: ModelLike;
  readonly meta: Options;
  readonly alias: string;
  readonly features: DatabaseFeatures;
  joins: Join[] = [];
  where: WhereNode = EMPTY_WHERE;
  /** `null` means the model's default ordering applies. */
  ordering: OrderNode[] | null = null;
  /** Set by `orderBy()` with no arguments: no ORDER BY at all, not even the default. */
  noOrdering = false;
  /** False after reverse(): every ordering term is applied in the opposite direction. */
  standardOrdering = true;
  distinct = false;
  low = 0;
  high: number | null = null;
  /** Fields loaded into instances; `null` = every concrete field. */
  loadedFields: Field[] | null = null;
  /** For values()/valuesList(): the selected names; `null` when returning instances. */
  valuesSelect: SelectItem[] | null = null;
  annotations: Annotation[] = [];
  /** GROUP BY: null = none; otherwise the grouped expressions (values() + aggregate annotate). */
  groupBy: ExprNode[] | null = null;
  having: WhereNode = EMPTY_WHERE;
  combinator: { kind: Combinator; all: boolean; queries: Query[] } | null = null;
  isEmpty = false;
  selectForUpdate = false;
  /** When set, field references resolve to these values instead of columns (checking constraints on an instance). */
  valueSource: ((field: Field) => unknown) | undefined = undefined;

  constructor(model: ModelLike, features: DatabaseFeatures) {
    this.model = model;
    this.meta = model._meta;
    this.alias = model._meta.dbTable;
    this.features = features;
  }

  clone(): Query {
    const copy = new Query(this.model, this.features);
    Object.assign(copy, this);
    copy.joins = [...this.joins];
    copy.annotations = [...this.annotations];
    if (this.ordering) copy.ordering = [...this.ordering];
    return copy;
  }

  // --- filters ---------------------------------------------------------------

  /** Adds `filter()` (negate=false) or `exclude()` (negate=true) conditions. */
  addFilter(condition: QNode | Lookups, negate: boolean): void {
    const q = condition instanceof QNode ? condition : new QNode(condition);
    if (q.isEmpty) return;
    const node = this.#buildQ(q, negate);
    const target = this.where;
    const children = target.negated || target.connector !== 'AND' ? [target, node] : [...target.children, node];
    this.where = { kind: 'where', connector: 'AND', negated: false, children: target.children.length ? children : [node] };
  }

  #buildQ(q: QNode, negate: boolean, negatedContext = false): WhereNode {
    const negated = negate !== q.negated;
    const inNegation = negatedContext !== negated;
    const children: WhereChild[] = q.children.map((child) =>
      child instanceof QNode ? this.#buildQ(child, false, inNegation) : this.buildLookup(child[0], child[1], inNegation),
    );
    return { kind: 'where', connector: q.connector, negated, children };
  }

  /** Resolves `price__gte: 10` into a lookup node, adding joins the path needs. */
  buildLookup(path: string, value: unknown, negated: boolean): WhereChild {
    const parts = path.split('__');
    const { node, field, rest } = this.#resolvePath(parts, path, true);
    let lhs = node;
    let target = field;
    let lookup = 'exact';
    for (let i = 0; i < rest.length; i++) {
      const name = rest[i]!;
      const output = transformOutput(target, name);
      if (output) {
        lhs = { kind: 'transform', name, arg: lhs, timeZone: getCurrentTimeZone() };
        target = output;
        continue;
      }
      if (isLookupName(name) && i === rest.length - 1) {
        lookup = name;
        break;
      }
      throw unsupportedLookup(target, name);
    }
    return this.#makeLookup(lookup, lhs, target, value, path, negated);
  }

  #makeLookup(lookup: string, lhs: ExprNode, field: Field, value: unknown, path: string, negated: boolean): WhereChild {
    if (lookup === 'isnull') {
      if (typeof value !== 'boolean') {
        throw new FieldError(`The isnull lookup takes true or false; ${path} got ${JSON.stringify(value)}.`);
      }
      return { kind: 'lookup', lookup: value ? 'isnull' : 'isnotnull', lhs, rhs: null };
    }
    if (value === undefined) {
      throw new FieldError(`Filter ${path} on ${this.meta.objectName} got undefined; pass null to match NULL.`);
    }
    if (value === null) {
      if (lookup === 'exact' || lookup === 'iexact') return { kind: 'lookup', lookup: 'isnull', lhs, rhs: null };
      throw new FieldError(`Cannot use null as a query value for ${path} on ${this.meta.objectName}; use ${path.replace(/__\w+$/, '')}__isnull.`);
    }
    let rhs: ExprNode | ExprNode[];
    if (lookup === 'in') {
      const values = this.#iterableValue(value, path);
      const present = values.filter((v) => v !== null && v !== undefined);
      if (!present.length) return { kind: 'nothing' };
      rhs = present.map((v) => this.resolveValue(v, field, path));
    } else if (lookup === 'range') {
      const values = this.#iterableValue(value, path);
      if (values.length !== 2) throw new FieldError(`The range lookup ${path} takes [low, high]; got ${values.length} values.`);
      rhs = values.map((v) => this.resolveValue(v, field, path));
    } else if (PATTERN_LOOKUPS.has(lookup)) {
      rhs = value instanceof Expression
        ? this.#resolveExpression(value).node
        : { kind: 'param', value: likePattern(lookup, patternText(field, value, path)) };
    } else if (lookup === 'regex' || lookup === 'iregex') {
      rhs = { kind: 'param', value: String(value) };
    } else {
      rhs = this.resolveValue(value, field, path);
    }
    const node: LookupNode = { kind: 'lookup', lookup, lhs, rhs };
    // SQL's NOT (col = 1) drops NULL rows; Django keeps them, so it adds IS NOT NULL inside the negation.
    if (negated && this.#isNullable(lhs)) {
      return {
        kind: 'where',
        connector: 'AND',
        negated: false,
        children: [node, { kind: 'lookup', lookup: 'isnotnull', lhs, rhs: null }],
      };
    }
    return node;
  }

  #iterableValue(value: unknown, path: string): unknown[] {
    if (value instanceof Query || (typeof value === 'object' && value !== null && 'query' in value && 'model' in value)) {
      throw new FieldError(
        `The lookup ${path} got a QuerySet; subqueries are not supported here yet. Pass a list instead: ` +
          `await qs.valuesList('pk', { flat: true }).`,
      );
    }
    if (typeof value === 'string' || value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
      throw new FieldError(`The lookup ${path} takes a list of values; got ${JSON.stringify(value)}.`);
    }
    return [...(value as Iterable<unknown>)];
  }

  #isNullable(node: ExprNode): boolean {
    if (node.kind === 'col') return node.field.null || this.joins.some((j) => j.alias === node.alias && j.type === 'LEFT OUTER');
    if (node.kind === 'transform') return this.#isNullable(node.arg);
    return false;
  }

  /** A value as a parameter node converted for `field`; wrong types are refused before SQL runs. */
  resolveValue(value: unknown, field: Field | undefined, path?: string): ExprNode {
    if (value instanceof Expression) return this.#resolveExpression(value).node;
    if (!field) return { kind: 'param', value: plainParam(value) };
    let prepared: unknown;
    try {
      prepared = field.getPrepValue(value);
    } catch (error) {
      const where = path ? ` in the filter ${path}` : '';
      throw new FieldError(
        `${field.label} expected ${describeType(field)} but got ${JSON.stringify(value) ?? String(value)}${where}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return { kind: 'param', value: field.toDb(prepared, this.features) };
  }

  #resolveExpression(expression: Expression, allowAggregates = false): { node: ExprNode; field: Field | undefined } {
    const context: ResolveContext = {
      resolveRef: (p) => this.resolveRef(p),
      resolveValue: (v, f) => this.resolveValue(v, f),
      allowAggregates,
    };
    return expression.resolve(context);
  }

  /** The column for `publisher__name` (joining as needed), or an annotation by name. */
  resolveRef(path: string): { node: ExprNode; field: Field } {
    const annotation = this.annotations.find((a) => a.name === path);
    if (annotation && annotation.field) return { node: annotation.expr, field: annotation.field };
    const { node, field, rest } = this.#resolvePath(path.split('__'), path, false);
    if (rest.length) {
      throw new FieldError(`${this.meta.objectName}: '${path}' does not name a field (it has extra parts: ${rest.join('__')}).`);
    }
    return { node, field };
  }

  /**
   * Walks `a__b__c` through to-one relations. Returns the final field's column
   * and the parts left over (transforms and the lookup).
   */
  #resolvePath(parts: string[], fullPath: string, allowRest: boolean): { node: ExprNode; field: Field; rest: string[] } {
    let meta = this.meta;
    let alias = this.alias;
    let walked = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const field = meta.findField(name);
      if (!field) {
        if (i === 0) {
          const annotation = this.annotations.find((a) => a.name === name);
          if (annotation) return { node: annotation.expr, field: annotation.field ?? meta.pk, rest: parts.slice(1) };
        }
        throw new FieldError(
          `Cannot resolve keyword '${name}' into field of ${meta.objectName} (in '${fullPath}'). ` +
            `Choices are: ${[...meta.fieldNames(), ...this.annotations.map((a) => a.name)].sort().join(', ')}.`,
        );
      }
      const next = parts[i + 1];
      if (field instanceof ForeignKey && next !== undefined && !(allowRest && isLookupOrTransform(field, next))) {
        const remote = field.remoteModel._meta as Options;
        // publisher__id needs no join: the key is already in this table.
        if (remote.findField(next) === field.targetField && (i + 2 >= parts.length || allowRest)) {
          return { node: col(alias, field), field, rest: parts.slice(i + 2) };
        }
        walked = walked ? `${walked}__${name}` : name;
        alias = this.setupJoin(alias, field, walked);
        meta = remote;
        continue;
      }
      if (this.valueSource) {
        return { node: this.resolveValue(this.valueSource(field), field), field, rest: parts.slice(i + 1) };
      }
      if (field.attname === name && field instanceof ForeignKey) {
        return { node: col(alias, field), field: field.targetField, rest: parts.slice(i + 1) };
      }
      return { node: col(alias, field), field, rest: parts.slice(i + 1) };
    }
    throw new FieldError(`'${fullPath}' ends at a relation of ${meta.objectName}; name a field after it.`);
  }

  /** Joins the table of `field`'s related model to `parentAlias` once per path; returns its alias. */
  setupJoin(parentAlias: string, field: ForeignKey, path: string, forceOuter = false): string {
    const existing = this.joins.find((j) => j.path === path);
    if (existing) return existing.alias;
    const remote = field.remoteModel._meta as Options;
    const taken = new Set([this.alias, ...this.joins.map((j) => j.alias)]);
    const alias = taken.has(remote.dbTable) ? `T${taken.size + 1}` : remote.dbTable;
    const parentOuter = this.joins.some((j) => j.alias === parentAlias && j.type === 'LEFT OUTER');
    this.joins.push({
      alias,
      table: remote.dbTable,
      parentAlias,
      parentColumn: field.column,
      column: field.targetField.column,
      type: forceOuter || field.null || parentOuter ? 'LEFT OUTER' : 'INNER',
      path,
    });
    return alias;
  }

  // --- ordering ---------------------------------------------------------------

  /** Sets ORDER BY from `'-field'`, `'?'`, `'rel__field'` or OrderBy/expressions. */
  setOrdering(items: readonly (string | OrderBy | Expression)[]): void {
    this.noOrdering = items.length === 0;
    this.ordering = items.flatMap((item) => this.#orderNodes(item));
  }

  #orderNodes(item: string | OrderBy | Expression): OrderNode[] {
    if (item instanceof OrderBy) {
      const { node } = this.#resolveExpression(item.expression, true);
      return [{ expr: node, descending: item.descending, nullsFirst: item.nullsFirst, nullsLast: item.nullsLast }];
    }
    if (item instanceof Expression) return this.#orderNodes(item.asc());
    if (item === '?') return [{ expr: { kind: 'raw', sql: 'RANDOM()', params: [] }, descending: false, nullsFirst: false, nullsLast: false, random: true }];
    if (typeof item !== 'string' || item === '' || item === '-') {
      throw new FieldError(`orderBy() takes field names like 'title' or '-price', '?', or F('x').desc(); got ${JSON.stringify(item)}.`);
    }
    const descending = item.startsWith('-');
    const path = descending || item.startsWith('+') ? item.slice(1) : item;
    const { node, field } = this.resolveRef(path);
    // Ordering by a relation means ordering by the related model's ordering, or its pk.
    if (field instanceof ForeignKey && node.kind === 'col' && node.column === field.column && path.split('__').at(-1) === field.name) {
      const remote = field.remoteModel._meta as Options;
      if (remote.ordering.length) {
        return remote.ordering.flatMap((o) => {
          const desc = o.startsWith('-') !== descending;
          const name = o.replace(/^-/, '');
          return this.#orderNodes(`${desc ? '-' : ''}${path}__${name}`);
        });
      }
    }
    return [{ expr: node, descending, nullsFirst: false, nullsLast: false }];
  }

  /** The ORDER BY in force: explicit, else the model's default (unless cleared), flipped by reverse(). */
  effectiveOrdering(): OrderNode[] {
    let ordering: OrderNode[];
    if (this.ordering) ordering = this.ordering;
    else if (this.noOrdering || !this.meta.ordering.length) ordering = [];
    else ordering = this.meta.ordering.flatMap((o) => this.#orderNodes(o));
    if (this.standardOrdering) return ordering;
    return ordering.map((o) => ({ ...o, descending: !o.descending, nullsFirst: o.nullsLast, nullsLast: o.nullsFirst }));
  }

  /**
   * Flips the direction of the ordering, now and of any set later, as Django's
   * reverse() does; a query without ordering stays unordered.
   */
  reverseOrdering(): void {
    this.standardOrdering = !this.standardOrdering;
  }

  // --- limits -------------------------------------------------------------------

  /** Applies a slice relative to the current one, as chained slicing does in Django. */
  setLimits(low: number | undefined, high: number | undefined): void {
    if (high !== undefined) this.high = this.high !== null ? Math.min(this.high, this.low + high) : this.low + high;
    if (low !== undefined) this.low = this.high !== null ? Math.min(this.high, this.low + low) : this.low + low;
  }

  get isSliced(): boolean {
    return this.low !== 0 || this.high !== null;
  }

  // --- selection ------------------------------------------------------------------

  /** Adds a named annotation; names may not shadow fields. */
  addAnnotation(name: string, expression: Expression): void {
    if (this.meta.findField(name)) {
      throw new FieldError(`The annotation '${name}' conflicts with a field on ${this.meta.objectName}; choose another name.`);
    }
    const { node, field } = this.#resolveExpression(expression, true);
    const aggregate = containsAggregate(node);
    this.annotations = [...this.annotations.filter((a) => a.name !== name), { name, expr: node, field, aggregate }];
  }

  /** Resolves an expression against this query (for aggregate() and update()). */
  resolveExpression(expression: Expression, allowAggregates: boolean): { node: ExprNode; field: Field | undefined } {
    return this.#resolveExpression(expression, allowAggregates);
  }

  /** Selected items for values()/valuesList(): fields by path, and annotations by name. */
  setValues(names: readonly string[]): void {
    const chosen = names.length
      ? names
      : [...this.meta.fields.map((f) => f.attname), ...this.annotations.map((a) => a.name)];
    this.valuesSelect = chosen.map((name) => {
      const annotation = this.annotations.find((a) => a.name === name);
      if (annotation) return { name, expr: annotation.expr, field: annotation.field };
      const { node, field } = this.resolveRef(name);
      return { name, expr: node, field };
    });
  }

  /** The concrete fields instances are built from. */
  get instanceFields(): readonly Field[] {
    return this.loadedFields ?? this.meta.fields;
  }
}

function col(alias: string, field: Field): ExprNode {
  return { kind: 'col', alias, column: field.column, field };
}

function isLookupOrTransform(field: Field, name: string): boolean {
  return isLookupName(name) || transformOutput(field, name) !== undefined;
}

function containsAggregate(node: ExprNode): boolean {
  switch (node.kind) {
    case 'func':
      return Boolean(node.aggregate) || node.args.some(containsAggregate);
    case 'combined':
      return containsAggregate(node.lhs) || containsAggregate(node.rhs);
    case 'transform':
      return containsAggregate(node.arg);
    default:
      return false;
  }
}

/** The text a pattern lookup matches: the field's own string form of the value. */
function patternText(field: Field, value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  let prepared: unknown;
  try {
    prepared = field.getPrepValue(value);
  } catch (error) {
    throw new FieldError(`${field.label} cannot match ${JSON.stringify(value) ?? String(value)} in the filter ${path}: ${(error as Error).message}`, { cause: error });
  }
  return prepared instanceof Date ? prepared.toISOString() : String(prepared);
}

function plainParam(value: unknown): import('../../backends/base/types.ts').SqlParam {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint' || value instanceof Uint8Array) return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function describeType(field: Field): string {
  const type = field.internalType;
  if (type.includes('Integer') || type.includes('Auto')) return 'an integer';
  if (type === 'DecimalField' || type === 'FloatField') return 'a number';
  if (type === 'DateField') return 'a date';
  if (type === 'DateTimeField') return 'a datetime';
  if (type === 'BooleanField') return 'a boolean';
  return `a value for ${type}`;
}

export { FExpression };

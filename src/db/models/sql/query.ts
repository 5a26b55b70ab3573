/**
 * The query tree: what a QuerySet asks for, as plain data.
 *
 * QuerySet (immutable, clones) → Query (this file: where, joins, ordering,
 * limits, selection) → the backend's compiler → `{ sql, params }`.
 * A Query is mutated only on a fresh clone, by the QuerySet that owns it; the
 * compiler only reads it.
 */
import { FieldError } from '../../../core/exceptions.ts';
import { NotSupportedError } from '../../errors.ts';
import { getCurrentTimeZone } from '../../../utils/timezone.ts';
import type { DatabaseFeatures } from '../../backends/base/types.ts';
import type { ForUpdateOptions } from '../../backends/base/operations.ts';
import { Expression, FExpression, OrderBy, type ResolveContext } from '../expressions.ts';
import type { Field } from '../fields/field.ts';
import { ForeignKey, OneToOneField } from '../fields/related.ts';
import { isLookupName, likePattern, PATTERN_LOOKUPS, transformOutput, unsupportedLookup } from '../lookups.ts';
import { relationPath, type Hop } from './paths.ts';
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

/** A to-one relation loaded by selectRelated(): its alias, the fields selected, and nested ones. */
export interface RelatedSelection {
  /** Attribute the object is cached under on its parent (`publisher`, or a reverse one-to-one accessor). */
  readonly name: string;
  /** The `__` path from the base model (`customer__profile`), as only()/defer() name it. */
  readonly path: string;
  readonly model: ModelLike;
  readonly alias: string;
  readonly fields: readonly Field[];
  readonly reverse: boolean;
  readonly children: RelatedSelection[];
}

/** An annotation kept by name, resolved once when added. */
export interface Annotation {
  readonly name: string;
  readonly expr: ExprNode;
  readonly field: Field | undefined;
  readonly aggregate: boolean;
  /** False for alias(): usable in filters and ordering but not selected. */
  readonly selected?: boolean;
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
  /** distinct(...fields): the DISTINCT ON expressions (PostgreSQL); empty for plain DISTINCT. */
  distinctFields: readonly ExprNode[] = [];
  /** The names given to distinct(...fields), for error messages. */
  distinctNames: readonly string[] = [];
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
  /** selectForUpdate(): how the selected rows are locked, or false for no lock. */
  selectForUpdate: ForUpdateOptions | false = false;
  /** Related objects loaded in the same query by selectRelated(), in select order. */
  relatedSelections: RelatedSelection[] = [];
  /** only()/defer() of related objects: path → the fields loaded (pk always among them). */
  relatedLoaded: Map<string, readonly Field[]> = new Map();
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
    copy.relatedSelections = [...this.relatedSelections];
    copy.relatedLoaded = new Map(this.relatedLoaded);
    if (this.ordering) copy.ordering = [...this.ordering];
    return copy;
  }

  // --- filters ---------------------------------------------------------------

  /** Adds `filter()` (negate=false) or `exclude()` (negate=true) conditions. */
  addFilter(condition: QNode | Lookups, negate: boolean): void {
    const q = condition instanceof QNode ? condition : new QNode(condition);
    if (q.isEmpty) return;
    // Multi-valued joins are shared by the conditions of one filter() call only,
    // so filter(a, b) finds one related row matching both, filter(a).filter(b) two rows.
    this.#reusable = new Set();
    let node: WhereNode;
    try {
      node = this.#buildQ(q, negate, false, false);
    } finally {
      this.#reusable = null;
    }
    // `pk__in: []` can match no row: the QuerySet answers without SQL, as Django's EmptyResultSet does.
    if (matchesNothing(node)) this.isEmpty = true;
    const target = this.where;
    const children = target.negated || target.connector !== 'AND' ? [target, node] : [...target.children, node];
    this.where = { kind: 'where', connector: 'AND', negated: false, children: target.children.length ? children : [node] };
  }

  /** Aliases of multi-valued joins the current filter() call may reuse; null = reuse any (annotations, ordering). */
  #reusable: Set<string> | null = null;

  #buildQ(q: QNode, negate: boolean, negatedContext: boolean, outerContext: boolean): WhereNode {
    const negated = negate !== q.negated;
    const inNegation = negatedContext !== negated;
    // Joins inside OR or NOT must not drop rows that lack the related row.
    const outer = outerContext || inNegation || (q.connector !== 'AND' && q.children.length > 1);
    const children: WhereChild[] = q.children.map((child) =>
      child instanceof QNode
        ? this.#buildQ(child, false, inNegation, outer)
        : this.buildLookup(child[0], child[1], inNegation, outer),
    );
    return { kind: 'where', connector: q.connector, negated, children };
  }

  /** Resolves `price__gte: 10` into a lookup node, adding joins the path needs. */
  buildLookup(path: string, value: unknown, negated: boolean, outer = false): WhereChild {
    const parts = path.split('__');
    if (negated && this.#multiValuedIndex(parts) >= 0) return this.#splitExclude(parts, value, path);
    const wantsNull = parts.at(-1) === 'isnull' && value === true;
    const { node, field, rest, relation } = this.#resolvePath(parts, path, true, outer || wantsNull);
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
      if (i === rest.length - 1 && (isLookupName(name) || target.getLookup(name))) {
        lookup = name;
        break;
      }
      // Field types with transforms of their own (JSON keys, array indexes) come last, as in Django.
      const transform = target.getTransform(name);
      if (transform) {
        lhs = transform.apply(lhs, this.features);
        target = transform.output;
        continue;
      }
      throw unsupportedLookup(target, name);
    }
    // A path ending at a relation compares keys: model instances stand for their primary key.
    const compared = relation ? instancesToKeys(value) : value;
    const custom = relation ? undefined : target.getLookup(lookup);
    if (custom) {
      const built = custom(lhs, compared, {
        features: this.features,
        path,
        negated,
        param: (v, f) => (f ? this.resolveValue(v, f, path) : { kind: 'param', value: plainParam(v) }),
      });
      // As for standard lookups, NOT (…) must not drop rows whose column is NULL.
      if (!negated || !this.#isNullable(node)) return built;
      return { kind: 'where', connector: 'AND', negated: false, children: [built, { kind: 'lookup', lookup: 'isnotnull', lhs: node, rhs: null }] };
    }
    return this.#makeLookup(lookup, lhs, target, compared, path, negated);
  }

  /** Index of the first multi-valued relation in a path, or -1 (walks metadata only, adds no join). */
  #multiValuedIndex(parts: readonly string[]): number {
    let meta = this.meta;
    for (let i = 0; i < parts.length; i++) {
      const relation = relationPath(meta, parts[i]!);
      if (!relation) return -1;
      if (relation.multi) return i;
      meta = relation.hops.at(-1)!.meta;
    }
    return -1;
  }

  /**
   * exclude() across a multi-valued relation excludes rows having ANY related
   * row that matches, as Django does: `pk NOT IN (SELECT fk FROM child WHERE …)`.
   */
  #splitExclude(parts: readonly string[], value: unknown, path: string): WhereChild {
    const index = this.#multiValuedIndex(parts);
    const prefix = parts.slice(0, index);
    const name = parts[index]!;
    let rest = parts.slice(index + 1);
    const parentMeta = prefix.length ? this.#metaAt(prefix) : this.meta;
    const relation = relationPath(parentMeta, name)!;
    const first = relation.hops[0]!;
    // Start the inner query at the first joined table; the rest of the path continues from there.
    const innerModel = first.meta.model;
    const remainder = relation.hops.length === 2 ? [(relation.trim!.field as ForeignKey).name] : [];
    if (!rest.length || isLookupName(rest[0]!)) rest = [...(remainder.length ? remainder : ['pk']), ...rest];
    else rest = [...remainder, ...rest];
    const inner = new Query(innerModel, this.features);
    inner.addFilter(new QNode({ [rest.join('__')]: value }), false);
    const backColumn = first.meta.fields.find((f) => f.column === first.column)!;
    inner.addFilter(new QNode({ [`${backColumn.attname}__isnull`]: false }), false);
    inner.valuesSelect = [{ name: 'fk', expr: col(inner.alias, backColumn), field: backColumn }];
    inner.noOrdering = true;
    const parent = prefix.length ? this.resolveRef(prefix.join('__')) : undefined;
    const parentAlias = parent && parent.node.kind === 'col' ? this.#aliasOfPath(prefix) : this.alias;
    const parentField = parentMeta.fields.find((f) => f.column === first.parentColumn)!;
    void path;
    return { kind: 'lookup', lookup: 'in', lhs: col(parentAlias, parentField), rhs: { kind: 'subquery', query: inner } };
  }

  #metaAt(parts: readonly string[]): Options {
    let meta = this.meta;
    for (const part of parts) meta = relationPath(meta, part)!.hops.at(-1)!.meta;
    return meta;
  }

  #aliasOfPath(parts: readonly string[]): string {
    let alias = this.alias;
    let meta = this.meta;
    for (const part of parts) {
      const relation = relationPath(meta, part)!;
      for (const hop of relation.hops) alias = this.setupJoin(alias, hop, false);
      meta = relation.hops.at(-1)!.meta;
    }
    return alias;
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
    if (lookup === 'in' && isQueryHolder(value)) {
      return { kind: 'lookup', lookup: 'in', lhs, rhs: { kind: 'subquery', query: subqueryOf(value.query) } };
    }
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
      resolveCondition: (c) => this.buildCondition(c),
      allowAggregates,
      features: this.features,
    };
    return expression.resolve(context);
  }

  // --- conditions from expressions (When, aggregate filters, filter(Exists(...))) ---------

  /** A condition resolved against this query but not added to WHERE: When() and `filter: Q(...)` of aggregates. */
  buildCondition(condition: QNode | Lookups | Expression): WhereNode {
    if (condition instanceof Expression) {
      const { node } = this.#resolveExpression(condition, true);
      return { kind: 'where', connector: 'AND', negated: false, children: [{ kind: 'lookup', lookup: 'expression', lhs: node, rhs: null }] };
    }
    const q = condition instanceof QNode ? condition : new QNode(condition);
    return this.#buildQ(q, false, false, false);
  }

  /** filter(Exists(...)) and exclude(...): a boolean expression as a condition of its own. */
  addExpressionFilter(expression: Expression, negate: boolean): void {
    const built = this.buildCondition(expression);
    const node: WhereNode = negate ? { ...built, negated: true } : built;
    // `pk__in: []` can match no row: the QuerySet answers without SQL, as Django's EmptyResultSet does.
    if (matchesNothing(node)) this.isEmpty = true;
    const target = this.where;
    const children = target.negated || target.connector !== 'AND' ? [target, node] : [...target.children, node];
    this.where = { kind: 'where', connector: 'AND', negated: false, children: target.children.length ? children : [node] };
  }

  /** The column for `publisher__name` (joining as needed), or an annotation by name. */
  resolveRef(path: string): { node: ExprNode; field: Field } {
    const annotation = this.annotations.find((a) => a.name === path);
    if (annotation && annotation.field) return { node: annotation.expr, field: annotation.field };
    const { node, field, rest } = this.#resolvePath(path.split('__'), path, true, true);
    // values('data__owner'), orderBy('tags__0'): a field's own transforms apply here too.
    let expr = node;
    let output = field;
    for (const name of rest) {
      const transform = output.getTransform(name);
      if (!transform) {
        throw new FieldError(`${this.meta.objectName}: '${path}' does not name a field (it has extra parts: ${rest.join('__')}).`);
      }
      expr = transform.apply(expr, this.features);
      output = transform.output;
    }
    return { node: expr, field: output };
  }

  /**
   * Walks `a__b__c` through relations in either direction, joining as it goes.
   * Returns the final column, its field, the parts left over (transforms and the
   * lookup), and whether the path ended at a relation (then values are keys).
   */
  #resolvePath(
    parts: string[],
    fullPath: string,
    allowRest: boolean,
    outer: boolean,
  ): { node: ExprNode; field: Field; rest: string[]; relation: boolean } {
    let meta = this.meta;
    let alias = this.alias;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const relation = relationPath(meta, name);
      if (!relation) {
        const field = meta.findField(name);
        if (!field) {
          if (i === 0) {
            const annotation = this.annotations.find((a) => a.name === name);
            if (annotation) return { node: annotation.expr, field: annotation.field ?? meta.pk, rest: parts.slice(1), relation: false };
          }
          throw new FieldError(
            `Cannot resolve keyword '${name}' into field of ${meta.objectName} (in '${fullPath}'). ` +
              `Choices are: ${[...meta.fieldNames(), ...meta.relatedObjects.map((r) => r.field.relatedQueryName), ...this.annotations.map((a) => a.name)].sort().join(', ')}.`,
          );
        }
        if (this.valueSource && alias === this.alias) {
          return { node: this.resolveValue(this.valueSource(field), field), field, rest: parts.slice(i + 1), relation: false };
        }
        // `publisherId` names the key column itself.
        const compared = field instanceof ForeignKey ? field.targetField : field;
        return { node: col(alias, field), field: compared, rest: parts.slice(i + 1), relation: false };
      }
      const next = parts[i + 1];
      const target = relation.targetField;
      const endsHere = next === undefined || (allowRest && isLookupOrTransform(target, next));
      const targetNamed = next !== undefined && (next === 'pk' || next === target.name) && (i + 2 >= parts.length || allowRest);
      if ((endsHere || targetNamed) && relation.trim) {
        // publisher / publisher__id / authors__in need no join to the far table: the key is already stored.
        for (const hop of relation.hops.slice(0, relation.trim.hopsBefore)) alias = this.setupJoin(alias, hop, outer);
        const node = col(alias, relation.trim.field);
        return { node, field: relation.trim.field, rest: parts.slice(i + (endsHere ? 1 : 2)), relation: true };
      }
      for (const hop of relation.hops) alias = this.setupJoin(alias, hop, outer);
      meta = relation.hops.at(-1)!.meta;
      if (endsHere) return { node: col(alias, meta.pk), field: meta.pk, rest: parts.slice(i + 1), relation: true };
    }
    throw new FieldError(`'${fullPath}' ends at a relation of ${meta.objectName}; name a field after it.`);
  }

  /**
   * Joins `hop` to `parentAlias`, reusing an existing join for the same relation
   * unless it is multi-valued and belongs to an earlier filter() call.
   */
  setupJoin(parentAlias: string, hop: Hop, outer: boolean): string {
    const key = `${parentAlias}|${hop.key}`;
    const parentOuter = this.joins.some((j) => j.alias === parentAlias && j.type === 'LEFT OUTER');
    const type = outer || parentOuter || (hop.nullable && !hop.multi) ? 'LEFT OUTER' : 'INNER';
    const existing = this.joins.find((j) => j.key === key && (!j.multi || this.#reusable === null || this.#reusable.has(j.alias)));
    if (existing) {
      // An INNER join with its conditions is equivalent to the LEFT OUTER one; promote when a later use needs it.
      if (type === 'LEFT OUTER' && existing.type === 'INNER') {
        this.joins = this.joins.map((j) => (j === existing ? { ...j, type } : j));
      }
      return existing.alias;
    }
    const taken = new Set([this.alias, ...this.joins.map((j) => j.alias)]);
    const alias = taken.has(hop.table) ? `T${taken.size + 1}` : hop.table;
    this.joins = [...this.joins, { alias, table: hop.table, parentAlias, parentColumn: hop.parentColumn, column: hop.column, type, key, multi: hop.multi }];
    this.#reusable?.add(alias);
    return alias;
  }

  /**
   * Selects the value at `path` under `name` on each instance (prefetchRelated
   * reads the join table's key this way to group many-to-many rows).
   */
  addRelationKey(name: string, path: string): void {
    // Reuse the filter's joins as they are: the key is read from rows the filter already requires.
    const { node, field } = this.#resolvePath(path.split('__'), path, false, false);
    this.annotations = [...this.annotations, { name, expr: node, field, aggregate: false }];
  }

  // --- selectRelated -----------------------------------------------------------

  /**
   * Joins to-one relations so their objects load with the rows: paths like
   * `customer__profile`, or `true` for every non-null ForeignKey (5 levels deep),
   * as Django's select_related() without arguments does.
   */
  setSelectRelated(paths: readonly string[] | true): void {
    if (paths === true) {
      this.relatedSelections = this.#followNonNull(this.meta, this.alias, 0);
      return;
    }
    for (const path of paths) this.#addSelection(path.split('__'), path);
  }

  #followNonNull(meta: Options, alias: string, depth: number, prefix = ''): RelatedSelection[] {
    if (depth >= 5) return [];
    return meta.fields
      .filter((f): f is ForeignKey => f instanceof ForeignKey && !f.null)
      .map((fk) => {
        const relation = relationPath(meta, fk.name)!;
        const joined = this.setupJoin(alias, relation.hops[0]!, false);
        const remote = relation.hops[0]!.meta;
        const path = prefix ? `${prefix}__${fk.name}` : fk.name;
        return { name: fk.name, path, model: remote.model, alias: joined, fields: remote.fields, reverse: false, children: this.#followNonNull(remote, joined, depth + 1, path) };
      });
  }

  #addSelection(parts: readonly string[], path: string): void {
    let meta = this.meta;
    let alias = this.alias;
    let level = this.relatedSelections;
    for (const [index, name] of parts.entries()) {
      const relation = relationPath(meta, name);
      const single = relation && !relation.multi;
      if (!relation || !single) {
        const choices = [
          ...meta.fields.filter((f) => f instanceof ForeignKey).map((f) => f.name),
          ...meta.relatedObjects.filter((r) => r.field instanceof OneToOneField).map((r) => (r.field as ForeignKey).relatedAccessorName),
        ];
        throw new FieldError(
          `Invalid field name given in selectRelated: '${name}' (in '${path}') is not a to-one relation of ${meta.objectName}. ` +
            `Choices are: ${choices.join(', ') || '(none)'}.` +
            (relation?.multi ? ` Use prefetchRelated('${path}') for to-many relations.` : ''),
        );
      }
      const hop = relation.hops[0]!;
      const reverse = !meta.findField(name);
      alias = this.setupJoin(alias, hop, reverse);
      meta = hop.meta;
      const accessor = reverse ? (meta.fields.find((f) => f.column === hop.column) as ForeignKey).relatedAccessorName : name;
      let selection = level.find((s) => s.name === accessor);
      if (!selection) {
        selection = { name: accessor, path: parts.slice(0, index + 1).join('__'), model: meta.model, alias, fields: meta.fields, reverse, children: [] };
        level.push(selection);
      }
      level = selection.children;
    }
  }

  /** The fields a selectRelated() object loads: all, or what only()/defer() left. */
  relatedFields(selection: RelatedSelection): readonly Field[] {
    return this.relatedLoaded.get(selection.path) ?? selection.fields;
  }

  /**
   * only() (`keep`) or defer() of field names, local (`title`) or through to-one
   * relations loaded by selectRelated (`publisher__name`). The primary key is
   * always loaded, and so is a local key whose related fields are named.
   */
  restrictFields(names: readonly string[], keep: boolean): void {
    const byPath = new Map<string, string[]>();
    for (const name of names) {
      const cut = name.lastIndexOf('__');
      const path = cut < 0 ? '' : name.slice(0, cut);
      byPath.set(path, [...(byPath.get(path) ?? []), cut < 0 ? name : name.slice(cut + 2)]);
      // Naming publisher__name keeps the key publisherId, which the relation is read through.
      const first = name.split('__')[0]!;
      if (keep && cut >= 0 && this.meta.findField(first) instanceof ForeignKey) byPath.set('', [...(byPath.get('') ?? []), first]);
    }
    for (const [path, fieldNames] of byPath) {
      if (path && this.#multiValuedIndex(path.split('__')) >= 0) {
        throw new FieldError(
          `${keep ? 'only' : 'defer'}() cannot follow the to-many relation in '${path}'; restrict the prefetched rows instead: ` +
            `new Prefetch('${path}', { queryset: Model.objects.${keep ? 'only' : 'defer'}(…) }).`,
        );
      }
      const meta = path ? this.#metaAt(path.split('__')) : this.meta;
      const named = new Set(fieldNames.map((n) => meta.getField(n)));
      const current = path ? (this.relatedLoaded.get(path) ?? meta.fields) : (this.loadedFields ?? meta.fields);
      if (!keep && named.has(meta.pk)) throw new FieldError(`${meta.objectName}: the primary key cannot be deferred.`);
      const loaded = keep ? meta.fields.filter((f) => f.primaryKey || named.has(f) || (path === '' && this.#keptKey(f, byPath))) : current.filter((f) => !named.has(f));
      if (path) this.relatedLoaded.set(path, loaded);
      else this.loadedFields = loaded;
    }
  }

  #keptKey(field: Field, byPath: ReadonlyMap<string, string[]>): boolean {
    return (byPath.get('') ?? []).includes(field.name);
  }

  /** DISTINCT ON the fields at these paths; databases without it refuse at once. */
  setDistinctFields(names: readonly string[]): void {
    if (!this.features.supportsDistinctOn) {
      throw new NotSupportedError(
        `distinct(${names.map((n) => `'${n}'`).join(', ')}) on ${this.meta.objectName}: DISTINCT ON fields is not supported by this database backend (only PostgreSQL has it). ` +
          'Use distinct() without field names, or values(...fields).distinct().',
      );
    }
    this.distinctNames = names;
    this.distinctFields = names.map((name) => this.resolveRef(name).node);
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
    if (this.meta.findField(name) || this.meta.findRelatedObject(name)) {
      throw new FieldError(`The annotation '${name}' conflicts with a field or relation on ${this.meta.objectName}; choose another name.`);
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
      : [...this.meta.fields.map((f) => f.attname), ...this.annotations.filter((a) => a.selected !== false).map((a) => a.name)];
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

/** Whether a condition can match no row at all (an empty `__in` that AND makes decisive). */
function matchesNothing(node: WhereChild): boolean {
  if (node.kind === 'nothing') return true;
  if (node.kind !== 'where' || node.negated || !node.children.length) return false;
  return node.connector === 'AND' ? node.children.some(matchesNothing) : node.children.every(matchesNothing);
}

/** Model instances (and lists of them) compared to a relation stand for their primary keys. */
function instancesToKeys(value: unknown): unknown {
  const key = (v: unknown) => (typeof v === 'object' && v !== null && '_state' in v && 'pk' in v ? (v as { pk: unknown }).pk : v);
  if (Array.isArray(value)) return value.map(key);
  if (value instanceof Set) return [...value].map(key);
  return key(value);
}

/** A QuerySet (anything holding a Query) used as the right side of `__in`. */
function isQueryHolder(value: unknown): value is { query: Query } {
  return typeof value === 'object' && value !== null && 'query' in value && (value as { query: unknown }).query instanceof Query;
}

/** The inner query of `__in`: one column (its values() column, else the primary key), no ordering. */
function subqueryOf(query: Query): Query {
  const inner = query.clone();
  if (!inner.valuesSelect) inner.valuesSelect = [{ name: 'pk', expr: col(inner.alias, inner.meta.pk), field: inner.meta.pk }];
  if (inner.valuesSelect.length !== 1) {
    throw new FieldError(`A QuerySet used in __in must select one column; call valuesList('field', { flat: true }) or values('field') on it.`);
  }
  if (!inner.isSliced) {
    inner.ordering = [];
    inner.noOrdering = true;
  }
  return inner;
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

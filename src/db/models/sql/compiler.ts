/**
 * The SQL compiler: reads a `Query` and writes `{ sql, params }`.
 *
 * It never reaches back into QuerySet or Model: everything it needs is in the
 * query tree and the backend's operations. Each clause has its own method so
 * a backend overrides only the hooks that differ.
 */
import type { BaseDatabaseOperations } from '../../backends/base/operations.ts';
import type { CompiledQuery, SqlParam } from '../../backends/base/types.ts';
import type { Field } from '../fields/field.ts';
import { DateTimeField } from '../fields/temporal.ts';
import { groupByTerms, isGrouped, splitHaving } from './aggregation.ts';
import { nodeKey } from './walk.ts';
import type { ExprNode, LookupNode, OrderNode, SelectItem, WhereChild, WhereNode } from './nodes.ts';
import type { Query, RelatedSelection } from './query.ts';
import { OuterRefOutsideSubqueryError } from '../errors.ts';
import { FieldError } from '../../../core/exceptions.ts';

/** A compiled SELECT and how to read its rows: one entry per column, in order. */
export interface CompiledSelect extends CompiledQuery {
  readonly columns: readonly SelectItem[];
}

/** Accumulates SQL parameters and hands out placeholders in order. */
class Params {
  readonly values: SqlParam[] = [];
  readonly #ops: BaseDatabaseOperations;

  constructor(ops: BaseDatabaseOperations) {
    this.#ops = ops;
  }

  /** `column`: the parameter is compared with a column of that field, which may type it (see `columnPlaceholder`). */
  add(value: SqlParam, column?: Field): string {
    this.values.push(value);
    const index = this.values.length;
    return column === undefined ? this.#ops.placeholder(index, value) : this.#ops.columnPlaceholder(index, value, column);
  }
}

export class SQLCompiler {
  readonly ops: BaseDatabaseOperations;

  constructor(ops: BaseDatabaseOperations) {
    this.ops = ops;
  }

  q(name: string): string {
    return this.ops.quoteName(name);
  }

  // --- SELECT -------------------------------------------------------------------

  /** The columns a query selects: values(), else the model's loaded fields plus annotations. */
  selectColumns(query: Query): SelectItem[] {
    if (query.valuesSelect) return query.valuesSelect;
    const columns: SelectItem[] = query.instanceFields.map((field) => ({
      name: field.attname,
      expr: { kind: 'col', alias: query.alias, column: field.column, field },
      field,
    }));
    for (const a of query.annotations) if (a.selected !== false) columns.push({ name: a.name, expr: a.expr, field: a.field });
    // selectRelated objects follow, depth first, in the order the row mapper reads them.
    const addRelated = (selections: readonly RelatedSelection[]) => {
      for (const selection of selections) {
        for (const field of query.relatedFields(selection)) {
          columns.push({ name: field.attname, expr: { kind: 'col', alias: selection.alias, column: field.column, field }, field });
        }
        addRelated(selection.children);
      }
    };
    addRelated(query.relatedSelections);
    return columns;
  }

  compileSelect(query: Query, params = new Params(this.ops)): CompiledSelect {
    const columns = this.selectColumns(query);
    if (query.combinator) return this.#compileCombined(query, columns, params);
    // As Django does since 3.1, a grouped query ignores the model's default ordering.
    const grouped = isGrouped(query);
    const ordering = grouped && query.ordering === null ? [] : query.effectiveOrdering();
    const { where, having } = grouped ? splitHaving(query.where) : { where: query.where, having: null };
    // DISTINCT ON's expressions come first in the text, so their parameters are numbered first.
    const distinctOn = query.distinctFields.length ? this.#distinctOn(query, ordering, params) : '';
    const select = columns.map((c) => `${this.expr(c.expr, params)}${this.#needsAlias(c) ? ` AS ${this.q(c.name)}` : ''}`);
    if (query.distinct && !distinctOn) {
      // As in Django, DISTINCT also covers the ordering columns, which the database needs
      // selected; rows are read by position, so the extra columns are never mapped.
      for (const o of ordering) {
        if (!o.random && !columns.some((c) => sameExpr(c.expr, o.expr))) select.push(this.expr(o.expr, params));
      }
    }
    let sql = `SELECT ${distinctOn || (query.distinct ? 'DISTINCT ' : '')}${select.join(', ')}`;
    sql += this.#fromAndWhere(query, params, where);
    if (grouped) sql += this.#groupByAndHaving(query, columns, ordering, having, params);
    sql += this.orderBy(ordering, params, grouped && this.ops.groupBySelectIndex ? columns : undefined);
    sql += this.ops.limitOffset(query.low, query.high);
    if (query.selectForUpdate) sql += this.ops.forUpdateSql(query.selectForUpdate, this.#lockedAliases(query, query.selectForUpdate.of ?? []));
    return { sql, params: params.values, columns };
  }

  /**
   * `DISTINCT ON (…) `. PostgreSQL keeps the first row of each group in ORDER BY order, so
   * an ordering must start with the distinct fields (in any order among themselves).
   */
  #distinctOn(query: Query, ordering: readonly OrderNode[], params: Params): string {
    const keys = new Set(query.distinctFields.map(nodeKey));
    const leading = ordering.slice(0, keys.size).map((o) => nodeKey(o.expr));
    if (ordering.length && (leading.length < keys.size || leading.some((k) => !keys.has(k)))) {
      const names = query.distinctNames.map((n) => `'${n}'`).join(', ');
      throw new FieldError(
        `distinct(${names}) on ${query.meta.objectName}: the ordering must start with the distinct fields, as PostgreSQL's DISTINCT ON requires. ` +
          `Call .orderBy(${names}, …) first, or .orderBy() to drop the ordering.`,
      );
    }
    return `DISTINCT ON (${query.distinctFields.map((f) => this.expr(f, params)).join(', ')}) `;
  }

  /** The table aliases `selectForUpdate({ of })` names: `'self'`, or a selectRelated path. */
  #lockedAliases(query: Query, of: readonly string[]): string[] {
    const find = (selections: readonly RelatedSelection[], path: string): RelatedSelection | undefined => {
      for (const selection of selections) {
        if (selection.path === path) return selection;
        const inner = find(selection.children, path);
        if (inner) return inner;
      }
      return undefined;
    };
    return of.map((name) => {
      if (name === 'self') return query.alias;
      const selection = find(query.relatedSelections, name);
      if (!selection) {
        throw new FieldError(
          `selectForUpdate({ of }) names '${name}', which is neither 'self' nor a relation loaded with selectRelated(). ` +
            `Add .selectRelated('${name}') or name one of: ${['self', ...query.relatedSelections.map((s) => s.path)].join(', ')}.`,
        );
      }
      return selection.alias;
    });
  }

  #needsAlias(item: SelectItem): boolean {
    return item.expr.kind !== 'col' || item.expr.column !== item.name;
  }

  #fromAndWhere(query: Query, params: Params, whereNode: WhereNode = query.where): string {
    let sql = ` FROM ${this.q(query.meta.dbTable)}`;
    if (query.alias !== query.meta.dbTable) sql += ` ${this.q(query.alias)}`;
    for (const join of query.joins) {
      const aliasSql = join.alias === join.table ? '' : ` ${this.q(join.alias)}`;
      sql += ` ${join.type} JOIN ${this.q(join.table)}${aliasSql} ON (${this.q(join.parentAlias)}.${this.q(join.parentColumn)} = ${this.q(join.alias)}.${this.q(join.column)})`;
    }
    const where = query.isEmpty ? '0 = 1' : this.where(whereNode, params);
    if (where) sql += ` WHERE ${where}`;
    return sql;
  }

  /** GROUP BY and HAVING; the rules for what is grouped live in `aggregation.ts`. */
  #groupByAndHaving(query: Query, columns: readonly SelectItem[], ordering: readonly OrderNode[], having: WhereNode | null, params: Params): string {
    const groups = groupByTerms(query, columns, ordering, having);
    const term = (g: ExprNode): string => {
      if (this.ops.groupBySelectIndex && g.kind !== 'col') {
        const index = columns.findIndex((c) => c.expr === g);
        if (index >= 0) return String(index + 1);
      }
      return this.expr(g, params);
    };
    let sql = groups.length ? ` GROUP BY ${groups.map(term).join(', ')}` : '';
    const conditions = [having, query.having].filter((h): h is WhereNode => h !== null && h.children.length > 0);
    const text = conditions.map((h) => this.where(h, params)).filter(Boolean);
    if (text.length) sql += ` HAVING ${text.length === 1 ? text[0] : text.map((t) => `(${t})`).join(' AND ')}`;
    return sql;
  }

  /** ORDER BY; with `selected`, an ordering on a selected expression names its alias (see groupBySelectIndex). */
  orderBy(ordering: readonly OrderNode[], params: Params, selected?: readonly SelectItem[]): string {
    if (!ordering.length) return '';
    const terms = ordering.map((o) => {
      if (o.random) return this.ops.randomFunction();
      const item = selected && o.expr.kind !== 'col' ? selected.find((c) => c.expr === o.expr && this.#needsAlias(c)) : undefined;
      let term = `${item ? this.q(item.name) : this.expr(o.expr, params)} ${o.descending ? 'DESC' : 'ASC'}`;
      if (o.nullsFirst) term += ' NULLS FIRST';
      if (o.nullsLast) term += ' NULLS LAST';
      return term;
    });
    return ` ORDER BY ${terms.join(', ')}`;
  }

  #compileCombined(query: Query, columns: SelectItem[], params: Params): CompiledSelect {
    const { kind, all, queries } = query.combinator!;
    const parts = queries.map((part) => {
      const inner = part.clone();
      inner.ordering = [];
      inner.noOrdering = true;
      const compiled = this.compileSelect(inner, params);
      // SQLite rejects parentheses around compound members, and LIMIT inside them.
      return inner.isSliced ? `SELECT * FROM (${compiled.sql}) subquery` : compiled.sql;
    });
    let sql = parts.join(` ${kind}${all ? ' ALL' : ''} `);
    const ordering = query.ordering ?? [];
    if (ordering.length) {
      const positions = ordering.map((o) => {
        const index = columns.findIndex((c) => sameExpr(c.expr, o.expr));
        if (index < 0) throw new Error('ORDER BY of a combined query must name a selected column.');
        return `${index + 1} ${o.descending ? 'DESC' : 'ASC'}`;
      });
      sql += ` ORDER BY ${positions.join(', ')}`;
    }
    sql += this.ops.limitOffset(query.low, query.high);
    return { sql, params: params.values, columns };
  }

  /** SELECT COUNT(*), wrapping the query when DISTINCT, slicing or grouping change what a row is. */
  compileCount(query: Query): CompiledQuery {
    const params = new Params(this.ops);
    if (query.distinct || query.isSliced || query.combinator || isGrouped(query)) {
      const inner = this.compileSelect(query, params);
      return { sql: `SELECT COUNT(*) FROM (${inner.sql}) subquery`, params: params.values };
    }
    return { sql: `SELECT COUNT(*)${this.#fromAndWhere(query, params)}`, params: params.values };
  }

  compileExists(query: Query): CompiledQuery {
    const params = new Params(this.ops);
    if (query.isSliced || query.combinator || query.distinct || isGrouped(query)) {
      const inner = this.compileSelect(query, params);
      return { sql: `SELECT 1 FROM (${inner.sql}) subquery LIMIT 1`, params: params.values };
    }
    return { sql: `SELECT 1 AS ${this.q('a')}${this.#fromAndWhere(query, params)} LIMIT 1`, params: params.values };
  }

  /**
   * SELECT of aggregate expressions over the query (`aggregate()`). With `wrapped`, the
   * query is compiled as a subquery named `subquery` and the aggregates read its columns
   * (`aggregation.ts` prepares both sides).
   */
  compileAggregate(query: Query, aggregates: readonly SelectItem[], wrapped = false): CompiledSelect {
    const params = new Params(this.ops);
    const select = aggregates.map((a) => `${this.expr(a.expr, params)} AS ${this.q(a.name)}`).join(', ');
    if (wrapped) {
      const inner = this.compileSelect(query, params);
      return { sql: `SELECT ${select} FROM (${inner.sql}) subquery`, params: params.values, columns: aggregates };
    }
    return { sql: `SELECT ${select}${this.#fromAndWhere(query, params)}`, params: params.values, columns: aggregates };
  }

  // --- INSERT / UPDATE / DELETE -------------------------------------------------------

  /** INSERT of one or more rows; `returning` columns are read back where the database can. */
  compileInsert(
    table: string,
    fields: readonly Field[],
    rows: readonly (readonly SqlParam[])[],
    returning: readonly Field[],
    onConflict = '',
  ): CompiledQuery {
    const params = new Params(this.ops);
    let sql = `INSERT INTO ${this.q(table)}`;
    if (!fields.length) sql += ' DEFAULT VALUES';
    else {
      sql += ` (${fields.map((f) => this.q(f.column)).join(', ')}) VALUES `;
      sql += rows.map((row) => `(${row.map((v) => params.add(v)).join(', ')})`).join(', ');
    }
    sql += onConflict;
    if (returning.length) sql += ` RETURNING ${returning.map((f) => this.q(f.column)).join(', ')}`;
    return { sql, params: params.values };
  }

  /** UPDATE of the rows a query matches; joins become a pk subquery since UPDATE cannot join. */
  compileUpdate(query: Query, assignments: readonly (readonly [Field, ExprNode])[]): CompiledQuery {
    const params = new Params(this.ops);
    const set = assignments.map(([field, value]) => `${this.q(field.column)} = ${this.#bare(value, params)}`).join(', ');
    let sql = `UPDATE ${this.q(query.meta.dbTable)} SET ${set}`;
    sql += this.#rowFilter(query, params);
    return { sql, params: params.values };
  }

  compileDelete(query: Query): CompiledQuery {
    const params = new Params(this.ops);
    return { sql: `DELETE FROM ${this.q(query.meta.dbTable)}${this.#rowFilter(query, params)}`, params: params.values };
  }

  #rowFilter(query: Query, params: Params): string {
    if (query.isEmpty) return ' WHERE 0 = 1';
    if (!query.joins.length && !query.isSliced) {
      const where = this.where(query.where, params);
      return where ? ` WHERE ${where}` : '';
    }
    const inner = query.clone();
    inner.valuesSelect = [{ name: 'pk', expr: { kind: 'col', alias: inner.alias, column: inner.meta.pk.column, field: inner.meta.pk }, field: inner.meta.pk }];
    inner.annotations = [];
    inner.ordering = [];
    inner.noOrdering = true;
    const compiled = this.compileSelect(inner, params);
    return ` WHERE ${this.q(query.meta.pk.column)} IN (SELECT * FROM (${compiled.sql}) subquery)`;
  }

  /** Column references without the table prefix, for UPDATE ... SET. */
  #bare(node: ExprNode, params: Params): string {
    if (node.kind === 'col') return this.q(node.column);
    if (node.kind === 'combined') return this.ops.combineExpression(node.op, this.#bare(node.lhs, params), this.#bare(node.rhs, params));
    return this.expr(node, params);
  }

  // --- WHERE --------------------------------------------------------------------------

  where(node: WhereNode, params: Params): string {
    const parts: string[] = [];
    for (const child of node.children) {
      const sql = this.#whereChild(child, params);
      if (sql) parts.push(sql);
    }
    if (!parts.length) return node.negated ? '' : '';
    let sql: string;
    if (node.connector === 'XOR') {
      // Portable XOR: an odd number of the conditions hold.
      sql = `(${parts.map((p) => `CASE WHEN ${p} THEN 1 ELSE 0 END`).join(' + ')}) % 2 = 1`;
    } else sql = parts.length === 1 ? parts[0]! : parts.map((p) => `(${p})`).join(` ${node.connector} `);
    return node.negated ? `NOT (${sql})` : sql;
  }

  #whereChild(child: WhereChild, params: Params): string {
    if (child.kind === 'where') return this.where(child, params);
    if (child.kind === 'nothing') return '0 = 1';
    return this.lookup(child, params);
  }

  lookup(node: LookupNode, params: Params): string {
    const lhs = this.expr(node.lhs, params);
    switch (node.lookup) {
      case 'isnull':
        return `${lhs} IS NULL`;
      case 'isnotnull':
        return `${lhs} IS NOT NULL`;
      case 'expression':
        // A boolean expression used as a condition: filter(Exists(...)).
        return lhs;
      case 'in':
        if (!Array.isArray(node.rhs)) return `${lhs} IN ${this.expr(node.rhs as ExprNode, params)}`;
        return `${lhs} IN (${(node.rhs as ExprNode[]).map((v) => this.#operand(node.lhs, v, params)).join(', ')})`;
      case 'range': {
        const [low, high] = node.rhs as ExprNode[];
        return `${lhs} BETWEEN ${this.#operand(node.lhs, low!, params)} AND ${this.#operand(node.lhs, high!, params)}`;
      }
      default: {
        const template = this.ops.lookupOperators[node.lookup];
        if (!template) throw new Error(`The ${node.lookup} lookup has no SQL on this database backend.`);
        const cast = this.ops.lookupCast(node.lookup, lhs);
        // A column compared as it is types its parameter; one cast to text (icontains…) does not.
        const column = cast === lhs ? node.lhs : undefined;
        return `${cast} ${template.replace('%s', () => (column ? this.#operand(column, node.rhs as ExprNode, params) : this.expr(node.rhs as ExprNode, params)))}`;
      }
    }
  }

  /** The right side of a comparison with `lhs`: a parameter against a plain column may take its type from it. */
  #operand(lhs: ExprNode, rhs: ExprNode, params: Params): string {
    if (lhs.kind === 'col' && rhs.kind === 'param') return params.add(rhs.value, lhs.field);
    return this.expr(rhs, params);
  }

  // --- expressions ---------------------------------------------------------------------------

  expr(node: ExprNode, params: Params): string {
    switch (node.kind) {
      case 'col':
        return `${this.q(node.alias)}.${this.q(node.column)}`;
      case 'param':
        return params.add(node.value);
      case 'combined':
        return this.ops.combineExpression(node.op, this.expr(node.lhs, params), this.expr(node.rhs, params));
      case 'raw': {
        let index = 0;
        return node.sql.replace(/%s/g, () => this.expr(node.params[index++]!, params));
      }
      case 'transform':
        return this.#transform(node, params);
      case 'func':
        return this.#func(node, params);
      case 'subquery':
        // Inner queries share the outer statement's positional parameters.
        return (node.exists ? 'EXISTS' : '') + `(${this.compileSelect(node.query as Query, params).sql})`;
      case 'case': {
        const whens = node.whens.map((w) => `WHEN ${this.where(w.condition, params) || '1 = 1'} THEN ${this.expr(w.result, params)}`);
        const sql = `CASE ${whens.join(' ')} ELSE ${this.expr(node.otherwise, params)} END`;
        return node.decimal ? this.ops.decimalResult(sql) : sql;
      }
      case 'cast':
        return this.ops.cast(this.expr(node.arg, params), node.field);
      case 'outerRef':
        throw new OuterRefOutsideSubqueryError(node.name);
    }
  }

  #transform(node: Extract<ExprNode, { kind: 'transform' }>, params: Params): string {
    const arg = this.expr(node.arg, params);
    const zone = isDateTime(node.arg) ? node.timeZone : null;
    if (node.name === 'date' || node.name === 'time') return this.ops.dateCast(node.name, arg, zone);
    return this.ops.datePart(node.name, arg, zone);
  }

  #func(node: Extract<ExprNode, { kind: 'func' }>, params: Params): string {
    const distinct = node.distinct ? 'DISTINCT ' : '';
    // Placeholders are positional: compile pieces in the order they appear in the SQL text.
    if (node.filter && node.filter.children.length) {
      const condition = this.where(node.filter, params);
      const value = node.args.length ? this.expr(node.args[0]!, params) : '1';
      const sql = `${node.name}(${distinct}CASE WHEN ${condition} THEN ${value} ELSE NULL END)`;
      return node.decimal ? this.ops.decimalResult(sql) : sql;
    }
    const special = this.ops.compileFunction(node, (arg) => this.expr(arg, params));
    if (special !== undefined) return node.decimal ? this.ops.decimalResult(special) : special;
    const args = node.args.map((a) => this.expr(a, params));
    let sql: string;
    if (node.template) {
      let index = 0;
      sql = node.template.replace(/%s/g, () => args[index++] ?? '');
    } else sql = `${this.ops.functionNames[node.name] ?? node.name}(${distinct}${args.join(', ') || (node.aggregate ? '*' : '')})`;
    return node.decimal ? this.ops.decimalResult(sql) : sql;
  }
}

function isDateTime(node: ExprNode): boolean {
  if (node.kind === 'col') return node.field instanceof DateTimeField;
  return false;
}

function sameExpr(a: ExprNode, b: ExprNode): boolean {
  if (a.kind === 'col' && b.kind === 'col') return a.column === b.column && a.alias === b.alias;
  return a === b;
}

export { Params };

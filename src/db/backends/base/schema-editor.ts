/**
 * The schema editor turns model definitions into DDL: tables, columns,
 * foreign keys, indexes and constraints. Migrations will drive it later; for
 * now `createModel()` serves tests and the provisional `migrate`.
 */
import { createHash } from 'node:crypto';
import type { ModelBase } from '../../models/base.ts';
import type { Field } from '../../models/fields/field.ts';
import { ForeignKey } from '../../models/fields/related.ts';
import { CheckConstraint, UniqueConstraint, type Index } from '../../models/indexes.ts';
import type { Q } from '../../models/query-utils.ts';
import { compilerFor } from '../../models/sql/backend.ts';
import { Params } from '../../models/sql/compiler.ts';
import { Query } from '../../models/sql/query.ts';
import type { DatabaseWrapper } from './connection.ts';
import type { BaseDatabaseOperations } from './operations.ts';
import type { SqlParam } from './types.ts';

type ModelCtor = typeof ModelBase;

/** Parameters inlined as SQL literals: DDL cannot take bound parameters. */
class InlineParams extends Params {
  override add(value: SqlParam): string {
    return quoteValue(value);
  }
}

export function quoteValue(value: SqlParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
  return `'${value.replaceAll("'", "''")}'`;
}

/** Django-style deterministic names: table, columns, a short hash, a suffix; at most 63 characters. */
export function makeName(table: string, columns: readonly string[], suffix: string): string {
  const hash = createHash('md5').update([table, ...columns].join('\0')).digest('hex').slice(0, 8);
  const base = `${table}_${columns.join('_')}`.slice(0, 63 - hash.length - suffix.length - 2);
  return `${base}_${hash}_${suffix}`;
}

export abstract class BaseSchemaEditor {
  readonly connection: DatabaseWrapper;
  readonly ops: BaseDatabaseOperations;
  /** Statements collected while editing (also returned by `sqlCreateModel`). */
  readonly deferred: string[] = [];

  constructor(connection: DatabaseWrapper) {
    this.connection = connection;
    this.ops = compilerFor(connection).ops;
  }

  q(name: string): string {
    return this.ops.quoteName(name);
  }

  /** Column definition: type, NULL-ness, primary key, unique, default, inline FK. */
  columnSql(model: ModelCtor, field: Field): string | null {
    const type = this.ops.columnType(field);
    if (type === null) return null;
    let sql = type;
    const check = this.ops.dataTypeChecks[field.internalType];
    if (check) sql += ` CHECK (${check.replaceAll('%(column)s', field.column)})`;
    if (field.options.dbDefault !== undefined) {
      sql += ` DEFAULT ${quoteValue(field.toDb(field.getPrepValue(field.options.dbDefault), this.connection.features))}`;
    }
    sql += field.null && !field.primaryKey ? ' NULL' : ' NOT NULL';
    if (field.primaryKey) sql += ` PRIMARY KEY${this.autoIncrementSql(field)}`;
    else if (field.unique) sql += ' UNIQUE';
    if (field instanceof ForeignKey && field.dbConstraint) sql += this.foreignKeySql(field);
    return sql;
  }

  autoIncrementSql(_field: Field): string {
    return '';
  }

  foreignKeySql(field: ForeignKey): string {
    const remote = field.remoteModel._meta;
    return ` REFERENCES ${this.q((remote as unknown as { dbTable: string }).dbTable)} (${this.q(field.targetField.column)}) DEFERRABLE INITIALLY DEFERRED`;
  }

  /** A Q condition as SQL with literal values and bare column names, for CHECK and partial indexes. */
  conditionSql(model: ModelCtor, condition: Q): string {
    const compiler = compilerFor(this.connection);
    const query = new Query(model as never, this.connection.features);
    query.addFilter(condition, false);
    const sql = compiler.where(query.where, new InlineParams(this.ops));
    return sql.replaceAll(`${this.q(query.alias)}.`, '');
  }

  /** Every statement creating the model's table and indexes. */
  sqlCreateModel(model: ModelCtor): string[] {
    const meta = model._meta;
    const definitions: string[] = [];
    for (const field of meta.fields) {
      const column = this.columnSql(model, field);
      if (column) definitions.push(`${this.q(field.column)} ${column}`);
    }
    for (const together of meta.uniqueTogether) {
      const columns = together.map((name) => meta.getField(name).column);
      definitions.push(`UNIQUE (${columns.map((c) => this.q(c)).join(', ')})`);
    }
    for (const constraint of meta.constraints) {
      if (constraint instanceof CheckConstraint) {
        definitions.push(`CONSTRAINT ${this.q(constraint.name)} CHECK (${this.conditionSql(model, constraint.condition)})`);
      } else if (constraint instanceof UniqueConstraint && !constraint.condition) {
        const columns = constraint.fields.map((name) => this.q(meta.getField(name).column));
        definitions.push(`CONSTRAINT ${this.q(constraint.name)} UNIQUE (${columns.join(', ')})`);
      }
    }
    const statements = [`CREATE TABLE ${this.q(meta.dbTable)} (${definitions.join(', ')})`];
    for (const field of meta.fields) {
      if (field.dbIndex && !field.unique && !field.primaryKey) {
        statements.push(`CREATE INDEX ${this.q(makeName(meta.dbTable, [field.column], 'idx'))} ON ${this.q(meta.dbTable)} (${this.q(field.column)})`);
      }
    }
    for (const index of meta.indexes) statements.push(this.indexSql(model, index));
    for (const constraint of meta.constraints) {
      if (constraint instanceof UniqueConstraint && constraint.condition) {
        const columns = constraint.fields.map((name) => this.q(meta.getField(name).column));
        statements.push(
          `CREATE UNIQUE INDEX ${this.q(constraint.name)} ON ${this.q(meta.dbTable)} (${columns.join(', ')}) WHERE ${this.conditionSql(model, constraint.condition)}`,
        );
      }
    }
    return statements;
  }

  indexSql(model: ModelCtor, index: Index): string {
    const meta = model._meta;
    const parts = index.fields.map((name) => {
      const descending = name.startsWith('-');
      const column = meta.getField(descending ? name.slice(1) : name).column;
      return `${this.q(column)}${descending ? ' DESC' : ''}`;
    });
    const columns = index.fields.map((name) => meta.getField(name.replace(/^-/, '')).column);
    const name = index.name ?? makeName(meta.dbTable, columns, 'idx');
    const where = index.condition ? ` WHERE ${this.conditionSql(model, index.condition)}` : '';
    return `CREATE INDEX ${this.q(name)} ON ${this.q(meta.dbTable)} (${parts.join(', ')})${where}`;
  }

  async createModel(model: ModelCtor): Promise<void> {
    for (const statement of this.sqlCreateModel(model)) await this.connection.executeScript(statement);
  }

  async deleteModel(model: ModelCtor): Promise<void> {
    await this.connection.executeScript(`DROP TABLE ${this.q(model._meta.dbTable)}`);
  }

  /** Tables that exist in the database. */
  abstract tableNames(): Promise<string[]>;
}

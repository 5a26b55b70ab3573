/**
 * The schema editor turns model definitions into DDL: tables, columns,
 * foreign keys, indexes and constraints. Migration operations drive it
 * (createModel, addField, alterField, …); `createTables()` uses createModel.
 *
 * Every statement goes through `execute()`, which runs it, or only collects
 * it when `collectSql` is set (sqlmigrate). The alter methods take the model
 * as it was (`model`) and, where a backend may rebuild the table, the model
 * as it will be (`toModel`), both historical classes from the migration state.
 */
import { createHash } from 'node:crypto';
import type { ModelBase } from '../../models/base.ts';
import type { Field } from '../../models/fields/field.ts';
import { ForeignKey } from '../../models/fields/related.ts';
import { ManyToManyField } from '../../models/fields/many-to-many.ts';
import { CheckConstraint, UniqueConstraint, type Constraint, type Index } from '../../models/indexes.ts';
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
  // Databases with a native boolean (PostgreSQL) get the value as it is, not as 1/0.
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
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
  /** When true, `execute()` only records statements in `collected` (sqlmigrate). */
  collectSql = false;
  /** The statements run or collected, in order. */
  readonly collected: string[] = [];

  constructor(connection: DatabaseWrapper) {
    this.connection = connection;
    this.ops = compilerFor(connection).ops;
  }

  q(name: string): string {
    return this.ops.quoteName(name);
  }

  /** Runs one DDL statement, or records it when collecting SQL. */
  async execute(sql: string): Promise<void> {
    this.collected.push(sql);
    if (!this.collectSql) await this.connection.executeScript(sql);
  }

  /**
   * Column definition: type, NULL-ness, primary key, unique, default, inline FK.
   * `includeDefault` adds the field's one-time default (adding a NOT NULL column to existing rows).
   */
  columnSql(model: ModelCtor, field: Field, includeDefault = false): string | null {
    const type = this.ops.columnType(field);
    if (type === null) return null;
    let sql = type;
    const check = this.ops.dataTypeChecks[field.internalType];
    if (check) sql += ` CHECK (${check.replaceAll('%(column)s', field.column)})`;
    if (field.options.dbDefault !== undefined) {
      sql += ` DEFAULT ${quoteValue(field.toDb(field.getPrepValue(field.options.dbDefault), this.connection.features))}`;
    } else if (includeDefault) {
      const value = this.effectiveDefault(field);
      if (value !== null) sql += ` DEFAULT ${quoteValue(value)}`;
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
    for (const together of meta.uniqueTogether) definitions.push(this.uniqueTogetherSql(model, together));
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

  /** `CONSTRAINT name UNIQUE (…)` for one uniqueTogether set, named as Django names it. */
  uniqueTogetherSql(model: ModelCtor, names: readonly string[]): string {
    const meta = model._meta;
    const columns = names.map((name) => meta.getField(name).column);
    return `CONSTRAINT ${this.q(makeName(meta.dbTable, columns, 'uniq'))} UNIQUE (${columns.map((c) => this.q(c)).join(', ')})`;
  }

  async createModel(model: ModelCtor): Promise<void> {
    for (const statement of this.sqlCreateModel(model)) await this.execute(statement);
  }

  async deleteModel(model: ModelCtor): Promise<void> {
    await this.execute(`DROP TABLE ${this.q(model._meta.dbTable)}`);
  }

  // ---- alterations (migration operations) ---------------------------------------------

  /**
   * The value existing rows get when a column is added or made NOT NULL (Django's
   * effective_default): the field's default, '' for blank text, now for auto dates, else null.
   */
  effectiveDefault(field: Field): SqlParam {
    let value: unknown = null;
    if (field.hasDefault()) value = field.getDefault();
    else if (!field.null && field.blank && field.emptyStringsAllowed) value = field.internalType === 'BinaryField' ? new Uint8Array() : '';
    else if ((field as { autoNow?: boolean }).autoNow || (field as { autoNowAdd?: boolean }).autoNowAdd) {
      value = field.toPython(new Date());
    }
    if (value === null || value === undefined) return null;
    return field.toDb(field.getPrepValue(value), this.connection.features);
  }

  /** Whether a field change reaches the database (Django's _field_should_be_altered); optionally ignoring a column rename. */
  fieldShouldBeAltered(oldField: Field, newField: Field, ignoreColumn = false): boolean {
    if (!oldField.concrete && !newField.concrete) return false;
    if (!ignoreColumn && oldField.column !== newField.column) return true;
    return schemaSignature(this, oldField) !== schemaSignature(this, newField);
  }

  /** Adds a column (or the join table of a many-to-many field) and its index. */
  async addField(model: ModelCtor, field: Field, _toModel?: ModelCtor): Promise<void> {
    if (field instanceof ManyToManyField) {
      if (field.autoCreated) await this.createModel(field.throughModel as unknown as ModelCtor);
      return;
    }
    const meta = model._meta;
    const column = this.columnSql(model, field, true);
    if (column === null) return;
    await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} ADD COLUMN ${this.q(field.column)} ${column}`);
    // The default only filled existing rows; new rows get theirs from Nuages, as in Django.
    if (this.effectiveDefault(field) !== null && field.options.dbDefault === undefined) {
      await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} ALTER COLUMN ${this.q(field.column)} DROP DEFAULT`);
    }
    if (field.dbIndex && !field.unique) await this.execute(this.fieldIndexSql(model, field));
  }

  /** Drops a column (or the join table of a many-to-many field). */
  async removeField(model: ModelCtor, field: Field, _toModel?: ModelCtor): Promise<void> {
    if (field instanceof ManyToManyField) {
      if (field.autoCreated) await this.deleteModel(field.throughModel as unknown as ModelCtor);
      return;
    }
    if (this.ops.columnType(field) === null) return;
    await this.execute(`ALTER TABLE ${this.q(model._meta.dbTable)} DROP COLUMN ${this.q(field.column)}`);
  }

  /**
   * Changes a column: name, type, NULL-ness, uniqueness, index. Statements follow
   * PostgreSQL's ALTER TABLE; backends that cannot alter in place override this.
   */
  async alterField(model: ModelCtor, oldField: Field, newField: Field, _toModel?: ModelCtor): Promise<void> {
    if (!this.fieldShouldBeAltered(oldField, newField)) return;
    const table = this.q(model._meta.dbTable);
    if (oldField.dbIndex && !oldField.unique && !(newField.dbIndex && !newField.unique && oldField.column === newField.column)) {
      await this.execute(`DROP INDEX ${this.q(makeName(model._meta.dbTable, [oldField.column], 'idx'))}`);
    }
    if (oldField.unique && !newField.unique && !oldField.primaryKey) {
      await this.execute(`ALTER TABLE ${table} DROP CONSTRAINT ${this.q(makeName(model._meta.dbTable, [oldField.column], 'uniq'))}`);
    }
    if (oldField.column !== newField.column) {
      await this.execute(`ALTER TABLE ${table} RENAME COLUMN ${this.q(oldField.column)} TO ${this.q(newField.column)}`);
    }
    const column = this.q(newField.column);
    const oldType = this.ops.columnType(oldField);
    const newType = this.ops.columnType(newField);
    if (newType !== null && oldType !== newType) {
      await this.execute(`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${newType} USING ${column}::${newType}`);
    }
    if (oldField.null && !newField.null) {
      const value = this.effectiveDefault(newField);
      if (value !== null) await this.execute(`UPDATE ${table} SET ${column} = ${quoteValue(value)} WHERE ${column} IS NULL`);
      await this.execute(`ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL`);
    } else if (!oldField.null && newField.null) {
      await this.execute(`ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL`);
    }
    if (newField.unique && !oldField.unique && !newField.primaryKey) {
      await this.execute(`ALTER TABLE ${table} ADD CONSTRAINT ${this.q(makeName(model._meta.dbTable, [newField.column], 'uniq'))} UNIQUE (${column})`);
    }
    if (newField.dbIndex && !newField.unique && !(oldField.dbIndex && !oldField.unique && oldField.column === newField.column)) {
      await this.execute(this.fieldIndexSql(model, newField));
    }
  }

  /** Renames a model's table (RenameModel, AlterModelTable). */
  async alterDbTable(_model: ModelCtor, oldTable: string, newTable: string): Promise<void> {
    if (oldTable === newTable) return;
    await this.execute(`ALTER TABLE ${this.q(oldTable)} RENAME TO ${this.q(newTable)}`);
  }

  async addIndex(model: ModelCtor, index: Index): Promise<void> {
    await this.execute(this.indexSql(model, index));
  }

  async removeIndex(_model: ModelCtor, index: Index): Promise<void> {
    await this.execute(`DROP INDEX ${this.q(index.name!)}`);
  }

  async renameIndex(model: ModelCtor, oldIndex: Index, newIndex: Index): Promise<void> {
    await this.execute(`ALTER INDEX ${this.q(oldIndex.name!)} RENAME TO ${this.q(newIndex.name!)}`);
    void model;
  }

  async addConstraint(model: ModelCtor, constraint: Constraint, _toModel?: ModelCtor): Promise<void> {
    const sql = this.constraintSql(model, constraint);
    if (constraint instanceof UniqueConstraint && constraint.condition) await this.execute(sql);
    else await this.execute(`ALTER TABLE ${this.q(model._meta.dbTable)} ADD ${sql}`);
  }

  async removeConstraint(model: ModelCtor, constraint: Constraint, _toModel?: ModelCtor): Promise<void> {
    if (constraint instanceof UniqueConstraint && constraint.condition) await this.execute(`DROP INDEX ${this.q(constraint.name)}`);
    else await this.execute(`ALTER TABLE ${this.q(model._meta.dbTable)} DROP CONSTRAINT ${this.q(constraint.name)}`);
  }

  /** Adds and drops the unique constraints of uniqueTogether sets that changed. */
  async alterUniqueTogether(
    model: ModelCtor,
    oldSets: readonly (readonly string[])[],
    newSets: readonly (readonly string[])[],
    _toModel?: ModelCtor,
  ): Promise<void> {
    const meta = model._meta;
    const key = (set: readonly string[]) => set.join('\0');
    const newKeys = new Set(newSets.map(key));
    const oldKeys = new Set(oldSets.map(key));
    for (const set of oldSets) {
      if (newKeys.has(key(set))) continue;
      const name = makeName(meta.dbTable, set.map((n) => meta.getField(n).column), 'uniq');
      await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(name)}`);
    }
    for (const set of newSets) {
      if (!oldKeys.has(key(set))) await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} ADD ${this.uniqueTogetherSql(model, set)}`);
    }
  }

  /** The CONSTRAINT clause of a check or unique constraint, or the CREATE UNIQUE INDEX of a partial one. */
  constraintSql(model: ModelCtor, constraint: Constraint): string {
    const meta = model._meta;
    if (constraint instanceof CheckConstraint) {
      return `CONSTRAINT ${this.q(constraint.name)} CHECK (${this.conditionSql(model, constraint.condition)})`;
    }
    const columns = constraint.fields.map((name) => this.q(meta.getField(name).column)).join(', ');
    if (constraint.condition) {
      return `CREATE UNIQUE INDEX ${this.q(constraint.name)} ON ${this.q(meta.dbTable)} (${columns}) WHERE ${this.conditionSql(model, constraint.condition)}`;
    }
    return `CONSTRAINT ${this.q(constraint.name)} UNIQUE (${columns})`;
  }

  /** The index a `dbIndex` field gets. */
  fieldIndexSql(model: ModelCtor, field: Field): string {
    const table = model._meta.dbTable;
    return `CREATE INDEX ${this.q(makeName(table, [field.column], 'idx'))} ON ${this.q(table)} (${this.q(field.column)})`;
  }

  /**
   * Called by the migration executor around each migration, outside its transaction
   * (SQLite turns foreign key enforcement off there for its table rebuilds).
   */
  async beginMigration(): Promise<void> {}

  /** Inside the migration's transaction, after its operations: verify what was deferred. */
  async checkConstraints(): Promise<void> {}

  /** After the migration's transaction. */
  async endMigration(): Promise<void> {}

  /** Tables that exist in the database. */
  abstract tableNames(): Promise<string[]>;

  /** Column names of a table, in order (for --fake-initial and tests). */
  abstract columnNames(table: string): Promise<string[]>;
}

/** Options that never reach the database (Django's Field.non_db_attrs). */
const NON_DB_OPTIONS = new Set([
  'blank', 'choices', 'editable', 'errorMessages', 'helpText', 'onDelete', 'relatedName', 'relatedQueryName',
  'validators', 'verboseName', 'default',
]);

/** What of a field the schema sees: column type, NULL-ness, keys, indexes and the database-level options. */
function schemaSignature(editor: BaseSchemaEditor, field: Field): string {
  const options = Object.entries(field.options)
    .filter(([key, value]) => !NON_DB_OPTIONS.has(key) && key !== 'dbColumn' && value !== undefined && typeof value !== 'function')
    .map(([key, value]) => [key, value instanceof Object && !Array.isArray(value) ? String(value) : value]);
  const target = field instanceof ForeignKey ? (field.remoteModel._meta as unknown as { dbTable: string }).dbTable : '';
  return JSON.stringify([editor.ops.columnType(field), field.null, field.unique, field.primaryKey, field.dbIndex, target, options]);
}

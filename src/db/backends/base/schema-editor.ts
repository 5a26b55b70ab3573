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
import { NotSupportedError } from '../../errors.ts';
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

/**
 * The name Django gives an index or constraint it names itself: `<table>_<columns>_<hash>[_<suffix>]`,
 * the hash being the first 8 hex digits of the MD5 of the table and column names run together,
 * shortened to `maxLength` as Django shortens it. Same names as Django, so a database created by
 * either can be migrated by the other: `makeName('shop_book', ['isbn'], '')` → `shop_book_isbn_d60b4a22`.
 */
export function makeName(table: string, columns: readonly string[], suffix: string, maxLength = 63): string {
  const hash = createHash('md5').update([table, ...columns].join('')).digest('hex').slice(0, 8);
  let tail = suffix ? `${hash}_${suffix}` : hash;
  const full = `${table}_${columns.join('_')}_${tail}`;
  if (full.length <= maxLength) return full;
  if (tail.length > maxLength / 3) tail = tail.slice(0, Math.floor(maxLength / 3));
  const part = Math.floor((maxLength - tail.length) / 2) - 1;
  const name = `${table.slice(0, part)}_${columns.join('_').slice(0, part)}_${tail}`;
  // Identifiers may not start with an underscore or a digit unquoted on every database.
  return /^[_\d]/.test(name) ? `D${name.slice(0, -1)}` : name;
}

/** How AddIndex/RemoveIndex want an index built or dropped. */
export interface IndexBuildOptions {
  /** PostgreSQL's CONCURRENTLY: no write lock, but not inside a transaction. */
  readonly concurrently?: boolean;
}

/** What `constraintNames()` looks for on a column set. */
export type ConstraintKind = 'unique' | 'foreignKey' | 'index' | 'likeIndex' | 'check' | 'primaryKey';

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
    if (field.options.dbDefault !== undefined) {
      sql += ` DEFAULT ${this.literal(field.toDb(field.getPrepValue(field.options.dbDefault), this.connection.features))}`;
    } else if (includeDefault) {
      const value = this.effectiveDefault(field);
      if (value !== null) sql += ` DEFAULT ${this.literal(value)}`;
    }
    sql += field.null && !field.primaryKey ? ' NULL' : ' NOT NULL';
    if (field.primaryKey) sql += ` PRIMARY KEY${this.autoIncrementSql(field)}`;
    else if (field.unique) sql += ' UNIQUE';
    const check = this.checkSql(field);
    if (check) sql += ` CHECK (${check})`;
    if (field instanceof ForeignKey && field.dbConstraint) sql += this.foreignKeySql(field);
    return sql;
  }

  /** The column check a field's type carries (`"pages" >= 0` for positive integers), or null. */
  checkSql(field: Field): string | null {
    const check = this.ops.dataTypeChecks[field.internalType];
    return check ? check.replaceAll('%(column)s', field.column) : null;
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
        statements.push(this.fieldIndexSql(model, field));
      }
      // Primary keys too: a text key is unique, and LIKE cannot use its plain B-tree.
      if (field.dbIndex || field.unique) {
        const like = this.likeIndexSql(model, field);
        if (like) statements.push(like);
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
    const parts = index.fields.map((name, i) => {
      const descending = name.startsWith('-');
      const column = meta.getField(descending ? name.slice(1) : name).column;
      const opclass = index.opclasses[i] ? ` ${index.opclasses[i]}` : '';
      return `${this.q(column)}${opclass}${descending ? ' DESC' : ''}`;
    });
    const columns = index.fields.map((name) => meta.getField(name.replace(/^-/, '')).column);
    const name = index.name ?? makeName(meta.dbTable, columns, 'idx');
    const where = index.condition ? ` WHERE ${this.conditionSql(model, index.condition)}` : '';
    // GinIndex & co. (contrib/postgres): the access method and storage parameters.
    if (index.method && this.connection.vendor !== 'postgres') {
      throw new NotSupportedError(
        `${meta.objectName}: the index ${index.name ?? columns.join(', ')} uses the ${index.method} access method, which only PostgreSQL has. ` +
          'Use a plain Index on this database.',
      );
    }
    const using = index.method ? ` USING ${index.method}` : '';
    const storage = Object.entries(index.storageParameters).map(([key, value]) => `${key} = ${typeof value === 'boolean' ? (value ? 'on' : 'off') : value}`);
    const withSql = storage.length ? ` WITH (${storage.join(', ')})` : '';
    return `CREATE INDEX ${this.q(name)} ON ${this.q(meta.dbTable)}${using} (${parts.join(', ')})${withSql}${where}`;
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
   * Changes a column in place, in Django's order: drop what the change invalidates (the foreign
   * key when its type or target changes, a unique constraint or index the field loses, an old
   * type check), rename, change type and NULL-ness in one `ALTER TABLE`, then add what the new
   * field needs. Constraint names are read from the database (`constraintNames()`), so columns
   * renamed since, or created by another tool, are found. Backends that cannot alter in place
   * (SQLite) override this with a table rebuild.
   *
   * A NOT NULL change fills existing NULLs first, as Django does:
   * `SET DEFAULT v` → `UPDATE … WHERE c IS NULL` → `SET NOT NULL` → `DROP DEFAULT`.
   */
  async alterField(model: ModelCtor, oldField: Field, newField: Field, _toModel?: ModelCtor): Promise<void> {
    if (!this.fieldShouldBeAltered(oldField, newField)) return;
    const oldType = this.ops.columnType(oldField);
    const newType = this.ops.columnType(newField);
    if (oldType === null || newType === null) return;
    const meta = model._meta;
    const tableName = meta.dbTable;
    const table = this.q(tableName);
    const typeChanged = oldType !== newType;
    const indexed = (field: Field) => field.dbIndex && !field.unique && !field.primaryKey;
    const ownNames = new Set<string>([...meta.indexes.map((i) => i.name ?? ''), ...meta.constraints.map((c) => c.name)]);
    const own = (names: string[]) => names.filter((name) => !ownNames.has(name));

    // A foreign key constraint survives a rename or a NULL change untouched, so it is dropped only
    // when what it checks changes (Django drops and re-adds it on every alteration).
    const oldFk = oldField instanceof ForeignKey && oldField.dbConstraint ? oldField : undefined;
    const newFk = newField instanceof ForeignKey && newField.dbConstraint ? newField : undefined;
    const fkChanged = oldFk !== undefined && (newFk === undefined || typeChanged || fkTarget(oldFk) !== fkTarget(newFk));
    if (fkChanged) {
      for (const name of await this.constraintNames(model, [oldField.column], 'foreignKey')) {
        await this.execute(this.dropForeignKeySql(tableName, name));
      }
    }
    // A key changing type takes the columns that reference it along (Django's rels_to_update):
    // their constraints go first, as PostgreSQL refuses a foreign key between different types.
    const keyTypeChanged = typeChanged && ((oldField.primaryKey && newField.primaryKey) || (oldField.unique && newField.unique));
    const referencing = keyTypeChanged ? this.referencingFields(model, oldField) : [];
    for (const { model: relModel, field: relField } of referencing) {
      if (!relField.dbConstraint) continue;
      for (const name of await this.constraintNames(relModel, [relField.column], 'foreignKey')) {
        await this.execute(this.dropForeignKeySql(relModel._meta.dbTable, name));
      }
    }
    if (oldField.unique && !oldField.primaryKey && (!newField.unique || newField.primaryKey)) {
      for (const name of own(await this.constraintNames(model, [oldField.column], 'unique'))) {
        await this.execute(`ALTER TABLE ${table} DROP CONSTRAINT ${this.q(name)}`);
      }
    }
    if (indexed(oldField) && !indexed(newField)) {
      for (const name of own(await this.constraintNames(model, [oldField.column], 'index'))) await this.execute(this.dropIndexSql(name));
    }
    const hadLike = (oldField.dbIndex || oldField.unique) && this.likeIndexSql(model, oldField) !== null;
    const likeLost = !(newField.dbIndex || newField.unique) || typeChanged;
    if (hadLike && likeLost) {
      // Found by what it is, not by name: a column renamed since keeps its old index name.
      for (const name of await this.constraintNames(model, [oldField.column], 'likeIndex')) await this.execute(this.dropIndexSql(name));
    }
    const oldCheck = this.checkSql(oldField);
    const newCheck = this.checkSql(newField);
    if (oldCheck && oldCheck !== newCheck) {
      for (const name of own(await this.constraintNames(model, [oldField.column], 'check'))) {
        await this.execute(`ALTER TABLE ${table} DROP CONSTRAINT ${this.q(name)}`);
      }
    }

    if (oldField.column !== newField.column) {
      await this.execute(`ALTER TABLE ${table} RENAME COLUMN ${this.q(oldField.column)} TO ${this.q(newField.column)}`);
    }
    const column = this.q(newField.column);
    const actions: string[] = [];
    const postActions: string[] = [];
    if (typeChanged) {
      actions.push(this.alterColumnTypeSql(oldField, newField, newType));
      postActions.push(...(await this.alterColumnTypePostSql(model, oldField, newField, newType)));
    }
    const becomesNotNull = oldField.null && !newField.null && !newField.primaryKey && newField.options.dbDefault === undefined;
    const newDefault = becomesNotNull ? this.effectiveDefault(newField) : null;
    const fillNulls = becomesNotNull && newDefault !== null;
    if (fillNulls) {
      actions.push(`ALTER COLUMN ${column} SET DEFAULT ${this.literal(newDefault!)}`);
      await this.execute(`ALTER TABLE ${table} ${actions.join(', ')}`);
      await this.execute(this.updateNullsSql(tableName, newField.column, newDefault!));
      await this.execute(`ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL`);
    } else {
      if (oldField.null !== newField.null && !newField.primaryKey) {
        actions.push(`ALTER COLUMN ${column} ${newField.null ? 'DROP' : 'SET'} NOT NULL`);
      }
      if (actions.length) await this.execute(`ALTER TABLE ${table} ${actions.join(', ')}`);
    }
    for (const sql of postActions) await this.execute(sql);
    const oldRelType = this.relatedColumnType(oldField);
    const newRelType = this.relatedColumnType(newField);
    for (const { model: relModel, field: relField } of referencing) {
      if (oldRelType === newRelType || newRelType === null) continue;
      const relColumn = this.q(relField.column);
      const cast = oldRelType?.replace(/\(.*\)$/, '') !== newRelType.replace(/\(.*\)$/, '') ? ` USING ${relColumn}::${newRelType}` : '';
      await this.execute(`ALTER TABLE ${this.q(relModel._meta.dbTable)} ALTER COLUMN ${relColumn} TYPE ${newRelType}${cast}`);
    }

    if (newField.unique && !newField.primaryKey && (!oldField.unique || oldField.primaryKey)) {
      await this.execute(`ALTER TABLE ${table} ADD CONSTRAINT ${this.q(makeName(tableName, [newField.column], 'uniq'))} UNIQUE (${column})`);
    }
    if (indexed(newField) && !indexed(oldField)) await this.execute(this.fieldIndexSql(model, newField));
    if (newFk && (fkChanged || oldFk === undefined)) {
      await this.execute(
        `ALTER TABLE ${table} ADD CONSTRAINT ${this.q(this.foreignKeyName(tableName, newFk))} FOREIGN KEY (${column}) ` +
          `REFERENCES ${this.q((newFk.remoteModel._meta as unknown as { dbTable: string }).dbTable)} (${this.q(newFk.targetField.column)}) DEFERRABLE INITIALLY DEFERRED`,
      );
    }
    if (newCheck && oldCheck !== newCheck) {
      await this.execute(`ALTER TABLE ${table} ADD CONSTRAINT ${this.q(makeName(tableName, [newField.column], 'check'))} CHECK (${newCheck})`);
    }
    for (const { model: relModel, field: relField } of referencing) {
      if (!relField.dbConstraint) continue;
      // Named as Django names a re-created key: `<table>_<column>_<hash>_fk`, without the target.
      const relTable = relModel._meta.dbTable;
      await this.execute(
        `ALTER TABLE ${this.q(relTable)} ADD CONSTRAINT ${this.q(makeName(relTable, [relField.column], 'fk'))} FOREIGN KEY (${this.q(relField.column)}) ` +
          `REFERENCES ${table} (${column}) DEFERRABLE INITIALLY DEFERRED`,
      );
    }
    if (fillNulls) await this.execute(`ALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT`);
    const hasLike = newField.dbIndex || newField.unique;
    if (hasLike && (!hadLike || likeLost)) {
      const like = this.likeIndexSql(model, newField);
      if (like) await this.execute(like);
    }
  }

  /**
   * `ALTER COLUMN c TYPE t`, with `USING c::t` when the kind of type changes (integer → bigint,
   * but not varchar(100) → varchar(200)), as Django writes it: a cast PostgreSQL would not
   * apply by itself.
   */
  alterColumnTypeSql(oldField: Field, newField: Field, newType: string): string {
    const column = this.q(newField.column);
    const cast = this.typeTemplate(oldField) !== this.typeTemplate(newField) ? ` USING ${column}::${newType}` : '';
    return `ALTER COLUMN ${column} TYPE ${newType}${cast}`;
  }

  /** Statements that follow a column type change (PostgreSQL: the identity sequence's type). */
  async alterColumnTypePostSql(_model: ModelCtor, _oldField: Field, _newField: Field, _newType: string): Promise<string[]> {
    return [];
  }

  /**
   * The foreign keys (join tables' included) whose column holds values of `field`, with their
   * models: what must change type when a key does.
   */
  referencingFields(model: ModelCtor, field: Field): { model: ModelCtor; field: ForeignKey }[] {
    const found: { model: ModelCtor; field: ForeignKey }[] = [];
    for (const related of model._meta.relatedObjects) {
      const relField = related.field;
      if (!(relField instanceof ForeignKey) || relField instanceof ManyToManyField) continue;
      if (relField.targetField.name !== field.name) continue;
      found.push({ model: related.relatedModel as unknown as ModelCtor, field: relField });
    }
    return found;
  }

  /** The type of a column referencing `field`: an automatic key is referenced by a plain integer of its size. */
  relatedColumnType(field: Field): string | null {
    const plain = { AutoField: 'IntegerField', BigAutoField: 'BigIntegerField', SmallAutoField: 'SmallIntegerField' }[field.internalType];
    if (plain === undefined) return this.ops.columnType(field);
    const template = this.ops.dataTypes[plain];
    return template ?? null;
  }

  /** A column type before its parameters are filled in: `varchar(%(maxLength)s)`. */
  typeTemplate(field: Field & { targetInternalType?: string }): string | null {
    const custom = field.customColumnType((f) => this.ops.columnType(f));
    if (custom !== undefined) return custom;
    return this.ops.dataTypes[field.targetInternalType ?? field.internalType] ?? null;
  }

  /** Fills the NULLs of a column about to become NOT NULL. */
  updateNullsSql(table: string, column: string, value: SqlParam): string {
    return `UPDATE ${this.q(table)} SET ${this.q(column)} = ${this.literal(value)} WHERE ${this.q(column)} IS NULL`;
  }

  /** A value as an SQL literal in DDL. */
  literal(value: SqlParam): string {
    return quoteValue(value);
  }

  dropIndexSql(name: string): string {
    return `DROP INDEX ${this.q(name)}`;
  }

  dropForeignKeySql(table: string, name: string): string {
    return `ALTER TABLE ${this.q(table)} DROP CONSTRAINT ${this.q(name)}`;
  }

  /** The name Django gives a foreign key: `shop_book_publisher_id_04743c27_fk_shop_publisher_id`. */
  foreignKeyName(table: string, field: ForeignKey): string {
    const target = (field.remoteModel._meta as unknown as { dbTable: string }).dbTable;
    return makeName(table, [field.column], `fk_${target}_${field.targetField.column}`);
  }

  /**
   * The names of the constraints or indexes of `kind` on exactly `columns`, as the database has
   * them. This default can only guess the names Nuages would have given; backends that can read
   * their catalog override it.
   */
  async constraintNames(model: ModelCtor, columns: readonly string[], kind: ConstraintKind): Promise<string[]> {
    const table = model._meta.dbTable;
    const suffix = { unique: 'uniq', foreignKey: '', index: '', likeIndex: 'like', check: 'check', primaryKey: 'pk' }[kind];
    if (kind === 'foreignKey') return [];
    return [makeName(table, columns, suffix)];
  }

  /** Renames a model's table (RenameModel, AlterModelTable). */
  async alterDbTable(_model: ModelCtor, oldTable: string, newTable: string): Promise<void> {
    if (oldTable === newTable) return;
    await this.execute(`ALTER TABLE ${this.q(oldTable)} RENAME TO ${this.q(newTable)}`);
  }

  /** `concurrently` asks for a build that does not block writes, where the database has one (PostgreSQL). */
  async addIndex(model: ModelCtor, index: Index, _options: IndexBuildOptions = {}): Promise<void> {
    await this.execute(this.indexSql(model, index));
  }

  async removeIndex(_model: ModelCtor, index: Index, _options: IndexBuildOptions = {}): Promise<void> {
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
    const declared = new Set(meta.constraints.map((c) => c.name));
    for (const set of oldSets) {
      if (newKeys.has(key(set))) continue;
      const names = await this.constraintNames(model, set.map((n) => meta.getField(n).column), 'unique');
      for (const name of names.filter((n) => !declared.has(n))) {
        await this.execute(`ALTER TABLE ${this.q(meta.dbTable)} DROP CONSTRAINT ${this.q(name)}`);
      }
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

  /** The index a `dbIndex` field gets, named as Django names it (`shop_book_isbn_d60b4a22`). */
  fieldIndexSql(model: ModelCtor, field: Field): string {
    const table = model._meta.dbTable;
    return `CREATE INDEX ${this.q(makeName(table, [field.column], ''))} ON ${this.q(table)} (${this.q(field.column)})`;
  }

  /**
   * A second index some databases want for indexed text columns (PostgreSQL's `_like` index with
   * `varchar_pattern_ops`, which `startswith` and `contains` can use); null where there is none.
   */
  likeIndexSql(_model: ModelCtor, _field: Field): string | null {
    return null;
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

/** What of a field the schema sees: column type (and that of columns referencing it), NULL-ness, keys, indexes and the database-level options. */
function schemaSignature(editor: BaseSchemaEditor, field: Field): string {
  const options = Object.entries(field.options)
    .filter(([key, value]) => !NON_DB_OPTIONS.has(key) && key !== 'dbColumn' && value !== undefined && typeof value !== 'function')
    .map(([key, value]) => [key, value instanceof Object && !Array.isArray(value) ? String(value) : value]);
  const target = field instanceof ForeignKey ? (field.remoteModel._meta as unknown as { dbTable: string }).dbTable : '';
  return JSON.stringify([editor.ops.columnType(field), editor.relatedColumnType(field), editor.checkSql(field), field.null, field.unique, field.primaryKey, field.dbIndex, target, options]);
}

/** `table.column` a foreign key points at: what its constraint checks. */
function fkTarget(field: ForeignKey): string {
  return `${(field.remoteModel._meta as unknown as { dbTable: string }).dbTable}.${field.targetField.column}`;
}

/**
 * SQLite DDL: AUTOINCREMENT keys as Django creates them, table introspection
 * from sqlite_master, and Django's table rebuild for the alterations SQLite
 * cannot make in place.
 *
 * rebuild: CREATE TABLE "new__t" (the model as it will be) → INSERT … SELECT
 * from "t" → DROP TABLE "t" → ALTER TABLE "new__t" RENAME TO "t" → indexes.
 * It runs inside the migration's transaction with foreign key enforcement off
 * (switched by the executor around the transaction, where SQLite allows it),
 * and `PRAGMA foreign_key_check` verifies every reference before the commit.
 */
import { BaseSchemaEditor, makeName, quoteValue } from '../base/schema-editor.ts';
import type { ModelBase } from '../../models/base.ts';
import type { Field } from '../../models/fields/field.ts';
import { ForeignKey } from '../../models/fields/related.ts';
import { ManyToManyField } from '../../models/fields/many-to-many.ts';
import { UniqueConstraint, type Constraint, type Index } from '../../models/indexes.ts';
import { IntegrityError } from '../../errors.ts';
import type { SqliteDatabaseWrapper } from './connection.ts';

type ModelCtor = typeof ModelBase;

/** How a rebuild fills the new table's columns from the old one. */
interface RebuildMapping {
  /** New field name → old field, for fields whose data carries over under another definition or name. */
  readonly sources?: ReadonlyMap<string, Field>;
  /** Fields new to the table: filled with their effective default. */
  readonly added?: readonly Field[];
  /** The altered field as the operation passed it (its default fills NULLs when it becomes NOT NULL). */
  readonly altered?: Field;
}

export class SqliteSchemaEditor extends BaseSchemaEditor {
  override autoIncrementSql(field: Field): string {
    return field.isAuto ? ' AUTOINCREMENT' : '';
  }

  override async tableNames(): Promise<string[]> {
    const rows = await this.connection.fetchAll({
      sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      params: [],
    });
    return rows.map((r) => String(r[0]));
  }

  override async columnNames(table: string): Promise<string[]> {
    const rows = await this.connection.fetchAll({ sql: `PRAGMA table_info(${this.q(table)})`, params: [] });
    return rows.map((r) => String(r[1]));
  }

  // ---- alterations ---------------------------------------------------------------------

  override async addField(model: ModelCtor, field: Field, toModel?: ModelCtor): Promise<void> {
    if (field instanceof ManyToManyField) return super.addField(model, field);
    // As Django: ADD COLUMN cannot add a key, a unique column, a NOT NULL column, or keep a default.
    const inPlace =
      !field.primaryKey && !field.unique && field.null && this.effectiveDefault(field) === null && field.options.dbDefault === undefined;
    if (inPlace) {
      const column = this.columnSql(model, field);
      if (column === null) return;
      await this.execute(`ALTER TABLE ${this.q(model._meta.dbTable)} ADD COLUMN ${this.q(field.column)} ${column}`);
      if (field.dbIndex) await this.execute(this.fieldIndexSql(model, field));
      return;
    }
    await this.rebuild(model, this.#required(toModel, 'addField'), { added: [field] });
  }

  override async removeField(model: ModelCtor, field: Field, toModel?: ModelCtor): Promise<void> {
    if (field instanceof ManyToManyField) return super.removeField(model, field);
    if (this.ops.columnType(field) === null) return;
    const inPlace = !field.primaryKey && !field.unique && !field.dbIndex && !(field instanceof ForeignKey && field.dbConstraint);
    if (inPlace) {
      await this.execute(`ALTER TABLE ${this.q(model._meta.dbTable)} DROP COLUMN ${this.q(field.column)}`);
      return;
    }
    await this.rebuild(model, this.#required(toModel, 'removeField'));
  }

  override async alterField(model: ModelCtor, oldField: Field, newField: Field, toModel?: ModelCtor): Promise<void> {
    if (!this.fieldShouldBeAltered(oldField, newField)) return;
    const onlyRenamed = oldField.column !== newField.column && !this.fieldShouldBeAltered(oldField, newField, true);
    if (onlyRenamed) {
      await this.execute(
        `ALTER TABLE ${this.q(model._meta.dbTable)} RENAME COLUMN ${this.q(oldField.column)} TO ${this.q(newField.column)}`,
      );
      return;
    }
    const target = this.#required(toModel, 'alterField');
    await this.rebuild(model, target, { sources: new Map([[newField.name, oldField]]), altered: newField });
    // A key changing type: the tables referencing it are rebuilt too, their columns taking the new type (as Django).
    const keyTypeChanged = (newField.primaryKey || newField.unique) && this.relatedColumnType(oldField) !== this.relatedColumnType(newField);
    if (!keyTypeChanged) return;
    const rebuilt = new Set<ModelCtor>([target]);
    for (const { model: related } of this.referencingFields(target, target._meta.getField(newField.name))) {
      if (rebuilt.has(related)) continue;
      rebuilt.add(related);
      await this.rebuild(related, related);
    }
  }

  override async renameIndex(model: ModelCtor, oldIndex: Index, newIndex: Index): Promise<void> {
    // SQLite has no ALTER INDEX: drop and create under the new name.
    await this.removeIndex(model, oldIndex);
    await this.addIndex(model, newIndex);
  }

  override async addConstraint(model: ModelCtor, constraint: Constraint, toModel?: ModelCtor): Promise<void> {
    if (constraint instanceof UniqueConstraint && constraint.condition) return super.addConstraint(model, constraint);
    await this.rebuild(model, this.#required(toModel, 'addConstraint'));
  }

  override async removeConstraint(model: ModelCtor, constraint: Constraint, toModel?: ModelCtor): Promise<void> {
    if (constraint instanceof UniqueConstraint && constraint.condition) return super.removeConstraint(model, constraint);
    await this.rebuild(model, this.#required(toModel, 'removeConstraint'));
  }

  override async alterUniqueTogether(
    model: ModelCtor,
    _oldSets: readonly (readonly string[])[],
    _newSets: readonly (readonly string[])[],
    toModel?: ModelCtor,
  ): Promise<void> {
    await this.rebuild(model, this.#required(toModel, 'alterUniqueTogether'));
  }

  /**
   * Rebuilds `model`'s table as `toModel` describes it, keeping the rows: columns
   * present in both are copied (`sources` maps renamed or altered ones), new
   * columns get their effective default, a column made NOT NULL gets it for NULLs.
   */
  async rebuild(model: ModelCtor, toModel: ModelCtor, mapping: RebuildMapping = {}): Promise<void> {
    const oldMeta = model._meta;
    const newMeta = toModel._meta;
    const table = newMeta.dbTable;
    const temp = `new__${table}`;
    const added = new Map((mapping.added ?? []).map((f) => [f.name, f]));
    const targets: string[] = [];
    const sources: string[] = [];
    for (const field of newMeta.fields) {
      if (this.ops.columnType(field) === null) continue;
      const addedField = added.get(field.name);
      if (addedField) {
        if (field.options.dbDefault !== undefined) continue;
        // The field as the operation passed it: a one-off default lives there, not on toModel.
        const value = this.effectiveDefault(addedField);
        targets.push(this.q(field.column));
        sources.push(value === null ? 'NULL' : quoteValue(value));
        continue;
      }
      const old = mapping.sources?.get(field.name) ?? oldMeta.findField(field.name);
      if (!old || !old.concrete || this.ops.columnType(old) === null) continue;
      let source = this.q(old.column);
      if (old.null && !field.null) {
        const value = this.effectiveDefault(mapping.altered?.name === field.name ? mapping.altered : field);
        if (value !== null) source = `coalesce(${source}, ${quoteValue(value)})`;
      }
      targets.push(this.q(field.column));
      sources.push(source);
    }
    const [create, ...rest] = this.sqlCreateModel(toModel);
    await this.execute(create!.replace(`CREATE TABLE ${this.q(table)} (`, `CREATE TABLE ${this.q(temp)} (`));
    await this.execute(`INSERT INTO ${this.q(temp)} (${targets.join(', ')}) SELECT ${sources.join(', ')} FROM ${this.q(oldMeta.dbTable)}`);
    await this.execute(`DROP TABLE ${this.q(oldMeta.dbTable)}`);
    await this.execute(`ALTER TABLE ${this.q(temp)} RENAME TO ${this.q(table)}`);
    for (const statement of rest) await this.execute(statement);
  }

  #required(toModel: ModelCtor | undefined, method: string): ModelCtor {
    if (toModel) return toModel;
    throw new TypeError(`SqliteSchemaEditor.${method}() rebuilds the table here and needs the model as it will be (toModel).`);
  }

  // ---- around a migration ---------------------------------------------------------------

  override async beginMigration(): Promise<void> {
    if (this.collectSql || this.connection.inAtomicBlock()) return;
    (this.connection as SqliteDatabaseWrapper).setForeignKeyEnforcement(false);
  }

  override async checkConstraints(): Promise<void> {
    if (this.collectSql) return;
    const rows = await this.connection.fetchAll({ sql: 'PRAGMA foreign_key_check', params: [] }, 'write');
    if (!rows.length) return;
    const [table, rowid, parent] = rows[0]!;
    throw new IntegrityError(
      `The migration left ${rows.length} row(s) whose foreign key points nowhere: e.g. row ${String(rowid)} of ` +
        `"${String(table)}" refers to a missing row of "${String(parent)}". Fix the data in the migration (RunCode) before the change.`,
    );
  }

  override async endMigration(): Promise<void> {
    if (this.collectSql || this.connection.inAtomicBlock()) return;
    (this.connection as SqliteDatabaseWrapper).setForeignKeyEnforcement(true);
  }
}

export { makeName };

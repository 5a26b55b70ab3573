/** SQLite DDL: AUTOINCREMENT keys as Django creates them, and table introspection from sqlite_master. */
import { BaseSchemaEditor } from '../base/schema-editor.ts';
import type { Field } from '../../models/fields/field.ts';

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
}

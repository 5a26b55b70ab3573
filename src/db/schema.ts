/**
 * Creating tables from models: the schema editor for a connection, and
 * `createTables()` used by tests and the provisional `migrate` command until
 * migrations arrive.
 */
import type { BaseSchemaEditor } from './backends/base/schema-editor.ts';
import type { DatabaseWrapper } from './backends/base/connection.ts';
import { SqliteSchemaEditor } from './backends/sqlite/schema-editor.ts';
import { PostgresSchemaEditor } from './backends/postgres/schema-editor.ts';
import { connections } from './connections.ts';
import type { ModelBase } from './models/base.ts';

const editors: Record<string, new (connection: DatabaseWrapper) => BaseSchemaEditor> = {
  sqlite: SqliteSchemaEditor,
  postgres: PostgresSchemaEditor,
};

export function registerSchemaEditor(vendor: string, editor: new (connection: DatabaseWrapper) => BaseSchemaEditor): void {
  editors[vendor] = editor;
}

export function schemaEditorFor(connection: DatabaseWrapper): BaseSchemaEditor {
  const Editor = editors[connection.vendor];
  if (!Editor) throw new Error(`No schema editor is registered for the '${connection.vendor}' backend.`);
  return new Editor(connection);
}

/**
 * Creates the tables of `models` that do not exist yet, in the order given;
 * returns the names of the tables created.
 * ```ts
 * await createTables([Publisher, Author, Book]);
 * ```
 */
export async function createTables(
  models: readonly (typeof ModelBase)[],
  options: { using?: string } = {},
): Promise<string[]> {
  const editor = schemaEditorFor(connections.get(options.using ?? 'default'));
  const existing = new Set(await editor.tableNames());
  const created: string[] = [];
  // Prepare every model before resolving relations, so an 'app.Model' string may name a later one.
  for (const model of models) void model._meta;
  // Automatic join tables of many-to-many fields follow the models that declare them.
  const withJoins = models.flatMap((model) => [
    model,
    ...model._meta.manyToMany.filter((f) => f.autoCreated).map((f) => f.throughModel as unknown as typeof ModelBase),
  ]);
  for (const model of withJoins) {
    const meta = model._meta;
    if (meta.abstract || !meta.managed || existing.has(meta.dbTable)) continue;
    await editor.createModel(model);
    existing.add(meta.dbTable);
    created.push(meta.dbTable);
  }
  return created;
}

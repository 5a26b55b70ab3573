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
import { router, type RoutedModel } from './routers.ts';
import type { ModelBase } from './models/base.ts';

const editors: Record<string, new (connection: DatabaseWrapper) => BaseSchemaEditor> = {
  sqlite: SqliteSchemaEditor,
  postgres: PostgresSchemaEditor,
};

export function registerSchemaEditor(vendor: string, editor: new (connection: DatabaseWrapper) => BaseSchemaEditor): void {
  editors[vendor] = editor;
}

/**
 * The schema editor of `connection`'s backend. With `DATABASE_ROUTERS` set, changes to a
 * model whose `allowMigrate()` is false on this alias are skipped (Django's
 * `allow_migrate_model` check in each migration operation), so `migrate --database` and
 * `createTables()` build only the tables each database should hold.
 */
export function schemaEditorFor(connection: DatabaseWrapper): BaseSchemaEditor {
  const Editor = editors[connection.vendor];
  if (!Editor) throw new Error(`No schema editor is registered for the '${connection.vendor}' backend.`);
  const editor = new Editor(connection);
  return router.routers.length === 0 ? editor : routedEditor(editor);
}

/** The editor methods migration operations call with the model they change as first argument. */
const MODEL_CHANGES: ReadonlySet<string | symbol> = new Set([
  'createModel', 'deleteModel', 'addField', 'removeField', 'alterField', 'alterDbTable',
  'addIndex', 'removeIndex', 'renameIndex', 'addConstraint', 'removeConstraint', 'alterUniqueTogether',
]);

// A proxy rather than a subclass, so every backend's editor is filtered the same way;
// methods run on the editor itself, so its internal calls (table rebuilds) are not filtered.
function routedEditor(editor: BaseSchemaEditor): BaseSchemaEditor {
  const alias = editor.connection.alias;
  return new Proxy(editor, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!MODEL_CHANGES.has(property)) return method.bind(target);
      return (model: RoutedModel, ...rest: unknown[]) =>
        router.allowMigrateModel(alias, model) ? method.call(target, model, ...rest) : Promise.resolve();
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
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
  // A model swapped out by its swappable setting (auth.User under a custom AUTH_USER_MODEL) has no tables.
  const withJoins = models.filter((model) => model._meta.swapped === undefined).flatMap((model) => [
    model,
    ...(model._meta.autoCreatedJoinModels as unknown as (typeof ModelBase)[]),
  ]);
  for (const model of withJoins) {
    const meta = model._meta;
    if (meta.abstract || !meta.managed || existing.has(meta.dbTable)) continue;
    if (!router.allowMigrateModel(editor.connection.alias, model)) continue;
    await editor.createModel(model);
    existing.add(meta.dbTable);
    created.push(meta.dbTable);
  }
  return created;
}

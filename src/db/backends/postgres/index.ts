/**
 * The PostgreSQL backend: `ENGINE: 'postgres'` in DATABASES, on the `pg` package.
 *
 * connection.ts (pool, transactions, cursors, error translation) → operations.ts (SQL
 * dialect) → schema-editor.ts (DDL) → introspection.ts (reading the schema back).
 * The ORM finds it through the engine table in `db/connections.ts`, `registerOperations`
 * and `registerSchemaEditor`; `pg` itself is loaded on the first statement.
 */
export { PostgresDatabaseWrapper, PostgresDriverMissingError, translatePostgresError } from './connection.ts';
export { PostgresOperations } from './operations.ts';
export { PostgresSchemaEditor } from './schema-editor.ts';
export { PostgresIntrospection } from './introspection.ts';
export type { ColumnInfo, ConstraintInfo, IndexInfo } from './introspection.ts';
export { postgresFeatures } from './features.ts';

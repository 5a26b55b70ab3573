/**
 * Picks the compiler and operations for a connection by its vendor, once per
 * connection. Backends register here so the model layer stays vendor-blind.
 */
import type { DatabaseWrapper } from '../../backends/base/connection.ts';
import type { BaseDatabaseOperations } from '../../backends/base/operations.ts';
import { SqliteOperations } from '../../backends/sqlite/operations.ts';
import { PostgresOperations } from '../../backends/postgres/operations.ts';
import { SQLCompiler } from './compiler.ts';

const operationsByVendor: Record<string, () => BaseDatabaseOperations> = {
  sqlite: () => new SqliteOperations(),
  postgres: () => new PostgresOperations(),
};

const compilers = new WeakMap<DatabaseWrapper, SQLCompiler>();

/** Lets a backend package add its operations (Postgres registers itself when loaded). */
export function registerOperations(vendor: string, make: () => BaseDatabaseOperations): void {
  operationsByVendor[vendor] = make;
}

export function compilerFor(connection: DatabaseWrapper): SQLCompiler {
  let compiler = compilers.get(connection);
  if (!compiler) {
    const make = operationsByVendor[connection.vendor];
    if (!make) throw new Error(`No SQL operations are registered for the '${connection.vendor}' backend.`);
    compiler = new SQLCompiler(make());
    compilers.set(connection, compiler);
  }
  return compiler;
}

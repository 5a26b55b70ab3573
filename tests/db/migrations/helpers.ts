/** Shared by the migration tests: an in-memory graph of migrations, and schema introspection on either database. */
import type { DatabaseWrapper } from '../../../src/db/backends/base/connection.ts';
import { PostgresIntrospection } from '../../../src/db/backends/postgres/introspection.ts';
import { CreateModel, Migration, MigrationExecutor, MigrationLoader, MigrationRecorder, type MigrationOptions } from '../../../src/db/migrations/index.ts';
import { BigAutoField, CASCADE, CharField, DecimalField, ForeignKey, PROTECT } from '../../../src/db/index.ts';

/** A migration of app `shop` (unless `app` says otherwise) named `name`. */
export function migration(name: string, options: MigrationOptions, app = 'shop'): Migration {
  return Object.assign(new Migration(options), { appLabel: app, name });
}

/** An executor over these migrations (no files), with the applied list read from the database. */
export async function executorFor(connection: DatabaseWrapper, migrations: readonly Migration[]): Promise<MigrationExecutor> {
  const loader = new MigrationLoader(connection, { appConfigs: [] });
  for (const m of migrations) {
    loader.graph.addNode(m.key, m);
    loader.migratedApps.add(m.appLabel);
  }
  for (const m of migrations) for (const [app, name] of m.dependencies) loader.graph.addDependency(m.key, m.key, `${app}.${name}`);
  loader.appliedMigrations = await new MigrationRecorder(connection).appliedMigrations();
  return new MigrationExecutor(connection, loader);
}

async function rows(connection: DatabaseWrapper, sql: string): Promise<unknown[][]> {
  return connection.fetchAll({ sql, params: [] });
}

/** The schema as the database reports it: SQLite's pragmas, or PostgreSQL's catalog through its introspection module. */
export async function schemaOf(connection: DatabaseWrapper): Promise<Record<string, unknown>> {
  return connection.vendor === 'postgres' ? postgresSchemaOf(connection) : sqliteSchemaOf(connection);
}

/**
 * Per table: columns by name (type, NULL-ness, default, identity), constraints (kind, columns and
 * definition, which names the referenced table) and indexes with their definition. Names the
 * database or the schema editor made up (`_key`, `_fkey`, `_<hash>_uniq`) read as `<generated>`:
 * they follow the history, not the schema (a unique dropped and added back is named anew, in
 * Django too); names the migration chose stay significant.
 */
async function postgresSchemaOf(connection: DatabaseWrapper): Promise<Record<string, unknown>> {
  const introspection = new PostgresIntrospection(connection);
  const schemaName = String((await connection.fetchOne({ sql: 'SELECT current_schema()', params: [] }))![0]);
  const generated = (name: string) => (/_(key|fkey|pkey|check|[0-9a-f]{8}(_\w+)?)$/.test(name) ? '<generated>' : name);
  const schema: Record<string, unknown> = {};
  for (const table of await introspection.tableNames()) {
    if (table === 'nuages_migrations') continue;
    const byText = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    schema[table] = {
      columns: (await introspection.columns(table)).sort((a, b) => a.name.localeCompare(b.name)),
      constraints: (await introspection.constraints(table)).map((c) => ({ ...c, name: generated(c.name) })).sort(byText),
      indexes: (await introspection.indexes(table))
        .map((i) => ({ ...i, name: generated(i.name), definition: i.definition.replace(` INDEX ${i.name} ON ${schemaName}.`, ' INDEX ON ') }))
        .sort(byText),
    };
  }
  return schema;
}

/**
 * The schema as SQLite reports it: per table its columns (pragma table_info),
 * indexes with their columns, foreign keys, and CHECK constraints as written.
 */
async function sqliteSchemaOf(connection: DatabaseWrapper): Promise<Record<string, unknown>> {
  const tables = await rows(
    connection,
    "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'nuages_migrations' ORDER BY name",
  );
  const schema: Record<string, unknown> = {};
  for (const [name, sql] of tables) {
    const table = String(name);
    const indexes = await rows(connection, `PRAGMA index_list("${table}")`);
    const indexInfo: unknown[] = [];
    for (const index of indexes.sort((a, b) => String(a[1]).localeCompare(String(b[1])))) {
      const columns = (await rows(connection, `PRAGMA index_xinfo("${String(index[1])}")`)).filter((c) => c[5] === 1);
      indexInfo.push([String(index[1]).startsWith('sqlite_autoindex') ? 'auto' : index[1], index[2], index[4], columns.map((c) => [c[2], c[3]])]);
    }
    schema[table] = {
      // By name: a column removed then added back comes last, as in Django; its definition is what counts.
      columns: (await rows(connection, `PRAGMA table_info("${table}")`)).map((c) => c.slice(1)).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      indexes: indexInfo,
      foreignKeys: (await rows(connection, `PRAGMA foreign_key_list("${table}")`)).map((fk) => [fk[2], fk[3], fk[4]]),
      checks: [...String(sql).matchAll(/CHECK \((?:[^()]|\([^()]*\))*\)/g)].map((m) => m[0]).sort(),
    };
  }
  return schema;
}

/** The shop's first migration: publishers and books, with two keys between them. */
export const initialShopMigration = (): Migration =>
  migration('0001_initial', {
    initial: true,
    operations: [
      new CreateModel({
        name: 'Publisher',
        fields: [['id', new BigAutoField({ primaryKey: true })], ['name', new CharField({ maxLength: 100, unique: true })]],
      }),
      new CreateModel({
        name: 'Book',
        fields: [
          ['id', new BigAutoField({ primaryKey: true })],
          ['title', new CharField({ maxLength: 200 })],
          ['price', new DecimalField({ maxDigits: 8, decimalPlaces: 2, null: true })],
          ['publisher', new ForeignKey('shop.Publisher', { onDelete: PROTECT, relatedName: 'books' })],
          ['editor', new ForeignKey('shop.Publisher', { onDelete: CASCADE, null: true, relatedName: 'edited' })],
        ],
        options: { ordering: ['title'] },
      }),
    ],
  });

/** Two publishers and two books in the tables of initialShopMigration(). */
export async function seedShop(db: DatabaseWrapper): Promise<void> {
  await db.executeScript("INSERT INTO shop_publisher (id, name) VALUES (1, 'Acme'), (2, 'Bloom')");
  await db.executeScript("INSERT INTO shop_book (id, title, price, publisher_id) VALUES (1, 'Dune', '9.99', 1), (2, 'Emma', NULL, 2)");
}

/**
 * Test databases built the way production ones are: by running the project's migrations, as
 * Django's test runner does, so the tests see the schema the migrations really produce (a
 * model change without its migration fails the tests, not the deployment).
 *
 * installed apps → apps without migrations: their tables created from today's models
 * (Django's syncdb) → apps with migrations: `migrate` to their latest migration →
 * `postMigrate` sent per app, so content types and permissions exist as after `migrate`.
 *
 * The helper migrates the databases it is given; pointing them at a throw-away database (an
 * SQLite `:memory:` or temporary file, a PostgreSQL schema of its own) is the settings' job.
 */
import { apps } from '../conf/apps.ts';
import { creationOrder } from '../core/management/commands/migrate.ts';
import { emitPostMigrateSignal } from '../core/management/sql.ts';
import { connections } from '../db/connections.ts';
import { MigrationExecutor } from '../db/migrations/executor.ts';
import type { ModelBase } from '../db/models/base.ts';
import { createTables } from '../db/schema.ts';

type ModelCtor = typeof ModelBase;

/** What `setupTestDatabase()` migrates. */
export interface SetupTestDatabaseOptions {
  /** App labels to set up (default: every installed app). Migrations they depend on run too. */
  readonly apps?: readonly string[];
  /** Database aliases to set up (default: `['default']`). */
  readonly databases?: readonly string[];
}

/** What was done on one database. */
export interface TestDatabaseReport {
  readonly alias: string;
  /** `app.name` of each migration applied, in order. */
  readonly applied: readonly string[];
  /** Tables created directly for apps without migrations. */
  readonly synced: readonly string[];
}

/**
 * Builds the test databases by migration. Call it once per test file (in `before`), after
 * settings and the app registry are set up; close the connections in `after`.
 *
 * ```ts
 * before(async () => {
 *   connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
 *   await setupTestDatabase();              // CREATE TABLE … for every migration, in order
 * });
 * after(() => connections.closeAll());
 * ```
 *
 * Queries: the migrations' DDL plus one row per migration in `nuages_migrations`.
 * @throws whatever a migration throws; the failing migration is rolled back where DDL is transactional.
 */
export async function setupTestDatabase(options: SetupTestDatabaseOptions = {}): Promise<TestDatabaseReport[]> {
  const labels = new Set(options.apps ?? apps.getAppConfigs().map((config) => config.label));
  const reports: TestDatabaseReport[] = [];
  for (const alias of options.databases ?? ['default']) {
    const connection = connections.get(alias);
    const applied: string[] = [];
    const executor = await MigrationExecutor.create(connection, (event, migration) => {
      if (event === 'apply_success') applied.push(migration.key);
    });
    const unmigrated = [...labels].filter((label) => !executor.loader.migratedApps.has(label));
    const models = unmigrated.flatMap((label) => apps.getModels(label) as unknown as ModelCtor[]);
    const synced = await createTables(creationOrder(models), { using: alias });
    const targets = executor.leafTargets().filter(([label]) => labels.has(label));
    const plan = executor.migrationPlan(targets);
    await executor.migrate(targets, { plan });
    // As `migrate` does: receivers create what follows the schema (content types, permissions).
    await emitPostMigrateSignal({ verbosity: 0, interactive: false, using: alias, plan, apps: () => executor.appliedState().apps });
    reports.push({ alias, applied, synced });
  }
  return reports;
}

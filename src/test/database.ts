/**
 * Test databases built the way production ones are: by running the project's migrations, as
 * Django's test runner does, so the tests see the schema the migrations really produce (a
 * model change without its migration fails the tests, not the deployment).
 *
 * installed apps → apps without migrations: their tables created from today's models
 * (Django's syncdb) → apps with migrations: `migrate` to their latest migration →
 * `postMigrate` sent per app, so content types and permissions exist as after `migrate`.
 *
 * setupTestDatabase() migrates the databases it is given. useTestDatabase() runs the whole
 * lifecycle, with Django's names: each DATABASES entry is swapped for its test database
 * (`test_<NAME>`, or TEST.NAME; SQLite `:memory:` stays in memory; a file becomes
 * `test_<file>` beside it), created and migrated before the file's tests and dropped after.
 *
 * Parallel test processes (`node --test --test-concurrency=N`) each work in a database of
 * their own, `test_<NAME>_<pid>`. With keepdb the migrated `test_<NAME>` is kept as a
 * template: one process builds it (under a lock) when missing or when the migrations'
 * fingerprint changed, and every process copies it (`CREATE DATABASE … TEMPLATE`, a file
 * copy on SQLite) instead of migrating.
 */
import { closeCachesAndTaskBackends } from '../core/close-connections.ts';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { after, before } from 'node:test';
import { apps, type AppConfig } from '../conf/apps.ts';
import { ImproperlyConfigured } from '../core/errors.ts';
import { popProcessSettings, pushProcessSettings, settings } from '../conf/lazy-settings.ts';
import { creationOrder } from '../core/management/commands/migrate.ts';
import { emitPostMigrateSignal } from '../core/management/sql.ts';
import type { DatabaseSettings } from '../db/backends/base/types.ts';
import { connections } from '../db/connections.ts';
import { migrationFiles, migrationsFolder } from '../db/migrations/loader.ts';
import { MigrationExecutor } from '../db/migrations/executor.ts';
import type { ModelBase } from '../db/models/base.ts';
import { createTables } from '../db/schema.ts';
import { testDatabaseServer } from './database-servers.ts';

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

/** Options of {@link useTestDatabase} and {@link createTestDatabases}. */
export interface TestDatabaseOptions {
  /** App labels to migrate (default: every installed app). */
  readonly apps?: readonly string[];
  /** Database aliases to replace by test databases (default: every DATABASES entry). */
  readonly databases?: readonly string[];
  /** Keep the migrated test database between runs (default: `NUAGES_KEEPDB=1`, set by `manage.ts test --keepdb`). */
  readonly keepdb?: boolean;
  /** Also apply {@link setupTestEnvironment} while the databases exist (default: when settings are configured). */
  readonly environment?: boolean;
}

/** The test databases in use; {@link TestDatabases.destroy} drops them and restores DATABASES. */
export interface TestDatabases {
  /** The database (or SQLite file) each alias now uses. */
  readonly names: Readonly<Record<string, string>>;
  /** Per alias: whether this process ran the migrations (false: a kept, current template was copied). */
  readonly migrated: Readonly<Record<string, boolean>>;
  /** Closes the connections, drops what this process created, and restores the original DATABASES. */
  destroy(): Promise<void>;
}

/** One alias's plan: where its test database goes. */
interface Plan {
  readonly alias: string;
  readonly settings: DatabaseSettings;
  /** `test_<NAME>` (or TEST.NAME): the database itself, or the kept template under keepdb. */
  readonly testName: string;
  /** The database this process works in. */
  readonly ownName: string;
  readonly memory: boolean;
  readonly mirror: string | undefined;
}

/**
 * The whole test database lifecycle for one node:test file: call it at the top of the file,
 * after settings are set up (the registry must be ready). Returns the databases in use,
 * filled in once the `before` hook ran.
 *
 * ```ts
 * await setup({ settingsModule: './settings.ts' });
 * const databases = useTestDatabase();        // before: create + migrate; after: close + drop
 * describe('orders', () => {
 *   useTestCase();                            // each test rolled back
 *   test('…', async () => { … });
 * });
 * ```
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): TestDatabases {
  let created: TestDatabases | undefined;
  const current = (): TestDatabases => {
    if (created === undefined) throw new ImproperlyConfigured('The test databases are read before the before() hook of useTestDatabase() ran: read them inside a hook or a test.');
    return created;
  };
  before(async () => {
    created = await createTestDatabases(options);
  });
  after(async () => {
    await created?.destroy();
  });
  return {
    get names() {
      return current().names;
    },
    get migrated() {
      return current().migrated;
    },
    destroy: () => current().destroy(),
  };
}

/**
 * Creates the test databases (see {@link useTestDatabase}, which calls it in `before`) and
 * points the connections at them. Drop them with `destroy()`.
 *
 * @throws ImproperlyConfigured when no DATABASES are configured; whatever creating or migrating throws.
 */
export async function createTestDatabases(options: TestDatabaseOptions = {}): Promise<TestDatabases> {
  const original = connections.databases;
  const fromSettings = settings.configured && original === settings.DATABASES;
  const keepdb = options.keepdb ?? process.env['NUAGES_KEEPDB'] === '1';
  const plans = (options.databases ?? Object.keys(original)).map((alias) => planFor(alias, original, keepdb));
  const wanted = options.environment ?? settings.configured;
  const environment = wanted ? await setupTestEnvironment() : undefined;
  const testDatabases: Record<string, DatabaseSettings> = { ...original };
  const migrated: Record<string, boolean> = {};
  await connections.closeAll();
  for (const plan of plans) {
    if (plan.mirror !== undefined) continue;
    testDatabases[plan.alias] = { ...plan.settings, NAME: plan.ownName };
    if (plan.memory) migrated[plan.alias] = true;
    else if (keepdb) migrated[plan.alias] = await copyTemplate(plan, original, options);
    else {
      await withServer(plan, (server) => server.create(plan.ownName));
      migrated[plan.alias] = true;
    }
  }
  for (const plan of plans) {
    if (plan.mirror !== undefined) testDatabases[plan.alias] = { ...(testDatabases[plan.mirror] ?? plan.settings) };
  }
  connections.configure(testDatabases);
  const toMigrate = plans.filter((plan) => migrated[plan.alias] === true && (plan.memory || !keepdb));
  await setupTestDatabase({ ...(options.apps ? { apps: options.apps } : {}), databases: toMigrate.map((plan) => plan.alias) });
  return {
    names: Object.fromEntries(plans.map((plan) => [plan.alias, String(testDatabases[plan.alias]?.NAME)])),
    migrated,
    destroy: async () => {
      // Their sockets would keep the test process from exiting (a Redis cache, a BullMQ broker).
      await closeCachesAndTaskBackends();
      await connections.closeAll();
      for (const plan of plans) {
        if (!plan.memory && plan.mirror === undefined) await withServer(plan, (server) => server.drop(plan.ownName));
      }
      if (fromSettings) await connections.reset();
      else connections.configure(original);
      if (environment !== undefined) await teardownTestEnvironment(environment);
    },
  };
}

function planFor(alias: string, databases: Readonly<Record<string, DatabaseSettings>>, keepdb: boolean): Plan {
  const settings = databases[alias];
  if (settings === undefined) {
    throw new ImproperlyConfigured(`useTestDatabase() was given the database alias '${alias}', which is not in DATABASES (${Object.keys(databases).join(', ')}).`);
  }
  const mirror = settings.TEST?.MIRROR ?? undefined;
  const explicit = settings.TEST?.NAME ?? undefined;
  const sqlite = settings.ENGINE === 'sqlite';
  const memory = sqlite && (explicit ?? settings.NAME) in IN_MEMORY;
  const testName = memory ? ':memory:' : (explicit ?? prefixed(settings.NAME, sqlite));
  // Processes of one run must not share a database; a lone process keeps Django's name.
  const alone = !keepdb && process.env['NODE_TEST_CONTEXT'] === undefined;
  const ownName = memory || alone ? testName : suffixed(testName, `_${process.pid}`, sqlite);
  return { alias, settings, testName, ownName, memory, mirror };
}

const IN_MEMORY: Record<string, true> = { ':memory:': true, '': true };

function prefixed(name: string, file: boolean): string {
  return file ? join(dirname(name), `test_${basename(name)}`) : `test_${name}`;
}

function suffixed(name: string, suffix: string, file: boolean): string {
  if (!file) return `${name}${suffix}`;
  const extension = extname(name);
  return `${name.slice(0, name.length - extension.length)}${suffix}${extension}`;
}

async function withServer<T>(plan: Plan, fn: (server: ReturnType<typeof testDatabaseServer>) => Promise<T>): Promise<T> {
  const server = testDatabaseServer(plan.settings);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

/** keepdb: (re)builds the template when stale, under the lock, then copies it. Returns whether it migrated. */
function copyTemplate(plan: Plan, original: Readonly<Record<string, DatabaseSettings>>, options: TestDatabaseOptions): Promise<boolean> {
  const fingerprint = migrationsFingerprint(plan.settings, options.apps);
  return withServer(plan, (server) =>
    server.withLock(plan.testName, async () => {
      const current = (await server.fingerprint(plan.testName)) === fingerprint;
      if (!current) {
        await server.create(plan.testName);
        connections.configure({ ...original, [plan.alias]: { ...plan.settings, NAME: plan.testName } });
        try {
          await setupTestDatabase({ ...(options.apps ? { apps: options.apps } : {}), databases: [plan.alias] });
        } finally {
          await connections.closeAll();
        }
        await server.setFingerprint(plan.testName, fingerprint);
      }
      await server.create(plan.ownName, plan.testName);
      return !current;
    }),
  );
}

/**
 * What a kept template was built from: the engine and, per app, its migration files, or
 * for an app without migrations (tables made from today's models) its source files.
 */
function migrationsFingerprint(database: DatabaseSettings, labels: readonly string[] | undefined): string {
  const hash = createHash('sha256').update(`${database.ENGINE}\0${JSON.stringify(database.OPTIONS ?? {})}\0`);
  const configs = apps.getAppConfigs().filter((config) => labels === undefined || labels.includes(config.label));
  for (const config of [...configs].sort((a, b) => a.label.localeCompare(b.label))) {
    hash.update(`app ${config.label}\0`);
    const migrations = migrationFiles(migrationsFolder(config));
    const files = migrations.size > 0 ? [...migrations.values()] : sourceFiles(config);
    for (const file of files) hash.update(`${basename(file)}\0`).update(readFileSync(file)).update('\0');
  }
  return `nuages-test:${hash.digest('hex')}`;
}

function sourceFiles(config: AppConfig): string[] {
  if (!existsSync(config.path)) return [];
  return readdirSync(config.path, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|js|mts|mjs)$/.test(file) && !/(^|\/)(node_modules|tests?)\//.test(file))
    .sort()
    .map((file) => join(config.path, file));
}

/** What {@link setupTestEnvironment} changed; hand it back to {@link teardownTestEnvironment}. */
export interface TestEnvironment {
  readonly layer: Awaited<ReturnType<typeof pushProcessSettings>>;
}

/** Options of {@link setupTestEnvironment}. */
export interface TestEnvironmentOptions {
  /**
   * Run the `default` task backend at enqueue time (`immediate`), as tests expect (default
   * true); false keeps the project's TASKS, e.g. test settings that name their own backend.
   */
  readonly immediateTasks?: boolean;
}

/**
 * Django's setup_test_environment: mail goes to the locmem outbox (EMAIL_BACKEND `locmem`),
 * `testserver` (the test client's host) joins ALLOWED_HOSTS, and the `default` task backend
 * runs tasks at once. A process-wide settings layer, removed by {@link teardownTestEnvironment}.
 */
export async function setupTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const hosts = settings.ALLOWED_HOSTS;
  const patch: Record<string, unknown> = {
    EMAIL_BACKEND: 'locmem',
    ALLOWED_HOSTS: hosts.includes('testserver') ? hosts : [...hosts, 'testserver'],
  };
  if (options.immediateTasks !== false) {
    // The project's QUEUES stay: a task declared on queue 'mail' must still be accepted.
    const queues = (settings.TASKS['default'] as { QUEUES?: readonly string[] } | undefined)?.QUEUES;
    patch['TASKS'] = { ...settings.TASKS, default: { BACKEND: 'immediate', ...(queues !== undefined && { QUEUES: queues }) } };
  }
  return { layer: await pushProcessSettings(patch) };
}

/** Undoes {@link setupTestEnvironment}. */
export async function teardownTestEnvironment(environment: TestEnvironment): Promise<void> {
  await popProcessSettings(environment.layer);
}

/**
 * The connection handler: one lazily opened `DatabaseWrapper` per alias of `DATABASES`.
 *
 * `connections.get('default')` → DATABASES (from `connections.configure()`, else from
 * settings) → the ENGINE's backend → a wrapper, opened on first statement and kept.
 * Transactions are not per wrapper object but per async context (see transaction.ts),
 * so one wrapper per alias serves every concurrent request.
 */
import { settings } from '../conf/index.ts';
import { ImproperlyConfigured, NuagesError } from '../core/errors.ts';
import type { DatabaseWrapper, WrapperOptions } from './backends/base/connection.ts';
import type { DatabaseSettings } from './backends/base/types.ts';
import { SqliteDatabaseWrapper } from './backends/sqlite/connection.ts';
import { PostgresDatabaseWrapper } from './backends/postgres/connection.ts';

/** The alias used when none is given, as Django's `DEFAULT_DB_ALIAS`. */
export const DEFAULT_DB_ALIAS = 'default';

/** Builds a wrapper for one `DATABASES` entry. */
export type BackendFactory = (alias: string, settings: DatabaseSettings, options: WrapperOptions) => DatabaseWrapper;

/**
 * ENGINE → backend. Only what is implemented is listed; an unknown ENGINE's error names
 * these keys. A backend with a native driver registers here and imports it lazily.
 */
const BACKENDS: Record<string, BackendFactory> = {
  sqlite: (alias, databaseSettings, options) => new SqliteDatabaseWrapper(alias, databaseSettings, options),
  // The wrapper is cheap; it loads the pg driver on its first statement.
  postgres: (alias, databaseSettings, options) => new PostgresDatabaseWrapper(alias, databaseSettings, options),
};

/** `connections.get()` was asked for an alias `DATABASES` does not define. */
export class ConnectionDoesNotExist extends NuagesError {
  readonly code = 'NUAGES_DB_CONNECTION_DOES_NOT_EXIST';
  constructor(alias: string, configured: readonly string[]) {
    super(
      `The database alias '${alias}' is not in DATABASES. ` +
        (configured.length === 0
          ? 'DATABASES is empty: add DATABASES.default to your settings.'
          : `Configured aliases: ${configured.map((a) => `'${a}'`).join(', ')}. Use one of them, or add '${alias}'.`),
    );
  }
}

/** A `DATABASES` entry names an ENGINE no backend implements. */
export class UnknownDatabaseEngineError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_DB_UNKNOWN_ENGINE';
  constructor(alias: string, engine: string) {
    super(
      `DATABASES.${alias}.ENGINE is '${engine}', which no installed backend implements. ` +
        `Available engines: ${Object.keys(BACKENDS).map((e) => `'${e}'`).join(', ')}.`,
    );
  }
}

/** `connections.configure()` was called while connections from the old configuration were open. */
export class ConnectionsInUseError extends NuagesError {
  readonly code = 'NUAGES_DB_CONNECTIONS_IN_USE';
  constructor(aliases: readonly string[]) {
    super(
      `connections.configure() was called while ${aliases.map((a) => `'${a}'`).join(', ')} ` +
        `${aliases.length === 1 ? 'is' : 'are'} open. Call await connections.closeAll() first.`,
    );
  }
}

/** Whether DEBUG is on, without failing when settings are not configured (scripts, unit tests). */
function debugFromSettings(): boolean {
  try {
    return settings.configured && settings.DEBUG === true;
  } catch {
    return false;
  }
}

/**
 * Holds one wrapper per alias. Use the shared {@link connections} instance.
 */
export class ConnectionHandler {
  #databases: Record<string, DatabaseSettings> | undefined;
  readonly #wrappers = new Map<string, DatabaseWrapper>();

  /**
   * Sets `DATABASES` explicitly instead of reading settings (scripts, tests).
   *
   * @throws ConnectionsInUseError when connections are open; close them first.
   * @example
   * connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
   */
  configure(databases: Record<string, DatabaseSettings>): void {
    if (this.#wrappers.size > 0) throw new ConnectionsInUseError([...this.#wrappers.keys()]);
    this.#databases = { ...databases };
  }

  /** The `DATABASES` in use: from `configure()`, else from settings. */
  get databases(): Readonly<Record<string, DatabaseSettings>> {
    if (this.#databases !== undefined) return this.#databases;
    if (!settings.configured) {
      throw new ImproperlyConfigured(
        'No database is configured: call connections.configure({ default: {...} }), or configure ' +
          'settings (setup() / configure()) with DATABASES before querying.',
      );
    }
    return settings.DATABASES as Record<string, DatabaseSettings>;
  }

  /**
   * The wrapper for `alias`, created on first use (the driver connection opens on the
   * first statement).
   *
   * @throws ConnectionDoesNotExist for an alias not in DATABASES;
   *   UnknownDatabaseEngineError for an ENGINE with no backend.
   */
  get(alias: string = DEFAULT_DB_ALIAS): DatabaseWrapper {
    const existing = this.#wrappers.get(alias);
    if (existing !== undefined) return existing;
    const databases = this.databases;
    const databaseSettings = Object.hasOwn(databases, alias) ? databases[alias] : undefined;
    if (databaseSettings === undefined) throw new ConnectionDoesNotExist(alias, Object.keys(databases));
    const factory = Object.hasOwn(BACKENDS, databaseSettings.ENGINE) ? BACKENDS[databaseSettings.ENGINE] : undefined;
    if (factory === undefined) throw new UnknownDatabaseEngineError(alias, databaseSettings.ENGINE);
    const wrapper = factory(alias, databaseSettings, { debug: debugFromSettings() });
    this.#wrappers.set(alias, wrapper);
    return wrapper;
  }

  /** Every configured alias's wrapper, creating those not yet used. */
  all(): DatabaseWrapper[] {
    return Object.keys(this.databases).map((alias) => this.get(alias));
  }

  /** The aliases whose wrapper exists. */
  get openAliases(): string[] {
    return [...this.#wrappers.keys()];
  }

  /**
   * Closes every wrapper and forgets it; the next `get()` builds a fresh one from the
   * current DATABASES. A `:memory:` database loses its contents.
   */
  async closeAll(): Promise<void> {
    const wrappers = [...this.#wrappers.values()];
    this.#wrappers.clear();
    await Promise.all(wrappers.map((wrapper) => wrapper.close()));
  }

  /** Forgets `configure()`d DATABASES (after closing), so settings are read again. */
  async reset(): Promise<void> {
    await this.closeAll();
    this.#databases = undefined;
  }
}

/** The process-wide connection handler, as Django's `django.db.connections`. */
export const connections = new ConnectionHandler();

/**
 * The default database's wrapper, resolved on each access (Django's `connection`).
 *
 * @example
 * await connection.fetchAll({ sql: 'SELECT 1', params: [] }); // [[1]]
 */
export const connection: DatabaseWrapper = new Proxy({} as DatabaseWrapper, {
  get(_target, property) {
    const wrapper = connections.get(DEFAULT_DB_ALIAS);
    const value = Reflect.get(wrapper, property, wrapper) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(wrapper) : value;
  },
  set(_target, property, value) {
    return Reflect.set(connections.get(DEFAULT_DB_ALIAS), property, value);
  },
  has(_target, property) {
    return Reflect.has(connections.get(DEFAULT_DB_ALIAS), property);
  },
});

/**
 * Database routers: which alias of `DATABASES` a query reads from and writes to, which
 * objects may be related across databases, and where migrations run.
 *
 * QuerySet / save() / delete() → `router.dbForRead|dbForWrite(model, hints)` → each router
 * of `DATABASE_ROUTERS` in order, the first that answers wins → else the hinted instance's
 * database → else `'default'`, as Django's `ConnectionRouter`. `using()` bypasses routing.
 *
 * `ReplicaRouter` is the built-in router for read replicas: reads round-robin over the
 * replicas of `DATABASE_REPLICAS`, writes, `atomic()` blocks and reads that follow a write
 * in the same routing scope (see routing-scope.ts) go to the primary, and a replica whose
 * connection fails is skipped for a while.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settings } from '../conf/index.ts';
import { ImproperlyConfigured, NuagesError } from '../core/errors.ts';
import { connections, DEFAULT_DB_ALIAS } from './connections.ts';
import type { ModelBase } from './models/base.ts';
import { wroteTo } from './routing-scope.ts';

/** What a router is told about a model: its app and name (a historical model in migrations). */
export interface RoutedModel {
  readonly _meta: { readonly appLabel: string; readonly modelName: string };
}

/**
 * Extra facts a router may use. `instance` is the object the query is about: the
 * instance a related manager belongs to, or the one being saved or deleted.
 */
export interface RouterHints {
  readonly instance?: ModelBase;
  readonly model?: RoutedModel;
  readonly [key: string]: unknown;
}

/**
 * A database router. Every method is optional; returning `undefined` (or `null`) means
 * "no opinion", and the next router is asked, as in Django.
 *
 * @example
 * const analyticsRouter: DatabaseRouter = {
 *   dbForRead: (model) => (model._meta.appLabel === 'analytics' ? 'analytics' : undefined),
 *   dbForWrite: (model) => (model._meta.appLabel === 'analytics' ? 'analytics' : undefined),
 *   allowMigrate: (db, appLabel) => (appLabel === 'analytics' ? db === 'analytics' : db !== 'analytics'),
 * };
 */
export interface DatabaseRouter {
  /** The alias to read `model` from. */
  dbForRead?(model: RoutedModel, hints: RouterHints): string | null | undefined;
  /** The alias to write `model` to. */
  dbForWrite?(model: RoutedModel, hints: RouterHints): string | null | undefined;
  /** Whether `obj1` and `obj2` may be related (a ForeignKey or many-to-many between them). */
  allowRelation?(obj1: ModelBase, obj2: ModelBase, hints: RouterHints): boolean | null | undefined;
  /** Whether migrations may change `appLabel`'s `modelName` (or run RunSQL/RunCode when absent) on `db`. */
  allowMigrate?(db: string, appLabel: string, modelName: string | undefined, hints: RouterHints): boolean | null | undefined;
  /**
   * Nuages's addition: a read this router sent to `alias` failed with `error` before any row
   * came back. Return another alias to run it on once more (reads are safe to repeat).
   */
  readFailed?(alias: string, error: unknown, model: RoutedModel, hints: RouterHints): string | null | undefined;
}

/** One entry of `DATABASE_ROUTERS`: a router object, a router class, or `'module#Export'` naming one. */
export type RouterSetting = DatabaseRouter | (new () => DatabaseRouter) | string;

declare module '../conf/settings.ts' {
  interface Settings {
    /** Routers consulted in order for every query without `using()` (see docs/databases.md). */
    DATABASE_ROUTERS?: readonly RouterSetting[];
    /** For `ReplicaRouter`: primary alias → its read replicas' aliases, e.g. `{ default: ['replica1'] }`. */
    DATABASE_REPLICAS?: Readonly<Record<string, readonly string[]>>;
  }
}

/** A `DATABASE_ROUTERS` entry cannot be imported or is not a router. */
export class RouterConfigError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_DB_ROUTER_CONFIG';
}

/** Two objects from databases the routers do not allow to be related were related. */
export class CrossDatabaseRelationError extends NuagesError {
  readonly code = 'NUAGES_DB_CROSS_DATABASE_RELATION';
  constructor(what: string, instance: ModelBase, value: ModelBase) {
    super(
      `Cannot ${what}: ${String(value)} is on database '${value._state.db}' and ${String(instance)} is on ` +
        `'${instance._state.db}', and the database routers do not allow this relation. Load both objects from ` +
        'the same database, or return true from a router\'s allowRelation() for them.',
    );
  }
}

const EMPTY_HINTS: RouterHints = Object.freeze({});

/**
 * Consults the routers of `DATABASE_ROUTERS` (or those given to `configure()`). Use the
 * shared {@link router} instance.
 */
export class ConnectionRouter {
  #configured: readonly RouterSetting[] | undefined;
  // Keyed by the settings array, so one overrideSettings() layer keeps its router instances
  // (and a ReplicaRouter its round-robin position and down-list) across queries.
  readonly #resolved = new WeakMap<readonly RouterSetting[], readonly DatabaseRouter[]>();

  /**
   * Sets the routers explicitly instead of reading `DATABASE_ROUTERS` (scripts, tests);
   * `undefined` goes back to the setting.
   */
  configure(routers: readonly RouterSetting[] | undefined): void {
    this.#configured = routers === undefined ? undefined : [...routers];
  }

  /** The routers in use, imported and instantiated. */
  get routers(): readonly DatabaseRouter[] {
    const source = this.#configured ?? routersFromSettings();
    if (source.length === 0) return [];
    let resolved = this.#resolved.get(source);
    if (resolved === undefined) {
      resolved = source.map(resolveRouter);
      this.#resolved.set(source, resolved);
    }
    return resolved;
  }

  /** The alias to read `model` from: the first router's answer, else the instance's database, else `'default'`. */
  dbForRead(model: RoutedModel, hints: RouterHints = EMPTY_HINTS): string {
    for (const r of this.routers) {
      const chosen = r.dbForRead?.(model, hints);
      if (chosen) return chosen;
    }
    return hints.instance?._state.db ?? DEFAULT_DB_ALIAS;
  }

  /** The alias to write `model` to: the first router's answer, else the instance's database, else `'default'`. */
  dbForWrite(model: RoutedModel, hints: RouterHints = EMPTY_HINTS): string {
    for (const r of this.routers) {
      const chosen = r.dbForWrite?.(model, hints);
      if (chosen) return chosen;
    }
    return hints.instance?._state.db ?? DEFAULT_DB_ALIAS;
  }

  /** Whether two objects may be related; without an opinion, only when they share a database. */
  allowRelation(obj1: ModelBase, obj2: ModelBase, hints: RouterHints = EMPTY_HINTS): boolean {
    for (const r of this.routers) {
      const allowed = r.allowRelation?.(obj1, obj2, hints);
      if (allowed === true || allowed === false) return allowed;
    }
    return obj1._state.db === obj2._state.db;
  }

  /** Whether migrations may run for `appLabel` (and `modelName`) on `db`; true without an opinion. */
  allowMigrate(db: string, appLabel: string, modelName?: string, hints: RouterHints = EMPTY_HINTS): boolean {
    for (const r of this.routers) {
      const allowed = r.allowMigrate?.(db, appLabel, modelName, hints);
      if (allowed === true || allowed === false) return allowed;
    }
    return true;
  }

  /** {@link allowMigrate} for a model class: its app label and name, with the model as a hint. */
  allowMigrateModel(db: string, model: RoutedModel): boolean {
    return this.allowMigrate(db, model._meta.appLabel, model._meta.modelName, { model });
  }

  /** The alias to retry a failed routed read on, or undefined to let the error stand. */
  readFailed(alias: string, error: unknown, model: RoutedModel, hints: RouterHints = EMPTY_HINTS): string | undefined {
    for (const r of this.routers) {
      const next = r.readFailed?.(alias, error, model, hints);
      if (next && next !== alias) return next;
    }
    return undefined;
  }
}

/** The process-wide router, as Django's `django.db.router`. */
export const router = new ConnectionRouter();

function routersFromSettings(): readonly RouterSetting[] {
  if (!settings.configured) return [];
  const value = settings.DATABASE_ROUTERS;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new RouterConfigError(
      `DATABASE_ROUTERS must be an array of routers, got ${typeof value}. Write DATABASE_ROUTERS: [new ReplicaRouter()] ` +
        "or DATABASE_ROUTERS: ['nuages/db#ReplicaRouter'].",
    );
  }
  return value as readonly RouterSetting[];
}

const METHODS = ['dbForRead', 'dbForWrite', 'allowRelation', 'allowMigrate', 'readFailed'] as const;

function resolveRouter(entry: RouterSetting): DatabaseRouter {
  const value = typeof entry === 'string' ? importRouter(entry) : entry;
  const instance = typeof value === 'function' ? new (value as new () => DatabaseRouter)() : value;
  if (instance === null || typeof instance !== 'object' || !METHODS.some((m) => typeof (instance as Record<string, unknown>)[m] === 'function')) {
    throw new RouterConfigError(
      `DATABASE_ROUTERS entry ${typeof entry === 'string' ? `'${entry}'` : String(entry)} is not a router: a router is an object ` +
        `(or a class whose instances are objects) with at least one of ${METHODS.join(', ')}.`,
    );
  }
  return instance as DatabaseRouter;
}

// Routing decisions are synchronous (a QuerySet's `db` is a getter, as in Django), so a
// router named by a string is loaded with require(), which Node 22+ supports for ES modules
// without top-level await.
function importRouter(spec: string): unknown {
  const hash = spec.lastIndexOf('#');
  const module = hash === -1 ? spec : spec.slice(0, hash);
  const exportName = hash === -1 ? 'default' : spec.slice(hash + 1);
  const base = settings.configured ? settings.BASE_DIR : process.cwd();
  let exports: Record<string, unknown>;
  try {
    let target: string;
    if (module.startsWith('.') || isAbsolute(module)) {
      const path = resolvePath(base, module);
      target = [path, `${path}.ts`, `${path}.js`, `${path}/index.ts`, `${path}/index.js`].find((c) => existsSync(c) && !c.endsWith('/')) ?? path;
    } else {
      target = fileURLToPath(import.meta.resolve(module));
    }
    exports = createRequire(resolvePath(base, 'index.js'))(target) as Record<string, unknown>;
  } catch (error) {
    throw new RouterConfigError(
      `DATABASE_ROUTERS entry '${spec}' could not be imported (${(error as Error).message}). Write 'module#ExportName', ` +
        "e.g. 'nuages/db#ReplicaRouter'; a relative path is resolved from BASE_DIR. The module must not use top-level await.",
      { cause: error },
    );
  }
  if (!(exportName in exports)) {
    throw new RouterConfigError(
      `DATABASE_ROUTERS entry '${spec}': the module has no export '${exportName}'. Its exports are: ${Object.keys(exports).join(', ') || '(none)'}.`,
    );
  }
  return exports[exportName];
}

// --- the replica router ---------------------------------------------------------------

/** Options of {@link ReplicaRouter}. */
export interface ReplicaRouterOptions {
  /** Primary alias → replica aliases. Defaults to the `DATABASE_REPLICAS` setting, read on each query. */
  readonly replicas?: Readonly<Record<string, readonly string[]>>;
  /** How long a replica whose connection failed is skipped, in seconds (default 30). */
  readonly retryAfter?: number;
  /** Send reads after a write in the same routing scope to the primary (default true). */
  readonly stickyAfterWrite?: boolean;
}

/** Error codes that mean "could not reach the database", not "the query was wrong". */
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '3D000', '28000', '28P01']);

/** Whether `error` (or its cause) says the database could not be reached at all. */
export function isConnectionFailure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    // SQLITE_CANTOPEN: the database file cannot be opened (a replica file on a missing mount).
    if ((e as { errcode?: unknown }).errcode === 14) return true;
    if (typeof code === 'string') {
      if (/^E[A-Z]+$/.test(code) || code.startsWith('08') || UNREACHABLE_SQLSTATES.has(code)) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(message)) return true;
  }
  return false;
}

/**
 * Routes reads to read replicas and everything else to their primary.
 *
 * - Reads of a model go round-robin over the primary's replicas (`DATABASE_REPLICAS`).
 * - Writes (save, delete, update, bulk writes, `getOrCreate`, `selectForUpdate`) go to the
 *   primary, also for an object that was read from a replica.
 * - Inside `atomic()` on the primary, reads go to the primary too: they must see the
 *   transaction's own writes.
 * - After a write, the rest of the routing scope (the HTTP request) reads from the
 *   primary, so a user sees what they just saved while the replicas catch up.
 * - A replica whose connection fails is skipped for `retryAfter` seconds; the read that
 *   met the failure runs again on the primary.
 * - Objects of a primary and its replicas may be related; migrations skip the replicas.
 *
 * @example
 * // settings.ts
 * DATABASES: { default: env.db('DATABASE_URL'), replica1: env.db('REPLICA1_URL'), replica2: env.db('REPLICA2_URL') },
 * DATABASE_REPLICAS: { default: ['replica1', 'replica2'] },
 * DATABASE_ROUTERS: ['nuages/db#ReplicaRouter'],
 */
export class ReplicaRouter implements DatabaseRouter {
  readonly #options: ReplicaRouterOptions;
  readonly #nextIndex = new Map<string, number>();
  readonly #downUntil = new Map<string, number>();

  constructor(options: ReplicaRouterOptions = {}) {
    this.#options = options;
  }

  /** Primary alias → replica aliases, from the options or the `DATABASE_REPLICAS` setting. */
  get replicas(): Readonly<Record<string, readonly string[]>> {
    if (this.#options.replicas !== undefined) return this.#options.replicas;
    const value = settings.configured ? settings.DATABASE_REPLICAS : undefined;
    return value ?? {};
  }

  /** The primary `alias` belongs to (itself for a primary), or undefined when it is in no replica set. */
  primaryOf(alias: string): string | undefined {
    const replicas = this.replicas;
    if (Object.hasOwn(replicas, alias)) return alias;
    for (const [primary, aliases] of Object.entries(replicas)) if (aliases.includes(alias)) return primary;
    return undefined;
  }

  /** Whether `alias` is a replica currently skipped after a connection failure. */
  isDown(alias: string): boolean {
    const until = this.#downUntil.get(alias);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    this.#downUntil.delete(alias);
    return false;
  }

  /** Skips `alias` for `retryAfter` seconds (called when its connection fails). */
  markDown(alias: string): void {
    this.#downUntil.set(alias, Date.now() + (this.#options.retryAfter ?? 30) * 1000);
  }

  /** Forgets every failure: all replicas are tried again. */
  markAllUp(): void {
    this.#downUntil.clear();
  }

  #primaryFor(hints: RouterHints): string | undefined {
    const db = hints.instance?._state.db;
    if (db === null || db === undefined) return Object.hasOwn(this.replicas, DEFAULT_DB_ALIAS) ? DEFAULT_DB_ALIAS : undefined;
    return this.primaryOf(db);
  }

  dbForRead(_model: RoutedModel, hints: RouterHints): string | undefined {
    const primary = this.#primaryFor(hints);
    if (primary === undefined) return undefined;
    const replicas = this.replicas[primary] ?? [];
    if (replicas.length === 0) return primary;
    if (connections.get(primary).inAtomicBlock()) return primary;
    if (this.#options.stickyAfterWrite !== false && wroteTo(primary)) return primary;
    const start = this.#nextIndex.get(primary) ?? 0;
    for (let i = 0; i < replicas.length; i++) {
      const index = (start + i) % replicas.length;
      const alias = replicas[index]!;
      if (this.isDown(alias)) continue;
      this.#nextIndex.set(primary, (index + 1) % replicas.length);
      return alias;
    }
    return primary;
  }

  dbForWrite(_model: RoutedModel, hints: RouterHints): string | undefined {
    return this.#primaryFor(hints);
  }

  allowRelation(obj1: ModelBase, obj2: ModelBase): boolean | undefined {
    const a = obj1._state.db === null ? undefined : this.primaryOf(obj1._state.db);
    const b = obj2._state.db === null ? undefined : this.primaryOf(obj2._state.db);
    return a !== undefined && a === b ? true : undefined;
  }

  allowMigrate(db: string): boolean | undefined {
    const primary = this.primaryOf(db);
    return primary !== undefined && primary !== db ? false : undefined;
  }

  readFailed(alias: string, error: unknown): string | undefined {
    const primary = this.primaryOf(alias);
    if (primary === undefined || primary === alias || !isConnectionFailure(error)) return undefined;
    if (!this.isDown(alias)) {
      console.warn(
        `Nuages ReplicaRouter: replica '${alias}' could not be reached (${(error as Error).message}); ` +
          `reading from '${primary}' and skipping '${alias}' for ${this.#options.retryAfter ?? 30} s.`,
      );
    }
    this.markDown(alias);
    return primary;
  }
}

/**
 * Runs a read on `alias`; when it fails and the routers name another alias for it (a
 * replica that is down), runs it once more there. `routed` is false under `using()`, where
 * the caller chose the database and its error is final. Synchronous results stay synchronous.
 */
export function readWithFallback<T>(
  alias: string,
  routed: boolean,
  model: RoutedModel,
  hints: RouterHints,
  run: (alias: string) => T | Promise<T>,
): T | Promise<T> {
  const retry = (error: unknown): T | Promise<T> => {
    const next = routed ? router.readFailed(alias, error, model, hints) : undefined;
    if (next === undefined) throw error;
    return run(next);
  };
  try {
    const result = run(alias);
    return result instanceof Promise ? result.catch(retry) : result;
  } catch (error) {
    return retry(error);
  }
}

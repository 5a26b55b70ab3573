/**
 * Finds the migration files of every installed app, builds the graph, and
 * reads which migrations the database has applied.
 *
 * `<app>/migrations/NNNN_name.ts` → default export (a Migration) → graph
 * nodes and dependency edges → squashed migrations replace the ones they
 * stand for when none or all of those are applied.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { apps as projectApps, type AppConfig } from '../../conf/apps.ts';
import { NuagesError } from '../../core/errors.ts';
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import { MigrationGraph, nodeKey, NodeNotFoundError, splitKey } from './graph.ts';
import { Migration } from './migration.ts';
import { MigrationRecorder } from './recorder.ts';
import type { ProjectState } from './state.ts';

/** A file in a migrations folder does not default-export a Migration. */
export class BadMigrationError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_BAD_MIGRATION';
}

/** An applied migration depends on one that is not applied. */
export class InconsistentMigrationHistoryError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_INCONSISTENT_HISTORY';
}

const MIGRATION_FILE = /^\d{4}_\w+\.(ts|js|mts|mjs)$/;

/** The migrations folder of an app. */
export function migrationsFolder(config: AppConfig): string {
  return join(config.path, 'migrations');
}

/** Migration files of a folder, by name, in name order. */
export function migrationFiles(folder: string): Map<string, string> {
  if (!existsSync(folder)) return new Map();
  const files = readdirSync(folder)
    .filter((file) => MIGRATION_FILE.test(file) && !/\.d\.[mc]?ts$/.test(file))
    .sort();
  return new Map(files.map((file) => [basename(file, extname(file)), join(folder, file)]));
}

export class MigrationLoader {
  readonly connection: DatabaseWrapper | null;
  readonly graph = new MigrationGraph();
  /** Migrations found on disk, by `app.name` (squashed and replaced ones included). */
  readonly diskMigrations = new Map<string, Migration>();
  /** Applied migrations, by `app.name` (empty without a connection). */
  appliedMigrations = new Map<string, Date>();
  readonly migratedApps = new Set<string>();
  readonly unmigratedApps = new Set<string>();
  /** Squashed migrations the graph uses, with the migrations they replace. */
  readonly replacements = new Map<string, Migration>();
  readonly #appConfigs: readonly AppConfig[];

  constructor(connection: DatabaseWrapper | null, options: { appConfigs?: readonly AppConfig[] } = {}) {
    this.connection = connection;
    this.#appConfigs = options.appConfigs ?? projectApps.getAppConfigs();
  }

  /** Loads the files, the applied list, and builds the graph. */
  static async load(connection: DatabaseWrapper | null, options: { appConfigs?: readonly AppConfig[] } = {}): Promise<MigrationLoader> {
    const loader = new MigrationLoader(connection, options);
    await loader.build();
    return loader;
  }

  async build(): Promise<void> {
    await this.#loadDisk();
    if (this.connection) this.appliedMigrations = await new MigrationRecorder(this.connection).appliedMigrations();
    this.#buildGraph();
  }

  async #loadDisk(): Promise<void> {
    for (const config of this.#appConfigs) {
      const files = migrationFiles(migrationsFolder(config));
      if (!files.size) {
        this.unmigratedApps.add(config.label);
        continue;
      }
      this.migratedApps.add(config.label);
      for (const [name, file] of files) {
        // The file's modification time in the URL: a rewritten migration is read again, not served from the module cache.
        const url = `${pathToFileURL(file).href}?v=${statSync(file).mtimeMs}`;
        const exported: unknown = (await import(url)).default;
        if (!(exported instanceof Migration)) {
          throw new BadMigrationError(
            `${file} must default-export a Migration: export default new Migration({ dependencies: [...], operations: [...] }).`,
          );
        }
        exported.appLabel = config.label;
        exported.name = name;
        this.diskMigrations.set(nodeKey(config.label, name), exported);
      }
    }
  }

  /** Resolves `__first__`/`__latest__` and dependencies on apps without migrations. */
  #resolve(origin: Migration, [app, name]: readonly [string, string]): string | undefined {
    if (name === '__first__' || name === '__latest__') {
      if (this.unmigratedApps.has(app) || !this.migratedApps.has(app)) return undefined;
      const nodes = name === '__first__' ? this.graph.rootNodes(app) : this.graph.leafNodes(app);
      return nodes[0];
    }
    const key = nodeKey(app, name);
    if (!this.graph.nodes.has(key) && this.unmigratedApps.has(app)) return undefined;
    if (!this.graph.nodes.has(key) && !this.diskMigrations.has(key)) {
      throw new NodeNotFoundError(
        `Migration ${origin.key} depends on ${key}, which does not exist. Check the app label and migration name in its dependencies.`,
      );
    }
    return key;
  }

  #buildGraph(): void {
    for (const [key, migration] of this.diskMigrations) this.graph.addNode(key, migration);
    // Internal dependencies first, so __first__/__latest__ of other apps can be resolved.
    for (const migration of this.diskMigrations.values()) {
      for (const dep of migration.dependencies) {
        if (dep[0] !== migration.appLabel || dep[1].startsWith('__')) continue;
        const parent = this.#resolve(migration, dep);
        if (parent) this.graph.addDependency(migration.key, migration.key, parent);
      }
    }
    for (const migration of this.diskMigrations.values()) {
      for (const dep of migration.dependencies) {
        if (dep[0] === migration.appLabel && !dep[1].startsWith('__')) continue;
        const parent = this.#resolve(migration, dep);
        if (parent && parent !== migration.key) this.graph.addDependency(migration.key, migration.key, parent);
      }
      for (const before of migration.runBefore) {
        const child = this.#resolve(migration, before);
        if (child) this.graph.addDependency(migration.key, child, migration.key);
      }
    }
    this.#applySquashes();
  }

  /** A squashed migration stands for its replaced ones when none or all of them are applied, as in Django. */
  #applySquashes(): void {
    for (const [key, migration] of this.diskMigrations) {
      if (!migration.replaces.length) continue;
      const replaced = migration.replaces.map(([app, name]) => nodeKey(app, name)).filter((k) => this.graph.nodes.has(k));
      const applied = replaced.filter((k) => this.appliedMigrations.has(k));
      if (applied.length === 0 || applied.length === replaced.length) {
        for (const old of replaced) {
          // Whatever depended on a replaced migration now depends on the squashed one.
          for (const child of [...this.graph.children.get(old)!]) {
            if (!replaced.includes(child) && child !== key) this.graph.addDependency(child, child, key);
          }
          for (const parent of [...this.graph.parents.get(old)!]) {
            if (!replaced.includes(parent) && parent !== key) this.graph.addDependency(key, key, parent);
          }
          this.graph.removeNode(old);
        }
        if (applied.length && !this.appliedMigrations.has(key)) this.appliedMigrations.set(key, this.appliedMigrations.get(applied[0]!)!);
        this.replacements.set(key, migration);
      } else {
        // Partly applied: keep the originals until they are all applied.
        for (const child of [...this.graph.children.get(key)!]) this.graph.addDependency(child, child, replaced[replaced.length - 1]!);
        this.graph.removeNode(key);
      }
    }
  }

  /** Throws when an applied migration has a dependency that is not applied. */
  checkConsistentHistory(): void {
    for (const key of this.appliedMigrations.keys()) {
      if (!this.graph.nodes.has(key)) continue;
      for (const parent of this.graph.parents.get(key)!) {
        if (!this.appliedMigrations.has(parent)) {
          throw new InconsistentMigrationHistoryError(
            `Migration ${key} is applied before its dependency ${parent}. Unapply ${key} (or fake-apply ${parent}) to repair the history.`,
          );
        }
      }
    }
  }

  /** Apps with more than one latest migration: they need a merge. */
  detectConflicts(): Map<string, string[]> {
    const conflicts = new Map<string, string[]>();
    for (const app of this.migratedApps) {
      const leaves = this.graph.leafNodes(app);
      if (leaves.length > 1) conflicts.set(app, leaves.map((k) => splitKey(k)[1]));
    }
    return conflicts;
  }

  /** The state after the given nodes (every migration by default). */
  projectState(nodes?: readonly string[], atEnd = true): ProjectState {
    return this.graph.makeState(nodes, atEnd);
  }
}

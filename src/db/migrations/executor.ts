/**
 * Applies and unapplies migrations.
 *
 * targets → plan (forwards or backwards walks of the graph, skipping what is
 * already in the wanted state) → per migration: the state before it, the
 * schema editor, one transaction where DDL is transactional → operations →
 * a row in (or out of) nuages_migrations.
 */
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import type { BaseSchemaEditor } from '../backends/base/schema-editor.ts';
import { NuagesError } from '../../core/errors.ts';
import { schemaEditorFor } from '../schema.ts';
import { atomic } from '../transaction.ts';
import { nodeKey, splitKey } from './graph.ts';
import { MigrationLoader } from './loader.ts';
import type { Migration } from './migration.ts';
import { CreateModel } from './operations/models.ts';
import { AddField } from './operations/fields.ts';
import { MigrationRecorder } from './recorder.ts';
import type { ProjectState } from './state.ts';

/** A migration target names no migration, or several. */
export class MigrationTargetError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_BAD_TARGET';
}

/** `[app, name]`, or `[app, null]` for "unapply every migration of the app" (zero). */
export type MigrationTarget = readonly [appLabel: string, name: string | null];

/** One step of a plan: the migration and whether it is unapplied. */
export interface PlanStep {
  readonly migration: Migration;
  readonly backwards: boolean;
}

export type ProgressEvent = 'apply_start' | 'apply_success' | 'unapply_start' | 'unapply_success';
export type ProgressCallback = (event: ProgressEvent, migration: Migration, fake: boolean) => void;

export interface MigrateOptions {
  fake?: boolean;
  /** Mark an initial migration applied when its tables and columns already exist. */
  fakeInitial?: boolean;
}

export class MigrationExecutor {
  readonly connection: DatabaseWrapper;
  readonly loader: MigrationLoader;
  readonly recorder: MigrationRecorder;
  readonly progress: ProgressCallback | undefined;

  constructor(connection: DatabaseWrapper, loader: MigrationLoader, progress?: ProgressCallback) {
    this.connection = connection;
    this.loader = loader;
    this.recorder = new MigrationRecorder(connection);
    this.progress = progress;
  }

  /** An executor with a freshly built loader. */
  static async create(connection: DatabaseWrapper, progress?: ProgressCallback): Promise<MigrationExecutor> {
    return new MigrationExecutor(connection, await MigrationLoader.load(connection), progress);
  }

  /** The latest migration of every migrated app: what a plain `migrate` goes to. */
  leafTargets(appLabel?: string): MigrationTarget[] {
    return this.loader.graph.leafNodes(appLabel).map((key) => splitKey(key));
  }

  /** The migration of `app` whose name is `name` or starts with it ('0002'). */
  resolveTarget(appLabel: string, name: string): MigrationTarget {
    if (name === 'zero') return [appLabel, null];
    const keys = [...this.loader.graph.nodes.keys()].filter((key) => {
      const [app, migration] = splitKey(key);
      return app === appLabel && migration.startsWith(name);
    });
    const exact = keys.find((key) => splitKey(key)[1] === name);
    if (exact) return splitKey(exact);
    if (keys.length === 1) return splitKey(keys[0]!);
    if (!keys.length) throw new MigrationTargetError(`Cannot find a migration matching '${name}' from app '${appLabel}'.`);
    throw new MigrationTargetError(`More than one migration matches '${name}' in app '${appLabel}': ${keys.join(', ')}. Please be more specific.`);
  }

  /** The steps that bring the database to `targets` (Django's migration_plan). */
  migrationPlan(targets: readonly MigrationTarget[]): PlanStep[] {
    const graph = this.loader.graph;
    const applied = new Set(this.loader.appliedMigrations.keys());
    const plan: PlanStep[] = [];
    for (const [app, name] of targets) {
      if (name === null) {
        for (const root of graph.rootNodes(app)) {
          for (const key of graph.backwardsPlan(root)) {
            if (applied.delete(key)) plan.push({ migration: graph.nodes.get(key)!, backwards: true });
          }
        }
        continue;
      }
      const target = nodeKey(app, name);
      if (applied.has(target)) {
        // Roll back only what follows the target in its own app (and what depends on that).
        const next = [...graph.children.get(target)!].filter((key) => splitKey(key)[0] === app).sort();
        for (const child of next) {
          for (const key of graph.backwardsPlan(child)) {
            if (applied.delete(key)) plan.push({ migration: graph.nodes.get(key)!, backwards: true });
          }
        }
        continue;
      }
      for (const key of graph.forwardsPlan(target)) {
        if (!applied.has(key)) {
          applied.add(key);
          plan.push({ migration: graph.nodes.get(key)!, backwards: false });
        }
      }
    }
    return plan;
  }

  /** Runs a plan (by default the one for `targets`); returns the state after the last step. */
  async migrate(targets: readonly MigrationTarget[], options: MigrateOptions & { plan?: readonly PlanStep[] } = {}): Promise<void> {
    this.loader.checkConsistentHistory();
    const plan = options.plan ?? this.migrationPlan(targets);
    if (plan.length) await this.recorder.ensureSchema();
    for (const step of plan) {
      if (step.backwards) await this.unapplyMigration(step.migration, options);
      else await this.applyMigration(step.migration, options);
    }
  }

  /**
   * The state the applied migrations build: what the database holds now, as the
   * `apps` that `postMigrate` receivers get (Django's post_migrate_state).
   */
  appliedState(): ProjectState {
    const graph = this.loader.graph;
    const applied = [...this.loader.appliedMigrations.keys()].filter((key) => graph.nodes.has(key));
    const appliedSet = new Set(applied);
    // The applied migrations no other applied one follows: their plans cover the rest.
    const tips = applied.filter((key) => ![...(graph.children.get(key) ?? [])].some((child) => appliedSet.has(child)));
    return graph.makeState(tips);
  }

  /** The state just before `migration`: its dependencies applied. */
  stateBefore(migration: Migration): ProjectState {
    return this.loader.graph.makeState([migration.key], false);
  }

  async applyMigration(migration: Migration, options: MigrateOptions = {}): Promise<void> {
    this.progress?.('apply_start', migration, Boolean(options.fake));
    let fake = Boolean(options.fake);
    if (!fake && options.fakeInitial) fake = await this.detectSoftApplied(migration);
    if (fake) {
      await this.#record(migration, true);
    } else {
      await this.#inMigration(migration, async (editor) => {
        await migration.apply(this.stateBefore(migration), editor);
        await editor.checkConstraints();
        await this.#record(migration, true);
      });
    }
    this.loader.appliedMigrations.set(migration.key, new Date());
    this.progress?.('apply_success', migration, fake);
  }

  async unapplyMigration(migration: Migration, options: MigrateOptions = {}): Promise<void> {
    this.progress?.('unapply_start', migration, Boolean(options.fake));
    if (options.fake) {
      await this.#record(migration, false);
    } else {
      await this.#inMigration(migration, async (editor) => {
        await migration.unapply(this.stateBefore(migration), editor);
        await editor.checkConstraints();
        await this.#record(migration, false);
      });
    }
    this.loader.appliedMigrations.delete(migration.key);
    this.progress?.('unapply_success', migration, Boolean(options.fake));
  }

  /** Records a squashed migration's replaced ones too, so the history stays whole either way. */
  async #record(migration: Migration, applied: boolean): Promise<void> {
    const keys = migration.replaces.length ? [...migration.replaces, [migration.appLabel, migration.name] as const] : [[migration.appLabel, migration.name] as const];
    for (const [app, name] of keys) {
      if (applied) await this.recorder.recordApplied(app, name);
      else await this.recorder.recordUnapplied(app, name);
    }
  }

  async #inMigration(migration: Migration, run: (editor: BaseSchemaEditor) => Promise<void>): Promise<void> {
    const editor = schemaEditorFor(this.connection);
    await editor.beginMigration();
    try {
      if (migration.atomic && this.connection.features.supportsTransactionalDdl) {
        await atomic(() => run(editor), { using: this.connection.alias });
      } else {
        await run(editor);
      }
    } finally {
      await editor.endMigration();
    }
  }

  /** The SQL a migration would run, without running it (sqlmigrate). */
  async collectSql(migration: Migration, backwards = false): Promise<string[]> {
    const editor = schemaEditorFor(this.connection);
    editor.collectSql = true;
    const state = this.stateBefore(migration);
    if (backwards) await migration.unapply(state, editor);
    else await migration.apply(state, editor);
    return editor.collected;
  }

  /**
   * Whether an initial migration's tables and columns already exist, so
   * `--fake-initial` can mark it applied (Django's detect_soft_applied).
   */
  async detectSoftApplied(migration: Migration): Promise<boolean> {
    const initial = migration.initial ?? !migration.dependencies.some(([app]) => app === migration.appLabel);
    if (!initial) return false;
    const editor = schemaEditorFor(this.connection);
    const tables = new Set(await editor.tableNames());
    let state = this.stateBefore(migration);
    let found = false;
    for (const operation of migration.operations) {
      const after = state.clone();
      operation.stateForwards(migration.appLabel, after);
      if (operation instanceof CreateModel) {
        const model = after.apps.model(migration.appLabel, operation.name);
        if (!model._meta.managed) continue;
        if (!tables.has(model._meta.dbTable)) return false;
        for (const m2m of model._meta.manyToMany) {
          if (m2m.autoCreated && !tables.has((m2m.throughModel._meta as unknown as { dbTable: string }).dbTable)) return false;
        }
        found = true;
      } else if (operation instanceof AddField) {
        const model = after.apps.model(migration.appLabel, operation.modelName);
        const field = model._meta.getField(operation.name);
        if (field.concrete) {
          if (!tables.has(model._meta.dbTable) || !(await editor.columnNames(model._meta.dbTable)).includes(field.column)) return false;
        }
        found = true;
      } else {
        return false;
      }
      state = after;
    }
    return found;
  }
}

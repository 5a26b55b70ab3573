/**
 * The warning a command with `requiresMigrationsChecks` prints before its work (runserver's
 * "You have 3 unapplied migration(s)…"), as Django's check_migrations() does.
 */
import { ImproperlyConfigured } from '../errors.ts';
import { CommandError } from './errors.ts';
import { connections, DEFAULT_DB_ALIAS } from '../../db/connections.ts';
import { MigrationExecutor } from '../../db/migrations/executor.ts';

/**
 * What `migrate` and `makemigrations` fail with when an app's migration graph has several
 * leaves; `conflicts` is MigrationLoader.detectConflicts(): the leaf names by app.
 */
export function conflictingMigrationsError(conflicts: ReadonlyMap<string, readonly string[]>): CommandError {
  const list = [...conflicts].map(([app, names]) => `${names.join(', ')} in ${app}`).join('; ');
  return new CommandError(
    `Conflicting migrations detected; multiple leaf nodes in the migration graph: (${list}).\n` +
      "To fix them run 'manage.ts makemigrations --merge'.",
  );
}

/** Migrations the default database lacks: how many, and the apps they belong to (sorted). */
export interface UnappliedMigrations {
  readonly count: number;
  readonly appLabels: readonly string[];
}

/**
 * What `migrate` would still apply to the default database, or undefined when nothing is
 * missing or no database is configured (a project without one has nothing to migrate).
 */
export async function unappliedMigrations(): Promise<UnappliedMigrations | undefined> {
  if (!hasDefaultDatabase()) return undefined;
  const executor = await MigrationExecutor.create(connections.get(DEFAULT_DB_ALIAS));
  const plan = executor.migrationPlan(executor.leafTargets());
  if (plan.length === 0) return undefined;
  const appLabels = [...new Set(plan.map((step) => step.migration.appLabel))].sort();
  return { count: plan.length, appLabels };
}

function hasDefaultDatabase(): boolean {
  try {
    return Object.hasOwn(connections.databases, DEFAULT_DB_ALIAS);
  } catch (error) {
    if (error instanceof ImproperlyConfigured) return false;
    throw error;
  }
}

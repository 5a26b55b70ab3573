/**
 * The base of migration operations. Each operation changes the project state
 * (`stateForwards`) and the database (`databaseForwards`/`databaseBackwards`),
 * and knows how to describe and write itself.
 */
import { NuagesError } from '../../../core/errors.ts';
import type { BaseSchemaEditor } from '../../backends/base/schema-editor.ts';
import type { ModelCtor, ProjectState } from '../state.ts';

/** An operation cannot be reversed (RunSQL without reverseSql, RunCode without reverseCode). */
export class IrreversibleError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_IRREVERSIBLE';
}

/**
 * One step of a migration. `databaseBackwards` receives the state after the
 * operation as `fromState` and the state before it as `toState`, as Django's does.
 */
export abstract class Operation {
  /** False for operations that cannot be undone. */
  get reversible(): boolean {
    return true;
  }

  /** Applies the change to the project state (in place). */
  abstract stateForwards(appLabel: string, state: ProjectState): void;

  /** Applies the change to the database. */
  abstract databaseForwards(appLabel: string, editor: BaseSchemaEditor, fromState: ProjectState, toState: ProjectState): Promise<void>;

  /** Undoes the change in the database. */
  abstract databaseBackwards(appLabel: string, editor: BaseSchemaEditor, fromState: ProjectState, toState: ProjectState): Promise<void>;

  /** One line for `migrate` and `sqlmigrate` output: "Create model Book". */
  abstract describe(): string;

  /** The constructor argument, as the writer puts it into a migration file. */
  abstract deconstruct(): Record<string, unknown>;

  /** A fragment for an automatic migration name ("book_rating"), or null. */
  get migrationNameFragment(): string | null {
    return null;
  }

  /** Whether this operation touches the model `appLabel.name` (lower case). */
  referencesModel(_name: string, _appLabel: string): boolean {
    return true;
  }
}

/**
 * A historical model of a state, or undefined when it has no table to change: not managed,
 * or swapped out for another model by its swappable setting (Django's allow_migrate_model).
 */
export function managedModel(state: ProjectState, appLabel: string, name: string): ModelCtor | undefined {
  const model = state.apps.model(appLabel, name);
  return model._meta.managed && model._meta.swapped === undefined ? model : undefined;
}

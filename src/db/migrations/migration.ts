/**
 * A migration: the operations of one file, and what it depends on.
 *
 * ```ts
 * // catalog/migrations/0002_book_rating.ts
 * import { Migration, AddField } from 'nuages/db/migrations';
 * import { IntegerField } from 'nuages/db';
 *
 * export default new Migration({
 *   dependencies: [['catalog', '0001_initial']],
 *   operations: [new AddField({ modelName: 'book', name: 'rating', field: new IntegerField({ default: 0 }) })],
 * });
 * ```
 */
import type { BaseSchemaEditor } from '../backends/base/schema-editor.ts';
import { IrreversibleError, type Operation } from './operations/base.ts';
import type { ProjectState } from './state.ts';

/** `['catalog', '0001_initial']`; the name may be `'__first__'` or `'__latest__'`. */
export type MigrationKey = readonly [appLabel: string, name: string];

export interface MigrationOptions {
  dependencies?: readonly MigrationKey[];
  operations?: readonly Operation[];
  /** True for an app's first migration (checked by `migrate --fake-initial`). */
  initial?: boolean;
  /** Run in one transaction where DDL is transactional (default true). */
  atomic?: boolean;
  /** The migrations a squashed migration stands for. */
  replaces?: readonly MigrationKey[];
  /** Migrations of other apps that must run after this one. */
  runBefore?: readonly MigrationKey[];
}

export class Migration {
  /** Set by the loader from the folder and file name. */
  appLabel = '';
  name = '';
  readonly dependencies: readonly MigrationKey[];
  readonly operations: readonly Operation[];
  readonly initial: boolean | undefined;
  readonly atomic: boolean;
  readonly replaces: readonly MigrationKey[];
  readonly runBefore: readonly MigrationKey[];

  constructor(options: MigrationOptions = {}) {
    this.dependencies = options.dependencies ?? [];
    this.operations = options.operations ?? [];
    this.initial = options.initial;
    this.atomic = options.atomic ?? true;
    this.replaces = options.replaces ?? [];
    this.runBefore = options.runBefore ?? [];
  }

  /** `catalog.0001_initial` */
  get key(): string {
    return `${this.appLabel}.${this.name}`;
  }

  toString(): string {
    return this.key;
  }

  /** Applies the operations to a copy of `state` and returns it (no database involved). */
  mutateState(state: ProjectState, preserve = true): ProjectState {
    const next = preserve ? state.clone() : state;
    for (const operation of this.operations) operation.stateForwards(this.appLabel, next);
    return next;
  }

  /** Runs the operations forwards; returns the state after the migration. */
  async apply(state: ProjectState, editor: BaseSchemaEditor): Promise<ProjectState> {
    let from = state;
    for (const operation of this.operations) {
      if (editor.collectSql) editor.collected.push(`--\n-- ${operation.describe()}\n--`);
      const to = from.clone();
      operation.stateForwards(this.appLabel, to);
      await operation.databaseForwards(this.appLabel, editor, from, to);
      from = to;
    }
    return from;
  }

  /** Runs the operations backwards, last first; `state` is the state before this migration. */
  async unapply(state: ProjectState, editor: BaseSchemaEditor): Promise<ProjectState> {
    const steps: [Operation, ProjectState, ProjectState][] = [];
    let before = state;
    for (const operation of this.operations) {
      if (!operation.reversible) {
        throw new IrreversibleError(`Operation ${operation.describe()} in ${this.key} is not reversible, so the migration cannot be unapplied.`);
      }
      const after = before.clone();
      operation.stateForwards(this.appLabel, after);
      steps.push([operation, after, before]);
      before = after;
    }
    for (const [operation, after, prior] of steps.reverse()) {
      if (editor.collectSql) editor.collected.push(`--\n-- ${operation.describe()}\n--`);
      await operation.databaseBackwards(this.appLabel, editor, after, prior);
    }
    return state;
  }
}

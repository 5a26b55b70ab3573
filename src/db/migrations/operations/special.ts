/**
 * Operations that run your code or SQL, or split state from database:
 * RunSQL, RunCode (Django's RunPython) and SeparateDatabaseAndState.
 */
import type { BaseSchemaEditor } from '../../backends/base/schema-editor.ts';
import type { ProjectState, StateApps } from '../state.ts';
import { IrreversibleError, Operation } from './base.ts';

/** SQL statements: one string (split on `;` by the database) or a list. */
export type SqlStatements = string | readonly string[];

export interface RunSQLOptions {
  sql: SqlStatements;
  /** What undoes it; without it the migration cannot be unapplied. Use `RunSQL.noop` for "nothing". */
  reverseSql?: SqlStatements;
  /** State changes the SQL makes (e.g. a CreateModel for a table the SQL creates). */
  stateOperations?: readonly Operation[];
  /** Text for `migrate` output. */
  description?: string;
}

/** Runs SQL you write. */
export class RunSQL extends Operation {
  /** A reverseSql (or sql) that does nothing. */
  static readonly noop = '';
  readonly sql: SqlStatements;
  readonly reverseSql: SqlStatements | undefined;
  readonly stateOperations: readonly Operation[];
  readonly description: string | undefined;

  constructor(options: RunSQLOptions) {
    super();
    this.sql = options.sql;
    this.reverseSql = options.reverseSql;
    this.stateOperations = options.stateOperations ?? [];
    this.description = options.description;
  }

  override get reversible(): boolean {
    return this.reverseSql !== undefined;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    for (const operation of this.stateOperations) operation.stateForwards(appLabel, state);
  }

  async databaseForwards(_appLabel: string, editor: BaseSchemaEditor): Promise<void> {
    await runStatements(editor, this.sql);
  }

  async databaseBackwards(_appLabel: string, editor: BaseSchemaEditor): Promise<void> {
    if (this.reverseSql === undefined) throw new IrreversibleError(`RunSQL (${this.describe()}) has no reverseSql, so it cannot be unapplied.`);
    await runStatements(editor, this.reverseSql);
  }

  describe(): string {
    return this.description ?? 'Raw SQL operation';
  }

  deconstruct(): Record<string, unknown> {
    return {
      sql: this.sql,
      reverseSql: this.reverseSql,
      stateOperations: this.stateOperations.length ? this.stateOperations : undefined,
      description: this.description,
    };
  }
}

async function runStatements(editor: BaseSchemaEditor, sql: SqlStatements): Promise<void> {
  for (const statement of typeof sql === 'string' ? [sql] : sql) {
    if (statement.trim() !== '') await editor.execute(statement.trim().replace(/;$/, ''));
  }
}

/** What a RunCode function receives. */
export interface RunCodeContext {
  /** The historical models of this point of the history: `apps.model('catalog', 'Book')`. */
  readonly apps: StateApps;
  readonly schemaEditor: BaseSchemaEditor;
  /** The database alias being migrated: pass it to `.using()` when several exist. */
  readonly using: string;
}

export type RunCodeFunction = (context: RunCodeContext) => unknown;

export interface RunCodeOptions {
  code: RunCodeFunction;
  /** What undoes it; without it the migration cannot be unapplied. Use `RunCode.noop` for "nothing". */
  reverseCode?: RunCodeFunction;
  description?: string;
}

/**
 * Runs a function with the historical models (Django's RunPython): a data
 * migration. Query the models it is given, never today's classes, so the
 * migration keeps working after the models change.
 *
 * ```ts
 * new RunCode({
 *   code: async ({ apps }) => {
 *     const Book = apps.model('catalog', 'Book');
 *     await Book.objects.filter({ rating: null }).update({ rating: 0 });
 *   },
 *   reverseCode: RunCode.noop,
 * })
 * ```
 */
export class RunCode extends Operation {
  /** A reverseCode (or code) that does nothing. */
  static readonly noop: RunCodeFunction = () => {};
  readonly code: RunCodeFunction;
  readonly reverseCode: RunCodeFunction | undefined;
  readonly description: string | undefined;

  constructor(options: RunCodeOptions) {
    super();
    this.code = options.code;
    this.reverseCode = options.reverseCode;
    this.description = options.description;
  }

  override get reversible(): boolean {
    return this.reverseCode !== undefined;
  }

  stateForwards(): void {}

  async databaseForwards(_appLabel: string, editor: BaseSchemaEditor, fromState: ProjectState): Promise<void> {
    // sqlmigrate shows SQL only; running the code there would change data.
    if (editor.collectSql) return void editor.collected.push(`-- (RunCode: ${this.describe()}; its queries are not shown)`);
    await this.code({ apps: fromState.apps, schemaEditor: editor, using: editor.connection.alias });
  }

  async databaseBackwards(_appLabel: string, editor: BaseSchemaEditor, _fromState: ProjectState, toState: ProjectState): Promise<void> {
    if (this.reverseCode === undefined) throw new IrreversibleError(`RunCode (${this.describe()}) has no reverseCode, so it cannot be unapplied.`);
    if (editor.collectSql) return void editor.collected.push(`-- (RunCode: ${this.describe()}; its queries are not shown)`);
    await this.reverseCode({ apps: toState.apps, schemaEditor: editor, using: editor.connection.alias });
  }

  describe(): string {
    return this.description ?? 'Raw code operation';
  }

  deconstruct(): Record<string, unknown> {
    return { code: this.code, reverseCode: this.reverseCode === RunCode.noop ? undefined : this.reverseCode, description: this.description };
  }
}

/** Changes the state with some operations and the database with others (e.g. adopting an existing table). */
export class SeparateDatabaseAndState extends Operation {
  readonly databaseOperations: readonly Operation[];
  readonly stateOperations: readonly Operation[];

  constructor({ databaseOperations = [], stateOperations = [] }: { databaseOperations?: readonly Operation[]; stateOperations?: readonly Operation[] }) {
    super();
    this.databaseOperations = databaseOperations;
    this.stateOperations = stateOperations;
  }

  override get reversible(): boolean {
    return this.databaseOperations.every((op) => op.reversible);
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    for (const operation of this.stateOperations) operation.stateForwards(appLabel, state);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, fromState: ProjectState): Promise<void> {
    let from = fromState;
    for (const operation of this.databaseOperations) {
      const to = from.clone();
      operation.stateForwards(appLabel, to);
      await operation.databaseForwards(appLabel, editor, from, to);
      from = to;
    }
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, _fromState: ProjectState, toState: ProjectState): Promise<void> {
    // States after each database operation, replayed from the state before this operation.
    const states = [toState];
    for (const operation of this.databaseOperations) {
      const next = states[states.length - 1]!.clone();
      operation.stateForwards(appLabel, next);
      states.push(next);
    }
    for (let i = this.databaseOperations.length - 1; i >= 0; i--) {
      await this.databaseOperations[i]!.databaseBackwards(appLabel, editor, states[i + 1]!, states[i]!);
    }
  }

  describe(): string {
    return 'Custom state/database change combination';
  }

  deconstruct(): Record<string, unknown> {
    return { databaseOperations: this.databaseOperations, stateOperations: this.stateOperations };
  }
}

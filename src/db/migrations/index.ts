/**
 * `nuages/db/migrations`: migration files, the state they build, and the
 * machinery makemigrations and migrate run on.
 *
 * models ⇄ autodetector (state of the files vs today's models) → writer →
 * `<app>/migrations/NNNN_name.ts` → loader (graph) → executor → schema editor.
 */
export { Migration, type MigrationKey, type MigrationOptions } from './migration.ts';
export * from './operations/index.ts';
export { ModelState, ProjectState, StateApps, InvalidStateError, type StateOptions, type ModelCtor } from './state.ts';
export { MigrationGraph, NodeNotFoundError, CircularDependencyError } from './graph.ts';
export { MigrationLoader, BadMigrationError, InconsistentMigrationHistoryError, migrationFiles, migrationsFolder } from './loader.ts';
export { MigrationRecorder } from './recorder.ts';
export { MigrationExecutor, MigrationTargetError, type MigrationTarget, type PlanStep, type MigrateOptions, type ProgressCallback } from './executor.ts';
export { MigrationAutodetector, arrangeForGraph, type PlannedMigration } from './autodetector.ts';
export { MigrationQuestioner, InteractiveMigrationQuestioner, QuestionerAbortError } from './questioner.ts';
export { writeMigration, suggestName, formatOperation } from './writer.ts';
export { serialize, serializeField, deconstruct, ValueNotSerializableError, Imports } from './serializer.ts';

/** Every migration operation, as migration files import them. */
export { Operation, IrreversibleError } from './base.ts';
export {
  CreateModel, DeleteModel, RenameModel, AlterModelTable, AlterModelOptions, AlterUniqueTogether,
  AddIndex, RemoveIndex, AddIndexConcurrently, RemoveIndexConcurrently, RenameIndex, AddConstraint, RemoveConstraint, type CreateModelOptions,
} from './models.ts';
export { AddField, RemoveField, AlterField, RenameField, type AddFieldOptions, type FieldOperationOptions } from './fields.ts';
export {
  RunSQL, RunCode, SeparateDatabaseAndState, type RunSQLOptions, type RunCodeOptions, type RunCodeContext,
  type RunCodeFunction, type SqlStatements,
} from './special.ts';

/**
 * Operations on whole models: create, delete, rename, table and options,
 * indexes and constraints.
 */
import type { BaseSchemaEditor } from '../../backends/base/schema-editor.ts';
import type { Field } from '../../models/fields/field.ts';
import { ForeignKey } from '../../models/fields/related.ts';
import { ManyToManyField } from '../../models/fields/many-to-many.ts';
import { Index, type Constraint } from '../../models/indexes.ts';
import { ALTER_OPTION_KEYS, InvalidStateError, ModelState, refersTo, type ModelCtor, type ProjectState, type StateOptions } from '../state.ts';
import { managedModel, Operation } from './base.ts';
import { NotSupportedError } from '../../errors.ts';

function lower(name: string): string {
  return name.toLowerCase();
}

/** Auto-created join tables of a model's many-to-many fields. */
function joinTables(model: ModelCtor): ModelCtor[] {
  return model._meta.autoCreatedJoinModels as unknown as ModelCtor[];
}

async function createWithJoins(editor: BaseSchemaEditor, model: ModelCtor): Promise<void> {
  await editor.createModel(model);
  for (const join of joinTables(model)) await editor.createModel(join);
}

async function deleteWithJoins(editor: BaseSchemaEditor, model: ModelCtor): Promise<void> {
  for (const join of joinTables(model)) await editor.deleteModel(join);
  await editor.deleteModel(model);
}

export interface CreateModelOptions {
  name: string;
  fields: readonly (readonly [string, Field])[];
  options?: StateOptions;
}

/** Creates a model's table (and the join tables of its many-to-many fields). */
export class CreateModel extends Operation {
  readonly name: string;
  readonly fields: readonly (readonly [string, Field])[];
  readonly options: StateOptions;

  constructor({ name, fields, options = {} }: CreateModelOptions) {
    super();
    this.name = name;
    this.fields = fields;
    this.options = options;
    const seen = new Set<string>();
    for (const [fieldName] of fields) {
      if (seen.has(fieldName)) throw new InvalidStateError(`CreateModel ${name} lists the field '${fieldName}' twice.`);
      seen.add(fieldName);
    }
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    state.addModel(new ModelState(appLabel, this.name, this.fields, this.options));
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, _from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(to, appLabel, this.name);
    if (model) await createWithJoins(editor, model);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const model = managedModel(from, appLabel, this.name);
    if (model) await deleteWithJoins(editor, model);
  }

  describe(): string {
    return `Create model ${this.name}`;
  }

  deconstruct(): Record<string, unknown> {
    return { name: this.name, fields: this.fields, options: Object.keys(this.options).length ? this.options : undefined };
  }

  override get migrationNameFragment(): string {
    return lower(this.name);
  }

  override referencesModel(name: string, appLabel: string): boolean {
    if (lower(this.name) === name) return true;
    return this.fields.some(([, f]) => (f instanceof ForeignKey || f instanceof ManyToManyField) && refersTo(f, appLabel, `${appLabel}.${name}`));
  }
}

/** Drops a model's table. */
export class DeleteModel extends Operation {
  readonly name: string;

  constructor({ name }: { name: string }) {
    super();
    this.name = name;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    state.getModel(appLabel, this.name);
    state.removeModel(appLabel, this.name);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    const model = managedModel(from, appLabel, this.name);
    if (model) await deleteWithJoins(editor, model);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, _from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(to, appLabel, this.name);
    if (model) await createWithJoins(editor, model);
  }

  describe(): string {
    return `Delete model ${this.name}`;
  }

  deconstruct(): Record<string, unknown> {
    return { name: this.name };
  }

  override get migrationNameFragment(): string {
    return `delete_${lower(this.name)}`;
  }
}

/** Renames a model: its table (when it follows the default name) and every reference to it. */
export class RenameModel extends Operation {
  readonly oldName: string;
  readonly newName: string;

  constructor({ oldName, newName }: { oldName: string; newName: string }) {
    super();
    this.oldName = oldName;
    this.newName = newName;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    renameInState(appLabel, state, this.oldName, this.newName);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const oldModel = managedModel(from, appLabel, this.oldName);
    const newModel = managedModel(to, appLabel, this.newName);
    if (!oldModel || !newModel) return;
    await editor.alterDbTable(newModel, oldModel._meta.dbTable, newModel._meta.dbTable);
    await renameJoinTables(editor, oldModel, newModel, to);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const current = managedModel(from, appLabel, this.newName);
    const previous = managedModel(to, appLabel, this.oldName);
    if (!current || !previous) return;
    await editor.alterDbTable(previous, current._meta.dbTable, previous._meta.dbTable);
    await renameJoinTables(editor, current, previous, to);
  }

  describe(): string {
    return `Rename model ${this.oldName} to ${this.newName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { oldName: this.oldName, newName: this.newName };
  }

  override get migrationNameFragment(): string {
    return `rename_${lower(this.oldName)}_${lower(this.newName)}`;
  }
}

/**
 * Automatic join tables follow a renamed model, as in Django: its own ones are named after it
 * (`shop_book_tags` → `shop_volume_tags`), and the key column named after it changes in every
 * join table that has one (`book_id` → `volume_id`, in its own and in other models' join tables),
 * its foreign key re-created to point at the renamed table.
 */
async function renameJoinTables(editor: BaseSchemaEditor, from: ModelCtor, to: ModelCtor, toState: ProjectState): Promise<void> {
  const pairs: [ManyToManyField, ManyToManyField][] = [];
  const before = new Map(from._meta.manyToMany.filter((f) => f.autoCreated).map((f) => [f.name, f]));
  for (const field of to._meta.manyToMany) {
    const old = before.get(field.name);
    if (old && field.autoCreated) pairs.push([old, field]);
  }
  for (const related of from._meta.relatedObjects) {
    const old = related.field;
    if (!(old instanceof ManyToManyField) || !old.autoCreated || related.relatedModel === (from as unknown)) continue;
    const ownerMeta = related.relatedModel._meta;
    const owner = managedModel(toState, ownerMeta.appLabel, ownerMeta.objectName);
    const field = owner?._meta.manyToMany.find((f) => f.name === old.name);
    if (field?.autoCreated) pairs.push([old, field]);
  }
  for (const [old, field] of pairs) {
    const oldThrough = old.throughModel as unknown as ModelCtor;
    const newThrough = field.throughModel as unknown as ModelCtor;
    await editor.alterDbTable(newThrough, oldThrough._meta.dbTable, newThrough._meta.dbTable);
    for (const [oldKey, newKey] of [[old.sourceFkey, field.sourceFkey], [old.targetFkey, field.targetFkey]] as const) {
      if (oldKey.column === newKey.column) continue;
      await editor.alterField(newThrough, oldKey, newKey, newThrough);
    }
  }
}

function renameInState(appLabel: string, state: ProjectState, oldName: string, newName: string): void {
  const model = state.getModel(appLabel, oldName);
  const oldLabel = `${appLabel}.${lower(oldName)}`;
  for (const other of state.models.values()) {
    for (const [fieldName, field] of other.fields) {
      if ((field instanceof ForeignKey || field instanceof ManyToManyField) && refersTo(field, other.appLabel, oldLabel)) {
        const Ctor = field.constructor as new (to: string, options: unknown) => Field;
        const options = field instanceof ManyToManyField ? field.m2mOptions : field.options;
        other.fields.set(fieldName, new Ctor(`${appLabel}.${newName}`, options));
      }
    }
  }
  const renamed = new ModelState(appLabel, newName, model.fields, model.options);
  state.models.delete(model.key);
  state.addModel(renamed);
}

/** Changes a model's table name. */
export class AlterModelTable extends Operation {
  readonly name: string;
  readonly table: string | undefined;

  constructor({ name, table }: { name: string; table?: string }) {
    super();
    this.name = name;
    this.table = table;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.name);
    if (this.table === undefined) delete model.options.dbTable;
    else model.options.dbTable = this.table;
    state.changed();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const oldModel = managedModel(from, appLabel, this.name);
    const newModel = managedModel(to, appLabel, this.name);
    if (oldModel && newModel) {
      await editor.alterDbTable(newModel, oldModel._meta.dbTable, newModel._meta.dbTable);
      await renameJoinTables(editor, oldModel, newModel, to);
    }
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    await this.databaseForwards(appLabel, editor, from, to);
  }

  describe(): string {
    return `Rename table for ${this.name} to ${this.table ?? '(default)'}`;
  }

  deconstruct(): Record<string, unknown> {
    return { name: this.name, table: this.table };
  }

  override get migrationNameFragment(): string {
    return `alter_${lower(this.name)}_table`;
  }
}

/** Changes options that never reach the database (ordering, verbose names, getLatestBy, managed). */
export class AlterModelOptions extends Operation {
  readonly name: string;
  readonly options: StateOptions;

  constructor({ name, options }: { name: string; options: StateOptions }) {
    super();
    this.name = name;
    this.options = options;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.name);
    const next: StateOptions = { ...model.options };
    for (const key of ALTER_OPTION_KEYS) delete next[key];
    model.options = { ...next, ...this.options };
    state.changed();
  }

  async databaseForwards(): Promise<void> {}

  async databaseBackwards(): Promise<void> {}

  describe(): string {
    return `Change Meta options on ${this.name}`;
  }

  deconstruct(): Record<string, unknown> {
    return { name: this.name, options: this.options };
  }

  override get migrationNameFragment(): string {
    return `alter_${lower(this.name)}_options`;
  }
}

/** Replaces a model's uniqueTogether sets. */
export class AlterUniqueTogether extends Operation {
  readonly name: string;
  readonly uniqueTogether: readonly (readonly string[])[];

  constructor({ name, uniqueTogether }: { name: string; uniqueTogether: readonly (readonly string[])[] }) {
    super();
    this.name = name;
    this.uniqueTogether = uniqueTogether;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.name);
    if (this.uniqueTogether.length) model.options.uniqueTogether = this.uniqueTogether;
    else delete model.options.uniqueTogether;
    state.changed();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const oldModel = managedModel(from, appLabel, this.name);
    const newModel = managedModel(to, appLabel, this.name);
    if (!oldModel || !newModel) return;
    await editor.alterUniqueTogether(oldModel, oldModel._meta.uniqueTogether, newModel._meta.uniqueTogether, newModel);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    await this.databaseForwards(appLabel, editor, from, to);
  }

  describe(): string {
    return `Alter unique_together for ${this.name} (${this.uniqueTogether.length} constraint(s))`;
  }

  deconstruct(): Record<string, unknown> {
    return { name: this.name, uniqueTogether: this.uniqueTogether };
  }

  override get migrationNameFragment(): string {
    return `alter_${lower(this.name)}_unique_together`;
  }
}

function withIndexes(state: ProjectState, appLabel: string, modelName: string, change: (list: Index[]) => Index[]): void {
  const model = state.getModel(appLabel, modelName);
  const next = change([...(model.options.indexes ?? [])]);
  if (next.length) model.options.indexes = next;
  else delete model.options.indexes;
  state.changed();
}

function withConstraints(state: ProjectState, appLabel: string, modelName: string, change: (list: Constraint[]) => Constraint[]): void {
  const model = state.getModel(appLabel, modelName);
  const next = change([...(model.options.constraints ?? [])]);
  if (next.length) model.options.constraints = next;
  else delete model.options.constraints;
  state.changed();
}

function findIndex(state: ProjectState, appLabel: string, modelName: string, name: string): Index {
  const index = state.getModel(appLabel, modelName).options.indexes?.find((i) => i.name === name);
  if (!index) throw new InvalidStateError(`${appLabel}.${modelName} has no index named '${name}' at this point of its migrations.`);
  return index;
}

/**
 * Refuses to build an index concurrently inside a transaction: PostgreSQL cannot, so the
 * migration holding the operation must say `atomic: false` (Django's NotInTransactionMixin).
 */
function ensureNotInTransaction(editor: BaseSchemaEditor, operation: string, modelName: string, indexName: string): void {
  if (!editor.collectSql && editor.connection.inAtomicBlock()) {
    throw new NotSupportedError(
      `${operation} of index ${indexName} on ${modelName} cannot run inside a transaction: ` +
        'set atomic: false on its migration (new Migration({ atomic: false, … })), and keep the other operations in another migration.',
    );
  }
}

/**
 * Creates an index (it must have a name). With `concurrently: true`, PostgreSQL builds it without
 * locking writes (`CREATE INDEX CONCURRENTLY`), which cannot run in a transaction: the migration
 * must be `atomic: false`. Other databases build it the ordinary way.
 */
export class AddIndex extends Operation {
  readonly modelName: string;
  readonly index: Index;
  readonly concurrently: boolean;

  constructor({ modelName, index, concurrently = false }: { modelName: string; index: Index; concurrently?: boolean }) {
    super();
    if (!index.name) throw new InvalidStateError(`AddIndex on ${modelName}: indexes in migrations need a name.`);
    this.modelName = modelName;
    this.index = index;
    this.concurrently = concurrently;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    withIndexes(state, appLabel, this.modelName, (list) => [...list, this.index]);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, _from: ProjectState, to: ProjectState): Promise<void> {
    if (this.concurrently) ensureNotInTransaction(editor, 'Creating concurrently', this.modelName, this.index.name!);
    const model = managedModel(to, appLabel, this.modelName);
    if (model) await editor.addIndex(model, this.index, { concurrently: this.concurrently });
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    if (this.concurrently) ensureNotInTransaction(editor, 'Removing concurrently', this.modelName, this.index.name!);
    const model = managedModel(from, appLabel, this.modelName);
    if (model) await editor.removeIndex(model, this.index, { concurrently: this.concurrently });
  }

  describe(): string {
    const how = this.concurrently ? 'Concurrently create' : 'Create';
    return `${how} index ${this.index.name} on field(s) ${this.index.fields.join(', ')} of model ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, index: this.index, concurrently: this.concurrently && this.constructor === AddIndex ? true : undefined };
  }

  override get migrationNameFragment(): string {
    return `${lower(this.modelName)}_${lower(this.index.name!)}`;
  }
}

/** Drops an index by name; `concurrently: true` as for AddIndex. */
export class RemoveIndex extends Operation {
  readonly modelName: string;
  readonly name: string;
  readonly concurrently: boolean;

  constructor({ modelName, name, concurrently = false }: { modelName: string; name: string; concurrently?: boolean }) {
    super();
    this.modelName = modelName;
    this.name = name;
    this.concurrently = concurrently;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    findIndex(state, appLabel, this.modelName, this.name);
    withIndexes(state, appLabel, this.modelName, (list) => list.filter((i) => i.name !== this.name));
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState): Promise<void> {
    if (this.concurrently) ensureNotInTransaction(editor, 'Removing concurrently', this.modelName, this.name);
    const model = managedModel(from, appLabel, this.modelName);
    if (model) await editor.removeIndex(model, findIndex(from, appLabel, this.modelName, this.name), { concurrently: this.concurrently });
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, _from: ProjectState, to: ProjectState): Promise<void> {
    if (this.concurrently) ensureNotInTransaction(editor, 'Creating concurrently', this.modelName, this.name);
    const model = managedModel(to, appLabel, this.modelName);
    if (model) await editor.addIndex(model, findIndex(to, appLabel, this.modelName, this.name), { concurrently: this.concurrently });
  }

  describe(): string {
    return `${this.concurrently ? 'Concurrently remove' : 'Remove'} index ${this.name} from ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name, concurrently: this.concurrently && this.constructor === RemoveIndex ? true : undefined };
  }

  override get migrationNameFragment(): string {
    return `remove_${lower(this.modelName)}_${lower(this.name)}`;
  }
}

/** `AddIndex` with `concurrently: true`, under the name Django's contrib.postgres gives it. */
export class AddIndexConcurrently extends AddIndex {
  constructor(options: { modelName: string; index: Index }) {
    super({ ...options, concurrently: true });
  }
}

/** `RemoveIndex` with `concurrently: true`, under the name Django's contrib.postgres gives it. */
export class RemoveIndexConcurrently extends RemoveIndex {
  constructor(options: { modelName: string; name: string }) {
    super({ ...options, concurrently: true });
  }
}

/** Renames an index (SQLite drops and recreates it). */
export class RenameIndex extends Operation {
  readonly modelName: string;
  readonly oldName: string;
  readonly newName: string;

  constructor({ modelName, oldName, newName }: { modelName: string; oldName: string; newName: string }) {
    super();
    this.modelName = modelName;
    this.oldName = oldName;
    this.newName = newName;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const old = findIndex(state, appLabel, this.modelName, this.oldName);
    const renamed = new Index({ fields: old.fields, condition: old.condition, name: this.newName });
    withIndexes(state, appLabel, this.modelName, (list) => list.map((i) => (i === old ? renamed : i)));
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(to, appLabel, this.modelName);
    if (!model) return;
    await editor.renameIndex(model, findIndex(from, appLabel, this.modelName, this.oldName), findIndex(to, appLabel, this.modelName, this.newName));
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(to, appLabel, this.modelName);
    if (!model) return;
    await editor.renameIndex(model, findIndex(from, appLabel, this.modelName, this.newName), findIndex(to, appLabel, this.modelName, this.oldName));
  }

  describe(): string {
    return `Rename index ${this.oldName} on ${this.modelName} to ${this.newName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, oldName: this.oldName, newName: this.newName };
  }

  override get migrationNameFragment(): string {
    return `rename_${lower(this.oldName)}_${lower(this.newName)}`;
  }
}

function findConstraint(state: ProjectState, appLabel: string, modelName: string, name: string): Constraint {
  const constraint = state.getModel(appLabel, modelName).options.constraints?.find((c) => c.name === name);
  if (!constraint) throw new InvalidStateError(`${appLabel}.${modelName} has no constraint named '${name}' at this point of its migrations.`);
  return constraint;
}

/** Adds a check or unique constraint. */
export class AddConstraint extends Operation {
  readonly modelName: string;
  readonly constraint: Constraint;

  constructor({ modelName, constraint }: { modelName: string; constraint: Constraint }) {
    super();
    this.modelName = modelName;
    this.constraint = constraint;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    withConstraints(state, appLabel, this.modelName, (list) => [...list, this.constraint]);
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(from, appLabel, this.modelName);
    if (model) await editor.addConstraint(model, this.constraint, managedModel(to, appLabel, this.modelName));
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(from, appLabel, this.modelName);
    if (model) await editor.removeConstraint(model, this.constraint, managedModel(to, appLabel, this.modelName));
  }

  describe(): string {
    return `Create constraint ${this.constraint.name} on model ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, constraint: this.constraint };
  }

  override get migrationNameFragment(): string {
    return `${lower(this.modelName)}_${lower(this.constraint.name)}`;
  }
}

/** Removes a constraint by name. */
export class RemoveConstraint extends Operation {
  readonly modelName: string;
  readonly name: string;

  constructor({ modelName, name }: { modelName: string; name: string }) {
    super();
    this.modelName = modelName;
    this.name = name;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    findConstraint(state, appLabel, this.modelName, this.name);
    withConstraints(state, appLabel, this.modelName, (list) => list.filter((c) => c.name !== this.name));
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(from, appLabel, this.modelName);
    if (model) await editor.removeConstraint(model, findConstraint(from, appLabel, this.modelName, this.name), managedModel(to, appLabel, this.modelName));
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const model = managedModel(from, appLabel, this.modelName);
    if (model) await editor.addConstraint(model, findConstraint(to, appLabel, this.modelName, this.name), managedModel(to, appLabel, this.modelName));
  }

  describe(): string {
    return `Remove constraint ${this.name} from model ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }

  override get migrationNameFragment(): string {
    return `remove_${lower(this.modelName)}_${lower(this.name)}`;
  }
}

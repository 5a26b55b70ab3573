/** Operations on one field of a model: add, remove, alter, rename. */
import type { BaseSchemaEditor } from '../../backends/base/schema-editor.ts';
import type { Field } from '../../models/fields/field.ts';
import { ForeignKey } from '../../models/fields/related.ts';
import { ManyToManyField } from '../../models/fields/many-to-many.ts';
import { InvalidStateError, refersTo, type ProjectState } from '../state.ts';
import { managedModel, Operation } from './base.ts';

export interface FieldOperationOptions {
  /** The model, by name (Django writes it in lower case: 'book'). */
  modelName: string;
  name: string;
}

abstract class FieldOperation extends Operation {
  readonly modelName: string;
  readonly name: string;

  constructor({ modelName, name }: FieldOperationOptions) {
    super();
    this.modelName = modelName;
    this.name = name;
  }

  override referencesModel(name: string, appLabel: string): boolean {
    if (this.modelName.toLowerCase() === name) return true;
    const field = (this as { field?: Field }).field;
    return (field instanceof ForeignKey || field instanceof ManyToManyField) && refersTo(field, appLabel, `${appLabel}.${name}`);
  }

  /** The historical models before and after, and the field on each (undefined where absent). */
  protected models(appLabel: string, from: ProjectState, to: ProjectState) {
    const fromModel = managedModel(from, appLabel, this.modelName);
    const toModel = managedModel(to, appLabel, this.modelName);
    return { fromModel, toModel };
  }
}

export interface AddFieldOptions extends FieldOperationOptions {
  field: Field;
  /** False when `field`'s default only filled the existing rows (a one-off default given to makemigrations). */
  preserveDefault?: boolean;
}

/** Adds a column; existing rows get the field's default. */
export class AddField extends FieldOperation {
  readonly field: Field;
  readonly preserveDefault: boolean;

  constructor(options: AddFieldOptions) {
    super(options);
    this.field = options.field;
    this.preserveDefault = options.preserveDefault ?? true;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    if (model.fields.has(this.name)) throw new InvalidStateError(`${appLabel}.${model.name} already has a field '${this.name}'.`);
    model.fields.set(this.name, stateField(this.field, this.preserveDefault));
    state.changed();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const { fromModel, toModel } = this.models(appLabel, from, to);
    if (!fromModel || !toModel) return;
    // The field as the file wrote it, default included: that default fills the existing rows.
    const field = toModel._meta.findField(this.name) ?? toModel._meta.getField(this.name);
    const filled = this.preserveDefault ? field : attachLike(withOptions(this.field, this.field.options as Record<string, unknown>), field);
    await editor.addField(fromModel, filled, toModel);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const current = managedModel(from, appLabel, this.modelName);
    const previous = managedModel(to, appLabel, this.modelName);
    if (current && previous) await editor.removeField(current, current._meta.getField(this.name), previous);
  }

  describe(): string {
    return `Add field ${this.name} to ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name, field: this.field, preserveDefault: this.preserveDefault ? undefined : false };
  }

  override get migrationNameFragment(): string {
    return `${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
}

/** Drops a column (its data is lost; backwards re-adds it empty or with its default). */
export class RemoveField extends FieldOperation {
  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.getField(this.name);
    model.fields.delete(this.name);
    state.changed();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const { fromModel, toModel } = this.models(appLabel, from, to);
    if (fromModel && toModel) await editor.removeField(fromModel, fromModel._meta.getField(this.name), toModel);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const current = managedModel(from, appLabel, this.modelName);
    const previous = managedModel(to, appLabel, this.modelName);
    if (current && previous) await editor.addField(current, previous._meta.getField(this.name), previous);
  }

  describe(): string {
    return `Remove field ${this.name} from ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name };
  }

  override get migrationNameFragment(): string {
    return `remove_${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
}

/** Changes a field's definition (type, NULL-ness, uniqueness, index…). */
export class AlterField extends FieldOperation {
  readonly field: Field;
  readonly preserveDefault: boolean;

  constructor(options: AddFieldOptions) {
    super(options);
    this.field = options.field;
    this.preserveDefault = options.preserveDefault ?? true;
  }

  stateForwards(appLabel: string, state: ProjectState): void {
    const model = state.getModel(appLabel, this.modelName);
    model.getField(this.name);
    model.fields.set(this.name, stateField(this.field, this.preserveDefault));
    state.changed();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const { fromModel, toModel } = this.models(appLabel, from, to);
    if (!fromModel || !toModel) return;
    const newField = toModel._meta.getField(this.name);
    const filled = this.preserveDefault ? newField : attachLike(withOptions(this.field, this.field.options as Record<string, unknown>), newField);
    await editor.alterField(fromModel, fromModel._meta.getField(this.name), filled, toModel);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const current = managedModel(from, appLabel, this.modelName);
    const previous = managedModel(to, appLabel, this.modelName);
    if (current && previous) await editor.alterField(current, current._meta.getField(this.name), previous._meta.getField(this.name), previous);
  }

  describe(): string {
    return `Alter field ${this.name} on ${this.modelName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, name: this.name, field: this.field, preserveDefault: this.preserveDefault ? undefined : false };
  }

  override get migrationNameFragment(): string {
    return `alter_${this.modelName.toLowerCase()}_${this.name.toLowerCase()}`;
  }
}

/**
 * The field as the project state keeps it: a one-off default (`preserveDefault: false`,
 * used only to fill existing rows) is dropped, as Django's AddField/AlterField do.
 */
function stateField(field: Field, preserveDefault: boolean): Field {
  if (preserveDefault) return field;
  const { default: _dropped, ...rest } = field.options as Record<string, unknown>;
  return withOptions(field, rest);
}

/** Renames a field; its column follows unless it has an explicit dbColumn. */
export class RenameField extends Operation {
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
    const model = state.getModel(appLabel, this.modelName);
    const field = model.getField(this.oldName);
    model.fields = new Map([...model.fields].map(([name, f]) => (name === this.oldName ? [this.newName, field] : [name, f])));
    // Options naming the field follow it.
    const rename = (name: string) => (name.replace(/^-/, '') === this.oldName ? name.replace(this.oldName, this.newName) : name);
    if (model.options.uniqueTogether) model.options.uniqueTogether = model.options.uniqueTogether.map((set) => set.map(rename));
    if (model.options.ordering) model.options.ordering = model.options.ordering.map(rename);
    state.changed();
  }

  async databaseForwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const fromModel = managedModel(from, appLabel, this.modelName);
    const toModel = managedModel(to, appLabel, this.modelName);
    if (!fromModel || !toModel) return;
    await editor.alterField(fromModel, fromModel._meta.getField(this.oldName), toModel._meta.getField(this.newName), toModel);
  }

  async databaseBackwards(appLabel: string, editor: BaseSchemaEditor, from: ProjectState, to: ProjectState): Promise<void> {
    const current = managedModel(from, appLabel, this.modelName);
    const previous = managedModel(to, appLabel, this.modelName);
    if (!current || !previous) return;
    await editor.alterField(current, current._meta.getField(this.newName), previous._meta.getField(this.oldName), previous);
  }

  describe(): string {
    return `Rename field ${this.oldName} on ${this.modelName} to ${this.newName}`;
  }

  deconstruct(): Record<string, unknown> {
    return { modelName: this.modelName, oldName: this.oldName, newName: this.newName };
  }

  override get migrationNameFragment(): string {
    return `rename_${this.oldName.toLowerCase()}_${this.modelName.toLowerCase()}_${this.newName.toLowerCase()}`;
  }

  override referencesModel(name: string): boolean {
    return this.modelName.toLowerCase() === name;
  }
}

/** A new field of the same class with other options. */
function withOptions(field: Field, options: Record<string, unknown>): Field {
  if (field instanceof ForeignKey || field instanceof ManyToManyField) {
    const Ctor = field.constructor as new (to: unknown, options: unknown) => Field;
    return new Ctor(field.target, field instanceof ManyToManyField ? { ...field.m2mOptions, ...options } : options);
  }
  const Ctor = field.constructor as new (options: unknown) => Field;
  return new Ctor(options);
}

/** Attaches a detached field to the model `like` belongs to, under the same name. */
function attachLike(field: Field, like: Field): Field {
  field.contributeToClass(like.model as never, like.name);
  return field;
}

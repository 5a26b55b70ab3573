/**
 * Folds operations into fewer (Django's optimizer, conservatively): field
 * changes into the CreateModel that precedes them, and a CreateModel followed
 * by its DeleteModel into nothing, when no operation between them involves
 * that model. squashmigrations uses it.
 */
import type { Field } from '../models/fields/field.ts';
import type { Operation } from './operations/base.ts';
import { AddField, AlterField, RemoveField, RenameField } from './operations/fields.ts';
import { CreateModel, DeleteModel } from './operations/models.ts';

/** The folded operations of one app. */
export function optimize(operations: readonly Operation[], appLabel: string): Operation[] {
  let current = [...operations];
  for (;;) {
    const next = pass(current, appLabel);
    if (next.length === current.length) return next;
    current = next;
  }
}

function pass(operations: Operation[], appLabel: string): Operation[] {
  for (let i = 0; i < operations.length; i++) {
    const create = operations[i];
    if (!(create instanceof CreateModel)) continue;
    const name = create.name.toLowerCase();
    for (let j = i + 1; j < operations.length; j++) {
      const later = operations[j]!;
      const onModel = 'modelName' in later && String((later as { modelName: string }).modelName).toLowerCase() === name;
      const folded = onModel ? fold(create, later) : later instanceof DeleteModel && later.name.toLowerCase() === name ? null : undefined;
      if (folded !== undefined) {
        const between = operations.slice(i + 1, j);
        if (between.some((op) => op.referencesModel(name, appLabel))) break;
        const result = [...operations];
        result.splice(j, 1);
        if (folded === null) result.splice(i, 1);
        else result[i] = folded;
        return result;
      }
      if (later.referencesModel(name, appLabel)) break;
    }
  }
  return operations;
}

/** The CreateModel with `operation` folded in; undefined when it cannot be. */
function fold(create: CreateModel, operation: Operation): CreateModel | null | undefined {
  const fields = [...create.fields];
  const at = (name: string) => fields.findIndex(([n]) => n === name);
  if (operation instanceof AddField) {
    if (!operation.preserveDefault) return undefined;
    fields.push([operation.name, operation.field]);
  } else if (operation instanceof AlterField) {
    if (!operation.preserveDefault || at(operation.name) < 0) return undefined;
    fields[at(operation.name)] = [operation.name, operation.field];
  } else if (operation instanceof RemoveField) {
    if (at(operation.name) < 0) return undefined;
    const options = create.options;
    const named = [...(options.uniqueTogether ?? []).flat(), ...(options.indexes ?? []).flatMap((i) => i.fields), ...(options.ordering ?? [])];
    if (named.some((n) => n.replace(/^-/, '') === operation.name)) return undefined;
    fields.splice(at(operation.name), 1);
  } else if (operation instanceof RenameField) {
    if (at(operation.oldName) < 0) return undefined;
    fields[at(operation.oldName)] = [operation.newName, fields[at(operation.oldName)]![1] as Field];
    if (JSON.stringify(create.options).includes(`"${operation.oldName}"`)) return undefined;
  } else {
    return undefined;
  }
  return new CreateModel({ name: create.name, fields, options: create.options });
}

/**
 * Model checks (Django's django.core.checks.model_checks and `Model.check()`), tag
 * `models`: every field's checks (field-checks.ts), then the model's own — a second
 * primary key, an `id` field that is not the key, two fields on one column, options
 * (`ordering`, `indexes`, `uniqueTogether`, `constraints`) naming fields that do not
 * exist — and, across models, one table or index or constraint name used twice.
 * Also lazy model references that never resolved (fields.E307, models.E022).
 */
import { apps, type AppConfig } from '../../conf/apps.ts';
import type { Field } from '../../db/models/fields/field.ts';
import { ForeignKey } from '../../db/models/fields/related.ts';
import { ManyToManyField } from '../../db/models/fields/many-to-many.ts';
import { isLookupName, transformOutput } from '../../db/models/lookups.ts';
import { withoutAutoCreated, type ModelLike, type Options } from '../../db/models/options.ts';
import { checkField } from './field-checks.ts';
import { CheckError, type CheckMessage } from './messages.ts';
import { registerCheck, Tags, type CheckContext } from './registry.ts';

/** The project's models (of `appConfigs` when given), without join models Nuages made or swapped-out models. */
export function checkedModels(appConfigs?: readonly AppConfig[]): ModelLike[] {
  const all = (appConfigs ? appConfigs.flatMap((config) => apps.getModels(config.label)) : apps.getModels()) as unknown as ModelLike[];
  return withoutAutoCreated(all.filter((model) => !model._meta.abstract && model._meta.swapped === undefined));
}

/** Every model check over the project's models (Django's check_all_models). */
export function checkAllModels(context: Partial<CheckContext> = {}): CheckMessage[] {
  const models = checkedModels(context.appConfigs);
  const messages: CheckMessage[] = [];
  const tables = new Map<string, string[]>();
  const indexes = new Map<string, Set<string>>();
  const constraints = new Map<string, Set<string>>();
  for (const model of models) {
    const meta = model._meta;
    if (meta.managed) push(tables, meta.dbTable, meta.label);
    messages.push(...checkModel(model));
    for (const index of meta.indexes) if (index.name) push(indexes, index.name, meta.label);
    for (const constraint of meta.constraints) push(constraints, constraint.name, meta.label);
  }
  for (const [table, labels] of tables) {
    if (labels.length > 1) {
      messages.push(new CheckError(`dbTable '${table}' is used by multiple models: ${labels.join(', ')}.`, { obj: table, id: 'models.E028' }));
    }
  }
  messages.push(...duplicateNames('index', indexes, 'models.E029', 'models.E030'));
  messages.push(...duplicateNames('constraint', constraints, 'models.E031', 'models.E032'));
  return messages;
}

function push<V>(map: Map<string, V[] | Set<V>>, key: string, value: V): void {
  const found = map.get(key);
  if (found === undefined) map.set(key, [value]);
  else if (Array.isArray(found)) found.push(value);
  else found.add(value);
}

/** models.E029–E032: an index or constraint name used twice, in one model or across models. */
function duplicateNames(kind: string, names: Map<string, string[] | Set<string>>, oneModel: string, manyModels: string): CheckMessage[] {
  const messages: CheckMessage[] = [];
  for (const [name, found] of names) {
    const labels = [...found];
    if (labels.length < 2) continue;
    const models = [...new Set(labels)].sort();
    const where = models.length === 1 ? 'for model' : 'among models:';
    messages.push(new CheckError(`${kind} name '${name}' is not unique ${where} ${models.join(', ')}.`, { id: models.length === 1 ? oneModel : manyModels }));
  }
  return messages;
}

/** The checks of one model class and its fields. */
export function checkModel(model: ModelLike): CheckMessage[] {
  const meta = model._meta;
  const fields: Field[] = [...meta.fields, ...meta.manyToMany];
  const idField = checkIdField(model);
  return [
    ...fields.flatMap(checkField),
    // A second 'id' field also shares the automatic key's column: report the cause only.
    ...(idField.length ? idField : checkColumnClashes(model)),
    ...checkSinglePrimaryKey(model),
    ...checkFieldOptions(model, 'indexes', meta.indexes.map((index) => index.fields)),
    ...checkFieldOptions(model, 'uniqueTogether', meta.uniqueTogether),
    ...checkFieldOptions(model, 'constraints', meta.constraints.map((c) => ('fields' in c ? (c.fields as readonly string[]) : []))),
    ...checkOrdering(model),
  ];
}

/** models.E004: a field named `id` that is not the primary key, while the automatic key is also `id`. */
function checkIdField(model: ModelLike): CheckMessage[] {
  const meta = model._meta;
  const idField = meta.fields.find((f) => f.name === 'id' && f !== meta.pk);
  if (!idField || idField.primaryKey || meta.pk.name !== 'id') return [];
  return [new CheckError("'id' can only be used as a field name if the field also sets 'primaryKey: true'.", { obj: model, id: 'models.E004' })];
}

/** models.E007: two fields on one column. */
function checkColumnClashes(model: ModelLike): CheckMessage[] {
  const used = new Set<string>();
  const messages: CheckMessage[] = [];
  for (const field of model._meta.fields) {
    if (field.column && used.has(field.column)) {
      messages.push(
        new CheckError(`Field '${field.name}' has column name '${field.column}' that is used by another field.`, {
          hint: "Specify a 'dbColumn' for the field.",
          obj: model,
          id: 'models.E007',
        }),
      );
    }
    used.add(field.column);
  }
  return messages;
}

/** models.E026: more than one primary key. */
function checkSinglePrimaryKey(model: ModelLike): CheckMessage[] {
  if (model._meta.fields.filter((f) => f.primaryKey).length < 2) return [];
  return [new CheckError("The model cannot have more than one field with 'primaryKey: true'.", { obj: model, id: 'models.E026' })];
}

/** Forward fields by name and attname (`publisher`, `publisherId`). */
function forwardFields(meta: Options): Map<string, Field> {
  const map = new Map<string, Field>();
  for (const field of [...meta.fields, ...meta.manyToMany]) {
    map.set(field.name, field);
    map.set(field.attname, field);
  }
  return map;
}

/** models.E012 / E013: an option names a field that does not exist, or a many-to-many field. */
function checkFieldOptions(model: ModelLike, option: string, groups: readonly (readonly string[])[]): CheckMessage[] {
  const known = forwardFields(model._meta);
  const messages: CheckMessage[] = [];
  for (const name of groups.flat().map((entry) => entry.replace(/^-/, ''))) {
    const field = known.get(name);
    if (field === undefined) {
      messages.push(new CheckError(`'${option}' refers to the nonexistent field '${name}'.`, { obj: model, id: 'models.E012' }));
    } else if (field instanceof ManyToManyField) {
      messages.push(
        new CheckError(`'${option}' refers to a ManyToManyField '${name}', but ManyToManyFields are not permitted in '${option}'.`, {
          obj: model,
          id: 'models.E013',
        }),
      );
    }
  }
  return messages;
}

/** models.E015: `ordering` names a field, relation or lookup that does not exist. */
function checkOrdering(model: ModelLike): CheckMessage[] {
  const messages: CheckMessage[] = [];
  for (const entry of model._meta.ordering) {
    if (typeof entry !== 'string' || entry === '?') continue;
    const path = entry.replace(/^-/, '');
    if (!orderingPathExists(model._meta, path)) {
      messages.push(
        new CheckError(`'ordering' refers to the nonexistent field, related field, or lookup '${path}'.`, { obj: model, id: 'models.E015' }),
      );
    }
  }
  return messages;
}

function orderingPathExists(meta: Options, path: string): boolean {
  let current: Options = meta;
  const parts = path.split('__');
  for (const [i, part] of parts.entries()) {
    const field = part === 'pk' ? current.pk : current.findField(part);
    if (field instanceof ForeignKey || field instanceof ManyToManyField) {
      current = (field.remoteModel as unknown as ModelLike)._meta;
      continue;
    }
    if (field) return lookupsExist(field, parts.slice(i + 1));
    const reverse = current.findRelatedObject(part);
    if (!reverse) return false;
    current = reverse.relatedModel._meta;
  }
  return true;
}

/** Whether `parts` after a plain field are transforms (`year`, a JSON key) then at most one lookup. */
function lookupsExist(field: Field, parts: readonly string[]): boolean {
  let output = field;
  for (const [i, part] of parts.entries()) {
    const transformed = transformOutput(output, part) ?? output.getTransform(part)?.output;
    if (transformed) {
      output = transformed;
      continue;
    }
    return i === parts.length - 1 && (isLookupName(part) || output.getLookup(part) !== undefined);
  }
  return true;
}

// --- lazy references ----------------------------------------------------------------

/** fields.E307 / signals.E001 / models.E022: apps.lazyModel() references whose model never registered. */
export function checkLazyReferences(): CheckMessage[] {
  return apps.pendingReferences().map((ref) => {
    const installed = apps.findAppConfig(ref.appLabel) !== undefined;
    const missing = installed ? `app '${ref.appLabel}' doesn't provide model '${ref.modelName}'` : `app '${ref.appLabel}' isn't installed`;
    const who = ref.description ?? 'A model reference';
    const id = who.startsWith('the field') ? 'fields.E307' : who.includes('receiver') ? 'signals.E001' : 'models.E022';
    return new CheckError(`${who.charAt(0).toUpperCase()}${who.slice(1)} refers lazily to '${ref.appLabel}.${ref.modelName}', but ${missing}.`, {
      id,
      hint: installed
        ? `Check the model name in '${ref.ref}', or define ${ref.modelName} in ${ref.appLabel}/models.ts.`
        : `Add the app to INSTALLED_APPS, or fix the label in '${ref.ref}'.`,
    });
  });
}

registerCheck(checkAllModels, { tags: [Tags.models] });
registerCheck(checkLazyReferences, { tags: [Tags.models] });

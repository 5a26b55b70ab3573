/**
 * How instances reach the database: save (UPDATE, else INSERT), delete through
 * the collector, refresh, loading one relation, and the uniqueness and
 * constraint checks of fullClean(). Kept apart from base.ts so the Model class
 * stays a readable facade.
 */
import { NON_FIELD_ERRORS, ValidationError } from '../../core/exceptions.ts';
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import type { SqlParam } from '../backends/base/types.ts';
import { connections } from '../connections.ts';
import { router } from '../routers.ts';
import { noteWrite } from '../routing-scope.ts';
import { atomic } from '../transaction.ts';
import type { ModelBase, SaveOptions } from './base.ts';
import { Collector } from './deletion.ts';
import { ModelStateError } from './errors.ts';
import { hasModelWriteListeners, noteModelWrite } from './model-writes.ts';
import type { Field } from './fields/field.ts';
import { ForeignKey } from './fields/related.ts';
import { CheckConstraint, UniqueConstraint } from './indexes.ts';
import { postSave, preSave } from './signals.ts';
import { compilerFor } from './sql/backend.ts';
import { Query } from './sql/query.ts';
import { Params } from './sql/compiler.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

function modelOf(obj: ModelBase): ModelCtor {
  return obj.constructor as ModelCtor;
}

/** Fields an instance actually holds (only()/defer() leave some out). */
function loadedFields(obj: Instance): Field[] {
  return modelOf(obj)._meta.fields.filter((f) => Object.hasOwn(obj, f.attname));
}

function dbValue(obj: Instance, field: Field, connection: DatabaseWrapper): SqlParam {
  let prepared: unknown;
  try {
    prepared = field.getPrepValue(obj[field.attname]);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError({ [field.name]: error });
    throw error;
  }
  return field.toDb(prepared, connection.features);
}

/** A relation assigned an unsaved object would save a NULL key and lose data; refuse, as Django does. */
function checkRelatedSaved(obj: Instance): void {
  const cache = obj._state.fieldsCache;
  if (!cache) return;
  for (const field of modelOf(obj)._meta.fields) {
    if (!(field instanceof ForeignKey) || !(field.name in cache)) continue;
    const related = cache[field.name] as Instance | null;
    if (!related) continue;
    const key = related[field.targetField.attname];
    if (key === null || key === undefined) {
      throw new ModelStateError(
        `save() prohibited to prevent data loss due to unsaved related object '${field.name}'. Save the related object first.`,
      );
    }
    if (obj[field.attname] === null || obj[field.attname] === undefined) obj[field.attname] = key;
  }
}

/** INSERT rows for `objs` in batches; reads back `returning` columns (auto keys, db defaults). */
export async function insertInstances(
  connection: DatabaseWrapper,
  model: ModelCtor,
  objs: readonly ModelBase[],
  fields: readonly Field[],
  returning: readonly Field[],
  onConflict = '',
): Promise<void> {
  const compiler = compilerFor(connection);
  const features = connection.features;
  const perRow = Math.max(fields.length, 1);
  const batchSize = Math.max(1, Math.floor(features.maxQueryParams / perRow));
  for (let start = 0; start < objs.length; start += batchSize) {
    const batch = objs.slice(start, start + batchSize) as Instance[];
    const rows = batch.map((obj) => fields.map((field) => dbValue(obj, field, connection)));
    const canReturn = returning.length > 0 && features.supportsReturning;
    if (!fields.length && batch.length > 1) {
      for (const obj of batch) await insertInstances(connection, model, [obj], fields, returning, onConflict);
      continue;
    }
    const compiled = compiler.compileInsert(model._meta.dbTable, fields, rows, canReturn ? returning : [], onConflict);
    if (canReturn) {
      const returned = await connection.fetchAll(compiled, 'write');
      const converters = returning.map((f) => f.dbConverter(features));
      returned.forEach((row, i) => {
        const obj = batch[i];
        if (!obj) return;
        returning.forEach((field, j) => {
          const convert = converters[j];
          obj[field.attname] = convert ? convert(row[j]) : row[j];
        });
      });
    } else {
      const result = await connection.execute(compiled, 'write');
      const pk = model._meta.pk;
      if (batch.length === 1 && returning.includes(pk) && result.lastInsertId !== null) {
        batch[0]![pk.attname] = Number(result.lastInsertId);
      }
    }
    if (hasModelWriteListeners()) await noteModelWrite(model, connection.alias, 'insert');
  }
}

/** The optional pre-save hooks a field class may define (DateField's autoNow, FileField's upload). */
interface PreSaveHooks {
  preSaveValue?: (adding: boolean, now: Date) => unknown;
  preSaveInstance?: (instance: Instance, adding: boolean) => Promise<void> | undefined;
}

/**
 * Each field's pre-save work, as Django's pre_save: autoNow/autoNowAdd values, then the
 * fields' own work (a FileField writes its pending upload). Synchronous unless a field has
 * asynchronous work to do, which is returned, so bulkCreate() awaits nothing per row.
 * @internal Used by save() and bulkCreate().
 */
export function runPreSave(obj: Instance, fields: readonly Field[], adding: boolean, now: Date): Promise<void> | undefined {
  for (const field of fields) {
    const value = (field as PreSaveHooks).preSaveValue?.call(field, adding, now);
    if (value !== undefined) obj[field.attname] = value;
  }
  let pending: Promise<void>[] | undefined;
  for (const field of fields) {
    const work = (field as PreSaveHooks).preSaveInstance?.call(field, obj, adding);
    if (work) (pending ??= []).push(work);
  }
  return pending && Promise.all(pending).then(() => undefined);
}

export const modelPersistence = {
  async save(instance: ModelBase, options: SaveOptions): Promise<void> {
    const obj = instance as Instance;
    const model = modelOf(obj);
    const meta = model._meta;
    // As Django: the routers choose, told about the instance; without an opinion, its own database.
    const using = options.using ?? router.dbForWrite(model, { instance: obj });
    noteWrite(using);
    if (options.forceInsert && (options.forceUpdate || options.updateFields)) {
      throw new ModelStateError('Cannot force both insert and updating in model saving.');
    }
    checkRelatedSaved(obj);
    let updateFields: Set<string> | null = null;
    if (options.updateFields) {
      if (!options.updateFields.length) return;
      const unknown = options.updateFields.filter((name) => !meta.findField(name));
      if (unknown.length) {
        throw new ModelStateError(
          `save(updateFields) names fields ${meta.objectName} does not have: ${unknown.join(', ')}. Fields are: ${meta.fieldNames().join(', ')}.`,
        );
      }
      updateFields = new Set(options.updateFields.map((name) => meta.getField(name).name));
    } else if (!obj._state.adding && meta.fields.some((f) => !Object.hasOwn(obj, f.attname))) {
      // An instance loaded with only()/defer() saves just what it loaded, as Django does.
      updateFields = new Set(loadedFields(obj).map((f) => f.name));
    }
    if (preSave.hasListeners(model)) {
      await preSave.send(model, { instance: obj, raw: options.raw ?? false, using, updateFields });
    }
    const connection = connections.get(using);
    // A raw save (loading a fixture) stores what it is given: no auto_now, no upload, as Django's.
    if (!options.raw) {
      const fields = updateFields ? meta.fields.filter((f) => updateFields.has(f.name)) : meta.fields;
      await runPreSave(obj, fields, obj._state.adding, timezoneNow());
    }
    const pk = meta.pk;
    const pkValue = obj[pk.attname];
    let updated = false;
    const skipUpdate = !options.raw && obj._state.adding && pk.hasDefault();
    if (pkValue !== null && pkValue !== undefined && !options.forceInsert && !skipUpdate) {
      const fields = meta.fields.filter((f) => !f.primaryKey && (!updateFields || updateFields.has(f.name)) && Object.hasOwn(obj, f.attname));
      const qs = model.objects.using(using).filter({ pk: pkValue });
      if (fields.length) {
        const compiler = compilerFor(connection);
        const query = qs.query;
        const assignments = fields.map((f) => [f, { kind: 'param', value: dbValue(obj, f, connection) }] as const);
        const result = await connection.execute(compiler.compileUpdate(query, assignments as never));
        updated = result.rowCount > 0;
        if (updated && hasModelWriteListeners()) await noteModelWrite(model, using, 'update');
      } else {
        updated = await qs.exists();
      }
      if (updateFields && !updated) throw new ModelStateError('Save with updateFields did not affect any rows.');
      if (options.forceUpdate && !updated) throw new ModelStateError('Forced update did not affect any rows.');
    } else if (options.forceUpdate) {
      throw new ModelStateError('Cannot force an update in save() with no primary key.');
    }
    if (!updated) {
      const pkMissing = pkValue === null || pkValue === undefined;
      const fields = meta.fields.filter((f) => {
        if (f.primaryKey && pkMissing && f.isAuto) return false;
        if (f.hasDbDefault() && (obj[f.attname] === null || obj[f.attname] === undefined)) return false;
        return true;
      });
      const returning = meta.fields.filter((f) => !fields.includes(f));
      await insertInstances(connection, model, [obj], fields, returning);
    }
    obj._state.adding = false;
    obj._state.db = using;
    if (postSave.hasListeners(model)) {
      await postSave.send(model, { instance: obj, created: !updated, raw: options.raw ?? false, using, updateFields });
    }
  },

  async delete(instance: ModelBase, options: { using?: string }): Promise<[number, Record<string, number>]> {
    const using = options.using ?? router.dbForWrite(modelOf(instance), { instance });
    noteWrite(using);
    const collector = new Collector(using, instance);
    return atomic(
      async () => {
        await collector.collect([instance]);
        return collector.delete();
      },
      { using, savepoint: false },
    );
  },

  async refresh(instance: ModelBase, options: { fields?: readonly string[]; using?: string }): Promise<void> {
    const obj = instance as Instance;
    const model = modelOf(obj);
    const meta = model._meta;
    const using = options.using ?? router.dbForRead(model, { instance: obj });
    const fields = options.fields ? options.fields.map((name) => meta.getField(name)) : meta.fields;
    const values = (await model.objects
      .using(using)
      .filter({ pk: obj.pk })
      .values(...fields.map((f) => f.attname))
      .get()) as Record<string, unknown>;
    for (const field of fields) {
      // A deferred field has no own value; reading it through the prototype would throw.
      const previous = Object.hasOwn(obj, field.attname) ? obj[field.attname] : undefined;
      // An own accessor (a FileField's) keeps wrapping what it is given; anything else becomes a plain value.
      if (Object.getOwnPropertyDescriptor(obj, field.attname)?.set) obj[field.attname] = values[field.attname];
      else Object.defineProperty(obj, field.attname, { value: values[field.attname], writable: true, enumerable: true, configurable: true });
      // A reloaded key invalidates the related object cached for it.
      if (field instanceof ForeignKey && obj._state.fieldsCache && previous !== values[field.attname]) {
        delete obj._state.fieldsCache[field.name];
      }
    }
    obj._state.db = using;
  },

  /**
   * Django's ForeignKey.validate: a key set on the instance must name a row of the related
   * model that its `limitChoicesTo` allows, else "publisher instance with id 99 is not a valid
   * choice." (code `invalid`) on that field. One query per key that is set.
   */
  async relatedErrors(instance: ModelBase, exclude: ReadonlySet<string>): Promise<[string, ValidationError][]> {
    const obj = instance as Instance;
    const errors: [string, ValidationError][] = [];
    for (const field of modelOf(obj)._meta.fields) {
      if (!(field instanceof ForeignKey) || exclude.has(field.name)) continue;
      const value = obj[field.attname];
      if (value === null || value === undefined) continue;
      const remote = field.remoteModel as unknown as ModelCtor;
      const target = field.targetField;
      let qs = remote.objects.using(router.dbForRead(remote, { instance: obj })).filter({ [target.name]: value });
      const limit = field.getLimitChoicesTo();
      if (limit) qs = qs.filter(limit as never);
      if (await qs.exists()) continue;
      const model = remote._meta.verboseName;
      const shown = typeof value === 'string' ? `'${value}'` : String(value);
      const custom = field.options.errorMessages?.['invalid'];
      const message = custom ?? `${model} instance with ${target.name} ${shown} is not a valid choice.`;
      errors.push([field.name, new ValidationError(message, { code: 'invalid', params: { model, pk: value, field: target.name, value } })]);
    }
    return errors;
  },

  /** Unique fields, uniqueTogether and field-only UniqueConstraints that another row already holds. */
  async uniqueErrors(instance: ModelBase, exclude: ReadonlySet<string>): Promise<[string, ValidationError][]> {
    const obj = instance as Instance;
    const model = modelOf(obj);
    const meta = model._meta;
    const groups: { fields: string[]; message?: string; condition?: UniqueConstraint['condition']; name?: string }[] = [];
    for (const field of meta.fields) if (field.unique && !exclude.has(field.name)) groups.push({ fields: [field.name] });
    for (const together of meta.uniqueTogether) groups.push({ fields: [...together] });
    for (const constraint of meta.constraints) {
      if (constraint instanceof UniqueConstraint) {
        groups.push({ fields: [...constraint.fields], message: constraint.violationErrorMessage, condition: constraint.condition, name: constraint.name });
      }
    }
    const errors: [string, ValidationError][] = [];
    const capitalized = meta.verboseName.charAt(0).toUpperCase() + meta.verboseName.slice(1);
    for (const group of groups) {
      if (group.fields.some((name) => exclude.has(name))) continue;
      const lookup: Record<string, unknown> = {};
      let skip = false;
      for (const name of group.fields) {
        const field = meta.getField(name);
        const value = obj[field.attname];
        if (value === null || value === undefined) skip = true;
        lookup[field.attname] = value;
      }
      if (skip) continue;
      if (group.condition) {
        // A partial unique constraint binds only rows matching its condition, this instance included.
        if (referencedFields(group.condition).some((name) => exclude.has(name))) continue;
        if (!(await matchesCondition(obj, model, group.condition))) continue;
      }
      // Checked where the row would be written: a lagging replica could hide a duplicate.
      let qs = model.objects.using(router.dbForWrite(model, { instance: obj })).filter(lookup);
      if (group.condition) qs = qs.filter(group.condition);
      if (!obj._state.adding && obj.pk !== null && obj.pk !== undefined) qs = qs.exclude({ pk: obj.pk });
      if (!(await qs.exists())) continue;
      if (group.condition) {
        // Django reports a conditional constraint by name, not with the field-based sentence.
        errors.push([NON_FIELD_ERRORS, new ValidationError(group.message ?? `Constraint “${group.name}” is violated.`, { code: 'unique' })]);
        continue;
      }
      const labels = group.fields.map((name) => {
        const f = meta.getField(name);
        return f.verboseName.charAt(0).toUpperCase() + f.verboseName.slice(1);
      });
      // A single field's own `errorMessages.unique` wins, as Django's unique_error_message.
      const own = group.fields.length === 1 ? meta.getField(group.fields[0]!).options.errorMessages?.['unique'] : undefined;
      const message = group.message ?? own ?? `${capitalized} with this ${labels.join(' and ')} already exists.`;
      errors.push([group.fields.length === 1 ? group.fields[0]! : NON_FIELD_ERRORS, new ValidationError(message, { code: 'unique' })]);
    }
    return errors;
  },

  /** CheckConstraints evaluated by the database against the instance's values (NULL passes, as in SQL). */
  async constraintErrors(instance: ModelBase, exclude: ReadonlySet<string>): Promise<[string, ValidationError][]> {
    const obj = instance as Instance;
    const model = modelOf(obj);
    const meta = model._meta;
    const errors: [string, ValidationError][] = [];
    const checks = meta.constraints.filter((c): c is CheckConstraint => c instanceof CheckConstraint);
    if (!checks.length) return errors;
    const connection = connections.get(router.dbForWrite(model, { instance: obj }));
    const compiler = compilerFor(connection);
    for (const check of checks) {
      const query = new Query(model as never, connection.features);
      query.valueSource = (field) => obj[field.attname];
      if (referencedFields(check.condition).some((name) => exclude.has(name))) continue;
      query.addFilter(check.condition, true);
      const params = new Params(compiler.ops);
      const sql = `SELECT 1 WHERE ${compiler.where(query.where, params)}`;
      const violated = (await connection.fetchOne({ sql, params: params.values })) !== undefined;
      if (violated) {
        errors.push([NON_FIELD_ERRORS, new ValidationError(check.violationErrorMessage ?? `Constraint “${check.name}” is violated.`, { code: 'constraint_violated' })]);
      }
    }
    return errors;
  },
};

/** Whether the instance's own values satisfy `condition`, evaluated by the database. */
async function matchesCondition(obj: Instance, model: ModelCtor, condition: CheckConstraint['condition']): Promise<boolean> {
  const connection = connections.get(router.dbForWrite(model, { instance: obj }));
  const compiler = compilerFor(connection);
  const query = new Query(model as never, connection.features);
  query.valueSource = (field) => obj[field.attname];
  query.addFilter(condition, false);
  const params = new Params(compiler.ops);
  const sql = `SELECT 1 WHERE ${compiler.where(query.where, params)}`;
  return (await connection.fetchOne({ sql, params: params.values })) !== undefined;
}

function referencedFields(q: CheckConstraint['condition']): string[] {
  return q.children.flatMap((child) => (Array.isArray(child) ? [String(child[0]).split('__')[0]!] : referencedFields(child as never)));
}

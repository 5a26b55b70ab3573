/**
 * Writing many rows at once: `bulkCreate()` and `bulkUpdate()`.
 *
 * bulkCreate: check options → fill pk defaults, db defaults and autoNow values on the
 * objects → multi-row INSERTs of `batchSize` rows (plus the backend's ON CONFLICT clause)
 * → primary keys read back with RETURNING → objects marked saved.
 *
 * bulkUpdate: check fields and objects → one `UPDATE … SET col = CASE WHEN pk = ? THEN ? …
 * END WHERE pk IN (…)` per batch → rows matched, summed.
 *
 * Both run their batches in `atomic({ savepoint: false })`: alone they are one transaction,
 * inside the caller's `atomic()` they join it, and a failing batch leaves nothing written.
 * Neither sends signals nor calls `save()`, as in Django.
 */
import { NuagesError } from '../../core/errors.ts';
import type { OnConflict } from '../backends/base/operations.ts';
import type { DatabaseWrapper } from '../backends/base/connection.ts';
import { connections } from '../connections.ts';
import { atomic } from '../transaction.ts';
import type { ModelBase } from './base.ts';
import { ModelStateError } from './errors.ts';
import { Expression } from './expressions.ts';
import type { Field } from './fields/field.ts';
import { ForeignKey } from './fields/related.ts';
import { hasModelWriteListeners, noteModelWrite } from './model-writes.ts';
import { insertInstances, runPreSave } from './persistence.ts';
import { compilerFor } from './sql/backend.ts';
import type { ExprNode } from './sql/nodes.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

/** Options of `QuerySet.bulkCreate()`. */
export interface BulkCreateOptions {
  /** Rows per INSERT; by default as many as the database's parameter limit allows. */
  readonly batchSize?: number;
  /** Skip rows that collide with an existing row on a unique constraint (no pks are set). */
  readonly ignoreConflicts?: boolean;
  /** On a collision over `uniqueFields`, overwrite `updateFields` of the existing row (an upsert). */
  readonly updateConflicts?: boolean;
  /** The fields whose unique constraint decides a collision, with `updateConflicts`. */
  readonly uniqueFields?: readonly string[];
  /** The fields overwritten on a collision, with `updateConflicts`. */
  readonly updateFields?: readonly string[];
}

/** Options of `QuerySet.bulkUpdate()`. */
export interface BulkUpdateOptions {
  /** Objects per UPDATE; by default as many as the database's parameter limit allows. */
  readonly batchSize?: number;
}

/**
 * The arguments of bulkCreate()/bulkUpdate() contradict each other or name fields those
 * operations cannot write (Django raises ValueError for these).
 */
export class BulkOptionsError extends NuagesError {
  readonly code = 'NUAGES_DB_BULK_OPTIONS';
}

function checkBatchSize(operation: string, batchSize: number | undefined): void {
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize <= 0)) {
    throw new BulkOptionsError(`${operation}({ batchSize }) must be a positive integer; got ${String(batchSize)}.`);
  }
}

/** Fields named by the user, with `pk` standing for the primary key (Django's get_field). */
function namedFields(model: ModelCtor, names: readonly string[]): Field[] {
  return names.map((name) => model._meta.getField(name));
}

function checkConcrete(model: ModelCtor, operation: string, option: string, fields: readonly Field[]): void {
  const bad = fields.filter((f) => !f.concrete);
  if (bad.length) {
    throw new BulkOptionsError(
      `${operation}() can only be used with concrete fields in ${option}; ${bad.map((f) => `${model._meta.objectName}.${f.name}`).join(', ')} ` +
        'has no column of its own. Update many-to-many relations through their managers.',
    );
  }
}

/** Django's _check_bulk_create_options: which ON CONFLICT to write, and with which fields. */
function conflictPlan(
  model: ModelCtor,
  options: BulkCreateOptions,
): { onConflict: OnConflict | null; uniqueFields: Field[]; updateFields: Field[] } {
  const name = model._meta.objectName;
  if (options.ignoreConflicts && options.updateConflicts) {
    throw new BulkOptionsError(`bulkCreate() on ${name}: ignoreConflicts and updateConflicts are mutually exclusive; pass one of them.`);
  }
  if (!options.updateConflicts) {
    if (options.uniqueFields?.length || options.updateFields?.length) {
      throw new BulkOptionsError(
        `bulkCreate() on ${name}: uniqueFields and updateFields only apply with updateConflicts: true; add it or drop them.`,
      );
    }
    return { onConflict: options.ignoreConflicts ? 'ignore' : null, uniqueFields: [], updateFields: [] };
  }
  if (!options.updateFields?.length) {
    throw new BulkOptionsError(
      `bulkCreate() on ${name} with updateConflicts needs updateFields: the fields to overwrite when a row insertion fails on a conflict.`,
    );
  }
  if (!options.uniqueFields?.length) {
    throw new BulkOptionsError(
      `bulkCreate() on ${name} with updateConflicts needs uniqueFields: the unique fields whose collision triggers the update.`,
    );
  }
  const updateFields = namedFields(model, options.updateFields);
  checkConcrete(model, 'bulkCreate', 'updateFields', updateFields);
  const pks = updateFields.filter((f) => f.primaryKey);
  if (pks.length) {
    throw new BulkOptionsError(`bulkCreate() cannot be used with primary keys in updateFields; remove '${pks[0]!.name}' from ${name}'s updateFields.`);
  }
  const uniqueFields = namedFields(model, options.uniqueFields);
  checkConcrete(model, 'bulkCreate', 'uniqueFields', uniqueFields);
  return { onConflict: 'update', uniqueFields, updateFields };
}

/** A relation holding an unsaved object would write a NULL key and lose the link; refuse, as Django does. */
function prepareRelated(obj: Instance, operation: string, only?: ReadonlySet<Field>): void {
  const cache = obj._state.fieldsCache;
  if (!cache) return;
  for (const field of (obj.constructor as ModelCtor)._meta.fields) {
    if (!(field instanceof ForeignKey) || !(field.name in cache) || (only && !only.has(field))) continue;
    const related = cache[field.name] as Instance | null;
    if (!related) continue;
    const key = related[field.targetField.attname];
    if (key === null || key === undefined) {
      throw new ModelStateError(
        `${operation}() prohibited to prevent data loss due to unsaved related object '${field.name}' on a ` +
          `${(obj.constructor as ModelCtor)._meta.objectName}. Save the related object first.`,
      );
    }
    if (obj[field.attname] === null || obj[field.attname] === undefined) obj[field.attname] = key;
  }
}

function isUnset(value: unknown): boolean {
  return value === null || value === undefined;
}

function checkInstances(model: ModelCtor, operation: string, objs: readonly unknown[]): void {
  objs.forEach((obj, i) => {
    if (!(obj instanceof model)) {
      const got = obj === null || typeof obj !== 'object' ? String(obj) : `a ${obj.constructor.name}`;
      throw new TypeError(`${operation}() on ${model._meta.objectName} takes ${model._meta.objectName} instances; item ${i} is ${got}.`);
    }
  });
}

/**
 * Readies one object for INSERT: related keys, a default pk, the fields' pre-save work,
 * then db defaults (that work may set a value). Returns the asynchronous part, if any.
 */
function prepareInsert(obj: Instance, meta: ModelCtor['_meta'], now: Date): Promise<void> | undefined {
  prepareRelated(obj, 'bulkCreate');
  const pk = meta.pk;
  if (isUnset(obj[pk.attname]) && pk.hasDefault()) obj[pk.attname] = pk.getDefault();
  const pending = runPreSave(obj, meta.fields, true, now);
  if (pending) return pending.then(() => fillDbDefaults(obj, meta.fields));
  fillDbDefaults(obj, meta.fields);
  return undefined;
}

/** Rows of one INSERT share their columns, so a db default is written as its value rather than left out (as Django writes the db_default expression). */
function fillDbDefaults(obj: Instance, fields: readonly Field[]): void {
  for (const field of fields) {
    if (field.hasDbDefault() && isUnset(obj[field.attname])) obj[field.attname] = field.toPython(field.options.dbDefault);
  }
}

/**
 * Inserts `objs` in as few statements as `batchSize` and the parameter limit allow.
 * Sets primary keys on the objects (databases with RETURNING), fills autoNow/autoNowAdd
 * fields and db defaults on them, and marks them saved. Sends no signals.
 * @internal Called by `QuerySet.bulkCreate()`.
 */
export async function bulkCreate<T extends ModelBase>(
  model: ModelCtor,
  using: string,
  objs: readonly T[],
  options: BulkCreateOptions = {},
): Promise<T[]> {
  checkBatchSize('bulkCreate', options.batchSize);
  const list = [...objs] as unknown as Instance[];
  if (!list.length) return [];
  checkInstances(model, 'bulkCreate', list);
  const { onConflict, uniqueFields, updateFields } = conflictPlan(model, options);
  const meta = model._meta;
  const connection = connections.get(using);
  const suffix = compilerFor(connection).ops.onConflictSql(onConflict, uniqueFields, updateFields);
  const pk = meta.pk;
  const now = timezoneNow();
  for (const obj of list) {
    const pending = prepareInsert(obj, meta, now);
    if (pending) await pending;
  }
  const withPk = list.filter((obj) => !isUnset(obj[pk.attname]));
  const withoutPk = list.filter((obj) => isUnset(obj[pk.attname]));
  // With ignoreConflicts a skipped row returns nothing, so RETURNING rows could not be
  // matched to objects: no pks are read back, as in Django.
  const returnsPk = onConflict !== 'ignore' && connection.features.supportsReturning;
  await atomic(
    async () => {
      if (withPk.length) await insertBatches(connection, model, withPk, meta.fields, [], suffix, options.batchSize);
      if (withoutPk.length) {
        const fields = meta.fields.filter((f) => !f.isAuto);
        await insertBatches(connection, model, withoutPk, fields, returnsPk ? [pk] : [], suffix, options.batchSize);
      }
    },
    { using, savepoint: false },
  );
  for (const obj of list) {
    // Objects that got no key stay unsaved (Django): saving them later would insert again.
    if (isUnset(obj[pk.attname])) continue;
    obj._state.adding = false;
    obj._state.db = using;
  }
  return list as unknown as T[];
}

async function insertBatches(
  connection: DatabaseWrapper,
  model: ModelCtor,
  objs: readonly Instance[],
  fields: readonly Field[],
  returning: readonly Field[],
  suffix: string,
  batchSize: number | undefined,
): Promise<void> {
  // insertInstances splits further when a batch would pass the parameter limit.
  const size = batchSize ?? objs.length;
  for (let start = 0; start < objs.length; start += size) {
    await insertInstances(connection, model, objs.slice(start, start + size), fields, returning, suffix);
  }
}

/**
 * Writes `fieldNames` of every object with one UPDATE per batch and returns the number of
 * rows matched. Objects must have primary keys; values may be `F()` expressions.
 * @internal Called by `QuerySet.bulkUpdate()`.
 */
export async function bulkUpdate(
  model: ModelCtor,
  using: string,
  objs: readonly ModelBase[],
  fieldNames: readonly string[],
  options: BulkUpdateOptions = {},
): Promise<number> {
  checkBatchSize('bulkUpdate', options.batchSize);
  const meta = model._meta;
  const name = meta.objectName;
  if (!fieldNames.length) {
    throw new BulkOptionsError(`bulkUpdate() on ${name} needs the names of the fields to write, e.g. bulkUpdate(objs, ['price']).`);
  }
  const list = [...objs] as Instance[];
  checkInstances(model, 'bulkUpdate', list);
  list.forEach((obj, i) => {
    if (isUnset(obj.pk)) {
      throw new ModelStateError(
        `bulkUpdate() needs saved objects: item ${i} (${String(obj)}) has no primary key. Save it first, or insert new objects with bulkCreate().`,
      );
    }
  });
  const fields = namedFields(model, fieldNames);
  checkConcrete(model, 'bulkUpdate', 'its fields', fields);
  const pks = fields.filter((f) => f.primaryKey);
  if (pks.length) {
    throw new BulkOptionsError(
      `bulkUpdate() cannot be used with primary key fields; remove '${fieldNames[fields.indexOf(pks[0]!)]}' from the fields of ${name}.`,
    );
  }
  if (!list.length) return 0;
  const only = new Set(fields);
  for (const obj of list) prepareRelated(obj, 'bulkUpdate', only);
  const connection = connections.get(using);
  // Each object binds its pk and a value per field in the CASEs, and its pk once more in IN.
  const perObject = 2 * fields.length + 1;
  const maxBatch = Math.max(1, Math.floor(connection.features.maxQueryParams / perObject));
  const size = Math.min(options.batchSize ?? maxBatch, maxBatch);
  return atomic(
    async () => {
      let matched = 0;
      for (let start = 0; start < list.length; start += size) {
        matched += await updateBatch(connection, model, list.slice(start, start + size), fields);
      }
      return matched;
    },
    { using, savepoint: false },
  );
}

async function updateBatch(connection: DatabaseWrapper, model: ModelCtor, batch: readonly Instance[], fields: readonly Field[]): Promise<number> {
  const meta = model._meta;
  const pk = meta.pk;
  const features = connection.features;
  const query = model.objects.using(connection.alias).filter({ pk__in: batch.map((obj) => obj.pk) }).query;
  const pkCol: ExprNode = { kind: 'col', alias: query.alias, column: pk.column, field: pk };
  const pkParams = batch.map((obj): ExprNode => ({ kind: 'param', value: pk.toDb(pk.getPrepValue(obj.pk), features) }));
  const ops = compilerFor(connection).ops;
  const assignments = fields.map((field): [Field, ExprNode] => {
    const params: ExprNode[] = [];
    const cast = features.requiresCastedCaseInUpdates ? ops.columnType(field) : null;
    batch.forEach((obj, i) => {
      const value = obj[field.attname];
      let node: ExprNode = value instanceof Expression
        ? query.resolveExpression(value, false).node
        : { kind: 'param', value: field.toDb(field.getPrepValue(value), features) };
      if (cast) node = { kind: 'raw', sql: `CAST(%s AS ${cast})`, params: [node] };
      params.push(pkCol, pkParams[i]!, node);
    });
    // As Django: ELSE NULL is never reached, since WHERE keeps only the listed pks.
    const sql = `CASE ${batch.map(() => 'WHEN %s = %s THEN %s').join(' ')} ELSE NULL END`;
    return [field, { kind: 'raw', sql, params }];
  });
  const result = await connection.execute(compilerFor(connection).compileUpdate(query, assignments));
  if (result.rowCount !== 0 && hasModelWriteListeners()) await noteModelWrite(model, connection.alias, 'update');
  return result.rowCount;
}

/**
 * The deletion collector: finds everything a delete reaches through
 * `onDelete`, then deletes it in dependency order inside one transaction,
 * sending preDelete/postDelete for each object.
 *
 * It follows Django's algorithm, including its fast path: rows of a model
 * with no delete signals and nothing depending on them are deleted with one
 * DELETE … WHERE, without loading them.
 */
import { ProtectedError, RestrictedError } from '../../core/exceptions.ts';
import type { ModelBase } from './base.ts';
import { ForeignKey } from './fields/related.ts';
import type { Field } from './fields/field.ts';
import type { RelatedObject } from './options.ts';
import { hasModelWriteListeners, noteModelWrite } from './model-writes.ts';
import type { QuerySet } from './query-set.ts';
import { postDelete, preDelete } from './signals.ts';
import { compilerFor } from './sql/backend.ts';
import { connections } from '../connections.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

const BATCH = 500;

type ForeignKeyRelation = RelatedObject & { readonly field: ForeignKey };

/** Keys elsewhere that point at `model`; many-to-many rows go through their join model's keys. */
function foreignKeysTo(model: ModelCtor): ForeignKeyRelation[] {
  return model._meta.relatedObjects.filter((r): r is ForeignKeyRelation => r.field instanceof ForeignKey);
}

function hasSignalListeners(model: ModelCtor): boolean {
  return preDelete.hasListeners(model) || postDelete.hasListeners(model);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class Collector {
  readonly using: string;
  /** Instances to delete, by model, in the order models were reached. */
  readonly data = new Map<ModelCtor, Set<Instance>>();
  /** QuerySets deleted without loading their rows. */
  readonly fastDeletes: QuerySet<ModelBase, ModelBase>[] = [];
  /** Columns to overwrite (SET_NULL, SET_DEFAULT, SET) before deleting. */
  readonly fieldUpdates: { field: Field; value: unknown; objs: Instance[] }[] = [];
  /** model → models whose rows must be deleted before it. */
  readonly #dependencies = new Map<ModelCtor, Set<ModelCtor>>();
  readonly #restricted: { field: ForeignKey; objs: Instance[] }[] = [];

  /** The instance or QuerySet whose delete() started this collection, sent as the signals' `origin`. */
  readonly origin: unknown;

  constructor(using: string, origin?: unknown) {
    this.using = using;
    this.origin = origin;
  }

  /** Whether rows of `model` can be deleted by one query: no signals, nothing cascades from them. */
  canFastDelete(model: ModelCtor, fromField?: ForeignKey): boolean {
    if (fromField && fromField.onDelete.name !== 'CASCADE') return false;
    if (hasSignalListeners(model)) return false;
    return foreignKeysTo(model).every((r) => r.field.onDelete.name === 'DO_NOTHING');
  }

  /** Collects a QuerySet: fast-deleted when possible, else loaded and collected. */
  async collectQuerySet(qs: QuerySet<ModelBase, ModelBase>): Promise<void> {
    if (this.canFastDelete(qs.model)) {
      this.fastDeletes.push(qs);
      return;
    }
    await this.collect((await qs) as Instance[]);
  }

  /** Adds `objs` and everything their relations reach. */
  async collect(objs: readonly ModelBase[], source?: ModelCtor, nullable = false): Promise<void> {
    if (!objs.length) return;
    const model = objs[0]!.constructor as ModelCtor;
    const added = this.#add(model, objs as Instance[]);
    if (!added.length) return;
    if (source && !nullable) this.#addDependency(source, model);
    const protectedObjects = new Map<string, Instance[]>();
    const fastByModel = new Map<ModelCtor, ForeignKey[]>();
    for (const related of foreignKeysTo(model)) {
      const field = related.field;
      if (field.onDelete.name === 'DO_NOTHING') continue;
      const relatedModel = related.relatedModel as unknown as ModelCtor;
      if (this.canFastDelete(relatedModel, field)) {
        fastByModel.set(relatedModel, [...(fastByModel.get(relatedModel) ?? []), field]);
        continue;
      }
      for (const batch of chunks(added, BATCH)) {
        const subObjs = (await this.#relatedObjects(related, batch)) as Instance[];
        if (!subObjs.length) continue;
        try {
          await this.#onDelete(field, subObjs, model);
        } catch (error) {
          if (!(error instanceof ProtectedError) || error instanceof RestrictedError) throw error;
          const key = `'${relatedModel._meta.objectName}.${field.name}'`;
          protectedObjects.set(key, [...(protectedObjects.get(key) ?? []), ...(error.protectedObjects as Instance[])]);
        }
      }
    }
    if (protectedObjects.size) {
      throw new ProtectedError(
        `Cannot delete some instances of model '${model._meta.objectName}' because they are referenced through ` +
          `protected foreign keys: ${[...protectedObjects.keys()].join(', ')}.`,
        [...protectedObjects.values()].flat(),
      );
    }
    for (const [relatedModel, fields] of fastByModel) {
      for (const batch of chunks(added, BATCH)) {
        const pks = batch.map((o) => o.pk);
        let qs = relatedModel.objects.using(this.using).filter({ [`${fields[0]!.name}__in`]: pks });
        for (const extra of fields.slice(1)) qs = qs.union(relatedModel.objects.using(this.using).filter({ [`${extra.name}__in`]: pks }));
        this.fastDeletes.push(fields.length === 1 ? qs : relatedModel.objects.using(this.using).filter({ pk__in: await qs.valuesList('pk', { flat: true }) }));
      }
    }
  }

  #relatedObjects(related: ForeignKeyRelation, batch: readonly Instance[]): Promise<ModelBase[]> {
    const model = related.relatedModel as unknown as ModelCtor;
    const targets = batch.map((o) => o[related.field.targetField.attname]);
    return model.objects.using(this.using).filter({ [`${related.field.name}__in`]: targets }) as unknown as Promise<ModelBase[]>;
  }

  async #onDelete(field: ForeignKey, subObjs: Instance[], source: ModelCtor): Promise<void> {
    const action = field.onDelete;
    switch (action.name) {
      case 'CASCADE':
        await this.collect(subObjs, source, field.null);
        return;
      case 'PROTECT':
        throw new ProtectedError(
          `Cannot delete some instances of model '${source._meta.objectName}' because they are referenced through a ` +
            `protected foreign key: '${(subObjs[0]!.constructor as ModelCtor)._meta.objectName}.${field.name}'.`,
          subObjs,
        );
      case 'RESTRICT':
        this.#restricted.push({ field, objs: subObjs });
        this.#addDependency(source, subObjs[0]!.constructor as ModelCtor);
        return;
      case 'SET_NULL':
        this.fieldUpdates.push({ field, value: null, objs: subObjs });
        return;
      case 'SET_DEFAULT':
        this.fieldUpdates.push({ field, value: field.getDefault(), objs: subObjs });
        return;
      case 'SET': {
        const value = typeof action.value === 'function' ? (action.value as () => unknown)() : action.value;
        this.fieldUpdates.push({ field, value, objs: subObjs });
        return;
      }
      case 'DO_NOTHING':
        return;
    }
  }

  #add(model: ModelCtor, objs: readonly Instance[]): Instance[] {
    let set = this.data.get(model);
    if (!set) this.data.set(model, (set = new Set()));
    const known = new Set([...set].map((o) => o.pk));
    const added: Instance[] = [];
    for (const obj of objs) {
      if (known.has(obj.pk)) continue;
      known.add(obj.pk);
      set.add(obj);
      added.push(obj);
    }
    return added;
  }

  #addDependency(parent: ModelCtor, child: ModelCtor): void {
    if (parent === child) return;
    let deps = this.#dependencies.get(parent);
    if (!deps) this.#dependencies.set(parent, (deps = new Set()));
    deps.add(child);
  }

  /** RESTRICT passes only when every restricted row is itself being deleted through a CASCADE. */
  async #checkRestricted(): Promise<void> {
    const failures = new Map<string, Instance[]>();
    for (const { field, objs } of this.#restricted) {
      const model = objs[0]!.constructor as ModelCtor;
      const deleting = new Set([...(this.data.get(model) ?? [])].map((o) => o.pk));
      let blocked = objs.filter((o) => !deleting.has(o.pk));
      // A cascade may reach the restricting rows through a fast delete, which never loads them.
      for (const qs of this.fastDeletes) {
        if (!blocked.length) break;
        if (qs.model !== model) continue;
        const reached = new Set(await qs.filter({ pk__in: blocked.map((o) => o.pk) }).valuesList<unknown>('pk', { flat: true }));
        blocked = blocked.filter((o) => !reached.has(o.pk));
      }
      if (blocked.length) {
        const key = `'${model._meta.objectName}.${field.name}'`;
        failures.set(key, [...(failures.get(key) ?? []), ...blocked]);
      }
    }
    if (failures.size) {
      const target = [...this.#restricted][0]!.field.remoteModel._meta.objectName;
      throw new RestrictedError(
        `Cannot delete some instances of model '${target}' because they are referenced through restricted foreign ` +
          `keys: ${[...failures.keys()].join(', ')}.`,
        [...failures.values()].flat(),
      );
    }
  }

  /** Models ordered so that rows depending on others are deleted first. */
  #sortedModels(): ModelCtor[] {
    const models = [...this.data.keys()];
    const sorted: ModelCtor[] = [];
    const pending = new Set(models);
    while (pending.size) {
      let progressed = false;
      for (const model of pending) {
        const deps = [...(this.#dependencies.get(model) ?? [])].filter((d) => pending.has(d));
        if (!deps.length) {
          sorted.push(model);
          pending.delete(model);
          progressed = true;
        }
      }
      if (!progressed) {
        sorted.push(...pending); // a cycle: deferred FK constraints let any order commit
        break;
      }
    }
    return sorted;
  }

  /** Deletes everything collected; returns `[total, { 'app.Model': count }]`. Call inside atomic(). */
  async delete(): Promise<[number, Record<string, number>]> {
    await this.#checkRestricted();
    const counter: Record<string, number> = {};
    const count = (label: string, n: number) => {
      if (n) counter[label] = (counter[label] ?? 0) + n;
    };
    const connection = connections.get(this.using);
    const compiler = compilerFor(connection);
    const models = this.#sortedModels();
    for (const model of models) {
      if (!preDelete.hasListeners(model)) continue;
      for (const obj of this.data.get(model)!) await preDelete.send(model, { instance: obj, using: this.using, origin: this.origin ?? obj });
    }
    for (const qs of this.fastDeletes) {
      const result = await connection.execute(compiler.compileDelete(qs.query));
      count(qs.model._meta.label, result.rowCount);
      if (result.rowCount !== 0 && hasModelWriteListeners()) await noteModelWrite(qs.model, this.using, 'delete');
    }
    for (const { field, value, objs } of this.fieldUpdates) {
      const model = objs[0]!.constructor as ModelCtor;
      for (const batch of chunks(objs, BATCH)) {
        await model.objects.using(this.using).filter({ pk__in: batch.map((o) => o.pk) }).update({ [field.name]: value });
      }
      for (const obj of objs) obj[field.attname] = field instanceof ForeignKey ? (value === null ? null : value) : value;
    }
    for (const model of models) {
      const instances = [...this.data.get(model)!];
      for (const batch of chunks(instances, BATCH)) {
        const qs = model.objects.using(this.using).filter({ pk__in: batch.map((o) => o.pk) });
        const result = await connection.execute(compiler.compileDelete(qs.query));
        count(model._meta.label, result.rowCount);
        if (result.rowCount !== 0 && hasModelWriteListeners()) await noteModelWrite(model, this.using, 'delete');
      }
    }
    for (const model of models) {
      if (!postDelete.hasListeners(model)) continue;
      for (const obj of this.data.get(model)!) await postDelete.send(model, { instance: obj, using: this.using, origin: this.origin ?? obj });
    }
    for (const [model, instances] of this.data) {
      for (const obj of instances) obj[model._meta.pk.attname] = null;
    }
    const total = Object.values(counter).reduce((a, b) => a + b, 0);
    return [total, counter];
  }
}

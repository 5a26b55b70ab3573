/**
 * Natural keys: naming a row by what it is (`['ada']`, `['auth', 'user']`) instead of
 * its primary key, so fixtures load into databases whose ids differ.
 *
 * A model takes part by defining `naturalKey()` on its instances; loading needs its
 * default manager (`objects`) to define `getByNaturalKey(...key)`. When a natural key
 * uses another object's (a permission's uses its content type's), the model lists those
 * models in `static naturalKeyDependencies = ['contenttypes.contenttype']` (Django's
 * `natural_key.dependencies`), so dumpdata writes them first.
 */
import { apps } from '../../conf/apps.ts';
import type { ModelBase } from '../../db/models/base.ts';
import { ForeignKey } from '../../db/models/fields/related.ts';
import { Prefetch, prefetchRelatedObjects } from '../../db/models/prefetch.ts';
import { RelationNotLoadedError } from '../../db/models/errors.ts';
import { QuerySet } from '../../db/models/query-set.ts';
import { MissingRelated } from '../../db/models/state.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

/** A model instance that can name itself. */
export interface NaturalKeyed {
  naturalKey(): readonly unknown[];
}

/** A manager that finds a row by its natural key. */
export interface NaturalKeyManager {
  using(alias: string): NaturalKeyManager;
  getByNaturalKey(...key: unknown[]): Promise<ModelBase>;
}

/** Whether instances of `model` define `naturalKey()` (Django's `hasattr(model, 'natural_key')`). */
export function hasNaturalKey(model: ModelCtor): boolean {
  return typeof (model.prototype as Partial<NaturalKeyed>).naturalKey === 'function';
}

/** The default manager when it defines `getByNaturalKey()`, else undefined. */
export function naturalKeyManager(model: ModelCtor): NaturalKeyManager | undefined {
  const manager = model.objects as unknown as Partial<NaturalKeyManager>;
  return typeof manager.getByNaturalKey === 'function' ? (manager as NaturalKeyManager) : undefined;
}

/** The models `model`'s natural key is built from, as declared by `naturalKeyDependencies`. */
export function naturalKeyDependencies(model: ModelCtor): ModelCtor[] {
  const declared = (model as unknown as { naturalKeyDependencies?: readonly string[] }).naturalKeyDependencies ?? [];
  return declared.map((label) => apps.getModel(label) as unknown as ModelCtor);
}

/** The plain QuerySet of a model, without what a custom default manager filters (Django's base manager). */
export function baseQuerySet(model: ModelCtor): QuerySet<ModelBase> {
  return new QuerySet<ModelBase>(model);
}

/** `obj.naturalKey()` as a list. */
export function naturalKeyOf(obj: ModelBase): unknown[] {
  return [...(obj as unknown as NaturalKeyed).naturalKey()];
}

/**
 * Loads what `naturalKey()` reads on each object that needs it: a natural key built from a
 * related object's (an issue's from its series') reads that relation synchronously. Objects
 * whose key can be read already cost nothing; for the others, each of their model's foreign
 * keys is loaded (one query per key for all of them), level by level.
 */
export async function loadForNaturalKeys(objs: readonly ModelBase[], depth = 0): Promise<void> {
  const needing = objs.filter((obj) => hasNaturalKey(obj.constructor as ModelCtor) && !naturalKeyReadable(obj));
  const loaded: ModelBase[] = [];
  for (const group of byModel(needing).values()) {
    const model = group[0]!.constructor as ModelCtor;
    loaded.push(...(await loadForeignKeys(group, model._meta.fields.filter((f): f is ForeignKey => f instanceof ForeignKey))));
  }
  // A related object's own natural key may read one relation further (depth bounds a cycle).
  if (loaded.length && depth < 5) await loadForNaturalKeys(loaded, depth + 1);
}

/**
 * Loads the objects `fields` (foreign keys of the model of `objs`) point to, where not loaded
 * yet: one query per field for every object missing it, through the base manager so a
 * filtering default manager cannot hide a row (as Django's forward descriptor reads). Returns
 * the related objects, loaded now or before.
 */
export async function loadForeignKeys(objs: readonly ModelBase[], fields: readonly ForeignKey[]): Promise<ModelBase[]> {
  const related: ModelBase[] = [];
  for (const field of fields) {
    const missing = objs.filter((obj) => !relationCached(obj, field));
    if (missing.length) {
      const remote = field.remoteModel as unknown as ModelCtor;
      await prefetchRelatedObjects(missing, new Prefetch(field.name, { queryset: baseQuerySet(remote) }));
    }
    for (const obj of objs) {
      const value = obj._state.fieldsCache?.[field.name];
      if (value && !(value instanceof MissingRelated)) related.push(value as ModelBase);
    }
  }
  return related;
}

function naturalKeyReadable(obj: ModelBase): boolean {
  try {
    naturalKeyOf(obj);
    return true;
  } catch (error) {
    if (error instanceof RelationNotLoadedError) return false;
    throw error;
  }
}

function relationCached(obj: ModelBase, field: ForeignKey): boolean {
  const key = (obj as Instance)[field.attname];
  return key === null || key === undefined || field.name in (obj._state.fieldsCache ?? {});
}

/** Objects grouped by their model class, in first-seen order. */
export function byModel<T extends ModelBase>(objs: readonly T[]): Map<ModelCtor, T[]> {
  const groups = new Map<ModelCtor, T[]>();
  for (const obj of objs) {
    const model = obj.constructor as ModelCtor;
    const group = groups.get(model);
    if (group) group.push(obj);
    else groups.set(model, [obj]);
  }
  return groups;
}

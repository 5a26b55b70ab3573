/**
 * One object as Django's Python serializer gives it (`{ model, pk, fields }`), and the
 * loading of what that needs for a whole chunk of objects at once: many-to-many keys
 * and, with natural keys, the related objects whose natural keys are written.
 */
import type { ModelBase } from '../../db/models/base.ts';
import type { Field } from '../../db/models/fields/field.ts';
import type { ManyToManyField } from '../../db/models/fields/many-to-many.ts';
import { ForeignKey } from '../../db/models/fields/related.ts';
import { prefetchRelatedObjects } from '../../db/models/prefetch.ts';
import { isPrefetched, prefetchCache } from '../../db/models/prefetch-cache.ts';
import type { DumpObject, SerializeOptions } from './base.ts';
import { serializeFieldValue } from './field-values.ts';
import { byModel, hasNaturalKey, loadForeignKeys, loadForNaturalKeys, naturalKeyOf } from './natural-keys.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

function selected(field: Field, options: SerializeOptions): boolean {
  return options.fields === undefined || options.fields.includes(field.name);
}

/**
 * The many-to-many fields written for a model: those through a join table Nuages made.
 * A `through` model of the project's is written as rows of its own, as Django does.
 */
function serializedManyToMany(model: ModelCtor, options: SerializeOptions): ManyToManyField[] {
  return model._meta.autoCreatedManyToMany.filter((field) => selected(field, options));
}

function naturalForeignKeys(model: ModelCtor, options: SerializeOptions): ForeignKey[] {
  if (!options.useNaturalForeignKeys) return [];
  return model._meta.fields.filter(
    (field): field is ForeignKey => field instanceof ForeignKey && selected(field, options) && hasNaturalKey(field.remoteModel as unknown as ModelCtor),
  );
}

function writesNaturalPrimaryKey(model: ModelCtor, options: SerializeOptions): boolean {
  return options.useNaturalPrimaryKeys === true && hasNaturalKey(model);
}

/**
 * Loads what dumping `chunk` reads: the related rows of each many-to-many field (one query
 * per field, unless prefetchRelated() loaded them), and with natural keys the related
 * objects to name and whatever their `naturalKey()` reads.
 */
export async function prepareChunk(chunk: readonly ModelBase[], options: SerializeOptions): Promise<void> {
  const named: ModelBase[] = [];
  for (const group of byModel(chunk).values()) {
    const model = group[0]!.constructor as ModelCtor;
    for (const field of serializedManyToMany(model, options)) {
      const missing = group.filter((obj) => !isPrefetched(obj, field.name));
      if (missing.length) await prefetchRelatedObjects(missing, field.name);
      if (options.useNaturalForeignKeys && hasNaturalKey(field.remoteModel as unknown as ModelCtor)) {
        for (const obj of group) named.push(...(relatedRows(obj, field) as ModelBase[]));
      }
    }
    named.push(...(await loadForeignKeys(group, naturalForeignKeys(model, options))));
    if (writesNaturalPrimaryKey(model, options)) named.push(...group);
  }
  await loadForNaturalKeys(named);
}

function relatedRows(obj: ModelBase, field: ManyToManyField): Instance[] {
  return (prefetchCache(obj)?.get(field.name) ?? []) as Instance[];
}

/** `obj` as `{ model, pk, fields }`, values encoded; prepareChunk() must have run for it. */
export function dumpObject(obj: ModelBase, options: SerializeOptions): DumpObject {
  const model = obj.constructor as ModelCtor;
  const meta = model._meta;
  const instance = obj as Instance;
  const natural = new Set<Field>(naturalForeignKeys(model, options));
  const fields: Record<string, unknown> = {};
  for (const field of meta.fields) {
    if (field.primaryKey || !selected(field, options)) continue;
    if (natural.has(field)) {
      const related = instance[field.name] as ModelBase | null;
      fields[field.name] = related ? naturalKeyOf(related) : null;
    } else {
      fields[field.name] = serializeFieldValue(field, instance[field.attname]);
    }
  }
  for (const field of serializedManyToMany(model, options)) {
    const remote = field.remoteModel as unknown as ModelCtor;
    const rows = relatedRows(obj, field);
    fields[field.name] =
      options.useNaturalForeignKeys && hasNaturalKey(remote)
        ? rows.map((row) => naturalKeyOf(row))
        : rows.map((row) => serializeFieldValue(remote._meta.pk, row.pk));
  }
  // Key order model, pk, fields, as Django writes them.
  if (writesNaturalPrimaryKey(model, options)) return { model: meta.labelLower, fields };
  return { model: meta.labelLower, pk: serializeFieldValue(meta.pk, obj.pk), fields };
}

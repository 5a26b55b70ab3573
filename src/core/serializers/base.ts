/**
 * What every format shares (Django's `serializers/base.py`): the Serializer walk over
 * objects, the DeserializedObject a Deserializer yields, and how a relation's serialized
 * value (a key, or a natural key) becomes a key again.
 *
 * Serializing: objects → chunks → related rows loaded per chunk (dump.ts) → one
 * `{ model, pk, fields }` per object → the format writes it.
 * Deserializing: text → the format's parser → plain objects → python.ts builds instances →
 * DeserializedObject.save() writes each raw (signals get `raw: true`).
 */
import { ObjectDoesNotExist } from '../exceptions.ts';
import { ModelBase } from '../../db/models/base.ts';
import type { ForeignKey } from '../../db/models/fields/related.ts';
import type { ManyToManyField } from '../../db/models/fields/many-to-many.ts';
import type { Field } from '../../db/models/fields/field.ts';
import type { ManyRelatedManager } from '../../db/models/related-managers.ts';
import { QuerySet } from '../../db/models/query-set.ts';
import { inBatches } from '../management/csv-rows.ts';
import { DeserializationError } from './errors.ts';
import { deserializeFieldValue } from './field-values.ts';
import { hasNaturalKey, loadForNaturalKeys, naturalKeyManager, naturalKeyOf } from './natural-keys.ts';
import { dumpObject, prepareChunk } from './dump.ts';

type ModelCtor = typeof ModelBase;
type Instance = ModelBase & Record<string, unknown>;

/** Options of `serialize()`; Django's names in camelCase. */
export interface SerializeOptions {
  /** Only these fields (by name) are written; the primary key always is. */
  readonly fields?: readonly string[];
  /** Relations to models with `naturalKey()` are written as natural keys (`["ada"]`). */
  readonly useNaturalForeignKeys?: boolean;
  /** Objects of models with `naturalKey()` are written without their primary key. */
  readonly useNaturalPrimaryKeys?: boolean;
  /** Pretty-print with this many spaces per level (json); null writes one line. */
  readonly indent?: number | null;
  /** Objects read per query from a QuerySet (and loaded relations per query); default 500. */
  readonly chunkSize?: number;
  /** Called after each object is written (dumpdata's progress bar). */
  readonly onObject?: () => void;
}

/** What `serialize()` accepts: a QuerySet (streamed in chunks), or model instances. */
export type Serializable = QuerySet<ModelBase> | Iterable<ModelBase> | AsyncIterable<ModelBase>;

/** One object as Django's Python serializer gives it, with values already encoded. */
export interface DumpObject {
  model: string;
  pk?: unknown;
  fields: Record<string, unknown>;
}

/**
 * The base of a format's writer. Subclasses give the text before, between and after
 * the objects; the walk (chunks, related rows, natural keys) is shared.
 */
export abstract class Serializer {
  /** Text before the first object. */
  protected abstract start(options: SerializeOptions): string;
  /** One object, written after `index` others. */
  protected abstract object(dump: DumpObject, index: number, options: SerializeOptions): string;
  /** Text after the last object, of `count`. */
  protected abstract end(count: number, options: SerializeOptions): string;

  /**
   * The serialized text, piece by piece, so a large dump is written as it is read. A
   * QuerySet is read `chunkSize` rows at a time; each chunk costs one query per
   * many-to-many field (and per natural-key relation) whatever its size.
   */
  async *stream(objects: Serializable, options: SerializeOptions = {}): AsyncGenerator<string> {
    const chunks = inChunks(objects, options.chunkSize ?? 500);
    // The first rows are read before anything is written, so a query that fails at once leaves no half a document.
    const first = await chunks.next();
    yield this.start(options);
    let count = 0;
    for await (const chunk of first.done ? [] : prepend(first.value, chunks)) {
      await prepareChunk(chunk, options);
      for (const obj of chunk) {
        yield this.object(dumpObject(obj, options), count++, options);
        options.onObject?.();
      }
    }
    yield this.end(count, options);
  }

  /** The whole serialized text. */
  async serialize(objects: Serializable, options: SerializeOptions = {}): Promise<string> {
    const pieces: string[] = [];
    for await (const piece of this.stream(objects, options)) pieces.push(piece);
    return pieces.join('');
  }
}

async function* prepend<T>(head: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield head;
  yield* rest;
}

function inChunks(objects: Serializable, size: number): AsyncGenerator<ModelBase[]> {
  return inBatches(objects instanceof QuerySet ? (objects.iterator({ chunkSize: size }) as AsyncIterable<ModelBase>) : objects, size);
}

/** Options of `deserialize()`; Django's names in camelCase. */
export interface DeserializeOptions {
  /** The database natural keys are looked up in (default 'default'). */
  readonly using?: string;
  /** Skip fields and models the project no longer has, instead of failing. */
  readonly ignoreNonExistent?: boolean;
  /**
   * A relation to a row that comes later (by natural key) is kept aside instead of failing:
   * the object's `deferredFields` name it, and `saveDeferredFields()` sets it once every
   * object is saved. loaddata turns it on.
   */
  readonly handleForwardReferences?: boolean;
}

/** Marks a relation whose natural key names a row not loaded yet. */
export const DEFER_FIELD: unique symbol = Symbol('DEFER_FIELD');

/**
 * An object read from serialized data, not saved yet (Django's DeserializedObject):
 * `object` is the instance, `m2mData` its many-to-many keys by field name, and
 * `deferredFields` the relations left for `saveDeferredFields()`.
 */
export class DeserializedObject {
  readonly object: ModelBase;
  m2mData: Map<string, unknown[]> | null;
  readonly deferredFields: Map<ForeignKey | ManyToManyField, unknown>;

  constructor(object: ModelBase, m2mData: Map<string, unknown[]> = new Map(), deferredFields: Map<ForeignKey | ManyToManyField, unknown> = new Map()) {
    this.object = object;
    this.m2mData = m2mData;
    this.deferredFields = deferredFields;
  }

  /**
   * Saves the object as given ("raw", as Django's save_base(raw=True)): no auto_now, no
   * upload, preSave/postSave receivers get `raw: true`, and a model's own `save()` override
   * is not called. Then sets its many-to-many relations.
   */
  async save(options: { using?: string; saveM2m?: boolean } = {}): Promise<void> {
    await ModelBase.prototype.save.call(this.object, { using: options.using, raw: true });
    if (this.m2mData && (options.saveM2m ?? true)) {
      for (const [name, keys] of this.m2mData) {
        await ((this.object as Instance)[name] as ManyRelatedManager<ModelBase>).set(keys as never);
      }
    }
    this.m2mData = null;
  }

  /** Sets the relations kept aside as forward references, now that their rows exist, and saves again. */
  async saveDeferredFields(options: { using?: string } = {}): Promise<void> {
    const meta = (this.object.constructor as ModelCtor)._meta;
    this.m2mData = new Map();
    for (const [field, value] of this.deferredFields) {
      if (isManyToMany(field)) {
        // Without handleForwardReferences a missing row fails instead of deferring again.
        const keys = await deserializeM2mValues(field, value, { using: options.using, label: meta.labelLower, pk: this.object.pk });
        this.m2mData.set(field.name, keys as unknown[]);
        continue;
      }
      try {
        (this.object as Instance)[field.attname] = await deserializeFkValue(field, value, options.using ?? 'default', false);
      } catch (error) {
        throw DeserializationError.withData(error, meta.labelLower, this.object.pk, value);
      }
    }
    await this.save({ using: options.using });
  }
}

function isManyToMany(field: Field): field is ManyToManyField {
  return field.internalType === 'ManyToManyField';
}

/**
 * A foreign key's serialized value as the key to store: a natural key (a list, when the
 * related manager has `getByNaturalKey()`) is looked up in `using`; anything else is
 * converted by the target field. DEFER_FIELD when the natural key names no row yet and
 * forward references are handled.
 */
export async function deserializeFkValue(field: ForeignKey, value: unknown, using: string, handleForwardReferences: boolean): Promise<unknown> {
  if (value === null || value === undefined) return null;
  const remote = field.remoteModel as unknown as ModelCtor;
  const manager = naturalKeyManager(remote);
  if (manager && Array.isArray(value)) {
    let related: ModelBase;
    try {
      related = await manager.using(using).getByNaturalKey(...value);
    } catch (error) {
      if (error instanceof ObjectDoesNotExist && handleForwardReferences) return DEFER_FIELD;
      throw error;
    }
    return (related as Instance)[field.targetField.attname];
  }
  return deserializeFieldValue(field.targetField, value);
}

/**
 * A many-to-many field's serialized list as related primary keys (natural keys looked up).
 * DEFER_FIELD when a natural key names no row yet and `handleForwardReferences` is set.
 *
 * @throws DeserializationError naming the object (`label`, `pk`) and the key that failed.
 */
export async function deserializeM2mValues(
  field: ManyToManyField,
  value: unknown,
  context: { using?: string; label: string; pk: unknown; handleForwardReferences?: boolean },
): Promise<unknown[] | typeof DEFER_FIELD> {
  const remote = field.remoteModel as unknown as ModelCtor;
  const manager = naturalKeyManager(remote);
  const pkField = remote._meta.pk;
  if (!Array.isArray(value)) {
    throw DeserializationError.withData(new TypeError(`${field.label} takes a list of keys; got ${JSON.stringify(value)}.`), context.label, context.pk, value);
  }
  const keys: unknown[] = [];
  for (const item of value) {
    try {
      if (manager && Array.isArray(item)) keys.push((await manager.using(context.using ?? 'default').getByNaturalKey(...item)).pk);
      else keys.push(deserializeFieldValue(pkField, item));
    } catch (error) {
      if (error instanceof ObjectDoesNotExist && context.handleForwardReferences) return DEFER_FIELD;
      throw DeserializationError.withData(error, context.label, context.pk, item);
    }
  }
  return keys;
}

/**
 * A new instance from deserialized `data` (Django's build_instance). Without a primary key,
 * a model with a natural key and `getByNaturalKey()` takes the key of the row its natural
 * key names, so loading a fixture again updates rows instead of duplicating them.
 */
export async function buildInstance(model: ModelCtor, data: Record<string, unknown>, using: string): Promise<ModelBase> {
  const pk = model._meta.pk;
  const manager = naturalKeyManager(model);
  if ((data[pk.attname] === null || data[pk.attname] === undefined) && manager && hasNaturalKey(model)) {
    const draft = new (model as unknown as new (init: Record<string, unknown>) => ModelBase)(data);
    draft._state.db = using;
    const key = await naturalKeyOfDraft(draft);
    try {
      data[pk.attname] = deserializeFieldValue(pk, (await manager.using(using).getByNaturalKey(...key)).pk);
    } catch (error) {
      if (!(error instanceof ObjectDoesNotExist)) throw error;
    }
  }
  return new (model as unknown as new (init: Record<string, unknown>) => ModelBase)(data);
}

/**
 * The natural key of an object not saved yet, loading the relations it reads. A relation
 * left empty (a forward reference) fails as Django's does: "Issue has no series."
 */
async function naturalKeyOfDraft(draft: ModelBase): Promise<unknown[]> {
  try {
    await loadForNaturalKeys([draft]);
    return naturalKeyOf(draft);
  } catch (error) {
    const meta = (draft.constructor as ModelCtor)._meta;
    const empty = meta.fields.find((f): f is ForeignKey => f.isRelation && !f.null && (draft as Instance)[f.attname] == null);
    if (!empty || !(error instanceof TypeError)) throw error;
    // Django's RelatedObjectDoesNotExist: the related model's DoesNotExist.
    const remote = empty.remoteModel as unknown as ModelCtor;
    throw new remote.DoesNotExist(`${meta.objectName} has no ${empty.name}.`, { cause: error });
  }
}

/**
 * Django's serialization framework: model instances to text and back, in a format
 * chosen by name. `json` and `jsonl` are built in; `registerSerializer()` adds others.
 * dumpdata and loaddata are built on it.
 *
 * serialize(format, objects) → the format's Serializer walks the objects (base.ts) →
 * text. deserialize(format, text) → the format's parser → DeserializedObjects, each
 * saved with `await obj.save()`.
 *
 * ```ts
 * import { serialize, deserialize } from 'nuages/core/serializers';
 * const text = await serialize('json', Book.objects.filter({ inPrint: true }), { indent: 2 });
 * for await (const obj of deserialize('json', text)) await obj.save();
 * ```
 */
import type { DeserializedObject, DeserializeOptions, Serializable, SerializeOptions, Serializer } from './base.ts';
import { SerializerDoesNotExist } from './errors.ts';
import { deserializeJson, JsonSerializer } from './json.ts';
import { deserializeJsonl, JsonlSerializer } from './jsonl.ts';

export {
  buildInstance,
  DEFER_FIELD,
  DeserializedObject,
  deserializeFkValue,
  deserializeM2mValues,
  Serializer,
  type DeserializeOptions,
  type DumpObject,
  type Serializable,
  type SerializeOptions,
} from './base.ts';
export { DependencyCycleError, sortDependencies } from './dependencies.ts';
export { DeserializationError, SerializerDoesNotExist } from './errors.ts';
export { deserializeFieldValue, serializeFieldValue } from './field-values.ts';
export { JsonSerializer, deserializeJson } from './json.ts';
export { JsonlSerializer, deserializeJsonl } from './jsonl.ts';
export { hasNaturalKey, naturalKeyManager, type NaturalKeyed, type NaturalKeyManager } from './natural-keys.ts';
export { deserializeObjects } from './python.ts';

/** A serialization format: how to write objects and how to read them back. */
export interface SerializationFormat {
  /** A new writer for one serialization. */
  createSerializer(): Serializer;
  /** The objects `text` holds, read one at a time. */
  deserialize(text: string, options: DeserializeOptions): AsyncIterable<DeserializedObject>;
  /** Formats only code uses are left out of dumpdata's and loaddata's choices (Django's internal_use_only). */
  readonly internalUseOnly?: boolean;
}

const BUILTIN_FORMATS: Readonly<Record<string, SerializationFormat>> = Object.freeze({
  json: { createSerializer: () => new JsonSerializer(), deserialize: deserializeJson },
  jsonl: { createSerializer: () => new JsonlSerializer(), deserialize: deserializeJsonl },
});

const formats = new Map<string, SerializationFormat>(Object.entries(BUILTIN_FORMATS));

/**
 * Adds a format under `name`, or replaces one (Django's SERIALIZATION_MODULES). Its
 * writer extends Serializer, so it gets the walk over objects and natural keys for free.
 */
export function registerSerializer(name: string, format: SerializationFormat): void {
  formats.set(name, format);
}

/** Removes a format added with registerSerializer(); a built-in one comes back. */
export function unregisterSerializer(name: string): void {
  if (!formats.delete(name)) throw new SerializerDoesNotExist(`No serializer is registered as '${name}'.`);
  const builtin = BUILTIN_FORMATS[name];
  if (builtin) formats.set(name, builtin);
}

/** The format called `name`. @throws SerializerDoesNotExist listing the formats there are. */
export function getSerializationFormat(name: string): SerializationFormat {
  const format = formats.get(name);
  if (format) return format;
  throw new SerializerDoesNotExist(`Unknown serialization format: ${name}. Formats: ${[...formats.keys()].join(', ')}.`);
}

/** The names of the formats dumpdata and loaddata offer. */
export function getPublicSerializerFormats(): string[] {
  return [...formats].filter(([, format]) => !format.internalUseOnly).map(([name]) => name);
}

/**
 * `objects` (a QuerySet, streamed in chunks, or instances) as text in `format`.
 *
 * ```ts
 * await serialize('json', Tag.objects.all());
 * // '[{"model": "shelf.tag", "pk": 1, "fields": {"name": "fantasy"}}]'
 * ```
 * Queries: the QuerySet's, then one per many-to-many field (and per natural-key
 * relation) for each chunk of objects.
 */
export async function serialize(format: string, objects: Serializable, options: SerializeOptions = {}): Promise<string> {
  return getSerializationFormat(format).createSerializer().serialize(objects, options);
}

/**
 * The objects `text` holds in `format`, one at a time; nothing is saved until each
 * DeserializedObject's `save()`.
 *
 * @throws DeserializationError (while iterating) for data that cannot be read.
 */
export function deserialize(format: string, text: string, options: DeserializeOptions = {}): AsyncIterable<DeserializedObject> {
  return getSerializationFormat(format).deserialize(text, options);
}

/**
 * Plain objects (`{ model, pk, fields }`, as a format's parser gives them) into
 * DeserializedObjects (Django's Python deserializer, which the json and jsonl formats
 * run their parsed data through).
 *
 * Fields are found by the names the model gives them (`inPrint`, `publisher`), or by
 * the attribute of a relation (`publisherId`). A fixture Django wrote for the same
 * tables names them in snake_case (`in_print`, `content_type`); those names are found
 * too, through the field's snake_case name.
 */
import { apps } from '../../conf/apps.ts';
import type { ModelBase } from '../../db/models/base.ts';
import type { Field } from '../../db/models/fields/field.ts';
import { toSnakeCase } from '../../db/models/fields/field.ts';
import { ManyToManyField } from '../../db/models/fields/many-to-many.ts';
import { ForeignKey } from '../../db/models/fields/related.ts';
import type { Options } from '../../db/models/options.ts';
import {
  buildInstance,
  DEFER_FIELD,
  DeserializedObject,
  deserializeFkValue,
  deserializeM2mValues,
  type DeserializeOptions,
} from './base.ts';
import { DeserializationError, describeError } from './errors.ts';
import { deserializeFieldValue } from './field-values.ts';

type ModelCtor = typeof ModelBase;
type Relation = ForeignKey | ManyToManyField;

/**
 * DeserializedObjects for `objects`, one at a time (nothing is saved). Unknown models and
 * fields fail, or are skipped with `ignoreNonExistent`.
 *
 * @throws DeserializationError naming the object and value that could not be read.
 */
export async function* deserializeObjects(
  objects: Iterable<unknown> | AsyncIterable<unknown>,
  options: DeserializeOptions = {},
): AsyncGenerator<DeserializedObject> {
  for await (const node of objects) {
    const model = modelOf(node, options);
    if (model === undefined) continue;
    try {
      yield await deserializeObject(node as SerializedObject, model, options);
    } catch (error) {
      if (error instanceof DeserializationError) throw error;
      throw new DeserializationError(`Error deserializing object: ${describeError(error)}`, { cause: error });
    }
  }
}

interface SerializedObject {
  model: string;
  pk?: unknown;
  fields: Record<string, unknown>;
}

function modelOf(node: unknown, options: DeserializeOptions): ModelCtor | undefined {
  const shape = node as Partial<SerializedObject> | null;
  if (typeof shape !== 'object' || shape === null || Array.isArray(shape) || typeof shape.model !== 'string') {
    throw new DeserializationError(
      `Error deserializing object: ${JSON.stringify(node)} is not an object of the form {"model": "app.model", "pk": 1, "fields": {…}}.`,
    );
  }
  if (typeof shape.fields !== 'object' || shape.fields === null || Array.isArray(shape.fields)) {
    throw new DeserializationError(`Error deserializing object: the ${shape.model} object has no "fields" object; write "fields": {} for none.`);
  }
  try {
    return apps.getModel(shape.model) as unknown as ModelCtor;
  } catch {
    if (options.ignoreNonExistent) return undefined;
    throw new DeserializationError(`Invalid model identifier: ${shape.model}`);
  }
}

async function deserializeObject(node: SerializedObject, model: ModelCtor, options: DeserializeOptions): Promise<DeserializedObject> {
  const meta = model._meta;
  const using = options.using ?? 'default';
  const data: Record<string, unknown> = {};
  const m2m = new Map<string, unknown[]>();
  const deferred = new Map<Relation, unknown>();
  if ('pk' in node) {
    try {
      data[meta.pk.attname] = deserializeFieldValue(meta.pk, node.pk);
    } catch (error) {
      throw DeserializationError.withData(error, node.model, node.pk, null);
    }
  }
  for (const [key, value] of Object.entries(node.fields)) {
    const field = fieldForKey(meta, key);
    if (field === undefined) {
      if (options.ignoreNonExistent) continue;
      meta.getField(key); // throws FieldDoesNotExist, naming the fields there are
      continue;
    }
    if (field instanceof ManyToManyField) {
      const keys = await deserializeM2mValues(field, value, { using, label: node.model, pk: node.pk, handleForwardReferences: options.handleForwardReferences });
      if (keys === DEFER_FIELD) deferred.set(field, value);
      else m2m.set(field.name, keys);
      continue;
    }
    try {
      if (field instanceof ForeignKey) {
        const stored = await deserializeFkValue(field, value, using, options.handleForwardReferences ?? false);
        if (stored === DEFER_FIELD) deferred.set(field, value);
        else data[field.attname] = stored;
      } else {
        data[field.name] = deserializeFieldValue(field, value);
      }
    } catch (error) {
      throw DeserializationError.withData(error, node.model, node.pk, value);
    }
  }
  return new DeserializedObject(await buildInstance(model, data, using), m2m, deferred);
}

/** The field a serialized key names: its name or attribute, else its snake_case name (Django's spelling). */
function fieldForKey(meta: Options, key: string): Field | undefined {
  const field = meta.findField(key);
  if (field) return field;
  return [...meta.fields, ...meta.manyToMany].find((f) => toSnakeCase(f.name) === key || toSnakeCase(f.attname) === key);
}

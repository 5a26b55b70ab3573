/**
 * The `json` format, byte for byte as Django writes it: a list of objects; without an
 * indent on one line with `", "` and `": "` separators, with one (`--indent 2`) each object
 * starting a line, pretty-printed with `","` and `": "` (no trailing spaces); non-ASCII
 * characters written as they are.
 */
import { pythonJsonStringify } from '../../utils/python-json.ts';
import { Serializer, type DeserializedObject, type DeserializeOptions, type DumpObject, type SerializeOptions } from './base.ts';
import { DeserializationError } from './errors.ts';
import { deserializeObjects } from './python.ts';

/** Writes `[{"model": …, "pk": …, "fields": {…}}, …]`. */
export class JsonSerializer extends Serializer {
  protected start(): string {
    return '[';
  }

  protected object(dump: DumpObject, index: number, options: SerializeOptions): string {
    // Django tests the indent for truth: --indent 0 pretty-prints each object, yet joins them as on one line.
    const indented = Boolean(options.indent);
    const text = pythonJsonStringify(dump, {
      indent: options.indent ?? null,
      separators: options.indent === undefined || options.indent === null ? [', ', ': '] : [',', ': '],
      ensureAscii: false,
    });
    return `${index > 0 ? (indented ? ',' : ', ') : ''}${indented ? '\n' : ''}${text}`;
  }

  protected end(_count: number, options: SerializeOptions): string {
    return options.indent ? '\n]\n' : ']';
  }
}

/**
 * The objects of a JSON fixture, read one at a time.
 *
 * @throws DeserializationError for text that is not a JSON list, naming the problem.
 */
export async function* deserializeJson(text: string, options: DeserializeOptions = {}): AsyncGenerator<DeserializedObject> {
  let objects: unknown;
  try {
    objects = JSON.parse(text);
  } catch (error) {
    throw new DeserializationError(`Invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(objects)) {
    throw new DeserializationError('A JSON fixture is a list of objects ([{"model": "app.model", "pk": 1, "fields": {…}}, …]).');
  }
  yield* deserializeObjects(objects, options);
}

/**
 * The `jsonl` format (JSON Lines), as Django writes it: one object per line, with `","`
 * and `": "` separators whatever the indent, each line ending with a newline. Large
 * dumps stream well in it, and a line can be read without the rest of the file.
 */
import { pythonJsonStringify } from '../../utils/python-json.ts';
import { Serializer, type DeserializedObject, type DeserializeOptions, type DumpObject } from './base.ts';
import { DeserializationError } from './errors.ts';
import { deserializeObjects } from './python.ts';

/** Writes `{"model": …,"pk": …,"fields": {…}}` lines. */
export class JsonlSerializer extends Serializer {
  protected start(): string {
    return '';
  }

  protected object(dump: DumpObject): string {
    return `${pythonJsonStringify(dump, { separators: [',', ': '], ensureAscii: false })}\n`;
  }

  protected end(): string {
    return '';
  }
}

/**
 * The objects of a JSON Lines fixture, a line at a time; blank lines are skipped.
 *
 * @throws DeserializationError for a line that is not JSON, naming its number.
 */
export async function* deserializeJsonl(text: string, options: DeserializeOptions = {}): AsyncGenerator<DeserializedObject> {
  yield* deserializeObjects(parsedLines(text), options);
}

function* parsedLines(text: string): Generator<unknown> {
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (error) {
      throw new DeserializationError(`Invalid JSON on line ${index + 1}: ${(error as Error).message}`, { cause: error });
    }
  }
}

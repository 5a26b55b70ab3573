/** The errors of the serialization framework, each with a permanent code. */
import { NuagesError } from '../errors.ts';
import { ValidationError } from '../exceptions.ts';

/**
 * Serialized data could not be turned back into objects (Django's DeserializationError):
 * text that is not JSON, an unknown model, a value a field refuses, a natural key that
 * names no row. The message says which object and value, as Django's does.
 */
export class DeserializationError extends NuagesError {
  readonly code = 'NUAGES_DESERIALIZATION';

  /**
   * Django's `DeserializationError.WithData`: the original error, then the object and the
   * value it was reading, `<error>: (app.model:pk=1) field_value was '<value>'`.
   */
  static withData(original: unknown, model: string, pk: unknown, value: unknown): DeserializationError {
    return new DeserializationError(`${describeError(original)}: (${model}:pk=${pyStr(pk)}) field_value was '${pyStr(value)}'`, { cause: original });
  }
}

/** No serializer is registered under a format name (Django's SerializerDoesNotExist). */
export class SerializerDoesNotExist extends NuagesError {
  readonly code = 'NUAGES_SERIALIZER_DOES_NOT_EXIST';
}

/**
 * How Python's `str()` shows a value in Django's messages: `None`, `True`, the text of a
 * string, `['a', 'b']` for a list.
 */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return String(value);
}

/** Python's `repr()` of a value in a list: strings quoted as Python quotes them. */
function pyRepr(value: unknown): string {
  if (typeof value !== 'string') return pyStr(value);
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t');
  return `${quote}${quote === "'" ? escaped.replaceAll("'", "\\'") : escaped}${quote}`;
}

/** An error as Django's message shows it: a ValidationError as its list of messages. */
export function describeError(error: unknown): string {
  if (error instanceof ValidationError) return pyStr(error.messages);
  return error instanceof Error ? error.message : String(error);
}

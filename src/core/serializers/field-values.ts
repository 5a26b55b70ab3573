/**
 * Field values to and from their serialized form, as Django writes them: the value
 * Django's Python serializer keeps (`_value_from_field`), encoded as DjangoJSONEncoder
 * encodes it. So a datetime is `2024-03-01T12:34:56.789Z` (milliseconds, `Z` for UTC), a
 * decimal a string (`"12.50"`), a float stays a float (`3.0`), a duration Django's
 * `"1 02:03:04.500000"`, bytes base64, a file its name.
 *
 * A field type of a project's own can say how it is written by defining
 * `valueToString(value)` (Django's `value_to_string`); reading goes through `toPython()`.
 */
import type { Field } from '../../db/models/fields/field.ts';
import { ForeignKey } from '../../db/models/fields/related.ts';
import { durationString, parseDuration } from '../../forms/fields/temporal.ts';
import { DateOnly } from '../../utils/dates.ts';
import { PythonFloat } from '../../utils/python-json.ts';

/** A field type that writes its own serialized form. */
interface StringSerializable {
  valueToString(value: unknown): unknown;
}

function hasValueToString(field: Field): field is Field & StringSerializable {
  return typeof (field as Partial<StringSerializable>).valueToString === 'function';
}

/** `2024-03-01T12:34:56.789Z`, or `2024-03-01T12:34:56Z` without milliseconds, as DjangoJSONEncoder. */
function encodeDateTime(value: Date): string {
  const iso = value.toISOString();
  return value.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

function encodeBytes(value: Uint8Array): string {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

/**
 * `value` of `field` as Django serializes it; null stays null. The result is plain JSON
 * data, with floats wrapped in PythonFloat so they are written as Python writes them.
 */
export function serializeFieldValue(field: Field, value: unknown): unknown {
  if (field instanceof ForeignKey) return serializeFieldValue(field.targetField, value);
  if (hasValueToString(field)) return field.valueToString(value);
  if (field.internalType === 'FileField' || field.internalType === 'ImageField') {
    // Django writes str(FieldFile): its name, '' when there is none.
    return (value as { name?: string | null } | null)?.name ?? '';
  }
  if (value === null || value === undefined) return null;
  switch (field.internalType) {
    case 'DateTimeField':
      return encodeDateTime(value as Date);
    case 'DateField':
      return (value as DateOnly).isoformat();
    case 'TimeField':
      // Python's time.isoformat() cut to milliseconds, as DjangoJSONEncoder does.
      return String(value).slice(0, 12);
    case 'DecimalField':
      return String(value);
    case 'FloatField':
      return new PythonFloat(value as number);
    case 'DurationField':
      return durationString(value as number);
    case 'BinaryField':
      return encodeBytes(value as Uint8Array);
    default:
      if (value instanceof Date) return value instanceof DateOnly ? value.isoformat() : encodeDateTime(value);
      return value;
  }
}

/**
 * A serialized value back into `field`'s type (Django's `field.to_python()`), with the
 * forms Django writes that the field itself does not read: a duration as
 * `"1 02:03:04"`, ISO 8601 (`"P1DT2H"`) or PostgreSQL's `"3 days 04:05:06"`.
 *
 * @throws ValidationError when the field refuses the value.
 */
export function deserializeFieldValue(field: Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.internalType === 'DurationField' && typeof value === 'string') {
    const microseconds = parseDuration(value);
    if (typeof microseconds === 'number') return microseconds / 1000;
  }
  if (field.internalType === 'JSONField') return value;
  return field.toPython(value);
}

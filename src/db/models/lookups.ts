/**
 * Field lookups (`exact`, `icontains`, `in`, …) and transforms (`year`,
 * `date`, …): which names exist, which fields take them, and how the
 * right-hand value is prepared. The SQL for each lives in the backend's
 * operations, so a lookup here is data, not SQL.
 */
import { FieldError } from '../../core/exceptions.ts';
import type { Field } from './fields/field.ts';
import { DateField, DateTimeField, TimeField } from './fields/temporal.ts';
import { IntegerField } from './fields/numeric.ts';

export const LOOKUPS = [
  'exact', 'iexact', 'contains', 'icontains', 'in', 'gt', 'gte', 'lt', 'lte',
  'startswith', 'istartswith', 'endswith', 'iendswith', 'range', 'isnull', 'regex', 'iregex',
] as const;

export type LookupName = (typeof LOOKUPS)[number];

const LOOKUP_SET: ReadonlySet<string> = new Set(LOOKUPS);

/** Lookups whose value is matched as text with LIKE. */
export const PATTERN_LOOKUPS: ReadonlySet<string> = new Set([
  'iexact', 'contains', 'icontains', 'startswith', 'istartswith', 'endswith', 'iendswith',
]);

/** Transforms that extract a part of a date or time; each yields an integer. */
const DATE_PART_TRANSFORMS = ['year', 'iso_year', 'month', 'day', 'week', 'week_day', 'iso_week_day', 'quarter'] as const;
const TIME_PART_TRANSFORMS = ['hour', 'minute', 'second'] as const;

export function isLookupName(name: string): name is LookupName {
  return LOOKUP_SET.has(name);
}

const integerOutput = new IntegerField();
const dateOutput = new DateField();
const timeOutput = new TimeField();

/** The field type a transform outputs, or undefined when `name` is not a transform of `field`. */
export function transformOutput(field: Field, name: string): Field | undefined {
  const isDateTime = field instanceof DateTimeField;
  const isDate = field instanceof DateField || isDateTime;
  const isTime = field instanceof TimeField || isDateTime;
  if (isDate && (DATE_PART_TRANSFORMS as readonly string[]).includes(name)) return integerOutput;
  if (isTime && (TIME_PART_TRANSFORMS as readonly string[]).includes(name)) return integerOutput;
  if (isDateTime && name === 'date') return dateOutput;
  if (isDateTime && name === 'time') return timeOutput;
  return undefined;
}

/** The transforms a field accepts, for error messages. */
export function transformsFor(field: Field): string[] {
  const names = [...DATE_PART_TRANSFORMS, ...TIME_PART_TRANSFORMS, 'date', 'time'];
  return names.filter((name) => transformOutput(field, name));
}

/** Escapes LIKE wildcards so `%` and `_` in user input match themselves. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** The LIKE pattern for a pattern lookup on `text`. */
export function likePattern(lookup: string, text: string): string {
  const escaped = escapeLike(text);
  switch (lookup) {
    case 'contains':
    case 'icontains':
      return `%${escaped}%`;
    case 'startswith':
    case 'istartswith':
      return `${escaped}%`;
    case 'endswith':
    case 'iendswith':
      return `%${escaped}`;
    default:
      return escaped;
  }
}

/** Throws the error Django users know, naming the field and the lookups it supports. */
export function unsupportedLookup(field: Field, name: string): FieldError {
  const suggestions = [...LOOKUPS, ...transformsFor(field)];
  const close = suggestions.filter((s) => s.includes(name) || name.includes(s));
  const hint = close.length ? ` Did you mean ${close.map((s) => `'${s}'`).join(' or ')}?` : '';
  return new FieldError(
    `Unsupported lookup '${name}' for ${field.constructor.name} '${field.label}', or join on the field not permitted.${hint} ` +
      `Valid lookups are: ${suggestions.join(', ')}.`,
  );
}

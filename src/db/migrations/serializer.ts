/**
 * Turns fields, indexes, constraints and option values into TypeScript source
 * text, as a migration file writes them (Django's deconstruct + serializer).
 *
 * The serialized text doubles as the identity of a field: the autodetector
 * calls two fields equal when they serialize to the same code, so whatever
 * a migration file cannot express cannot cause a change either.
 */
import { Decimal as DecimalJs } from 'decimal.js';
import { NuagesError } from '../../core/errors.ts';
import { DateOnly } from '../../utils/dates.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';
import type { Field } from '../models/fields/field.ts';
import { isDeconstructible, type Deconstruction } from '../models/deconstruct.ts';
import { ForeignKey, type OnDeleteAction } from '../models/fields/related.ts';
import { ManyToManyField } from '../models/fields/many-to-many.ts';
import * as fieldClasses from '../models/fields/index.ts';
import { CheckConstraint, Index, UniqueConstraint } from '../models/indexes.ts';
import { QNode } from '../models/query-utils.ts';

/** A value a migration file cannot express. */
export class ValueNotSerializableError extends NuagesError {
  readonly code = 'NUAGES_MIGRATIONS_NOT_SERIALIZABLE';
}

/** Names a migration file imports, by module (`nuages/db` → Set of names). */
export class Imports {
  readonly #byModule = new Map<string, Set<string>>();

  add(module: string, name: string): string {
    let names = this.#byModule.get(module);
    if (!names) this.#byModule.set(module, (names = new Set()));
    names.add(name);
    return name;
  }

  /** `import { a, b } from 'm';` lines, sorted for stable output. */
  lines(): string[] {
    return [...this.#byModule.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([module, names]) => {
        const sorted = [...names].sort();
        const line = `import { ${sorted.join(', ')} } from '${module}';`;
        return line.length <= 100 ? line : `import {\n${sorted.map((n) => `  ${n},\n`).join('')}} from '${module}';`;
      });
  }
}

const DB = 'nuages/db';
const TIMEZONE = 'nuages/utils/timezone';
const KNOWN_FIELDS = new Set(Object.entries(fieldClasses).filter(([, v]) => typeof v === 'function').map(([k]) => k));
const ON_DELETE = new Set(['CASCADE', 'PROTECT', 'RESTRICT', 'SET_NULL', 'SET_DEFAULT', 'DO_NOTHING']);

/** Options a field class sets by itself; writing them again would only add noise. */
const IMPLIED: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  ForeignKey: { dbIndex: true },
  OneToOneField: { dbIndex: true, unique: true },
  SlugField: { dbIndex: true },
  AutoField: { blank: true },
  BigAutoField: { blank: true },
  SmallAutoField: { blank: true },
  BinaryField: { editable: false },
};

/** Options that describe validation only; they never reach the database or the file. */
const SKIPPED = new Set(['validators', 'errorMessages']);

/** What a field is made of: its class, its relation target and its options. */
export interface Deconstructed {
  readonly className: string;
  /** `'app.Model'` for relations. */
  readonly target: string | undefined;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A model's label from a relation target, resolving thunks and 'self'. */
function targetLabel(field: ForeignKey | ManyToManyField): string {
  if (typeof field.target === 'string') {
    if (field.target === 'self' || !field.model) return field.target;
    if (field.target.includes('.')) return field.target;
  }
  try {
    return field.remoteModel._meta.label;
  } catch {
    return typeof field.target === 'string' ? field.target : 'self';
  }
}

/** A field's options as a migration writes them: sorted, without what the class implies or what only validates. */
function cleanOptions(className: string, source: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const implied = IMPLIED[className] ?? {};
  const options: Record<string, unknown> = {};
  const auto = (source as { autoNow?: boolean; autoNowAdd?: boolean }).autoNow || (source as { autoNowAdd?: boolean }).autoNowAdd;
  // Sorted like Django's writer, so reordering options in models.ts is no change.
  for (const [key, value] of Object.entries(source).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (value === undefined || SKIPPED.has(key)) continue;
    if (key in implied && implied[key] === value) continue;
    if (auto && ((key === 'editable' && value === false) || (key === 'blank' && value === true))) continue;
    options[key] = value;
  }
  return options;
}

/** Django's deconstruct(): the class and the options needed to build the field again. */
export function deconstruct(field: Field): Deconstructed {
  const className = field.constructor.name;
  const source = field instanceof ManyToManyField ? field.m2mOptions : field.options;
  const options = cleanOptions(className, source as Readonly<Record<string, unknown>>);
  let target: string | undefined;
  if (field instanceof ForeignKey || field instanceof ManyToManyField) {
    target = targetLabel(field);
    if (field instanceof ManyToManyField && field.m2mOptions.through !== undefined) {
      const through = field.m2mOptions.through;
      options['through'] = typeof through === 'string' && through.includes('.') ? through : field.throughModel._meta.label;
    }
  }
  return { className, target, options };
}

/** A copy of `field` as migrations keep it: relation targets written as 'app.Model'. */
export function stateField(field: Field): Field {
  const { className, target, options } = deconstruct(field);
  if (field instanceof ForeignKey || field instanceof ManyToManyField) {
    const Ctor = field.constructor as new (to: string, options: unknown) => Field;
    const full = field instanceof ManyToManyField ? { ...field.m2mOptions, ...options } : { ...field.options, ...options };
    return new Ctor(target ?? className, full);
  }
  return field.clone();
}

function quote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n').replaceAll('\r', '\\r')}'`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

function serializeObject(value: Readonly<Record<string, unknown>>, imports: Imports): string {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (!entries.length) return '{}';
  return `{ ${entries.map(([k, v]) => `${key(k)}: ${serialize(v, imports)}`).join(', ')} }`;
}

function serializeQ(node: QNode, imports: Imports): string {
  imports.add(DB, 'Q');
  if (node.negated) {
    const inner = new QNode({}, node.connector, false, node.children);
    return `${serializeQ(inner, imports)}.not()`;
  }
  const tuples = node.children.every((c) => !(c instanceof QNode));
  if (tuples && node.connector === 'AND') {
    return `Q(${serializeObject(Object.fromEntries(node.children as [string, unknown][]), imports)})`;
  }
  const parts = node.children.map((child) =>
    child instanceof QNode ? serializeQ(child, imports) : `Q(${serializeObject({ [child[0]]: child[1] }, imports)})`,
  );
  const method = node.connector.toLowerCase();
  return parts.slice(1).reduce((acc, part) => `${acc}.${method}(${part})`, parts[0] ?? 'Q()');
}

/** TypeScript source for a field: `new CharField({ maxLength: 200 })`. */
export function serializeField(field: Field, imports: Imports): string {
  // A class that describes itself (contrib.postgres' ArrayField) is written from its own description.
  if (isDeconstructible(field)) return serializeDeconstruction(field.deconstruct(), imports, true);
  const { className, target, options } = deconstruct(field);
  if (!KNOWN_FIELDS.has(className)) {
    throw new ValueNotSerializableError(
      `${field.label}: migrations can only write the fields of nuages/db, not the custom class ${className}. ` +
        `Extend one of them without new constructor arguments, or write the migration by hand.`,
    );
  }
  imports.add(DB, className);
  const args = target !== undefined ? [quote(target)] : [];
  if (target !== undefined || Object.keys(options).length) args.push(serializeObject(options, imports));
  return `new ${className}(${args.join(', ')})`;
}

/**
 * `new Name(arg, …)` from a class's own description, importing Name from its module. For a
 * field, a trailing options object is cleaned like any field's, and dropped when empty.
 */
function serializeDeconstruction(description: Deconstruction, imports: Imports, isField = false): string {
  const { path, name } = description;
  const args = [...description.args];
  const last = args.at(-1);
  if (isField && last !== null && typeof last === 'object' && Object.getPrototypeOf(last) === Object.prototype) {
    const options = cleanOptions(name, last as Record<string, unknown>);
    if (Object.keys(options).length) args[args.length - 1] = options;
    else args.pop();
  }
  imports.add(path, name);
  return `new ${name}(${args.map((arg) => serialize(arg, imports)).join(', ')})`;
}

/** TypeScript source for any value a migration holds. */
export function serialize(value: unknown, imports: Imports): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map((v) => serialize(v, imports)).join(', ')}]`;
  if (value instanceof DateOnly) return `${imports.add(DB, 'DateOnly')}.fromISO(${quote(value.isoformat())})`;
  if (value instanceof Date) return `new Date(${quote(value.toISOString())})`;
  if (value instanceof DecimalJs) return `new ${imports.add(DB, 'Decimal')}(${quote(value.toString())})`;
  if (value instanceof QNode) return serializeQ(value, imports);
  if (value instanceof Index) return serializeDeconstruction(value.deconstruct(), imports);
  if (value instanceof UniqueConstraint) {
    imports.add(DB, 'UniqueConstraint');
    const { fields, name, condition, violationErrorMessage } = value;
    return `new UniqueConstraint(${serializeObject({ fields, name, condition, violationErrorMessage }, imports)})`;
  }
  if (value instanceof CheckConstraint) {
    imports.add(DB, 'CheckConstraint');
    const { condition, name, violationErrorMessage } = value;
    return `new CheckConstraint(${serializeObject({ condition, name, violationErrorMessage }, imports)})`;
  }
  if (value instanceof fieldClasses.Field) return serializeField(value, imports);
  if (typeof value === 'function') return serializeFunction(value as (...args: unknown[]) => unknown, imports);
  if (typeof value === 'object') {
    const action = value as Partial<OnDeleteAction>;
    if (typeof action.name === 'string' && Object.isFrozen(value)) {
      if (ON_DELETE.has(action.name)) return imports.add(DB, action.name);
      if (action.name === 'SET') return `${imports.add(DB, 'SET')}(${serialize(action.value, imports)})`;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return serializeObject(value as Record<string, unknown>, imports);
  }
  throw new ValueNotSerializableError(
    `Cannot write ${String(value)} (${typeof value === 'object' ? (value as object).constructor?.name : typeof value}) into a migration. ` +
      'Use plain values (strings, numbers, arrays, objects, Decimal, DateOnly, Date, Q).',
  );
}

function serializeFunction(fn: (...args: unknown[]) => unknown, imports: Imports): string {
  if (fn === fieldClasses.uuid4) return imports.add(DB, 'uuid4');
  // Django's default=timezone.now: a reference, so a frozen test clock reaches the default too.
  if (fn === timezoneNow) return imports.add(TIMEZONE, 'now');
  const source = fn.toString();
  if (source.includes('[native code]') || source.startsWith('class ')) {
    throw new ValueNotSerializableError(
      `Cannot write the function ${fn.name || '(anonymous)'} into a migration. Use an arrow function ` +
        'that needs nothing from its surroundings, e.g. default: () => new Date(), or `now` from nuages/utils/timezone.',
    );
  }
  // A function is copied as source: the migration must keep working when the model's module changes.
  return source;
}

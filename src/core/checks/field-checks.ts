/**
 * Checks of one model field (Django's `Field.check()` and the relation fields'
 * checks): names the ORM cannot query by, choices longer than the column,
 * nullable primary keys, shared mutable defaults, on-delete rules that cannot
 * work, and reverse accessors or query names that clash.
 *
 * IDs and messages are Django 5.2's, with option names as Nuages writes them
 * (`null: true`, `maxLength`, `relatedName`). Options Nuages refuses when the
 * field is built (a DecimalField without maxDigits: Django's fields.E130–E134,
 * onDelete: SET_NULL without null: fields.E320) never reach these checks.
 */
import type { Field } from '../../db/models/fields/field.ts';
import { ManyToManyField } from '../../db/models/fields/many-to-many.ts';
import { ForeignKey, OneToOneField, SET_DEFAULT } from '../../db/models/fields/related.ts';
import { ModelBase } from '../../db/models/base.ts';
import type { ModelLike, Options } from '../../db/models/options.ts';
import { CheckError, CheckWarning, type CheckMessage } from './messages.ts';

type Relation = ForeignKey | ManyToManyField;

/** `app.Model.field`, as Django names a field in messages. */
function fieldLabel(field: Field): string {
  return `${(field.model as unknown as ModelLike)._meta.label}.${field.name}`;
}

/** Every check of one field. */
export function checkField(field: Field): CheckMessage[] {
  const badName = checkFieldName(field);
  return [
    // A name the lookups refuse ('pk' included) is reported once, not again as a member clash.
    ...(badName.length ? badName : checkModelMemberClash(field)),
    ...checkChoicesLength(field),
    ...checkNullPrimaryKey(field),
    ...checkSharedDefault(field),
    ...(field instanceof ForeignKey || field instanceof ManyToManyField ? checkRelation(field) : []),
  ];
}

/** fields.E001–E003: names the lookup language cannot tell apart from its own syntax. */
function checkFieldName(field: Field): CheckMessage[] {
  if (field.name.endsWith('_')) return [new CheckError('Field names must not end with an underscore.', { obj: field, id: 'fields.E001' })];
  if (field.name.includes('__')) return [new CheckError('Field names must not contain "__".', { obj: field, id: 'fields.E002' })];
  if (field.name === 'pk') return [new CheckError("'pk' is a reserved word that cannot be used as a field name.", { obj: field, id: 'fields.E003' })];
  return [];
}

/** fields.E009: a choice longer than the column can hold. */
function checkChoicesLength(field: Field): CheckMessage[] {
  const maxLength = (field as { maxLength?: unknown }).maxLength;
  if (!field.choices || typeof maxLength !== 'number') return [];
  const longest = Math.max(0, ...field.choices.map(([value]) => (typeof value === 'string' ? [...value].length : 0)));
  if (longest <= maxLength) return [];
  return [
    new CheckError(`'maxLength' is too small to fit the longest value in 'choices' (${longest} characters).`, {
      obj: field,
      id: 'fields.E009',
    }),
  ];
}

/** fields.E007: a nullable primary key. */
function checkNullPrimaryKey(field: Field): CheckMessage[] {
  if (!field.primaryKey || !field.null) return [];
  return [
    new CheckError('Primary keys must not have null: true.', {
      hint: 'Set null: false on the field, or remove primaryKey: true option.',
      obj: field,
      id: 'fields.E007',
    }),
  ];
}

/** What a shared default looks like, and its callable replacement, per field type. */
const MUTABLE_DEFAULTS: Readonly<Record<string, readonly [string, string]>> = {
  JSONField: ['() => ({})', '{}'],
  ArrayField: ['() => []', '[]'],
  HStoreField: ['() => ({})', '{}'],
};

/**
 * fields.E010 (a warning, as in Django): a JSON or array field whose default is a value,
 * so every new instance gets the same object and a change to one shows in all.
 */
function checkSharedDefault(field: Field): CheckMessage[] {
  const example = MUTABLE_DEFAULTS[field.internalType];
  const value = field.options.default;
  if (!example || !field.hasDefault() || value === null || value === undefined || typeof value === 'function') return [];
  return [
    new CheckWarning(
      `${field.internalType} default should be a callable instead of an instance so that it's not shared between all field instances.`,
      { hint: `Use a callable instead, e.g., use \`${example[0]}\` instead of \`${example[1]}\`.`, obj: field, id: 'fields.E010' },
    ),
  ];
}

/**
 * nuages.fields.E101: a field named like a method of the model (save, delete, one of
 * yours) or a getter without a setter. Field values are own properties of the instance,
 * so the field hides the method, or assigning it fails on the getter. A plain value or
 * an accessor with a setter on the prototype is a default the field is meant to replace
 * (AbstractBaseUser's isActive, a FileField's accessor), as a class attribute is in Django.
 */
function checkModelMemberClash(field: Field): CheckMessage[] {
  if (field instanceof ManyToManyField) return []; // its accessor is the member
  const model = field.model as unknown as Function;
  for (const name of new Set([field.name, field.attname])) {
    const owner = memberOwner(model, name);
    if (owner === undefined) continue;
    return [
      new CheckError(`The field name '${name}' clashes with ${owner}.${name}, which the field value would hide on every instance.`, {
        hint: `Rename the field (and keep its column with dbColumn: '${field.column}'), or rename the member.`,
        obj: field,
        id: 'nuages.fields.E101',
      }),
    ];
  }
  return [];
}

/** The class whose prototype defines `name` as a method or a read-only getter, if any. */
function memberOwner(model: Function, name: string): string | undefined {
  if (name === '_state') return 'Model';
  for (let proto = model.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    // The base Model()(fields) makes holds the relation accessors the ORM defines (it owns `fields`).
    if (Object.hasOwn(proto.constructor, 'fields')) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor === undefined) continue;
    const hides = typeof descriptor.value === 'function' || (descriptor.get !== undefined && descriptor.set === undefined);
    if (!hides) return undefined;
    return proto === ModelBase.prototype ? 'Model' : proto.constructor.name;
  }
  return undefined;
}

/** The related model's metadata, or undefined while the reference is unresolved (fields.E307 reports it). */
function remoteMeta(field: Relation): Options | undefined {
  try {
    return (field.remoteModel as unknown as ModelLike)._meta;
  } catch {
    return undefined;
  }
}

function checkRelation(field: Relation): CheckMessage[] {
  const messages: CheckMessage[] = [];
  if (field instanceof ManyToManyField && field.null) {
    messages.push(new CheckWarning('null has no effect on ManyToManyField.', { obj: field, id: 'fields.W340' }));
  }
  if (field instanceof ForeignKey && !(field instanceof OneToOneField) && field.options.unique) {
    messages.push(
      new CheckWarning('Setting unique: true on a ForeignKey has the same effect as using a OneToOneField.', {
        hint: 'ForeignKey({ unique: true }) is usually better served by a OneToOneField.',
        obj: field,
        id: 'fields.W342',
      }),
    );
  }
  if (field instanceof ForeignKey && field.onDelete === SET_DEFAULT && !field.hasDefault()) {
    messages.push(
      new CheckError('Field specifies onDelete: SET_DEFAULT, but has no default value.', {
        hint: 'Set a default value, or change the onDelete rule.',
        obj: field,
        id: 'fields.E321',
      }),
    );
  }
  messages.push(...checkClashes(field));
  return messages;
}

/**
 * fields.E302–E305: the reverse accessor (`author.books`) or reverse query name
 * (`Author.objects.filter({ books__title })`) of this relation is already taken on the
 * related model, by a field or by another relation's accessor. Compared as Django does.
 */
function checkClashes(field: Relation): CheckMessage[] {
  const target = remoteMeta(field);
  if (!target) return [];
  const hidden = field.relatedName?.endsWith('+') ?? false;
  const accessor = field.relatedAccessorName;
  const queryName = field.relatedQueryName;
  const name = fieldLabel(field);
  const messages: CheckMessage[] = [];
  for (const other of [...target.fields, ...target.manyToMany]) {
    const clash = `${target.label}.${other.name}`;
    const hint = `Rename field '${clash}', or add/change a relatedName argument to the definition for field '${name}'.`;
    if (!hidden && other.name === accessor) {
      messages.push(
        new CheckError(`Reverse accessor '${target.objectName}.${accessor}' for '${name}' clashes with field name '${clash}'.`, {
          hint,
          obj: field,
          id: 'fields.E302',
        }),
      );
    }
    if (other.name === queryName) {
      messages.push(new CheckError(`Reverse query name for '${name}' clashes with field name '${clash}'.`, { hint, obj: field, id: 'fields.E303' }));
    }
  }
  for (const related of target.relatedObjects) {
    if (related.field === field || related.field.relatedName?.endsWith('+')) continue;
    const otherAccessor = related.field.relatedAccessorName;
    const clash = `${related.relatedModel._meta.label}.${related.field.name}`;
    const hint = `Add or change a relatedName argument to the definition for '${name}' or '${clash}'.`;
    if (!hidden && otherAccessor === accessor) {
      messages.push(
        new CheckError(`Reverse accessor '${target.objectName}.${accessor}' for '${name}' clashes with reverse accessor for '${clash}'.`, {
          hint,
          obj: field,
          id: 'fields.E304',
        }),
      );
    }
    // Django compares the other relation's accessor with this query name (not the two query names).
    if (otherAccessor === queryName) {
      messages.push(
        new CheckError(`Reverse query name for '${name}' clashes with reverse query name for '${clash}'.`, { hint, obj: field, id: 'fields.E305' }),
      );
    }
  }
  return messages;
}

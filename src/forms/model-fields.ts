/**
 * From model fields to form fields (Django's `Field.formfield()` and
 * `fields_for_model`), and the model unique checks a ModelForm reports.
 */
import { ImproperlyConfigured } from '../core/errors.ts';
import { FieldError, NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import type { ModelBase } from '../db/models/base.ts';
import type { Field as ModelField } from '../db/models/fields/field.ts';
import * as m from '../db/models/fields/index.ts';
import type { Options } from '../db/models/options.ts';
import { UniqueConstraint } from '../db/models/indexes.ts';
import type { FieldLike } from './boundfield.ts';
import * as f from './fields/base.ts';
import { TypedChoiceField } from './fields/choice.ts';
import { FilePathField } from './fields/file-path.ts';
import * as t from './fields/text.ts';
import * as tm from './fields/temporal.ts';
import { FileField as FormFileField, ImageField as FormImageField } from './file-fields.ts';
import { ModelChoiceField, ModelMultipleChoiceField, applyLimitChoicesTo } from './model-choice-fields.ts';
import { Textarea, type Widget } from './widgets.ts';

/** `fields: '__all__'`: every editable model field. */
export const ALL_FIELDS = '__all__';

/** A model class as forms use it. */
export interface ModelCtor {
  readonly name: string;
  readonly _meta: Options;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly objects: { all(): unknown };
}

type FormFieldCtor = new (options: never) => FieldLike;

/** Per-field overrides a ModelForm passes to formfield(). */
export interface FormfieldOptions {
  widget?: Widget | (new () => Widget);
  label?: string;
  helpText?: string;
  errorMessages?: Readonly<Record<string, string>>;
  localize?: boolean;
  /** The form field class to build instead of the default one. */
  formClass?: FormFieldCtor;
  initial?: unknown;
  [option: string]: unknown;
}

/** The options shared by ModelForm statics and fieldsForModel. */
export interface FieldsForModelOptions {
  fields?: readonly string[] | '__all__' | null;
  exclude?: readonly string[] | null;
  widgets?: Readonly<Record<string, Widget | (new () => Widget)>>;
  labels?: Readonly<Record<string, string>>;
  helpTexts?: Readonly<Record<string, string>>;
  /** Per field name; `__all__` holds the texts of model-wide errors (unique together). */
  errorMessages?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  fieldClasses?: Readonly<Record<string, FormFieldCtor>>;
  localizedFields?: readonly string[] | '__all__';
  /** Builds the form field for a model field (return null to leave it out). */
  formfieldCallback?: (field: ModelField, options: FormfieldOptions) => FieldLike | null;
}

/** Django's capfirst. */
export function capfirst(text: string): string {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/**
 * A model field's verbose name: `verboseName`, else its name in words, as Django's default
 * (`first_name` → `first name`; camelCase splits too: `publishedDate` → `published date`).
 */
export function verboseNameOf(field: ModelField): string {
  return field.verboseName;
}

const BLANK_CHOICE: [unknown, string] = ['', '---------'];

/**
 * The form field Django's `formfield()` gives for a model field, or null (auto primary
 * keys). `options` overrides the derived ones (widget, label, formClass…).
 *
 * ```ts
 * formfieldFor(Book._meta.getField('title')); // CharField { maxLength: 200, label: 'Title' }
 * ```
 */
export function formfieldFor(field: ModelField, options: FormfieldOptions = {}): FieldLike | null {
  if (field.isAuto) return null;
  const { formClass, ...kwargs } = options;
  const defaults: Record<string, unknown> = { required: !field.blank, label: capfirst(verboseNameOf(field)), helpText: field.options.helpText ?? '' };
  const hasDefault = field.hasDefault();
  if (hasDefault) {
    const raw = field.options.default;
    if (typeof raw === 'function') {
      defaults['initial'] = raw;
      defaults['showHiddenInitial'] = true;
    } else {
      defaults['initial'] = field.getDefault();
    }
  }
  let cls: FormFieldCtor | undefined = formClass;
  const specific: Record<string, unknown> = {};
  if (field instanceof m.ManyToManyField) {
    cls ??= ModelMultipleChoiceField as unknown as FormFieldCtor;
    specific['queryset'] = (field.remoteModel as unknown as ModelCtor).objects.all();
    specific['limitChoicesTo'] = field.m2mOptions.limitChoicesTo ?? null;
    if (Array.isArray(kwargs.initial)) kwargs.initial = kwargs.initial.map((o) => (o as ModelBase).pk ?? o);
  } else if (field instanceof m.ForeignKey) {
    cls ??= ModelChoiceField as unknown as FormFieldCtor;
    specific['queryset'] = (field.remoteModel as unknown as ModelCtor).objects.all();
    specific['toFieldName'] = field.targetField.name;
    specific['blank'] = field.blank;
    specific['limitChoicesTo'] = (field.options as { limitChoicesTo?: unknown }).limitChoicesTo ?? null;
  } else if (field.choices) {
    const includeBlank = field.blank || !(hasDefault || 'initial' in kwargs);
    const choices: [unknown, unknown][] = field.choices.map(([v, l]) => [v, l]);
    if (includeBlank && !choices.some(([v]) => v === '' || v === null)) choices.unshift(BLANK_CHOICE);
    const allowed = new Set(['coerce', 'emptyValue', 'choices', 'required', 'widget', 'label', 'initial', 'helpText', 'errorMessages', 'showHiddenInitial', 'disabled']);
    for (const key of Object.keys(kwargs)) if (!allowed.has(key)) delete kwargs[key];
    const base: Record<string, unknown> = { ...defaults, choices, coerce: (v: unknown) => field.toPython(v) };
    if (field.null) base['emptyValue'] = null;
    return new ((cls ?? TypedChoiceField) as unknown as new (o: unknown) => FieldLike)({ ...base, ...kwargs });
  } else if (field instanceof m.BooleanField) {
    cls ??= (field.null ? f.NullBooleanField : f.BooleanField) as unknown as FormFieldCtor;
    specific['required'] = false;
  } else if (field instanceof m.FileField) {
    cls ??= (field instanceof m.ImageField ? FormImageField : FormFileField) as unknown as FormFieldCtor;
    specific['maxLength'] = field.maxLength;
  } else if (field instanceof m.FilePathField) {
    // Django's FilePathField is no CharField to forms: no maxLength, no empty value of its own.
    const Made = (cls ?? FilePathField) as unknown as new (o: unknown) => FieldLike;
    const { match, recursive, allowFiles, allowFolders } = field;
    return new Made({ ...defaults, path: field.resolvePath(), match, recursive, allowFiles, allowFolders, ...kwargs });
  } else if (field instanceof m.CharField) {
    specific['maxLength'] = field.maxLength;
    if (field.null) specific['emptyValue'] = null;
    if (field instanceof m.TextField) specific['widget'] = Textarea;
    else if (field instanceof m.EmailField) cls ??= t.EmailField as unknown as FormFieldCtor;
    else if (field instanceof m.URLField) cls ??= t.URLField as unknown as FormFieldCtor;
    else if (field instanceof m.SlugField) cls ??= t.SlugField as unknown as FormFieldCtor;
    cls ??= f.CharField as unknown as FormFieldCtor;
  } else if (field instanceof m.IntegerField) {
    cls ??= f.IntegerField as unknown as FormFieldCtor;
    if (field instanceof m.PositiveIntegerField || field instanceof m.PositiveSmallIntegerField || field instanceof m.PositiveBigIntegerField) {
      specific['minValue'] = 0;
    }
  } else if (field instanceof m.FloatField) {
    cls ??= f.FloatField as unknown as FormFieldCtor;
  } else if (field instanceof m.DecimalField) {
    cls ??= f.DecimalField as unknown as FormFieldCtor;
    specific['maxDigits'] = field.maxDigits;
    specific['decimalPlaces'] = field.decimalPlaces;
  } else if (field instanceof m.DateTimeField) {
    cls ??= tm.DateTimeField as unknown as FormFieldCtor;
  } else if (field instanceof m.DateField) {
    cls ??= tm.DateField as unknown as FormFieldCtor;
  } else if (field instanceof m.TimeField) {
    cls ??= tm.TimeField as unknown as FormFieldCtor;
  } else if (field instanceof m.DurationField) {
    cls ??= tm.DurationField as unknown as FormFieldCtor;
  } else if (field instanceof m.UUIDField) {
    cls ??= t.UUIDField as unknown as FormFieldCtor;
  } else if (field instanceof m.JSONField) {
    cls ??= t.JSONField as unknown as FormFieldCtor;
  } else if (field instanceof m.BinaryField) {
    return null;
  }
  cls ??= f.CharField as unknown as FormFieldCtor;
  return new (cls as unknown as new (o: unknown) => FieldLike)({ ...defaults, ...specific, ...kwargs });
}

/** The model's editable-or-not fields in declaration order (many-to-many among them), primary key first. */
export function modelFieldsInOrder(model: ModelCtor): ModelField[] {
  const meta = model._meta;
  const all: ModelField[] = [...meta.fields, ...meta.manyToMany];
  const order = Object.keys(model.fields ?? {});
  const rank = (field: ModelField) => (field.primaryKey && !order.includes(field.name) ? -1 : order.indexOf(field.name));
  return all.map((field, i) => ({ field, i })).sort((a, b) => rank(a.field) - rank(b.field) || a.i - b.i).map((x) => x.field);
}

/**
 * Django's fields_for_model: form fields for a model's editable fields, by name, in the
 * model's order (or in the order of `fields`). `declared` fields take their names' place.
 * Relation fields' `limitChoicesTo` narrows their querysets unless `applyLimitChoicesTo` is
 * false (ModelForm classes apply it per form instead, so a function runs for each form).
 *
 * @throws ImproperlyConfigured when neither `fields` nor `exclude` is given (with `formName`).
 * @throws FieldError for a non-editable field named in `fields`, or an unknown name.
 */
export function fieldsForModel(
  model: ModelCtor,
  options: FieldsForModelOptions & { formName?: string; declared?: ReadonlyMap<string, FieldLike>; applyLimitChoicesTo?: boolean } = {},
): Record<string, FieldLike> {
  const { exclude, widgets, labels, helpTexts, errorMessages, fieldClasses, localizedFields, formfieldCallback, formName, declared } = options;
  const limit = options.applyLimitChoicesTo ?? true;
  if (typeof options.fields === 'string' && options.fields !== ALL_FIELDS) {
    throw new TypeError(`${formName ?? model.name}.fields cannot be a string. Did you mean to type: ['${options.fields}']?`);
  }
  if (formName !== undefined && (options.fields === undefined || options.fields === null) && (exclude === undefined || exclude === null)) {
    throw new ImproperlyConfigured(
      `Creating a ModelForm without either the 'fields' attribute or the 'exclude' attribute is prohibited; form ${formName} needs updating.`,
    );
  }
  const fields = options.fields === ALL_FIELDS ? null : (options.fields ?? null);
  const out: Record<string, FieldLike> = {};
  const ignored: string[] = [];
  for (const mf of modelFieldsInOrder(model)) {
    const name = mf.name;
    if (!mf.editable) {
      if (fields?.includes(name) && !exclude?.includes(name)) {
        throw new FieldError(`'${name}' cannot be specified for ${model.name} model form as it is a non-editable field`);
      }
      continue;
    }
    if (fields && !fields.includes(name)) continue;
    if (exclude?.includes(name)) continue;
    const own = declared?.get(name);
    if (own) {
      out[name] = own;
      continue;
    }
    const kwargs: FormfieldOptions = {};
    if (widgets && Object.hasOwn(widgets, name)) kwargs.widget = widgets[name];
    if (localizedFields === ALL_FIELDS || (Array.isArray(localizedFields) && localizedFields.includes(name))) kwargs.localize = true;
    if (labels && Object.hasOwn(labels, name)) kwargs.label = labels[name];
    if (helpTexts && Object.hasOwn(helpTexts, name)) kwargs.helpText = helpTexts[name];
    if (errorMessages && Object.hasOwn(errorMessages, name)) kwargs.errorMessages = errorMessages[name];
    if (fieldClasses && Object.hasOwn(fieldClasses, name)) kwargs.formClass = fieldClasses[name];
    const formfield = formfieldCallback ? formfieldCallback(mf, kwargs) : formfieldFor(mf, kwargs);
    if (formfield && limit) applyLimitChoicesTo(formfield);
    if (formfield) out[name] = formfield;
    else ignored.push(name);
  }
  if (!fields) return out;
  const ordered: Record<string, FieldLike> = {};
  const missing: string[] = [];
  for (const name of fields) {
    if (exclude?.includes(name) || ignored.includes(name)) continue;
    if (out[name]) ordered[name] = out[name];
    else if (!declared?.has(name)) missing.push(name);
  }
  if (missing.length) throw new FieldError(`Unknown field(s) (${missing.join(', ')}) specified for ${model.name}`);
  return ordered;
}

/** Django's get_text_list(items, 'and'): "a, b and c". */
export function textList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Django's Model._get_unique_checks (with the model's constraints): the sets of field names
 * that must be unique — uniqueTogether, field-based UniqueConstraints without a condition,
 * then each unique field (the primary key among them) — leaving out any set that names an
 * excluded field.
 */
export function uniqueChecks(meta: Options, exclude: ReadonlySet<string>): string[][] {
  const checks: string[][] = [];
  for (const together of meta.uniqueTogether) if (!together.some((n) => exclude.has(n))) checks.push([...together]);
  for (const c of meta.constraints) {
    if (c instanceof UniqueConstraint && !c.condition && c.fields.length && !c.fields.some((n) => exclude.has(n))) checks.push([...c.fields]);
  }
  for (const field of meta.fields) if (field.unique && !exclude.has(field.name)) checks.push([field.name]);
  return checks;
}

/**
 * Django's Model.validate_unique: unique fields, uniqueTogether and field-based
 * UniqueConstraints without a condition, queried on the model's default QuerySet.
 * Returns one ValidationError keyed by field (`__all__` for several fields), or null.
 */
export async function uniqueErrors(instance: ModelBase, exclude: ReadonlySet<string>): Promise<ValidationError | null> {
  const model = instance.constructor as unknown as ModelCtor & { objects: { filter(q: object): { exclude(q: object): unknown; exists(): Promise<boolean> } } };
  const meta = model._meta;
  const self = instance as unknown as Record<string, unknown>;
  const checks = uniqueChecks(meta, exclude);
  const errors: Record<string, ValidationError[]> = {};
  const adding = instance._state.adding;
  const modelName = capfirst(meta.verboseName);
  for (const check of checks) {
    const lookup: Record<string, unknown> = {};
    let skip = false;
    for (const name of check) {
      const field = meta.getField(name);
      const value = self[field.attname];
      if (value === null || value === undefined) skip = true;
      if (field.primaryKey && !adding) skip = true;
      lookup[field.attname] = value;
    }
    if (skip) continue;
    let qs = model.objects.filter(lookup) as { exclude(q: object): unknown; exists(): Promise<boolean> };
    if (!adding && instance.pk !== null && instance.pk !== undefined) qs = qs.exclude({ pk: instance.pk }) as typeof qs;
    if (!(await qs.exists())) continue;
    if (check.length === 1) {
      const field = meta.getField(check[0]!);
      const label = capfirst(verboseNameOf(field));
      const custom = field.options.errorMessages?.['unique'];
      const message = custom ?? `${modelName} with this ${label} already exists.`;
      (errors[check[0]!] ??= []).push(new ValidationError(message, { code: 'unique', params: { model_name: modelName, field_label: label } }));
    } else {
      const labels = textList(check.map((n) => capfirst(verboseNameOf(meta.getField(n)))));
      (errors[NON_FIELD_ERRORS] ??= []).push(
        new ValidationError(`${modelName} with this ${labels} already exists.`, { code: 'unique_together', params: { model_name: modelName, field_labels: labels } }),
      );
    }
  }
  return Object.keys(errors).length ? new ValidationError(errors) : null;
}

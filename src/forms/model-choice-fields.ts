/**
 * ModelChoiceField and ModelMultipleChoiceField: choices taken from a QuerySet.
 *
 * A QuerySet is async, so the choices are loaded by `prepare()`, which forms await
 * before rendering (BaseForm.prepareFields). Validation does not need the loaded
 * choices: it queries the QuerySet for the submitted keys, as Django does, so a
 * valid POST costs one small query instead of loading every row.
 */
import { ValidationError } from '../core/exceptions.ts';
import { NuagesError } from '../core/errors.ts';
import { evaluateLimitChoicesTo, type LimitChoicesTo } from '../db/models/fields/related.ts';
import { QuerySet } from '../db/models/query-set.ts';
import { Exists, OuterRef } from '../db/models/subqueries.ts';
import { MultipleHiddenInput, RadioSelect, SelectMultiple, type Widget } from './widgets.ts';
import { prohibitNullCharacters } from './fields/base.ts';
import { ChoiceField, type ChoiceFieldOptions, type ChoicesInput, type NormalizedChoices } from './fields/choice.ts';
import { pyStr } from './fields/python.ts';
import type { BoundField } from './boundfield.ts';

type WidgetCtor = new () => Widget;

/** What these fields need of a QuerySet: refine, fetch, and reach the model's key field. */
export interface ChoiceQuerySet<M = unknown> extends PromiseLike<M[]> {
  readonly model: { readonly name: string; readonly _meta: { readonly pk: { readonly name: string; getPrepValue(v: unknown): unknown }; getField(name: string): { readonly name: string; readonly attname: string; getPrepValue(v: unknown): unknown } } };
  all(): ChoiceQuerySet<M>;
  filter(...args: never[]): ChoiceQuerySet<M>;
  none(): ChoiceQuerySet<M>;
}

/** A ModelChoiceField's choices were read before `await field.prepare()` (or a form render) loaded them. */
export class ModelChoicesNotLoadedError extends NuagesError {
  readonly code = 'NUAGES_FORMS_MODEL_CHOICES_NOT_LOADED';
  constructor(field: string) {
    super(
      `${field}.choices were read before they were loaded from the queryset. Forms load them when they render; ` +
        `outside a form, call "await field.prepare()" first.`,
    );
  }
}

export interface ModelChoiceFieldOptions<R extends boolean = boolean> extends Omit<ChoiceFieldOptions<R>, 'choices'> {
  /** The rows offered (null until set, e.g. in the form's constructor). */
  queryset: ChoiceQuerySet | null;
  /** Label of the empty choice; null removes it. Default '---------'. */
  emptyLabel?: string | null;
  /** The field whose value identifies a row in the HTML (default: the primary key). */
  toFieldName?: string | null;
  /** The model field's `blank` (a RadioSelect shows the empty choice only when blank). */
  blank?: boolean;
  /**
   * Narrows `queryset` in each ModelForm built with this field: lookups, a Q, or a function
   * returning either (called per form). ModelForms pass the model field's `limitChoicesTo`.
   */
  limitChoicesTo?: LimitChoicesTo | null;
}

/**
 * Django's apply_limit_choices_to_to_formfield: narrows a model choice field's queryset to
 * the rows its `limitChoicesTo` allows, through an EXISTS subquery so a condition across a
 * to-many relation cannot repeat a row. ModelForms call it for each field when built.
 *
 * ```ts
 * applyLimitChoicesTo(field); // field.queryset: … WHERE EXISTS(SELECT 1 FROM book U0 WHERE U0.in_stock AND U0.id = book.id)
 * ```
 */
export function applyLimitChoicesTo(field: unknown): void {
  if (!(field instanceof ModelChoiceField) || field.queryset === null) return;
  const limit = field.getLimitChoicesTo();
  if (!limit) return;
  const model = field.queryset.model as unknown as ConstructorParameters<typeof QuerySet>[0];
  const rows = new QuerySet(model).filter(limit as never, { pk: OuterRef('pk') });
  field.queryset = field.queryset.filter(Exists(rows) as never);
}

function isInstance(value: unknown): value is Record<string, unknown> & { pk: unknown } {
  return typeof value === 'object' && value !== null && '_state' in value && 'pk' in value;
}

/**
 * One row of a QuerySet, shown as a `<select>`; cleans to the model instance.
 *
 * Choices are loaded when a form renders (or by `await field.prepare()`); `cleanAsync`
 * (what forms call) looks the submitted key up in the QuerySet.
 *
 * ```ts
 * const publisher = new ModelChoiceField({ queryset: Publisher.objects.all() });
 * const Form = defineForm({ publisher });
 * const form = new Form({ data: { publisher: '3' } });
 * if (await form.isValid()) form.cleanedData.publisher; // the Publisher with pk 3
 * ```
 */
export class ModelChoiceField<M = unknown, R extends boolean = true> extends ChoiceField<R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'Select a valid choice. That choice is not one of the available choices.',
  };
  emptyLabel: string | null;
  toFieldName: string | null;
  limitChoicesTo: LimitChoicesTo | null;
  // Plain properties so Field.clone() copies them; each form's copy loads its own rows.
  protected _queryset: ChoiceQuerySet | null = null;
  protected _objects: unknown[] | null = null;

  constructor(options: ModelChoiceFieldOptions<R>) {
    super({ ...options, choices: [] });
    const radioWithoutBlank = this.widget instanceof RadioSelect && !options.blank;
    this.emptyLabel = (this.required && options.initial !== undefined && options.initial !== null) || radioWithoutBlank
      ? null
      : options.emptyLabel === undefined ? '---------' : options.emptyLabel;
    this.toFieldName = options.toFieldName ?? null;
    this.limitChoicesTo = options.limitChoicesTo ?? null;
    this.queryset = options.queryset;
  }

  /** `limitChoicesTo` evaluated (a function is called each time): lookups or a Q, or null. */
  getLimitChoicesTo(): ReturnType<typeof evaluateLimitChoicesTo> {
    return evaluateLimitChoicesTo(this.limitChoicesTo ?? undefined);
  }

  override clone(): this {
    const copy = super.clone();
    copy._objects = null;
    return copy;
  }

  get queryset(): ChoiceQuerySet | null {
    return this._queryset;
  }

  /** Setting a QuerySet forgets the loaded choices (Django re-evaluates it on each render). */
  set queryset(value: ChoiceQuerySet | null) {
    this._queryset = value === null ? null : value.all();
    this._objects = null;
  }

  /**
   * Loads the QuerySet's rows into `choices` (once per QuerySet); forms call this before
   * rendering. A hidden widget shows no choices (a model formset's primary-key field), so
   * nothing is loaded for it, as Django's lazy choice iterator never runs there either.
   */
  async prepare(): Promise<void> {
    if (this._objects !== null || this.widget.isHidden) return;
    this._objects = this._queryset ? [...(await this._queryset.all())] : [];
    (this.widget as { choices?: unknown }).choices = this.choices;
  }

  /** The loaded choices: the empty label (unless null), then `[key, label]` per row. */
  override get choices(): NormalizedChoices {
    if (this._objects === null) {
      if (this._queryset === null) return [];
      throw new ModelChoicesNotLoadedError(this.constructor.name);
    }
    const out: NormalizedChoices = this.emptyLabel === null ? [] : [['', this.emptyLabel]];
    for (const obj of this._objects) out.push([this.prepareValue(obj), this.labelFromInstance(obj as M)]);
    return out;
  }

  override set choices(_value: ChoicesInput) {
    // Choices come from the queryset; ChoiceField's constructor assigns [] here.
  }

  /** The text of an option; override to change it (Django's label_from_instance). */
  labelFromInstance(obj: M): string {
    return String(obj);
  }

  /** An instance → its key (or `toFieldName` value); anything else as is. */
  override prepareValue(value: unknown): unknown {
    if (isInstance(value)) return this.toFieldName ? value[this.keyAttname()] : value.pk;
    return super.prepareValue(value);
  }

  protected keyAttname(): string {
    const meta = this._queryset?.model._meta;
    return this.toFieldName && meta ? meta.getField(this.toFieldName).attname : 'pk';
  }

  protected invalidChoice(value: unknown): ValidationError {
    return new ValidationError(this.errorMessages.invalid_choice!, { code: 'invalid_choice', params: { value } });
  }

  /** The key to look up, or a ValidationError (Django's ValueError/TypeError become invalid_choice). */
  protected lookupKey(value: unknown): { key: string; prepared: unknown } {
    prohibitNullCharacters(value);
    const key = this.toFieldName ?? 'pk';
    if (isInstance(value)) value = key === 'pk' ? value.pk : value[this.keyAttname()];
    const meta = this._queryset!.model._meta;
    const field = key === 'pk' ? meta.pk : meta.getField(key);
    try {
      return { key, prepared: field.getPrepValue(value) };
    } catch (error) {
      if (error instanceof ValidationError || error instanceof TypeError) throw this.invalidChoice(value);
      throw error;
    }
  }

  /**
   * Synchronous clean against the loaded choices (after `prepare()`).
   *
   * @throws ModelChoicesNotLoadedError before the choices were loaded; forms call {@link cleanAsync}.
   */
  // @ts-expect-error M differs from ChoiceField's string; the runtime shape is Django's.
  override clean(value: unknown): R extends true ? M : M | null {
    if (this.isEmpty(value)) {
      this.validate(null);
      return null as never;
    }
    if (this._objects === null) throw new ModelChoicesNotLoadedError(this.constructor.name);
    const attname = this.keyAttname();
    const found = this._objects.find((o) => pyStr((o as Record<string, unknown>)[attname]) === pyStr(this.prepareValue(value)));
    if (!found) throw this.invalidChoice(value);
    this.runValidators(found);
    return found as never;
  }

  /** Django's clean: empty → null (or required), else the row of the QuerySet with that key. */
  async cleanAsync(value: unknown): Promise<M | null> {
    if (this.isEmpty(value) || this._queryset === null) {
      this.validate(null);
      if (this._queryset === null && !this.isEmpty(value)) throw this.invalidChoice(value);
      return null;
    }
    const { key, prepared } = this.lookupKey(value);
    const rows = (await this._queryset.filter({ [key]: prepared } as never).all()) as M[];
    if (rows.length !== 1) throw this.invalidChoice(value);
    this.runValidators(rows[0]);
    return rows[0]!;
  }

  /** Forms clean model choices through the database. */
  _cleanBoundField(bf: BoundField): Promise<unknown> {
    return this.cleanAsync(bf.field.disabled ? bf.initial : bf.data);
  }

  override validate(value: unknown): void {
    if (this.required && this.isEmpty(value)) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
  }

  override validValue(value: unknown): boolean {
    return this._objects !== null && this.choices.some(([k]) => pyStr(k) === pyStr(value));
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const a = initial === null || initial === undefined ? '' : initial;
    const b = data === null || data === undefined ? '' : data;
    return pyStr(this.prepareValue(a)) !== pyStr(b);
  }
}

export interface ModelMultipleChoiceFieldOptions<R extends boolean = boolean> extends Omit<ModelChoiceFieldOptions<R>, 'emptyLabel' | 'blank'> {}

/**
 * Several rows of a QuerySet (a `<select multiple>`); cleans to an array of instances.
 *
 * Django's clean() returns a lazy QuerySet of the chosen rows, queried again wherever it is
 * read. Here validation must fetch those rows anyway (to refuse keys the queryset does not
 * hold), so `cleanedData` keeps that result: an array in the queryset's order, typed `M[]`,
 * read without an `await` or a second query, and what `saveM2m()` passes to the
 * relation's `set()`. For a QuerySet, filter on the keys: `Author.objects.filter({ pk__in: rows.map((r) => r.pk) })`.
 *
 * ```ts
 * const authors = new ModelMultipleChoiceField({ queryset: Author.objects.all(), required: false });
 * ```
 */
export class ModelMultipleChoiceField<M = unknown, R extends boolean = true> extends ModelChoiceField<M, R> {
  static override widget: WidgetCtor = SelectMultiple;
  static override hiddenWidget: WidgetCtor = MultipleHiddenInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_list: 'Enter a list of values.',
    invalid_choice: 'Select a valid choice. %(value)s is not one of the available choices.',
    invalid_pk_value: '“%(pk)s” is not a valid value.',
  };

  constructor(options: ModelMultipleChoiceFieldOptions<R>) {
    super({ ...options, emptyLabel: null });
    this.emptyLabel = null;
  }

  override prepareValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => super.prepareValue(v));
    return super.prepareValue(value);
  }

  /** Checks every submitted key and returns the matching rows; throws Django's per-value errors. */
  // @ts-expect-error M[] differs from ModelChoiceField's single row; the runtime shape is Django's.
  override async cleanAsync(value: unknown): Promise<M[] | null> {
    const list = this.prepareValue(value);
    const empty = list === null || list === undefined || list === '' || (Array.isArray(list) && list.length === 0);
    if (this.required && empty) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
    if (empty) return [];
    if (!Array.isArray(list)) throw new ValidationError(this.errorMessages.invalid_list!, { code: 'invalid_list' });
    const rows = await this.checkValues(list);
    this.runValidators(list);
    return rows;
  }

  protected async checkValues(values: readonly unknown[]): Promise<M[]> {
    const key = this.toFieldName ?? 'pk';
    const unique = [...new Set(values.map((v) => (typeof v === 'object' && v !== null ? v : pyStr(v))))];
    const meta = this._queryset!.model._meta;
    const field = key === 'pk' ? meta.pk : meta.getField(key);
    const prepared: unknown[] = [];
    for (const pk of unique) {
      prohibitNullCharacters(pk);
      try {
        prepared.push(field.getPrepValue(pk));
      } catch (error) {
        if (!(error instanceof ValidationError || error instanceof TypeError)) throw error;
        throw new ValidationError(this.errorMessages.invalid_pk_value!, { code: 'invalid_pk_value', params: { pk } });
      }
    }
    if (this._queryset === null) throw this.invalidChoice(unique[0]);
    const rows = (await this._queryset.filter({ [`${key}__in`]: prepared } as never).all()) as M[];
    const attname = key === 'pk' ? 'pk' : meta.getField(key).attname;
    const found = new Set(rows.map((r) => pyStr((r as Record<string, unknown>)[attname])));
    for (const v of unique) {
      if (!found.has(pyStr(v))) throw new ValidationError(this.errorMessages.invalid_choice!, { code: 'invalid_choice', params: { value: v } });
    }
    return rows;
  }

  /**
   * Synchronous clean against the loaded choices (after `prepare()`): an array of instances.
   *
   * @throws ModelChoicesNotLoadedError before the choices were loaded; forms call {@link cleanAsync}.
   */
  // @ts-expect-error M[] differs from ModelChoiceField's single value; the runtime shape is Django's.
  override clean(value: unknown): R extends true ? M[] : M[] | null {
    const list = this.prepareValue(value);
    if (list === null || list === undefined || list === '' || (Array.isArray(list) && list.length === 0)) {
      if (this.required) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
      return [] as never;
    }
    if (!Array.isArray(list)) throw new ValidationError(this.errorMessages.invalid_list!, { code: 'invalid_list' });
    if (this._objects === null) throw new ModelChoicesNotLoadedError(this.constructor.name);
    const attname = this.keyAttname();
    const rows: unknown[] = [];
    for (const v of list) {
      const row = this._objects.find((o) => pyStr((o as Record<string, unknown>)[attname]) === pyStr(v));
      if (!row) throw new ValidationError(this.errorMessages.invalid_choice!, { code: 'invalid_choice', params: { value: v } });
      if (!rows.includes(row)) rows.push(row);
    }
    this.runValidators(list);
    return rows as never;
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const a = (initial ?? []) as unknown[];
    const b = (data ?? []) as unknown[];
    if (a.length !== b.length) return true;
    const sa = new Set((this.prepareValue(a) as unknown[]).map(pyStr));
    const sb = new Set(b.map(pyStr));
    return sa.size !== sb.size || [...sa].some((x) => !sb.has(x));
  }
}

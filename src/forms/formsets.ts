/**
 * Formsets: several copies of one form on a page, counted by a management form
 * (Django 5.2's django/forms/formsets.py).
 *
 * The management form's TOTAL_FORMS comes from the client, so it is capped by
 * `absoluteMax` before any form is built, and a missing or forged management
 * form becomes a non-form error, never an exception. Validation is async (form
 * hooks may be), so `errors`, `cleanedData` and friends are read after
 * `await formset.isValid()`.
 */
import { ValidationError } from '../core/exceptions.ts';
import type { SafeString } from '../utils/safestring.ts';
import { BooleanField, IntegerField } from './fields/base.ts';
import { DEFAULT_MAX_NUM, DEFAULT_MIN_NUM, DELETION_FIELD_NAME, INITIAL_FORM_COUNT, MAX_NUM_FORM_COUNT } from './management-form.ts';
import { MIN_NUM_FORM_COUNT, ManagementForm, ORDERING_FIELD_NAME, TOTAL_FORM_COUNT } from './management-form.ts';
import type { FieldLike } from './boundfield.ts';
import { FormNotValidatedError } from './form-errors.ts';
import { FormSetAbsoluteMaxError, FormSetInvalidError, FormSetNotOrderableError } from './formset-errors.ts';
import { Form } from './forms.ts';
import { RenderableForm } from './renderable.ts';
import type { BaseForm } from './forms.ts';
import type { FormOptions } from './forms.ts';
import { getDefaultRenderer } from './renderers.ts';
import { ErrorList, toQueryDict } from './utils.ts';
import type { DataDict, ErrorDict, FormDataInput, RendererLike } from './utils.ts';
import { CheckboxInput, NumberInput } from './widgets.ts';

/** A form class a formset can build: any Form subclass. */
export type FormSetFormClass<TForm extends BaseForm = BaseForm> = new (options?: FormOptions) => TForm;

/** A message, or a `[singular, plural]` pair chosen by `%(num)d` (too_many_forms, too_few_forms). */
export type FormSetMessage = string | readonly [string, string];

/** Options of a formset's constructor, as Django's keyword arguments. */
export interface FormSetOptions {
  data?: FormDataInput | DataDict | null;
  files?: FormDataInput | DataDict | null;
  autoId?: string | boolean | null;
  /** 'form' by default (`form-0-name`, `form-TOTAL_FORMS`). */
  prefix?: string | null;
  /** One initial dict per initial form. */
  initial?: readonly Readonly<Record<string, unknown>>[] | null;
  errorClass?: typeof ErrorList;
  /** Extra options given to every form (and to emptyForm). */
  formKwargs?: Partial<FormOptions> & Record<string, unknown>;
  errorMessages?: Readonly<Record<string, FormSetMessage>>;
}

/** What `formsetFactory()` takes besides the form class. */
export interface FormSetFactoryOptions {
  /** The base class to extend (BaseFormSet, or a subclass with a clean() hook). */
  formset?: new (options?: FormSetOptions) => BaseFormSet<BaseForm>;
  extra?: number;
  canOrder?: boolean;
  canDelete?: boolean;
  canDeleteExtra?: boolean;
  maxNum?: number | null;
  validateMax?: boolean;
  minNum?: number | null;
  validateMin?: boolean;
  absoluteMax?: number | null;
  renderer?: RendererLike | null;
}

/** A formset class made by {@link formsetFactory}. */
export type FormSetClass<TForm extends BaseForm = BaseForm> = {
  new (options?: FormSetOptions): BaseFormSet<TForm>;
} & Omit<typeof BaseFormSet, 'prototype'>;

function pluralMessage(message: FormSetMessage, num: number): string {
  const text = typeof message === 'string' ? message : num === 1 ? message[0] : message[1];
  return text.replace(/%\(num\)d/g, String(Math.trunc(num))).replace(/%\(num\)s/g, String(num));
}

/**
 * The formset machinery (Django's BaseFormSet); make a class for a form with
 * {@link formsetFactory}. Forms are built on first use, each with the prefix
 * `<prefix>-<index>`; extra forms beyond minNum may be left empty.
 *
 * ```ts
 * const ItemFormSet = formsetFactory(ItemForm, { extra: 2, canDelete: true, maxNum: 10, validateMax: true });
 * const formset = new ItemFormSet({ data: request.POST });
 * if (await formset.isValid()) for (const row of formset.cleanedData) { … }
 * ```
 */
export class BaseFormSet<TForm extends BaseForm = BaseForm> extends RenderableForm {
  /** The form class of every form; formsetFactory sets it. */
  static form: FormSetFormClass = Form;
  static extra = 1;
  static canOrder = false;
  static canDelete = false;
  static canDeleteExtra = true;
  static minNum = DEFAULT_MIN_NUM;
  static maxNum = DEFAULT_MAX_NUM;
  static absoluteMax = DEFAULT_MAX_NUM * 2;
  static validateMin = false;
  static validateMax = false;
  /** Renderer of the formset and its forms; null: the default renderer (forms pick their own). */
  static renderer: RendererLike | null = null;
  static deletionWidget: new () => unknown = CheckboxInput;
  static orderingWidget: new () => unknown = NumberInput;
  static defaultErrorMessages: Readonly<Record<string, FormSetMessage>> = {
    missing_management_form:
      'ManagementForm data is missing or has been tampered with. Missing fields: %(field_names)s. ' +
      'You may need to file a bug report if the issue persists.',
    too_many_forms: ['Please submit at most %(num)d form.', 'Please submit at most %(num)d forms.'],
    too_few_forms: ['Please submit at least %(num)d form.', 'Please submit at least %(num)d forms.'],
  };

  /** Django's default prefix of every formset: 'form'. */
  static getDefaultPrefix(): string {
    return 'form';
  }

  static getDeletionWidget(): new () => unknown {
    return this.deletionWidget;
  }

  static getOrderingWidget(): new () => unknown {
    return this.orderingWidget;
  }

  form: FormSetFormClass<TForm>;
  extra: number;
  canOrder: boolean;
  canDelete: boolean;
  canDeleteExtra: boolean;
  minNum: number;
  maxNum: number;
  absoluteMax: number;
  validateMin: boolean;
  validateMax: boolean;
  readonly isBound: boolean;
  readonly prefix: string;
  autoId: string | boolean | null;
  readonly data: DataDict;
  readonly files: DataDict;
  initial: readonly Readonly<Record<string, unknown>>[] | null;
  formKwargs: Record<string, unknown>;
  errorClass: typeof ErrorList;
  errorMessages: Record<string, FormSetMessage>;
  /** The renderer given to the forms (null: each form's default). */
  formRenderer: RendererLike | null;
  renderer: RendererLike;
  templateNameDiv = 'django/forms/formsets/div.html';
  templateNameP = 'django/forms/formsets/p.html';
  templateNameTable = 'django/forms/formsets/table.html';
  templateNameUl = 'django/forms/formsets/ul.html';
  #managementForm: ManagementForm | null = null;
  #counts: { total: number; initial: number } | null = null;
  #forms: TForm[] | null = null;
  #errors: ErrorDict[] | null = null;
  #nonFormErrors: ErrorList | null = null;
  #deletedIndexes: number[] | null = null;
  #ordering: number[] | null = null;
  #validation: Promise<void> | null = null;

  constructor(options: FormSetOptions = {}) {
    super();
    const statics = this.constructor as typeof BaseFormSet;
    this.form = statics.form as FormSetFormClass<TForm>;
    this.extra = statics.extra;
    this.canOrder = statics.canOrder;
    this.canDelete = statics.canDelete;
    this.canDeleteExtra = statics.canDeleteExtra;
    this.minNum = statics.minNum;
    this.maxNum = statics.maxNum;
    this.absoluteMax = statics.absoluteMax;
    this.validateMin = statics.validateMin;
    this.validateMax = statics.validateMax;
    this.isBound = (options.data !== undefined && options.data !== null) || (options.files !== undefined && options.files !== null);
    this.prefix = options.prefix || statics.getDefaultPrefix();
    this.autoId = options.autoId === undefined ? 'id_%s' : options.autoId;
    this.data = toQueryDict(options.data);
    this.files = toQueryDict(options.files);
    this.initial = options.initial ?? null;
    this.formKwargs = { ...(options.formKwargs ?? {}) };
    this.errorClass = options.errorClass ?? ErrorList;
    this.formRenderer = statics.renderer;
    this.renderer = statics.renderer ?? (getDefaultRenderer() as unknown as RendererLike);
    const messages: Record<string, FormSetMessage> = {};
    const chain: (typeof BaseFormSet)[] = [];
    for (let c: unknown = statics; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      chain.unshift(c as typeof BaseFormSet);
    }
    for (const c of chain) if (Object.hasOwn(c, 'defaultErrorMessages')) Object.assign(messages, c.defaultErrorMessages);
    this.errorMessages = { ...messages, ...(options.errorMessages ?? {}) };
  }

  /** The management form: read from the data when bound, else filled with this formset's counts. */
  get managementForm(): ManagementForm {
    if (this.#managementForm) return this.#managementForm;
    if (this.isBound) {
      this.#managementForm = new ManagementForm({ data: this.data, autoId: this.autoId, prefix: this.prefix, renderer: this.renderer });
    } else {
      this.#managementForm = new ManagementForm({
        autoId: this.autoId,
        prefix: this.prefix,
        initial: {
          [TOTAL_FORM_COUNT]: this.totalFormCount(),
          [INITIAL_FORM_COUNT]: this.initialFormCount(),
          [MIN_NUM_FORM_COUNT]: this.minNum,
          [MAX_NUM_FORM_COUNT]: this.maxNum,
        },
        renderer: this.renderer,
      });
    }
    return this.#managementForm;
  }

  #boundCounts(): { total: number; initial: number } {
    this.#counts ??= this.managementForm.counts();
    return this.#counts;
  }

  /** How many forms there are; a bound formset trusts TOTAL_FORMS only up to absoluteMax. */
  totalFormCount(): number {
    if (this.isBound) return Math.min(this.#boundCounts().total, this.absoluteMax);
    const initialForms = this.initialFormCount();
    let total = Math.max(initialForms, this.minNum) + this.extra;
    // Existing objects are all shown even past maxNum; extra forms never are.
    if (this.maxNum >= 0 && initialForms > this.maxNum) total = initialForms;
    else if (this.maxNum >= 0 && total > this.maxNum) total = this.maxNum;
    return total;
  }

  /** How many forms hold existing data (INITIAL_FORMS when bound, else the length of `initial`). */
  initialFormCount(): number {
    if (this.isBound) return this.#boundCounts().initial;
    return this.initial ? this.initial.length : 0;
  }

  /** The forms, built on first access (at most absoluteMax of them, whatever TOTAL_FORMS says). */
  get forms(): TForm[] {
    if (!this.#forms) {
      const count = Math.max(0, this.totalFormCount());
      const forms: TForm[] = [];
      for (let i = 0; i < count; i++) forms.push(this._constructForm(i, this.getFormKwargs(i)));
      this.#forms = forms;
    }
    return this.#forms;
  }

  /** Options for the form at `index` (null for emptyForm); override to vary them per form. */
  getFormKwargs(_index: number | null): Record<string, unknown> {
    return { ...this.formKwargs };
  }

  /** Builds the form at index `i`: prefixed, never with the HTML `required` attribute, extra forms may stay empty. */
  protected _constructForm(i: number, kwargs: Record<string, unknown>): TForm {
    const defaults: Record<string, unknown> = {
      autoId: this.autoId,
      prefix: this.addPrefix(i),
      errorClass: this.errorClass,
      // A browser must not refuse an empty extra form or a form about to be deleted.
      useRequiredAttribute: false,
      renderer: this.formRenderer,
    };
    if (this.isBound) {
      defaults['data'] = this.data;
      defaults['files'] = this.files;
    }
    if (this.initial && !('initial' in kwargs) && i < this.initial.length) defaults['initial'] = this.initial[i];
    if (i >= this.initialFormCount() && i >= this.minNum) defaults['emptyPermitted'] = true;
    const form = new this.form({ ...defaults, ...kwargs } as FormOptions);
    this.addFields(form, i);
    exposeAddedFields(form);
    return form;
  }

  /** The forms for existing data. */
  get initialForms(): TForm[] {
    return this.forms.slice(0, Math.max(0, this.initialFormCount()));
  }

  /** The forms past the initial ones. */
  get extraForms(): TForm[] {
    return this.forms.slice(Math.max(0, this.initialFormCount()));
  }

  /** A new blank form with the prefix `<prefix>-__prefix__`, the template client scripts copy. */
  get emptyForm(): TForm {
    const form = new this.form({
      ...this.getFormKwargs(null),
      autoId: this.autoId,
      prefix: this.addPrefix('__prefix__'),
      emptyPermitted: true,
      useRequiredAttribute: false,
      renderer: this.formRenderer,
    } as FormOptions);
    this.addFields(form, null);
    exposeAddedFields(form);
    return form;
  }

  /** The form at `index` (Django's `formset[index]`). */
  getItem(index: number): TForm | undefined {
    return this.forms[index];
  }

  get length(): number {
    return this.forms.length;
  }

  *[Symbol.iterator](): Iterator<TForm> {
    yield* this.forms;
  }

  /**
   * Adds the ORDER and DELETE fields to a form (index null: emptyForm).
   * Override to add fields of your own; call super.
   */
  addFields(form: BaseForm, index: number | null): void {
    const statics = this.constructor as typeof BaseFormSet;
    const initialCount = this.initialFormCount();
    const isInitial = index !== null && index < initialCount;
    if (this.canOrder) {
      form.fields[ORDERING_FIELD_NAME] = new IntegerField({
        label: 'Order',
        required: false,
        widget: statics.getOrderingWidget() as never,
        ...(isInitial ? { initial: index + 1 } : {}),
      }) as unknown as FieldLike;
    }
    if (this.canDelete && (this.canDeleteExtra || isInitial)) {
      form.fields[DELETION_FIELD_NAME] = new BooleanField({
        label: 'Delete',
        required: false,
        widget: statics.getDeletionWidget() as never,
      }) as unknown as FieldLike;
    }
  }

  /** `<prefix>-<index>`. */
  addPrefix(index: number | string): string {
    return `${this.prefix}-${index}`;
  }

  #requireValidated(what: string): void {
    if (this.isBound && this.#errors === null) throw new FormNotValidatedError(this.constructor.name, what);
  }

  _shouldDeleteForm(form: BaseForm): boolean {
    return Boolean((form.cleanedData as Record<string, unknown>)[DELETION_FIELD_NAME] ?? false);
  }

  // Django's is_valid() once the forms are cleaned (fullClean calls it midway, as Django does).
  #validNow(): boolean {
    if (!this.isBound) return false;
    const formsValid = this.forms.every((form) => (this.canDelete && this._shouldDeleteForm(form)) || form.errors.size === 0);
    return formsValid && this.#nonFormErrors!.length === 0;
  }

  #deletedForms(): TForm[] {
    if (!this.#validNow() || !this.canDelete) return [];
    this.#deletedIndexes ??= this.forms.flatMap((form, i) => {
      // An extra form left blank is not a deletion.
      if (i >= this.initialFormCount() && !form.hasChanged()) return [];
      return this._shouldDeleteForm(form) ? [i] : [];
    });
    return this.#deletedIndexes.map((i) => this.forms[i]!);
  }

  /**
   * The forms whose DELETE box is ticked (empty unless valid and canDelete).
   *
   * @throws FormNotValidatedError before `await isValid()`.
   */
  get deletedForms(): TForm[] {
    this.#requireValidated('deletedForms');
    return this.#deletedForms();
  }

  /**
   * The changed, not deleted forms sorted by their ORDER value (blank last).
   *
   * @throws FormNotValidatedError before `await isValid()`; FormSetInvalidError when invalid;
   *   FormSetNotOrderableError without `canOrder`.
   */
  get orderedForms(): TForm[] {
    this.#requireValidated('orderedForms');
    if (!this.canOrder) throw new FormSetNotOrderableError(this.constructor.name);
    if (!this.#validNow()) throw new FormSetInvalidError(this.constructor.name, 'orderedForms');
    if (!this.#ordering) {
      const pairs: [number, number | null][] = [];
      this.forms.forEach((form, i) => {
        if (i >= this.initialFormCount() && !form.hasChanged()) return;
        if (this.canDelete && this._shouldDeleteForm(form)) return;
        pairs.push([i, ((form.cleanedData as Record<string, unknown>)[ORDERING_FIELD_NAME] ?? null) as number | null]);
      });
      // Stable sort, numbers ascending, blank orders after every number.
      pairs.sort((a, b) => (a[1] === null ? (b[1] === null ? 0 : 1) : b[1] === null ? -1 : a[1] - b[1]));
      this.#ordering = pairs.map(([i]) => i);
    }
    return this.#ordering.map((i) => this.forms[i]!);
  }

  /**
   * Every form's cleanedData, in form order.
   *
   * @throws FormNotValidatedError before `await isValid()`; FormSetInvalidError when not valid.
   */
  get cleanedData(): TForm['cleanedData'][] {
    this.#requireValidated('cleanedData');
    if (!this.#validNow()) throw new FormSetInvalidError(this.constructor.name, 'cleanedData');
    return this.forms.map((form) => form.cleanedData);
  }

  /**
   * One ErrorDict per form not marked for deletion, after validation ([] when unbound).
   *
   * @throws FormNotValidatedError for a bound formset before `await isValid()`.
   */
  get errors(): ErrorDict[] {
    if (!this.isBound) return [];
    this.#requireValidated('errors');
    return this.#errors!;
  }

  /**
   * Errors of the formset as a whole (management form, counts, clean()), class `errorlist nonform`.
   *
   * @throws FormNotValidatedError for a bound formset before `await isValid()`.
   */
  nonFormErrors(): ErrorList {
    if (!this.isBound) return new this.errorClass(null, { errorClass: 'nonform', renderer: this.renderer });
    this.#requireValidated('nonFormErrors()');
    return this.#nonFormErrors!;
  }

  /** Non-form errors plus, for each form, the number of fields with errors. */
  totalErrorCount(): number {
    return this.nonFormErrors().length + this.errors.reduce((sum, errors) => sum + errors.size, 0);
  }

  /** Validates once (later calls reuse the result): every form not marked for deletion valid, and no non-form errors. */
  async isValid(): Promise<boolean> {
    if (!this.isBound) return false;
    await this.ensureFullClean();
    return this.#validNow();
  }

  /** Runs {@link fullClean} unless it already ran. */
  async ensureFullClean(): Promise<void> {
    if (this.#errors) return;
    this.#validation ??= this.fullClean().finally(() => (this.#validation = null));
    await this.#validation;
  }

  /** Validates the management form, every form, the counts (validateMin/validateMax/absoluteMax), then clean(). */
  async fullClean(): Promise<void> {
    const errors: ErrorDict[] = [];
    this.#nonFormErrors = new this.errorClass(null, { errorClass: 'nonform', renderer: this.renderer });
    this.#deletedIndexes = null;
    this.#ordering = null;
    if (!this.isBound) {
      this.#errors = errors;
      return;
    }
    const management = this.managementForm;
    if (!(await management.isValid())) {
      const names = [...management.errors.keys()].map((name) => management.addPrefix(name)).join(', ');
      this.#nonFormErrors.extend(
        new ValidationError(this.errorMessages['missing_management_form'] as string, {
          code: 'missing_management_form',
          params: { field_names: names },
        }),
      );
    }
    let emptyForms = 0;
    for (const [i, form] of this.forms.entries()) {
      if (!form.hasChanged() && i >= this.initialFormCount()) emptyForms++;
      await form.ensureFullClean();
      if (this.canDelete && this._shouldDeleteForm(form)) continue;
      errors.push(form.errors);
    }
    this.#errors = errors;
    try {
      const submitted = this.#boundCounts().total;
      if ((this.validateMax && this.totalFormCount() - this.#deletedForms().length > this.maxNum) || submitted > this.absoluteMax) {
        throw new ValidationError(pluralMessage(this.errorMessages['too_many_forms']!, this.maxNum), { code: 'too_many_forms' });
      }
      if (this.validateMin && this.totalFormCount() - this.#deletedForms().length - emptyForms < this.minNum) {
        throw new ValidationError(pluralMessage(this.errorMessages['too_few_forms']!, this.minNum), { code: 'too_few_forms' });
      }
      await this.clean();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // As Django: an error here replaces the management form's error.
      this.#nonFormErrors = new this.errorClass(error.errorDict ? Object.values(error.errorDict).flat() : error.errorList, {
        errorClass: 'nonform',
        renderer: this.renderer,
      });
    }
  }

  /** Cross-form validation after every form is cleaned; a ValidationError thrown here goes to nonFormErrors(). May be async. */
  clean(): unknown {
    return undefined;
  }

  /** Whether any form's data differs from its initial data. */
  hasChanged(): boolean {
    return this.forms.some((form) => form.hasChanged());
  }

  /** Whether the forms need `enctype="multipart/form-data"`. */
  isMultipart(): boolean {
    return (this.forms[0] ?? this.emptyForm).isMultipart();
  }

  /** The forms' media (all forms are alike, so the first one's). */
  get media(): unknown {
    return (this.forms[0] ?? this.emptyForm).media;
  }

  /** The renderer's formset template (`django/forms/formsets/div.html`). */
  get templateName(): string {
    return (this.renderer as RendererLike & { formsetTemplateName?: string }).formsetTemplateName ?? this.templateNameDiv;
  }

  getContext(): Record<string, unknown> {
    return { formset: this };
  }


  override toString(): string {
    const py = (b: boolean): string => (b ? 'True' : 'False');
    let valid = 'Unknown';
    if (this.#errors !== null) valid = py(this.isBound && this.#nonFormErrors!.length === 0 && this.#errors.every((e) => e.size === 0));
    return `<${this.constructor.name}: bound=${py(this.isBound)} valid=${valid} total_forms=${this.totalFormCount()}>`;
  }

  // Django's names, for templates; the ones that need validation validate first.
  get management_form(): ManagementForm { return this.managementForm; }
  get initial_forms(): TForm[] { return this.initialForms; }
  get extra_forms(): TForm[] { return this.extraForms; }
  get empty_form(): TForm { return this.emptyForm; }
  get is_bound(): boolean { return this.isBound; }
  get can_delete(): boolean { return this.canDelete; }
  get can_order(): boolean { return this.canOrder; }
  get template_name(): string { return this.templateName; }
  get non_form_errors(): Promise<ErrorList> { return this.ensureFullClean().then(() => this.nonFormErrors()); }
  get total_error_count(): Promise<number> { return this.ensureFullClean().then(() => this.totalErrorCount()); }
  get as_div(): Promise<SafeString> { return this.asDiv(); }
  get as_p(): Promise<SafeString> { return this.asP(); }
  get as_ul(): Promise<SafeString> { return this.asUl(); }
  get as_table(): Promise<SafeString> { return this.asTable(); }
}

// `form.DELETE` / `form.ORDER` in templates, like the fields the form declared itself.
function exposeAddedFields(form: BaseForm): void {
  for (const name of Object.keys(form.fields)) {
    if (name in form) continue;
    Object.defineProperty(form, name, { configurable: true, enumerable: false, get: () => form.getItem(name) });
  }
}

/**
 * Makes a formset class for `form` (Django's formset_factory): `extra` blank
 * forms (1), `minNum` (0) / `maxNum` (1000) with optional validation,
 * `absoluteMax` (maxNum + 1000) as the hard cap on forms built from submitted
 * data, and ORDER / DELETE fields with `canOrder` / `canDelete`.
 *
 * @throws FormSetAbsoluteMaxError when maxNum is above absoluteMax.
 *
 * ```ts
 * const ItemFormSet = formsetFactory(ItemForm, { extra: 0, minNum: 1, validateMin: true, canDelete: true });
 * const formset = new ItemFormSet({ data: request.POST, prefix: 'items' });
 * ```
 */
export function formsetFactory<TForm extends BaseForm>(
  form: FormSetFormClass<TForm>,
  options: FormSetFactoryOptions = {},
): FormSetClass<TForm> {
  const minNum = options.minNum ?? DEFAULT_MIN_NUM;
  const maxNum = options.maxNum ?? DEFAULT_MAX_NUM;
  const absoluteMax = options.absoluteMax ?? maxNum + DEFAULT_MAX_NUM;
  if (maxNum > absoluteMax) throw new FormSetAbsoluteMaxError(maxNum, absoluteMax);
  const Base = (options.formset ?? BaseFormSet) as typeof BaseFormSet;
  const Made = class extends Base {};
  Object.assign(Made, {
    form,
    extra: options.extra ?? 1,
    canOrder: options.canOrder ?? false,
    canDelete: options.canDelete ?? false,
    canDeleteExtra: options.canDeleteExtra ?? true,
    minNum,
    maxNum,
    absoluteMax,
    validateMin: options.validateMin ?? false,
    validateMax: options.validateMax ?? false,
    renderer: options.renderer ?? null,
  });
  const formName = form.name || 'Form';
  Object.defineProperty(Made, 'name', { value: formName.endsWith('Form') ? `${formName}Set` : `${formName}FormSet` });
  return Made as unknown as FormSetClass<TForm>;
}

/** Validates every formset (all of them, even after a failure) and answers whether all are valid. */
export async function allValid(formsets: Iterable<BaseFormSet<BaseForm>>): Promise<boolean> {
  const results: boolean[] = [];
  for (const formset of formsets) results.push(await formset.isValid());
  return results.every(Boolean);
}

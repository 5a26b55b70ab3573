/**
 * Forms: declared fields → a bound form → validation → cleaned data or errors → HTML.
 *
 * Validation follows Django's order: `fullClean()` → `_cleanFields()` (each
 * field's `clean()`, then its `clean<Name>()` hook) → `_cleanForm()` (`clean()`)
 * → `_postClean()`. It is async because hooks may query the database, so
 * `form.errors` and `form.cleanedData` are read after `await form.isValid()`.
 */
import { NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import type { ValidationMessage } from '../core/exceptions.ts';
import type { SafeString } from '../utils/safestring.ts';
import { BoundField } from './boundfield.ts';
import type { FieldLike } from './boundfield.ts';
import { AddErrorFieldError, EmptyPermittedRequiredAttributeError, FormNotValidatedError, UnknownFormFieldError } from './form-errors.ts';
import { RenderableForm } from './renderable.ts';
import { getDefaultRenderer } from './renderers.ts';
import { ErrorDict, ErrorList, toQueryDict } from './utils.ts';
import type { DataDict, FormDataInput, RendererLike } from './utils.ts';

/** Field name → field. */
export type FieldMap = Readonly<Record<string, FieldLike>>;

/** The value a field's `clean()` gives (`| null` for a field with `required: false`). */
export type FieldCleanedValue<F> = F extends { clean(value: unknown, ...rest: never[]): infer T } ? Awaited<T> : unknown;

/** The type of `form.cleanedData` for a field map. */
export type CleanedData<F extends FieldMap> = { [K in keyof F]: FieldCleanedValue<F[K]> };

/** Options of a form's constructor, as Django's keyword arguments. */
export interface FormOptions {
  /** Submitted data (`request.POST` or a plain object); a form with data (or files) is bound. */
  data?: FormDataInput | DataDict | null;
  files?: FormDataInput | DataDict | null;
  /** `id_%s` by default; a string without `%s` uses the name itself; false turns ids off. */
  autoId?: string | boolean | null;
  prefix?: string | null;
  initial?: Readonly<Record<string, unknown>> | null;
  errorClass?: typeof ErrorList;
  labelSuffix?: string | null;
  emptyPermitted?: boolean;
  fieldOrder?: readonly string[] | null;
  useRequiredAttribute?: boolean | null;
  renderer?: RendererLike | null;
}

interface FormClassStatics {
  fields?: Readonly<Record<string, FieldLike | null>>;
  fieldOrder?: readonly string[] | null;
  prefix?: string | null;
  useRequiredAttribute?: boolean;
  defaultRenderer?: RendererLike | (new () => RendererLike) | null;
  /** Overrides the declared-field lookup (ModelForm builds its fields from the model here). */
  baseFields?(): Map<string, FieldLike>;
}

/**
 * Django's deepcopy of declared fields: each form instance gets its own field
 * (and widget), so changing `form.fields.x.widget.attrs` never leaks into other
 * forms. A field class without `clone()` is shared: a generic copy would lose
 * its #private state (RegexField's pattern), which is worse than sharing.
 */
function copyField(field: FieldLike): FieldLike {
  const withCopy = field as FieldLike & { deepCopy?(): FieldLike; clone?(): FieldLike };
  if (typeof withCopy.deepCopy === 'function') return withCopy.deepCopy();
  if (typeof withCopy.clone === 'function') return withCopy.clone();
  return field;
}

/** Declared fields of a form class and its bases, base first; a subclass's `null` removes a field (Django's metaclass). */
function declaredFields(ctor: Function): Map<string, FieldLike> {
  const chain: Function[] = [];
  for (let c: Function | null = ctor; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) chain.unshift(c);
  const fields = new Map<string, FieldLike>();
  for (const c of chain) {
    if (!Object.hasOwn(c, 'fields')) continue;
    const own = (c as FormClassStatics).fields ?? {};
    // A ModelForm's `fields` lists model field names ('__all__' or an array), not Field objects.
    if (typeof own !== 'object' || Array.isArray(own)) continue;
    for (const [name, field] of Object.entries(own)) {
      if (field === null) fields.delete(name);
      else fields.set(name, field);
    }
  }
  return fields;
}

/** `first_name` → `cleanFirstName` (also `clean_first_name`, Django's spelling, is looked up). */
function hookNames(name: string): string[] {
  const camel = name.replace(/_([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
  return [`clean${camel.charAt(0).toUpperCase()}${camel.slice(1)}`, `clean_${name}`];
}

/**
 * The form machinery, without declared fields (Django's BaseForm): set
 * `this.fields` yourself, or use {@link Form} / {@link defineForm}.
 *
 * ```ts
 * const form = new ContactForm({ data: request.POST });
 * if (await form.isValid()) await sendMail(form.cleanedData.subject, …);
 * else return render(request, 'contact.html', { form }); // errors shown by {{ form }}
 * ```
 */
export class BaseForm<F extends FieldMap = FieldMap> extends RenderableForm {
  /** The form's own copy of its fields, in display order. */
  fields: Record<string, FieldLike>;
  readonly isBound: boolean;
  readonly data: DataDict;
  readonly files: DataDict;
  autoId: string | boolean | null;
  initial: Record<string, unknown>;
  errorClass: typeof ErrorList;
  labelSuffix: string;
  emptyPermitted: boolean;
  useRequiredAttribute: boolean;
  renderer: RendererLike;
  /** CSS class added to a field's row when it has errors (Django's error_css_class); unset by default. */
  errorCssClass?: string;
  /** CSS class added to required fields' rows and labels; unset by default. */
  requiredCssClass?: string;
  templateNameDiv = 'django/forms/div.html';
  templateNameP = 'django/forms/p.html';
  templateNameTable = 'django/forms/table.html';
  templateNameUl = 'django/forms/ul.html';
  templateNameLabel = 'django/forms/label.html';
  #prefix: string | null;
  #templateName: string | null = null;
  #errors: ErrorDict | null = null;
  #cleanedData: Record<string, unknown> | null = null;
  #changedData: string[] | null = null;
  #bound = new Map<string, BoundField>();
  #validation: Promise<void> | null = null;

  constructor(options: FormOptions = {}) {
    super();
    const statics = this.constructor as FormClassStatics;
    this.isBound = (options.data !== undefined && options.data !== null) || (options.files !== undefined && options.files !== null);
    this.data = toQueryDict(options.data);
    this.files = toQueryDict(options.files);
    this.autoId = options.autoId === undefined ? 'id_%s' : options.autoId;
    this.#prefix = options.prefix ?? statics.prefix ?? null;
    this.initial = { ...(options.initial ?? {}) };
    this.errorClass = options.errorClass ?? ErrorList;
    this.labelSuffix = options.labelSuffix ?? ':';
    this.emptyPermitted = options.emptyPermitted ?? false;
    this.fields = {};
    const base = typeof statics.baseFields === 'function' ? statics.baseFields.call(this.constructor) : declaredFields(this.constructor);
    for (const [name, field] of base) this.fields[name] = copyField(field);
    this.orderFields(options.fieldOrder === undefined || options.fieldOrder === null ? (statics.fieldOrder ?? null) : options.fieldOrder);
    this.useRequiredAttribute = options.useRequiredAttribute ?? statics.useRequiredAttribute ?? true;
    if (this.emptyPermitted && this.useRequiredAttribute) throw new EmptyPermittedRequiredAttributeError(this.constructor.name);
    let renderer = options.renderer ?? null;
    if (!renderer && statics.defaultRenderer) {
      const r = statics.defaultRenderer;
      renderer = typeof r === 'function' ? new r() : r;
    }
    this.renderer = renderer ?? (getDefaultRenderer() as unknown as RendererLike);
    this.#defineFieldAccessors();
  }

  // `form.<name>` gives the BoundField, as `form.name` does in Django templates;
  // names the form itself uses (data, errors, clean…) stay reachable through getItem().
  #defineFieldAccessors(): void {
    for (const name of Object.keys(this.fields)) {
      if (name in this) continue;
      Object.defineProperty(this, name, { configurable: true, enumerable: false, get: () => this.getItem(name) });
    }
  }

  get prefix(): string | null {
    return this.#prefix;
  }

  /** Reorders `this.fields`: the names given first (unknown ones ignored), the rest in their declared order. */
  orderFields(fieldOrder: readonly string[] | null): void {
    if (fieldOrder === null) return;
    const ordered: Record<string, FieldLike> = {};
    for (const name of fieldOrder) {
      if (Object.hasOwn(this.fields, name)) ordered[name] = this.fields[name]!;
    }
    for (const [name, field] of Object.entries(this.fields)) if (!Object.hasOwn(ordered, name)) ordered[name] = field;
    this.fields = ordered;
  }

  /**
   * The BoundField of `name` (Django's `form[name]`), cached per form.
   *
   * @throws UnknownFormFieldError when the form has no such field.
   */
  getItem(name: string): BoundField {
    const field = Object.hasOwn(this.fields, name) ? this.fields[name] : undefined;
    if (!field) throw new UnknownFormFieldError(this.constructor.name, name, Object.keys(this.fields));
    let bound = this.#bound.get(name);
    if (!bound) {
      bound = field.getBoundField ? field.getBoundField(this as never, name) : new BoundField(this, field, name);
      this.#bound.set(name, bound);
    }
    return bound;
  }

  /** The form's BoundFields in display order. */
  *[Symbol.iterator](): Iterator<BoundField> {
    for (const name of Object.keys(this.fields)) yield this.getItem(name);
  }

  /**
   * Field name → ErrorList, after validation.
   *
   * @throws FormNotValidatedError for a bound form before `await isValid()` (validation is async).
   */
  get errors(): ErrorDict {
    if (this.#errors) return this.#errors;
    // An unbound form has nothing to validate: Django answers an empty ErrorDict at once.
    if (!this.isBound) return (this.#errors = new ErrorDict(null, { renderer: this.renderer }));
    throw new FormNotValidatedError(this.constructor.name, 'errors');
  }

  /**
   * The cleaned values of the fields that passed validation (all of them when valid).
   *
   * @throws FormNotValidatedError before `await isValid()`.
   */
  get cleanedData(): CleanedData<F> {
    if (!this.#cleanedData) throw new FormNotValidatedError(this.constructor.name, 'cleanedData');
    return this.#cleanedData as CleanedData<F>;
  }

  set cleanedData(value: CleanedData<F> | Record<string, unknown>) {
    this.#cleanedData = value as Record<string, unknown>;
  }

  /** Validates once (later calls reuse the result) and answers whether the form is bound and has no errors. */
  async isValid(): Promise<boolean> {
    await this.#validateOnce();
    return this.isBound && this.#errors!.size === 0;
  }

  /**
   * Runs {@link fullClean} unless it already ran, after {@link prepareFields}; rendering
   * calls it so a bound form shows its errors and choice fields have their choices.
   */
  async ensureFullClean(): Promise<void> {
    await this.prepareFields();
    await this.#validateOnce();
  }

  /**
   * Awaits each field's optional async `prepare()` (ModelChoiceField loads its queryset's
   * choices there). Rendering runs it; validation does not need it. Safe to call again.
   */
  async prepareFields(): Promise<void> {
    for (const field of Object.values(this.fields)) {
      const prepare = (field as FieldLike & { prepare?(): unknown }).prepare;
      if (typeof prepare === 'function') await prepare.call(field);
    }
  }

  async #validateOnce(): Promise<void> {
    if (this.#errors) return;
    this.#validation ??= this.fullClean().finally(() => (this.#validation = null));
    await this.#validation;
  }

  /** Validates all data, filling `errors` and `cleanedData`. Runs again each time it is called. */
  async fullClean(): Promise<void> {
    this.#errors = new ErrorDict(null, { renderer: this.renderer });
    if (!this.isBound) return;
    this.#cleanedData = {};
    if (this.emptyPermitted && !this.hasChanged()) return;
    await this._cleanFields();
    await this._cleanForm();
    await this._postClean();
  }

  protected async _cleanFields(): Promise<void> {
    for (const bf of this) {
      const field = bf.field;
      const name = bf.name;
      try {
        const withHook = field as FieldLike & { _cleanBoundField?(bf: BoundField): unknown };
        const value = field.disabled ? bf.initial : bf.data;
        this.#cleanedData![name] = await (withHook._cleanBoundField ? withHook._cleanBoundField(bf) : field.clean(value, bf.initial));
        for (const hook of hookNames(name)) {
          const fn = (this as unknown as Record<string, unknown>)[hook];
          if (typeof fn === 'function') {
            this.#cleanedData![name] = await (fn as () => unknown).call(this);
            break;
          }
        }
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        this.addError(name, error);
      }
    }
  }

  protected async _cleanForm(): Promise<void> {
    let cleaned: unknown;
    try {
      cleaned = await this.clean();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.addError(null, error);
      return;
    }
    if (cleaned !== null && cleaned !== undefined) this.#cleanedData = cleaned as Record<string, unknown>;
  }

  /** A hook after clean() (ModelForm validates the model instance here). */
  protected async _postClean(): Promise<void> {}

  /**
   * Form-wide validation after every field was cleaned; throw a ValidationError
   * for a non-field error, or call addError(). Returns the cleaned data (or nothing).
   */
  clean(): unknown {
    return this.#cleanedData;
  }

  /**
   * Adds errors to a field (or form-wide with null) and removes the field from
   * `cleanedData`. `error` may be a message, a list, or a ValidationError —
   * one that maps fields requires `field` to be null.
   *
   * @throws UnknownFormFieldError for a field the form does not have.
   * @throws AddErrorFieldError when `field` is given with an error that maps fields.
   */
  addError(field: string | null, error: string | readonly string[] | ValidationError | Readonly<Record<string, string | readonly string[]>>): void {
    const err = error instanceof ValidationError ? error : new ValidationError(error as string);
    let byField: Record<string, readonly ValidationMessage[]>;
    if (err.errorDict) {
      if (field !== null) throw new AddErrorFieldError(this.constructor.name, field);
      byField = err.errorDict;
    } else {
      byField = { [field || NON_FIELD_ERRORS]: err.errorList };
    }
    const errors = this.errors;
    for (const [name, messages] of Object.entries(byField)) {
      let list = errors.get(name);
      if (!list) {
        if (name !== NON_FIELD_ERRORS && !Object.hasOwn(this.fields, name)) {
          throw new UnknownFormFieldError(this.constructor.name, name, Object.keys(this.fields));
        }
        list = name === NON_FIELD_ERRORS
          ? new this.errorClass(null, { errorClass: 'nonfield', renderer: this.renderer })
          : new this.errorClass(null, { renderer: this.renderer, fieldId: this.getItem(name).autoId });
        errors.set(name, list);
      }
      list.extend(messages);
      if (this.#cleanedData && Object.hasOwn(this.#cleanedData, name)) delete this.#cleanedData[name];
    }
  }

  /** Whether `field` (or `__all__`) has errors, optionally one with `code`. */
  hasError(field: string, code?: string): boolean {
    const list = this.errors.get(field);
    if (!list) return false;
    return code === undefined || list.asData().some((e) => e.code === code);
  }

  /** Errors not tied to a field (from clean()), as an ErrorList with the `nonfield` class. */
  nonFieldErrors(): ErrorList {
    return this.errors.get(NON_FIELD_ERRORS) ?? new this.errorClass(null, { errorClass: 'nonfield', renderer: this.renderer });
  }

  /** `prefix-name` when the form has a prefix. */
  addPrefix(fieldName: string): string {
    return this.#prefix ? `${this.#prefix}-${fieldName}` : fieldName;
  }

  /** `initial-prefix-name`: where showHiddenInitial keeps the initial value. */
  addInitialPrefix(fieldName: string): string {
    return `initial-${this.addPrefix(fieldName)}`;
  }

  /** The form's initial value for the field, else the field's; functions are called, and sub-second parts dropped when the widget cannot show them. */
  getInitialForField(field: FieldLike, fieldName: string): unknown {
    let value = Object.hasOwn(this.initial, fieldName) ? this.initial[fieldName] : field.initial;
    if (typeof value === 'function') value = (value as () => unknown)();
    if (value instanceof Date && !field.widget.supportsMicroseconds) {
      const ms = value.getTime();
      const copy = new (value.constructor as DateConstructor)(ms - (((ms % 1000) + 1000) % 1000));
      value = copy;
    }
    return value;
  }

  /** Names of the fields whose data differs from their initial value. */
  get changedData(): string[] {
    this.#changedData ??= [...this].filter((bf) => bf._hasChanged()).map((bf) => bf.name);
    return this.#changedData;
  }

  hasChanged(): boolean {
    return this.changedData.length > 0;
  }

  /** Whether a widget needs `enctype="multipart/form-data"` (a file input). */
  isMultipart(): boolean {
    return Object.values(this.fields).some((f) => Boolean(f.widget.needsMultipartForm));
  }

  hiddenFields(): BoundField[] {
    return [...this].filter((bf) => bf.isHidden);
  }

  visibleFields(): BoundField[] {
    return [...this].filter((bf) => !bf.isHidden);
  }

  /** The CSS and JS the widgets declare, combined (Django's Media addition). */
  get media(): unknown {
    let media: unknown = undefined;
    for (const field of Object.values(this.fields)) {
      const next = field.widget.media;
      if (next === undefined) continue;
      const add = (media as { add?(other: unknown): unknown } | undefined)?.add;
      media = media === undefined ? next : typeof add === 'function' ? add.call(media, next) : media;
    }
    return media;
  }

  /** The template of render(): the renderer's form template (`django/forms/div.html`) unless set. */
  get templateName(): string {
    return this.#templateName ?? this.renderer.formTemplateName;
  }

  set templateName(value: string) {
    this.#templateName = value;
  }

  /** The context form templates get: top errors (hidden fields' errors included), visible field/error pairs, hidden fields. */
  getContext(): Record<string, unknown> {
    const fields: [BoundField, ErrorList][] = [];
    const hiddenFields: BoundField[] = [];
    const topErrors = this.nonFieldErrors().copy();
    for (const bf of this) {
      if (bf.isHidden) {
        for (const e of bf.errors) topErrors.push(`(Hidden field ${bf.name}) ${e}`);
        hiddenFields.push(bf);
      } else {
        fields.push([bf, bf.errors]);
      }
    }
    return { form: this, fields, hidden_fields: hiddenFields, errors: topErrors };
  }

  /** A bound form validates before it renders, so its errors show. */
  protected override async beforeRender(): Promise<void> {
    await this.ensureFullClean();
  }

  override toString(): string {
    const valid = this.#errors === null ? 'Unknown' : String(this.isBound && this.#errors.size === 0);
    return `<${this.constructor.name} bound=${this.isBound}, valid=${valid}, fields=(${Object.keys(this.fields).join(';')})>`;
  }

  // Django's names, for templates.
  get non_field_errors(): ErrorList { return this.nonFieldErrors(); }
  get hidden_fields(): BoundField[] { return this.hiddenFields(); }
  get visible_fields(): BoundField[] { return this.visibleFields(); }
  get is_bound(): boolean { return this.isBound; }
  get is_multipart(): boolean { return this.isMultipart(); }
  get template_name(): string { return this.templateName; }
  get as_div(): Promise<SafeString> { return this.asDiv(); }
  get as_p(): Promise<SafeString> { return this.asP(); }
  get as_ul(): Promise<SafeString> { return this.asUl(); }
  get as_table(): Promise<SafeString> { return this.asTable(); }
}

/**
 * A form with declared fields: `static fields` on the class, merged with its
 * bases' in Django's order (base fields first; a subclass's `null` removes one).
 * Pass the field map's type to type `cleanedData`, or use {@link defineForm}.
 *
 * ```ts
 * const contactFields = { subject: new CharField({ maxLength: 100 }), email: new EmailField() };
 * class ContactForm extends Form<typeof contactFields> {
 *   static fields = contactFields;
 *   cleanSubject() { return this.cleanedData.subject.trim(); }
 * }
 * ```
 */
export class Form<F extends FieldMap = FieldMap> extends BaseForm<F> {
  static fields: Readonly<Record<string, FieldLike | null>> = {};
}

/** A form class made by {@link defineForm}: typed `cleanedData` and one BoundField property per field. */
export type FormClass<F extends FieldMap> = {
  new (options?: FormOptions): Form<F> & { readonly [K in keyof F]: BoundField };
  fields: F;
};

/**
 * Builds a Form class from a field map; `cleanedData` is typed from the fields.
 * Subclass the result to add `clean<Name>()` hooks or `clean()`.
 *
 * ```ts
 * const SignupForm = defineForm({ username: new CharField({ maxLength: 30 }), age: new IntegerField({ required: false }) });
 * const form = new SignupForm({ data: { username: 'ann' } });
 * if (await form.isValid()) form.cleanedData.age; // number | null
 * ```
 */
export function defineForm<F extends FieldMap>(fields: F): FormClass<F> {
  const Defined = class extends Form<F> {
    static override fields = fields;
  };
  return Defined as unknown as FormClass<F>;
}

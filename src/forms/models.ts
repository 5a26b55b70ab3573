/**
 * ModelForm: a form whose fields, validation and saving come from a model.
 *
 * Fields are derived from the model as Django's `formfield()` does (see
 * model-fields.ts); validation runs the form's fields, then builds the instance
 * (constructInstance), then the model's own validation (`cleanFields`, `clean()`,
 * check constraints) and the unique checks, with errors put on the form's fields.
 */
import { NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import type { ValidationMessage } from '../core/exceptions.ts';
import { NuagesError } from '../core/errors.ts';
import type { ModelBase } from '../db/models/base.ts';
import type { ManyRelatedManager } from '../db/models/related-managers.ts';
import { modelPersistence } from '../db/models/persistence.ts';
import type { FieldLike } from './boundfield.ts';
import { BaseForm, type FormOptions } from './forms.ts';
import { applyLimitChoicesTo } from './model-choice-fields.ts';
import { fieldsForModel, modelFieldsInOrder, uniqueErrors, type FieldsForModelOptions, type ModelCtor } from './model-fields.ts';

export { ALL_FIELDS, fieldsForModel, formfieldFor, capfirst, verboseNameOf, type FormfieldOptions, type ModelCtor } from './model-fields.ts';

/** A ModelForm class without `model`. */
export class ModelFormNoModelError extends NuagesError {
  readonly code = 'NUAGES_FORMS_MODELFORM_NO_MODEL';
  constructor(form: string) {
    super(`ModelForm has no model class specified: give ${form} a "static model = Book" (or use modelForm(Book, { fields })).`);
  }
}

/** `save()` on a ModelForm whose data did not validate (Django's ValueError). */
export class ModelFormSaveInvalidError extends NuagesError {
  readonly code = 'NUAGES_FORMS_MODELFORM_SAVE_INVALID';
  constructor(model: string, adding: boolean) {
    super(
      `The ${model} could not be ${adding ? 'created' : 'changed'} because the data didn't validate. ` +
        `Check "await form.isValid()" before form.save(), and show form.errors otherwise.`,
    );
  }
}

/** Options of a ModelForm's constructor: a Form's, plus the instance to edit. */
export interface ModelFormOptions<M = ModelBase> extends FormOptions {
  /** The row to edit; a new, unsaved instance of the model when absent. */
  instance?: M | null;
}

/** The statics a ModelForm class reads (Django's `class Meta`). */
export interface ModelFormMeta extends FieldsForModelOptions {
  model?: ModelCtor;
  /** Extra form fields not on the model (or replacing a model field's); `null` removes an inherited one. */
  declaredFields?: Readonly<Record<string, FieldLike | null>>;
}

const baseFieldsCache = new WeakMap<Function, Map<string, FieldLike>>();

function declaredOf(ctor: Function): Map<string, FieldLike> {
  const chain: Function[] = [];
  for (let c: Function | null = ctor; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) chain.unshift(c);
  const out = new Map<string, FieldLike>();
  for (const c of chain) {
    if (!Object.hasOwn(c, 'declaredFields')) continue;
    for (const [name, field] of Object.entries((c as ModelFormMeta).declaredFields ?? {})) {
      if (field === null) out.delete(name);
      else out.set(name, field);
    }
  }
  return out;
}

/**
 * Django's model_to_dict: the instance's editable field values by name, as a form's
 * initial data (a ForeignKey gives its key; a many-to-many field its related rows,
 * which costs one query each, hence async).
 *
 * ```ts
 * await modelToDict(book, ['title', 'authors']); // { title: 'Dune', authors: [Author, Author] }
 * ```
 */
export async function modelToDict(instance: ModelBase, fields?: readonly string[] | null, exclude?: readonly string[] | null): Promise<Record<string, unknown>> {
  const data = modelToDictSync(instance, fields, exclude);
  const model = instance.constructor as unknown as ModelCtor;
  for (const f of model._meta.manyToMany) {
    if (!f.editable || (fields && !fields.includes(f.name)) || exclude?.includes(f.name)) continue;
    data[f.name] = instance.pk === null || instance.pk === undefined ? [] : await m2mManager(instance, f.name).all();
  }
  return data;
}

function modelToDictSync(instance: ModelBase, fields?: readonly string[] | null, exclude?: readonly string[] | null): Record<string, unknown> {
  const model = instance.constructor as unknown as ModelCtor;
  const data: Record<string, unknown> = {};
  const self = instance as unknown as Record<string, unknown>;
  for (const f of model._meta.fields) {
    if (!f.editable || (fields && !fields.includes(f.name)) || exclude?.includes(f.name)) continue;
    data[f.name] = self[f.attname];
  }
  return data;
}

function m2mManager(instance: ModelBase, name: string): ManyRelatedManager<ModelBase> {
  return (instance as unknown as Record<string, ManyRelatedManager<ModelBase>>)[name]!;
}

/**
 * Django's construct_instance: copies the form's cleaned data onto `instance` (not saved).
 * A field with a model default keeps it when its widget sent nothing and the value is empty.
 */
export function constructInstance<M extends ModelBase>(form: BaseForm, instance: M, fields?: readonly string[] | null, exclude?: readonly string[] | null): M {
  const meta = (instance.constructor as unknown as ModelCtor)._meta;
  const cleaned = form.cleanedData as Record<string, unknown>;
  const self = instance as unknown as Record<string, unknown>;
  const fileFields: typeof meta.fields[number][] = [];
  for (const f of meta.fields) {
    if (!f.editable || f.isAuto || !Object.hasOwn(cleaned, f.name)) continue;
    if (fields && !fields.includes(f.name)) continue;
    if (exclude?.includes(f.name)) continue;
    const formField = form.fields[f.name];
    const widget = formField?.widget as { valueOmittedFromData?(data: unknown, files: unknown, name: string): boolean } | undefined;
    if (formField && f.hasDefault() && widget?.valueOmittedFromData?.(form.data, form.files, form.addPrefix(f.name))) {
      const isEmpty = (formField as FieldLike & { isEmpty?(v: unknown): boolean }).isEmpty;
      if (isEmpty ? isEmpty.call(formField, cleaned[f.name]) : cleaned[f.name] === null || cleaned[f.name] === '') continue;
    }
    if ('saveFormData' in f) fileFields.push(f);
    else self[f.isRelation ? f.name : f.attname] = cleaned[f.name];
  }
  // Files last, so an uploadTo function can read the other fields (as Django).
  for (const f of fileFields) (f as unknown as { saveFormData(i: object, d: unknown): void }).saveFormData(instance, cleaned[f.name]);
  return instance;
}

/**
 * A form built from a model: `static model`, and `static fields` (names, or `'__all__'`) or
 * `static exclude`; optional `widgets`, `labels`, `helpTexts`, `errorMessages`,
 * `fieldClasses`, `localizedFields`, `formfieldCallback`, and `declaredFields` for extra
 * form fields. `isValid()` also runs the model's validation and unique checks.
 *
 * The configuration is checked when the first form is built (or at once by
 * {@link modelForm}): neither `fields` nor `exclude` throws ImproperlyConfigured.
 *
 * ```ts
 * class BookForm extends ModelForm<Book> {
 *   static override model = Book;
 *   static override fields = ['title', 'isbn', 'publisher', 'authors'];
 *   static override widgets = { title: new TextInput({ class: 'wide' }) };
 * }
 * const form = new BookForm({ data: request.POST, instance: book });
 * if (await form.isValid()) await form.save();
 * ```
 */
export class ModelForm<M extends ModelBase = ModelBase, D = Record<string, unknown>> extends BaseForm {
  static model?: ModelCtor;
  static fields?: readonly string[] | '__all__';
  static exclude?: readonly string[];
  static widgets?: FieldsForModelOptions['widgets'];
  static labels?: FieldsForModelOptions['labels'];
  static helpTexts?: FieldsForModelOptions['helpTexts'];
  static errorMessages?: FieldsForModelOptions['errorMessages'];
  static fieldClasses?: FieldsForModelOptions['fieldClasses'];
  static localizedFields?: FieldsForModelOptions['localizedFields'];
  static formfieldCallback?: FieldsForModelOptions['formfieldCallback'];
  static declaredFields?: Readonly<Record<string, FieldLike | null>>;

  /** The instance the form edits (or creates); updated by validation, written by save(). */
  declare instance: M;
  #validateUnique = false;
  #m2mPending: string[] = [];

  /**
   * The form fields of this class: the model's, then the declared ones (cached per class).
   *
   * @throws ImproperlyConfigured, FieldError as Django's ModelForm metaclass.
   */
  static baseFields(this: typeof ModelForm): Map<string, FieldLike> {
    let fields = baseFieldsCache.get(this);
    if (fields) return fields;
    const declared = declaredOf(this);
    if (!this.model) {
      fields = declared;
    } else {
      const built = fieldsForModel(this.model, {
        fields: this.fields, exclude: this.exclude, widgets: this.widgets, labels: this.labels, helpTexts: this.helpTexts,
        errorMessages: this.errorMessages, fieldClasses: this.fieldClasses, localizedFields: this.localizedFields,
        formfieldCallback: this.formfieldCallback, formName: this.name, declared, applyLimitChoicesTo: false,
      });
      fields = new Map(Object.entries(built));
      for (const [name, field] of declared) fields.set(name, field);
    }
    baseFieldsCache.set(this, fields);
    return fields;
  }

  constructor(options: ModelFormOptions<M> = {}) {
    const ctor = new.target as unknown as typeof ModelForm;
    if (!ctor.model) throw new ModelFormNoModelError(ctor.name);
    const fields = ctor.fields === '__all__' ? null : (ctor.fields ?? null);
    const exclude = ctor.exclude ?? null;
    const instance = options.instance ?? (new (ctor.model as unknown as new () => M)());
    const objectData = options.instance ? modelToDictSync(instance, fields, exclude) : {};
    super({ ...options, initial: { ...objectData, ...(options.initial ?? {}) } });
    this.instance = instance;
    // Per form, so a limitChoicesTo function is evaluated for each one (as Django's BaseModelForm).
    for (const field of Object.values(this.fields)) applyLimitChoicesTo(field);
    // Related rows of an edited instance are initial data too; they load before rendering or validation.
    if (options.instance && instance.pk !== null && instance.pk !== undefined) {
      this.#m2mPending = ctor.model._meta.manyToMany
        .filter((f) => f.editable && Object.hasOwn(this.fields, f.name) && !Object.hasOwn(options.initial ?? {}, f.name))
        .map((f) => f.name);
    }
  }

  /** Typed cleaned data (the model's field types for the form's fields). */
  override get cleanedData(): D & Record<string, unknown> {
    return super.cleanedData as D & Record<string, unknown>;
  }

  override set cleanedData(value: Record<string, unknown>) {
    super.cleanedData = value;
  }

  async #loadM2mInitial(): Promise<void> {
    const pending = this.#m2mPending;
    this.#m2mPending = [];
    for (const name of pending) this.initial[name] = await m2mManager(this.instance, name).all();
  }

  override async prepareFields(): Promise<void> {
    await this.#loadM2mInitial();
    await super.prepareFields();
  }

  override async fullClean(): Promise<void> {
    await this.#loadM2mInitial();
    this.#validateUnique = false;
    await super.fullClean();
  }

  /** Marks the unique checks to run (override clean() and call super.clean(), as in Django). */
  override clean(): unknown {
    this.#validateUnique = true;
    return this.cleanedData;
  }

  #meta(): { fields: readonly string[] | null; exclude: readonly string[] | null; errorMessages: FieldsForModelOptions['errorMessages'] } {
    const ctor = this.constructor as typeof ModelForm;
    return { fields: ctor.fields === '__all__' ? null : (ctor.fields ?? null), exclude: ctor.exclude ?? null, errorMessages: ctor.errorMessages };
  }

  /**
   * Model fields left out of model validation: not on the form, failed on the form, or empty
   * and optional on the form (Django's _get_validation_exclusions; model formsets read it for
   * their cross-form unique checks).
   */
  getValidationExclusions(): Set<string> {
    const meta = this.#meta();
    const exclude = new Set<string>();
    const cleaned = this.cleanedData as Record<string, unknown>;
    for (const f of (this.instance.constructor as unknown as ModelCtor)._meta.fields) {
      const name = f.name;
      const formField = this.fields[name];
      if (!formField) exclude.add(name);
      else if (meta.fields && !meta.fields.includes(name)) exclude.add(name);
      else if (meta.exclude?.includes(name)) exclude.add(name);
      else if (this.errors.has(name)) exclude.add(name);
      else {
        const isEmpty = (formField as FieldLike & { isEmpty?(v: unknown): boolean }).isEmpty;
        const value = cleaned[name];
        const empty = isEmpty ? isEmpty.call(formField, value) : value === null || value === undefined || value === '';
        if (!f.blank && !formField.required && empty) exclude.add(name);
      }
    }
    return exclude;
  }

  /** Adds model errors to the form, using the form fields' (or `errorMessages.__all__`) texts for matching codes. */
  protected updateErrors(error: ValidationError): void {
    const dict: Record<string, readonly ValidationMessage[]> = error.errorDict ?? { [NON_FIELD_ERRORS]: error.errorList };
    const formMessages = this.#meta().errorMessages;
    const out: Record<string, ValidationError[]> = {};
    for (const [field, messages] of Object.entries(dict)) {
      let overrides: Readonly<Record<string, string>> | undefined;
      if (field === NON_FIELD_ERRORS) overrides = formMessages?.[NON_FIELD_ERRORS];
      else overrides = (this.fields[field] as FieldLike & { errorMessages?: Record<string, string> } | undefined)?.errorMessages;
      out[field] = messages.map((m) => {
        const text = m.code !== undefined && overrides && Object.hasOwn(overrides, m.code) ? overrides[m.code]! : m.message;
        return new ValidationError(text, { code: m.code, params: m.params });
      });
    }
    this.addError(null, new ValidationError(out));
  }

  protected override async _postClean(): Promise<void> {
    const meta = this.#meta();
    const exclude = this.getValidationExclusions();
    for (const [name, field] of Object.entries(this.fields)) {
      if ((field as { isInlineForeignKey?: boolean }).isInlineForeignKey) exclude.add(name);
    }
    try {
      constructInstance(this, this.instance, meta.fields, meta.exclude);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.updateErrors(error);
    }
    try {
      await modelFullClean(this.instance, exclude);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.updateErrors(error);
    }
    if (this.#validateUnique) await this.validateUnique();
  }

  /** Runs the model's unique and unique-together checks and adds their errors to the form. */
  async validateUnique(): Promise<void> {
    const errors = await uniqueErrors(this.instance, this.getValidationExclusions());
    if (errors) this.updateErrors(errors);
  }

  /**
   * Saves the instance (and, with commit, the many-to-many data) and returns it. With
   * `commit: false` nothing is written: save the instance yourself, then call saveM2m().
   *
   * @throws ModelFormSaveInvalidError when the form has errors.
   */
  async save(options: { commit?: boolean } = {}): Promise<M> {
    await this.isValid();
    if (this.errors.size > 0) {
      throw new ModelFormSaveInvalidError((this.instance.constructor as unknown as ModelCtor)._meta.objectName, this.instance._state.adding);
    }
    if (options.commit ?? true) {
      await this.instance.save();
      await this.saveM2m();
    }
    return this.instance;
  }

  /** Writes the form's many-to-many values to the (saved) instance's join tables. */
  async saveM2m(): Promise<void> {
    const meta = this.#meta();
    const cleaned = this.cleanedData as Record<string, unknown>;
    for (const f of (this.instance.constructor as unknown as ModelCtor)._meta.manyToMany) {
      if (meta.fields && !meta.fields.includes(f.name)) continue;
      if (meta.exclude?.includes(f.name)) continue;
      if (Object.hasOwn(cleaned, f.name)) await m2mManager(this.instance, f.name).set((cleaned[f.name] ?? []) as ModelBase[]);
    }
  }
}

/** Model validation as Django's full_clean(validate_unique=False): fields, clean(), check constraints. */
async function modelFullClean(instance: ModelBase, exclude: Set<string>): Promise<void> {
  const errors: Record<string, ValidationMessage[]> = {};
  const add = (error: ValidationError, key: string = NON_FIELD_ERRORS) => {
    for (const [name, list] of Object.entries(error.errorDict ?? { [key]: error.errorList })) (errors[name] ??= []).push(...list);
  };
  try {
    instance.cleanFields([...exclude]);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    add(error);
  }
  const skip = new Set([...exclude, ...Object.keys(errors)]);
  // Each key must name a row its limitChoicesTo allows (Django's ForeignKey.validate).
  for (const [name, error] of await modelPersistence.relatedErrors(instance, skip)) {
    add(error, name);
    skip.add(name);
  }
  try {
    await instance.clean();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    add(error);
  }
  for (const [name, error] of await modelPersistence.constraintErrors(instance, skip)) add(error, name);
  if (Object.keys(errors).length) {
    throw new ValidationError(Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.map((m) => new ValidationError(m.message, { code: m.code, params: m.params }))])));
  }
}

/** The model's instance type. */
type InstanceOf<C> = C extends abstract new (...args: never[]) => infer I ? I : never;

/** A field's cleaned type in a ModelForm: the model attribute's type; a many-to-many manager becomes an array. */
export type ModelFormValue<T> = T extends ManyRelatedManager<infer R> ? R[] : T;

/** What `form.cleanedData` holds for the named fields of a model. */
export type ModelFormCleanedData<I, K extends string> = { [P in K]: P extends keyof I ? ModelFormValue<I[P]> : unknown };

/** Options of {@link modelForm}: the ModelForm statics, with `fields` typed by the model. */
export interface ModelFormFactoryOptions<K extends string> extends Omit<ModelFormMeta, 'model' | 'fields'> {
  fields?: readonly K[] | '__all__';
  /** The class to extend (default ModelForm). */
  form?: typeof ModelForm;
}

/** A ModelForm class made by {@link modelForm}. */
export type ModelFormClass<I extends ModelBase, D> = {
  new (options?: ModelFormOptions<I>): ModelForm<I, D>;
} & typeof ModelForm;

/**
 * Builds a ModelForm class for `model` (Django's modelform_factory); `cleanedData` is
 * typed from the model's fields. The configuration is checked at once.
 *
 * ```ts
 * const BookForm = modelForm(Book, { fields: ['title', 'publisher'] });
 * const form = new BookForm({ data: { title: 'Dune', publisher: '1' } });
 * if (await form.isValid()) form.cleanedData.publisher; // Publisher
 * ```
 *
 * @throws ImproperlyConfigured without `fields` or `exclude`; FieldError for unknown or non-editable names.
 */
export function modelForm<C extends ModelCtor, K extends Extract<keyof InstanceOf<C>, string>>(
  model: C,
  options: ModelFormFactoryOptions<K>,
): ModelFormClass<InstanceOf<C> & ModelBase, ModelFormCleanedData<InstanceOf<C>, K>> {
  const { form: Base = ModelForm, ...statics } = options;
  const Built = class extends Base {};
  Object.defineProperty(Built, 'name', { value: `${model.name}Form` });
  Object.assign(Built, statics, { model });
  (Built as typeof ModelForm).baseFields();
  return Built as never;
}

export { modelFieldsInOrder };

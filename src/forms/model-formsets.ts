/**
 * Model formsets (Django 5.2's BaseModelFormSet / BaseInlineFormSet): one ModelForm per
 * row of a queryset plus extra blank forms.
 *
 * queryset → `prepare()` (loads the rows; isValid(), save() and rendering call it) → forms,
 * each with a hidden primary-key ModelChoiceField → validation (each form, then the unique
 * checks across forms) → save (changed rows, new rows, deletions).
 *
 * As in Django, the submitted primary key picks the row a form edits among the formset's
 * rows; a key of no row at all is "Select a valid choice." on that form, and a key of a row
 * outside the queryset edits nothing (the form then holds a new, unsaved instance that
 * save() skips).
 */
import { NON_FIELD_ERRORS, ValidationError } from '../core/exceptions.ts';
import { NuagesError } from '../core/errors.ts';
import type { ModelBase } from '../db/models/base.ts';
import type { Field as ModelField } from '../db/models/fields/field.ts';
import { ForeignKey } from '../db/models/fields/related.ts';
import { DateOnly } from '../utils/dates.ts';
import { Decimal } from '../utils/decimal.ts';
import type { FieldLike } from './boundfield.ts';
import { BaseFormSet, formsetFactory, type FormSetFactoryOptions, type FormSetOptions } from './formsets.ts';
import type { BaseForm } from './forms.ts';
import { InlineForeignKeyField, type InlineForeignKeyFieldOptions } from './inline-foreign-key-field.ts';
import { ModelChoiceField, type ChoiceQuerySet } from './model-choice-fields.ts';
import { capfirst, textList, uniqueChecks } from './model-fields.ts';
import { ModelForm, modelForm, type ModelCtor, type ModelFormFactoryOptions } from './models.ts';
import { HiddenInput } from './widgets.ts';

/** What a model formset needs of its queryset (a QuerySet or a manager). */
export interface ModelFormSetQuerySet extends PromiseLike<ModelBase[]> {
  all(): ModelFormSetQuerySet;
  filter(...conditions: never[]): ModelFormSetQuerySet;
  none(): ModelFormSetQuerySet;
  orderBy(...fields: string[]): ModelFormSetQuerySet;
}

/** Options of a model formset's constructor: a formset's, plus the rows to edit. */
export interface ModelFormSetOptions extends FormSetOptions {
  /** The rows shown as initial forms (default: all rows of the model, in primary-key order unless ordered). */
  queryset?: ModelFormSetQuerySet | null;
}

/** Options of an inline formset's constructor: a model formset's, plus the parent row. */
export interface InlineFormSetOptions extends ModelFormSetOptions {
  /** The parent whose children the forms edit (default: a new, unsaved parent: no initial forms). */
  instance?: ModelBase | null;
}

/** A model formset's forms were used before `await formset.prepare()` loaded its queryset. */
export class ModelFormSetNotPreparedError extends NuagesError {
  readonly code = 'NUAGES_FORMS_MODELFORMSET_NOT_PREPARED';
  constructor(formset: string) {
    super(`${formset}: its queryset is not loaded; call "await formset.prepare()" before reading forms (isValid() and save() do it).`);
  }
}

/** inlineFormsetFactory found no ForeignKey (or several, without \`fk\`) from the child model to the parent. */
export class InlineFormSetForeignKeyError extends NuagesError {
  readonly code = 'NUAGES_FORMS_INLINE_FK';
  constructor(model: string, parent: string, count: number, fkName?: string) {
    super(
      fkName !== undefined
        ? `'${model}.${fkName}' is not a ForeignKey to '${parent}': pass as { fk } the name of the key from ${model} to ${parent}.`
        : count === 0
          ? `'${model}' has no ForeignKey to '${parent}': inlineFormsetFactory edits the rows of a model whose key points at the parent.`
          : `'${model}' has ${count} ForeignKeys to '${parent}': inlineFormsetFactory needs exactly one; pass { fk: 'fieldName' } to choose.`,
    );
  }
}

type Row = Record<string, unknown>;

function isPkSet(instance: ModelBase): boolean {
  return instance.pk !== null && instance.pk !== undefined;
}

/** Django's QuerySet.ordered: an explicit orderBy(), or the model's default ordering still in effect. */
function isOrdered(queryset: unknown, model: ModelCtor): boolean {
  const query = (queryset as { query?: { ordering: readonly unknown[] | null; noOrdering?: boolean; isEmpty?: boolean } }).query;
  if (!query) return true;
  if (query.isEmpty || (query.ordering !== null && query.ordering.length > 0)) return true;
  return query.ordering === null && !query.noOrdering && model._meta.ordering.length > 0;
}

/** A value as Python hashes it for the duplicate checks: rows by key, decimals and dates by value. */
function hashable(value: unknown): unknown {
  if (value instanceof Decimal) return { decimal: value.toFixed() };
  if (value instanceof DateOnly) return { date: value.isoformat() };
  if (value instanceof Date) return { time: value.getTime() };
  if (Array.isArray(value)) return value.map(hashable);
  if (typeof value === 'object' && value !== null && '_state' in value && 'pk' in value) return { pk: hashable((value as ModelBase).pk) };
  return value;
}

/**
 * A formset of ModelForms over a queryset (make one with {@link modelFormsetFactory}).
 *
 * ```ts
 * const formset = new AuthorFormSet({ data: request.POST, queryset: Author.objects.filter({ active: true }) });
 * if (await formset.isValid()) await formset.save();
 * else return render(request, 'authors.html', { formset }); // rendering loads the rows itself
 * ```
 */
export class BaseModelFormSet<TForm extends ModelForm = ModelForm> extends BaseFormSet<TForm> {
  static model: ModelCtor | null = null;
  /** Fields equal in every form (an inline formset's key): the cross-form unique checks compare the others. */
  static uniqueFields: ReadonlySet<string> = new Set();
  /** Only edit the queryset's rows: save() ignores the extra forms (Django's edit_only). */
  static editOnly = false;
  uniqueFields: Set<string>;
  editOnly: boolean;
  /** Initial data of the extra forms, one object per form (the `initial` option). */
  initialExtra: readonly Readonly<Record<string, unknown>>[] | null;
  /** Rows created by the last save(). */
  newObjects: ModelBase[] = [];
  /** `[instance, changedFieldNames]` of rows changed by the last save(). */
  changedObjects: [ModelBase, string[]][] = [];
  /** Rows deleted by the last save(). */
  deletedObjects: ModelBase[] = [];
  #queryset: ModelFormSetQuerySet | null;
  #ordered: ModelFormSetQuerySet | null = null;
  #objects: ModelBase[] | null = null;
  #byPk: Map<string, ModelBase> | null = null;
  #savedForms: TForm[] = [];

  constructor(options: ModelFormSetOptions = {}) {
    super({ ...options, initial: null });
    const statics = this.constructor as typeof BaseModelFormSet;
    this.initialExtra = options.initial ?? null;
    this.#queryset = options.queryset ?? null;
    this.uniqueFields = new Set(statics.uniqueFields);
    this.editOnly = statics.editOnly;
  }

  protected get model(): ModelCtor {
    return (this.constructor as typeof BaseModelFormSet).model!;
  }

  /** The queryset the initial forms come from, ordered by primary key unless it has an order. */
  getQueryset(): ModelFormSetQuerySet {
    if (!this.#ordered) {
      let qs = this.#queryset ?? (this.model.objects.all() as ModelFormSetQuerySet);
      if (!isOrdered(qs, this.model)) qs = qs.orderBy(this.model._meta.pk.name);
      this.#ordered = qs;
    }
    return this.#ordered;
  }

  /**
   * Loads the queryset's rows (one query) when the forms need them: always for an unbound
   * formset, and for a bound one that posts existing rows (INITIAL_FORMS > 0). Rendering,
   * isValid() and save() call it; call it yourself before reading `forms` directly.
   */
  async prepare(): Promise<void> {
    if (this.#objects !== null || (this.isBound && this.initialFormCount() <= 0)) return;
    this.#objects = [...((await this.getQueryset()) as Iterable<ModelBase>)];
  }

  #loaded(): ModelBase[] {
    if (this.#objects === null) throw new ModelFormSetNotPreparedError(this.constructor.name);
    return this.#objects;
  }

  #existingObject(pk: unknown): ModelBase | undefined {
    this.#byPk ??= new Map(this.#loaded().map((o) => [String(o.pk), o]));
    return this.#byPk.get(String(pk));
  }

  override initialFormCount(): number {
    if (this.isBound) return super.initialFormCount();
    return this.#loaded().length;
  }

  /**
   * Builds form `i`: an initial form edits the row whose key was posted (unbound: the i-th row)
   * and must post that key; an extra form gets its entry of `initial`.
   */
  protected override _constructForm(i: number, kwargs: Record<string, unknown>): TForm {
    const pk = this.model._meta.pk;
    const pkRequired = i < this.initialFormCount();
    if (pkRequired) {
      if (this.isBound) {
        const key = `${this.addPrefix(i)}-${pk.name}`;
        // A missing or malformed key (tampered POST data) leaves the form on a new instance.
        if (this.data.has(key)) {
          let value: unknown;
          let parsed = true;
          try {
            value = pk.toPython(this.data.get(key));
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            parsed = false;
          }
          if (parsed) kwargs['instance'] = this.#existingObject(value) ?? null;
        }
      } else {
        kwargs['instance'] = this.#loaded()[i];
      }
    } else if (this.initialExtra) {
      const initial = this.initialExtra[i - this.initialFormCount()];
      if (initial !== undefined) kwargs['initial'] = initial;
    }
    const form = super._constructForm(i, kwargs);
    if (pkRequired) form.fields[pk.name]!.required = true;
    return form;
  }

  /**
   * Adds the hidden primary-key field — a ModelChoiceField over all the model's rows, so a key
   * of no row is an invalid choice — then ORDER and DELETE.
   */
  override addFields(form: BaseForm, index: number | null): void {
    const pk = this.model._meta.pk;
    const instance = (form as ModelForm).instance;
    if (!pk.editable || pk.isAuto || !Object.hasOwn(form.fields, pk.name)) {
      let pkValue: unknown = null;
      // A new instance's key may be a default (a UUID) that is not in the database yet.
      if (form.isBound) pkValue = instance._state.adding ? null : instance.pk;
      else if (index !== null) pkValue = this.#loaded()[index]?.pk ?? null;
      const target = (pk instanceof ForeignKey ? pk.remoteModel : this.model) as unknown as ModelCtor;
      let queryset = target.objects.all() as ChoiceQuerySet & { using(alias: string): ChoiceQuerySet };
      if (instance._state.db) queryset = queryset.using(instance._state.db) as typeof queryset;
      const widgets = (form.constructor as typeof ModelForm).widgets;
      const widget = widgets && Object.hasOwn(widgets, pk.name) ? widgets[pk.name]! : HiddenInput;
      form.fields[pk.name] = new ModelChoiceField({ queryset, initial: pkValue, required: false, widget }) as unknown as FieldLike;
    }
    super.addFields(form, index);
  }

  /** Renders the rows, so they are loaded first. */
  protected override async beforeRender(): Promise<void> {
    await this.prepare();
  }

  /** Loads the rows, then validates as every formset does (forms, counts, clean()). */
  override async fullClean(): Promise<void> {
    await this.prepare();
    await super.fullClean();
  }

  /** Cross-form unique checks (Django's BaseModelFormSet.clean); call super.clean() when overriding. */
  override async clean(): Promise<void> {
    await this.validateUnique();
  }

  /**
   * Refuses two valid, not deleted forms with the same values of a unique field or
   * unique-together set: the later form gets "Please correct the duplicate values below."
   * and the formset "Please correct the duplicate data for isbn.".
   */
  async validateUnique(): Promise<void> {
    const toDelete = new Set<BaseForm>(this.deletedForms);
    const validForms = this.forms.filter((form) => form.isBound && form.errors.size === 0 && !toDelete.has(form));
    const checks = new Map<string, string[]>();
    for (const form of validForms) {
      for (const check of uniqueChecks(this.model._meta, form.getValidationExclusions())) checks.set(check.join('\0'), check);
    }
    const errors: string[] = [];
    for (const check of checks.values()) {
      const seen = new Set<string>();
      for (const form of validForms) {
        const cleaned = form.cleanedData as Row;
        const row = check.filter((name) => Object.hasOwn(cleaned, name)).map((name) => (this.uniqueFields.has(name) ? name : cleaned[name]));
        if (row.length === 0 || row.some((value) => value === null || value === undefined)) continue;
        const key = JSON.stringify(hashable(row));
        if (seen.has(key)) {
          errors.push(this.getUniqueErrorMessage(check));
          // Replaces the form's non-field errors, as Django does; a valid form has none.
          form.errors.set(NON_FIELD_ERRORS, new this.errorClass([this.getFormError()], { renderer: this.renderer }));
          for (const name of check) delete cleaned[name];
        }
        seen.add(key);
      }
    }
    if (errors.length) throw new ValidationError(errors);
  }

  /** The formset's message for a duplicate across forms. */
  getUniqueErrorMessage(check: readonly string[]): string {
    if (check.length === 1) return `Please correct the duplicate data for ${check[0]}.`;
    return `Please correct the duplicate data for ${textList(check)}, which must be unique.`;
  }

  /** The message on the form holding a duplicate. */
  getFormError(): string {
    return 'Please correct the duplicate values below.';
  }

  /**
   * Saves the changed rows, deletes the ones marked DELETE and (unless `editOnly`) saves the
   * filled extra forms as new rows; returns the saved instances. With `commit: false` nothing
   * is written: save the instances (and delete `deletedObjects`) yourself, then call saveM2m().
   */
  async save(options: { commit?: boolean } = {}): Promise<ModelBase[]> {
    const commit = options.commit ?? true;
    await this.isValid();
    this.#savedForms = [];
    const saved = await this.saveExistingObjects(commit);
    if (this.editOnly) return saved;
    return [...saved, ...(await this.saveNewObjects(commit))];
  }

  /** After `save({ commit: false })` and saving the instances: writes the forms' many-to-many data. */
  async saveM2m(): Promise<void> {
    for (const form of this.#savedForms) await form.saveM2m();
  }

  /** Saves the changed initial forms and deletes the ones marked DELETE; fills changedObjects and deletedObjects. */
  async saveExistingObjects(commit = true): Promise<ModelBase[]> {
    this.changedObjects = [];
    this.deletedObjects = [];
    const saved: ModelBase[] = [];
    const toDelete = new Set<BaseForm>(this.deletedForms);
    for (const form of this.initialForms) {
      const instance = form.instance;
      // No key: the form posted a row outside the queryset, or one deleted meanwhile.
      if (!isPkSet(instance)) continue;
      if (toDelete.has(form)) {
        this.deletedObjects.push(instance);
        await this.deleteExisting(instance, commit);
      } else if (form.hasChanged()) {
        this.changedObjects.push([instance, form.changedData]);
        saved.push(await this.saveExisting(form, instance, commit));
        if (!commit) this.#savedForms.push(form);
      }
    }
    return saved;
  }

  /** Saves the filled extra forms not marked DELETE as new rows; fills newObjects. */
  async saveNewObjects(commit = true): Promise<ModelBase[]> {
    this.newObjects = [];
    for (const form of this.extraForms) {
      if (!form.hasChanged()) continue;
      if (this.canDelete && this._shouldDeleteForm(form)) continue;
      this.newObjects.push(await this.saveNew(form, commit));
      if (!commit) this.#savedForms.push(form);
    }
    return this.newObjects;
  }

  /** Saves a new row's form (override to set fields first). */
  async saveNew(form: TForm, commit = true): Promise<ModelBase> {
    return form.save({ commit });
  }

  /** Saves an existing row's form. */
  async saveExisting(form: TForm, _instance: ModelBase, commit = true): Promise<ModelBase> {
    return form.save({ commit });
  }

  /** Deletes a row marked DELETE (only with commit). */
  async deleteExisting(instance: ModelBase, commit = true): Promise<void> {
    if (commit) await instance.delete();
  }
}

/**
 * A model formset whose rows belong to one parent row through a ForeignKey (Django's
 * BaseInlineFormSet). Each form carries the key as a hidden {@link InlineForeignKeyField}
 * whose only valid value is the parent's key, and its instance has the parent set before
 * validation, so unique checks that include the key ("Book with this Publisher and Title
 * already exists.") work, across forms too.
 */
export class BaseInlineFormSet<TForm extends ModelForm = ModelForm> extends BaseModelFormSet<TForm> {
  static fk: ForeignKey | null = null;
  /** The parent row. */
  readonly instance: ModelBase;

  /** The reverse accessor of the key, as Django's default prefix (`books`, or `bookSet`). */
  static override getDefaultPrefix(): string {
    return this.fk!.relatedAccessorName.replaceAll('+', '');
  }

  constructor(options: InlineFormSetOptions = {}) {
    const statics = new.target as unknown as typeof BaseInlineFormSet;
    const fk = statics.fk!;
    const instance = options.instance ?? new (fk.remoteModel as unknown as new () => ModelBase)();
    const base = options.queryset ?? ((statics.model as ModelCtor).objects as unknown as ModelFormSetQuerySet);
    const queryset = isPkSet(instance) ? base.filter({ [fk.name]: inlineKeyValue(fk, instance) } as never) : base.none();
    super({ ...options, queryset });
    this.instance = instance;
    this.uniqueFields = new Set([fk.name]);
    // As Django: the key joins the form's `fields`, so model validation and the unique checks
    // cover it. The form's own fields are fixed first, so the key does not become a select.
    const form = this.form as unknown as typeof ModelForm;
    form.baseFields();
    if (Array.isArray(form.fields) && !form.fields.includes(fk.name)) form.fields = [...form.fields, fk.name];
  }

  #fk(): ForeignKey {
    return (this.constructor as typeof BaseInlineFormSet).fk!;
  }

  /** Sets the parent's key on the form's instance before validation. */
  protected override _constructForm(i: number, kwargs: Record<string, unknown>): TForm {
    const form = super._constructForm(i, kwargs);
    const fk = this.#fk();
    (form.instance as unknown as Row)[fk.attname] = inlineKeyValue(fk, this.instance);
    return form;
  }

  /** Adds the hidden key field after the primary key, ORDER and DELETE. */
  override addFields(form: BaseForm, index: number | null): void {
    super.addFields(form, index);
    const fk = this.#fk();
    const pk = this.model._meta.pk;
    const options: InlineForeignKeyFieldOptions = {};
    let name: string;
    if (pk === (fk as ModelField)) {
      name = pk.name;
      options.pkField = true;
    } else {
      name = fk.name;
      options.label = Object.hasOwn(form.fields, name) ? form.fields[name]!.label : capfirst(fk.verboseName);
    }
    const parentMeta = fk.remoteModel._meta;
    if (fk.targetField !== parentMeta.pk) options.toField = fk.targetField.name;
    // A new parent's generated key (a UUID default) is not in the database yet: it is regenerated on save.
    if (this.instance._state.adding) {
      const toField = options.toField ? parentMeta.getField(options.toField) : parentMeta.pk;
      const hasData = [...form.data.keys()].length > 0;
      if (toField.hasDefault() && (toField.attname === parentMeta.pk.name || !hasData)) (this.instance as unknown as Row)[toField.attname] = null;
    }
    form.fields[name] = new InlineForeignKeyField(this.instance, options) as unknown as FieldLike;
  }

  /** Sets the (possibly since saved) parent on a new child, then saves it. */
  override async saveNew(form: TForm, commit = true): Promise<ModelBase> {
    (form.instance as unknown as Row)[this.#fk().name] = this.instance;
    return super.saveNew(form, commit);
  }

  /** The parent key is the same in every form, so the message names only the other fields. */
  override getUniqueErrorMessage(check: readonly string[]): string {
    const fk = this.#fk();
    return super.getUniqueErrorMessage(check.filter((name) => name !== fk.name));
  }
}

/** The value the child's key holds for `parent`: its primary key, or the `toField` it refers to. */
function inlineKeyValue(fk: ForeignKey, parent: ModelBase): unknown {
  const target = fk.targetField;
  if (target === fk.remoteModel._meta.pk) return parent.pk;
  const value = (parent as unknown as Row)[target.attname];
  return typeof value === 'object' && value !== null && 'pk' in value ? (value as ModelBase).pk : value;
}

/** Options of {@link modelFormsetFactory}: the ModelForm's and the formset's. */
export type ModelFormSetFactoryOptions = Omit<ModelFormFactoryOptions<string>, 'form'> & Omit<FormSetFactoryOptions, 'formset'> & {
  form?: typeof ModelForm;
  formset?: typeof BaseModelFormSet;
  /** Only edit existing rows: save() ignores extra forms. */
  editOnly?: boolean;
};

/**
 * Builds a model formset class (Django's modelformset_factory).
 *
 * ```ts
 * const BookFormSet = modelFormsetFactory(Book, { fields: ['title', 'isbn'], extra: 1, canDelete: true });
 * ```
 *
 * @throws ImproperlyConfigured without `fields` or `exclude` (from modelForm()).
 */
export function modelFormsetFactory(model: ModelCtor, options: ModelFormSetFactoryOptions): typeof BaseModelFormSet {
  const { extra, canOrder, canDelete, canDeleteExtra, maxNum, validateMax, minNum, validateMin, absoluteMax, renderer, formset, editOnly, ...formOptions } = options;
  const Form = modelForm(model, formOptions as never);
  const Made = formsetFactory(Form as never, {
    formset: (formset ?? BaseModelFormSet) as never, extra, canOrder, canDelete, canDeleteExtra, maxNum, validateMax, minNum, validateMin, absoluteMax, renderer,
  });
  Object.assign(Made, { model, editOnly: editOnly ?? false });
  return Made as unknown as typeof BaseModelFormSet;
}

/** Django's _get_foreign_key: the one ForeignKey from `model` to `parent` (or the one named `fkName`). */
function foreignKeyTo(parent: ModelCtor, model: ModelCtor, fkName: string | undefined): ForeignKey {
  const pointsAtParent = (f: ModelField) => f instanceof ForeignKey && f.remoteModel === (parent as unknown);
  if (fkName !== undefined) {
    const named = model._meta.fields.find((f) => f.name === fkName);
    if (!named || !pointsAtParent(named)) throw new InlineFormSetForeignKeyError(model._meta.objectName, parent._meta.objectName, 0, fkName);
    return named as ForeignKey;
  }
  const candidates = model._meta.fields.filter(pointsAtParent);
  if (candidates.length !== 1) throw new InlineFormSetForeignKeyError(model._meta.objectName, parent._meta.objectName, candidates.length);
  return candidates[0] as ForeignKey;
}

/**
 * Builds an inline formset class: rows of `model` whose ForeignKey points at `parent`
 * (Django's inlineformset_factory; `extra` 3 and `canDelete` true by default, `maxNum` 1
 * when the key is unique).
 *
 * ```ts
 * const BookFormSet = inlineFormsetFactory(Publisher, Book, { fields: ['title', 'isbn'] });
 * const formset = new BookFormSet({ instance: publisher, data: request.POST }); // prefix 'books'
 * ```
 *
 * @throws InlineFormSetForeignKeyError when `model` has no (or more than one, without `fk`) key to `parent`.
 */
export function inlineFormsetFactory(parent: ModelCtor, model: ModelCtor, options: ModelFormSetFactoryOptions & { fk?: string }): typeof BaseInlineFormSet {
  const { fk: fkName, ...rest } = options;
  const fk = foreignKeyTo(parent, model, fkName);
  const Made = modelFormsetFactory(model, {
    extra: 3, canDelete: true, ...rest, ...(fk.unique ? { maxNum: 1 } : {}), formset: (rest.formset ?? BaseInlineFormSet) as never,
  });
  Object.assign(Made, { fk });
  return Made as unknown as typeof BaseInlineFormSet;
}


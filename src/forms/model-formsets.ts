/**
 * Model formsets (Django 5.2's BaseModelFormSet / BaseInlineFormSet): one ModelForm per
 * row of a queryset plus extra blank forms. The queryset is read by the async
 * `prepare()`, which must run before the forms are used (isValid() and save() call it).
 */
import { ValidationError } from '../core/exceptions.ts';
import { NuagesError } from '../core/errors.ts';
import type { ModelBase } from '../db/models/base.ts';
import type { FieldLike } from './boundfield.ts';
import { CharField } from './fields/base.ts';
import { BaseFormSet, formsetFactory, type FormSetFactoryOptions, type FormSetOptions } from './formsets.ts';
import type { BaseForm } from './forms.ts';
import { ModelForm, modelForm, type ModelCtor, type ModelFormFactoryOptions } from './models.ts';
import { HiddenInput } from './widgets.ts';

/** Options of a model formset's constructor: a formset's, plus the rows to edit. */
export interface ModelFormSetOptions extends FormSetOptions {
  /** The rows shown as initial forms (default: all rows of the model). */
  queryset?: { all(): PromiseLike<ModelBase[]> | unknown } | null;
}

type Objects = { all(): unknown };

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
  constructor(model: string, parent: string, count: number) {
    super(`'${model}' has ${count} ForeignKeys to '${parent}': inlineFormsetFactory needs exactly one; pass { fk: 'fieldName' } to choose.`);
  }
}

/**
 * A formset of ModelForms over a queryset (make one with {@link modelFormsetFactory}).
 *
 * ```ts
 * const formset = new BookFormSet({ data: request.POST, queryset: Book.objects.filter({ inStock: true }) });
 * await formset.prepare();
 * if (await formset.isValid()) await formset.save();
 * ```
 */
export class BaseModelFormSet<TForm extends ModelForm = ModelForm> extends BaseFormSet<TForm> {
  static model: ModelCtor | null = null;
  static uniqueFields: ReadonlySet<string> = new Set();
  /** Rows created by the last save(). */
  newObjects: ModelBase[] = [];
  /** `[instance, changedFieldNames]` of rows changed by the last save(). */
  changedObjects: [ModelBase, string[]][] = [];
  /** Rows deleted by the last save(). */
  deletedObjects: ModelBase[] = [];
  #queryset: unknown;
  #objects: ModelBase[] | null = null;

  constructor(options: ModelFormSetOptions = {}) {
    super({ ...options, initial: options.initial ?? null });
    this.#queryset = options.queryset ?? null;
  }

  protected get model(): ModelCtor {
    return (this.constructor as typeof BaseModelFormSet).model!;
  }

  /** The queryset the initial forms come from. */
  getQueryset(): unknown {
    return this.#queryset ?? (this.model as unknown as { objects: Objects }).objects.all();
  }

  /** Loads the queryset's rows (one query) and the forms' own async data; call before using the forms. */
  async prepare(): Promise<void> {
    if (this.#objects === null) {
      const qs = this.getQueryset() as { all(): unknown } & PromiseLike<ModelBase[]>;
      this.#objects = [...((await qs) as Iterable<ModelBase>)];
    }
    for (const form of this.forms) await form.prepareFields();
  }

  #loaded(): ModelBase[] {
    if (this.#objects === null) throw new ModelFormSetNotPreparedError(this.constructor.name);
    return this.#objects;
  }

  override initialFormCount(): number {
    if (this.isBound) return super.initialFormCount();
    return this.#loaded().length;
  }

  override getFormKwargs(index: number | null): Record<string, unknown> {
    const kwargs = super.getFormKwargs(index);
    if (index === null) return kwargs;
    const pkName = this.model._meta.pk.name;
    if (index < this.initialFormCount()) {
      const objects = this.#loaded();
      let instance: ModelBase | undefined;
      if (this.isBound) {
        const raw = this.data.get?.(`${this.addPrefix(index)}-${pkName}`) as unknown;
        instance = objects.find((o) => String(o.pk) === String(raw));
      } else {
        instance = objects[index];
      }
      if (instance) kwargs['instance'] = instance;
    } else if (this.initial && index - this.initialFormCount() < this.initial.length) {
      kwargs['initial'] = this.initial[index - this.initialFormCount()];
    }
    return kwargs;
  }

  protected override _constructForm(i: number, kwargs: Record<string, unknown>): TForm {
    // Initial data for extra forms is passed through kwargs; keep the base from indexing it by position.
    const saved = this.initial;
    this.initial = null;
    try {
      return super._constructForm(i, kwargs);
    } finally {
      this.initial = saved;
    }
  }

  /** Adds the hidden primary-key field (and ORDER / DELETE) to a form. */
  override addFields(form: BaseForm, index: number | null): void {
    const pk = this.model._meta.pk;
    const field = new CharField({ required: false, widget: HiddenInput as never }) as unknown as FieldLike;
    form.fields[pk.name] = field;
    const instance = (form as ModelForm).instance;
    if (instance && instance.pk !== null && instance.pk !== undefined) (form.initial as Record<string, unknown>)[pk.name] = instance.pk;
    super.addFields(form, index);
  }

  override async isValid(): Promise<boolean> {
    await this.prepare();
    return super.isValid();
  }

  /** Cross-form unique checks after each form's own (Django's validate_unique). */
  override async clean(): Promise<void> {
    await this.validateUnique();
  }

  /** Refuses two forms with the same value of a unique field (or unique-together set). */
  async validateUnique(): Promise<void> {
    const meta = this.model._meta as unknown as { fields: { name: string; unique: boolean; primaryKey: boolean }[]; uniqueTogether?: readonly (readonly string[])[] };
    const checks: string[][] = meta.fields.filter((f) => f.unique && !f.primaryKey).map((f) => [f.name]);
    for (const group of meta.uniqueTogether ?? []) checks.push([...group]);
    const forms = this.forms.filter((f) => f.isBound && f.errors.size === 0 && !(this.canDelete && this._shouldDeleteForm(f)));
    const errors: string[] = [];
    for (const check of checks) {
      const seen = new Set<string>();
      for (const form of forms) {
        const cleaned = form.cleanedData as Record<string, unknown>;
        if (!check.every((n) => Object.hasOwn(cleaned, n) && cleaned[n] !== null && cleaned[n] !== undefined && cleaned[n] !== '')) continue;
        const key = JSON.stringify(check.map((n) => String((cleaned[n] as { pk?: unknown } | null)?.pk ?? cleaned[n])));
        if (seen.has(key)) {
          const message = check.length === 1
            ? `Please correct the duplicate data for ${check[0]}, which must be unique.`
            : `Please correct the duplicate data for ${check.join(' and ')}, which must be unique.`;
          form.addError(null, new ValidationError('Please correct the duplicate values below.'));
          for (const n of check) delete cleaned[n];
          errors.push(message);
          break;
        }
        seen.add(key);
      }
    }
    if (errors.length) throw new ValidationError(errors.map((m) => new ValidationError(m)));
  }

  /** Saves the new and changed rows and deletes the ones marked DELETE; returns the saved instances. */
  async save(options: { commit?: boolean } = {}): Promise<ModelBase[]> {
    const commit = options.commit ?? true;
    await this.isValid();
    this.newObjects = [];
    this.changedObjects = [];
    this.deletedObjects = [];
    const saved: ModelBase[] = [];
    for (const form of this.initialForms) {
      const instance = form.instance;
      if (instance.pk === null || instance.pk === undefined) continue;
      if (this.canDelete && this._shouldDeleteForm(form)) {
        this.deletedObjects.push(instance);
        if (commit) await instance.delete();
        continue;
      }
      if (form.hasChanged()) {
        this.changedObjects.push([instance, form.changedData.filter((n) => n !== this.model._meta.pk.name)]);
        saved.push(await this.saveForm(form, commit));
      }
    }
    for (const form of this.extraForms) {
      if (!form.hasChanged()) continue;
      if (this.canDelete && this._shouldDeleteForm(form)) continue;
      const instance = await this.saveForm(form, commit);
      this.newObjects.push(instance);
      saved.push(instance);
    }
    return saved;
  }

  /** Saves one form (override to set fields first). */
  protected async saveForm(form: TForm, commit: boolean): Promise<ModelBase> {
    return form.save({ commit });
  }
}

/**
 * A model formset whose rows belong to one parent row through a ForeignKey (Django's
 * BaseInlineFormSet); the key is set on every child and left out of the forms.
 */
export class BaseInlineFormSet<TForm extends ModelForm = ModelForm> extends BaseModelFormSet<TForm> {
  static fk: { name: string; attname: string; relatedAccessorName: string } | null = null;
  /** The parent row. */
  readonly instance: ModelBase;

  /** The reverse accessor of the key, as Django's default prefix (`books`). */
  static override getDefaultPrefix(): string {
    return this.fk!.relatedAccessorName;
  }

  constructor(options: ModelFormSetOptions & { instance?: ModelBase | null } = {}) {
    const statics = new.target as unknown as typeof BaseInlineFormSet;
    const instance = options.instance ?? new (statics.fk as unknown as { _parent: new () => ModelBase })._parent();
    const fk = statics.fk!;
    const objects = (statics.model as unknown as { objects: { filter(q: object): unknown; none?(): unknown } }).objects;
    const queryset = instance.pk === null || instance.pk === undefined
      ? { then: (ok: (v: ModelBase[]) => unknown) => Promise.resolve([]).then(ok), all: () => [] }
      : (options.queryset as { filter?(q: object): unknown } | null | undefined)?.filter?.({ [fk.name]: instance.pk }) ?? objects.filter({ [fk.name]: instance.pk });
    super({ ...options, queryset: queryset as never });
    this.instance = instance;
  }

  protected override async saveForm(form: TForm, commit: boolean): Promise<ModelBase> {
    (form.instance as unknown as Record<string, unknown>)[this.fkName()] = this.instance;
    return form.save({ commit });
  }

  protected fkName(): string {
    return (this.constructor as typeof BaseInlineFormSet).fk!.name;
  }

  override getFormKwargs(index: number | null): Record<string, unknown> {
    const kwargs = super.getFormKwargs(index);
    if (!kwargs['instance']) {
      const instance = new (this.model as unknown as new () => ModelBase)();
      (instance as unknown as Record<string, unknown>)[this.fkName()] = this.instance;
      kwargs['instance'] = instance;
    }
    return kwargs;
  }
}

/** Options of {@link modelFormsetFactory}: the ModelForm's and the formset's. */
export type ModelFormSetFactoryOptions = Omit<ModelFormFactoryOptions<string>, 'form'> & Omit<FormSetFactoryOptions, 'formset'> & {
  form?: typeof ModelForm;
  formset?: typeof BaseModelFormSet;
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
  const { extra, canOrder, canDelete, canDeleteExtra, maxNum, validateMax, minNum, validateMin, absoluteMax, renderer, formset, ...formOptions } = options;
  const Form = modelForm(model, formOptions as never);
  const Made = formsetFactory(Form as never, {
    formset: (formset ?? BaseModelFormSet) as never, extra, canOrder, canDelete, canDeleteExtra, maxNum, validateMax, minNum, validateMin, absoluteMax, renderer,
  });
  Object.assign(Made, { model });
  return Made as unknown as typeof BaseModelFormSet;
}

/**
 * Builds an inline formset class: rows of `model` whose ForeignKey points at `parent`
 * (Django's inlineformset_factory; `extra` 3 and `canDelete` true by default).
 *
 * @throws InlineFormSetForeignKeyError when `model` has no (or more than one, without `fk`) key to `parent`.
 */
export function inlineFormsetFactory(parent: ModelCtor, model: ModelCtor, options: ModelFormSetFactoryOptions & { fk?: string }): typeof BaseInlineFormSet {
  const candidates = model._meta.fields.filter((f) => {
    const target = (f as unknown as { target?: unknown }).target;
    if (!f.isRelation || target === undefined) return false;
    const resolved = typeof target === 'function' && !(target as { prototype?: unknown }).prototype ? (target as () => unknown)() : target;
    return resolved === parent && (options.fk === undefined || f.name === options.fk);
  });
  if (candidates.length !== 1) {
    throw new InlineFormSetForeignKeyError(model._meta.objectName, parent._meta.objectName, candidates.length);
  }
  const fk = candidates[0] as unknown as { name: string; attname: string; relatedAccessorName: string };
  const exclude = [...(options.exclude ?? [])];
  const fields = Array.isArray(options.fields) ? options.fields.filter((n) => n !== fk.name) : options.fields;
  if (!exclude.includes(fk.name)) exclude.push(fk.name);
  const Made = modelFormsetFactory(model, {
    extra: 3, canDelete: true, ...options, fields, exclude, formset: (options.formset ?? BaseInlineFormSet) as never,
  });
  Object.assign(Made, { fk: Object.assign(Object.create(fk) as object, { _parent: parent }) });
  return Made as unknown as typeof BaseInlineFormSet;
}

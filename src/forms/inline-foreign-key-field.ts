/**
 * InlineForeignKeyField: the key to the parent row in each form of an inline formset
 * (Django's django.forms.models.InlineForeignKeyField).
 */
import { ValidationError } from '../core/exceptions.ts';
import type { ModelBase } from '../db/models/base.ts';
import { Field, type FieldOptions } from './fields/base.ts';
import { pyStr } from './fields/python.ts';
import { HiddenInput, type Widget } from './widgets.ts';

export interface InlineForeignKeyFieldOptions extends Omit<FieldOptions<false>, 'required' | 'initial'> {
  /** The key is the child's primary key too: an empty value cleans to null, not to the parent. */
  pkField?: boolean;
  /** The parent's field the key refers to, when it is not the parent's primary key. */
  toField?: string | null;
}

/**
 * A hidden field whose only valid value is the parent's key: it cleans to the parent
 * instance (or, empty, to the parent as well), and any other value is Django's error "The
 * inline value did not match the parent instance.". It never counts as changed. ModelForms
 * leave it out of model validation but keep it in the unique checks, so a child's
 * unique-together with its parent key is checked against the database.
 *
 * ```ts
 * form.fields.publisher = new InlineForeignKeyField(acme, { label: 'Publisher' });
 * ```
 */
export class InlineForeignKeyField extends Field<ModelBase | null, false> {
  static override widget: new () => Widget = HiddenInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'The inline value did not match the parent instance.',
  };
  /** Read by ModelForm: this field is left out of model validation. */
  readonly isInlineForeignKey = true;
  parentInstance: ModelBase | null;
  pkField: boolean;
  toField: string | null;

  constructor(parentInstance: ModelBase | null, options: InlineForeignKeyFieldOptions = {}) {
    const toField = options.toField ?? null;
    const initial = parentInstance === null ? null : parentKey(parentInstance, toField);
    super({ ...options, required: false, initial });
    this.parentInstance = parentInstance;
    this.pkField = options.pkField ?? false;
    this.toField = toField;
  }

  override clean(value: unknown): ModelBase | null {
    if (this.isEmpty(value)) return this.pkField ? null : this.parentInstance;
    const expected = this.parentInstance === null ? null : parentKey(this.parentInstance, this.toField);
    if (pyStr(value) !== pyStr(expected)) {
      throw new ValidationError(this.errorMessages.invalid_choice!, { code: 'invalid_choice' });
    }
    return this.parentInstance;
  }

  override hasChanged(_initial: unknown, _data: unknown): boolean {
    return false;
  }
}

function parentKey(parent: ModelBase, toField: string | null): unknown {
  return toField ? (parent as unknown as Record<string, unknown>)[toField] : parent.pk;
}

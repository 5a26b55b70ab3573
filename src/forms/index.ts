/**
 * nuages/forms: forms, fields, widgets, renderers and form errors.
 *
 * ```ts
 * import { defineForm, CharField, EmailField } from 'nuages/forms';
 * const ContactForm = defineForm({ subject: new CharField({ maxLength: 100 }), email: new EmailField() });
 * ```
 */
export { BaseForm, Form, defineForm } from './forms.ts';
export type { CleanedData, FieldCleanedValue, FieldMap, FormClass, FormOptions } from './forms.ts';
export { BoundField, BoundWidget } from './boundfield.ts';
export type { FieldLike, FormLike, WidgetLike } from './boundfield.ts';
export { ErrorDict, ErrorList, flatatt, prettyName, toQueryDict } from './utils.ts';
export type { DataDict, ErrorListOptions, FormDataInput, RendererLike } from './utils.ts';
export { AddErrorFieldError, EmptyPermittedRequiredAttributeError, FormNotValidatedError, UnknownFormFieldError } from './form-errors.ts';
export * from './widgets.ts';
export * from './renderers.ts';
export * from './fields.ts';
export { FileField, ImageField, type FileFieldOptions } from './file-fields.ts';
export { ValidationError, NON_FIELD_ERRORS } from '../core/exceptions.ts';
export { ModelChoiceField, ModelMultipleChoiceField, ModelChoicesNotLoadedError } from './model-choice-fields.ts';
export type { ModelChoiceFieldOptions, ModelMultipleChoiceFieldOptions, ChoiceQuerySet } from './model-choice-fields.ts';
export {
  ModelForm, modelForm, modelToDict, constructInstance, fieldsForModel, formfieldFor, ALL_FIELDS,
  ModelFormNoModelError, ModelFormSaveInvalidError,
} from './models.ts';
export type { ModelFormOptions, ModelFormMeta, ModelFormClass, ModelFormCleanedData, ModelFormFactoryOptions, FormfieldOptions } from './models.ts';
export { BaseFormSet, formsetFactory, allValid } from './formsets.ts';
export {
  ManagementForm,
  TOTAL_FORM_COUNT,
  INITIAL_FORM_COUNT,
  MIN_NUM_FORM_COUNT,
  MAX_NUM_FORM_COUNT,
  ORDERING_FIELD_NAME,
  DELETION_FIELD_NAME,
  DEFAULT_MIN_NUM,
  DEFAULT_MAX_NUM,
} from './management-form.ts';
export type { FormSetClass, FormSetFactoryOptions, FormSetFormClass, FormSetMessage, FormSetOptions } from './formsets.ts';
export {
  BaseModelFormSet, BaseInlineFormSet, modelFormsetFactory, inlineFormsetFactory, ModelFormSetNotPreparedError, InlineFormSetForeignKeyError,
} from './model-formsets.ts';
export type { ModelFormSetOptions, ModelFormSetFactoryOptions, InlineFormSetOptions, ModelFormSetQuerySet } from './model-formsets.ts';
export { InlineForeignKeyField, type InlineForeignKeyFieldOptions } from './inline-foreign-key-field.ts';
export { FormSetAbsoluteMaxError, FormSetInvalidError, FormSetNotOrderableError } from './formset-errors.ts';

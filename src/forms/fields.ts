/**
 * Form fields (Django's django.forms.fields): Field and every non-file, non-model field.
 *
 * Each field's clean(value) runs toPython → validate → validators and returns the
 * typed value or throws ValidationError with Django 5.2's messages and codes.
 *
 * ```ts
 * import { CharField, IntegerField } from 'nuages/forms';
 * new IntegerField({ maxValue: 10 }).clean('7'); // 7
 * ```
 */
export * from './fields/base.ts';
export * from './fields/text.ts';
export * from './fields/choice.ts';
export * from './fields/temporal.ts';
export * from './fields/composite.ts';
export { pyJsonDumps, type PyJsonOptions } from './fields/json.ts';
export * from './fields/file-path.ts';

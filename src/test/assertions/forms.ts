/**
 * Form assertions with Django 5's signatures: the form (or formset) itself, the field
 * (`null` for non-field errors), and the expected message or messages, all of them
 * in order. The form is validated first if it was not yet (validation is async here).
 */
import { isDeepStrictEqual } from 'node:util';
import type { BaseForm } from '../../forms/forms.ts';
import type { BaseFormSet } from '../../forms/formsets.ts';
import { TestToolMisuseError } from '../errors.ts';
import { fail } from './fail.ts';

function asList(errors: string | readonly string[]): string[] {
  return typeof errors === 'string' ? [errors] : [...errors];
}

/** Compares the error list of `form` for `field` with `expected`; `where` names the form in the message. */
function checkErrors(form: BaseForm, field: string | null, expected: string[], where: string, operator: string, msgPrefix?: string): void {
  if (field !== null && !Object.hasOwn(form.fields, field)) {
    fail(`The ${where} does not contain the field '${field}'. Its fields are: ${Object.keys(form.fields).join(', ')}.`, { operator, msgPrefix });
  }
  const actual = [...(field === null ? form.nonFieldErrors() : (form.errors.get(field) ?? []))];
  if (!isDeepStrictEqual(actual, expected)) {
    const what = field === null ? 'non-field errors' : `errors of field '${field}'`;
    fail(`The ${what} on ${where} don't match: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`, { actual, expected, operator, msgPrefix });
  }
}

/**
 * Asserts a bound form's errors for `field` (or its non-field errors, with `null`) are
 * exactly `errors`: one message, or all of them in order (`[]` asserts none).
 *
 * @throws AssertionError when the form is unbound, lacks the field, or the messages differ.
 * @example
 * const form = new ContactForm({ data: { email: 'nope' } });
 * await assertFormError(form, 'email', 'Enter a valid email address.');
 * await assertFormError(form, null, []);
 */
export async function assertFormError(form: BaseForm, field: string | null, errors: string | readonly string[], msgPrefix?: string): Promise<void> {
  if (!form.isBound) {
    fail(`The form ${String(form)} is not bound, it will never have any errors.`, { operator: 'assertFormError', msgPrefix });
  }
  await form.isValid();
  checkErrors(form, field, asList(errors), `form ${String(form)}`, 'assertFormError', msgPrefix);
}

/**
 * Asserts the errors of form `formIndex` of a bound formset for `field` (or that form's
 * non-field errors, with `null`) are exactly `errors`; with `formIndex` null, the
 * formset's non-form errors (`field` must then be null).
 *
 * @throws AssertionError when the formset is unbound, has no such form or field, or the
 *   messages differ; TestToolMisuseError for a field given without a form index.
 * @example
 * await assertFormSetError(formset, 0, 'title', 'This field is required.');
 * await assertFormSetError(formset, null, null, 'Please submit at most 2 forms.');
 */
export async function assertFormSetError(
  formset: BaseFormSet,
  formIndex: number | null,
  field: string | null,
  errors: string | readonly string[],
  msgPrefix?: string,
): Promise<void> {
  const operator = 'assertFormSetError';
  if (formIndex === null && field !== null) {
    throw new TestToolMisuseError(`assertFormSetError() was given field '${field}' without a form index: pass the form's index, or field null for the formset's non-form errors.`);
  }
  if (!formset.isBound) fail(`The formset ${String(formset)} is not bound, it will never have any errors.`, { operator, msgPrefix });
  await formset.isValid();
  const expected = asList(errors);
  if (formIndex === null) {
    const actual = [...formset.nonFormErrors()];
    if (!isDeepStrictEqual(actual, expected)) {
      fail(`The non-form errors of formset ${String(formset)} don't match: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`, { actual, expected, operator, msgPrefix });
    }
    return;
  }
  const forms = formset.forms;
  if (formIndex < 0 || formIndex >= forms.length) {
    fail(`The formset ${String(formset)} only has ${forms.length} form${forms.length === 1 ? '' : 's'}.`, { operator, msgPrefix });
  }
  checkErrors(forms[formIndex]!, field, expected, `form ${formIndex} of formset ${String(formset)}`, operator, msgPrefix);
}

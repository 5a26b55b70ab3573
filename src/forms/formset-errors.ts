/**
 * Errors thrown by formsets on programming mistakes. Bad user input (a forged
 * or missing management form, too many forms) is never thrown: it becomes a
 * ValidationError in `formset.nonFormErrors()`.
 */
import { NuagesError } from '../core/errors.ts';

/** `formsetFactory()` with `maxNum` above `absoluteMax` (Django's ValueError). */
export class FormSetAbsoluteMaxError extends NuagesError {
  readonly code = 'NUAGES_FORMS_FORMSET_ABSOLUTE_MAX';
  constructor(maxNum: number, absoluteMax: number) {
    super(
      `formsetFactory(): absoluteMax (${absoluteMax}) must be greater than or equal to maxNum (${maxNum}). ` +
        `Raise absoluteMax or lower maxNum.`,
    );
  }
}

/** `cleanedData` or `orderedForms` read on a formset that is not valid (Django's AttributeError). */
export class FormSetInvalidError extends NuagesError {
  readonly code = 'NUAGES_FORMS_FORMSET_INVALID';
  constructor(formset: string, what: string) {
    super(`${formset}.${what} is only available on a bound, valid formset; check "await formset.isValid()" first.`);
  }
}

/** `orderedForms` read on a formset made without `canOrder: true`. */
export class FormSetNotOrderableError extends NuagesError {
  readonly code = 'NUAGES_FORMS_FORMSET_NOT_ORDERABLE';
  constructor(formset: string) {
    super(`${formset}.orderedForms needs ordering: create the formset with formsetFactory(Form, { canOrder: true }).`);
  }
}

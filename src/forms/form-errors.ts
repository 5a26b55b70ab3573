/**
 * Errors thrown by forms on programming mistakes (never on bad user input:
 * that becomes a ValidationError shown in `form.errors`).
 */
import { NuagesError } from '../core/errors.ts';

/** `form.errors` or `form.cleanedData` read before `await form.isValid()` / `fullClean()` ran. */
export class FormNotValidatedError extends NuagesError {
  readonly code = 'NUAGES_FORMS_NOT_VALIDATED';
  constructor(form: string, what: string) {
    super(
      `${form}.${what} was read before the form was validated. Validation may be asynchronous, so ` +
        `call "await form.isValid()" (or "await form.fullClean()") first.`,
    );
  }
}

/** A field name the form does not have (`form.boundField('x')`, `addError('x', …)`). */
export class UnknownFormFieldError extends NuagesError {
  readonly code = 'NUAGES_FORMS_UNKNOWN_FIELD';
  constructor(form: string, field: string, choices: readonly string[]) {
    super(`${form} has no field named '${field}'. Choices are: ${[...choices].sort().join(', ')}.`);
  }
}

/** `addError(field, error)` with a field name and an error that maps several fields. */
export class AddErrorFieldError extends NuagesError {
  readonly code = 'NUAGES_FORMS_ADD_ERROR_FIELD';
  constructor(form: string, field: string) {
    super(
      `${form}.addError('${field}', error): the error maps several fields, so the field argument must be null. ` +
        `Call addError(null, error), or pass a single error for '${field}'.`,
    );
  }
}

/** `emptyPermitted` and `useRequiredAttribute` both true: the browser would refuse an empty form Django accepts. */
export class EmptyPermittedRequiredAttributeError extends NuagesError {
  readonly code = 'NUAGES_FORMS_EMPTY_PERMITTED_REQUIRED_ATTRIBUTE';
  constructor(form: string) {
    super(
      `${form}: the emptyPermitted and useRequiredAttribute options may not both be true. ` +
        `Pass useRequiredAttribute: false with emptyPermitted: true.`,
    );
  }
}

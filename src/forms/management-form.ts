/**
 * The management form of a formset and the names it uses (Django's
 * django/forms/formsets.py constants and ManagementForm).
 */
import { ValidationError } from '../core/exceptions.ts';
import { IntegerField } from './fields/base.ts';
import { Form } from './forms.ts';
import { HiddenInput } from './widgets.ts';

export const TOTAL_FORM_COUNT = 'TOTAL_FORMS';
export const INITIAL_FORM_COUNT = 'INITIAL_FORMS';
export const MIN_NUM_FORM_COUNT = 'MIN_NUM_FORMS';
export const MAX_NUM_FORM_COUNT = 'MAX_NUM_FORMS';
export const ORDERING_FIELD_NAME = 'ORDER';
export const DELETION_FIELD_NAME = 'DELETE';
/** minNum when none is given. */
export const DEFAULT_MIN_NUM = 0;
/** maxNum when none is given; absoluteMax defaults to maxNum + this. */
export const DEFAULT_MAX_NUM = 1000;

/**
 * A form count: a whole number past 2^53 (a forged TOTAL_FORMS) counts as the largest exact
 * one, since formsets only compare it with absoluteMax; Django reads such a count as the huge
 * int it is and answers "Please submit at most … forms.", and so does this.
 */
class FormCountField extends IntegerField<boolean> {
  protected override unsafeInteger(_digits: string, value: number): unknown {
    return value > 0 ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  }
}

/**
 * The hidden counters a formset renders and reads back: TOTAL_FORMS and
 * INITIAL_FORMS (required), MIN_NUM_FORMS and MAX_NUM_FORMS (only for client
 * scripts; their submitted values are ignored).
 */
export class ManagementForm extends Form {
  static override fields = {
    [TOTAL_FORM_COUNT]: new FormCountField({ widget: HiddenInput }),
    [INITIAL_FORM_COUNT]: new FormCountField({ widget: HiddenInput }),
    [MIN_NUM_FORM_COUNT]: new FormCountField({ required: false, widget: HiddenInput }),
    [MAX_NUM_FORM_COUNT]: new FormCountField({ required: false, widget: HiddenInput }),
  };

  // An invalid management form says nothing about how many forms came: count zero.
  override clean(): unknown {
    const cleaned = super.clean() as Record<string, unknown>;
    cleaned[TOTAL_FORM_COUNT] ??= 0;
    cleaned[INITIAL_FORM_COUNT] ??= 0;
    return cleaned;
  }

  /**
   * TOTAL_FORMS and INITIAL_FORMS cleaned synchronously (0 when invalid), as
   * `clean()` leaves them: the formset needs them to build its forms, which
   * happens in getters that cannot wait for the async fullClean().
   */
  counts(): { total: number; initial: number } {
    const read = (name: string): number => {
      const bf = this.getItem(name);
      try {
        const value = bf.field.clean(bf.data, bf.initial);
        return typeof value === 'number' ? value : 0;
      } catch (error) {
        if (error instanceof ValidationError) return 0;
        throw error;
      }
    };
    return { total: read(TOTAL_FORM_COUNT), initial: read(INITIAL_FORM_COUNT) };
  }
}

/**
 * Fields made of other fields: ComboField (all must pass), MultiValueField
 * (one value split across several widgets) and SplitDateTimeField.
 */
import { ValidationError, type ValidationMessage } from '../../core/exceptions.ts';
import type { DateOnly } from '../../utils/dates.ts';
import { SplitDateTimeWidget, SplitHiddenDateTimeWidget, type Widget } from '../widgets.ts';
import { Field, type FieldOptions } from './base.ts';
import { isEmptyValue } from './python.ts';
import { DateField, TimeField, fromCurrentTimezone } from './temporal.ts';

type WidgetCtor = new () => Widget;
type AnyField = Field<unknown, boolean>;

export interface ComboFieldOptions<R extends boolean = boolean> extends FieldOptions<R> {}

/**
 * A value that must pass every field in `fields`, in order (each sub-field's required is turned off).
 *
 * ```ts
 * new ComboField([new CharField({ maxLength: 20 }), new EmailField()]).clean('a@b.com'); // 'a@b.com'
 * ```
 */
export class ComboField<T = unknown, R extends boolean = true> extends Field<T, R> {
  fields: AnyField[];

  constructor(fields: readonly Field<unknown, boolean>[], options: ComboFieldOptions<R> = {}) {
    super(options);
    for (const f of fields) f.required = false;
    this.fields = [...fields] as AnyField[];
    this.applyWidgetAttrs();
  }

  override clean(value: unknown): R extends true ? T : T | null {
    let result = super.clean(value) as unknown;
    for (const field of this.fields) result = field.clean(result);
    return result as R extends true ? T : T | null;
  }
}

export interface MultiValueFieldOptions<R extends boolean = boolean> extends FieldOptions<R> {
  /** When true (default) every part is required whenever the whole is; parts' own required is ignored. */
  requireAllFields?: boolean;
}

function sameMessage(a: ValidationMessage, b: ValidationMessage): boolean {
  return a.message === b.message && a.code === b.code;
}

/**
 * One value from several fields and widgets; subclasses implement `compress(parts)`.
 *
 * @throws ValidationError 'required', 'invalid' (not a list), or the parts' errors (each once),
 *   with 'incomplete' for a required part left empty when requireAllFields is false.
 */
export abstract class MultiValueField<T = unknown, R extends boolean = true> extends Field<T, R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a list of values.', incomplete: 'Enter a complete value.' };
  fields: AnyField[];
  requireAllFields: boolean;

  constructor(fields: readonly Field<unknown, boolean>[], options: MultiValueFieldOptions<R> = {}) {
    super(options);
    this.requireAllFields = options.requireAllFields ?? true;
    for (const f of fields) {
      f.errorMessages.incomplete ??= this.errorMessages.incomplete!;
      if (this.disabled) f.disabled = true;
      if (this.requireAllFields) f.required = false;
    }
    this.fields = [...fields] as AnyField[];
  }

  /** Combines the cleaned parts into one value; `[]` when nothing was submitted to an optional field. */
  abstract compress(dataList: unknown[]): unknown;

  override validate(_value: unknown): void {}

  override clean(value: unknown): R extends true ? T : T | null {
    let input = value;
    if (this.disabled && !Array.isArray(input)) input = (this.widget as { decompress?(v: unknown): unknown[] }).decompress?.(input) ?? input;
    if (!input || Array.isArray(input)) {
      const list = (input ?? []) as unknown[];
      if (!list.length || list.every((v) => isEmptyValue(v, this.emptyValues))) {
        if (this.required) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
        return this.compress([]) as R extends true ? T : T | null;
      }
    } else {
      throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
    }
    const list = input as unknown[];
    const cleaned: unknown[] = [];
    const errors: ValidationMessage[] = [];
    const add = (m: ValidationMessage) => {
      if (!errors.some((e) => sameMessage(e, m))) errors.push(m);
    };
    this.fields.forEach((field, i) => {
      const part = i < list.length ? list[i] : null;
      if (isEmptyValue(part, this.emptyValues)) {
        if (this.requireAllFields) {
          if (this.required) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
        } else if (field.required) {
          // Django adds the bare message here, without a code.
          add({ message: field.errorMessages.incomplete!, code: undefined, params: undefined });
          return;
        }
      }
      try {
        cleaned.push(field.clean(part));
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        error.errorList.forEach(add);
      }
    });
    if (errors.length) throw new ValidationError(errors.map((m) => new ValidationError(m.message, { code: m.code, params: m.params })));
    const out = this.compress(cleaned);
    this.validate(out);
    this.runValidators(out);
    return out as R extends true ? T : T | null;
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const parts = (data ?? []) as unknown[];
    let initials: unknown[];
    if (initial === null || initial === undefined) initials = parts.map(() => '');
    else if (Array.isArray(initial)) initials = initial;
    else initials = (this.widget as { decompress?(v: unknown): unknown[] }).decompress?.(initial) ?? [initial];
    const n = Math.min(this.fields.length, initials.length, parts.length);
    for (let i = 0; i < n; i++) {
      let init: unknown;
      try {
        init = this.fields[i]!.toPython(initials[i]);
      } catch (error) {
        if (error instanceof ValidationError) return true;
        throw error;
      }
      if (this.fields[i]!.hasChanged(init, parts[i])) return true;
    }
    return false;
  }
}

export interface SplitDateTimeFieldOptions<R extends boolean = boolean> extends MultiValueFieldOptions<R> {
  inputDateFormats?: readonly string[];
  inputTimeFormats?: readonly string[];
}

/**
 * A datetime typed as a date and a time (SplitDateTimeWidget); cleans to a `Date` in the current time zone.
 *
 * ```ts
 * new SplitDateTimeField().clean(['2006-01-10', '07:30']); // Date for 2006-01-10 07:30 in TIME_ZONE
 * ```
 */
export class SplitDateTimeField<R extends boolean = true> extends MultiValueField<Date, R> {
  static override widget: WidgetCtor = SplitDateTimeWidget;
  static override hiddenWidget: WidgetCtor = SplitHiddenDateTimeWidget;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid_date: 'Enter a valid date.', invalid_time: 'Enter a valid time.' };

  constructor(options: SplitDateTimeFieldOptions<R> = {}) {
    const messages = { ...(SplitDateTimeField.defaultErrorMessages as Record<string, string>), ...options.errorMessages };
    super(
      [
        new DateField({ inputFormats: options.inputDateFormats, errorMessages: { invalid: messages.invalid_date! }, localize: options.localize }),
        new TimeField({ inputFormats: options.inputTimeFormats, errorMessages: { invalid: messages.invalid_time! }, localize: options.localize }),
      ],
      options,
    );
    this.applyWidgetAttrs();
  }

  compress(dataList: unknown[]): Date | null {
    if (!dataList.length) return null;
    if (isEmptyValue(dataList[0], this.emptyValues)) {
      throw new ValidationError(this.errorMessages.invalid_date!, { code: 'invalid_date' });
    }
    if (isEmptyValue(dataList[1], this.emptyValues)) {
      throw new ValidationError(this.errorMessages.invalid_time!, { code: 'invalid_time' });
    }
    const date = dataList[0] as DateOnly;
    const [h, m, s] = String(dataList[1]).split(/[:.]/).map(Number) as [number, number, number];
    const micro = Number(String(dataList[1]).split('.')[1] ?? 0);
    return fromCurrentTimezone({
      year: date.year, month: date.month, day: date.day, hour: h, minute: m, second: s,
      millisecond: Math.floor(micro / 1000), microsecond: micro,
    });
  }
}

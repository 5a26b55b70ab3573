/**
 * Field, the base of every form field, and the number, text and boolean fields.
 *
 * clean(value): toPython → validate → runValidators, as Django's; each step
 * throws ValidationError with Django 5.2's message, code and params.
 */
import { ValidationError, type ValidationMessage } from '../../core/exceptions.ts';
import {
  maxLengthValidator,
  maxValueValidator,
  minLengthValidator,
  minValueValidator,
  type Validator,
} from '../../core/validators.ts';
import { Decimal } from '../../utils/decimal.ts';
import { BoundField } from '../boundfield.ts';
import { CheckboxInput, HiddenInput, NullBooleanSelect, NumberInput, TextInput, type Widget } from '../widgets.ts';
import { asciiDigits, isEmptyValue, pyStr, pyStrip, valuesEqual } from './python.ts';

export type { Validator };

/** A widget class or instance, as `widget:` accepts. */
export type WidgetSpec = Widget | (new () => Widget);

/** The options every field takes (Django's Field arguments, camelCased). */
export interface FieldOptions<R extends boolean = boolean> {
  required?: R;
  widget?: WidgetSpec;
  label?: string | null;
  initial?: unknown;
  helpText?: string;
  errorMessages?: Readonly<Record<string, string>>;
  showHiddenInitial?: boolean;
  validators?: readonly Validator[];
  localize?: boolean;
  disabled?: boolean;
  labelSuffix?: string | null;
  templateName?: string | null;
  /** Called as `new boundFieldClass(form, field, name)` by getBoundField (Django 5.2's bound_field_class). */
  boundFieldClass?: new (form: unknown, field: Field<unknown, boolean>, name: string) => BoundField;
}

/** The T a field cleans to, `| null` unless the field was built with required true (the default). */
export type CleanedValue<F> = F extends Field<infer T, infer R> ? (R extends true ? T : T | null) : never;

type WidgetCtor = new () => Widget;

function errorMessagesOf(ctor: unknown): Record<string, string> {
  const chain: Record<string, string>[] = [];
  for (let c = ctor as { defaultErrorMessages?: Record<string, string> } | null; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'defaultErrorMessages')) chain.push(c.defaultErrorMessages!);
  }
  return Object.assign({}, ...chain.reverse());
}

/**
 * The base of every form field: converts one submitted value to a typed value and validates it.
 *
 * `clean()` is synchronous and throws `ValidationError` (Django's message, code and params).
 *
 * ```ts
 * const f = new CharField({ maxLength: 5 });
 * f.clean(' abc '); // 'abc'
 * f.clean('abcdef'); // throws: Ensure this value has at most 5 characters (it has 6).
 * ```
 */
export class Field<T = unknown, R extends boolean = true> {
  /** Django's default messages by code; subclasses add theirs. */
  static defaultErrorMessages: Readonly<Record<string, string>> = { required: 'This field is required.' };
  /** Widget class used when none is given. */
  static widget: WidgetCtor = TextInput;
  /** Widget used when the field is rendered hidden (show_hidden_initial, hidden widgets). */
  static hiddenWidget: WidgetCtor = HiddenInput;

  declare readonly __required?: R;
  required: boolean;
  widget: Widget;
  label: string | null;
  initial: unknown;
  helpText: string;
  showHiddenInitial: boolean;
  localize: boolean;
  disabled: boolean;
  labelSuffix: string | null;
  templateName: string | null;
  boundFieldClass: FieldOptions['boundFieldClass'] | null;
  errorMessages: Record<string, string>;
  validators: Validator[];
  /** Values that count as "nothing submitted" (Django's EMPTY_VALUES). */
  emptyValues: readonly unknown[] = [null, undefined, '', [], {}];

  constructor(options: FieldOptions<R> = {}) {
    this.required = options.required ?? true;
    this.label = options.label ?? null;
    this.initial = options.initial ?? null;
    this.helpText = options.helpText ?? '';
    this.showHiddenInitial = options.showHiddenInitial ?? false;
    this.localize = options.localize ?? false;
    this.disabled = options.disabled ?? false;
    this.labelSuffix = options.labelSuffix ?? null;
    this.templateName = options.templateName ?? null;
    this.boundFieldClass = options.boundFieldClass ?? null;
    const spec = options.widget ?? (this.constructor as typeof Field).widget;
    // Django deep-copies a widget instance so fields never share one.
    const widget = typeof spec === 'function' ? new spec() : spec.clone();
    if (this.localize) (widget as { isLocalized?: boolean }).isLocalized = true;
    widget.isRequired = this.required;
    this.widget = widget;
    this.errorMessages = { ...errorMessagesOf(this.constructor), ...options.errorMessages };
    this.validators = [...this.defaultValidators(), ...(options.validators ?? [])];
  }

  /**
   * A copy for one form instance (Django deep-copies declared fields per form): its own
   * widget, error messages, validators and choices, so changing one form's field never
   * reaches another's. Subclasses keep their state in plain properties for this reason.
   */
  clone(): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    for (const [key, value] of Object.entries(this)) {
      (copy as Record<string, unknown>)[key] = Array.isArray(value) ? [...value] : isPlainObject(value) ? { ...value } : value;
    }
    copy.widget = this.widget.clone();
    return copy;
  }

  /** Call after a subclass has set the options widgetAttrs reads (Django does this inside __init__). */
  protected applyWidgetAttrs(): void {
    Object.assign(this.widget.attrs, this.widgetAttrs(this.widget));
  }

  /** Validators every instance runs before the ones passed in `validators`. */
  protected defaultValidators(): Validator[] {
    return [];
  }

  /** Hidden-widget class for this field. */
  get hiddenWidget(): WidgetCtor {
    return (this.constructor as typeof Field).hiddenWidget;
  }

  /** Whether `value` is one of `emptyValues` (compared as Python's `in`). */
  isEmpty(value: unknown): boolean {
    return isEmptyValue(value, this.emptyValues);
  }

  /** The value as the widget should show it. */
  prepareValue(value: unknown): unknown {
    return value;
  }

  /** Converts submitted data to the field's type; throws ValidationError when it cannot. */
  toPython(value: unknown): unknown {
    return value;
  }

  /** Checks the converted value (required, choices…); throws ValidationError. */
  validate(value: unknown): void {
    if (this.required && this.isEmpty(value)) {
      throw new ValidationError(this.errorMessages.required!, { code: 'required' });
    }
  }

  /** Runs every validator and throws all their errors at once; a field message with the same code wins. */
  runValidators(value: unknown): void {
    if (this.isEmpty(value)) return;
    const errors: ValidationMessage[] = [];
    for (const validator of this.validators) {
      try {
        validator(value);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const code = error.validationCode;
        if (error.errorList.length === 1 && code !== undefined && Object.hasOwn(this.errorMessages, code)) {
          errors.push(...new ValidationError(this.errorMessages[code]!, { code, params: error.errorList[0]!.params }).errorList);
        } else {
          errors.push(...error.errorList);
        }
      }
    }
    if (errors.length) throw new ValidationError(errors.map((m) => new ValidationError(m.message, { code: m.code, params: m.params })));
  }

  /**
   * toPython, validate, then the validators; returns the clean value.
   *
   * @throws ValidationError with every message the value earned.
   */
  clean(value: unknown): R extends true ? T : T | null {
    const converted = this.toPython(value);
    this.validate(converted);
    this.runValidators(converted);
    return converted as R extends true ? T : T | null;
  }

  /** The value to show for bound data: the initial one when disabled (users cannot change it). */
  boundData(data: unknown, initial: unknown): unknown {
    return this.disabled ? initial : data;
  }

  /** HTML attributes this field adds to its widget (maxlength, min, step…). */
  widgetAttrs(_widget: Widget): Record<string, string | boolean> {
    return {};
  }

  /** Whether submitted `data` differs from `initial`, compared after conversion as Django does. */
  hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    let converted: unknown;
    try {
      converted = this.toPython(data);
      const coerce = (this as { coerceValue?: (v: unknown) => unknown }).coerceValue;
      if (coerce) return !valuesEqual(coerce.call(this, converted), coerce.call(this, initial));
    } catch (error) {
      if (error instanceof ValidationError) return true;
      throw error;
    }
    return !valuesEqual(initial ?? '', converted ?? '');
  }

  /** The BoundField a form shows for this field under `name`. */
  getBoundField(form: unknown, name: string): BoundField {
    const cls = this.boundFieldClass ?? (form as { boundFieldClass?: FieldOptions['boundFieldClass'] } | null)?.boundFieldClass ?? BoundField;
    return new cls(form as never, this as never, name);
  }
}

// ---- Validators Django's fields add that src/core/validators.ts lacks ----------

/** Django's ProhibitNullCharactersValidator. */
export const prohibitNullCharacters: Validator = (value) => {
  if (String(value).includes('\x00')) {
    throw new ValidationError('Null characters are not allowed.', { code: 'null_characters_not_allowed', params: { value } });
  }
};

/** Django's StepValueValidator(step, offset): float remainder within 1e-9 of zero. */
export function stepValueValidator(step: number, offset: number | null): Validator {
  return (value) => {
    const a = Number(value instanceof Decimal ? value.toString() : value);
    const off = offset ?? 0;
    const x = a - off;
    // math.remainder: the remainder after rounding the quotient to the nearest integer (ties to even).
    const q = x / step;
    let n = Math.round(q);
    if (Math.abs(q - Math.trunc(q)) === 0.5 && n % 2 !== 0) n -= 1;
    const rem = x - n * step;
    if (Math.abs(rem) <= 1e-9) return;
    if (offset === null) {
      throw new ValidationError('Ensure this value is a multiple of step size %(limit_value)s.', {
        code: 'step_size',
        params: { limit_value: step, value },
      });
    }
    throw new ValidationError(
      'Ensure this value is a multiple of step size %(limit_value)s, starting from %(offset)s, e.g. %(offset)s, %(valid_value1)s, %(valid_value2)s, and so on.',
      { code: 'step_size', params: { limit_value: step, offset, valid_value1: offset + step, valid_value2: offset + 2 * step, value } },
    );
  };
}

// ---- Text ---------------------------------------------------------------------

export interface CharFieldOptions<R extends boolean = boolean> extends FieldOptions<R> {
  maxLength?: number | null;
  minLength?: number | null;
  /** Strip leading and trailing whitespace (Python's notion of it). Default true. */
  strip?: boolean;
  /** What an empty submission cleans to. Default ''. */
  emptyValue?: string | null;
}

/**
 * Text. Strips whitespace by default; `maxLength`/`minLength` count code points, as Python does.
 *
 * ```ts
 * new CharField({ maxLength: 100, required: false }).clean(''); // ''
 * ```
 */
export class CharField<R extends boolean = true> extends Field<string, R> {
  maxLength: number | null;
  minLength: number | null;
  strip: boolean;
  emptyValue: string | null;

  constructor(options: CharFieldOptions<R> = {}) {
    super(options);
    this.maxLength = options.maxLength ?? null;
    this.minLength = options.minLength ?? null;
    this.strip = options.strip ?? true;
    this.emptyValue = options.emptyValue === undefined ? '' : options.emptyValue;
    if (this.minLength !== null) this.validators.push(minLengthValidator(Math.trunc(this.minLength)));
    if (this.maxLength !== null) this.validators.push(maxLengthValidator(Math.trunc(this.maxLength)));
    this.validators.push(prohibitNullCharacters);
    this.applyWidgetAttrs();
  }

  override toPython(value: unknown): unknown {
    let text = value;
    if (!this.isEmpty(text)) {
      text = pyStr(text);
      if (this.strip) text = pyStrip(text as string);
    }
    return this.isEmpty(text) ? this.emptyValue : text;
  }

  override widgetAttrs(widget: Widget): Record<string, string | boolean> {
    const attrs = super.widgetAttrs(widget);
    if (this.maxLength !== null && !widget.isHidden) attrs.maxlength = String(this.maxLength);
    if (this.minLength !== null && !widget.isHidden) attrs.minlength = String(this.minLength);
    return attrs;
  }
}

// ---- Numbers ------------------------------------------------------------------

export interface NumberFieldOptions<N, R extends boolean = boolean> extends FieldOptions<R> {
  maxValue?: N | null;
  minValue?: N | null;
  stepSize?: N | null;
}

const INT_TEXT = /^[+-]?\d(?:_?\d)*$/;
const FLOAT_TEXT = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_FLOAT = /^[+-]?(?:inf|infinity|nan)$/i;

/** Python's float(text), or undefined when Python would raise ValueError. */
export function pyFloat(text: string): number | undefined {
  const t = pyStrip(asciiDigits(text));
  if (SPECIAL_FLOAT.test(t)) return /nan/i.test(t) ? NaN : t.startsWith('-') ? -Infinity : Infinity;
  if (!FLOAT_TEXT.test(t)) return undefined;
  return Number(t.replaceAll('_', ''));
}

/**
 * Whole numbers. Accepts "12", " 12 ", "12.0" and "1_000" as Python's int() after Django's trailing ".0" strip.
 *
 * Django keeps integers of any size; a JavaScript number is exact only up to
 * `Number.MAX_SAFE_INTEGER` (2^53 - 1), so a value beyond ±(2^53 - 1) is refused, never
 * rounded: it is Django's `max_value` / `min_value` error with that limit ("Ensure this value
 * is less than or equal to 9007199254740991."), or the field's own limit when it has a
 * smaller one. Use a CharField (or DecimalField) for larger whole numbers.
 *
 * ```ts
 * new IntegerField({ minValue: 1 }).clean('12.0'); // 12
 * new IntegerField().clean('9007199254740993'); // throws max_value: limit 9007199254740991
 * ```
 */
export class IntegerField<R extends boolean = true> extends Field<number, R> {
  static override widget: WidgetCtor = NumberInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a whole number.' };
  maxValue: number | Decimal | null;
  minValue: number | Decimal | null;
  stepSize: number | Decimal | null;

  constructor(options: NumberFieldOptions<number | Decimal, R> = {}) {
    super(options);
    this.maxValue = options.maxValue ?? null;
    this.minValue = options.minValue ?? null;
    this.stepSize = options.stepSize ?? null;
    if (this.maxValue !== null) this.validators.push(maxValueValidator(this.maxValue));
    if (this.minValue !== null) this.validators.push(minValueValidator(this.minValue));
    if (this.stepSize !== null) {
      this.validators.push(stepValueValidator(Number(this.stepSize), this.minValue === null ? null : Number(this.minValue)));
    }
    this.applyWidgetAttrs();
  }

  protected invalid(params?: Record<string, unknown>): ValidationError {
    return new ValidationError(this.errorMessages.invalid!, { code: 'invalid', params });
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    const text = pyStrip(asciiDigits(pyStr(value).replace(/\.0*[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x1c-\x1f]*$/, '')));
    if (!INT_TEXT.test(text)) throw this.invalid();
    const digits = text.replaceAll('_', '');
    const parsed = Number(digits);
    return Number.isSafeInteger(parsed) ? parsed : this.unsafeInteger(digits, parsed);
  }

  /**
   * A whole number a JavaScript number cannot hold exactly (`value` is its rounded double):
   * refused with the limit it passed (the field's own maxValue / minValue when smaller).
   */
  protected unsafeInteger(digits: string, value: number): unknown {
    const over = value > 0;
    const own = over ? this.maxValue : this.minValue;
    const limit = own !== null && (over ? Number(own) < Number.MAX_SAFE_INTEGER : Number(own) > -Number.MAX_SAFE_INTEGER)
      ? own
      : over ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
    const code = over ? 'max_value' : 'min_value';
    const message = this.errorMessages[code] ?? (over
      ? 'Ensure this value is less than or equal to %(limit_value)s.'
      : 'Ensure this value is greater than or equal to %(limit_value)s.');
    throw new ValidationError(message, { code, params: { limit_value: limit, value: digits } });
  }

  override widgetAttrs(widget: Widget): Record<string, string | boolean> {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof NumberInput) {
      if (this.minValue !== null) attrs.min = String(this.minValue);
      if (this.maxValue !== null) attrs.max = String(this.maxValue);
      if (this.stepSize !== null) attrs.step = String(this.stepSize);
    }
    return attrs;
  }
}

/**
 * Floating-point numbers, parsed as Python's float() (so "1e3", "1_000.5"; "inf"/"nan" are rejected as not finite).
 *
 * ```ts
 * new FloatField().clean(' 2.5 '); // 2.5
 * ```
 */
export class FloatField<R extends boolean = true> extends IntegerField<R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a number.' };

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (typeof value === 'number') return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    const parsed = pyFloat(pyStr(value));
    if (parsed === undefined) throw this.invalid();
    return parsed;
  }

  override validate(value: unknown): void {
    super.validate(value);
    if (this.isEmpty(value)) return;
    if (!Number.isFinite(value)) throw this.invalid();
  }

  override widgetAttrs(widget: Widget): Record<string, string | boolean> {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof NumberInput && !('step' in widget.attrs)) {
      attrs.step ??= this.stepSize !== null ? String(this.stepSize) : 'any';
    }
    return attrs;
  }
}

const DECIMAL_TEXT = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_DECIMAL = /^[+-]?(?:inf|infinity|s?nan\d*)$/i;

/** Python's Decimal(text) as a Nuages Decimal, or undefined when Python raises. */
export function pyDecimal(text: string): Decimal | undefined {
  const t = pyStrip(asciiDigits(text));
  if (SPECIAL_DECIMAL.test(t)) return new Decimal(/nan/i.test(t) ? NaN : t.startsWith('-') ? -Infinity : Infinity);
  if (!DECIMAL_TEXT.test(t)) return undefined;
  return new Decimal(t.replaceAll('_', ''));
}

/** (digits, exponent) of a decimal as Python's Decimal.as_tuple() gives for its text. */
function decimalTuple(value: Decimal): { digits: number; exponent: number; zero: boolean } {
  const text = value.toString().replace(/^[+-]/, '');
  const m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text)!;
  const frac = m[2] ?? '';
  let coef = ((m[1] ?? '') + frac).replace(/^0+/, '');
  const zero = coef === '';
  if (zero) coef = '0';
  return { digits: coef.length, exponent: Number(m[3] ?? 0) - frac.length, zero };
}

/** Django's DecimalValidator, counting digits the way Python's Decimal keeps them ("1.50" has 2 places). */
export function pyDecimalValidator(maxDigits: number | null, decimalPlaces: number | null): Validator {
  return (value) => {
    if (!(value instanceof Decimal)) return;
    if (!value.isFinite()) throw new ValidationError('Enter a number.', { code: 'invalid', params: { value } });
    const { digits: n, exponent, zero } = decimalTuple(value);
    let digits: number;
    let decimals: number;
    if (exponent >= 0) {
      digits = n + (zero ? 0 : exponent);
      decimals = 0;
    } else if (-exponent > n) {
      digits = decimals = -exponent;
    } else {
      digits = n;
      decimals = -exponent;
    }
    const whole = digits - decimals;
    const s = (k: number) => (k === 1 ? '' : 's');
    if (maxDigits !== null && digits > maxDigits) {
      throw new ValidationError(`Ensure that there are no more than %(max)s digit${s(maxDigits)} in total.`, {
        code: 'max_digits',
        params: { max: maxDigits, value },
      });
    }
    if (decimalPlaces !== null && decimals > decimalPlaces) {
      throw new ValidationError(`Ensure that there are no more than %(max)s decimal place${s(decimalPlaces)}.`, {
        code: 'max_decimal_places',
        params: { max: decimalPlaces, value },
      });
    }
    if (maxDigits !== null && decimalPlaces !== null && whole > maxDigits - decimalPlaces) {
      const limit = maxDigits - decimalPlaces;
      throw new ValidationError(`Ensure that there are no more than %(max)s digit${s(limit)} before the decimal point.`, {
        code: 'max_whole_digits',
        params: { max: limit, value },
      });
    }
  };
}

export interface DecimalFieldOptions<R extends boolean = boolean> extends NumberFieldOptions<number | Decimal, R> {
  maxDigits?: number | null;
  decimalPlaces?: number | null;
}

/**
 * Exact decimals (Nuages `Decimal`), keeping the places written ("12.50" stays 12.50).
 *
 * ```ts
 * new DecimalField({ maxDigits: 5, decimalPlaces: 2 }).clean('12.50').toString(); // '12.50'
 * ```
 */
export class DecimalField<R extends boolean = true> extends Field<Decimal, R> {
  static override widget: WidgetCtor = NumberInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a number.' };
  maxValue: number | Decimal | null;
  minValue: number | Decimal | null;
  stepSize: number | Decimal | null;
  maxDigits: number | null;
  decimalPlaces: number | null;

  constructor(options: DecimalFieldOptions<R> = {}) {
    super(options);
    this.maxValue = options.maxValue ?? null;
    this.minValue = options.minValue ?? null;
    this.stepSize = options.stepSize ?? null;
    this.maxDigits = options.maxDigits ?? null;
    this.decimalPlaces = options.decimalPlaces ?? null;
    if (this.maxValue !== null) this.validators.push(maxValueValidator(this.maxValue));
    if (this.minValue !== null) this.validators.push(minValueValidator(this.minValue));
    if (this.stepSize !== null) {
      this.validators.push(stepValueValidator(Number(this.stepSize), this.minValue === null ? null : Number(this.minValue)));
    }
    this.validators.push(pyDecimalValidator(this.maxDigits, this.decimalPlaces));
    this.applyWidgetAttrs();
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return null;
    if (value instanceof Decimal) return value;
    const parsed = pyDecimal(pyStr(value));
    if (parsed === undefined) throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
    return parsed;
  }

  override validate(value: unknown): void {
    super.validate(value);
    if (this.isEmpty(value)) return;
    if (!(value as Decimal).isFinite()) throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid', params: { value } });
  }

  override widgetAttrs(widget: Widget): Record<string, string | boolean> {
    const attrs = super.widgetAttrs(widget);
    if (widget instanceof NumberInput) {
      if (this.minValue !== null) attrs.min = String(this.minValue);
      if (this.maxValue !== null) attrs.max = String(this.maxValue);
      if (this.stepSize !== null) attrs.step = String(this.stepSize);
      if (!('step' in widget.attrs)) {
        // Python prints 10**-7 as "1E-7" (lowered by Django) and larger steps in plain digits.
        const places = this.decimalPlaces;
        attrs.step ??= places === null ? 'any' : places > 6 ? `1e-${places}` : places === 0 ? '1' : `0.${'0'.repeat(places - 1)}1`;
      }
    }
    return attrs;
  }
}

// ---- Booleans -----------------------------------------------------------------

/**
 * A checkbox. "false" and "0" (any case) are false, anything else truthy is true; required means it must be checked.
 *
 * ```ts
 * new BooleanField({ required: false }).clean('false'); // false
 * ```
 */
export class BooleanField<R extends boolean = true> extends Field<boolean, R> {
  static override widget: WidgetCtor = CheckboxInput;

  constructor(options: FieldOptions<R> = {}) {
    super(options);
    this.applyWidgetAttrs();
  }

  override toPython(value: unknown): unknown {
    if (typeof value === 'string' && ['false', '0'].includes(value.toLowerCase())) return false;
    return pyTruthy(value);
  }

  override validate(value: unknown): void {
    if (!value && this.required) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    return this.toPython(initial) !== this.toPython(data);
  }
}

/**
 * Yes / no / unknown: true for true, "True", "true", "1"; false for false, "False", "false", "0"; null otherwise.
 *
 * ```ts
 * new NullBooleanField().clean('unknown'); // null
 * ```
 */
export class NullBooleanField<R extends boolean = true> extends BooleanField<R> {
  static override widget: WidgetCtor = NullBooleanSelect;

  override toPython(value: unknown): unknown {
    if (value === true || value === 1 || value === 'True' || value === 'true' || value === '1') return true;
    if (value === false || value === 0 || value === 'False' || value === 'false' || value === '0') return false;
    return null;
  }

  override validate(_value: unknown): void {}
}

/** Python's bool(value). */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Decimal) return !value.isZero();
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value).length > 0;
  return Boolean(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

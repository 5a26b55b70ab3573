/**
 * Choice fields: one or several values from a list of choices, optionally coerced.
 *
 * Choices are Django's shapes: `[value, label]` pairs, groups `[groupLabel,
 * pairs]`, an object `{ value: label }` (a nested object is a group), or a
 * function returning any of those (called each time the choices are read).
 */
import { ValidationError } from '../../core/exceptions.ts';
import { MultipleHiddenInput, Select, SelectMultiple, type Widget } from '../widgets.ts';
import { Field, type FieldOptions } from './base.ts';
import { pyStr, valuesEqual } from './python.ts';

type WidgetCtor = new () => Widget;

/** One choice: `[value, label]`, or a group `[groupLabel, choices]`. */
export type Choice = readonly [unknown, unknown];
/** Choices as a field or model accepts them. */
export type ChoicesInput =
  | Iterable<Choice>
  | Readonly<Record<string, unknown>>
  | (() => Iterable<Choice> | Readonly<Record<string, unknown>>);
/** Normalised choices: pairs, where a group's label holds its own pairs. */
export type NormalizedChoices = Array<[unknown, unknown]>;

function isGroupBody(label: unknown): boolean {
  return (Array.isArray(label) && label.every((c) => Array.isArray(c) && c.length === 2)) ||
    (typeof label === 'object' && label !== null && Object.getPrototypeOf(label) === Object.prototype);
}

/**
 * Django's normalize_choices: every accepted shape → `[value, label]` pairs, groups' labels → pairs.
 *
 * ```ts
 * normalizeChoices({ a: 'A', Group: { b: 'B' } }); // [['a', 'A'], ['Group', [['b', 'B']]]]
 * ```
 */
export function normalizeChoices(input: ChoicesInput | null | undefined, depth = 0): NormalizedChoices {
  if (input === null || input === undefined) return [];
  if (typeof input === 'function') return normalizeChoices(input(), depth);
  const entries: Iterable<readonly [unknown, unknown]> =
    typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype
      ? Object.entries(input as Record<string, unknown>)
      : (input as Iterable<Choice>);
  const out: NormalizedChoices = [];
  for (const [value, label] of entries) {
    if (depth === 0 && isGroupBody(label)) out.push([value, normalizeChoices(label as ChoicesInput, 1)]);
    else out.push([value, label]);
  }
  return out;
}

export interface ChoiceFieldOptions<R extends boolean = boolean> extends FieldOptions<R> {
  choices?: ChoicesInput;
}

/**
 * One value from `choices`; cleans to the submitted text.
 *
 * ```ts
 * new ChoiceField({ choices: [['s', 'Small'], ['l', 'Large']] }).clean('s'); // 's'
 * ```
 */
export class ChoiceField<R extends boolean = true> extends Field<string, R> {
  static override widget: WidgetCtor = Select;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'Select a valid choice. %(value)s is not one of the available choices.',
  };
  // Django's name; a plain property so Field.clone() copies it.
  protected _choices: ChoicesInput = [];

  constructor(options: ChoiceFieldOptions<R> = {}) {
    super(options);
    this.choices = options.choices ?? [];
  }

  /** The normalised choices (a function given as choices is called on each read). */
  get choices(): NormalizedChoices {
    return normalizeChoices(this._choices);
  }

  set choices(value: ChoicesInput) {
    this._choices = value;
    (this.widget as { choices?: unknown }).choices = normalizeChoices(value);
  }

  override toPython(value: unknown): unknown {
    return this.isEmpty(value) ? '' : pyStr(value);
  }

  override validate(value: unknown): void {
    super.validate(value);
    if (value && !this.validValue(value)) {
      throw new ValidationError(this.errorMessages.invalid_choice!, { code: 'invalid_choice', params: { value } });
    }
  }

  /** Whether `value` is one of the choices, compared as-is or as text (so 1 matches '1'). */
  validValue(value: unknown): boolean {
    return choicesContain(this.choices, value);
  }
}

/** Django's valid_value: `value == key` or `str(value) == str(key)`, looking inside groups. */
export function choicesContain(choices: NormalizedChoices, value: unknown): boolean {
  const text = pyStr(value);
  const matches = (k: unknown) => valuesEqual(value, k) || text === pyStr(k);
  for (const [k, v] of choices) {
    if (Array.isArray(v)) {
      if (v.some(([k2]: [unknown, unknown]) => matches(k2))) return true;
    } else if (matches(k)) {
      return true;
    }
  }
  return false;
}

/** `coerce(choice)`, a coercion that throws being Django's invalid_choice error for that choice. */
function coerceChoice<T>(coerce: (value: string) => T, choice: string, messages: Record<string, string>): T {
  try {
    return coerce(choice);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new ValidationError(messages['invalid_choice']!, { code: 'invalid_choice', params: { value: choice } });
  }
}

export interface TypedChoiceFieldOptions<T, R extends boolean = boolean> extends ChoiceFieldOptions<R> {
  /** Converts the chosen text; throwing makes the choice invalid. Default: identity. */
  coerce?: (value: string) => T;
  /** What an empty choice cleans to. Default ''. */
  emptyValue?: unknown;
}

/**
 * A ChoiceField whose value goes through `coerce`.
 *
 * ```ts
 * new TypedChoiceField({ choices: [[1, 'One']], coerce: Number }).clean('1'); // 1
 * ```
 */
export class TypedChoiceField<T = string, R extends boolean = true> extends ChoiceField<R> {
  coerce: (value: string) => T;
  emptyValue: unknown;

  constructor(options: TypedChoiceFieldOptions<T, R> = {}) {
    super(options);
    this.coerce = options.coerce ?? ((v: string) => v as unknown as T);
    this.emptyValue = options.emptyValue === undefined ? '' : options.emptyValue;
  }

  /** Applies coerce; the empty value passes through. Used by hasChanged too. */
  coerceValue(value: unknown): unknown {
    if (valuesEqual(value, this.emptyValue) || this.isEmpty(value)) return this.emptyValue;
    return coerceChoice(this.coerce, value as string, this.errorMessages);
  }

  // @ts-expect-error T differs from ChoiceField's string; the runtime shape is the same.
  override clean(value: unknown): R extends true ? T : T | null {
    return this.coerceValue(super.clean(value)) as R extends true ? T : T | null;
  }
}

/**
 * Several values from `choices` (SelectMultiple); cleans to a list of texts.
 *
 * ```ts
 * new MultipleChoiceField({ choices: [['a', 'A'], ['b', 'B']] }).clean(['a', 'b']); // ['a', 'b']
 * ```
 */
export class MultipleChoiceField<R extends boolean = true> extends Field<string[], R> {
  static override widget: WidgetCtor = SelectMultiple;
  static override hiddenWidget: WidgetCtor = MultipleHiddenInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = {
    invalid_choice: 'Select a valid choice. %(value)s is not one of the available choices.',
    invalid_list: 'Enter a list of values.',
  };
  // Django's name; a plain property so Field.clone() copies it.
  protected _choices: ChoicesInput = [];

  constructor(options: ChoiceFieldOptions<R> = {}) {
    super(options);
    this.choices = options.choices ?? [];
  }

  get choices(): NormalizedChoices {
    return normalizeChoices(this._choices);
  }

  set choices(value: ChoicesInput) {
    this._choices = value;
    (this.widget as { choices?: unknown }).choices = normalizeChoices(value);
  }

  validValue(value: unknown): boolean {
    return choicesContain(this.choices, value);
  }

  override toPython(value: unknown): unknown {
    if (!value || (Array.isArray(value) && value.length === 0)) return [];
    if (!Array.isArray(value)) throw new ValidationError(this.errorMessages.invalid_list!, { code: 'invalid_list' });
    return value.map((v) => pyStr(v));
  }

  override validate(value: unknown): void {
    const list = value as unknown[];
    if (this.required && !list.length) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
    for (const v of list) {
      if (!this.validValue(v)) {
        throw new ValidationError(this.errorMessages.invalid_choice!, { code: 'invalid_choice', params: { value: v } });
      }
    }
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (this.disabled) return false;
    const a = (initial ?? []) as unknown[];
    const b = (data ?? []) as unknown[];
    if (a.length !== b.length) return true;
    const sa = new Set(a.map(pyStr));
    const sb = new Set(b.map(pyStr));
    return sa.size !== sb.size || [...sa].some((x) => !sb.has(x));
  }
}

export interface TypedMultipleChoiceFieldOptions<T, R extends boolean = boolean> extends ChoiceFieldOptions<R> {
  coerce?: (value: string) => T;
  /** What no choice cleans to. Default []. */
  emptyValue?: unknown;
}

/**
 * A MultipleChoiceField whose values each go through `coerce`.
 *
 * ```ts
 * new TypedMultipleChoiceField({ choices: [[1, 'One'], [2, 'Two']], coerce: Number }).clean(['1', '2']); // [1, 2]
 * ```
 */
export class TypedMultipleChoiceField<T = string, R extends boolean = true> extends MultipleChoiceField<R> {
  coerce: (value: string) => T;
  emptyValue: unknown;

  constructor(options: TypedMultipleChoiceFieldOptions<T, R> = {}) {
    super(options);
    this.coerce = options.coerce ?? ((v: string) => v as unknown as T);
    this.emptyValue = options.emptyValue === undefined ? [] : options.emptyValue;
  }

  coerceValue(value: unknown): unknown {
    if (valuesEqual(value, this.emptyValue) || !value || (Array.isArray(value) && !value.length)) return this.emptyValue;
    return (value as string[]).map((choice) => coerceChoice(this.coerce, choice, this.errorMessages));
  }

  // @ts-expect-error T[] differs from MultipleChoiceField's string[]; the runtime shape is the same.
  override clean(value: unknown): R extends true ? T[] : T[] | null {
    return this.coerceValue(super.clean(value)) as R extends true ? T[] : T[] | null;
  }

  override validate(value: unknown): void {
    if (!valuesEqual(value, this.emptyValue)) super.validate(value);
    else if (this.required) throw new ValidationError(this.errorMessages.required!, { code: 'required' });
  }
}

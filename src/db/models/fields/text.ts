/** Character and text fields, and the ones that validate a format (email, slug, URL). */
import { maxLengthValidator, urlValidator, validateEmail, validateSlug, type Validator } from '../../../core/validators.ts';
import { Field, type FieldOptions } from './field.ts';

export interface CharFieldOptions<N extends boolean> extends FieldOptions<string> {
  maxLength?: number;
  null?: N;
}

/** Text of bounded length. Non-string values are stringified, as Django's to_python does. */
export class CharField<N extends boolean = false> extends Field<string, N> {
  readonly internalType: string = 'CharField';
  readonly maxLength: number | null;

  constructor(options: CharFieldOptions<N> = {}) {
    super(options);
    this.maxLength = options.maxLength ?? this.defaultMaxLength();
    this.requireOption(
      this.maxLength === null || (Number.isInteger(this.maxLength) && this.maxLength > 0),
      'maxLength must be a positive integer, e.g. new CharField({ maxLength: 200 }).',
    );
  }

  protected defaultMaxLength(): number | null {
    return null;
  }

  protected override emptyDefault(): string {
    return '';
  }

  override toPython(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return value;
    // String(['a']) is 'a' and String({}) '[object Object]': both would silently match or store the wrong text.
    const proto = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
    if (Array.isArray(value) || proto === Object.prototype || proto === null) {
      const got = Array.isArray(value) ? 'an array (use the __in lookup to match several values)' : 'a plain object';
      throw this.invalid(value, `Value must be a string; got ${got}.`);
    }
    return String(value);
  }

  override builtinValidators(): readonly Validator[] {
    return this.maxLength === null ? [] : [maxLengthValidator(this.maxLength)];
  }

  override dbParameters(): Record<string, unknown> {
    return { maxLength: this.maxLength };
  }
}

export class TextField<N extends boolean = false> extends CharField<N> {
  override readonly internalType: string = 'TextField';
}

export class EmailField<N extends boolean = false> extends CharField<N> {
  protected override defaultMaxLength(): number {
    return 254;
  }

  override builtinValidators(): readonly Validator[] {
    return [...super.builtinValidators(), validateEmail];
  }
}

export class SlugField<N extends boolean = false> extends CharField<N> {
  override readonly internalType: string = 'SlugField';

  constructor(options: CharFieldOptions<N> = {}) {
    super({ dbIndex: true, ...options });
  }

  protected override defaultMaxLength(): number {
    return 50;
  }

  override builtinValidators(): readonly Validator[] {
    return [...super.builtinValidators(), validateSlug];
  }
}

export class URLField<N extends boolean = false> extends CharField<N> {
  protected override defaultMaxLength(): number {
    return 200;
  }

  override builtinValidators(): readonly Validator[] {
    return [...super.builtinValidators(), urlValidator()];
  }
}

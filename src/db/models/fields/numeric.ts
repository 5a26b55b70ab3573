/** Integer, float and decimal fields, and the auto-incrementing primary keys. */
import { Decimal as DecimalJs } from 'decimal.js';
import { Decimal } from '../../../utils/decimal.ts';
import { decimalValidator, maxValueValidator, minValueValidator, type Validator } from '../../../core/validators.ts';
import type { DatabaseFeatures, SqlParam } from '../../backends/base/types.ts';
import { Field, type DbConverter, type FieldOptions } from './field.ts';

const INTEGER_TEXT = /^[+-]?\d+$/;

/** Integers in a range; out-of-range or non-integral values are refused before SQL runs. */
export class IntegerField<N extends boolean = false> extends Field<number, N> {
  readonly internalType: string = 'IntegerField';
  protected readonly range: readonly [number, number] = [-2147483648, 2147483647];

  override toPython(value: unknown): number | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') {
      if (Number.isInteger(value)) return value;
      throw this.invalid(value, `“${value}” value must be an integer.`);
    }
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof DecimalJs && value.isInteger()) return value.toNumber();
    if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return Number(value.trim());
    throw this.invalid(value, `“${String(value)}” value must be an integer.`);
  }

  override builtinValidators(): readonly Validator[] {
    return [minValueValidator(this.range[0]), maxValueValidator(this.range[1])];
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    // A database with native decimals computes some integers as numeric (SUM of bigint),
    // which the driver reads as exact text; Django's expression converter makes them ints.
    return features.hasNativeDecimal ? numberFromText : null;
  }
}

/** Numeric text from the driver as a number; numbers (and BigInts) pass through. */
const numberFromText = (raw: unknown): unknown => (typeof raw === 'string' ? Number(raw) : raw);

export class SmallIntegerField<N extends boolean = false> extends IntegerField<N> {
  override readonly internalType: string = 'SmallIntegerField';
  protected override readonly range: readonly [number, number] = [-32768, 32767];
}

export class BigIntegerField<N extends boolean = false> extends IntegerField<N> {
  override readonly internalType: string = 'BigIntegerField';
  protected override readonly range: readonly [number, number] = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
}

export class PositiveIntegerField<N extends boolean = false> extends IntegerField<N> {
  override readonly internalType: string = 'PositiveIntegerField';
  protected override readonly range: readonly [number, number] = [0, 2147483647];
}

export class PositiveSmallIntegerField<N extends boolean = false> extends IntegerField<N> {
  override readonly internalType: string = 'PositiveSmallIntegerField';
  protected override readonly range: readonly [number, number] = [0, 32767];
}

export class PositiveBigIntegerField<N extends boolean = false> extends IntegerField<N> {
  override readonly internalType: string = 'PositiveBigIntegerField';
  protected override readonly range: readonly [number, number] = [0, Number.MAX_SAFE_INTEGER];
}

/** An integer primary key the database assigns on insert. */
export class AutoField extends IntegerField<false> {
  override readonly internalType: string = 'AutoField';
  override readonly isAuto = true;

  constructor(options: FieldOptions<number> = {}) {
    super({ primaryKey: true, ...options, blank: true } as FieldOptions<number> & { null?: false });
  }
}

export class BigAutoField extends AutoField {
  override readonly internalType: string = 'BigAutoField';
  protected override readonly range: readonly [number, number] = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
}

export class SmallAutoField extends AutoField {
  override readonly internalType: string = 'SmallAutoField';
  protected override readonly range: readonly [number, number] = [-32768, 32767];
}

export class FloatField<N extends boolean = false> extends Field<number, N> {
  readonly internalType: string = 'FloatField';

  override toPython(value: unknown): number | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'number') return value;
    if (value instanceof DecimalJs) return value.toNumber();
    if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
    throw this.invalid(value, `“${String(value)}” value must be a float.`);
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    // AVG of integers is numeric on PostgreSQL, read as exact text: Django returns a float.
    return features.hasNativeDecimal ? numberFromText : null;
  }
}

export interface DecimalFieldOptions<N extends boolean> extends FieldOptions<Decimal> {
  maxDigits: number;
  decimalPlaces: number;
  null?: N;
}

/**
 * Exact decimal numbers as decimal.js `Decimal`, never a JavaScript float.
 * Numbers given as JS floats are converted through their shortest decimal text,
 * so `19.99` stays `19.99`.
 */
export class DecimalField<N extends boolean = false> extends Field<Decimal, N> {
  readonly internalType: string = 'DecimalField';
  readonly maxDigits: number;
  readonly decimalPlaces: number;

  constructor(options: DecimalFieldOptions<N>) {
    super(options);
    this.maxDigits = options.maxDigits;
    this.decimalPlaces = options.decimalPlaces;
    this.requireOption(
      Number.isInteger(this.maxDigits) && this.maxDigits > 0,
      'maxDigits must be a positive integer, e.g. new DecimalField({ maxDigits: 8, decimalPlaces: 2 }).',
    );
    this.requireOption(
      Number.isInteger(this.decimalPlaces) && this.decimalPlaces >= 0 && this.decimalPlaces <= this.maxDigits,
      'decimalPlaces must be an integer between 0 and maxDigits.',
    );
  }

  override toPython(value: unknown): Decimal | null {
    if (value === null || value === undefined) return null;
    if (value instanceof Decimal) return value;
    if (value instanceof DecimalJs) return new Decimal(value);
    if (typeof value === 'number' || typeof value === 'bigint') {
      if (typeof value === 'number' && !Number.isFinite(value)) throw this.invalid(value, `“${value}” value must be a decimal number.`);
      return new Decimal(String(value));
    }
    if (typeof value === 'string') {
      try {
        const d = new Decimal(value.trim());
        if (d.isFinite()) return d;
      } catch {
        // fall through to the validation error
      }
    }
    throw this.invalid(value, `“${String(value)}” value must be a decimal number.`);
  }

  override toDb(value: unknown): SqlParam {
    if (value === null || value === undefined) return null;
    // Text keeps every digit; the column's numeric affinity compares it as a number.
    return (value as Decimal).toFixed();
  }

  override dbConverter(features: DatabaseFeatures): DbConverter {
    const places = this.decimalPlaces;
    if (features.hasNativeDecimal) return (raw) => (raw === null ? null : new Decimal(raw as string));
    // SQLite keeps decimals as REAL: quantize back to the declared places through
    // 15 significant digits, as Django does, so 19.99 reads back as 19.99.
    return (raw) => {
      if (raw === null) return null;
      // Below 15 significant digits toFixed recovers the stored digits exactly: one allocation per value.
      if (typeof raw === 'number' && Math.abs(raw) < 1e15 / 10 ** places) return new Decimal(raw.toFixed(places), places);
      return Decimal.quantized(typeof raw === 'number' ? raw.toPrecision(15) : String(raw), places);
    };
  }

  override builtinValidators(): readonly Validator[] {
    return [decimalValidator(this.maxDigits, this.decimalPlaces)];
  }

  override dbParameters(): Record<string, unknown> {
    return { maxDigits: this.maxDigits, decimalPlaces: this.decimalPlaces };
  }
}

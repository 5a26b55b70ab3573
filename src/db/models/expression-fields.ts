/**
 * Output-field rules for expressions, as Django has them: the field an
 * expression's value is read back as (and so its converter), inferred from its
 * sources when not given.
 *
 * - a literal's type follows the JavaScript value (string → CharField, integer →
 *   IntegerField, non-integer → FloatField, Decimal → DecimalField, DateOnly →
 *   DateField, Date → DateTimeField, boolean → BooleanField);
 * - a function of several sources takes their common type, and refuses mixed
 *   types with Django's "Expression contains mixed types" until an outputField is given;
 * - a computed decimal on SQLite comes back as a float, read as Django reads it:
 *   at 15 significant digits, not rounded to the column's places.
 */
import { Decimal as DecimalJs } from 'decimal.js';
import { FieldError } from '../../core/exceptions.ts';
import { DateOnly } from '../../utils/dates.ts';
import { Decimal } from '../../utils/decimal.ts';
import type { DatabaseFeatures } from '../backends/base/types.ts';
import type { DbConverter, Field } from './fields/field.ts';
import { BooleanField } from './fields/misc.ts';
import { DecimalField, FloatField, IntegerField } from './fields/numeric.ts';
import { DateField, DateTimeField } from './fields/temporal.ts';
import { CharField } from './fields/text.ts';

/**
 * Python's `Context(prec=15).create_decimal_from_float(x)`: the float's exact
 * value when it has 15 significant digits or fewer, else rounded to 15 (keeping
 * the trailing zeros, as Django's SQLite backend returns them).
 */
export function decimalFromFloat(x: number): Decimal {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return new Decimal(String(x));
  const exact = x.toPrecision(100);
  const mantissa = exact.replace(/e.*$/, '');
  const digits = mantissa.replace(/^-?0*\.?0*/, '').replace('.', '');
  if (/^0*$/.test(digits.slice(15))) {
    return new Decimal(mantissa.includes('.') && !/e/.test(exact) ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : new DecimalJs(exact).toString());
  }
  const rounded = x.toPrecision(15);
  return /e/.test(rounded) ? new Decimal(new DecimalJs(rounded)) : new Decimal(rounded);
}

/** A decimal computed by the database (Sum, Avg, Case…), read back as Django reads it. */
export class ExpressionDecimalField extends DecimalField {
  override dbConverter(features: DatabaseFeatures): DbConverter {
    if (features.hasNativeDecimal) return super.dbConverter(features);
    return (raw) => {
      if (raw === null || raw === undefined) return null;
      if (typeof raw === 'number') return decimalFromFloat(raw);
      return new Decimal(String(raw));
    };
  }
}

const expressionDecimals = new WeakMap<Field, ExpressionDecimalField>();

/** The field a computed (non-column) value is read back as: decimals get the expression converter. */
export function expressionOutput(field: Field | undefined): Field | undefined {
  if (!(field instanceof DecimalField) || field instanceof ExpressionDecimalField) return field;
  let out = expressionDecimals.get(field);
  if (!out) {
    out = new ExpressionDecimalField({ maxDigits: field.maxDigits, decimalPlaces: field.decimalPlaces });
    expressionDecimals.set(field, out);
  }
  return out;
}

/** Whether values of `field` are decimals (so SQLite needs numeric affinity on the result). */
export function isDecimalField(field: Field | undefined): boolean {
  return field?.internalType === 'DecimalField';
}

const integerOutput = new IntegerField();
const floatOutput = new FloatField();
const charOutput = new CharField({ maxLength: 255 });
const booleanOutput = new BooleanField();
const dateOutput = new DateField();
const dateTimeOutput = new DateTimeField();
const decimalOutput = new ExpressionDecimalField({ maxDigits: 65, decimalPlaces: 30 });

/** Shared output fields for expressions whose type is fixed (Count → integer, Avg of integers → float). */
export const OUTPUT = Object.freeze({
  integer: integerOutput as Field,
  float: floatOutput as Field,
  char: charOutput as Field,
  boolean: booleanOutput as Field,
  date: dateOutput as Field,
  datetime: dateTimeOutput as Field,
  decimal: decimalOutput as Field,
});

/** The field Django infers for a literal value, or undefined for null. */
export function fieldForValue(value: unknown): Field | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return charOutput;
  if (typeof value === 'boolean') return booleanOutput;
  if (typeof value === 'bigint') return integerOutput;
  if (typeof value === 'number') return Number.isInteger(value) ? integerOutput : floatOutput;
  if (value instanceof DecimalJs) return decimalOutput;
  if (value instanceof DateOnly) return dateOutput;
  if (value instanceof Date) return dateTimeOutput;
  return undefined;
}

/** The class used to compare source types: a computed decimal counts as a DecimalField. */
function typeOf(field: Field): abstract new (...args: never[]) => Field {
  return (field instanceof ExpressionDecimalField ? DecimalField : field.constructor) as abstract new (...args: never[]) => Field;
}

/**
 * The common output field of `sources` (Django's _resolve_output_field): the
 * first known one, provided every other is of its class or a parent class.
 */
export function commonOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
  const known = sources.filter((f): f is Field => f !== undefined);
  const [first] = known;
  if (!first) return undefined;
  for (const source of known) {
    if (!((first as object) instanceof typeOf(source))) {
      const names = known.map((f) => typeOf(f).name);
      throw new FieldError(`Expression contains mixed types: ${[...new Set(names)].join(', ')}. You must set outputField.`);
    }
  }
  return first;
}

/** Django's NumericOutputFieldMixin: decimals stay decimals, integers average to floats. */
export function numericOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
  const known = sources.filter((f): f is Field => f !== undefined);
  if (known.some((f) => f instanceof DecimalField)) return expressionOutput(known.find((f) => f instanceof DecimalField));
  if (known.some((f) => f instanceof IntegerField)) return floatOutput;
  return commonOutputField(known);
}

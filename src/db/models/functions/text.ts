/**
 * Text functions: Concat, Lower, Upper, Length, Trim, LTrim, RTrim, Substr,
 * Left, Replace, StrIndex.
 *
 * As in Django, a string argument names a field; wrap literal text in `Value()`:
 * ```ts
 * await Author.objects.annotate({ full: Concat('first', Value(' '), 'last') })
 * // SELECT …, COALESCE("author"."first", '') || COALESCE(?, '') || COALESCE("author"."last", '') AS "full"
 * ```
 */
import { Func, ValueExpression, type FuncOptions } from '../expressions.ts';
import { OUTPUT } from '../expression-fields.ts';
import type { Field } from '../fields/field.ts';
import { TextField } from '../fields/text.ts';
import { splitOptions } from './comparison.ts';

/** Joins text; NULL parts count as empty text, as in Django. */
export class ConcatFunc extends Func {
  constructor(expressions: readonly unknown[], options: FuncOptions = {}) {
    if (expressions.length < 2) throw new TypeError('Concat must take at least two expressions.');
    super(expressions, { ...options, fn: 'CONCAT', template: expressions.map(() => "COALESCE(%s, '')").join(' || ') });
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field {
    return sources.some((f) => f instanceof TextField) ? new TextField() : OUTPUT.char;
  }
}

export function Concat(...args: unknown[]): ConcatFunc {
  const { expressions, options } = splitOptions(args);
  return new ConcatFunc(expressions, options);
}

/** A one-argument function whose result has the argument's type. */
class UnaryText extends Func {
  constructor(fn: string, expression: unknown, options: FuncOptions = {}) {
    super([expression], { ...options, fn });
  }
}

export class LowerFunc extends UnaryText {}
export class UpperFunc extends UnaryText {}
export class TrimFunc extends UnaryText {}

/** `Lower('title')`: LOWER("book"."title"). */
export function Lower(expression: unknown, options?: FuncOptions): LowerFunc {
  return new LowerFunc('LOWER', expression, options);
}

export function Upper(expression: unknown, options?: FuncOptions): UpperFunc {
  return new UpperFunc('UPPER', expression, options);
}

export function Trim(expression: unknown, options?: FuncOptions): TrimFunc {
  return new TrimFunc('TRIM', expression, options);
}

export function LTrim(expression: unknown, options?: FuncOptions): TrimFunc {
  return new TrimFunc('LTRIM', expression, options);
}

export function RTrim(expression: unknown, options?: FuncOptions): TrimFunc {
  return new TrimFunc('RTRIM', expression, options);
}

/** The number of characters, an integer (NULL for NULL). */
export class LengthFunc extends Func {
  constructor(expression: unknown) {
    super([expression], { fn: 'LENGTH', outputField: OUTPUT.integer });
  }
}

export function Length(expression: unknown): LengthFunc {
  return new LengthFunc(expression);
}

/** Characters from `position` (1-based), `length` of them or to the end. */
export class SubstrFunc extends Func {
  constructor(expression: unknown, position: unknown, length?: unknown) {
    if (typeof position === 'number' && position <= 0) throw new TypeError("Substr's position must be greater than 0.");
    super(length === undefined ? [expression, position] : [expression, position, length], { fn: 'SUBSTR' });
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return sources[0];
  }
}

export function Substr(expression: unknown, position: unknown, length?: unknown): SubstrFunc {
  return new SubstrFunc(expression, position, length);
}

/** The first `length` characters. */
export class LeftFunc extends Func {
  constructor(expression: unknown, length: unknown) {
    if (typeof length === 'number' && length <= 0) throw new TypeError("Left's length must be greater than 0.");
    super([expression, length], { template: 'SUBSTR(%s, 1, %s)' });
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return sources[0];
  }
}

export function Left(expression: unknown, length: unknown): LeftFunc {
  return new LeftFunc(expression, length);
}

/** Every occurrence of `text` replaced by `replacement` (default: removed). */
export class ReplaceFunc extends Func {
  constructor(expression: unknown, text: unknown, replacement: unknown) {
    super([expression, text, replacement], { fn: 'REPLACE' });
  }

  protected override resolveOutputField(sources: readonly (Field | undefined)[]): Field | undefined {
    return sources[0];
  }
}

export function Replace(expression: unknown, text: unknown, replacement?: unknown): ReplaceFunc {
  return new ReplaceFunc(expression, text, replacement === undefined ? new ValueExpression('') : replacement);
}

/** The 1-based position of `substring`, 0 when absent (INSTR). */
export class StrIndexFunc extends Func {
  constructor(expression: unknown, substring: unknown) {
    super([expression, substring], { fn: 'INSTR', outputField: OUTPUT.integer });
  }
}

export function StrIndex(expression: unknown, substring: unknown): StrIndexFunc {
  return new StrIndexFunc(expression, substring);
}

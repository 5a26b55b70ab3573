/**
 * Date and time functions: Now, Extract and its Extract* family, Trunc and its
 * Trunc* family. Parts of datetimes are taken in the current time zone, as
 * Django does with USE_TZ.
 *
 * ```ts
 * await Book.objects.annotate({ year: ExtractYear('pubdate') }).values('year').annotate({ n: Count('id') })
 * await Order.objects.annotate({ day: TruncDay('created') })   // a Date at local midnight, as UTC
 * ```
 */
import { FieldError } from '../../../core/exceptions.ts';
import { getCurrentTimeZone } from '../../../utils/timezone.ts';
import { Expression, FExpression, toExpression, type ResolveContext } from '../expressions.ts';
import { OUTPUT } from '../expression-fields.ts';
import type { Field } from '../fields/field.ts';
import { DateField, DateTimeField, TimeField } from '../fields/temporal.ts';
import type { ExprNode } from '../sql/nodes.ts';

function source(value: unknown): Expression {
  return typeof value === 'string' ? new FExpression(value) : toExpression(value);
}

/** The current date and time, read by the database at the start of the statement. */
export class NowFunc extends Expression {
  resolve(): { node: ExprNode; field: Field | undefined } {
    // CURRENT_TIMESTAMP has no fractional seconds on SQLite; strftime keeps milliseconds.
    return { node: { kind: 'func', name: 'NOW', args: [], template: "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')" }, field: OUTPUT.datetime };
  }
}

export function Now(): NowFunc {
  return new NowFunc();
}

const DATE_PARTS = ['year', 'iso_year', 'month', 'day', 'week', 'week_day', 'iso_week_day', 'quarter'] as const;
const TIME_PARTS = ['hour', 'minute', 'second'] as const;

export type ExtractPart = (typeof DATE_PARTS)[number] | (typeof TIME_PARTS)[number];

/** A part of a date, datetime or time as an integer: `Extract('pubdate', 'year')`. */
export class ExtractFunc extends Expression {
  readonly expression: Expression;
  readonly part: ExtractPart;

  constructor(expression: unknown, part: ExtractPart) {
    super();
    if (![...DATE_PARTS, ...TIME_PARTS].includes(part)) {
      throw new FieldError(`Extract: '${String(part)}' is not a date part; use one of ${[...DATE_PARTS, ...TIME_PARTS].join(', ')}.`);
    }
    this.expression = source(expression);
    this.part = part;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const { node, field } = this.expression.resolve(context);
    const isTime = field instanceof TimeField;
    const isDate = field instanceof DateField && !(field instanceof DateTimeField);
    if (field && !(field instanceof DateField) && !(field instanceof DateTimeField) && !isTime) {
      throw new FieldError(`Extract requires a DateField, DateTimeField or TimeField; ${field.label} is ${field.internalType}.`);
    }
    if (isTime && (DATE_PARTS as readonly string[]).includes(this.part)) throw new FieldError(`Cannot extract '${this.part}' from TimeField ${field.label}.`);
    if (isDate && (TIME_PARTS as readonly string[]).includes(this.part)) throw new FieldError(`Cannot extract '${this.part}' from DateField ${field.label}.`);
    return { node: { kind: 'transform', name: this.part, arg: node, timeZone: getCurrentTimeZone() }, field: OUTPUT.integer };
  }
}

export function Extract(expression: unknown, part: ExtractPart): ExtractFunc {
  return new ExtractFunc(expression, part);
}

export const ExtractYear = (e: unknown): ExtractFunc => new ExtractFunc(e, 'year');
export const ExtractIsoYear = (e: unknown): ExtractFunc => new ExtractFunc(e, 'iso_year');
export const ExtractMonth = (e: unknown): ExtractFunc => new ExtractFunc(e, 'month');
export const ExtractDay = (e: unknown): ExtractFunc => new ExtractFunc(e, 'day');
export const ExtractWeek = (e: unknown): ExtractFunc => new ExtractFunc(e, 'week');
/** 1 = Sunday … 7 = Saturday, as Django's week_day. */
export const ExtractWeekDay = (e: unknown): ExtractFunc => new ExtractFunc(e, 'week_day');
/** 1 = Monday … 7 = Sunday. */
export const ExtractIsoWeekDay = (e: unknown): ExtractFunc => new ExtractFunc(e, 'iso_week_day');
export const ExtractQuarter = (e: unknown): ExtractFunc => new ExtractFunc(e, 'quarter');
export const ExtractHour = (e: unknown): ExtractFunc => new ExtractFunc(e, 'hour');
export const ExtractMinute = (e: unknown): ExtractFunc => new ExtractFunc(e, 'minute');
export const ExtractSecond = (e: unknown): ExtractFunc => new ExtractFunc(e, 'second');

const TRUNC_KINDS = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second'] as const;

export type TruncKind = (typeof TRUNC_KINDS)[number];

/**
 * A date or datetime truncated to `kind`, keeping its type: `Trunc('created', 'month')`
 * is the first instant of the month in the current time zone.
 */
export class TruncFunc extends Expression {
  readonly expression: Expression;
  readonly kind: TruncKind;

  constructor(expression: unknown, kind: TruncKind) {
    super();
    if (!TRUNC_KINDS.includes(kind)) throw new FieldError(`Trunc: '${String(kind)}' is not a truncation; use one of ${TRUNC_KINDS.join(', ')}.`);
    this.expression = source(expression);
    this.kind = kind;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const { node, field } = this.expression.resolve(context);
    const isDateTime = field instanceof DateTimeField;
    if (!(field instanceof DateField) && !isDateTime) {
      throw new FieldError(`Trunc requires a DateField or DateTimeField; ${field ? `${field.label} is ${field.internalType}` : 'the expression has no date type'}.`);
    }
    if (!isDateTime && ['hour', 'minute', 'second'].includes(this.kind)) throw new FieldError(`Cannot truncate DateField ${field.label} to '${this.kind}'.`);
    const zone = isDateTime ? getCurrentTimeZone() : null;
    const truncated: ExprNode = { kind: 'func', name: 'nuages_date_trunc', args: [{ kind: 'param', value: this.kind }, node, { kind: 'param', value: zone }] };
    return { node: truncated, field: isDateTime ? OUTPUT.datetime : OUTPUT.date };
  }
}

export function Trunc(expression: unknown, kind: TruncKind): TruncFunc {
  return new TruncFunc(expression, kind);
}

export const TruncYear = (e: unknown): TruncFunc => new TruncFunc(e, 'year');
export const TruncMonth = (e: unknown): TruncFunc => new TruncFunc(e, 'month');
export const TruncWeek = (e: unknown): TruncFunc => new TruncFunc(e, 'week');
export const TruncDay = (e: unknown): TruncFunc => new TruncFunc(e, 'day');
export const TruncHour = (e: unknown): TruncFunc => new TruncFunc(e, 'hour');
export const TruncMinute = (e: unknown): TruncFunc => new TruncFunc(e, 'minute');
export const TruncSecond = (e: unknown): TruncFunc => new TruncFunc(e, 'second');

/** The date of a datetime in the current time zone. */
export class TruncDateFunc extends Expression {
  readonly expression: Expression;
  readonly to: 'date' | 'time';

  constructor(expression: unknown, to: 'date' | 'time') {
    super();
    this.expression = source(expression);
    this.to = to;
  }

  resolve(context: ResolveContext): { node: ExprNode; field: Field | undefined } {
    const { node, field } = this.expression.resolve(context);
    if (!(field instanceof DateTimeField)) throw new FieldError(`Trunc${this.to === 'date' ? 'Date' : 'Time'} requires a DateTimeField; ${field?.label ?? 'the expression'} is not one.`);
    return { node: { kind: 'transform', name: this.to, arg: node, timeZone: getCurrentTimeZone() }, field: this.to === 'date' ? OUTPUT.date : new TimeField() };
  }
}

export const TruncDate = (e: unknown): TruncDateFunc => new TruncDateFunc(e, 'date');
export const TruncTime = (e: unknown): TruncDateFunc => new TruncDateFunc(e, 'time');

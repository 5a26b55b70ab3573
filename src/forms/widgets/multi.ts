/**
 * Widgets made of several HTML controls: MultiWidget, SplitDateTimeWidget,
 * SplitHiddenDateTimeWidget and SelectDateWidget.
 *
 * A compound value is split by decompress() (or formatValue()), each part
 * rendered by a subwidget named `<name>_<suffix>` with id `<id>_<i>`.
 */
import { DateOnly } from '../../utils/dates.ts';
import { getCurrentTimeZone } from '../../utils/timezone.ts';
import { DateInput, dataGet, dataHas, getFormat, Input, strftime, TimeInput, Widget, type WidgetAttrs, type WidgetContext, type WidgetData } from './base.ts';
import { Select, type Choice } from './choice.ts';
import { SelectDateEmptyLabelError } from './errors.ts';

type WidgetArg = Widget | (new () => Widget);

/**
 * A widget of subwidgets; subclasses implement `decompress(value)` to split a
 * single value into one value per subwidget. Given a record of widgets, the
 * keys become name suffixes (`''` for none); given a list, `_0`, `_1`…
 *
 * @example
 * class PhoneWidget extends MultiWidget {
 *   constructor() { super([new TextInput(), new TextInput()]); }
 *   decompress(v: unknown) { return v ? String(v).split('-') : [null, null]; }
 * }
 */
export class MultiWidget extends Widget {
  override templateName = 'django/forms/widgets/multiwidget.html';
  override useFieldset = true;
  widgets: Widget[];
  widgetsNames: string[];

  constructor(widgets: readonly WidgetArg[] | Readonly<Record<string, WidgetArg>>, attrs?: WidgetAttrs | null) {
    super(attrs);
    let list: readonly WidgetArg[];
    if (Array.isArray(widgets)) {
      list = widgets;
      this.widgetsNames = list.map((_, i) => `_${i}`);
    } else {
      const entries = Object.entries(widgets as Record<string, WidgetArg>);
      list = entries.map(([, w]) => w);
      this.widgetsNames = entries.map(([key]) => (key ? `_${key}` : ''));
    }
    this.widgets = list.map((w) => (typeof w === 'function' ? new w() : w));
    // Derived from the subwidgets (a file subwidget makes the form multipart); the base declares it as a field.
    Object.defineProperty(this, 'needsMultipartForm', { get: () => this.widgets.some((w) => w.needsMultipartForm), configurable: true });
  }

  override get isHidden(): boolean {
    return this.widgets.every((w) => w.isHidden);
  }

  override clone(): this {
    const copy = super.clone();
    copy.widgets = this.widgets.map((w) => w.clone());
    return copy;
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    if (this.isLocalized) for (const widget of this.widgets) widget.isLocalized = true;
    const values = Array.isArray(value) ? value : this.decompress(value);
    const finalAttrs = context.widget.attrs;
    const inputType = finalAttrs.type;
    delete finalAttrs.type;
    const id = finalAttrs.id;
    const subwidgets: WidgetContext[] = [];
    this.widgets.forEach((widget, i) => {
      if (inputType !== undefined && inputType !== null && widget instanceof Input) widget.inputType = inputType as string;
      const widgetAttrs = id ? { ...finalAttrs, id: `${String(id)}_${i}` } : finalAttrs;
      subwidgets.push(widget.getContext(name + this.widgetsNames[i], i < values.length ? values[i] : null, widgetAttrs).widget);
    });
    context.widget.subwidgets = subwidgets;
    return context;
  }

  override idForLabel(): string {
    return '';
  }

  override valueFromDatadict(data: WidgetData, files: WidgetData | null | undefined, name: string): unknown {
    return this.widgets.map((widget, i) => widget.valueFromDatadict(data, files, name + this.widgetsNames[i]));
  }

  override valueOmittedFromData(data: WidgetData, files: WidgetData | null | undefined, name: string): boolean {
    return this.widgets.every((widget, i) => widget.valueOmittedFromData(data, files, name + this.widgetsNames[i]));
  }

  /** Splits one value into a list with one entry per subwidget. Subclasses must implement it. */
  decompress(_value: unknown): unknown[] {
    throw new TypeError(`${this.constructor.name} must implement decompress(value) to split a value across its subwidgets.`);
  }
}

/** Options of {@link SplitDateTimeWidget}. */
export interface SplitDateTimeOptions {
  dateFormat?: string | null;
  timeFormat?: string | null;
  dateAttrs?: WidgetAttrs | null;
  timeAttrs?: WidgetAttrs | null;
}

/** A datetime as a date text box and a time text box. */
export class SplitDateTimeWidget extends MultiWidget {
  override supportsMicroseconds = false;
  override templateName = 'django/forms/widgets/splitdatetime.html';

  constructor(attrs?: WidgetAttrs | null, options: SplitDateTimeOptions = {}) {
    super([
      new DateInput(options.dateAttrs ?? attrs, { format: options.dateFormat }),
      new TimeInput(options.timeAttrs ?? attrs, { format: options.timeFormat }),
    ]);
  }

  /** `[date, time]` in the current time zone; the TimeInput prints the Date's time of day. */
  override decompress(value: unknown): unknown[] {
    if (value instanceof Date && !Number.isNaN(value.getTime())) {
      return [DateOnly.fromDate(value, getCurrentTimeZone()), value];
    }
    return [null, null];
  }
}

/** SplitDateTimeWidget as two hidden inputs. */
export class SplitHiddenDateTimeWidget extends SplitDateTimeWidget {
  override templateName = 'django/forms/widgets/splithiddendatetime.html';

  constructor(attrs?: WidgetAttrs | null, options: SplitDateTimeOptions = {}) {
    super(attrs, options);
    for (const widget of this.widgets) (widget as Input).inputType = 'hidden';
  }
}

const MONTHS: Choice[] = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'].map(
  (m, i) => [i + 1, m] as const,
);

/** Options of {@link SelectDateWidget}. */
export interface SelectDateWidgetOptions {
  /** Years offered (default: this year and the nine after). */
  years?: readonly number[];
  /** `{ 1: 'Jan', … }` or pairs (default: English month names). */
  months?: Readonly<Record<number, string>> | readonly Choice[];
  /** Label of the empty choice, or `[year, month, day]` labels. */
  emptyLabel?: string | readonly [string, string, string] | readonly string[];
}

type DateParts = { year: number | '' | null; month: number | '' | null; day: number | '' | null };

function pyInt(text: unknown): number | null {
  if (typeof text === 'number' && Number.isInteger(text)) return text;
  if (typeof text !== 'string' || !/^\s*[+-]?\d+(_\d+)*\s*$/.test(text)) return null;
  return Number(text.trim().replaceAll('_', ''));
}

/** A date as three selects (month, day, year in the order of DATE_FORMAT). */
export class SelectDateWidget extends Widget {
  static noneValue: Choice = ['', '---'];
  override templateName = 'django/forms/widgets/select_date.html';
  inputType = 'select';
  override useFieldset = true;
  selectWidget: new (attrs?: WidgetAttrs | null, choices?: Choice[]) => Select = Select;
  years: number[];
  months: Choice[];
  yearNoneValue: Choice;
  monthNoneValue: Choice;
  dayNoneValue: Choice;

  constructor(attrs?: WidgetAttrs | null, options: SelectDateWidgetOptions = {}) {
    super(attrs);
    const thisYear = new Date().getFullYear();
    this.years = options.years?.length ? [...options.years] : Array.from({ length: 10 }, (_, i) => thisYear + i);
    const months = options.months;
    this.months = !months ? MONTHS : Array.isArray(months) ? [...(months as Choice[])] : Object.entries(months).map(([k, v]) => [Number(k), v] as const);
    const label = options.emptyLabel;
    if (Array.isArray(label)) {
      if (label.length !== 3) throw new SelectDateEmptyLabelError(label.length);
      this.yearNoneValue = ['', label[0]];
      this.monthNoneValue = ['', label[1]];
      this.dayNoneValue = ['', label[2]];
    } else {
      const none: Choice = typeof label === 'string' ? ['', label] : SelectDateWidget.noneValue;
      this.yearNoneValue = this.monthNoneValue = this.dayNoneValue = none;
    }
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    const parts = context.widget.value as DateParts;
    const selects: Record<'year' | 'month' | 'day', WidgetContext> = {} as never;
    const build = (part: 'year' | 'month' | 'day', choices: Choice[], none: Choice): void => {
      if (!this.isRequired) choices.unshift(none);
      const partName = `${name}_${part}`;
      selects[part] = new this.selectWidget(attrs, choices).getContext(partName, parts[part], {
        ...context.widget.attrs,
        id: `id_${partName}`,
      }).widget;
    };
    build('year', this.years.map((y) => [y, String(y)] as const), this.yearNoneValue);
    build('month', [...this.months], this.monthNoneValue);
    build('day', Array.from({ length: 31 }, (_, i) => [i + 1, i + 1] as const), this.dayNoneValue);
    context.widget.subwidgets = SelectDateWidget.parseDateFmt().map((part) => selects[part]);
    return context;
  }

  /** `{ year, month, day }`, so an impossible date (Feb 31) still shows what was picked. */
  override formatValue(value: unknown): unknown {
    let year: number | '' | null = null;
    let month: number | '' | null = null;
    let day: number | '' | null = null;
    if (value instanceof Date && !Number.isNaN(value.getTime())) {
      const d = value instanceof DateOnly ? value : DateOnly.fromDate(value, getCurrentTimeZone());
      [year, month, day] = [d.year, d.month, d.day];
    } else if (typeof value === 'string') {
      const m = /^(\d{4}|0)-(\d\d?)-(\d\d?)$/.exec(value);
      if (m) {
        // Zeros stand for "not selected" and map to the empty option.
        [year, month, day] = [m[1], m[2], m[3]].map((v) => Number(v) || '') as [number | '', number | '', number | ''];
      } else {
        const parsed = parseWithFormat(value, getFormat('DATE_INPUT_FORMATS')[0]!);
        if (parsed) [year, month, day] = parsed;
      }
    }
    return { year, month, day };
  }

  /** The parts in the order DATE_FORMAT prints them. */
  static parseDateFmt(): Array<'year' | 'month' | 'day'> {
    const fmt = getFormat('DATE_FORMAT')[0]!;
    const order: Array<'year' | 'month' | 'day'> = [];
    for (let i = 0; i < fmt.length; i++) {
      const c = fmt[i]!;
      if (c === '\\') i++;
      else if ('Yy'.includes(c)) order.push('year');
      else if ('bEFMmNn'.includes(c)) order.push('month');
      else if ('dj'.includes(c)) order.push('day');
    }
    return order;
  }

  override idForLabel(id: string): string {
    const first = SelectDateWidget.parseDateFmt()[0];
    return `${id}_${first ?? 'month'}`;
  }

  /** A date string in DATE_INPUT_FORMATS[0], pseudo-ISO `y-m-d` with zeros for an invalid pick, or null. */
  override valueFromDatadict(data: WidgetData, _files: WidgetData | null | undefined, name: string): unknown {
    const y = dataGet(data, `${name}_year`);
    const m = dataGet(data, `${name}_month`);
    const d = dataGet(data, `${name}_day`);
    if (y === '' && m === '' && d === '') return null;
    if (y !== null && m !== null && d !== null) {
      const [yi, mi, di] = [pyInt(y), pyInt(m), pyInt(d)];
      const limit = 2 ** 31;
      if (yi !== null && mi !== null && di !== null && [yi, mi, di].some((n) => Math.abs(n) >= limit)) return '0-0-0';
      let date: DateOnly | null = null;
      if (yi !== null && mi !== null && di !== null && yi >= 1 && yi <= 9999) {
        try {
          date = DateOnly.of(yi, mi, di);
        } catch {
          date = null;
        }
      }
      if (!date) return `${y || 0}-${m || 0}-${d || 0}`;
      return strftime(date, getFormat('DATE_INPUT_FORMATS')[0]!);
    }
    return dataGet(data, name);
  }

  override valueOmittedFromData(data: WidgetData, _files: WidgetData | null | undefined, name: string): boolean {
    return !['year', 'month', 'day'].some((part) => dataHas(data, `${name}_${part}`));
  }
}

// strptime for the numeric directives of a date input format; enough for SelectDateWidget's fallback.
function parseWithFormat(text: string, format: string): [number, number, number] | null {
  const names: string[] = [];
  const source = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%([Ymd])/g, (_, d: string) => {
    names.push(d);
    return d === 'Y' ? '(\\d{4})' : '(\\d{1,2})';
  });
  const m = new RegExp(`^${source}$`).exec(text);
  if (!m) return null;
  const got: Record<string, number> = {};
  names.forEach((n, i) => (got[n] = Number(m[i + 1])));
  try {
    const d = DateOnly.of(got.Y ?? 1900, got.m ?? 1, got.d ?? 1);
    return [d.year, d.month, d.day];
  } catch {
    return null;
  }
}

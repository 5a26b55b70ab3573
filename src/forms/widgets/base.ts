/**
 * Widget, the <input> family, Textarea, date/time inputs and CheckboxInput
 * (Django's django/forms/widgets.py, first half).
 *
 * value → formatValue() → getContext() → renderer.render(templateName) → HTML.
 * Posted data goes the other way: valueFromDatadict() / valueOmittedFromData().
 */
import { settings } from '../../conf/lazy-settings.ts';
import { pyStr } from '../../template/python.ts';
import { DateOnly } from '../../utils/dates.ts';
import { SafeString } from '../../utils/safestring.ts';
import { getCurrentTimeZone, wallClock } from '../../utils/timezone.ts';
import { getDefaultRenderer, type FormRenderer } from '../renderers.ts';
import { MultipleFilesNotSupportedError } from './errors.ts';

/** HTML attributes of a widget: `true` prints the bare name, `false` leaves it out. */
export type WidgetAttrs = Record<string, unknown>;

/** Posted data as widgets read it: a QueryDict/MultiValueDict, or a plain `{ name: value | values }`. */
export type WidgetData =
  | { get(name: string): unknown; has(name: string): boolean; getList?(name: string): unknown[]; getlist?(name: string): unknown[] }
  | Readonly<Record<string, unknown>>;

/** The `widget` entry of a template context (keys are Django's). */
export interface WidgetContext {
  name: string;
  is_hidden: boolean;
  required: boolean;
  value: unknown;
  attrs: WidgetAttrs;
  template_name: string;
  type?: string | null;
  [key: string]: unknown;
}

function isMultiDict(data: unknown): data is { get(name: string): unknown; has(name: string): boolean } {
  return typeof (data as { get?: unknown } | null)?.get === 'function' && typeof (data as { has?: unknown }).has === 'function';
}

/** Last value posted under `name` (QueryDict.get), `null` when absent (Django's None). */
export function dataGet(data: WidgetData | null | undefined, name: string): unknown {
  if (data == null) return null;
  if (isMultiDict(data)) return data.get(name) ?? null;
  if (!Object.hasOwn(data, name)) return null;
  const value = (data as Record<string, unknown>)[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Every value posted under `name` (QueryDict.getlist), `[]` when absent. */
export function dataGetList(data: WidgetData | null | undefined, name: string): unknown[] {
  if (data == null) return [];
  if (isMultiDict(data)) {
    const d = data as { getList?(n: string): unknown[]; getlist?(n: string): unknown[]; get(n: string): unknown };
    if (typeof d.getList === 'function') return d.getList(name);
    if (typeof d.getlist === 'function') return d.getlist(name);
    const one = d.get(name);
    return one === undefined || one === null ? [] : [one];
  }
  if (!Object.hasOwn(data, name)) return [];
  const value = (data as Record<string, unknown>)[name];
  return Array.isArray(value) ? [...value] : [value];
}

/** Whether `name` was posted at all (Python's `name in data`). */
export function dataHas(data: WidgetData | null | undefined, name: string): boolean {
  if (data == null) return false;
  return isMultiDict(data) ? data.has(name) : Object.hasOwn(data, name);
}

const DEFAULT_FORMATS: Record<string, string[]> = {
  DATE_INPUT_FORMATS: ['%Y-%m-%d'],
  DATETIME_INPUT_FORMATS: ['%Y-%m-%d %H:%M:%S'],
  TIME_INPUT_FORMATS: ['%H:%M:%S'],
  DATE_FORMAT: ['N j, Y'],
};

/** A format setting (DATE_INPUT_FORMATS…) as a list; Django's defaults before settings are configured. */
export function getFormat(name: 'DATE_INPUT_FORMATS' | 'DATETIME_INPUT_FORMATS' | 'TIME_INPUT_FORMATS' | 'DATE_FORMAT'): string[] {
  const value = settings.configured ? (settings as unknown as Record<string, unknown>)[name] : undefined;
  if (Array.isArray(value) && value.length) return value as string[];
  if (typeof value === 'string') return [value];
  return DEFAULT_FORMATS[name]!;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  weekday: number;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * Python's strftime for the directives input formats use, on a DateOnly
 * (its calendar day) or a Date (its wall clock in the current time zone).
 * Years print with four digits, as Django's sanitize_strftime_format makes them.
 */
export function strftime(value: Date, format: string): string {
  let f: Fields;
  if (value instanceof DateOnly) {
    f = { year: value.getUTCFullYear(), month: value.getUTCMonth() + 1, day: value.getUTCDate(), hour: 0, minute: 0, second: 0, micro: 0, weekday: value.getUTCDay() };
  } else {
    const w = wallClock(value, getCurrentTimeZone());
    const probe = new Date(0);
    probe.setUTCFullYear(w.year, w.month - 1, w.day);
    f = { year: w.year, month: w.month, day: w.day, hour: w.hour, minute: w.minute, second: w.second, micro: w.millisecond * 1000, weekday: probe.getUTCDay() };
  }
  return format.replace(/%([a-zA-Z%])/g, (all, d: string) => {
    switch (d) {
      case 'Y': return pad(f.year, 4);
      case 'y': return pad(f.year % 100);
      case 'm': return pad(f.month);
      case 'd': return pad(f.day);
      case 'H': return pad(f.hour);
      case 'I': return pad(f.hour % 12 || 12);
      case 'p': return f.hour < 12 ? 'AM' : 'PM';
      case 'M': return pad(f.minute);
      case 'S': return pad(f.second);
      case 'f': return pad(f.micro, 6);
      case 'b': return MONTH_NAMES[f.month - 1]!.slice(0, 3);
      case 'B': return MONTH_NAMES[f.month - 1]!;
      case 'a': return DAY_NAMES[f.weekday]!.slice(0, 3);
      case 'A': return DAY_NAMES[f.weekday]!;
      case '%': return '%';
      default: return all;
    }
  });
}

/**
 * The base of every widget: holds `attrs`, builds the template context and
 * renders it through a form renderer (the default one unless given).
 *
 * @example
 * await new TextInput({ class: 'big' }).render('q', 'café');
 * // '<input type="text" name="q" value="café" class="big">'
 */
export class Widget {
  /** Template that renders the widget; subclasses set their own. */
  templateName = '';
  attrs: WidgetAttrs;
  needsMultipartForm = false;
  isLocalized = false;
  isRequired = false;
  supportsMicroseconds = true;
  useFieldset = false;

  constructor(attrs?: WidgetAttrs | null) {
    this.attrs = attrs ? { ...attrs } : {};
  }

  /** Whether the widget renders as `<input type="hidden">` (no label, no row). */
  get isHidden(): boolean {
    return false;
  }

  /** Widget media (CSS/JS assets); none for the built-in widgets. */
  get media(): Media {
    return new Media();
  }

  /** A copy with its own attrs, as Django deep-copies a field's widget per form. */
  clone(): this {
    // Constructing (not Object.create) gives the copy the #private slots subclasses
    // declare (Input's type, ChoiceWidget's choices); a constructor that needs
    // arguments (MultiWidget) falls back to a bare copy and must override clone().
    let copy: this;
    try {
      copy = new (this.constructor as new () => this)();
    } catch {
      copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    }
    Object.assign(copy, this);
    copy.attrs = { ...this.attrs };
    return copy;
  }

  /** The contexts of the parts of the widget (one for simple widgets). */
  subwidgets(name: string, value: unknown, attrs?: WidgetAttrs | null): WidgetContext[] {
    return [this.getContext(name, value, attrs).widget];
  }

  /** The value as the template prints it; `null` prints no value attribute. */
  formatValue(value: unknown): unknown {
    if (value === '' || value === null || value === undefined) return null;
    return pyStr(value);
  }

  getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext; [key: string]: unknown } {
    return {
      widget: {
        name,
        is_hidden: this.isHidden,
        required: this.isRequired,
        value: this.formatValue(value),
        attrs: this.buildAttrs(this.attrs, attrs),
        template_name: this.templateName,
      },
    };
  }

  /** Renders the widget's template; the renderer trims surrounding whitespace. */
  render(name: string, value: unknown, attrs?: WidgetAttrs | null, renderer?: FormRenderer | null): Promise<SafeString> {
    return this.renderTemplate(this.templateName, this.getContext(name, value, attrs), renderer);
  }

  protected async renderTemplate(templateName: string, context: Record<string, unknown>, renderer?: FormRenderer | null): Promise<SafeString> {
    const r = renderer ?? getDefaultRenderer();
    return r.render(templateName, context);
  }

  buildAttrs(baseAttrs: WidgetAttrs | null | undefined, extraAttrs?: WidgetAttrs | null): WidgetAttrs {
    return { ...baseAttrs, ...extraAttrs };
  }

  /** The posted value for `name`, `null` when it was not posted. */
  valueFromDatadict(data: WidgetData, _files: WidgetData | null | undefined, name: string): unknown {
    return dataGet(data, name);
  }

  valueOmittedFromData(data: WidgetData, _files: WidgetData | null | undefined, name: string): boolean {
    return !dataHas(data, name);
  }

  /** The id a `<label for>` points at, given the field's id ('' for none). */
  idForLabel(id: string, _index?: string | null): string {
    return id;
  }

  useRequiredAttribute(_initial: unknown): boolean {
    return !this.isHidden;
  }
}

/** Assets a widget needs; the built-in widgets need none, so this stays minimal. */
export class Media {
  readonly css: Record<string, string[]>;
  readonly js: string[];
  constructor(options: { css?: Record<string, string[]>; js?: string[] } = {}) {
    this.css = options.css ?? {};
    this.js = options.js ?? [];
  }
  toString(): string {
    return '';
  }
}

/**
 * Base of every `<input>` widget; `attrs.type` overrides the input type.
 * Subclasses declare their type as `static defaultInputType`, so an
 * instance override (attrs.type, SplitHiddenDateTimeWidget) is a plain assignment.
 */
export class Input extends Widget {
  static defaultInputType: string | null = null;
  override templateName = 'django/forms/widgets/input.html';
  #inputType: string | null | undefined;

  constructor(attrs?: WidgetAttrs | null) {
    if (attrs && 'type' in attrs) {
      const { type, ...rest } = attrs;
      super(rest);
      this.#inputType = type as string;
    } else {
      super(attrs);
    }
  }

  override clone(): this {
    const copy = super.clone();
    (copy as Input).#inputType = this.#inputType;
    return copy;
  }

  get inputType(): string | null {
    return this.#inputType !== undefined ? this.#inputType : (this.constructor as typeof Input).defaultInputType;
  }

  set inputType(value: string | null) {
    this.#inputType = value;
  }

  override get isHidden(): boolean {
    return this.inputType === 'hidden';
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    context.widget.type = this.inputType;
    return context;
  }
}

export class TextInput extends Input {
  static override defaultInputType: string | null = 'text';
  override templateName = 'django/forms/widgets/text.html';
}
export class NumberInput extends Input {
  static override defaultInputType: string | null = 'number';
  override templateName = 'django/forms/widgets/number.html';
}
export class EmailInput extends Input {
  static override defaultInputType: string | null = 'email';
  override templateName = 'django/forms/widgets/email.html';
}
export class URLInput extends Input {
  static override defaultInputType: string | null = 'url';
  override templateName = 'django/forms/widgets/url.html';
}
export class ColorInput extends Input {
  static override defaultInputType: string | null = 'color';
  override templateName = 'django/forms/widgets/color.html';
}
export class SearchInput extends Input {
  static override defaultInputType: string | null = 'search';
  override templateName = 'django/forms/widgets/search.html';
}
export class TelInput extends Input {
  static override defaultInputType: string | null = 'tel';
  override templateName = 'django/forms/widgets/tel.html';
}

/** `<input type="password">`; the value is left out unless `renderValue` is true. */
export class PasswordInput extends Input {
  static override defaultInputType: string | null = 'password';
  override templateName = 'django/forms/widgets/password.html';
  renderValue: boolean;

  constructor(attrs?: WidgetAttrs | null, options: { renderValue?: boolean } = {}) {
    super(attrs);
    this.renderValue = options.renderValue ?? false;
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    return super.getContext(name, this.renderValue ? value : null, attrs);
  }
}

export class HiddenInput extends Input {
  static override defaultInputType: string | null = 'hidden';
  override templateName = 'django/forms/widgets/hidden.html';
}

/** One `<input type="hidden">` per value of a list; ids get `_0`, `_1`… suffixes. */
export class MultipleHiddenInput extends HiddenInput {
  override templateName = 'django/forms/widgets/multiple_hidden.html';

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    const finalAttrs = context.widget.attrs;
    const id = finalAttrs.id;
    const subwidgets: WidgetContext[] = [];
    const values = context.widget.value as unknown[];
    values.forEach((item, index) => {
      const widgetAttrs = { ...finalAttrs };
      if (id) widgetAttrs.id = `${pyStr(id)}_${index}`;
      const widget = new HiddenInput();
      widget.isRequired = this.isRequired;
      subwidgets.push(widget.getContext(name, item, widgetAttrs).widget);
    });
    context.widget.subwidgets = subwidgets;
    return context;
  }

  override valueFromDatadict(data: WidgetData, _files: WidgetData | null | undefined, name: string): unknown {
    return dataGetList(data, name);
  }

  override formatValue(value: unknown): unknown {
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? value : [...(value as Iterable<unknown>)];
  }
}

/** `<input type="file">`: reads `files`, never renders a value. */
export class FileInput extends Input {
  /** Subclasses accepting several files (helper U's MultipleFileInput) set this to true. */
  static allowMultipleSelected = false;
  static override defaultInputType: string | null = 'file';
  override needsMultipartForm = true;
  override templateName = 'django/forms/widgets/file.html';

  constructor(attrs?: WidgetAttrs | null) {
    super(attrs);
    if (this.attrs.multiple && !this.allowMultipleSelected) {
      throw new MultipleFilesNotSupportedError(this.constructor.name);
    }
    if (this.allowMultipleSelected && !('multiple' in this.attrs)) this.attrs.multiple = true;
  }

  get allowMultipleSelected(): boolean {
    return (this.constructor as typeof FileInput).allowMultipleSelected;
  }

  override formatValue(_value: unknown): unknown {
    return null;
  }

  override valueFromDatadict(_data: WidgetData, files: WidgetData | null | undefined, name: string): unknown {
    return this.allowMultipleSelected ? dataGetList(files, name) : dataGet(files, name);
  }

  override valueOmittedFromData(_data: WidgetData, files: WidgetData | null | undefined, name: string): boolean {
    return !dataHas(files, name);
  }

  override useRequiredAttribute(initial: unknown): boolean {
    return super.useRequiredAttribute(initial) && !fileIsSet(initial);
  }
}

/**
 * Python's truth value of a file value, which Django's file widgets and fields test: a
 * model FieldFile with no file (`hasFile` false) is false there, though a JS object is truthy.
 */
export function fileIsSet(value: unknown): boolean {
  return Boolean(value) && (value as { hasFile?: unknown }).hasFile !== false;
}

/** Returned by ClearableFileInput when a file is uploaded AND "clear" is ticked; FileField rejects it. */
export const FILE_INPUT_CONTRADICTION: unique symbol = Symbol('nuages.forms.fileInputContradiction');

/** A file input that shows the current file and a "Clear" checkbox when the field is optional. */
export class ClearableFileInput extends FileInput {
  clearCheckboxLabel = 'Clear';
  initialText = 'Currently';
  inputText = 'Change';
  override templateName = 'django/forms/widgets/clearable_file_input.html';
  checked = false;

  clearCheckboxName(name: string): string {
    return `${name}-clear`;
  }

  clearCheckboxId(name: string): string {
    return `${name}_id`;
  }

  /** A value is the initial file when it has a `url` (a FieldFile without a file has none). */
  isInitial(value: unknown): boolean {
    return fileIsSet(value) && Boolean((value as { url?: unknown }).url);
  }

  override formatValue(value: unknown): unknown {
    return this.isInitial(value) ? value : null;
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const context = super.getContext(name, value, attrs);
    const checkboxName = this.clearCheckboxName(name);
    Object.assign(context.widget, {
      checkbox_name: checkboxName,
      checkbox_id: this.clearCheckboxId(checkboxName),
      is_initial: this.isInitial(value),
      input_text: this.inputText,
      initial_text: this.initialText,
      clear_checkbox_label: this.clearCheckboxLabel,
    });
    if (!('disabled' in context.widget.attrs)) context.widget.attrs.disabled = false;
    context.widget.attrs.checked = this.checked;
    return context;
  }

  override valueFromDatadict(data: WidgetData, files: WidgetData | null | undefined, name: string): unknown {
    const upload = super.valueFromDatadict(data, files, name);
    const clearName = this.clearCheckboxName(name);
    this.checked = dataHas(data, clearName);
    if (!this.isRequired && new CheckboxInput().valueFromDatadict(data, files, clearName)) {
      // A new upload plus "clear" contradicts itself; False (not null) means "remove the file".
      return upload ? FILE_INPUT_CONTRADICTION : false;
    }
    return upload;
  }

  override valueOmittedFromData(data: WidgetData, files: WidgetData | null | undefined, name: string): boolean {
    return super.valueOmittedFromData(data, files, name) && !dataHas(data, this.clearCheckboxName(name));
  }
}

/** `<textarea>` with Django's default cols="40" rows="10". */
export class Textarea extends Widget {
  override templateName = 'django/forms/widgets/textarea.html';
  constructor(attrs?: WidgetAttrs | null) {
    super({ cols: '40', rows: '10', ...attrs });
  }
}

/** Text inputs that print dates/times with `format` or the first *_INPUT_FORMATS entry. */
export class DateTimeBaseInput extends TextInput {
  formatKey: 'DATE_INPUT_FORMATS' | 'DATETIME_INPUT_FORMATS' | 'TIME_INPUT_FORMATS' = 'DATETIME_INPUT_FORMATS';
  override supportsMicroseconds = false;
  format: string | null;

  constructor(attrs?: WidgetAttrs | null, options: { format?: string | null } = {}) {
    super(attrs);
    this.format = options.format || null;
  }

  override formatValue(value: unknown): unknown {
    // Django's localize_input: dates go through strftime, other values print as str().
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) return null;
      return strftime(value, this.format ?? getFormat(this.formatKey)[0]!);
    }
    if (value === null || value === undefined) return null;
    return pyStr(value);
  }
}

export class DateInput extends DateTimeBaseInput {
  override formatKey = 'DATE_INPUT_FORMATS' as const;
  override templateName = 'django/forms/widgets/date.html';
}
export class DateTimeInput extends DateTimeBaseInput {
  override formatKey = 'DATETIME_INPUT_FORMATS' as const;
  override templateName = 'django/forms/widgets/datetime.html';
}
/** Prints a Date's time of day (wall clock in the current time zone); strings pass through. */
export class TimeInput extends DateTimeBaseInput {
  override formatKey = 'TIME_INPUT_FORMATS' as const;
  override templateName = 'django/forms/widgets/time.html';
}

/** Django's boolean_check: checked unless the value is false, null or ''. */
export function booleanCheck(value: unknown): boolean {
  return !(value === false || value === null || value === undefined || value === '');
}

/** `<input type="checkbox">`; `checkTest(value)` decides `checked`. A missing key reads as false. */
export class CheckboxInput extends Input {
  static override defaultInputType: string | null = 'checkbox';
  override templateName = 'django/forms/widgets/checkbox.html';
  checkTest: (value: unknown) => boolean;

  constructor(attrs?: WidgetAttrs | null, options: { checkTest?: (value: unknown) => boolean } = {}) {
    super(attrs);
    this.checkTest = options.checkTest ?? booleanCheck;
  }

  override formatValue(value: unknown): unknown {
    if (value === true || value === false || value === null || value === undefined || value === '') return null;
    return pyStr(value);
  }

  override getContext(name: string, value: unknown, attrs?: WidgetAttrs | null): { widget: WidgetContext } {
    const extra = this.checkTest(value) ? { ...attrs, checked: true } : attrs;
    return super.getContext(name, value, extra);
  }

  override valueFromDatadict(data: WidgetData, _files: WidgetData | null | undefined, name: string): unknown {
    // Unticked checkboxes are not submitted at all, so absence means False.
    if (!dataHas(data, name)) return false;
    let value = dataGet(data, name);
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (lower === 'true') value = true;
      else if (lower === 'false') value = false;
    }
    return pyTruthy(value);
  }

  override valueOmittedFromData(): boolean {
    return false;
  }
}

function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

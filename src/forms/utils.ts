/**
 * Form utilities: ErrorList and ErrorDict (errors that render themselves),
 * prettyName, flatatt, and the adapter that lets a form take `request.POST`
 * or a plain object as its data.
 */
import type { ValidationMessage } from '../core/exceptions.ts';
import { ValidationError } from '../core/exceptions.ts';
import { toSnakeCase } from '../db/models/fields/field.ts';
import { MultiValueDict } from '../http/query-dict.ts';
import { SafeString, escapeHtml, markSafe } from '../utils/safestring.ts';
import { getDefaultRenderer } from './renderers.ts';

/** What forms need from a renderer (see renderers.ts for the real ones). */
export interface RendererLike {
  render(templateName: string, context: Record<string, unknown>): Promise<SafeString>;
  readonly formTemplateName: string;
  readonly fieldTemplateName: string;
}

/**
 * The label Django derives from a field name (`first_name` → `First name`). A camelCase
 * name reads as its snake_case equivalent, the one its column would get, so
 * `firstName` → `First name`, `URLField` → `Url field` (as Django labels `url_field`),
 * `isbn13` → `Isbn13`.
 *
 * ```ts
 * prettyName('firstName'); // 'First name'
 * ```
 */
export function prettyName(name: string): string {
  if (!name) return '';
  const text = toSnakeCase(name).replaceAll('_', ' ');
  // Python's capitalize(): first character upper, the rest lower.
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

/**
 * HTML attributes as ` key="value"` pairs, sorted, then the true booleans; false
 * and null are dropped. Values are escaped, keys are not (they are the programmer's).
 *
 * ```ts
 * flatatt({ id: 'x', required: true, class: 'a&b' }); // ' class="a&amp;b" id="x" required'
 * ```
 */
export function flatatt(attrs: Readonly<Record<string, unknown>>): SafeString {
  const pairs: [string, string][] = [];
  const flags: string[] = [];
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === 'boolean') {
      if (value) flags.push(key);
    } else if (value !== null && value !== undefined) {
      pairs.push([key, value instanceof SafeString ? value.value : escapeHtml(String(value))]);
    }
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  flags.sort();
  return markSafe(pairs.map(([k, v]) => ` ${k}="${v}"`).join('') + flags.map((k) => ` ${k}`).join(''));
}

/** Python's json.dumps with its defaults (", " and ": " separators, ASCII only), so asJson() equals Django's. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
  return `{${entries.map(([k, v]) => `${pyJsonDumps(String(k))}: ${pyJsonDumps(v)}`).join(', ')}}`;
}

/** The read side of a QueryDict, as widgets use it. */
export interface DataDict {
  get(name: string): unknown;
  getList(name: string): unknown[];
  /** Same as getList (Django's spelling). */
  getlist(name: string): unknown[];
  has(name: string): boolean;
  keys(): IterableIterator<string>;
}

/** Form data as given: `request.POST` (a QueryDict), any MultiValueDict, or `{ name: value | value[] }`. */
export type FormDataInput = MultiValueDict<unknown> | ReadableData | Readonly<Record<string, unknown>>;

/** Anything with QueryDict's read methods. */
export interface ReadableData {
  get(name: string): unknown;
  getList(name: string): unknown[];
  has(name: string): boolean;
  keys?(): Iterable<string>;
}

/** Form data behind one interface: a QueryDict, a MultiValueDict, or a plain object's lists. */
class WrappedDataDict implements DataDict {
  readonly #inner: ReadableData;
  constructor(inner: ReadableData) {
    this.#inner = inner;
  }
  get(name: string): unknown {
    return this.#inner.get(name);
  }
  getList(name: string): unknown[] {
    return this.#inner.getList(name);
  }
  getlist(name: string): unknown[] {
    return this.#inner.getList(name);
  }
  has(name: string): boolean {
    return this.#inner.has(name);
  }
  *keys(): IterableIterator<string> {
    if (this.#inner.keys) yield* this.#inner.keys();
  }
}

/**
 * Normalises form data into one read API. A QueryDict passes through (wrapped);
 * a plain object's arrays become repeated keys, so `{ tags: ['a', 'b'] }` reads
 * like `tags=a&tags=b` (`get` answers the last value, as for `request.POST`).
 *
 * ```ts
 * toQueryDict({ name: 'Ann', tags: ['a', 'b'] }).getList('tags'); // ['a', 'b']
 * ```
 */
export function toQueryDict(data: FormDataInput | DataDict | null | undefined): DataDict {
  if (data === null || data === undefined) return new WrappedDataDict(new MultiValueDict());
  if (data instanceof WrappedDataDict) return data;
  const maybe = data as { get?: unknown; getList?: unknown; has?: unknown };
  if (typeof maybe.get === 'function' && typeof maybe.getList === 'function' && typeof maybe.has === 'function') {
    return new WrappedDataDict(data as ReadableData);
  }
  const lists = new MultiValueDict<unknown>();
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (value === undefined) continue;
    lists.setList(key, Array.isArray(value) ? value : [value]);
  }
  return new WrappedDataDict(lists);
}

function asMessage(item: string | ValidationMessage): ValidationMessage {
  return typeof item === 'string' ? { message: item, code: undefined, params: undefined } : item;
}

/** Options of {@link ErrorList}. */
export interface ErrorListOptions {
  /** Extra CSS class after `errorlist` (Django passes 'nonfield' for form-wide errors). */
  errorClass?: string | null;
  renderer?: RendererLike | null;
  /** The field's auto id; the `<ul>` then gets `id="<fieldId>_error"` for aria-describedby. */
  fieldId?: string | null;
}

/**
 * The messages of one field (or of the form as a whole), as an array of strings
 * that also keeps each message's code and params, and renders itself as
 * Django's `<ul class="errorlist">`.
 *
 * ```ts
 * const errors = new ErrorList(['Enter a whole number.']);
 * await errors.asUl(); // <ul class="errorlist"><li>Enter a whole number.</li></ul>
 * ```
 */
export class ErrorList extends Array<string> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  templateName = 'django/forms/errors/list/default.html';
  templateNameText = 'django/forms/errors/list/text.txt';
  templateNameUl = 'django/forms/errors/list/ul.html';
  /** `errorlist`, plus the extra class given (`errorlist nonfield`). */
  errorClass: string;
  fieldId: string | null;
  #renderer: RendererLike | null;
  #data: ValidationMessage[] = [];

  constructor(initial?: Iterable<string | ValidationMessage> | null, options: ErrorListOptions = {}) {
    super();
    this.errorClass = options.errorClass ? `errorlist ${options.errorClass}` : 'errorlist';
    this.#renderer = options.renderer ?? null;
    this.fieldId = options.fieldId ?? null;
    if (initial) this.extend(initial);
  }

  /** Adds messages (strings, ValidationMessages, or a ValidationError's list). */
  extend(items: Iterable<string | ValidationMessage> | ValidationError): this {
    const list = items instanceof ValidationError ? items.errorList : items;
    for (const item of list) {
      const message = asMessage(item);
      this.#data.push(message);
      super.push(message.message);
    }
    return this;
  }

  override push(...items: string[]): number {
    this.extend(items);
    return this.length;
  }

  get renderer(): RendererLike {
    return this.#renderer ?? (getDefaultRenderer() as unknown as RendererLike);
  }

  set renderer(value: RendererLike) {
    this.#renderer = value;
  }

  /** The messages with their codes and params (Django's `as_data()`). */
  asData(): ValidationMessage[] {
    return this.map((text, i) => {
      const known = this.#data[i];
      return known && known.message === text ? known : asMessage(text);
    });
  }

  /** `[{ message, code }]`, code '' when none; messages HTML-escaped on request. */
  getJsonData(escapeHtmlMessages = false): { message: string; code: string }[] {
    return this.asData().map((e) => ({ message: escapeHtmlMessages ? escapeHtml(e.message) : e.message, code: e.code ?? '' }));
  }

  /** The JSON text Django's `as_json()` gives (Python's json.dumps formatting). */
  asJson(escapeHtmlMessages = false): string {
    return pyJsonDumps(this.getJsonData(escapeHtmlMessages));
  }

  /** A copy with the same class, renderer and field id. */
  copy(): ErrorList {
    const out = new (this.constructor as typeof ErrorList)(null, { renderer: this.#renderer, fieldId: this.fieldId });
    out.errorClass = this.errorClass;
    out.extend(this.asData());
    return out;
  }

  getContext(): Record<string, unknown> {
    return { errors: this, error_class: this.errorClass };
  }

  /** Renders through the form renderer; the template defaults to {@link templateName}. */
  render(templateName?: string, context?: Record<string, unknown>, renderer?: RendererLike): Promise<SafeString> {
    return (renderer ?? this.renderer).render(templateName ?? this.templateName, context ?? this.getContext());
  }

  asUl(): Promise<SafeString> {
    return this.render(this.templateNameUl);
  }

  asText(): Promise<SafeString> {
    return this.render(this.templateNameText);
  }

  get field_id(): string | null {
    return this.fieldId;
  }

  get error_class(): string {
    return this.errorClass;
  }

  async __html__(): Promise<string> {
    return (await this.render()).value;
  }

  override toString(): string {
    return this.join(', ');
  }
}

/**
 * Field name → ErrorList (`__all__` for form-wide errors), as `form.errors`.
 * Renders as Django's `<ul class="errorlist">` of fields.
 *
 * ```ts
 * await form.isValid();
 * form.errors.asJson(); // {"email": [{"message": "Enter a valid email address.", "code": "invalid"}]}
 * ```
 */
export class ErrorDict extends Map<string, ErrorList> {
  templateName = 'django/forms/errors/dict/default.html';
  templateNameText = 'django/forms/errors/dict/text.txt';
  templateNameUl = 'django/forms/errors/dict/ul.html';
  #renderer: RendererLike | null;

  constructor(entries?: Iterable<readonly [string, ErrorList]> | null, options: { renderer?: RendererLike | null } = {}) {
    super(entries ?? undefined);
    this.#renderer = options.renderer ?? null;
  }

  get renderer(): RendererLike {
    return this.#renderer ?? (getDefaultRenderer() as unknown as RendererLike);
  }

  /** `{ field: ValidationMessage[] }`. */
  asData(): Record<string, ValidationMessage[]> {
    return Object.fromEntries([...this].map(([field, list]) => [field, list.asData()]));
  }

  getJsonData(escapeHtmlMessages = false): Record<string, { message: string; code: string }[]> {
    return Object.fromEntries([...this].map(([field, list]) => [field, list.getJsonData(escapeHtmlMessages)]));
  }

  /** The JSON text Django's `as_json()` gives, key order as the errors were added. */
  asJson(escapeHtmlMessages = false): string {
    return pyJsonDumps(this.getJsonData(escapeHtmlMessages));
  }

  getContext(): Record<string, unknown> {
    return { errors: [...this.entries()], error_class: 'errorlist' };
  }

  render(templateName?: string, context?: Record<string, unknown>, renderer?: RendererLike): Promise<SafeString> {
    return (renderer ?? this.renderer).render(templateName ?? this.templateName, context ?? this.getContext());
  }

  asUl(): Promise<SafeString> {
    return this.render(this.templateNameUl);
  }

  asText(): Promise<SafeString> {
    return this.render(this.templateNameText);
  }

  async __html__(): Promise<string> {
    return (await this.render()).value;
  }
}

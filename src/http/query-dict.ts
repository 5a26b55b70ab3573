/**
 * MultiValueDict and QueryDict: Django's dictionaries where one key holds a list
 * of values (`?tag=a&tag=b`), `get()` answers the last one and `getList()` all.
 *
 * Parsing follows Python's `parse_qsl` as Django calls it: pairs split on `&`
 * only, `+` is a space, blank values kept, and malformed percent-escapes are left
 * as written while undecodable bytes become U+FFFD — so a hostile query string
 * never throws.
 */
import { TextDecoder } from 'node:util';
import { TooManyFieldsSent } from '../core/exceptions.ts';
import { ImmutableQueryDictError, MultiValueDictKeyError } from './errors.ts';

type Lists<V> = Iterable<readonly [string, readonly V[]]> | Readonly<Record<string, readonly V[]>>;

/**
 * A dictionary of key → list of values. `get()` gives the last value, like
 * Django's; `getList()` gives them all. Iterating yields `[key, lastValue]` pairs.
 *
 * ```ts
 * const d = new MultiValueDict([['tag', ['a', 'b']]]);
 * d.get('tag');     // 'b'
 * d.getList('tag'); // ['a', 'b']
 * ```
 */
export class MultiValueDict<V> implements Iterable<[string, V]> {
  #data = new Map<string, V[]>();

  constructor(lists?: Lists<V>) {
    if (lists === undefined) return;
    const entries = Symbol.iterator in lists ? (lists as Iterable<readonly [string, readonly V[]]>) : Object.entries(lists);
    for (const [key, values] of entries) this.#data.set(key, [...values]);
  }

  /** Called before every change; QueryDict overrides it to refuse changes when immutable. */
  protected checkMutable(): void {}

  /** The last value of `key`, or `fallback` (default `undefined`) when it has none. */
  get(key: string): V | undefined;
  get<D>(key: string, fallback: D): V | D;
  get<D>(key: string, fallback?: D): V | D | undefined {
    const list = this.#data.get(key);
    return list === undefined || list.length === 0 ? fallback : list[list.length - 1];
  }

  /**
   * The last value of `key` (Django's `d[key]`).
   *
   * @throws MultiValueDictKeyError when the key is absent.
   */
  getItem(key: string): V {
    const list = this.#data.get(key);
    if (list === undefined) throw new MultiValueDictKeyError(key);
    // Django answers [] for a key whose list is empty; there is no V to return here.
    if (list.length === 0) throw new MultiValueDictKeyError(key);
    return list[list.length - 1]!;
  }

  /** Every value of `key` (a copy), or `fallback` (default `[]`) when the key is absent. */
  getList(key: string, fallback: V[] = []): V[] {
    const list = this.#data.get(key);
    return list === undefined ? fallback : [...list];
  }

  has(key: string): boolean {
    return this.#data.has(key);
  }

  /** The number of distinct keys. */
  get size(): number {
    return this.#data.size;
  }

  keys(): IterableIterator<string> {
    return this.#data.keys();
  }

  /** The last value of each key. */
  *values(): IterableIterator<V> {
    for (const [, value] of this.items()) yield value;
  }

  /** `[key, lastValue]` pairs; a key whose list is empty is skipped. */
  *items(): IterableIterator<[string, V]> {
    for (const [key, list] of this.#data) if (list.length > 0) yield [key, list[list.length - 1]!];
  }

  /** Same as `items()`, for Map-like code. */
  entries(): IterableIterator<[string, V]> {
    return this.items();
  }

  /** `[key, allValues]` pairs. */
  *lists(): IterableIterator<[string, V[]]> {
    for (const [key, list] of this.#data) yield [key, [...list]];
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.items();
  }

  /** Replace the values of `key` with the single `value`. */
  set(key: string, value: V): void {
    this.checkMutable();
    this.#data.set(key, [value]);
  }

  setList(key: string, values: readonly V[]): void {
    this.checkMutable();
    this.#data.set(key, [...values]);
  }

  /** Add `value` after the existing values of `key`. */
  appendList(key: string, value: V): void {
    this.checkMutable();
    const list = this.#data.get(key);
    if (list === undefined) this.#data.set(key, [value]);
    else list.push(value);
  }

  /** The last value of `key`, first setting it to `fallback` when absent. */
  setDefault(key: string, fallback: V): V {
    this.checkMutable();
    if (!this.#data.has(key)) this.#data.set(key, [fallback]);
    return this.get(key, fallback);
  }

  /** Remove `key`; true when it was present. */
  delete(key: string): boolean {
    this.checkMutable();
    return this.#data.delete(key);
  }

  /** Remove `key` and return its last value (or `fallback`). */
  pop(key: string): V | undefined;
  pop<D>(key: string, fallback: D): V | D;
  pop<D>(key: string, fallback?: D): V | D | undefined {
    this.checkMutable();
    const value = this.get(key, fallback);
    this.#data.delete(key);
    return value;
  }

  /** Remove `key` and return all its values. */
  popList(key: string): V[] {
    this.checkMutable();
    const list = this.getList(key);
    this.#data.delete(key);
    return list;
  }

  clear(): void {
    this.checkMutable();
    this.#data.clear();
  }

  /** Add the values of `other` after the existing ones (Django's update() extends, not replaces). */
  update(other: MultiValueDict<V> | Readonly<Record<string, V>>): void {
    this.checkMutable();
    if (other instanceof MultiValueDict) {
      for (const [key, list] of other.lists()) for (const value of list) this.appendList(key, value);
    } else {
      for (const [key, value] of Object.entries(other)) this.appendList(key, value);
    }
  }

  /** A plain object of key → last value. */
  dict(): Record<string, V> {
    return Object.fromEntries(this.items());
  }

  toJSON(): Record<string, V[]> {
    return Object.fromEntries(this.lists());
  }

  /** A mutable shallow copy. */
  copy(): MultiValueDict<V> {
    return new MultiValueDict(this.lists());
  }
}

/** Options of `QueryDict.parse()`. */
export interface QueryDictParseOptions {
  /** The charset percent-escapes decode to; default 'utf-8'. */
  encoding?: string;
  /** Leave the result mutable (Django's `mutable=True`); default false. */
  mutable?: boolean;
  /** Refuse more than this many fields with TooManyFieldsSent; null or absent: no limit. */
  maxNumFields?: number | null;
}

/**
 * A MultiValueDict of strings parsed from a query string or form body, as
 * `request.GET` and `request.POST`. Immutable unless created mutable or copied.
 *
 * ```ts
 * const q = QueryDict.parse('tag=a&tag=b&q=red+shoes');
 * q.get('q');        // 'red shoes'
 * const next = q.copy();
 * next.set('page', '2');
 * next.urlencode();  // 'tag=a&tag=b&q=red+shoes&page=2'
 * ```
 */
export class QueryDict extends MultiValueDict<string> {
  #mutable = true;
  readonly encoding: string;

  constructor(lists?: Lists<string>, options: { encoding?: string; mutable?: boolean } = {}) {
    super(lists);
    this.encoding = options.encoding ?? 'utf-8';
    this.#mutable = options.mutable ?? true;
  }

  /**
   * Parse `a=1&b=2` as Django does; never throws on malformed escapes.
   *
   * @throws TooManyFieldsSent when `maxNumFields` is set and exceeded.
   */
  static parse(input: string | Uint8Array, options: QueryDictParseOptions = {}): QueryDict {
    const encoding = options.encoding ?? 'utf-8';
    const decoder = decoderFor(encoding);
    // A body arrives as bytes: keep them one char per byte so that literal
    // non-ASCII bytes decode in `encoding` just like percent-escaped ones.
    const bytes = typeof input !== 'string';
    const text = bytes ? Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1') : input;
    const pieces = text === '' ? [] : text.split('&');
    const max = options.maxNumFields;
    // Python counts the pieces before dropping empty ones, and so does Django's limit.
    if (max !== undefined && max !== null && pieces.length > max) {
      throw new TooManyFieldsSent(
        `The number of GET/POST parameters exceeded DATA_UPLOAD_MAX_NUMBER_FIELDS (${max}). ` +
          'Raise the setting if the form really needs more fields.',
      );
    }
    const dict = new QueryDict(undefined, { encoding });
    for (const piece of pieces) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      const rawKey = eq === -1 ? piece : piece.slice(0, eq);
      const rawValue = eq === -1 ? '' : piece.slice(eq + 1);
      dict.appendList(unquotePlus(rawKey, decoder, bytes), unquotePlus(rawValue, decoder, bytes));
    }
    dict.#mutable = options.mutable ?? false;
    return dict;
  }

  /** A QueryDict with each key of `keys` set to `value` (Django's `fromkeys`). */
  static fromKeys(keys: Iterable<string>, value = '', options: { encoding?: string; mutable?: boolean } = {}): QueryDict {
    const dict = new QueryDict(undefined, { encoding: options.encoding });
    for (const key of keys) dict.appendList(key, value);
    dict.#mutable = options.mutable ?? false;
    return dict;
  }

  /** Whether changes are allowed. */
  get mutable(): boolean {
    return this.#mutable;
  }

  protected override checkMutable(): void {
    if (!this.#mutable) throw new ImmutableQueryDictError();
  }

  /** A mutable copy (the way to change request.GET). */
  override copy(): QueryDict {
    return new QueryDict(this.lists(), { encoding: this.encoding, mutable: true });
  }

  /**
   * The dict as a query string, `+` for spaces. Characters in `safe` are left
   * unescaped (and spaces become `%20`, as Django's `urlencode(safe=...)`).
   */
  urlencode(safe?: string): string {
    const parts: string[] = [];
    for (const [key, list] of this.lists()) {
      for (const value of list) {
        parts.push(
          safe === undefined
            ? `${quote(key, '', true)}=${quote(value, '', true)}`
            : `${quote(key, safe, false)}=${quote(value, safe, false)}`,
        );
      }
    }
    return parts.join('&');
  }

  override toString(): string {
    return this.urlencode();
  }
}

const decoders = new Map<string, TextDecoder>();

function decoderFor(encoding: string): TextDecoder {
  let decoder = decoders.get(encoding);
  if (decoder === undefined) {
    decoder = new TextDecoder(encoding);
    decoders.set(encoding, decoder);
  }
  return decoder;
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * `+` → space, then percent-decoding where `%XX` is valid hex; invalid escapes
 * stay as written, bytes that are not valid in `decoder`'s charset become U+FFFD.
 */
export function unquotePlus(text: string, decoder: TextDecoder = decoderFor('utf-8'), bytesMode = false): string {
  const plain = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!plain.includes('%') && !(bytesMode && /[^\x00-\x7f]/.test(plain))) return plain;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < plain.length; i++) {
    const ch = plain[i]!;
    if (ch === '%' && HEX.test(plain.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(plain.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = plain.codePointAt(i)!;
      if (code < 0x80 || bytesMode) bytes.push(code);
      else {
        const char = String.fromCodePoint(code);
        bytes.push(...encoder.encode(char));
        i += char.length - 1;
      }
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

// Python's quote() never escapes these, whatever `safe` says.
const ALWAYS_SAFE = /[A-Za-z0-9_.~-]/;

/** Python's `quote`/`quote_plus` over UTF-8. */
export function quote(text: string, safe = '/', plus = false): string {
  let out = '';
  for (const char of text) {
    if (ALWAYS_SAFE.test(char) || (char.length === 1 && safe.includes(char))) out += char;
    else if (plus && char === ' ') out += '+';
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

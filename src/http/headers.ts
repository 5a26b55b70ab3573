/**
 * Case-insensitive header collections: `RequestHeaders` (read-only, what the
 * client sent) and `ResponseHeaders` (what a response will send).
 */
import { BadHeaderError } from './errors.ts';

/** What a header collection can be built from. Arrays are repeated headers. */
export type HeadersInit =
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | Iterable<readonly [string, string]>;

/** Header pairs from any `HeadersInit`, repeated headers as several pairs. */
export function headerPairs(init: HeadersInit | undefined): Array<[string, string]> {
  if (init === undefined) return [];
  const pairs: Array<[string, string]> = [];
  if (Symbol.iterator in init) {
    for (const [name, value] of init as Iterable<readonly [string, string]>) pairs.push([name, String(value)]);
    return pairs;
  }
  for (const [name, value] of Object.entries(init as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) pairs.push([name, String(item)]);
    else pairs.push([name, String(value)]);
  }
  return pairs;
}

/**
 * The first value of header `lowerName` (lower case) in a flat `[name, value, …]`
 * list such as node:http's `rawHeaders`, without building a header object.
 */
export function rawHeaderValue(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === lowerName.length && (name === lowerName || name.toLowerCase() === lowerName)) return raw[i + 1];
  }
  return undefined;
}

/**
 * The request's headers, looked up case-insensitively (Django's `request.headers`).
 * A repeated header reads as its values joined by `, ` (`; ` for Cookie), as RFC 9110
 * allows; `getAll()` keeps them apart. Iterating yields `[Title-Case-Name, value]`.
 *
 * ```ts
 * request.headers.get('user-agent') === request.headers.get('User-Agent');
 * ```
 */
export class RequestHeaders implements Iterable<[string, string]> {
  readonly #values = new Map<string, string[]>();

  constructor(init?: HeadersInit) {
    for (const [name, value] of headerPairs(init)) {
      const key = name.toLowerCase();
      const list = this.#values.get(key);
      if (list === undefined) this.#values.set(key, [value]);
      else list.push(value);
    }
  }

  /**
   * Headers from a flat `[name, value, name, value, …]` list (node:http's `rawHeaders`),
   * leaving out names spelled with '_', which META cannot tell apart from '-'.
   */
  static fromRaw(raw: readonly string[]): RequestHeaders {
    const headers = new RequestHeaders();
    const values = headers.#values;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.includes('_')) continue;
      const key = name.toLowerCase();
      const list = values.get(key);
      if (list === undefined) values.set(key, [raw[i + 1]!]);
      else list.push(raw[i + 1]!);
    }
    return headers;
  }

  /** The header's value, repeated values joined; undefined when absent. */
  get(name: string): string | undefined {
    const key = name.toLowerCase();
    const list = this.#values.get(key);
    if (list === undefined) return undefined;
    return list.length === 1 ? list[0] : list.join(key === 'cookie' ? '; ' : ', ');
  }

  /** Every value the header was sent with, in order. */
  getAll(name: string): string[] {
    return [...(this.#values.get(name.toLowerCase()) ?? [])];
  }

  has(name: string): boolean {
    return this.#values.has(name.toLowerCase());
  }

  get size(): number {
    return this.#values.size;
  }

  /** Header names in Title-Case, as Django shows them. */
  *keys(): IterableIterator<string> {
    for (const key of this.#values.keys()) yield titleCase(key);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const key of this.#values.keys()) yield [titleCase(key), this.get(key)!];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** A plain object of Title-Case name → value. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }
}

function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
}

// RFC 9110 token characters for names; values may not hold CR, LF or NUL.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\r\n\0]/;

// Valid header names seen so far → lower case. Responses set the same few names over
// and over; the bound keeps unusual names (which are simply checked each time) out.
const validNames = new Map<string, string>();
const VALID_NAMES_MAX = 256;

function checkName(name: string): string {
  if (!HEADER_NAME.test(name)) {
    throw new BadHeaderError(`Header name ${JSON.stringify(name)} is not a valid HTTP token; use letters, digits and '-'.`);
  }
  const lower = name.toLowerCase();
  if (validNames.size < VALID_NAMES_MAX) validNames.set(name, lower);
  return lower;
}

function lowerName(name: string): string {
  return validNames.get(name) ?? name.toLowerCase();
}

/**
 * A response's headers: case-insensitive, keeping the case they were set with.
 * Setting a name or value with a newline throws BadHeaderError, which keeps a
 * user-supplied string from splitting the response.
 */
export class ResponseHeaders implements Iterable<[string, string]> {
  readonly #values = new Map<string, [string, string]>();

  constructor(init?: HeadersInit) {
    if (init !== undefined) for (const [name, value] of headerPairs(init)) this.set(name, value);
  }

  get(name: string): string | undefined {
    return this.#values.get(lowerName(name))?.[1];
  }

  has(name: string): boolean {
    return this.#values.has(lowerName(name));
  }

  /**
   * Set a header, replacing any earlier value.
   *
   * @throws BadHeaderError when the name is not a token or the value has a newline.
   */
  set(name: string, value: string | number): void {
    const text = typeof value === 'string' ? value : String(value);
    const lower = validNames.get(name) ?? checkName(name);
    if (BAD_VALUE.test(text)) {
      throw new BadHeaderError(
        `Header ${name} has a newline or NUL in its value ${JSON.stringify(text)}; remove it (it could split the response).`,
      );
    }
    this.#values.set(lower, [name, text]);
  }

  /** Set the header only when it is not set yet (Django's `setdefault`). */
  setDefault(name: string, value: string | number): void {
    if (!this.has(name)) this.set(name, value);
  }

  delete(name: string): boolean {
    return this.#values.delete(lowerName(name));
  }

  get size(): number {
    return this.#values.size;
  }

  keys(): IterableIterator<string> {
    return [...this.#values.values()].map(([name]) => name)[Symbol.iterator]();
  }

  /** `[name, value]` pairs with names as they were set. */
  entries(): IterableIterator<[string, string]> {
    return [...this.#values.values()].map(([name, value]): [string, string] => [name, value])[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  /** `[name, value, name, value, …]` with names as they were set: what `res.writeHead()` takes. */
  flat(): string[] {
    const out: string[] = [];
    for (const pair of this.#values.values()) out.push(pair[0], pair[1]);
    return out;
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.entries());
  }
}

/**
 * Path converters: the `int` in `<int:id>` (Django's django.urls.converters).
 *
 * A converter is a regex fragment that the segment must match, a `toPython`
 * that turns the matched text into the value the view receives, and a
 * `toUrl` that turns a value given to `reverse()` back into text.
 */
import { NuagesError } from '../core/errors.ts';

/**
 * A path converter. `toPython` and `toUrl` reject a value by throwing (any
 * error): a rejected match makes the resolver try the next pattern, a rejected
 * reverse value makes `reverse()` try the next candidate — Django's
 * `ValueError` contract.
 *
 * @example
 * registerConverter({
 *   regex: '[0-9]{4}',
 *   toPython: (value) => Number(value),
 *   toUrl: (value) => String(value).padStart(4, '0'),
 * }, 'yyyy');
 * path('articles/<yyyy:year>/', yearArchive);
 */
export interface PathConverter {
  /** A regular expression fragment (JavaScript syntax, no anchors, no capturing groups). */
  readonly regex: string;
  toPython(value: string): unknown;
  toUrl(value: unknown): string;
}

/** A converter name given to `registerConverter()` twice with different converters. */
export class ConverterAlreadyRegisteredError extends NuagesError {
  readonly code = 'NUAGES_URL_CONVERTER_REGISTERED';
  constructor(name: string) {
    super(
      `A path converter named '${name}' is already registered. Pick another name for the new ` +
        'converter; replacing a registered one would change the URLs already defined with it.',
    );
  }
}

/** @internal Python's str() of a value written into a URL: `True`, `None`, as Django writes them. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** `[0-9]+` → a number (digits beyond Number.MAX_SAFE_INTEGER do not match). */
export const intConverter: PathConverter = Object.freeze({
  regex: '[0-9]+',
  toPython(value: string): number {
    const n = Number(value);
    // A number that JavaScript cannot hold exactly would silently name another object.
    if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is too large for an int path segment.`);
    return n;
  },
  toUrl(value: unknown): string {
    return pyStr(value);
  },
});

/** `[^/]+`: any non-empty segment without a slash (the default converter). */
export const stringConverter: PathConverter = Object.freeze({
  regex: '[^/]+',
  toPython: (value: string): string => value,
  toUrl: pyStr,
});

/** `[-a-zA-Z0-9_]+`: ASCII letters, digits, hyphens and underscores. */
export const slugConverter: PathConverter = Object.freeze({
  regex: '[-a-zA-Z0-9_]+',
  toPython: (value: string): string => value,
  toUrl: pyStr,
});

/** A lower-case hyphenated UUID; the view receives it as a string. */
export const uuidConverter: PathConverter = Object.freeze({
  regex: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
  toPython: (value: string): string => value,
  toUrl: pyStr,
});

/** `.+`: the rest of the path, slashes included. */
export const pathConverter: PathConverter = Object.freeze({
  regex: '.+',
  toPython: (value: string): string => value,
  toUrl: pyStr,
});

const DEFAULT_CONVERTERS: ReadonlyMap<string, PathConverter> = new Map([
  ['int', intConverter],
  ['path', pathConverter],
  ['slug', slugConverter],
  ['str', stringConverter],
  ['uuid', uuidConverter],
]);

const registered = new Map<string, PathConverter>();

/**
 * Makes `<name:param>` available in `path()` routes defined afterwards.
 * Registering the same converter object again under its name is a no-op
 * (a module imported twice); another converter under a taken name throws
 * {@link ConverterAlreadyRegisteredError} (Django 5.2 only warns, 6.0 raises).
 */
export function registerConverter(converter: PathConverter, name: string): void {
  const existing = registered.get(name) ?? DEFAULT_CONVERTERS.get(name);
  if (existing === converter) return;
  if (existing) throw new ConverterAlreadyRegisteredError(name);
  if (typeof converter?.regex !== 'string' || typeof converter.toPython !== 'function' || typeof converter.toUrl !== 'function') {
    throw new TypeError(`registerConverter('${name}'): a converter needs a regex string and toPython()/toUrl() functions.`);
  }
  registered.set(name, converter);
}

/** The converter registered under `name`, built-in or custom. */
export function getConverter(name: string): PathConverter | undefined {
  return registered.get(name) ?? DEFAULT_CONVERTERS.get(name);
}

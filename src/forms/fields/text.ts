/**
 * Text fields with a format: email, URL, slug, regex, UUID, JSON, IP address.
 *
 * Validation follows Django 5.2's validators (same patterns, messages, codes);
 * the patterns are re-expressed here for JavaScript's RegExp.
 */
import { ValidationError } from '../../core/exceptions.ts';
import { regexValidator, type Validator } from '../../core/validators.ts';
import { EmailInput, Textarea, URLInput, type Widget } from '../widgets.ts';
import { CharField, type CharFieldOptions } from './base.ts';
import { isEmptyValue, pyStr, pyStrip } from './python.ts';
import { formatIPv6, isIPv4, parseIPv6 } from '../../utils/ipv6.ts';
import { pyJsonDumps } from './json.ts';

type WidgetCtor = new () => Widget;

// ---- Validators (Django's, with its messages) -----------------------------------

const UL = '\\u00a1-\\uffff';
const HOSTNAME = `[a-z${UL}0-9](?:[a-z${UL}0-9-]{0,61}[a-z${UL}0-9])?`;
const DOMAIN = `(?:\\.(?!-)[a-z${UL}0-9-]{1,63}(?<!-))*`;
const TLD_NO_FQDN = `\\.(?!-)(?:[a-z${UL}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)`;
const IPV4_URL = '(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)(?:\\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}';
const URL_RE = new RegExp(
  `^(?:[a-z0-9.+-]*)://(?:[^\\s:@/]+(?::[^\\s:@/]*)?@)?(?:${IPV4_URL}|\\[[0-9a-f:.]+\\]|(${HOSTNAME}${DOMAIN}${TLD_NO_FQDN}\\.?|localhost))(?::[0-9]{1,5})?(?:[/?#][^\\s]*)?$`,
  'i',
);
const EMAIL_USER = /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*"$/i;
const EMAIL_DOMAIN = new RegExp(`^${HOSTNAME}${DOMAIN}${TLD_NO_FQDN}$`, 'i');
const EMAIL_LITERAL = /^\[([A-F0-9:.]+)\]$/i;

function codePoints(text: string): number {
  return [...text].length;
}

function ipError(protocol: string, value: unknown): ValidationError {
  return new ValidationError('Enter a valid %(protocol)s address.', { code: 'invalid', params: { protocol, value } });
}

export const validateIPv4Address: Validator = (value) => {
  if (typeof value !== 'string' || !isIPv4(value)) throw ipError('IPv4', value);
};

export const validateIPv6Address: Validator = (value) => {
  if (typeof value !== 'string' || value.length > 39 || !parseIPv6(value)) throw ipError('IPv6', value);
};

export const validateIPv46Address: Validator = (value) => {
  if (typeof value === 'string' && (isIPv4(value) || (value.length <= 39 && parseIPv6(value)))) return;
  throw ipError('IPv4 or IPv6', value);
};

/** Django's validate_email (EmailValidator): 320 characters at most, a dot-atom or quoted user, a host name or [literal]. */
export const validateEmail: Validator = (value) => {
  const text = typeof value === 'string' ? value : '';
  const invalid = () => new ValidationError('Enter a valid email address.', { code: 'invalid', params: { value } });
  if (!text || !text.includes('@') || codePoints(text) > 320) throw invalid();
  const at = text.lastIndexOf('@');
  const user = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (!EMAIL_USER.test(user)) throw invalid();
  if (domain === 'localhost' || EMAIL_DOMAIN.test(domain)) return;
  const literal = EMAIL_LITERAL.exec(domain);
  if (literal && (isIPv4(literal[1]!) || (literal[1]!.length <= 39 && parseIPv6(literal[1]!)))) return;
  throw invalid();
};

/** Django's URLValidator(schemes): scheme list, the URL pattern, bracketed IPv6 hosts checked, host ≤ 253 characters. */
export function urlValidator(schemes: readonly string[] = ['http', 'https', 'ftp', 'ftps']): Validator {
  return (value) => {
    const invalid = () => new ValidationError('Enter a valid URL.', { code: 'invalid', params: { value } });
    if (typeof value !== 'string' || codePoints(value) > 2048 || /[\t\r\n]/.test(value)) throw invalid();
    if (!schemes.includes(value.split('://')[0]!.toLowerCase())) throw invalid();
    const netloc = /^[^:/?#]*:\/\/([^/?#]*)/.exec(value)?.[1] ?? '';
    // urlsplit() refuses a netloc with one bracket but not the other.
    if (netloc.includes('[') !== netloc.includes(']')) throw invalid();
    if (!URL_RE.test(value)) throw invalid();
    const bracketed = /^\[(.+)\](?::[0-9]{1,5})?$/.exec(netloc);
    if (bracketed && (bracketed[1]!.length > 39 || !parseIPv6(bracketed[1]!))) throw invalid();
    let host = netloc.slice(netloc.lastIndexOf('@') + 1);
    host = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:[^:]*$/, '');
    if (!host || codePoints(host) > 253) throw invalid();
  };
}

export const validateSlug = regexValidator(/^[-a-zA-Z0-9_]+$/, {
  message: 'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.',
});
export const validateUnicodeSlug = regexValidator(/^[-\p{L}\p{N}_]+$/u, {
  message: 'Enter a valid “slug” consisting of Unicode letters, numbers, underscores, or hyphens.',
});

// ---- Fields ---------------------------------------------------------------------

/**
 * An email address (EmailInput; maxLength defaults to 320).
 *
 * ```ts
 * new EmailField().clean(' a@example.com '); // 'a@example.com'
 * ```
 */
export class EmailField<R extends boolean = true> extends CharField<R> {
  static override widget: WidgetCtor = EmailInput;

  constructor(options: CharFieldOptions<R> = {}) {
    super({ maxLength: 320, ...options });
    this.validators.unshift(validateEmail);
  }
}

export interface URLFieldOptions<R extends boolean = boolean> extends CharFieldOptions<R> {
  /** Scheme added to input that has none. Default: 'https' when FORMS_URLFIELD_ASSUME_HTTPS, else 'http' (Django 5.2). */
  assumeScheme?: string;
}

/**
 * A URL; "example.com" becomes "http://example.com" (Django 5.2's default assume_scheme).
 *
 * ```ts
 * new URLField({ assumeScheme: 'https' }).clean('example.com'); // 'https://example.com'
 * ```
 */
export class URLField<R extends boolean = true> extends CharField<R> {
  static override widget: WidgetCtor = URLInput;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid URL.' };
  assumeScheme: string;

  constructor(options: URLFieldOptions<R> = {}) {
    super({ ...options, strip: true });
    this.assumeScheme = options.assumeScheme ?? (settingOrFalse('FORMS_URLFIELD_ASSUME_HTTPS') ? 'https' : 'http');
    this.validators.unshift(urlValidator());
  }

  override toPython(value: unknown): unknown {
    const text = super.toPython(value);
    if (typeof text !== 'string' || !text) return text;
    const colon = text.indexOf(':');
    const scheme = colon < 0 ? '' : text.slice(0, colon);
    if (colon < 0 || !scheme || !/^[A-Za-z]/.test(scheme) || scheme.includes('/')) {
      return text.startsWith('//') ? `${this.assumeScheme}:${text}` : `${this.assumeScheme}://${text}`;
    }
    return text;
  }
}

import { settingOr } from '../../conf/lazy-settings.ts';
function settingOrFalse(name: string): boolean {
  return Boolean(settingOr(name, false));
}

export interface SlugFieldOptions<R extends boolean = boolean> extends CharFieldOptions<R> {
  /** Accept Unicode letters and digits, not only ASCII. */
  allowUnicode?: boolean;
}

/**
 * Letters, digits, hyphens and underscores.
 *
 * ```ts
 * new SlugField({ allowUnicode: true }).clean('café-1'); // 'café-1'
 * ```
 */
export class SlugField<R extends boolean = true> extends CharField<R> {
  allowUnicode: boolean;

  constructor(options: SlugFieldOptions<R> = {}) {
    super(options);
    this.allowUnicode = options.allowUnicode ?? false;
    this.validators.unshift(this.allowUnicode ? validateUnicodeSlug : validateSlug);
  }
}

export interface RegexFieldOptions<R extends boolean = boolean> extends CharFieldOptions<R> {}

/**
 * Text that must contain a match of `regex` (searched, as Python's re.search). Does not strip by default.
 *
 * ```ts
 * new RegexField(/^\d{5}$/).clean('75001'); // '75001'
 * ```
 */
export class RegexField<R extends boolean = true> extends CharField<R> {
  // Django's name; a plain property so Field.clone() copies it.
  protected _regex: RegExp;

  constructor(regex: RegExp | string, options: RegexFieldOptions<R> = {}) {
    super({ strip: false, ...options });
    this._regex = typeof regex === 'string' ? new RegExp(regex) : regex;
    this.validators.push(regexValidator(this._regex));
  }

  get regex(): RegExp {
    return this._regex;
  }
}

const UUID_HEX = /^[+-]?[0-9a-f](?:_?[0-9a-f])*$/i;

/**
 * A UUID, cleaned to its lowercase hyphenated form (accepts braces, "urn:uuid:", no hyphens).
 *
 * ```ts
 * new UUIDField().clean('{12345678-1234-5678-1234-567812345678}'); // '12345678-1234-5678-1234-567812345678'
 * ```
 */
export class UUIDField<R extends boolean = true> extends CharField<R> {
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid UUID.' };

  override toPython(value: unknown): unknown {
    const text = super.toPython(value);
    if (this.isEmpty(text)) return null;
    // uuid.UUID(hex=...): drop urn:/uuid:, outer braces and hyphens, then 32 characters int(…, 16) accepts.
    let hex = pyStr(text).replaceAll('urn:', '').replaceAll('uuid:', '');
    hex = hex.replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
    const digits = pyStrip(hex).replaceAll('_', '').replace(/^[+-]/, '');
    if ([...hex].length !== 32 || !UUID_HEX.test(pyStrip(hex)) || hex.startsWith('-') || pyStrip(hex).startsWith('-')) {
      throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid' });
    }
    const n = BigInt(`0x${digits}`).toString(16).padStart(32, '0');
    return `${n.slice(0, 8)}-${n.slice(8, 12)}-${n.slice(12, 16)}-${n.slice(16, 20)}-${n.slice(20)}`;
  }
}

/** Raw text of a JSONField submission that did not parse; shown back unchanged. */
export class InvalidJSONInput extends String {}

export interface JSONFieldOptions<R extends boolean = boolean> extends CharFieldOptions<R> {
  /** JSON.stringify replacer used when showing and comparing values (Django's encoder). */
  encoder?: (this: unknown, key: string, value: unknown) => unknown;
  /** JSON.parse reviver used on submissions (Django's decoder). */
  decoder?: (this: unknown, key: string, value: unknown) => unknown;
}

/**
 * Any JSON value, typed in a Textarea. "" cleans to null.
 *
 * ```ts
 * new JSONField().clean('{"a": [1, 2]}'); // { a: [1, 2] }
 * ```
 */
export class JSONField<R extends boolean = true> extends CharField<R> {
  static override widget: WidgetCtor = Textarea;
  static override defaultErrorMessages: Readonly<Record<string, string>> = { invalid: 'Enter a valid JSON.' };
  encoder: JSONFieldOptions['encoder'] | null;
  decoder: JSONFieldOptions['decoder'] | null;

  constructor(options: JSONFieldOptions<R> = {}) {
    super(options);
    this.encoder = options.encoder ?? null;
    this.decoder = options.decoder ?? null;
  }

  protected parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
    try {
      // Python's json accepts NaN and ±Infinity; JSON.parse does not.
      const py = text.replace(/(^|[[,:]\s*)(-?)(NaN|Infinity)(?=\s*[\],}]|\s*$)/g, (_m, pre: string, sign: string, word: string) =>
        `${pre}"\\u0000py:${sign}${word}"`,
      );
      const revive = (key: string, value: unknown): unknown => {
        let v = value;
        if (typeof v === 'string' && v.startsWith('\u0000py:')) v = Number(v.slice(4));
        return this.decoder ? this.decoder.call(undefined, key, v) : v;
      };
      return { ok: true, value: JSON.parse(py, revive) };
    } catch {
      return { ok: false };
    }
  }

  override toPython(value: unknown): unknown {
    if (this.disabled) return value;
    if (isEmptyValue(value, this.emptyValues)) return null;
    if (typeof value !== 'string') return value;
    const parsed = this.parseJson(value);
    if (!parsed.ok) throw new ValidationError(this.errorMessages.invalid!, { code: 'invalid', params: { value } });
    return parsed.value;
  }

  override boundData(data: unknown, initial: unknown): unknown {
    if (this.disabled) return initial;
    if (data === null || data === undefined) return null;
    const parsed = this.parseJson(String(data));
    return parsed.ok ? parsed.value : new InvalidJSONInput(String(data));
  }

  override prepareValue(value: unknown): unknown {
    if (value instanceof InvalidJSONInput) return value;
    return pyJsonDumps(value, { ensureAscii: false, replacer: this.encoder ?? undefined });
  }

  override hasChanged(initial: unknown, data: unknown): boolean {
    if (super.hasChanged(initial, data)) return true;
    const dump = (v: unknown) => pyJsonDumps(v, { sortKeys: true, replacer: this.encoder ?? undefined });
    return dump(initial) !== dump(this.toPython(data));
  }
}

export interface GenericIPAddressFieldOptions<R extends boolean = boolean> extends CharFieldOptions<R> {
  /** 'both' (default), 'IPv4' or 'IPv6' (any case). */
  protocol?: string;
  /** Clean "::ffff:1.2.3.4" to "1.2.3.4" (only with protocol 'both'). */
  unpackIpv4?: boolean;
}

/**
 * An IPv4 or IPv6 address; IPv6 is cleaned to its compressed lowercase form.
 *
 * ```ts
 * new GenericIPAddressField().clean('2001:0db8:0000:0000:0000:0000:0000:0001'); // '2001:db8::1'
 * ```
 */
export class GenericIPAddressField<R extends boolean = true> extends CharField<R> {
  unpackIpv4: boolean;

  constructor(options: GenericIPAddressFieldOptions<R> = {}) {
    super({ maxLength: 39, ...options });
    const protocol = (options.protocol ?? 'both').toLowerCase();
    this.unpackIpv4 = options.unpackIpv4 ?? false;
    if (protocol !== 'both' && this.unpackIpv4) {
      throw new RangeError("You can only use `unpackIpv4` if `protocol` is set to 'both'.");
    }
    const validator = { both: validateIPv46Address, ipv4: validateIPv4Address, ipv6: validateIPv6Address }[protocol];
    if (!validator) throw new RangeError(`The protocol '${options.protocol}' is unknown. Supported: 'both', 'IPv4', 'IPv6'.`);
    this.validators.unshift(validator);
  }

  override toPython(value: unknown): unknown {
    if (this.isEmpty(value)) return '';
    const text = pyStrip(pyStr(value));
    if (text && text.includes(':')) {
      const hextets = codePoints(text) <= (this.maxLength ?? 39) ? parseIPv6(text) : undefined;
      if (!hextets) {
        throw new ValidationError('This is not a valid IPv6 address.', { code: 'invalid', params: { protocol: 'IPv6' } });
      }
      if (this.unpackIpv4 && hextets.slice(0, 5).every((x) => x === 0) && hextets[5] === 0xffff) {
        return `${hextets[6]! >> 8}.${hextets[6]! & 255}.${hextets[7]! >> 8}.${hextets[7]! & 255}`;
      }
      return formatIPv6(hextets);
    }
    return text;
  }
}

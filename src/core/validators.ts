/**
 * Reusable validators (Django's django.core.validators).
 *
 * A validator is a function that throws `ValidationError` for a bad value and
 * returns nothing otherwise. Fields add their own (max length, digits) and a
 * model's field options may list more.
 */
import { Decimal } from 'decimal.js';
import { ValidationError } from './exceptions.ts';

export type Validator = (value: unknown) => void;

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

function lengthOf(value: unknown): number {
  // Python counts code points, not UTF-16 units: each surrogate pair is one.
  if (typeof value === 'string') return value.length - (value.match(SURROGATE_PAIR)?.length ?? 0);
  if (value && typeof (value as { length?: unknown }).length === 'number') return (value as { length: number }).length;
  return 0;
}

export function maxLengthValidator(limit: number): Validator {
  return (value) => {
    const length = lengthOf(value);
    if (length > limit) {
      throw new ValidationError(
        `Ensure this value has at most ${limit} character${limit === 1 ? '' : 's'} (it has ${length}).`,
        { code: 'max_length', params: { limit_value: limit, show_value: length, value } },
      );
    }
  };
}

export function minLengthValidator(limit: number): Validator {
  return (value) => {
    const length = lengthOf(value);
    if (length < limit) {
      throw new ValidationError(
        `Ensure this value has at least ${limit} character${limit === 1 ? '' : 's'} (it has ${length}).`,
        { code: 'min_length', params: { limit_value: limit, show_value: length, value } },
      );
    }
  };
}

function compareNumbers(a: unknown, b: number | Decimal): number {
  if (a instanceof Decimal) return a.comparedTo(b);
  if (typeof a === 'number' || typeof a === 'bigint') return Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
  return 0;
}

export function maxValueValidator(limit: number | Decimal): Validator {
  return (value) => {
    if (compareNumbers(value, limit) > 0) {
      throw new ValidationError(`Ensure this value is less than or equal to ${limit}.`, {
        code: 'max_value',
        params: { limit_value: limit, value },
      });
    }
  };
}

export function minValueValidator(limit: number | Decimal): Validator {
  return (value) => {
    if (compareNumbers(value, limit) < 0) {
      throw new ValidationError(`Ensure this value is greater than or equal to ${limit}.`, {
        code: 'min_value',
        params: { limit_value: limit, value },
      });
    }
  };
}

/** Checks a regular expression; `inverseMatch` fails when it does match. */
export function regexValidator(
  regex: RegExp,
  options: { message?: string; code?: string; inverseMatch?: boolean } = {},
): Validator {
  const message = options.message ?? 'Enter a valid value.';
  const code = options.code ?? 'invalid';
  return (value) => {
    const matched = regex.test(String(value));
    regex.lastIndex = 0;
    if (matched === Boolean(options.inverseMatch)) throw new ValidationError(message, { code, params: { value } });
  };
}

const SLUG = /^[-a-zA-Z0-9_]+$/;
export const validateSlug = regexValidator(SLUG, {
  message: 'Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.',
});

const EMAIL_USER = /^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*$|^"([\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0d-\x7f])*"$/i;
const DOMAIN = /^((?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{2,63}(?<!-)$/i;

/** Email addresses as Django accepts them (user part, then a domain with a dot, or `localhost`). */
export const validateEmail: Validator = (value) => {
  const text = String(value ?? '');
  const invalid = () => new ValidationError('Enter a valid email address.', { code: 'invalid', params: { value } });
  if (!text || !text.includes('@') || text.length > 320) throw invalid();
  const at = text.lastIndexOf('@');
  const user = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (!EMAIL_USER.test(user)) throw invalid();
  if (domain === 'localhost') return;
  let asciiDomain = domain;
  try {
    asciiDomain = new URL(`http://${domain}`).hostname;
  } catch {
    throw invalid();
  }
  if (!DOMAIN.test(asciiDomain) && !/^\[[0-9a-f:.]+\]$/i.test(domain)) throw invalid();
};

const URL_SCHEMES = ['http', 'https', 'ftp', 'ftps'];

/** URLs with a scheme from `schemes` and a host name or address. */
export function urlValidator(schemes: readonly string[] = URL_SCHEMES): Validator {
  return (value) => {
    const text = String(value ?? '');
    const invalid = () => new ValidationError('Enter a valid URL.', { code: 'invalid', params: { value } });
    if (text.length > 2048 || /\s/.test(text)) throw invalid();
    const scheme = text.split('://')[0]!.toLowerCase();
    if (!schemes.includes(scheme)) throw invalid();
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw invalid();
    }
    const host = url.hostname;
    if (!host) throw invalid();
    const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
    if (!isIp && host !== 'localhost' && !DOMAIN.test(host.replace(/\.$/, ''))) throw invalid();
  };
}

/** At most `maxDigits` digits in all and `decimalPlaces` after the point. */
export function decimalValidator(maxDigits: number | null, decimalPlaces: number | null): Validator {
  return (value) => {
    if (!(value instanceof Decimal)) return;
    if (!value.isFinite()) throw new ValidationError('Enter a number.', { code: 'invalid', params: { value } });
    // decimal.js keeps no trailing zeros; `e` is the exponent of the leading digit (negative below 1).
    const decimals = value.decimalPlaces();
    const wholeDigits = value.e >= 0 && !value.isZero() ? value.e + 1 : 0;
    const digits = wholeDigits + decimals;
    const plural = (n: number) => (n === 1 ? '' : 's');
    if (maxDigits !== null && digits > maxDigits) {
      throw new ValidationError(`Ensure that there are no more than ${maxDigits} digit${plural(maxDigits)} in total.`, {
        code: 'max_digits',
        params: { max: maxDigits, value },
      });
    }
    if (decimalPlaces !== null && decimals > decimalPlaces) {
      throw new ValidationError(
        `Ensure that there are no more than ${decimalPlaces} decimal place${plural(decimalPlaces)}.`,
        { code: 'max_decimal_places', params: { max: decimalPlaces, value } },
      );
    }
    if (maxDigits !== null && decimalPlaces !== null && wholeDigits > maxDigits - decimalPlaces) {
      const limit = maxDigits - decimalPlaces;
      throw new ValidationError(
        `Ensure that there are no more than ${limit} digit${plural(limit)} before the decimal point.`,
        { code: 'max_whole_digits', params: { max: limit, value } },
      );
    }
  };
}

/**
 * Response cookies: what `setCookie()` records and how it becomes a Set-Cookie
 * header. Serialization is the `cookie` package's (the one Express and Fastify
 * use); the attribute rules (max-age implying expires, `__Secure-`/`__Host-`
 * prefixes, SameSite values) are Django's.
 */
import { serialize } from 'cookie';
import { BadHeaderError } from './errors.ts';
import { now as timezoneNow } from '../utils/timezone.ts';

/** SameSite values, as Django accepts them (any case). */
export type SameSite = 'Lax' | 'Strict' | 'None' | 'lax' | 'strict' | 'none' | false;

/** Options of `response.setCookie()`. */
export interface CookieOptions {
  /** Seconds until it expires; also sets `Expires` for old clients. */
  maxAge?: number;
  /** When it expires: a Date, or an HTTP date string. */
  expires?: Date | string;
  /** Default '/'. */
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: SameSite;
  partitioned?: boolean;
}

/** One cookie a response sets (Django's Morsel). */
export interface ResponseCookie extends CookieOptions {
  readonly name: string;
  readonly value: string;
}

// RFC 6265 cookie-octets, minus '%' which marks our own escapes.
const COOKIE_OCTET = /[\x21\x23\x24\x26-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/;

/**
 * Escape a cookie value: cookie-octets stay as they are (so `a:b:c` signed values
 * read the same in every client), anything else is percent-encoded UTF-8,
 * which `request.COOKIES` decodes.
 */
export function encodeCookieValue(value: string): string {
  let out = '';
  for (const char of value) {
    if (COOKIE_OCTET.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Check and normalise the options of a cookie.
 *
 * @throws BadHeaderError for an invalid name or SameSite value.
 */
export function makeCookie(name: string, value: string, options: CookieOptions): ResponseCookie {
  if (!COOKIE_NAME.test(name)) {
    throw new BadHeaderError(`Cookie name ${JSON.stringify(name)} is invalid: use letters, digits and !#$%&'*+-.^_\`|~ only.`);
  }
  let sameSite = options.sameSite;
  if (sameSite !== undefined && sameSite !== false) {
    const lower = sameSite.toLowerCase();
    if (lower !== 'lax' && lower !== 'strict' && lower !== 'none') {
      throw new BadHeaderError(`Cookie ${name}: sameSite must be 'Lax', 'Strict' or 'None', not ${JSON.stringify(sameSite)}.`);
    }
    sameSite = (lower[0]!.toUpperCase() + lower.slice(1)) as SameSite;
  }
  let expires = options.expires;
  if (options.maxAge !== undefined && expires === undefined) {
    expires = new Date(timezoneNow().getTime() + options.maxAge * 1000);
  }
  return {
    ...options,
    name,
    value,
    path: options.path ?? '/',
    maxAge: options.maxAge === undefined ? undefined : Math.trunc(options.maxAge),
    expires,
    sameSite,
  };
}

/** The Set-Cookie header value of one cookie. */
export function serializeCookie(cookie: ResponseCookie): string {
  const sameSite = cookie.sameSite === undefined || cookie.sameSite === false ? undefined : (cookie.sameSite.toLowerCase() as 'lax' | 'strict' | 'none');
  const expires = typeof cookie.expires === 'string' ? new Date(cookie.expires) : cookie.expires;
  return serialize(cookie.name, cookie.value, {
    encode: encodeCookieValue,
    maxAge: cookie.maxAge,
    expires: expires !== undefined && !Number.isNaN(expires.getTime()) ? expires : undefined,
    path: cookie.path,
    domain: cookie.domain,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    sameSite,
    partitioned: cookie.partitioned,
  });
}

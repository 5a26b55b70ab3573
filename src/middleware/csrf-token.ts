/**
 * The CSRF secret and the tokens made from it, in Django 5.2's formats, so a token a
 * Django project put in a page verifies here and the other way round.
 *
 *   secret  32 characters of [a-zA-Z0-9], kept in the `csrftoken` cookie (or the session
 *           under `_csrftoken` with CSRF_USE_SESSIONS); one per browser.
 *   token   64 characters: a fresh random mask, then the secret shifted by it, character
 *           by character. Every page gets a different token for the same secret, so a
 *           compressed page never repeats a constant next to attacker-chosen text (BREACH).
 *
 * The request carries the secret in `request.META['CSRF_COOKIE']` (as Django) and
 * `request.csrfCookieNeedsReset` says the middleware must send it on the response.
 */
import { randomInt } from 'node:crypto';
import { constantTimeCompare } from '../core/signing.ts';

/** Length of a secret. */
export const CSRF_SECRET_LENGTH = 32;
/** Length of a masked token: mask and cipher. */
export const CSRF_TOKEN_LENGTH = 2 * CSRF_SECRET_LENGTH;
/** Characters of secrets, masks and tokens, in Django's order (Python's ascii_letters + digits). */
export const CSRF_ALLOWED_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** The session key of the secret with CSRF_USE_SESSIONS. */
export const CSRF_SESSION_KEY = '_csrftoken';
/** The META key holding the request's secret once the middleware (or getToken) set it. */
export const CSRF_COOKIE_META_KEY = 'CSRF_COOKIE';

/** What is wrong with a token or secret, as Django words it after "CSRF cookie" or "CSRF token from …". */
export type TokenFormatProblem = 'has incorrect length' | 'has invalid characters';

/** The part of a request the token functions use (an HttpRequest has it). */
export interface CsrfRequest {
  readonly META: Record<string, string>;
  csrfCookieNeedsReset?: boolean;
}

const CHARS = CSRF_ALLOWED_CHARS;
const RADIX = CHARS.length;
// Character code → position in CHARS (-1 for anything else).
const POSITION = new Int8Array(128).fill(-1);
for (let i = 0; i < RADIX; i++) POSITION[CHARS.charCodeAt(i)] = i;
const INVALID_CHAR = /[^a-zA-Z0-9]/;

function randomString(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CHARS[randomInt(RADIX)];
  return out;
}

/** A new random secret. */
export function newCsrfSecret(): string {
  return randomString(CSRF_SECRET_LENGTH);
}

/**
 * A token for `secret` under a new random mask (Django's `_mask_cipher_secret`); `mask`
 * is for tests that need a fixed one.
 */
export function maskCipherSecret(secret: string, mask: string = randomString(CSRF_SECRET_LENGTH)): string {
  let cipher = '';
  for (let i = 0; i < secret.length; i++) {
    cipher += CHARS[(POSITION[secret.charCodeAt(i)]! + POSITION[mask.charCodeAt(i)]!) % RADIX];
  }
  return mask + cipher;
}

/** The secret inside a 64-character token (Django's `_unmask_cipher_token`); the token must be well formed. */
export function unmaskCipherToken(token: string): string {
  const mask = token.slice(0, CSRF_SECRET_LENGTH);
  const cipher = token.slice(CSRF_SECRET_LENGTH);
  let secret = '';
  for (let i = 0; i < cipher.length; i++) {
    secret += CHARS[(POSITION[cipher.charCodeAt(i)]! - POSITION[mask.charCodeAt(i)]! + RADIX) % RADIX];
  }
  return secret;
}

/**
 * Why `token` (a secret or a token, masked or not) cannot be one, or undefined when it
 * can: 32 or 64 characters of [a-zA-Z0-9].
 */
export function tokenFormatProblem(token: string): TokenFormatProblem | undefined {
  // Counted in code points, as Python does, so an emoji is one character of the wrong kind.
  const length = [...token].length;
  if (length !== CSRF_TOKEN_LENGTH && length !== CSRF_SECRET_LENGTH) return 'has incorrect length';
  if (INVALID_CHAR.test(token)) return 'has invalid characters';
  return undefined;
}

/**
 * Whether a well-formed token matches `secret`: a 64-character token is unmasked first,
 * a 32-character one is the secret itself (what a page cached before masking, or a
 * script reading the cookie, sends). Compared in constant time.
 */
export function doesTokenMatch(token: string, secret: string): boolean {
  const candidate = token.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(token) : token;
  return constantTimeCompare(candidate, secret);
}

function addNewSecret(request: CsrfRequest): string {
  const secret = newCsrfSecret();
  request.META[CSRF_COOKIE_META_KEY] = secret;
  request.csrfCookieNeedsReset = true;
  return secret;
}

/**
 * The CSRF token for a form or a script on the page being built: the request's secret
 * (a new one when it has none) under a fresh mask, so every call returns another string
 * that verifies all the same. Marks the secret for sending, so the response carries the
 * cookie (and `Vary: Cookie`), or the session holds the secret: call it only for pages
 * that need it — the `{% csrf_token %}` tag and `{{ csrf_token }}` call it lazily.
 *
 * ```ts
 * export async function app(request: HttpRequest) {
 *   return render(request, 'app.html', { apiToken: getToken(request) });
 * }
 * ```
 */
export function getToken(request: CsrfRequest): string {
  let secret = request.META[CSRF_COOKIE_META_KEY];
  if (secret === undefined) secret = addNewSecret(request);
  // Sent again even when the browser has it, which renews the cookie's expiry.
  else request.csrfCookieNeedsReset = true;
  return maskCipherSecret(secret);
}

/**
 * Replace the request's secret with a new one, sent on the response: tokens of pages
 * served before stop working. `login()` does it (through the auth app), so a secret an
 * attacker planted before the login is worthless after it.
 */
export function rotateToken(request: CsrfRequest): void {
  addNewSecret(request);
}

/**
 * CsrfViewMiddleware (Django 5.2's django.middleware.csrf): refuses a request with an
 * unsafe method (POST, PUT, PATCH, DELETE, …) that another site could have made the
 * browser send.
 *
 * processRequest: the secret from the cookie (or the session) → request.META.CSRF_COOKIE
 * processView, for unsafe methods of views not marked `csrfExempt`:
 *   `Sec-Fetch-Site: cross-site` → refused at once (unless the Origin is trusted)
 *   → Origin: this host or CSRF_TRUSTED_ORIGINS
 *   → no Origin over HTTPS: the Referer, which must be an https URL of a trusted host
 *   → the token (form field `csrfmiddlewaretoken`, else the CSRF_HEADER_NAME header)
 *     must match the secret
 *   a refusal calls CSRF_FAILURE_VIEW with `{ reason }` (Django's reasons, word for word)
 *   and logs it on `nuages.security.csrf`
 * processResponse: sends the secret (cookie or session) when a page used a token or
 *   the secret was rotated, with `Vary: Cookie`.
 */
import { settingOr } from '../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../core/errors.ts';
import { DisallowedHost } from '../core/exceptions.ts';
import { logResponse } from '../core/handlers/exception.ts';
import type { SameSite } from '../http/cookies.ts';
import { isSameDomain, type HttpRequest } from '../http/request.ts';
import type { HttpResponseBase } from '../http/response.ts';
import { urlsplit, urlunsplit } from '../utils/http.ts';
import type { Params } from '../urls/types.ts';
import { patchVaryHeaders } from '../utils/cache.ts';
import { getLogger } from '../utils/log.ts';
import { dottedToImportString, importSettingEntry } from '../utils/module-loading.ts';
import {
  CSRF_COOKIE_META_KEY,
  CSRF_SESSION_KEY,
  CSRF_TOKEN_LENGTH,
  doesTokenMatch,
  rotateToken,
  tokenFormatProblem,
  unmaskCipherToken,
  type TokenFormatProblem,
} from './csrf-token.ts';
import { MiddlewareMixin } from './mixin.ts';

export const REASON_BAD_ORIGIN = 'Origin checking failed - %s does not match any trusted origins.';
export const REASON_NO_REFERER = 'Referer checking failed - no Referer.';
export const REASON_BAD_REFERER = 'Referer checking failed - %s does not match any trusted origins.';
export const REASON_NO_CSRF_COOKIE = 'CSRF cookie not set.';
export const REASON_CSRF_TOKEN_MISSING = 'CSRF token missing.';
export const REASON_MALFORMED_REFERER = 'Referer checking failed - Referer is malformed.';
export const REASON_INSECURE_REFERER = 'Referer checking failed - Referer is insecure while host is secure.';
/** Nuages's own: the browser said (Sec-Fetch-Site) that another site made the request. */
export const REASON_CROSS_SITE = 'Sec-Fetch-Site checking failed - the request came from another site.';

/** The view CSRF_FAILURE_VIEW names: it answers a refused request (Django passes `reason=`). */
export type CsrfFailureView = (request: HttpRequest, params: { reason: string }) => HttpResponseBase | Promise<HttpResponseBase>;

/** CSRF_USE_SESSIONS is on but the request has no session: SessionMiddleware is missing or after this one. */
export class CsrfSessionMissingError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_CSRF_NO_SESSION';
  constructor() {
    super(
      'CSRF_USE_SESSIONS is enabled, but request.session is not set. Put ' +
        "'nuages/contrib/sessions#SessionMiddleware' before 'nuages/middleware/csrf#CsrfViewMiddleware' in MIDDLEWARE.",
    );
  }
}

/** CSRF_FAILURE_VIEW cannot be imported, or names no function. */
export class CsrfFailureViewError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_CSRF_FAILURE_VIEW';
}

/** What the middleware needs of a session (contrib/sessions' SessionBase has it). */
interface CsrfSession {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

// RFC 9110's safe methods: they must not change anything, so they are not checked.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
const DEFAULT_FAILURE_VIEW = 'nuages/views/csrf#csrfFailure';
const log = getLogger('nuages.security.csrf');

/** The secret the request came with, or what is wrong with its cookie. */
type ReadSecret = { readonly secret: string | null } | { readonly problem: TokenFormatProblem };

/** CSRF_TRUSTED_ORIGINS, parsed the ways the checks use it. */
interface TrustedOrigins {
  /** Origins without a wildcard, compared whole. */
  readonly exact: ReadonlySet<string>;
  /** Scheme → hosts of wildcard origins ('https://*.example.com' → '.example.com'). */
  readonly wildcards: ReadonlyMap<string, readonly string[]>;
  /** Every origin's host, wildcard turned into a leading dot, for the Referer check. */
  readonly hosts: readonly string[];
}

// Parsed once per CSRF_TRUSTED_ORIGINS array, so overrideSettings() in a test takes effect.
const parsedOrigins = new WeakMap<readonly string[], TrustedOrigins>();

function trustedOrigins(): TrustedOrigins {
  const origins = settingOr<readonly string[]>('CSRF_TRUSTED_ORIGINS', []);
  let parsed = parsedOrigins.get(origins);
  if (parsed === undefined) {
    const wildcards = new Map<string, string[]>();
    const hosts: string[] = [];
    for (const origin of origins) {
      let scheme: string;
      let netloc: string;
      try {
        [scheme, netloc] = urlsplit(origin);
      } catch (error) {
        throw new ImproperlyConfigured(
          `CSRF_TRUSTED_ORIGINS entry '${origin}' is not a valid origin (${(error as Error).message}). ` +
            "Write the scheme and host, such as 'https://shop.example.com' or 'https://*.example.com'.",
          { cause: error },
        );
      }
      const host = netloc.replace(/^\*+/, '');
      hosts.push(host);
      if (origin.includes('*')) wildcards.set(scheme, [...(wildcards.get(scheme) ?? []), host]);
    }
    parsed = { exact: new Set(origins.filter((origin) => !origin.includes('*'))), wildcards, hosts };
    parsedOrigins.set(origins, parsed);
  }
  return parsed;
}

/** The host the request was sent to, or undefined when ALLOWED_HOSTS refuses it. */
function allowedHost(request: HttpRequest): string | undefined {
  try {
    return request.getHost();
  } catch (error) {
    if (error instanceof DisallowedHost) return undefined;
    throw error;
  }
}

/** A META key as the header name Django prints: 'HTTP_X_CSRFTOKEN' → 'X-Csrftoken' (Python's str.title()). */
function headerNameOf(metaKey: string): string | null {
  let name: string;
  if (metaKey.startsWith('HTTP_')) name = metaKey.slice(5);
  else if (metaKey === 'CONTENT_TYPE' || metaKey === 'CONTENT_LENGTH') name = metaKey;
  else return null;
  return name
    .replaceAll('_', '-')
    .toLowerCase()
    .replace(/(^|[^a-z])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase());
}

function badTokenMessage(problem: string, source: string): string {
  if (source === 'POST') return `CSRF token from POST ${problem}.`;
  const header = headerNameOf(source);
  return `CSRF token from ${header === null ? 'the None' : `the '${header}'`} HTTP header ${problem}.`;
}

const failureViews = new Map<string, Promise<CsrfFailureView>>();

/** The view CSRF_FAILURE_VIEW names, imported once per import string. */
export function csrfFailureView(): Promise<CsrfFailureView> {
  const configured = settingOr<string | CsrfFailureView>('CSRF_FAILURE_VIEW', DEFAULT_FAILURE_VIEW);
  if (typeof configured === 'function') return Promise.resolve(configured);
  // A relative path depends on BASE_DIR, so the key does too.
  const key = `${settingOr('BASE_DIR', '')}\0${configured}`;
  let loading = failureViews.get(key);
  if (loading === undefined) {
    loading = importSettingEntry({
      setting: 'CSRF_FAILURE_VIEW',
      spec: dottedToImportString(configured),
      example: DEFAULT_FAILURE_VIEW,
      kind: 'a view (request, { reason }) => response',
      error: CsrfFailureViewError,
    }) as Promise<CsrfFailureView>;
    failureViews.set(key, loading);
    // A failed import (a typo being fixed) is tried again on the next refusal.
    loading.catch(() => failureViews.delete(key));
  }
  return loading;
}

/**
 * Protects every view against cross-site request forgery; put it after SessionMiddleware
 * and CommonMiddleware, before anything that acts on POST data (as in Django's order).
 *
 * ```ts
 * MIDDLEWARE: [
 *   'nuages/contrib/sessions#SessionMiddleware',
 *   'nuages/middleware/common#CommonMiddleware',
 *   'nuages/middleware/csrf#CsrfViewMiddleware',
 *   'nuages/contrib/auth#AuthenticationMiddleware',
 * ]
 * ```
 *
 * Forms add `{% csrf_token %}`; scripts send the token in the `X-CSRFToken` header. A
 * view opts out with `csrfExempt(view)`. The test Client skips the checks unless it is
 * built with `enforceCsrfChecks: true`.
 *
 * @throws CsrfSessionMissingError with CSRF_USE_SESSIONS when the request has no session.
 */
export class CsrfViewMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): undefined | Promise<undefined> {
    const read = this.#readSecret(request);
    if (read instanceof Promise) return read.then((found) => this.#keepSecret(request, found));
    return this.#keepSecret(request, read);
  }

  #keepSecret(request: HttpRequest, read: ReadSecret): undefined {
    // A broken cookie is replaced by a new secret, sent with this response.
    if ('problem' in read) rotateToken(request);
    // Stored unmasked from now on, when it is next sent.
    else if (read.secret !== null) request.META[CSRF_COOKIE_META_KEY] = read.secret;
    return undefined;
  }

  /**
   * Refuses an unsafe request from another site with CSRF_FAILURE_VIEW's response;
   * returns nothing to let the view run.
   */
  processView(request: HttpRequest, view: Function, _params: Params): HttpResponseBase | undefined | Promise<HttpResponseBase | undefined> {
    if (request.csrfProcessingDone) return undefined;
    // After processRequest, so getToken() still finds the secret in an exempt view.
    if ((view as { csrfExempt?: boolean }).csrfExempt === true) return undefined;
    // Answered without a promise: most requests are safe ones.
    if (SAFE_METHODS.has(request.method)) return this.accept(request);
    // The test Client's switch; after the secret handling, so cookies behave as in production.
    if (request._dontEnforceCsrfChecks === true) return this.accept(request);
    return this.#checkUnsafe(request);
  }

  async #checkUnsafe(request: HttpRequest): Promise<HttpResponseBase | undefined> {
    const origin = request.META['HTTP_ORIGIN'];
    const fetchSite = request.META['HTTP_SEC_FETCH_SITE']?.trim().toLowerCase();
    // A browser that sends Sec-Fetch-Site says where the request came from, and another
    // site's page has no business changing anything here. An origin listed in
    // CSRF_TRUSTED_ORIGINS is another site on purpose: it goes on to the usual checks.
    if (fetchSite === 'cross-site' && (origin === undefined || !this.#explicitlyTrusted(origin))) {
      return this.reject(request, REASON_CROSS_SITE);
    }
    if (origin !== undefined) {
      if (!this.#originVerified(request, origin)) return this.reject(request, REASON_BAD_ORIGIN.replace('%s', origin));
    } else if (request.isSecure()) {
      // Without Origin, HTTPS still refuses what a man in the middle could inject over
      // plain HTTP into a page of this site: the Referer must be https and trusted.
      const refused = this.#checkReferer(request);
      if (refused !== undefined) return this.reject(request, refused);
    }
    const refused = await this.#checkToken(request);
    if (refused !== undefined) return this.reject(request, refused);
    return this.accept(request);
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase | Promise<HttpResponseBase> {
    if (!request.csrfCookieNeedsReset) return response;
    // Cleared at once, so an outer instance (a decorator and the middleware) sends it once;
    // a rotateToken() in a later middleware sets it again.
    request.csrfCookieNeedsReset = false;
    const secret = request.META[CSRF_COOKIE_META_KEY] ?? '';
    if (settingOr('CSRF_USE_SESSIONS', false)) {
      const session = this.#session(request);
      return session.get(CSRF_SESSION_KEY).then(async (stored) => {
        if (stored !== secret) await session.set(CSRF_SESSION_KEY, secret);
        return response;
      });
    }
    const maxAge = settingOr<number | null>('CSRF_COOKIE_AGE', 60 * 60 * 24 * 7 * 52);
    response.setCookie(settingOr('CSRF_COOKIE_NAME', 'csrftoken'), secret, {
      maxAge: maxAge ?? undefined,
      domain: settingOr<string | null>('CSRF_COOKIE_DOMAIN', null) ?? undefined,
      path: settingOr('CSRF_COOKIE_PATH', '/'),
      secure: settingOr('CSRF_COOKIE_SECURE', false) || undefined,
      httpOnly: settingOr('CSRF_COOKIE_HTTPONLY', false) || undefined,
      sameSite: settingOr<SameSite>('CSRF_COOKIE_SAMESITE', 'Lax'),
    });
    // The page differs with the cookie: caches must keep one copy per visitor.
    patchVaryHeaders(response, ['Cookie']);
    return response;
  }

  /** The request passed: later instances (a decorator behind the middleware) skip it. */
  protected accept(request: HttpRequest): undefined {
    request.csrfProcessingDone = true;
    return undefined;
  }

  /**
   * The request is refused: CSRF_FAILURE_VIEW's response, logged with the reason.
   * `requiresCsrfToken` and `ensureCsrfCookie` override it to let the request through.
   */
  protected async reject(request: HttpRequest, reason: string): Promise<HttpResponseBase | undefined> {
    const view = await csrfFailureView();
    const response = await view(request, { reason });
    const message = `Forbidden (${reason}): ${request.path}`;
    log.warn(message, { reason, path: request.path, method: request.method, status: response.status });
    // The request log gets the reason too, instead of a bare "Forbidden".
    logResponse(request, response, { message });
    return response;
  }

  #session(request: HttpRequest): CsrfSession {
    const session = request.session as Partial<CsrfSession> | undefined | null;
    if (session === undefined || session === null || typeof session.get !== 'function') throw new CsrfSessionMissingError();
    return session as CsrfSession;
  }

  // Read from the cookie or session each time, not META: rotateToken() may have replaced
  // META's secret since, and the token must match the secret the browser had.
  #readSecret(request: HttpRequest): ReadSecret | Promise<ReadSecret> {
    if (settingOr('CSRF_USE_SESSIONS', false)) {
      return this.#session(request)
        .get(CSRF_SESSION_KEY)
        .then((stored) => ({ secret: typeof stored === 'string' ? unmaskedSecret(stored) : null }));
    }
    const cookie = request.COOKIES[settingOr('CSRF_COOKIE_NAME', 'csrftoken')];
    if (cookie === undefined) return { secret: null };
    const problem = tokenFormatProblem(cookie);
    return problem === undefined ? { secret: unmaskedSecret(cookie) } : { problem };
  }

  #explicitlyTrusted(origin: string): boolean {
    const trusted = trustedOrigins();
    return trusted.exact.has(origin) || this.#wildcardTrusted(origin, trusted);
  }

  #wildcardTrusted(origin: string, trusted: TrustedOrigins): boolean {
    let scheme: string;
    let netloc: string;
    try {
      [scheme, netloc] = urlsplit(origin);
    } catch {
      return false;
    }
    return (trusted.wildcards.get(scheme) ?? []).some((host) => isSameDomain(netloc, host));
  }

  #originVerified(request: HttpRequest, origin: string): boolean {
    const host = allowedHost(request);
    if (host !== undefined && origin === `${request.isSecure() ? 'https' : 'http'}://${host}`) return true;
    return this.#explicitlyTrusted(origin);
  }

  #checkReferer(request: HttpRequest): string | undefined {
    const header = request.META['HTTP_REFERER'];
    if (header === undefined) return REASON_NO_REFERER;
    let referer: [string, string, string, string, string];
    try {
      referer = urlsplit(header);
    } catch {
      return REASON_MALFORMED_REFERER;
    }
    const [scheme, netloc] = referer;
    if (scheme === '' || netloc === '') return REASON_MALFORMED_REFERER;
    if (scheme !== 'https') return REASON_INSECURE_REFERER;
    if (trustedOrigins().hosts.some((host) => isSameDomain(netloc, host))) return undefined;
    const bad = REASON_BAD_REFERER.replace('%s', urlunsplit(referer));
    // The cookie's domain (shared with subdomains) is trusted, with a non-default port;
    // without one, only this host exactly, port included.
    let good = settingOr('CSRF_USE_SESSIONS', false)
      ? settingOr<string | null>('SESSION_COOKIE_DOMAIN', null)
      : settingOr<string | null>('CSRF_COOKIE_DOMAIN', null);
    if (good === null) {
      const host = allowedHost(request);
      if (host === undefined) return bad;
      good = host;
    } else {
      const port = request.getPort();
      if (port !== '443' && port !== '80') good = `${good}:${port}`;
    }
    return isSameDomain(netloc, good) ? undefined : bad;
  }

  async #checkToken(request: HttpRequest): Promise<string | undefined> {
    const read = await this.#readSecret(request);
    if ('problem' in read) return `CSRF cookie ${read.problem}.`;
    // No secret, no pass: even a login form needs one (login CSRF).
    if (read.secret === null) return REASON_NO_CSRF_COOKIE;
    let token = request.method === 'POST' ? (request.POST.get('csrfmiddlewaretoken') ?? '') : '';
    let source = 'POST';
    if (token === '') {
      // Scripts send it in a header (also the only way for PUT and DELETE).
      source = settingOr('CSRF_HEADER_NAME', 'HTTP_X_CSRFTOKEN');
      const header = request.META[source];
      if (header === undefined) return REASON_CSRF_TOKEN_MISSING;
      token = header;
    }
    const problem = tokenFormatProblem(token);
    if (problem !== undefined) return badTokenMessage(problem, source);
    if (!doesTokenMatch(token, read.secret)) return badTokenMessage('incorrect', source);
    return undefined;
  }
}

// Django before 4.0 stored the secret masked; such a cookie still works.
function unmaskedSecret(stored: string): string {
  return stored.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(stored) : stored;
}

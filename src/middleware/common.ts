/**
 * CommonMiddleware (Django's django.middleware.common): refuses
 * DISALLOWED_USER_AGENTS, redirects to `www.` with PREPEND_WWW, redirects a
 * 404 to the same path plus `/` when that path exists (APPEND_SLASH), and sets
 * Content-Length on responses whose body is in memory.
 */
import { settingOr } from '../conf/lazy-settings.ts';
import { urlconfFor } from '../core/handlers/base.ts';
import { NuagesError } from '../core/errors.ts';
import { PermissionDenied } from '../core/exceptions.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponse, HttpResponsePermanentRedirect, type HttpResponseBase } from '../http/response.ts';
import { escapeLeadingSlashes } from '../http/uri.ts';
import { isValidPath } from '../urls/index.ts';
import { MiddlewareMixin } from './mixin.ts';

/**
 * APPEND_SLASH would redirect a request whose body a redirect cannot carry (POST,
 * PUT, PATCH, DELETE). Raised only with DEBUG, so the form is fixed in development;
 * in production the redirect happens and the body is lost, as in Django.
 */
export class AppendSlashBodyLostError extends NuagesError {
  readonly code = 'NUAGES_APPEND_SLASH_BODY_LOST';
  constructor(method: string, url: string) {
    super(
      `A ${method} request reached a URL without a trailing slash, and APPEND_SLASH would redirect it to ` +
        `${url}, but a redirect cannot resend the ${method} body. Point the form or client at ${url} ` +
        '(with the slash), or set APPEND_SLASH: false.',
    );
  }
}

const BODY_METHODS = new Set(['DELETE', 'POST', 'PUT', 'PATCH']);

const setting = settingOr;

/**
 * The usual housekeeping middleware; put it near the top of MIDDLEWARE.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/middleware/common#CommonMiddleware', ...]
 * ```
 *
 * Subclass and set `static redirectClass` to redirect with another status.
 */
export class CommonMiddleware extends MiddlewareMixin {
  /** The response class of the slash and www redirects (301 by default, as Django's). */
  static redirectClass: new (url: string) => HttpResponseBase = HttpResponsePermanentRedirect;

  #redirect(url: string): HttpResponseBase {
    return new (this.constructor as typeof CommonMiddleware).redirectClass(url);
  }

  override processRequest(request: HttpRequest): HttpResponseBase | undefined {
    const disallowed = setting<Array<RegExp | string>>('DISALLOWED_USER_AGENTS', []);
    // Only look at the User-Agent when something is refused (reading META builds it).
    const userAgent = disallowed.length > 0 ? request.META['HTTP_USER_AGENT'] : undefined;
    if (userAgent !== undefined) {
      for (const pattern of disallowed) {
        const regex = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
        if (regex.test(userAgent)) throw new PermissionDenied('Forbidden user agent');
      }
    }
    // Validates the Host header against ALLOWED_HOSTS on every request, as Django does
    // (DisallowedHost → 400), not only when the www redirect needs the host.
    const host = request.getHost();
    if (setting('PREPEND_WWW', false)) {
      if (host && !host.startsWith('www.')) {
        // Add the slash in the same redirect when it is needed, to save a round trip.
        const path = this.shouldRedirectWithSlash(request) ? this.getFullPathWithSlash(request) : request.getFullPath();
        return this.#redirect(`${request.scheme}://www.${host}${path}`);
      }
    }
    return undefined;
  }

  /**
   * Whether APPEND_SLASH applies: the path has no trailing slash, does not resolve,
   * and does with one (unless that view opted out with `shouldAppendSlash = false`).
   */
  shouldRedirectWithSlash(request: HttpRequest): boolean {
    if (!setting('APPEND_SLASH', true) || request.pathInfo.endsWith('/')) return false;
    const urlconf = urlconfFor(request);
    if (isValidPath(request.pathInfo, urlconf)) return false;
    const match = isValidPath(`${request.pathInfo}/`, urlconf);
    if (!match) return false;
    return (match.func as { shouldAppendSlash?: boolean }).shouldAppendSlash !== false;
  }

  /**
   * The full path with a slash added before the query string.
   *
   * @throws AppendSlashBodyLostError with DEBUG for POST, PUT, PATCH and DELETE.
   */
  getFullPathWithSlash(request: HttpRequest): string {
    const path = escapeLeadingSlashes(request.getFullPath(true));
    if (setting('DEBUG', false) && BODY_METHODS.has(request.method)) {
      throw new AppendSlashBodyLostError(request.method, request.getHost() + path);
    }
    return path;
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    if (response.status === 404 && this.shouldRedirectWithSlash(request)) {
      return this.#redirect(this.getFullPathWithSlash(request));
    }
    if (!response.streaming && !response.headers.has('Content-Length') && response instanceof HttpResponse) {
      response.headers.set('Content-Length', String(response.content.length));
    }
    return response;
  }
}

/**
 * SecurityMiddleware (Django's django.middleware.security): redirects plain HTTP to
 * HTTPS (SECURE_SSL_REDIRECT) and sets the security headers every response should
 * carry — Strict-Transport-Security, X-Content-Type-Options, Referrer-Policy and
 * Cross-Origin-Opener-Policy. A header the view set itself is never replaced.
 */
import { settingOr } from '../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { HttpResponsePermanentRedirect, type HttpResponseBase } from '../http/response.ts';
import { MiddlewareMixin } from './mixin.ts';

const setting = settingOr;

/** A SECURE_REDIRECT_EXEMPT entry: a RegExp, or a pattern string (compiled as a JavaScript RegExp). */
export type RedirectExemptPattern = RegExp | string;

// Compiled once per settings list (settings are replaced, never mutated, so the list's
// identity is a safe key; overrideSettings in tests gets its own entry).
const compiledExempt = new WeakMap<readonly RedirectExemptPattern[], RegExp[]>();

function exemptPatterns(patterns: readonly RedirectExemptPattern[]): RegExp[] {
  let compiled = compiledExempt.get(patterns);
  if (compiled === undefined) {
    if (!Array.isArray(patterns)) {
      throw new ImproperlyConfigured(`SECURE_REDIRECT_EXEMPT must be a list of patterns, such as ['^health/$'], not ${typeof patterns}.`);
    }
    compiled = patterns.map((pattern) => {
      if (pattern instanceof RegExp) return pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')) : pattern;
      try {
        return new RegExp(pattern);
      } catch (error) {
        throw new ImproperlyConfigured(
          `SECURE_REDIRECT_EXEMPT holds ${JSON.stringify(pattern)}, which is not a valid regular expression ` +
            `(${(error as Error).message}). Fix the pattern, or give a RegExp literal.`,
        );
      }
    });
    compiledExempt.set(patterns, compiled);
  }
  return compiled;
}

/** SECURE_REFERRER_POLICY as one header value: a comma-separated string (trimmed) or a list, joined by ','. */
function referrerPolicyValue(policy: string | readonly string[] | null): string | undefined {
  if (!policy || policy.length === 0) return undefined;
  return typeof policy === 'string' ? policy.split(',').map((value) => value.trim()).join(',') : policy.join(',');
}

/**
 * Redirects HTTP to HTTPS and sets the security headers; put it first in MIDDLEWARE, so
 * its redirect answers before anything else runs and every response gets its headers.
 * Settings are read on each request (with Django's defaults), so `overrideSettings` in
 * tests applies at once.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/middleware/security#SecurityMiddleware', ...],
 * SECURE_SSL_REDIRECT: true,
 * SECURE_HSTS_SECONDS: 31536000,
 * ```
 *
 * - SECURE_SSL_REDIRECT: a request that is not secure (see `request.isSecure()` and
 *   SECURE_PROXY_SSL_HEADER) gets a 301 to `https://` + SECURE_SSL_HOST (or its own
 *   Host, validated against ALLOWED_HOSTS) + its full path, unless its path without the
 *   leading slash matches a SECURE_REDIRECT_EXEMPT pattern anywhere (`'^health/$'`).
 * - SECURE_HSTS_SECONDS (with SECURE_HSTS_INCLUDE_SUBDOMAINS, SECURE_HSTS_PRELOAD):
 *   `Strict-Transport-Security`, on secure responses only.
 * - SECURE_CONTENT_TYPE_NOSNIFF (default true): `X-Content-Type-Options: nosniff`.
 * - SECURE_REFERRER_POLICY (default 'same-origin'): `Referrer-Policy`.
 * - SECURE_CROSS_ORIGIN_OPENER_POLICY (default 'same-origin'): `Cross-Origin-Opener-Policy`.
 *
 * @throws DisallowedHost (400) when redirecting a request whose Host is not allowed and
 *   SECURE_SSL_HOST is not set.
 */
export class SecurityMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): HttpResponseBase | undefined {
    if (!setting('SECURE_SSL_REDIRECT', false) || request.isSecure()) return undefined;
    // Django matches the path without its leading slash, so '^health/$' reads like a urlpattern.
    const path = request.path.replace(/^\/+/, '');
    if (exemptPatterns(setting<readonly RedirectExemptPattern[]>('SECURE_REDIRECT_EXEMPT', [])).some((pattern) => pattern.test(path))) {
      return undefined;
    }
    const host = setting<string | null>('SECURE_SSL_HOST', null) || request.getHost();
    return new HttpResponsePermanentRedirect(`https://${host}${request.getFullPath()}`);
  }

  override processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    const headers = response.headers;
    const seconds = setting<number>('SECURE_HSTS_SECONDS', 0);
    if (seconds && request.isSecure() && !headers.has('Strict-Transport-Security')) {
      let value = `max-age=${seconds}`;
      if (setting('SECURE_HSTS_INCLUDE_SUBDOMAINS', false)) value += '; includeSubDomains';
      if (setting('SECURE_HSTS_PRELOAD', false)) value += '; preload';
      headers.set('Strict-Transport-Security', value);
    }
    if (setting('SECURE_CONTENT_TYPE_NOSNIFF', true)) headers.setDefault('X-Content-Type-Options', 'nosniff');
    const referrerPolicy = referrerPolicyValue(setting<string | readonly string[] | null>('SECURE_REFERRER_POLICY', 'same-origin'));
    if (referrerPolicy !== undefined) headers.setDefault('Referrer-Policy', referrerPolicy);
    const openerPolicy = setting<string | null>('SECURE_CROSS_ORIGIN_OPENER_POLICY', 'same-origin');
    if (openerPolicy) headers.setDefault('Cross-Origin-Opener-Policy', openerPolicy);
    return response;
  }
}

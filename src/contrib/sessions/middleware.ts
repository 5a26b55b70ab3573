/**
 * SessionMiddleware (Django's django.contrib.sessions.middleware): gives every request a
 * `request.session` and, on the way out, saves it and sets or deletes its cookie.
 *
 * request → `new SessionStore(cookie value)` (nothing loaded) → view → response:
 *   emptied session with a cookie → cookie deleted;
 *   modified (or SESSION_SAVE_EVERY_REQUEST) and not empty → save() → Set-Cookie;
 *   read or written → `Vary: Cookie`.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { SameSite } from '../../http/cookies.ts';
import type { GetResponse } from '../../core/handlers/base.ts';
import { MiddlewareMixin } from '../../middleware/mixin.ts';
import { patchVaryHeaders } from '../../utils/cache.ts';
import { SessionBase, type SessionStoreClass } from './backends/base.ts';
import { sessionEngine } from './engine.ts';
import { SessionInterrupted, UpdateError } from './exceptions.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';

/**
 * `request.session`, for code that cannot work without one (login, the session message
 * storage): a missing session throws an error naming `user` and saying where
 * SessionMiddleware goes (`placement`, e.g. "before MessageMiddleware").
 */
export function requestSession(request: HttpRequest, user: string, placement: string): SessionBase {
  const session = request.session as SessionBase | null | undefined;
  if (session === undefined || session === null) {
    throw new ImproperlyConfigured(
      `${user} needs request.session, but the request has none: add 'nuages/contrib/sessions#SessionMiddleware' to MIDDLEWARE ${placement}.`,
    );
  }
  return session;
}

/**
 * Sessions for every request, in the store SESSION_ENGINE names. Put it before any
 * middleware that uses `request.session` (authentication, messages).
 *
 * ```ts
 * MIDDLEWARE: ['nuages/contrib/sessions#SessionMiddleware', ...],
 * ```
 *
 * Loads nothing until the view touches the session; never saves on a 5xx response.
 *
 * @throws SessionInterrupted (a 400) when the session was deleted by a concurrent
 *   request (a logout in another tab) before this one could save it.
 */
export class SessionMiddleware extends MiddlewareMixin {
  /** The store class of SESSION_ENGINE, resolved when the middleware is built. */
  readonly SessionStore: SessionStoreClass;

  constructor(getResponse: GetResponse) {
    super(getResponse);
    this.SessionStore = sessionEngine();
  }

  override processRequest(request: HttpRequest): undefined {
    const cookies = request.COOKIES;
    const name = settingOr('SESSION_COOKIE_NAME', 'sessionid');
    request.session = new this.SessionStore(Object.hasOwn(cookies, name) ? cookies[name] : null);
    return undefined;
  }

  override async processResponse(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    const session: unknown = request.session;
    if (!(session instanceof SessionBase)) return response;
    const { accessed, modified } = session;
    const empty = await session.isEmpty();
    const name = settingOr('SESSION_COOKIE_NAME', 'sessionid');
    const path = settingOr('SESSION_COOKIE_PATH', '/');
    const domain = settingOr<string | null>('SESSION_COOKIE_DOMAIN', null) ?? undefined;
    const sameSite = settingOr<SameSite>('SESSION_COOKIE_SAMESITE', 'Lax');
    // A response whose content depends on the session must not be cached for everyone.
    let varyOnCookie = accessed;
    if (Object.hasOwn(request.COOKIES, name) && empty) {
      // The session was flushed or emptied: tell the browser to forget the cookie.
      response.deleteCookie(name, { path, domain, sameSite });
      varyOnCookie = true;
    } else if ((modified || settingOr('SESSION_SAVE_EVERY_REQUEST', false)) && !empty && response.status < 500) {
      // A failed request keeps the data it started with.
      try {
        await session.save();
      } catch (error) {
        if (error instanceof UpdateError) {
          throw new SessionInterrupted(
            "The request's session was deleted before the request completed. The user may have logged out in a concurrent request, for example.",
            { cause: error },
          );
        }
        throw error;
      }
      const browserSession = await session.getExpireAtBrowserClose();
      const maxAge = browserSession ? undefined : await session.getExpiryAge();
      response.setCookie(name, session.sessionKey ?? '', {
        maxAge,
        expires: maxAge === undefined ? undefined : new Date(timezoneNow().getTime() + maxAge * 1000),
        domain,
        path,
        secure: settingOr('SESSION_COOKIE_SECURE', false) || undefined,
        httpOnly: settingOr('SESSION_COOKIE_HTTPONLY', true) || undefined,
        sameSite,
      });
      varyOnCookie = true;
    }
    if (varyOnCookie) patchVaryHeaders(response, ['Cookie']);
    return response;
  }
}

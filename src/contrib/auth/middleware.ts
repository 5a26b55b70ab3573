/**
 * `request.user` and `request.auser()` (AuthenticationMiddleware), and login required by
 * default for every view (LoginRequiredMiddleware, Django 5.1).
 *
 * The user is loaded only when something asks for it: a page that never looks at the user
 * reads neither the session nor the user table. Loading is I/O, so it is async:
 * `await request.auser()` always works; `request.user` answers synchronously once the user
 * was loaded (by `auser()`, a decorator such as `loginRequired`, `login()` or `logout()`),
 * and at once for a request that carries no session cookie (nobody can be logged in).
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { GetResponse } from '../../core/handlers/base.ts';
import { NuagesError } from '../../core/errors.ts';
import { requestSession } from '../sessions/middleware.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { MiddlewareMixin } from '../../middleware/mixin.ts';
import { redirectToLogin } from './redirects.ts';
import { getUser, type RequestUser } from './login.ts';
import { AnonymousUser } from './models.ts';

/** `request.user` was read before the user was loaded. */
export class UserNotLoadedError extends NuagesError {
  readonly code = 'NUAGES_AUTH_USER_NOT_LOADED';
}

/**
 * Gives the request a lazy user. Put it after SessionMiddleware in MIDDLEWARE.
 *
 * ```ts
 * MIDDLEWARE: ['nuages/contrib/sessions#SessionMiddleware', 'nuages/contrib/auth#AuthenticationMiddleware', …]
 * // in a view
 * const user = await request.auser();
 * if (user.isAuthenticated) …
 * ```
 */
export class AuthenticationMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): undefined {
    requestSession(request, 'AuthenticationMiddleware', "before 'nuages/contrib/auth#AuthenticationMiddleware'");
    attachLazyUser(request);
    return undefined;
  }
}

/** Defines `request.user` (loaded on demand) and `request.auser()` on `request`. */
export function attachLazyUser(request: HttpRequest): void {
  const cookieName = settingOr('SESSION_COOKIE_NAME', 'sessionid');
  let loaded: RequestUser | undefined = Object.hasOwn(request.COOKIES, cookieName) ? undefined : new AnonymousUser();
  let pending: Promise<RequestUser> | undefined = loaded === undefined ? undefined : Promise.resolve(loaded);
  Object.defineProperty(request, 'user', {
    configurable: true,
    enumerable: true,
    get(): RequestUser {
      if (loaded !== undefined) return loaded;
      throw new UserNotLoadedError(
        'request.user is not loaded yet: loading it reads the session and the database. Use `const user = await request.auser()`, ' +
          'or wrap the view in loginRequired() (which loads it).',
      );
    },
    set(user: RequestUser) {
      loaded = user;
      pending = Promise.resolve(user);
    },
  });
  Object.defineProperty(request, 'auser', {
    configurable: true,
    enumerable: false,
    value: (): Promise<RequestUser> => {
      pending ??= getUser(request).then((user) => {
        loaded ??= user;
        return loaded;
      });
      return pending;
    },
  });
}

/** The request's user, loading it if needed; the anonymous user without the middleware. */
export async function requestUser(request: HttpRequest): Promise<RequestUser> {
  if (typeof request.auser === 'function') return (await request.auser()) as RequestUser;
  const user: unknown = request.user;
  return user === undefined || user === null ? new AnonymousUser() : (user as RequestUser);
}

const LOGIN_NOT_REQUIRED: unique symbol = Symbol.for('nuages.auth.loginNotRequired') as never;

/** Marks a view as open to anonymous users under LoginRequiredMiddleware (Django's login_not_required). */
export function loginNotRequired<V extends Function>(view: V): V {
  (view as unknown as Record<symbol, boolean>)[LOGIN_NOT_REQUIRED] = true;
  return view;
}

/** Whether `view` was marked by `loginNotRequired()`. */
export function isLoginNotRequired(view: unknown): boolean {
  return typeof view === 'function' && (view as unknown as Record<symbol, unknown>)[LOGIN_NOT_REQUIRED] === true;
}

/**
 * Every view requires a logged-in user unless marked `loginNotRequired()`; anonymous
 * users are redirected to LOGIN_URL with `?next=`. Put it after AuthenticationMiddleware.
 * The login view itself must be marked (Nuages's LoginView is).
 */
export class LoginRequiredMiddleware extends MiddlewareMixin {
  constructor(getResponse: GetResponse) {
    super(getResponse);
  }

  async processView(request: HttpRequest, view: Function): Promise<HttpResponseBase | undefined> {
    if (isLoginNotRequired(view)) return undefined;
    const user = await requestUser(request);
    if (user.isAuthenticated) return undefined;
    return redirectToLogin(request);
  }
}

// request.user and request.auser() are typed wherever this package is imported; http/
// declares the attach points without knowing authentication exists.
declare module '../../http/request.ts' {
  interface RequestAttachmentTypes {
    user: RequestUser;
    auser: () => Promise<RequestUser>;
  }
}

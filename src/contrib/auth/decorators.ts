/**
 * Access control for views (Django's login_required, permission_required,
 * user_passes_test) and the same for class-based views as mixins.
 *
 * ```ts
 * export const orders = loginRequired(async (request) => …);
 * export const editBook = permissionRequired('catalog.change_book')(async (request, { id }) => …);
 * export class Dashboard extends LoginRequiredMixin(TemplateView) { templateName = 'dashboard.html'; }
 * ```
 * Each loads the user first, so the view can read `request.user` synchronously.
 */
import { PermissionDenied } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import type { Params } from '../../urls/types.ts';
import type { View } from '../../views/base.ts';
import type { RequestUser } from './login.ts';
import { requestUser } from './middleware.ts';
import { redirectToLogin, type LoginRedirectOptions } from './redirects.ts';

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponseBase | Promise<HttpResponseBase>;
type UserTest = (user: RequestUser) => boolean | Promise<boolean>;

/** Options of the decorators: where to log in, and whether to answer 403 instead. */
export interface AccessOptions extends LoginRedirectOptions {
  /** Throw PermissionDenied (403) instead of redirecting to the login page. */
  raiseException?: boolean;
}

/** Runs `test` on the loaded user: passes → the view; fails → login redirect (or 403). */
export function userPassesTest(test: UserTest, options: AccessOptions = {}) {
  return function decorate<P = Params, V extends AnyView<P> = AnyView<P>>(view: V): V {
    const wrapper = async function (this: unknown, request: HttpRequest, params: P): Promise<HttpResponseBase> {
      if (await test(await requestUser(request))) return view.call(this, request, params);
      if (options.raiseException) throw new PermissionDenied('You do not have permission to view this page.');
      return redirectToLogin(request, options);
    };
    Object.defineProperty(wrapper, 'name', { value: view.name });
    // Flags on the view (csrfExempt, loginNotRequired, …) stay visible on the wrapper.
    Object.assign(wrapper, view);
    return wrapper as unknown as V;
  };
}

const isAuthenticated: UserTest = (user) => user.isAuthenticated;

/**
 * Anonymous users are redirected to LOGIN_URL with `?next=` (Django's login_required).
 * Use it bare, `loginRequired(view)`, or with options, `loginRequired({ loginUrl })(view)`.
 */
export function loginRequired<P = Params, V extends AnyView<P> = AnyView<P>>(view: V): V;
export function loginRequired(options: LoginRedirectOptions): <P = Params, V extends AnyView<P> = AnyView<P>>(view: V) => V;
export function loginRequired(viewOrOptions: Function | LoginRedirectOptions): unknown {
  if (typeof viewOrOptions === 'function') return userPassesTest(isAuthenticated)(viewOrOptions as AnyView<Params>);
  return userPassesTest(isAuthenticated, viewOrOptions);
}

/** The permission test: every permission of `perms`, or PermissionDenied when `raiseException`. */
function hasPermsTest(perms: string | readonly string[], raiseException: boolean): UserTest {
  const wanted = typeof perms === 'string' ? [perms] : [...perms];
  return async (user) => {
    // A user model without PermissionsMixin holds no permissions.
    const holder = user as { hasPerms?: (perms: readonly string[]) => Promise<boolean> };
    if (typeof holder.hasPerms === 'function' && (await holder.hasPerms(wanted))) return true;
    if (raiseException) throw new PermissionDenied(`You need the permission${wanted.length > 1 ? 's' : ''} ${wanted.join(', ')}.`);
    return false;
  };
}

/**
 * Only users holding `perms` ('app.codename', or several) get through; others go to the
 * login page, or get 403 with `{ raiseException: true }` (Django's permission_required).
 */
export function permissionRequired(perms: string | readonly string[], options: AccessOptions = {}) {
  return userPassesTest(hasPermsTest(perms, options.raiseException ?? false), { ...options, raiseException: false });
}

type ViewClass = abstract new (...args: any[]) => View;

/**
 * The response for a user a mixin turns away: 403 for a logged-in user (or with
 * `raiseException`), the login page for an anonymous one — Django's AccessMixin.
 */
async function denied(view: { raiseException?: boolean; loginUrl?: string; redirectFieldName?: string | null }, request: HttpRequest): Promise<HttpResponseBase> {
  const user = await requestUser(request);
  if (view.raiseException || user.isAuthenticated) throw new PermissionDenied('You do not have permission to view this page.');
  return redirectToLogin(request, { loginUrl: view.loginUrl, redirectFieldName: view.redirectFieldName });
}

/** Class-view form of `loginRequired` (Django's LoginRequiredMixin): anonymous users go to the login page. */
export function LoginRequiredMixin<B extends ViewClass>(Base: B) {
  abstract class LoginRequired extends Base {
    loginUrl?: string;
    redirectFieldName?: string | null;
    raiseException = false;

    override async dispatch(request: HttpRequest, params: Params): Promise<any> {
      if (!(await requestUser(request)).isAuthenticated) return denied(this, request);
      return super.dispatch(request, params);
    }
  }
  return LoginRequired;
}

/** Class-view form of `userPassesTest`: override `testFunc()` (Django's UserPassesTestMixin). */
export function UserPassesTestMixin<B extends ViewClass>(Base: B) {
  abstract class UserPassesTest extends Base {
    loginUrl?: string;
    redirectFieldName?: string | null;
    raiseException = false;

    abstract testFunc(user: RequestUser): boolean | Promise<boolean>;

    override async dispatch(request: HttpRequest, params: Params): Promise<any> {
      if (!(await this.testFunc(await requestUser(request)))) return denied(this, request);
      return super.dispatch(request, params);
    }
  }
  return UserPassesTest;
}

/** Class-view form of `permissionRequired`: set `permissionRequired` (Django's PermissionRequiredMixin). */
export function PermissionRequiredMixin<B extends ViewClass>(Base: B) {
  abstract class PermissionRequired extends Base {
    loginUrl?: string;
    redirectFieldName?: string | null;
    raiseException = false;
    abstract permissionRequired: string | readonly string[];

    override async dispatch(request: HttpRequest, params: Params): Promise<any> {
      if (!(await hasPermsTest(this.permissionRequired, false)(await requestUser(request)))) return denied(this, request);
      return super.dispatch(request, params);
    }
  }
  return PermissionRequired;
}

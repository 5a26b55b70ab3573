/**
 * The redirect to the login page that remembers where the user was going
 * (Django's redirect_to_login and the path logic of user_passes_test).
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponseRedirect } from '../../http/response.ts';
import { QueryDict } from '../../http/query-dict.ts';
import { urlconfFor } from '../../core/handlers/urlconf.ts';
import { reverse } from '../../urls/index.ts';
import { urlsplit } from '../../utils/http.ts';

/** The query parameter carrying the URL to return to after login (Django's REDIRECT_FIELD_NAME). */
export const REDIRECT_FIELD_NAME = 'next';

/** Options of `redirectToLogin()` and the login decorators. */
export interface LoginRedirectOptions {
  /** A URL or a URL name; default LOGIN_URL. */
  loginUrl?: string;
  /** Default 'next'; null or '' sends no return address. */
  redirectFieldName?: string | null;
}

/**
 * A URL setting or argument (LOGIN_URL, LOGIN_REDIRECT_URL, `nextPage`…) as a URL: a path
 * or a full URL as written, anything else a URL name, reversed in the request's urlconf
 * when a request is given.
 */
export function urlOrReverse(nameOrUrl: string, request?: HttpRequest): string {
  if (nameOrUrl.includes('/')) return nameOrUrl;
  return reverse(nameOrUrl, undefined, request ? { urlconf: urlconfFor(request) } : {});
}

/** LOGIN_URL (or `loginUrl`) resolved: a URL name is reversed. */
export function resolvedLoginUrl(loginUrl?: string): string {
  return urlOrReverse(loginUrl ?? settingOr('LOGIN_URL', '/accounts/login/'));
}

/**
 * A redirect to the login page with `?next=` set to the current URL: a path when the
 * login page is on the same scheme and host, the absolute URL otherwise.
 */
export function redirectToLogin(request: HttpRequest, options: LoginRedirectOptions = {}): HttpResponseRedirect {
  const loginUrl = resolvedLoginUrl(options.loginUrl);
  const absolute = request.buildAbsoluteUri();
  const [loginScheme, loginHost] = urlsplit(loginUrl);
  const [scheme, host] = urlsplit(absolute);
  const sameSite = (loginScheme === '' || loginScheme === scheme) && (loginHost === '' || loginHost === host);
  return loginRedirect(sameSite ? request.getFullPath() : absolute, loginUrl, options.redirectFieldName);
}

/** A redirect to `loginUrl` with `redirectFieldName=next` added to its query string. */
export function loginRedirect(next: string, loginUrl: string, redirectFieldName: string | null = REDIRECT_FIELD_NAME): HttpResponseRedirect {
  if (!redirectFieldName) return new HttpResponseRedirect(loginUrl);
  const hashAt = loginUrl.indexOf('#');
  const fragment = hashAt === -1 ? '' : loginUrl.slice(hashAt);
  const withoutFragment = hashAt === -1 ? loginUrl : loginUrl.slice(0, hashAt);
  const queryAt = withoutFragment.indexOf('?');
  const base = queryAt === -1 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const query = QueryDict.parse(queryAt === -1 ? '' : withoutFragment.slice(queryAt + 1), { mutable: true });
  query.set(redirectFieldName, next);
  return new HttpResponseRedirect(`${base}?${query.urlencode('/')}${fragment}`);
}

/**
 * Rate limit keys: what one counter counts. Django-ratelimit's names:
 *
 * | key | counts requests of |
 * | --- | --- |
 * | `'ip'` | one client address (IPv6: its /64), see client-ip.ts |
 * | `'user'` | one logged-in user; every anonymous request shares a single counter |
 * | `'user_or_ip'` | the user when logged in, otherwise the address |
 * | `'header:x-api-key'` | one value of a request header |
 * | `'get:q'`, `'post:username'` | one value of a query or form field |
 * | `(request, group) => string \| null` | whatever the function returns; null: not counted |
 *
 * Values carry their kind ('ip:203.0.113.7', 'user:42'), so limits that share a
 * `group` but use different keys never mix a user id with an address.
 */
import type { HttpRequest } from '../http/request.ts';
import { clientNetwork } from './client-ip.ts';
import { RateLimitKeyError } from './errors.ts';

/** A key function: the value to count the request under, or null/undefined to leave it uncounted. */
export type KeyFunction = (request: HttpRequest, group: string) => string | null | undefined | Promise<string | null | undefined>;

/** What a limit counts by (see the table above). */
export type RateLimitKey = 'ip' | 'user' | 'user_or_ip' | `header:${string}` | `get:${string}` | `post:${string}` | KeyFunction;

/** A compiled key: the request's value, or null when it is not counted. */
export type KeyReader = (request: HttpRequest, group: string) => Promise<string | null>;

/** The part of a user a key reads (auth's User and AnonymousUser have both). */
interface UserLike {
  readonly isAuthenticated?: unknown;
  readonly pk?: unknown;
}

/** The request's user, loaded if needed; undefined when no AuthenticationMiddleware ran. */
async function requestUser(request: HttpRequest, key: string): Promise<UserLike> {
  const loader = (request as { auser?: unknown }).auser;
  const user = typeof loader === 'function' ? await (loader as () => Promise<unknown>)() : Reflect.get(request, 'user');
  if (user === undefined || user === null) {
    throw new RateLimitKeyError(
      `The rate limit key '${key}' reads request.user, which AuthenticationMiddleware sets, but this request has none. ` +
        "Add 'nuages/contrib/auth#AuthenticationMiddleware' to MIDDLEWARE, before 'nuages/ratelimit#RateLimitMiddleware' " +
        "when the limit is a RATELIMIT_RULES entry; or key on 'ip'.",
    );
  }
  return user as UserLike;
}

const userValue = (user: UserLike) => (user.isAuthenticated === true ? `user:${String(user.pk)}` : 'user:anonymous');
const ipValue = (request: HttpRequest) => `ip:${clientNetwork(request)}`;

const NAMED: Readonly<Record<string, KeyReader>> = {
  ip: async (request) => ipValue(request),
  user: async (request) => userValue(await requestUser(request, 'user')),
  user_or_ip: async (request) => {
    const user = await requestUser(request, 'user_or_ip');
    return user.isAuthenticated === true ? userValue(user) : ipValue(request);
  },
};

/** `header:`, `get:` and `post:` keys: one value of a header or a field ('' when absent). */
function accessor(kind: string, name: string): KeyReader | undefined {
  switch (kind) {
    case 'header': {
      const header = name.toLowerCase();
      return async (request) => `header:${header}:${request.headers.get(header) ?? ''}`;
    }
    case 'get':
      return async (request) => `get:${name}:${request.GET.get(name) ?? ''}`;
    case 'post':
      return async (request) => {
        // Middleware may run before anything read the body; reading it twice costs nothing.
        await request.readBody();
        return `post:${name}:${request.POST.get(name) ?? ''}`;
      };
    default:
      return undefined;
  }
}

/**
 * Turn a key into a reader; `where` names it in errors ('RATELIMIT_RULES[0].key').
 *
 * @throws RateLimitKeyError for a key that is none of the forms above.
 */
export function compileKey(key: unknown, where: string): KeyReader {
  if (typeof key === 'function') {
    const fn = key as KeyFunction;
    return async (request, group) => {
      const value = await fn(request, group);
      if (value === null || value === undefined) return null;
      if (typeof value !== 'string') {
        throw new RateLimitKeyError(`The key function ${fn.name || '(anonymous)'} of ${where} returned ${typeof value}; return a string, or null to leave the request uncounted.`);
      }
      return value;
    };
  }
  if (typeof key === 'string') {
    const named = NAMED[key];
    if (named !== undefined) return named;
    const colon = key.indexOf(':');
    const reader = colon > 0 && colon < key.length - 1 ? accessor(key.slice(0, colon), key.slice(colon + 1)) : undefined;
    if (reader !== undefined) return reader;
  }
  throw new RateLimitKeyError(
    `${where} is ${typeof key === 'string' ? `'${key}'` : typeof key}, which is not a rate limit key. Use 'ip', 'user', 'user_or_ip', ` +
      "'header:<name>', 'get:<field>', 'post:<field>', or a function (request) => string | null.",
  );
}

/**
 * Who is logged in, kept in the session with Django's keys so a session written by a
 * Django project sharing the database (or the cache) logs the same user in here:
 *
 *   `_auth_user_id`       the user's primary key, as a string
 *   `_auth_user_backend`  the backend that authenticated them (Django's dotted name for
 *                         the built-in ones)
 *   `_auth_user_hash`     an HMAC of the password hash: changing the password ends every
 *                         other session of the user
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import { constantTimeCompare } from '../../core/signing.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { SessionBase } from '../sessions/backends/base.ts';
import { requestSession } from '../sessions/middleware.ts';
import { DEFAULT_AUTHENTICATION_BACKENDS, getBackends, normalizeBackendPath } from './backend-loading.ts';
import type { AbstractBaseUser } from './base-user.ts';
import { AnonymousUser } from './models.ts';
import { userLoggedIn, userLoggedOut } from './signals.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';

export const SESSION_KEY = '_auth_user_id';
export const BACKEND_SESSION_KEY = '_auth_user_backend';
export const HASH_SESSION_KEY = '_auth_user_hash';

/** What `request.user` holds: a user of the user model, or the anonymous user. */
export type RequestUser = AbstractBaseUser | AnonymousUser;

/** A user is logged in without a backend to record, and several are configured. */
export class BackendNotGivenError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_AUTH_BACKEND_NOT_GIVEN';
}

function sessionOf(request: HttpRequest): SessionBase {
  return requestSession(request, 'Logging in and out', '(before the authentication middleware)');
}

/** The backend path as stored in the session: Django's dotted name for Nuages's built-in backends. */
function sessionBackendPath(path: string): string {
  const normalized = normalizeBackendPath(path);
  const builtin = /^nuages\/contrib\/auth\/backends#(\w+)$/.exec(normalized);
  return builtin ? `django.contrib.auth.backends.${builtin[1]}` : normalized;
}

function configuredBackendPaths(): readonly string[] {
  return settingOr<readonly string[]>('AUTHENTICATION_BACKENDS', DEFAULT_AUTHENTICATION_BACKENDS);
}

function backendFor(user: AbstractBaseUser, backend: string | undefined): string {
  const chosen = backend ?? user.backend;
  if (chosen !== undefined) return chosen;
  const paths = configuredBackendPaths();
  if (paths.length === 1) return paths[0]!;
  throw new BackendNotGivenError(
    'Several authentication backends are configured, and login() cannot tell which one this user belongs to. ' +
      'Log in a user returned by authenticate(), or pass the backend: login(request, user, { backend: ' +
      "'nuages/contrib/auth/backends#ModelBackend' }).",
  );
}

/** Replaces request.user (and what `auser()` resolves to) after a login or logout. */
function setRequestUser(request: HttpRequest, user: RequestUser): void {
  const attach = request as unknown as { setUser?: (user: RequestUser) => void; user?: unknown };
  if (typeof attach.setUser === 'function') attach.setUser(user);
  else attach.user = user;
}

/**
 * Logs `user` in: their id goes into the session under a new session key, so a key an
 * attacker planted before the login (session fixation) is worthless after it. A session
 * that held another user, or this user before a password change, is emptied first.
 *
 * ```ts
 * const user = await authenticate(request, { username, password });
 * if (user) { await login(request, user); return redirect('home'); }
 * ```
 *
 * @throws BackendNotGivenError when several backends are configured and the user did not
 *   come from authenticate() (pass `{ backend }`).
 */
export async function login(request: HttpRequest, user: AbstractBaseUser, options: { backend?: string } = {}): Promise<void> {
  const session = sessionOf(request);
  const hash = user.getSessionAuthHash();
  if (await session.has(SESSION_KEY)) {
    const sameUser = String(await session.get(SESSION_KEY)) === String(user.pk);
    const sameHash = constantTimeCompare(String((await session.get(HASH_SESSION_KEY)) ?? ''), hash);
    // The same user logging in again keeps the session (and its key), as Django does.
    if (!sameUser || !sameHash) await session.flush();
  } else {
    await session.cycleKey();
  }
  const backend = backendFor(user, options.backend);
  await session.set(SESSION_KEY, String(user.pk));
  await session.set(BACKEND_SESSION_KEY, sessionBackendPath(backend));
  await session.set(HASH_SESSION_KEY, hash);
  user.backend = normalizeBackendPath(backend);
  setRequestUser(request, user);
  await userLoggedIn.send(user.constructor, { request, user });
}

/**
 * Logs the request's user out: `userLoggedOut` is sent, then the session is flushed (its
 * data deleted and its key replaced) and request.user becomes the anonymous user.
 */
export async function logout(request: HttpRequest): Promise<void> {
  const session = sessionOf(request);
  const current = await currentUserIfLoaded(request);
  const user = current !== null && current.isAuthenticated ? current : null;
  await userLoggedOut.send(user === null ? AnonymousUser : user.constructor, { request, user });
  await session.flush();
  setRequestUser(request, new AnonymousUser());
}

async function currentUserIfLoaded(request: HttpRequest): Promise<RequestUser | null> {
  const attach = request as unknown as { auser?: () => Promise<RequestUser> };
  if (typeof attach.auser === 'function') return attach.auser();
  return getUser(request);
}

/**
 * The user the session names, or the anonymous user: nobody logged in, a backend no
 * longer configured, a user deleted since, or a password changed since (the session's
 * hash no longer matches — the session is then flushed). A hash made with a key of
 * SECRET_KEY_FALLBACKS is accepted and rewritten with the current key.
 */
export async function getUser(request: HttpRequest): Promise<RequestUser> {
  const session = sessionOf(request);
  const userId = await session.get(SESSION_KEY);
  const backendPath = await session.get<string>(BACKEND_SESSION_KEY);
  if (userId === undefined || backendPath === undefined) return new AnonymousUser();
  const wanted = normalizeBackendPath(String(backendPath));
  const match = (await getBackends()).find(({ path }) => normalizeBackendPath(path) === wanted);
  if (match === undefined) return new AnonymousUser();
  const user = await match.backend.getUser(userId);
  if (user === null) return new AnonymousUser();
  const stored = await session.get<string>(HASH_SESSION_KEY);
  const current = user.getSessionAuthHash();
  if (typeof stored === 'string' && stored !== '' && constantTimeCompare(stored, current)) {
    user.backend = match.path;
    return user;
  }
  const fallbacks = settingOr<readonly string[]>('SECRET_KEY_FALLBACKS', []);
  if (typeof stored === 'string' && stored !== '' && fallbacks.some((key) => constantTimeCompare(stored, user.getSessionAuthHash(key)))) {
    await session.cycleKey();
    await session.set(HASH_SESSION_KEY, current);
    user.backend = match.path;
    return user;
  }
  await session.flush();
  return new AnonymousUser();
}

/**
 * Keeps the current session logged in after `user` changed their password (which
 * changes the session hash and would otherwise log this session out with the others).
 */
export async function updateSessionAuthHash(request: HttpRequest, user: AbstractBaseUser): Promise<void> {
  const session = sessionOf(request);
  await session.cycleKey();
  const current = await currentUserIfLoaded(request);
  if (current !== null && current.isAuthenticated && String(current.pk) === String(user.pk)) {
    await session.set(HASH_SESSION_KEY, user.getSessionAuthHash());
  }
}

/**
 * Receiver of `userLoggedIn` that records the login time in `lastLogin` (saving that one
 * column), connected by the auth app for user models that have the field.
 */
export async function updateLastLogin({ user }: { user: unknown }): Promise<void> {
  const target = user as AbstractBaseUser;
  target.lastLogin = timezoneNow();
  await target.save({ updateFields: ['lastLogin'] });
}

/**
 * `authenticate()`: credentials → the user they identify, asking each backend of
 * AUTHENTICATION_BACKENDS in order (Django's django.contrib.auth.authenticate).
 */
import { PermissionDenied } from '../../core/exceptions.ts';
import type { HttpRequest } from '../../http/request.ts';
import { getBackends } from './backend-loading.ts';
import type { AbstractBaseUser } from './base-user.ts';
import type { Credentials } from './backends.ts';
import { userLoginFailed } from './signals.ts';

const SENSITIVE_CREDENTIALS = /api|token|key|secret|password|signature/i;
const CLEANSED_SUBSTITUTE = '********************';

/** The credentials with every value whose key looks secret replaced by stars, for the userLoginFailed signal. */
export function cleanCredentials(credentials: Credentials): Record<string, unknown> {
  return Object.fromEntries(Object.entries(credentials).map(([key, value]) => [key, SENSITIVE_CREDENTIALS.test(key) ? CLEANSED_SUBSTITUTE : value]));
}

/**
 * The user the credentials identify, or null. Each backend is tried in turn: the first to
 * return a user wins, and the user's `backend` is set to that backend's path (what `login()`
 * stores in the session). A backend throwing PermissionDenied stops the search, as Django's
 * does. When no backend accepts them, `userLoginFailed` is sent with the credentials masked.
 *
 * ```ts
 * const user = await authenticate(request, { username: 'ada', password: 'correct horse' });
 * // SELECT … FROM "auth_user" WHERE "auth_user"."username" = ?   ['ada']
 * if (user === null) return render(request, 'login.html', { error: true });
 * ```
 * The password is hashed once whether or not the username exists.
 */
export async function authenticate(request: HttpRequest | null, credentials: Credentials): Promise<AbstractBaseUser | null> {
  for (const { backend, path } of await getBackends()) {
    let user: AbstractBaseUser | null | undefined;
    try {
      user = await backend.authenticate(request, credentials);
    } catch (error) {
      if (error instanceof PermissionDenied) break;
      throw error;
    }
    if (user === null || user === undefined) continue;
    user.backend = path;
    return user;
  }
  await userLoginFailed.send('nuages/contrib/auth', { credentials: cleanCredentials(credentials), request });
  return null;
}

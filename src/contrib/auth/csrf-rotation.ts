/**
 * A new CSRF secret at every login, as Django's `login()` rotates the token: a secret an
 * attacker planted in the victim's browser before the login (through a subdomain, or a
 * form they made the victim submit) is worthless after it. Connected to `userLoggedIn`
 * by the auth app, so the middleware package does not depend on contrib.auth.
 */
import { rotateToken, type CsrfRequest } from '../../middleware/csrf-token.ts';

/**
 * Receiver of `userLoggedIn`: gives the request a new CSRF secret, which
 * CsrfViewMiddleware sends with the response. Pages opened before the login (another
 * tab) then fail the check and must be reloaded, as in Django.
 */
export function rotateCsrfTokenOnLogin({ request }: { request: unknown }): void {
  const target = request as Partial<CsrfRequest> | null;
  // client.login() and scripts may log in with a request that never went through a
  // handler; any request with META can take the new secret.
  if (target !== null && typeof target === 'object' && typeof target.META === 'object') rotateToken(target as CsrfRequest);
}

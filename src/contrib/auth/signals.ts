/** The signals of authentication, as Django's `django.contrib.auth.signals`. */
import { Signal } from '../../core/signals.ts';

/** Sent by `login()` once the user is in the session; the sender is the user's class. */
export const userLoggedIn = new Signal<{ request: unknown; user: unknown }>({ name: 'userLoggedIn' });

/** Sent by `logout()` before the session is flushed; `user` is null when nobody was logged in. */
export const userLoggedOut = new Signal<{ request: unknown; user: unknown }>({ name: 'userLoggedOut' });

/**
 * Sent by `authenticate()` when no backend accepted the credentials. Values whose key looks
 * secret (password, token, key, secret, signature, api) arrive masked.
 */
export const userLoginFailed = new Signal<{ credentials: Record<string, unknown>; request: unknown }>({ name: 'userLoginFailed' });

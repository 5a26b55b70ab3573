/**
 * The errors of the session framework (Django's django.contrib.sessions.exceptions,
 * plus the CreateError/UpdateError its stores signal with).
 */
import { NuagesError } from '../../core/errors.ts';
import { BadRequest, SuspiciousOperation } from '../../core/exceptions.ts';

/** A session key from the client has characters a key never has (Django's InvalidSessionKey). */
export class InvalidSessionKey extends SuspiciousOperation {
  override readonly code = 'NUAGES_SESSION_INVALID_KEY';
}

/** Session data failed its signature check: tampered, or written with another key (Django's SuspiciousSession). */
export class SuspiciousSession extends SuspiciousOperation {
  override readonly code = 'NUAGES_SESSION_SUSPICIOUS';
}

/**
 * The session was deleted while the request ran, typically by a logout in another tab,
 * so its changes could not be saved (Django's SessionInterrupted, answered with 400).
 */
export class SessionInterrupted extends BadRequest {
  override readonly code = 'NUAGES_SESSION_INTERRUPTED';
}

/** `session.delete(key)` or `session.pop(key)` without a default, for a key the session lacks (Django's KeyError). */
export class SessionKeyError extends NuagesError {
  readonly code = 'NUAGES_SESSION_KEY_ERROR';
  readonly key: string;
  constructor(key: string) {
    super(`The session has no key '${key}'. Check with await session.has('${key}'), or pass a default: await session.pop('${key}', null).`);
    this.key = key;
  }
}

/**
 * A store could not create a session under a fresh key because the key is taken
 * (Django's CreateError); `create()` catches it and tries another key.
 */
export class CreateError extends NuagesError {
  readonly code = 'NUAGES_SESSION_CREATE';
}

/** A store was asked to update a session that no longer exists (Django's UpdateError). */
export class UpdateError extends NuagesError {
  readonly code = 'NUAGES_SESSION_UPDATE';
}

/** The cache store could not create a session under any of 10,000 keys: the cache is most likely down. */
export class SessionCacheUnavailableError extends NuagesError {
  readonly code = 'NUAGES_SESSION_CACHE_UNAVAILABLE';
}

/** Errors of the cache framework. Each code has a row in docs/errors.md. */
import { ImproperlyConfigured, NuagesError } from '../core/errors.ts';

/** `CACHES` has no such alias, or its BACKEND names no backend (Django's InvalidCacheBackendError). */
export class InvalidCacheBackendError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_CACHE_INVALID_BACKEND';
}

/** A key a store cannot hold (Memcached: over 250 bytes, spaces or control characters). Django's InvalidCacheKey. */
export class InvalidCacheKey extends NuagesError {
  readonly code = 'NUAGES_CACHE_INVALID_KEY';
}

/** `incr`/`decr`/`incrVersion` on a key that holds nothing (Django raises ValueError). */
export class CacheKeyNotFoundError extends NuagesError {
  readonly code = 'NUAGES_CACHE_KEY_NOT_FOUND';
  constructor(key: string) {
    super(`Key '${key}' not found in the cache, so it cannot be incremented. Set it first, e.g. await cache.add(key, 0).`);
  }
}

/** `incr`/`decr` on a key whose value is not an integer. */
export class CacheValueNotIntegerError extends NuagesError {
  readonly code = 'NUAGES_CACHE_NOT_INTEGER';
  constructor(key: string) {
    super(`The value under cache key '${key}' is not an integer, so it cannot be incremented. Store a whole number there (cache.set(key, 0)).`);
  }
}

/** A value the cache cannot store (undefined, a function, a symbol). */
export class UncacheableValueError extends NuagesError {
  readonly code = 'NUAGES_CACHE_UNCACHEABLE';
}

/**
 * The cache server could not be reached or did not answer in time. The cache
 * turns it into a miss (reads) or a dropped write, logged once per outage, unless
 * the alias sets `OPTIONS.IGNORE_EXCEPTIONS: false`.
 */
export class CacheUnavailableError extends NuagesError {
  readonly code = 'NUAGES_CACHE_UNAVAILABLE';
}

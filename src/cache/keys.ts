/**
 * Cache keys: how a user's key becomes the stored key, and the check that keeps
 * keys portable. Django's default is `prefix:version:key`, and a key that
 * Memcached would refuse (over 250 characters, or with spaces or control
 * characters) is warned about on every backend, so a project that develops on
 * local memory learns before it deploys on Memcached.
 */
import { InvalidCacheKey } from './errors.ts';

/** `KEY_FUNCTION`: builds the stored key from the user's key, `KEY_PREFIX` and the version. */
export type KeyFunction = (key: string, keyPrefix: string, version: number) => string;

/** Django's default key function: `prefix:version:key`. */
export const defaultKeyFunction: KeyFunction = (key, keyPrefix, version) => `${keyPrefix}:${version}:${key}`;

/** Memcached's limit on a key's length. */
export const MEMCACHED_MAX_KEY_LENGTH = 250;

// Memcached's protocol ends a key at a space or a control character.
const UNSAFE_CHARACTER = /[\x00-\x20\x7f]/;

// Each problem key is warned about once per process, as Python shows a warning once per place.
const WARNED_LIMIT = 1000;
const warned = new Set<string>();

/** What is wrong with `key` for Memcached, or undefined when it is portable. */
export function keyProblem(key: string): string | undefined {
  if (key.length > MEMCACHED_MAX_KEY_LENGTH) {
    return `Cache key will cause errors if used with memcached: '${key}' (longer than ${MEMCACHED_MAX_KEY_LENGTH})`;
  }
  if (UNSAFE_CHARACTER.test(key)) return `Cache key contains characters that will cause errors if used with memcached: '${key}'`;
  return undefined;
}

/**
 * Warn (a `CacheKeyWarning` process warning) about a key Memcached would refuse;
 * with `strict`, as on the Memcached backend, throw InvalidCacheKey instead.
 */
export function validateKey(key: string, strict: boolean): void {
  const problem = keyProblem(key);
  if (problem === undefined) return;
  if (strict) throw new InvalidCacheKey(`${problem}. Hash long keys (e.g. with createHash('sha256')) and replace spaces.`);
  if (warned.has(key)) return;
  if (warned.size >= WARNED_LIMIT) warned.clear();
  warned.add(key);
  process.emitWarning(problem, { type: 'CacheKeyWarning', code: 'NUAGES_CACHE_KEY' });
}

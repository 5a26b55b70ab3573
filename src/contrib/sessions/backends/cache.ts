/**
 * The cache session store (SESSION_ENGINE 'cache', Django's backends.cache): the data
 * under `django.contrib.sessions.cache<key>` in the SESSION_CACHE_ALIAS cache (locmem,
 * Redis, Memcached, …), expiring with the session. Fast, but a session is lost when the
 * cache evicts it or restarts; 'cached-db' keeps a database copy.
 */
import { settingOr } from '../../../conf/lazy-settings.ts';
import type { Cache } from '../../../cache/cache.ts';
import { caches } from '../../../cache/caches.ts';
import { CreateError, SessionCacheUnavailableError, UpdateError } from '../exceptions.ts';
import { SessionBase, suspiciousSessionLog, type SessionData } from './base.ts';

/** Django's key prefix, so a Django project sharing the cache finds the same entries. */
export const CACHE_KEY_PREFIX = 'django.contrib.sessions.cache';

// After this many refused keys the cache is most likely down (Django's count).
const CREATE_ATTEMPTS = 10_000;

/** The SESSION_CACHE_ALIAS cache, for the 'cache' and 'cached-db' stores. */
export function sessionCache(): Cache {
  return caches.get(settingOr('SESSION_CACHE_ALIAS', 'default'));
}

/**
 * The session data cached under `key`, or undefined. A key the cache refuses (Memcached's
 * rules, for a forged cookie) reads as a miss, as Django does.
 */
export async function readCachedSession(cache: Cache, key: () => Promise<string>): Promise<SessionData | undefined> {
  try {
    const data = await cache.get<SessionData>(await key());
    return data === null ? undefined : data;
  } catch {
    return undefined;
  }
}

/** Sessions in a cache. */
export class SessionStore extends SessionBase {
  /** Prefix of this store's cache keys. */
  static cacheKeyPrefix = CACHE_KEY_PREFIX;
  protected readonly cache: Cache;

  constructor(sessionKey: string | null = null) {
    super(sessionKey);
    this.cache = sessionCache();
  }

  protected get cacheKeyPrefix(): string {
    return (this.constructor as typeof SessionStore).cacheKeyPrefix;
  }

  /** The cache key of this session (a new key is drawn if it has none). */
  protected async cacheKey(): Promise<string> {
    return this.cacheKeyPrefix + (await this._getOrCreateSessionKey());
  }

  async load(): Promise<SessionData> {
    const data = await readCachedSession(this.cache, () => this.cacheKey());
    if (data !== undefined) return data;
    suspiciousSessionLog.info('Unknown or expired session key; starting a new session.');
    this._sessionKey = null;
    return {};
  }

  async create(): Promise<void> {
    // A cache may drop writes silently (Memcached, an outage), so a refused add() does
    // not prove the key is taken: try many keys before concluding the cache is down.
    if (await this.createUnderFreshKey(CREATE_ATTEMPTS)) return;
    throw new SessionCacheUnavailableError(
      `Unable to create a new session key in cache '${this.cache.alias}': it is likely unavailable. Check the server behind CACHES.${this.cache.alias}.`,
    );
  }

  async save(mustCreate = false): Promise<void> {
    if (this.sessionKey === null) return this.create();
    const key = await this.cacheKey();
    if (!mustCreate && (await this.cache.get(key)) === undefined) {
      throw new UpdateError('The session was deleted (or evicted) before it could be saved.');
    }
    const data = await this._getSession(mustCreate);
    const age = await this.getExpiryAge();
    if (mustCreate) {
      if (!(await this.cache.add(key, data, age))) throw new CreateError(`Session key ${this.sessionKey} is taken.`);
    } else {
      await this.cache.set(key, data, age);
    }
  }

  async exists(sessionKey: string): Promise<boolean> {
    return Boolean(sessionKey) && this.cache.has(this.cacheKeyPrefix + sessionKey);
  }

  async deleteSession(sessionKey: string | null = null): Promise<void> {
    const key = sessionKey ?? this.sessionKey;
    if (key === null) return;
    await this.cache.delete(this.cacheKeyPrefix + key);
  }

  /** Nothing to do: the cache expires sessions itself. */
  static async clearExpired(): Promise<void> {}
}

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
 * Where a cache-backed store keeps its sessions: `prefix` + session key in the
 * SESSION_CACHE_ALIAS cache. One place for the 'cache' and 'cached-db' stores.
 */
export class SessionCacheEntries {
  readonly cache: Cache = sessionCache();
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  key(sessionKey: string): string {
    return this.prefix + sessionKey;
  }

  /**
   * The session data cached for `sessionKey`, or undefined. A key the cache refuses
   * (Memcached's rules, for a forged cookie) reads as a miss, as Django does.
   */
  async read(sessionKey: string): Promise<SessionData | undefined> {
    try {
      const data = await this.cache.get<SessionData>(this.key(sessionKey));
      return data === null ? undefined : data;
    } catch {
      return undefined;
    }
  }

  async has(sessionKey: string): Promise<boolean> {
    return Boolean(sessionKey) && this.cache.has(this.key(sessionKey));
  }

  async delete(sessionKey: string | null): Promise<void> {
    if (sessionKey !== null) await this.cache.delete(this.key(sessionKey));
  }
}

/** Sessions in a cache. */
export class SessionStore extends SessionBase {
  /** Prefix of this store's cache keys. */
  static cacheKeyPrefix = CACHE_KEY_PREFIX;
  protected readonly entries = new SessionCacheEntries((this.constructor as typeof SessionStore).cacheKeyPrefix);
  protected readonly cache = this.entries.cache;

  async load(): Promise<SessionData> {
    const data = await this.entries.read(await this._getOrCreateSessionKey());
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
    const key = this.entries.key(this.sessionKey);
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
    return this.entries.has(sessionKey);
  }

  async deleteSession(sessionKey: string | null = null): Promise<void> {
    await this.entries.delete(sessionKey ?? this.sessionKey);
  }

  /** Nothing to do: the cache expires sessions itself. */
  static async clearExpired(): Promise<void> {}
}

/**
 * The cached database store (SESSION_ENGINE 'cached-db', Django's backends.cached_db):
 * every write goes to the database and then the cache; reads come from the cache and
 * fall back to the database (refilling the cache). Survives a cache restart.
 */
import type { Cache } from '../../../cache/cache.ts';
import { getLogger } from '../../../utils/log.ts';
import type { SessionData } from './base.ts';
import { readCachedSession, sessionCache } from './cache.ts';
import { SessionStore as DbSessionStore } from './db.ts';

/** Django's key prefix, so a Django project sharing the cache finds the same entries. */
export const CACHED_DB_KEY_PREFIX = 'django.contrib.sessions.cached_db';

const log = getLogger('nuages.contrib.sessions');

/** Sessions in the database, read through a cache. */
export class SessionStore extends DbSessionStore {
  /** Prefix of this store's cache keys. */
  static cacheKeyPrefix = CACHED_DB_KEY_PREFIX;
  protected readonly cache: Cache;

  constructor(sessionKey: string | null = null) {
    super(sessionKey);
    this.cache = sessionCache();
  }

  protected get cacheKeyPrefix(): string {
    return (this.constructor as typeof SessionStore).cacheKeyPrefix;
  }

  protected async cacheKey(): Promise<string> {
    return this.cacheKeyPrefix + (await this._getOrCreateSessionKey());
  }

  override async load(): Promise<SessionData> {
    const cached = await readCachedSession(this.cache, () => this.cacheKey());
    if (cached !== undefined) return cached;
    const row = await this.getSessionFromDb();
    if (!row) return {};
    const data = this.decode(row.sessionData);
    await this.cache.set(await this.cacheKey(), data, await this.getExpiryAge({ expiry: row.expireDate }));
    return data;
  }

  override async exists(sessionKey: string): Promise<boolean> {
    return (Boolean(sessionKey) && (await this.cache.has(this.cacheKeyPrefix + sessionKey))) || super.exists(sessionKey);
  }

  override async save(mustCreate = false): Promise<void> {
    await super.save(mustCreate);
    try {
      await this.cache.set(await this.cacheKey(), await this._getSession(), await this.getExpiryAge());
    } catch (error) {
      // The database has the data; a cache that failed only costs the next read a query.
      log.error(`Error saving session to cache '${this.cache.alias}'`, { error });
    }
  }

  override async deleteSession(sessionKey: string | null = null): Promise<void> {
    await super.deleteSession(sessionKey);
    const key = sessionKey ?? this.sessionKey;
    if (key === null) return;
    await this.cache.delete(this.cacheKeyPrefix + key);
  }
}

/**
 * The cached database store (SESSION_ENGINE 'cached-db', Django's backends.cached_db):
 * every write goes to the database and then the cache; reads come from the cache and
 * fall back to the database (refilling the cache). Survives a cache restart.
 */
import { getLogger } from '../../../utils/log.ts';
import type { SessionData } from './base.ts';
import { SessionCacheEntries } from './cache.ts';
import { SessionStore as DbSessionStore } from './db.ts';

/** Django's key prefix, so a Django project sharing the cache finds the same entries. */
export const CACHED_DB_KEY_PREFIX = 'django.contrib.sessions.cached_db';

const log = getLogger('nuages.contrib.sessions');

/** Sessions in the database, read through a cache. */
export class SessionStore extends DbSessionStore {
  /** Prefix of this store's cache keys. */
  static cacheKeyPrefix = CACHED_DB_KEY_PREFIX;
  protected readonly entries = new SessionCacheEntries((this.constructor as typeof SessionStore).cacheKeyPrefix);
  protected readonly cache = this.entries.cache;

  override async load(): Promise<SessionData> {
    const sessionKey = await this._getOrCreateSessionKey();
    const cached = await this.entries.read(sessionKey);
    if (cached !== undefined) return cached;
    const row = await this.getSessionFromDb();
    if (!row) return {};
    const data = this.decode(row.sessionData);
    await this.cache.set(this.entries.key(sessionKey), data, await this.getExpiryAge({ expiry: row.expireDate }));
    return data;
  }

  override async exists(sessionKey: string): Promise<boolean> {
    return (await this.entries.has(sessionKey)) || super.exists(sessionKey);
  }

  override async save(mustCreate = false): Promise<void> {
    await super.save(mustCreate);
    try {
      await this.cache.set(this.entries.key(await this._getOrCreateSessionKey()), await this._getSession(), await this.getExpiryAge());
    } catch (error) {
      // The database has the data; a cache that failed only costs the next read a query.
      log.error(`Error saving session to cache '${this.cache.alias}'`, { error });
    }
  }

  override async deleteSession(sessionKey: string | null = null): Promise<void> {
    await super.deleteSession(sessionKey);
    await this.entries.delete(sessionKey ?? this.sessionKey);
  }
}

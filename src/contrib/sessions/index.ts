/**
 * `nuages/contrib/sessions`: Django's session framework, reading and writing Django's own
 * session data. Install the app and the middleware:
 *
 * ```ts
 * INSTALLED_APPS: ['nuages/contrib/sessions', ...],
 * MIDDLEWARE: ['nuages/contrib/sessions#SessionMiddleware', ...],
 * SESSION_ENGINE: 'db',           // or 'cache', 'cached-db', 'file', 'signed-cookies'
 * ```
 *
 * SessionMiddleware → request.session (a SessionBase, loaded on first use) → the store
 * of SESSION_ENGINE (backends/*) → signing.dumps() with Django's salts, so a session a
 * Django project wrote reads here and the other way round.
 */
export { SessionBase, VALID_KEY_CHARS, type ExpiryOptions, type SessionData, type SessionStoreClass } from './backends/base.ts';
export { SessionStore as DbSessionStore, type SessionModel } from './backends/db.ts';
export { SessionStore as CacheSessionStore, CACHE_KEY_PREFIX } from './backends/cache.ts';
export { SessionStore as CachedDbSessionStore, CACHED_DB_KEY_PREFIX } from './backends/cached-db.ts';
export { SessionStore as FileSessionStore } from './backends/file.ts';
export { SessionStore as SignedCookiesSessionStore } from './backends/signed-cookies.ts';
export { sessionEngine } from './engine.ts';
export {
  CreateError,
  InvalidSessionKey,
  SessionCacheUnavailableError,
  SessionInterrupted,
  SessionKeyError,
  SuspiciousSession,
  UpdateError,
} from './exceptions.ts';
export type { SessionExpiry } from './expiry.ts';
export { NotJSONSerializableError } from '../../utils/python-json.ts';
export { SessionMiddleware } from './middleware.ts';
export { AbstractBaseSession, Session } from './models.ts';

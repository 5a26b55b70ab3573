/**
 * SESSION_ENGINE → the SessionStore class: Nuages's short names, Django's dotted module
 * names, Nuages's module paths, or a SessionBase subclass given directly.
 */
import { InvalidSettingError } from '../../conf/errors.ts';
import { settingOr } from '../../conf/lazy-settings.ts';
import { SessionBase, type SessionStoreClass } from './backends/base.ts';
import { SessionStore as CacheSessionStore } from './backends/cache.ts';
import { SessionStore as CachedDbSessionStore } from './backends/cached-db.ts';
import { SessionStore as DbSessionStore } from './backends/db.ts';
import { SessionStore as FileSessionStore } from './backends/file.ts';
import { SessionStore as SignedCookiesSessionStore } from './backends/signed-cookies.ts';

const STORES: ReadonlyArray<readonly [short: string, django: string, store: SessionStoreClass]> = [
  ['db', 'db', DbSessionStore],
  ['cache', 'cache', CacheSessionStore],
  ['cached-db', 'cached_db', CachedDbSessionStore],
  ['file', 'file', FileSessionStore],
  ['signed-cookies', 'signed_cookies', SignedCookiesSessionStore],
];

const ENGINES = new Map<string, SessionStoreClass>(
  STORES.flatMap(([short, django, store]) => [
    [short, store],
    [`django.contrib.sessions.backends.${django}`, store],
    [`nuages/contrib/sessions/backends/${short}`, store],
  ]),
);

/**
 * The store class SESSION_ENGINE names.
 *
 * ```ts
 * sessionEngine('django.contrib.sessions.backends.cached_db'); // the 'cached-db' store
 * ```
 *
 * @throws InvalidSettingError for a name Nuages does not know, listing the ones it does.
 */
export function sessionEngine(engine: unknown = settingOr<unknown>('SESSION_ENGINE', 'db')): SessionStoreClass {
  if (typeof engine === 'function' && engine.prototype instanceof SessionBase) return engine as SessionStoreClass;
  const store = typeof engine === 'string' ? ENGINES.get(engine) : undefined;
  if (store !== undefined) return store;
  const given = typeof engine === 'function' ? `the class ${engine.name || '(anonymous)'}` : typeof engine === 'string' ? JSON.stringify(engine) : String(engine);
  throw new InvalidSettingError(
    'SESSION_ENGINE',
    `SESSION_ENGINE is ${given}, which is not a session engine. ` +
      `Use one of ${STORES.map(([short]) => `'${short}'`).join(', ')}, Django's dotted name ` +
      "('django.contrib.sessions.backends.db'), or a SessionBase subclass.",
  );
}

/**
 * `caches`: one `Cache` per alias of `CACHES`, built on first use (Django's
 * CacheHandler). An instance is kept per settings entry, so `overrideSettings({
 * CACHES })` in a test gets its own caches without touching the project's, and
 * each alias builds its backend once per process otherwise.
 */
import { settings } from '../conf/lazy-settings.ts';
import type { CacheSettings } from '../conf/settings.ts';
import type { CacheBackend, CacheBackendClass, CacheBackendParams } from './backend.ts';
import { DummyCache } from './backends/dummy.ts';
import { LocMemCache } from './backends/locmem.ts';
import { RedisCache } from './backends/redis.ts';
import { TieredCache } from './backends/tiered.ts';
import { MemcachedCache } from './backends/memcached.ts';
import { FileBasedCache } from './backends/filebased.ts';
import { DatabaseCache } from './backends/db.ts';
import { Cache, DEFAULT_CACHE_TIMEOUT } from './cache.ts';
import { InvalidCacheBackendError } from './errors.ts';
import { defaultKeyFunction } from './keys.ts';

/** The backends `BACKEND` can name; Django's dotted paths are accepted for the same stores. */
const BUILTIN_BACKENDS: Readonly<Record<string, CacheBackendClass>> = {
  locmem: LocMemCache,
  dummy: DummyCache,
  redis: RedisCache,
  tiered: TieredCache,
  memcached: MemcachedCache,
  filebased: FileBasedCache,
  db: DatabaseCache,
  'django.core.cache.backends.locmem.LocMemCache': LocMemCache,
  'django.core.cache.backends.dummy.DummyCache': DummyCache,
  'django.core.cache.backends.redis.RedisCache': RedisCache,
  'django.core.cache.backends.memcached.PyMemcacheCache': MemcachedCache,
  'django.core.cache.backends.filebased.FileBasedCache': FileBasedCache,
  'django.core.cache.backends.db.DatabaseCache': DatabaseCache,
};

const DEFAULT_MAX_ENTRIES = 300;
const DEFAULT_CULL_FREQUENCY = 3;

const built = new WeakMap<CacheSettings, Cache>();
const everyBuilt = new Set<Cache>();

/** Build the Cache for one `CACHES` entry; `InvalidCacheBackendError` names what is wrong. */
export function createCache(alias: string, entry: CacheSettings): Cache {
  const backend = buildBackend(alias, entry);
  const options = entry.OPTIONS ?? {};
  const timeout = entry.TIMEOUT === undefined ? DEFAULT_CACHE_TIMEOUT : entry.TIMEOUT;
  if (timeout !== null && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
    throw new InvalidCacheBackendError(`CACHES.${alias}.TIMEOUT must be a number of seconds or null (never expire), got ${JSON.stringify(timeout)}.`);
  }
  return new Cache(backend, {
    alias,
    defaultTimeout: timeout,
    keyPrefix: entry.KEY_PREFIX ?? '',
    version: entry.VERSION ?? 1,
    keyFunction: entry.KEY_FUNCTION ?? defaultKeyFunction,
    ignoreExceptions: options['IGNORE_EXCEPTIONS'] !== false,
    strictKeys: backend.strictKeys,
  });
}

function buildBackend(alias: string, entry: CacheSettings): CacheBackend {
  const BackendClass = typeof entry.BACKEND === 'function' ? (entry.BACKEND as unknown as CacheBackendClass) : BUILTIN_BACKENDS[entry.BACKEND];
  if (BackendClass === undefined) {
    throw new InvalidCacheBackendError(
      `CACHES.${alias}.BACKEND is '${String(entry.BACKEND)}', which is not a cache backend. Use one of ` +
        `${Object.keys(BUILTIN_BACKENDS).filter((name) => !name.includes('.')).map((name) => `'${name}'`).join(', ')}, or a CacheBackend subclass.`,
    );
  }
  const options = entry.OPTIONS ?? {};
  const params: CacheBackendParams = {
    alias,
    location: entry.LOCATION,
    options,
    maxEntries: positiveInteger(alias, 'MAX_ENTRIES', options['MAX_ENTRIES'], DEFAULT_MAX_ENTRIES),
    cullFrequency: positiveInteger(alias, 'CULL_FREQUENCY', options['CULL_FREQUENCY'], DEFAULT_CULL_FREQUENCY, true),
  };
  return new BackendClass(params);
}

function positiveInteger(alias: string, name: string, value: unknown, fallback: number, zeroAllowed = false): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && (value > 0 || (zeroAllowed && value === 0))) return value;
  throw new InvalidCacheBackendError(`CACHES.${alias}.OPTIONS.${name} must be a whole number ${zeroAllowed ? '(0 or more)' : 'above 0'}, got ${JSON.stringify(value)}.`);
}

/**
 * The caches of `CACHES`, by alias.
 *
 * ```ts
 * import { caches } from 'nuages/cache';
 * await caches.get('sessions').set('k', 1);
 * ```
 */
export const caches = {
  /** The Cache for `alias`; InvalidCacheBackendError when CACHES has no such alias. */
  get(alias = 'default'): Cache {
    const entries = settings.CACHES;
    const entry = entries[alias];
    if (entry === undefined) {
      throw new InvalidCacheBackendError(
        `The cache alias '${alias}' is not in CACHES (it has ${Object.keys(entries).map((name) => `'${name}'`).join(', ') || 'no aliases'}). Add CACHES.${alias} to your settings.`,
      );
    }
    let found = built.get(entry);
    if (found === undefined) {
      found = createCache(alias, entry);
      built.set(entry, found);
      everyBuilt.add(found);
    }
    return found;
  },

  /** The aliases of CACHES, in the order the settings list them. */
  aliases(): string[] {
    return Object.keys(settings.CACHES);
  },

  /** Every cache built so far in this process, under any settings (for closing). */
  built(): readonly Cache[] {
    return [...everyBuilt];
  },

  /** The caches of the current CACHES (overrides included) this process has already built. */
  current(): Cache[] {
    const found: Cache[] = [];
    for (const entry of Object.values(settings.CACHES)) {
      const cache = built.get(entry);
      if (cache !== undefined) found.push(cache);
    }
    return found;
  },

  /** Close every cache built in this process (at shutdown, and between tests). */
  async closeAll(): Promise<void> {
    await Promise.all([...everyBuilt].map((cache) => cache.close()));
  },
};

/**
 * The default cache, `caches.get('default')`, resolved on every call so it follows
 * `overrideSettings({ CACHES })`.
 *
 * ```ts
 * import { cache } from 'nuages/cache';
 * await cache.set('greeting', 'hello', 60);
 * ```
 */
export const cache: Cache = new Proxy({} as Cache, {
  get(_target, property) {
    const target = caches.get('default');
    const value = Reflect.get(target, property, target) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
  },
});

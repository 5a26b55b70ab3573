/**
 * `nuages/cache`: Django's cache framework.
 *
 * caches.get(alias) → Cache (keys, versions, timeouts, tags, single flight)
 *   → CacheBackend (locmem, redis, memcached, db, filebased, dummy, tiered)
 */
export { CacheBackend, type CacheBackendClass, type CacheBackendParams, type Ttl } from './backend.ts';
export { Cache, DEFAULT_CACHE_TIMEOUT, type CacheConfig, type GetOrSetOptions, type SetOptions, type VersionOption } from './cache.ts';
export { cache, caches, createCache } from './caches.ts';
export { TagSnapshot } from './entry.ts';
export * from './errors.ts';
export { defaultKeyFunction, keyProblem, MEMCACHED_MAX_KEY_LENGTH, type KeyFunction } from './keys.ts';
export { modelTag, type ModelReference } from './model-tags.ts';
// Importing nuages/cache turns model-aware invalidation on (see invalidation.ts).
export { connectModelInvalidation, disconnectModelInvalidation } from './invalidation.ts';
export { decodeValue, encodeValue, UNREADABLE } from './serializer.ts';
export { DummyCache } from './backends/dummy.ts';
export { LocMemCache } from './backends/locmem.ts';
export { RedisCache } from './backends/redis.ts';
export { TieredCache } from './backends/tiered.ts';
export { MemcachedCache } from './backends/memcached.ts';
export { FileBasedCache } from './backends/filebased.ts';
export { CacheTableMissingError, DatabaseCache } from './backends/db.ts';
export { cacheLibrary, CacheNode, makeTemplateFragmentKey } from './template-tags.ts';

/**
 * `nuages/middleware`: the built-in middleware and the base class for your own.
 * In MIDDLEWARE, name each by module and export:
 *
 * ```ts
 * MIDDLEWARE: [
 *   'nuages/middleware/gzip#GZipMiddleware',
 *   'nuages/middleware/conditional-get#ConditionalGetMiddleware',
 *   'nuages/middleware/common#CommonMiddleware',
 * ]
 * ```
 */
export { MiddlewareMixin } from './mixin.ts';
export { AppendSlashBodyLostError, CommonMiddleware } from './common.ts';
export { compressBytes, compressStream, GZipMiddleware } from './gzip.ts';
export { ConditionalGetMiddleware } from './conditional-get.ts';
export { CacheMiddleware, FetchFromCacheMiddleware, UpdateCacheMiddleware, type CacheMiddlewareOptions } from './cache.ts';
export type {
  GetResponse,
  MiddlewareClass,
  MiddlewareFactory,
  MiddlewareFunction,
  MiddlewareHooks,
  MiddlewareObject,
  MiddlewareSetting,
} from '../core/handlers/base.ts';

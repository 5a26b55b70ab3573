/**
 * `nuages/middleware`: the built-in middleware and the base class for your own.
 * In MIDDLEWARE, name each by module and export:
 *
 * ```ts
 * MIDDLEWARE: [
 *   'nuages/middleware/security#SecurityMiddleware',
 *   'nuages/middleware/gzip#GZipMiddleware',
 *   'nuages/middleware/conditional-get#ConditionalGetMiddleware',
 *   'nuages/middleware/common#CommonMiddleware',
 *   'nuages/middleware/clickjacking#XFrameOptionsMiddleware',
 *   'nuages/middleware/csp#ContentSecurityPolicyMiddleware',
 * ]
 * ```
 */
export { MiddlewareMixin } from './mixin.ts';
export { AppendSlashBodyLostError, CommonMiddleware } from './common.ts';
export { compressBytes, compressStream, GZipMiddleware } from './gzip.ts';
export { ConditionalGetMiddleware } from './conditional-get.ts';
export { CacheMiddleware, FetchFromCacheMiddleware, UpdateCacheMiddleware, type CacheMiddlewareOptions } from './cache.ts';
export {
  CsrfViewMiddleware, CsrfFailureViewError, CsrfSessionMissingError, csrfFailureView, type CsrfFailureView,
  REASON_BAD_ORIGIN, REASON_BAD_REFERER, REASON_CROSS_SITE, REASON_CSRF_TOKEN_MISSING, REASON_INSECURE_REFERER,
  REASON_MALFORMED_REFERER, REASON_NO_CSRF_COOKIE, REASON_NO_REFERER,
} from './csrf.ts';
export { getToken, rotateToken, CSRF_SESSION_KEY } from './csrf-token.ts';
export { SecurityMiddleware, type RedirectExemptPattern } from './security.ts';
export { ContentSecurityPolicyMiddleware, getNonce, overrideCsp, overrideCspReportOnly } from './csp.ts';
export { XFrameOptionsMiddleware, isXFrameOptionsExempt, markXFrameOptionsExempt } from './clickjacking.ts';
export type {
  GetResponse,
  MiddlewareClass,
  MiddlewareFactory,
  MiddlewareFunction,
  MiddlewareHooks,
  MiddlewareObject,
  MiddlewareSetting,
} from '../core/handlers/base.ts';

/**
 * `nuages/ratelimit`: how often a client may call a view (django-ratelimit's model,
 * counted by rate-limiter-flexible).
 *
 *   ratelimit({ key, rate, … })(view)  or  RATELIMIT_RULES + RateLimitMiddleware
 *     → compileLimit (once) → per request: method? → rate → key (client-ip.ts, keys.ts)
 *     → store.hit (stores.ts: memory, or Redis shared by every process)
 *     → past the rate: 429 + Retry-After (response.ts), or request.limited = true
 *
 * ```ts
 * import { ratelimit } from 'nuages/ratelimit';
 * export const contact = ratelimit({ key: 'ip', rate: '3/h', method: 'POST' })(async (request) => …);
 * ```
 */
import type { RateLimitRuleSetting } from './middleware.ts';
import type { RateLimitStoreSettings } from './stores.ts';

export { ratelimit, type RateLimitOptions } from './decorator.ts';
export { RateLimitMiddleware, type RateLimitRule, type RateLimitRuleSetting } from './middleware.ts';
export { ALL, UNSAFE, getUsage, isRatelimited, type LimitOptions, type MethodSpec, type RateLimitUsage, type UsageOptions } from './limit.ts';
export { parseRate, type Rate, type RateSpec } from './rate.ts';
export { compileKey, type KeyFunction, type RateLimitKey } from './keys.ts';
export { clientIp, clientNetwork } from './client-ip.ts';
export {
  MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore, closeRateLimitStores, rateLimitStore,
  type Count, type RateLimitStoreSettings,
} from './stores.ts';
export { rateLimitedResponse } from './response.ts';
export {
  ClientAddressUnknownError, InvalidRateError, InvalidRateLimitRuleError, InvalidTrustedProxiesError, RateLimitKeyError, RateLimitStoreConfigError,
} from './errors.ts';

declare module '../conf/settings.ts' {
  interface Settings {
    /** Limits by path, applied by RateLimitMiddleware: `[{ path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' }]`. */
    RATELIMIT_RULES?: readonly RateLimitRuleSetting[];
    /** Where counters live (default memory, per process): `{ BACKEND: 'redis', LOCATION: 'redis://…' }` or `{ CACHE: 'default' }`. */
    RATELIMIT_STORE?: RateLimitStoreSettings;
    /** false turns every limit off (default true). */
    RATELIMIT_ENABLE?: boolean;
    /** Bits of an IPv4 address that identify a client (default 32). */
    RATELIMIT_IPV4_MASK?: number;
    /** Bits of an IPv6 address that identify a client (default 64: one subscriber's network). */
    RATELIMIT_IPV6_MASK?: number;
    /**
     * Addresses or networks ('10.0.0.0/8', '::1') of the reverse proxies in front of the
     * site: only from these is X-Forwarded-For believed (see `clientIp()`).
     */
    TRUSTED_PROXIES?: readonly string[];
  }
}

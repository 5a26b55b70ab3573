/** The errors of nuages/ratelimit: each names the setting or option to fix. */
import { ImproperlyConfigured } from '../core/errors.ts';

/** A rate is not `<count>/<period>` ('5/m', '100/h', '10/5m'). */
export class InvalidRateError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_RATELIMIT_INVALID_RATE';
}

/** A rate limit `key` is not one Nuages knows, or cannot be computed for this request. */
export class RateLimitKeyError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_RATELIMIT_KEY';
}

/** An entry of RATELIMIT_RULES, or the options given to ratelimit(), cannot be used. */
export class InvalidRateLimitRuleError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_RATELIMIT_INVALID_RULE';
}

/** RATELIMIT_STORE (or a `store` option) names no usable store. */
export class RateLimitStoreConfigError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_RATELIMIT_STORE';
}

/** TRUSTED_PROXIES holds an entry that is not an IP address or a network (CIDR). */
export class InvalidTrustedProxiesError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_RATELIMIT_TRUSTED_PROXIES';
}

/** The request has no client address to key on (REMOTE_ADDR is empty or not an IP address). */
export class ClientAddressUnknownError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_RATELIMIT_NO_CLIENT_ADDRESS';
}

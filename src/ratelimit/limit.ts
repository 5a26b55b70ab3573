/**
 * One limit, as the decorator and the middleware share it:
 *
 *   options → compileLimit() (checked once: key, rate, method, store)
 *   request → method matches? → rate (may depend on the request) → key value
 *           → store.hit(group + key, rate) → usage { count, limit, limited, retryAfter }
 *
 * As in django-ratelimit, every request counts, including refused ones, and a
 * request is limited once its counter is past `limit`: with '5/m' the sixth request
 * of the minute is the first refused. RATELIMIT_ENABLE: false turns every limit off.
 */
import { createHash } from 'node:crypto';
import { settingOr } from '../conf/lazy-settings.ts';
import type { HttpRequest } from '../http/request.ts';
import { InvalidRateLimitRuleError } from './errors.ts';
import { compileKey, type KeyReader, type RateLimitKey } from './keys.ts';
import { parseRate, type Rate, type RateSpec } from './rate.ts';
import { rateLimitStore, type RateLimitStore, type RateLimitStoreSettings } from './stores.ts';

declare module '../http/request.ts' {
  interface HttpRequest {
    /**
     * Set by `ratelimit({ block: false })` and non-blocking RATELIMIT_RULES: true when
     * this request is past one of their rates (false when checked and within them).
     */
    limited?: boolean;
  }
}

/** Every method: the default. */
export const ALL = 'ALL';

/** The methods that change things (django-ratelimit's UNSAFE). */
export const UNSAFE: readonly string[] = Object.freeze(['DELETE', 'PATCH', 'POST', 'PUT']);

/** Which methods a limit counts: one ('POST'), a list (['POST', 'PUT'], `UNSAFE`), or `ALL`. */
export type MethodSpec = string | readonly string[];

/** What every limit says, in the decorator and in RATELIMIT_RULES. */
export interface LimitOptions {
  /** What one counter counts (default 'ip'): see keys.ts. */
  readonly key?: RateLimitKey;
  /** At most this many requests per period: '5/m', '100/h', '10/5m', or a function of the request. */
  readonly rate: RateSpec;
  /** The methods counted (default `ALL`); other requests pass uncounted. */
  readonly method?: MethodSpec;
  /** Limits with the same group (and key and rate) share their counters. */
  readonly group?: string;
  /** Where the counters live (default RATELIMIT_STORE): a store or store settings. */
  readonly store?: RateLimitStore | RateLimitStoreSettings;
}

/** Where one request stands against a limit. */
export interface RateLimitUsage {
  /** Requests counted in the current window, this one included. */
  readonly count: number;
  readonly limit: number;
  /** Whether `count` is past `limit`. */
  readonly limited: boolean;
  /** Seconds until the window resets (at least 1): the Retry-After a refusal sends. */
  readonly retryAfter: number;
}

/** A limit checked and ready to count requests. */
export interface CompiledLimit {
  readonly group: string;
  readonly methods: ReadonlySet<string> | null;
  readonly key: KeyReader;
  readonly rate: (request: HttpRequest, group: string) => Promise<Rate | null>;
  readonly store: () => RateLimitStore;
}

function compileMethods(method: unknown, where: string): ReadonlySet<string> | null {
  if (method === undefined || method === ALL) return null;
  const list = typeof method === 'string' ? [method] : method;
  if (!Array.isArray(list) || list.length === 0 || list.some((m) => typeof m !== 'string' || m === '')) {
    throw new InvalidRateLimitRuleError(`${where}.method must be a method ('POST'), a list of methods (['POST', 'PUT']) or 'ALL', got ${JSON.stringify(method)}.`);
  }
  return new Set(list.map((m: string) => m.toUpperCase()));
}

function compileRate(rate: unknown, where: string): CompiledLimit['rate'] {
  if (typeof rate === 'function') {
    const fn = rate as Exclude<RateSpec, string>;
    return async (request, group) => {
      const chosen = await fn(request, group);
      return chosen === null ? null : parseRate(chosen, `the rate returned by ${fn.name || 'the rate function'} of ${where}`);
    };
  }
  const parsed = parseRate(rate, `${where}.rate`);
  return async () => parsed;
}

/**
 * Check a limit's options once, at start-up; `where` names it in errors
 * ('ratelimit()', 'RATELIMIT_RULES[2]').
 *
 * @throws InvalidRateError, RateLimitKeyError, InvalidRateLimitRuleError, RateLimitStoreConfigError.
 */
export function compileLimit(options: LimitOptions, group: string, where: string): CompiledLimit {
  if (options === null || typeof options !== 'object') {
    throw new InvalidRateLimitRuleError(`${where} must be an object such as { key: 'ip', rate: '10/m' }, got ${JSON.stringify(options)}.`);
  }
  if (options.rate === undefined) throw new InvalidRateLimitRuleError(`${where} has no rate. Add one, such as rate: '10/m'.`);
  if (options.group !== undefined && (typeof options.group !== 'string' || options.group === '')) {
    throw new InvalidRateLimitRuleError(`${where}.group must be a non-empty string, got ${JSON.stringify(options.group)}.`);
  }
  const store = options.store;
  // Built at first use, when settings are configured; checked now when given explicitly.
  if (store !== undefined) rateLimitStore(store);
  return {
    group: options.group ?? group,
    methods: compileMethods(options.method, where),
    key: compileKey(options.key ?? 'ip', `${where}.key`),
    rate: compileRate(options.rate, where),
    store: () => rateLimitStore(store),
  };
}

// Values come from clients (headers, form fields): long ones are hashed so a key stays small.
const MAX_VALUE_LENGTH = 200;

function counterKey(group: string, methods: ReadonlySet<string> | null, value: string): string {
  const counted = value.length > MAX_VALUE_LENGTH ? `sha256:${createHash('sha256').update(value).digest('hex')}` : value;
  return methods === null ? `${group}:${counted}` : `${group}:${[...methods].sort().join(',')}:${counted}`;
}

/**
 * Count `request` against `limit` (or only read its counter, with `increment` false).
 * Undefined when the limit does not apply: the method is not counted, the rate or the
 * key function said null, or RATELIMIT_ENABLE is false.
 */
export async function countRequest(request: HttpRequest, limit: CompiledLimit, increment = true): Promise<RateLimitUsage | undefined> {
  if (!settingOr('RATELIMIT_ENABLE', true)) return undefined;
  if (limit.methods !== null && !limit.methods.has(request.method)) return undefined;
  const rate = await limit.rate(request, limit.group);
  if (rate === null) return undefined;
  const value = await limit.key(request, limit.group);
  if (value === null) return undefined;
  const { count, msBeforeReset } = await limit.store().hit(counterKey(limit.group, limit.methods, value), rate, increment);
  return {
    count,
    limit: rate.limit,
    limited: count > rate.limit,
    retryAfter: Math.max(1, Math.ceil(msBeforeReset / 1000)),
  };
}

/** Options of {@link getUsage} and {@link isRatelimited}: a limit, its group, and whether this call counts. */
export interface UsageOptions extends LimitOptions {
  readonly group: string;
  /** Count this request (default false: only read the counter, as django-ratelimit). */
  readonly increment?: boolean;
}

/**
 * Where `request` stands against a limit, from a view that decides itself (django-ratelimit's
 * get_usage). Undefined when the limit does not apply to this request.
 *
 * ```ts
 * const usage = await getUsage(request, { group: 'search', key: 'ip', rate: '30/m', increment: true });
 * if (usage?.limited) return render(request, 'search/slow-down.html', { wait: usage.retryAfter }, { status: 429 });
 * ```
 */
export async function getUsage(request: HttpRequest, options: UsageOptions): Promise<RateLimitUsage | undefined> {
  return countRequest(request, compileLimit(options, options.group, 'getUsage()'), options.increment ?? false);
}

/**
 * Whether `request` is past a limit (django-ratelimit's is_ratelimited).
 *
 * ```ts
 * if (await isRatelimited(request, { group: 'contact', key: 'ip', rate: '3/h', method: 'POST', increment: true })) {
 *   form.addError(null, 'You have sent too many messages; try again later.');
 * }
 * ```
 */
export async function isRatelimited(request: HttpRequest, options: UsageOptions): Promise<boolean> {
  return (await getUsage(request, options))?.limited ?? false;
}

/**
 * Where the counters live, on rate-limiter-flexible (the counting library Node
 * projects already trust for this; its Redis counter is one atomic Lua call).
 *
 *   RATELIMIT_STORE unset or { BACKEND: 'memory' }   counters in this process
 *   { BACKEND: 'redis', LOCATION: 'redis://…/0' }     counters shared by every process on that server
 *   { CACHE: 'default' }                              the server of that CACHES alias (redis or tiered;
 *                                                     locmem means memory)
 *
 * Each counter is a fixed window: the first request of a key starts it, and it
 * expires `period` seconds later. When Redis cannot be reached, the store counts in
 * this process's memory until it can again (logged once per outage): limits then hold
 * per process rather than not at all, and a Redis outage neither blocks every
 * request nor lets brute force through.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { redisLocations } from '../cache/backends/redis.ts';
import { settingOr } from '../conf/lazy-settings.ts';
import { getLogger } from '../utils/log.ts';
import { RateLimitStoreConfigError } from './errors.ts';
import type { Rate } from './rate.ts';

const log = getLogger('nuages.ratelimit');

/** RATELIMIT_STORE, or a limit's `store` option. */
export interface RateLimitStoreSettings {
  /** 'memory' (default) or 'redis'. Leave it out with CACHE. */
  readonly BACKEND?: 'memory' | 'redis';
  /** The Redis server: 'redis://host:6379/0' (the first of a list). */
  readonly LOCATION?: string | readonly string[];
  /**
   * ioredis options (`password`, `tls`, …), plus SOCKET_TIMEOUT and SOCKET_CONNECT_TIMEOUT
   * in seconds (default 1 each): a slower Redis is treated as down.
   */
  readonly OPTIONS?: Readonly<Record<string, unknown>>;
  /** Use the server of this CACHES alias instead of BACKEND and LOCATION. */
  readonly CACHE?: string;
  /** Prefix of every counter's key (default 'rl'). */
  readonly KEY_PREFIX?: string;
}

/** One counter after a request: how many it holds and how long until it resets. */
export interface Count {
  readonly count: number;
  readonly msBeforeReset: number;
}

const DEFAULT_KEY_PREFIX = 'rl';

/** Counts requests per key and rate. Subclasses say where the counters live. */
export abstract class RateLimitStore {
  /** Prefix of every key this store writes. */
  readonly keyPrefix: string;
  // One limiter per rate: rate-limiter-flexible fixes the count and period per limiter.
  readonly #limiters = new Map<string, RateLimiterAbstract>();

  constructor(keyPrefix = DEFAULT_KEY_PREFIX) {
    this.keyPrefix = keyPrefix;
  }

  /** The limiter that counts at `rate` under `keyPrefix`. */
  protected abstract createLimiter(rate: Rate, keyPrefix: string): Promise<RateLimiterAbstract>;

  /** The limiter for `rate`, created on first use. */
  protected async limiter(rate: Rate): Promise<RateLimiterAbstract> {
    const id = `${rate.limit}/${rate.period}s`;
    let limiter = this.#limiters.get(id);
    if (limiter === undefined) {
      limiter = await this.createLimiter(rate, `${this.keyPrefix}:${id}`);
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }

  /**
   * Count one request under `key` at `rate` (or, with `increment` false, read the
   * counter without counting) and return the counter.
   */
  async hit(key: string, rate: Rate, increment = true): Promise<Count> {
    return readCount(await this.limiter(rate), key, increment);
  }

  /** Close connections; the store reopens them when used again. */
  async close(): Promise<void> {
    this.#limiters.clear();
  }
}

async function readCount(limiter: RateLimiterAbstract, key: string, increment: boolean): Promise<Count> {
  let result: RateLimiterRes | null;
  try {
    result = increment ? await limiter.consume(key) : await limiter.get(key);
  } catch (rejection) {
    // consume() rejects with the counter once it is past the limit, and with an Error when the store failed.
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    result = rejection;
  }
  if (result === null) return { count: 0, msBeforeReset: 0 };
  return { count: result.consumedPoints, msBeforeReset: Math.max(0, result.msBeforeNext) };
}

/** Counters in this process's memory: right for one process, and for tests. */
export class MemoryRateLimitStore extends RateLimitStore {
  protected override async createLimiter(rate: Rate, keyPrefix: string): Promise<RateLimiterAbstract> {
    return new RateLimiterMemory({ points: rate.limit, duration: rate.period, keyPrefix });
  }
}

function seconds(name: string, value: unknown): number {
  if (value === undefined) return 1;
  if (typeof value === 'number' && value > 0 && Number.isFinite(value)) return value;
  throw new RateLimitStoreConfigError(`RATELIMIT_STORE.OPTIONS.${name} must be a number of seconds above 0, got ${JSON.stringify(value)}.`);
}

/** Counters in Redis, shared by every process that uses the same server and KEY_PREFIX. */
export class RedisRateLimitStore extends RateLimitStore {
  /** The server, password removed, for messages. */
  readonly server: string;
  readonly #url: string;
  readonly #options: RedisOptions;
  #client: Promise<Redis> | undefined;
  // Counts while Redis cannot be reached (see the module comment).
  readonly #fallback: MemoryRateLimitStore;
  #down = false;

  constructor(location: string | readonly string[] | undefined, options: Readonly<Record<string, unknown>> = {}, keyPrefix?: string) {
    super(keyPrefix);
    this.#url = redisLocations(location)[0]!;
    this.server = this.#url.replace(/\/\/[^@/]*@/, '//');
    this.#fallback = new MemoryRateLimitStore(keyPrefix);
    const passed: Record<string, unknown> = {};
    // Upper-case names are Nuages's; the rest are ioredis options.
    for (const [name, value] of Object.entries(options)) if (name !== name.toUpperCase()) passed[name] = value;
    this.#options = {
      lazyConnect: true,
      connectTimeout: Math.round(seconds('SOCKET_CONNECT_TIMEOUT', options['SOCKET_CONNECT_TIMEOUT']) * 1000),
      commandTimeout: Math.round(seconds('SOCKET_TIMEOUT', options['SOCKET_TIMEOUT']) * 1000),
      // A request never waits for a connection that is not there: it is counted in memory instead.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
      ...passed,
    };
  }

  #connect(): Promise<Redis> {
    this.#client ??= (async () => {
      const { Redis } = await import('ioredis');
      const client = new Redis(this.#url, this.#options);
      // Errors reach the caller of each command; without a listener ioredis would also print them.
      client.on('error', () => {});
      // The first connection is awaited so that the first requests count in Redis, not in memory.
      await client.connect().catch(() => undefined);
      return client;
    })();
    return this.#client;
  }

  protected override async createLimiter(rate: Rate, keyPrefix: string): Promise<RateLimiterAbstract> {
    const storeClient = await this.#connect();
    return new RateLimiterRedis({ storeClient, points: rate.limit, duration: rate.period, keyPrefix, rejectIfRedisNotReady: true });
  }

  override async hit(key: string, rate: Rate, increment = true): Promise<Count> {
    try {
      const count = await super.hit(key, rate, increment);
      if (this.#down) {
        this.#down = false;
        log.info(`Redis at ${this.server} answers again; rate limits are shared between processes again.`);
      }
      return count;
    } catch (error) {
      if (!this.#down) {
        this.#down = true;
        log.warn(
          `Redis at ${this.server} did not answer (${(error as Error).message}); rate limits are counted in each process's memory until it does. ` +
            'Check that the server runs and that RATELIMIT_STORE points at it.',
        );
      }
      return this.#fallback.hit(key, rate, increment);
    }
  }

  override async close(): Promise<void> {
    const pending = this.#client;
    this.#client = undefined;
    await super.close();
    await this.#fallback.close();
    if (pending === undefined) return;
    const client = await pending;
    await client.quit().catch(() => client.disconnect());
  }
}

const REDIS_CACHES = new Set(['redis', 'tiered', 'django.core.cache.backends.redis.RedisCache']);
const MEMORY_CACHES = new Set(['locmem', 'django.core.cache.backends.locmem.LocMemCache']);

/** The store RATELIMIT_STORE-shaped `settings` describe. */
function buildStore(settings: RateLimitStoreSettings): RateLimitStore {
  if (settings === null || typeof settings !== 'object') {
    throw new RateLimitStoreConfigError(
      `RATELIMIT_STORE must be an object such as { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/0' }, got ${JSON.stringify(settings)}.`,
    );
  }
  const prefix = settings.KEY_PREFIX;
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    throw new RateLimitStoreConfigError(`RATELIMIT_STORE.KEY_PREFIX must be a non-empty string, got ${JSON.stringify(prefix)}.`);
  }
  if (settings.CACHE !== undefined) {
    const caches = settingOr<Record<string, { BACKEND?: unknown; LOCATION?: string | string[]; OPTIONS?: Record<string, unknown> }>>('CACHES', {});
    const entry = caches[settings.CACHE];
    if (entry === undefined) {
      throw new RateLimitStoreConfigError(`RATELIMIT_STORE.CACHE is '${settings.CACHE}', which is not an alias of CACHES. Use one of ${Object.keys(caches).map((a) => `'${a}'`).join(', ') || '(none)'}.`);
    }
    if (typeof entry.BACKEND === 'string' && REDIS_CACHES.has(entry.BACKEND)) return new RedisRateLimitStore(entry.LOCATION, entry.OPTIONS, prefix);
    if (typeof entry.BACKEND === 'string' && MEMORY_CACHES.has(entry.BACKEND)) return new MemoryRateLimitStore(prefix);
    throw new RateLimitStoreConfigError(
      `RATELIMIT_STORE.CACHE is '${settings.CACHE}', a ${String(entry.BACKEND)} cache; rate limits need atomic counters, which only ` +
        "redis (shared by every process) and locmem (this process) caches give. Point CACHE at one of those, or set BACKEND and LOCATION.",
    );
  }
  const backend = settings.BACKEND ?? 'memory';
  if (backend === 'memory') return new MemoryRateLimitStore(prefix);
  if (backend === 'redis') return new RedisRateLimitStore(settings.LOCATION, settings.OPTIONS, prefix);
  throw new RateLimitStoreConfigError(`RATELIMIT_STORE.BACKEND is ${JSON.stringify(backend)}; use 'memory' (this process) or 'redis' (shared by every process).`);
}

// Stores by settings object, so overrideSettings({ RATELIMIT_STORE }) gets its own.
const built = new WeakMap<object, RateLimitStore>();
const everyBuilt = new Set<RateLimitStore>();
const DEFAULT_SETTINGS: RateLimitStoreSettings = Object.freeze({ BACKEND: 'memory' });

/**
 * The store a limit counts in: `store` when it is a store, the one its settings
 * describe, or RATELIMIT_STORE's (memory when unset). Built on first use and kept.
 *
 * @throws RateLimitStoreConfigError naming what to fix in RATELIMIT_STORE.
 */
export function rateLimitStore(store?: RateLimitStore | RateLimitStoreSettings): RateLimitStore {
  if (store instanceof RateLimitStore) return store;
  const settings = store ?? settingOr<RateLimitStoreSettings>('RATELIMIT_STORE', DEFAULT_SETTINGS);
  let found = built.get(settings);
  if (found === undefined) {
    found = buildStore(settings);
    built.set(settings, found);
    everyBuilt.add(found);
  }
  return found;
}

/**
 * Close every store built so far (Redis connections), so a test or a script can
 * exit; a store used again reconnects.
 *
 * ```ts
 * after(() => closeRateLimitStores());
 * ```
 */
export async function closeRateLimitStores(): Promise<void> {
  await Promise.all([...everyBuilt].map((store) => store.close()));
}

/**
 * Two tiers: a small per-process memory (the near tier, locmem) in front of Redis
 * (the far tier), with every write broadcast over Redis pub/sub so each process
 * drops its near copy of what another process changed.
 *
 *   read:  near (if this process is subscribed) → far GET+PTTL → fill near for at
 *          most NEAR_TIMEOUT seconds, never past the far key's own expiry
 *   write: far (SET/DEL/EXPIRE/INCRBY/FLUSHDB in one transaction with a PUBLISH of
 *          the keys) → drop the keys from this process's near tier
 *   every process: message on CHANNEL → drop those keys (or everything, on clear)
 *
 * The guarantee: a process never serves from its near tier a value that another
 * process changed, deleted or outdated (tags included: their tokens are cache keys
 * too), once the PUBLISH has reached it. The window is the pub/sub delivery time
 * (well under a millisecond on one host). The near tier is used only while the
 * subscription is up: when the subscriber connection drops, the near tier is
 * emptied and reads go to Redis until it is back, so missed messages cannot leave
 * stale copies. A connection that dies silently (no FIN; found by TCP keep-alive)
 * can leave a copy stale for at most NEAR_TIMEOUT seconds.
 */
import { randomBytes } from 'node:crypto';
import { CacheBackend, type CacheBackendParams, type Ttl } from '../backend.ts';
import { InvalidCacheBackendError } from '../errors.ts';
import { LocMemCache } from './locmem.ts';
import { RedisCache, redisLocations } from './redis.ts';

const DEFAULT_NEAR_TIMEOUT = 5;
const DEFAULT_NEAR_MAX_ENTRIES = 1000;
const DEFAULT_CHANNEL = 'nuages.cache.invalidate';

/** Final keys to drop from the near tier, or '*' for everything (clear, or a lost connection). */
type Invalidation = readonly string[] | '*';
/** Hears each message published on the channel, and null when the subscription goes down or comes up. */
type Listener = (message: string | null) => void;

/** A subscriber connection as the bus uses it (an ioredis Redis or Cluster). */
interface Subscriber {
  on(event: string, listener: (...args: never[]) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  disconnect(reconnect?: boolean): void;
}

/**
 * One subscriber connection per process and channel, shared by every TieredCache
 * that listens there; closed when the last one closes.
 */
class InvalidationBus {
  static readonly #buses = new Map<string, InvalidationBus>();

  static for(far: RedisCache, channel: string): InvalidationBus {
    const id = `${far.servers[0]}|${channel}`;
    let bus = InvalidationBus.#buses.get(id);
    if (bus === undefined) {
      bus = new InvalidationBus(channel);
      InvalidationBus.#buses.set(id, bus);
    }
    return bus;
  }

  readonly #channel: string;
  readonly #listeners = new Set<Listener>();
  readonly #waiting = new Set<() => void>();
  #subscriber: Subscriber | undefined;
  #starting = false;
  // Bumped when the last listener leaves, so a start still in flight knows it is not wanted.
  #generation = 0;
  /** Whether messages reach this process now; the near tier is used only then. */
  live = false;

  private constructor(channel: string) {
    this.#channel = channel;
  }

  /** Start hearing messages; the first listener opens the subscriber with `far`'s settings. */
  join(listener: Listener, far: RedisCache): void {
    this.#listeners.add(listener);
    if (this.#subscriber !== undefined || this.#starting) return;
    this.#starting = true;
    const generation = this.#generation;
    this.#start(far, generation)
      // Redis is down: the next join tries again; reads go to Redis meanwhile.
      .catch(() => {})
      .finally(() => {
        if (generation === this.#generation) this.#starting = false;
      });
  }

  leave(listener: Listener): void {
    this.#listeners.delete(listener);
    if (this.#listeners.size > 0) return;
    this.#generation++;
    this.#starting = false;
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    this.#setLive(false);
    subscriber?.disconnect();
    for (const wake of this.#waiting) wake();
  }

  /** Resolves once live (true), or after `ms` (whether live then). */
  whenLive(ms: number): Promise<boolean> {
    if (this.live) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiting.delete(wake);
        resolve(this.live);
      };
      const timer = setTimeout(wake, ms);
      this.#waiting.add(wake);
    });
  }

  async #start(far: RedisCache, generation: number): Promise<void> {
    const subscriber = (await far.createSubscriber()) as unknown as Subscriber;
    if (generation !== this.#generation) {
      subscriber.disconnect();
      return;
    }
    this.#subscriber = subscriber;
    const current = (): boolean => this.#subscriber === subscriber;
    subscriber.on('error', () => {});
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel && current()) this.#emit(message);
    });
    // Subscribed anew on every connection: whatever was published in between is lost, so
    // live goes false (near tier emptied) on close and true only once SUBSCRIBE has answered.
    const subscribe = (): void => {
      subscriber.subscribe(this.#channel).then(
        () => current() && this.#setLive(true),
        // Reconnecting subscribes again (on 'ready').
        () => subscriber.disconnect(true),
      );
    };
    subscriber.on('ready', subscribe);
    subscriber.on('close', () => current() && this.#setLive(false));
    subscriber.on('end', () => current() && this.#setLive(false));
    if ((subscriber as unknown as { status: string }).status === 'ready') subscribe();
  }

  #setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    // Going down: copies may go stale unseen. Coming up: copies kept while down may be stale.
    this.#emit(null);
    if (live) for (const wake of this.#waiting) wake();
  }

  #emit(message: string | null): void {
    for (const listener of this.#listeners) listener(message);
  }
}

/** The keys a message names, or null for this cache's own echo (its writes are already dropped here). */
function parse(message: string, self: string): Invalidation | null {
  try {
    const { from, keys } = JSON.parse(message) as { from?: unknown; keys?: unknown };
    if (from === self) return null;
    if (Array.isArray(keys)) return keys.filter((key): key is string => typeof key === 'string');
  } catch {
    // A message not written by Nuages: drop everything rather than guess.
  }
  return '*';
}

/** The database number a Redis URL (or OPTIONS.db) selects; pub/sub is per server, so the channel names it. */
function databaseOf(url: string, options: Readonly<Record<string, unknown>>): string {
  const fromQuery = /[?&]db=(\d+)/.exec(url)?.[1];
  const fromPath = /^rediss?:\/\/[^/]*\/(\d+)/.exec(url)?.[1];
  return fromQuery ?? fromPath ?? String(options['db'] ?? 0);
}

function positive(alias: string, name: string, value: unknown, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && value > 0 && (!integer || Number.isInteger(value))) return value;
  throw new InvalidCacheBackendError(`CACHES.${alias}.OPTIONS.${name} must be ${integer ? 'a whole number' : 'a number of seconds'} above 0, got ${JSON.stringify(value)}.`);
}

/** A far read in flight; an invalidation of its key meanwhile keeps its result out of the near tier. */
interface PendingRead {
  stale: boolean;
}

/**
 * The two-tier cache: `BACKEND: 'tiered'`, LOCATION and OPTIONS as for Redis, plus
 *
 * - `NEAR_TIMEOUT` — seconds a value may be served from process memory (default 5;
 *   never longer than the value's own timeout),
 * - `NEAR_MAX_ENTRIES` — values kept in process memory (default 1000, least recently
 *   used culled first),
 * - `NEAR_LOCATION` — the near store's name (aliases with the same name share it),
 * - `CHANNEL` — the pub/sub channel (default `nuages.cache.invalidate:<db>`); every
 *   process of a site must use the same one.
 *
 * Each process opens one extra Redis connection (the subscriber) on first use.
 * Errors: as RedisCache (`CacheUnavailableError` when Redis cannot be reached).
 *
 * ```ts
 * CACHES: {
 *   default: { BACKEND: 'tiered', LOCATION: 'redis://127.0.0.1:6379/1', OPTIONS: { NEAR_TIMEOUT: 2 } },
 * }
 * ```
 */
export class TieredCache extends CacheBackend {
  readonly shared = true;
  /** The far tier. */
  readonly far: RedisCache;
  /** The near tier (this process's memory). */
  readonly near: LocMemCache;
  readonly #nearTimeout: number;
  readonly #bus: InvalidationBus;
  readonly #pending = new Map<string, Set<PendingRead>>();
  // Names this cache's own messages, which it skips: its writes were dropped here when they returned.
  readonly #origin = randomBytes(6).toString('base64url');
  readonly #onInvalidation: Listener = (message) => {
    const invalidation = message === null ? '*' : parse(message, this.#origin);
    if (invalidation !== null) this.#forget(invalidation);
  };
  #joined = false;

  constructor(params: CacheBackendParams) {
    super(params);
    const options = params.options;
    this.#nearTimeout = positive(params.alias, 'NEAR_TIMEOUT', options['NEAR_TIMEOUT'], DEFAULT_NEAR_TIMEOUT, false);
    const maxEntries = positive(params.alias, 'NEAR_MAX_ENTRIES', options['NEAR_MAX_ENTRIES'], DEFAULT_NEAR_MAX_ENTRIES, true);
    const primary = redisLocations(params.location)[0]!;
    const channel = options['CHANNEL'] ?? `${DEFAULT_CHANNEL}:${databaseOf(primary, options)}`;
    const nearLocation = options['NEAR_LOCATION'] ?? `nuages.tiered:${params.alias}:${primary}`;
    if (typeof channel !== 'string' || typeof nearLocation !== 'string') {
      throw new InvalidCacheBackendError(`CACHES.${params.alias}.OPTIONS.CHANNEL and NEAR_LOCATION must be strings.`);
    }
    this.far = new RedisCache(params);
    this.far.broadcastWritesTo(channel, this.#origin);
    this.near = new LocMemCache({ ...params, location: nearLocation, maxEntries, cullFrequency: 3 });
    this.#bus = InvalidationBus.for(this.far, channel);
  }

  /**
   * Resolves to true once this process receives other processes' invalidations
   * (from then on the near tier serves reads), or false if that did not happen
   * within `ms`. Reads and writes never wait for it.
   */
  async listening(ms = 2000): Promise<boolean> {
    this.#join();
    return this.#bus.whenLive(ms);
  }

  async get(key: string): Promise<unknown> {
    this.#join();
    if (this.#bus.live) {
      const near = await this.near.get(key);
      if (near !== undefined) return near;
    }
    const read = this.#begin(key);
    try {
      const { value, ttlMs } = await this.far.getWithTtl(key);
      if (value !== undefined) this.#fill(key, value, ttlMs, read);
      return value;
    } finally {
      this.#end(key, read);
    }
  }

  override async getMany(keys: readonly string[]): Promise<Map<string, unknown>> {
    this.#join();
    const found = new Map<string, unknown>();
    const missing: string[] = [];
    for (const key of keys) {
      const near = this.#bus.live ? await this.near.get(key) : undefined;
      if (near === undefined) missing.push(key);
      else found.set(key, near);
    }
    if (missing.length === 0) return found;
    const reads = missing.map((key) => this.#begin(key));
    try {
      const far = await this.far.getManyWithTtl(missing);
      missing.forEach((key, i) => {
        const hit = far.get(key);
        if (hit === undefined) return;
        found.set(key, hit.value);
        this.#fill(key, hit.value, hit.ttlMs, reads[i]!);
      });
    } finally {
      missing.forEach((key, i) => this.#end(key, reads[i]!));
    }
    // The caller sees keys in the order asked, whichever tier answered.
    return new Map(keys.filter((key) => found.has(key)).map((key) => [key, found.get(key)]));
  }

  override async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async set(key: string, value: unknown, ttl: Ttl): Promise<void> {
    await this.#written([key], () => this.far.set(key, value, ttl));
  }

  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    return this.#written([key], () => this.far.add(key, value, ttl));
  }

  async delete(key: string): Promise<boolean> {
    return this.#written([key], () => this.far.delete(key));
  }

  async touch(key: string, ttl: Ttl): Promise<boolean> {
    return this.#written([key], () => this.far.touch(key, ttl));
  }

  async incr(key: string, delta: number): Promise<number | undefined> {
    return this.#written([key], () => this.far.incr(key, delta));
  }

  override async setMany(entries: ReadonlyMap<string, unknown>, ttl: Ttl): Promise<string[]> {
    return this.#written([...entries.keys()], () => this.far.setMany(entries, ttl));
  }

  override async deleteMany(keys: readonly string[]): Promise<void> {
    await this.#written(keys, () => this.far.deleteMany(keys));
  }

  async clear(): Promise<void> {
    await this.#written('*', () => this.far.clear());
  }

  /** Stop listening (the subscriber closes with the last tiered cache of the process) and close Redis. */
  override async close(): Promise<void> {
    if (this.#joined) {
      this.#joined = false;
      this.#bus.leave(this.#onInvalidation);
    }
    await this.far.close();
  }

  #join(): void {
    if (this.#joined) return;
    this.#joined = true;
    this.#bus.join(this.#onInvalidation, this.far);
  }

  /** Run a far write, then drop its keys here: this process reads its own writes at once, not when its message returns. */
  async #written<R>(keys: Invalidation, write: () => Promise<R>): Promise<R> {
    this.#join();
    try {
      return await write();
    } finally {
      this.#forget(keys);
    }
  }

  #forget(invalidation: Invalidation): void {
    if (invalidation === '*') {
      void this.near.clear();
      for (const reads of this.#pending.values()) for (const read of reads) read.stale = true;
      return;
    }
    for (const key of invalidation) {
      void this.near.delete(key);
      const reads = this.#pending.get(key);
      if (reads !== undefined) for (const read of reads) read.stale = true;
    }
  }

  #begin(key: string): PendingRead {
    const read: PendingRead = { stale: false };
    let reads = this.#pending.get(key);
    if (reads === undefined) this.#pending.set(key, (reads = new Set()));
    reads.add(read);
    return read;
  }

  #end(key: string, read: PendingRead): void {
    const reads = this.#pending.get(key);
    reads?.delete(read);
    if (reads?.size === 0) this.#pending.delete(key);
  }

  /** Keep a far value near, unless it was invalidated while it was read, or the subscription is down. */
  #fill(key: string, value: unknown, ttlMs: number, read: PendingRead): void {
    if (read.stale || !this.#bus.live || ttlMs === -2) return;
    const ttl = ttlMs < 0 ? this.#nearTimeout : Math.min(this.#nearTimeout, ttlMs / 1000);
    if (ttl > 0) void this.near.set(key, value, ttl);
  }
}

/**
 * `Cache`: the API users call, one per alias of `CACHES` (Django's BaseCache).
 *
 *   cache.get('k') → makeKey ('prefix:version:k') → validateKey → backend.get
 *     → unwrap (tags checked against their tokens, grace read) → value
 *
 * The backend only stores; everything derivable lives here once: timeouts with
 * Django's meaning, versions, tags, getOrSet's single flight, the cross-process
 * lock and the grace period, and the outage policy (a server that is down gives
 * misses and dropped writes, logged once, unless `IGNORE_EXCEPTIONS` is false).
 */
import { randomBytes } from 'node:crypto';
import { instrumentation } from '../core/instrumentation.ts';
import { getLogger } from '../utils/log.ts';
import type { CacheBackend, Ttl } from './backend.ts';
import { CacheEntry, TagSnapshot, type TagStamp } from './entry.ts';
import { CacheKeyNotFoundError, CacheUnavailableError, UncacheableValueError } from './errors.ts';
import { modelTag, type ModelReference } from './model-tags.ts';
import { validateKey, type KeyFunction } from './keys.ts';

const log = getLogger('nuages.cache');
const cacheCall = instrumentation.cacheCall;

/** Django's DEFAULT_TIMEOUT: 300 seconds. */
export const DEFAULT_CACHE_TIMEOUT = 300;

/** Options every call accepts. */
export interface VersionOption {
  /** The key's version; defaults to the alias's `VERSION` (1). */
  readonly version?: number | undefined;
}

/** Options of `set`, `add` and `setMany`. */
export interface SetOptions extends VersionOption {
  /** Tags the value depends on; `invalidateTags(tag)` makes it a miss everywhere. */
  readonly tags?: readonly string[] | TagSnapshot | undefined;
  /** Models the value depends on: a save, delete, bulk write or m2m change of one makes it a miss (after commit). */
  readonly dependsOn?: readonly ModelReference[] | undefined;
}

/** Options of `getOrSet`. */
export interface GetOrSetOptions extends SetOptions {
  /**
   * Seconds a value stays servable after it goes stale: the first caller after
   * expiry gets the stale value at once and refreshes it in the background.
   */
  readonly grace?: number | undefined;
  /** Cross-process lock on shared stores: seconds it lives, seconds others wait for it. */
  readonly lock?: { readonly ttl?: number; readonly wait?: number } | false | undefined;
}

/** How the cache is built from `CACHES[alias]`. */
export interface CacheConfig {
  readonly alias: string;
  readonly defaultTimeout: number | null;
  readonly keyPrefix: string;
  readonly version: number;
  readonly keyFunction: KeyFunction;
  /** Turn unreachable-server errors into misses (the default) rather than raising. */
  readonly ignoreExceptions: boolean;
  /** Throw on keys Memcached would refuse instead of warning (the Memcached backend). */
  readonly strictKeys: boolean;
}

const MADE_KEYS_LIMIT = 10_000;
const NO_OPTIONS: GetOrSetOptions = Object.freeze({});
const LOCK_TTL = 10;
const LOCK_WAIT = 5;
const LOCK_POLL_MS = 25;

type Producer<T> = T | (() => T | PromiseLike<T>);

/** Where a value stands after unwrapping: absent, fresh, or stale but in its grace. */
/**
 * What a read found: MISS, a StaleHit (in its grace period), or the value itself.
 * Plain values are returned bare so the common hit allocates nothing.
 */
type Lookup = unknown;
const MISS: unique symbol = Symbol('miss');
class StaleHit {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

export class Cache {
  readonly alias: string;
  readonly backend: CacheBackend;
  readonly defaultTimeout: number | null;
  readonly keyPrefix: string;
  readonly version: number;
  readonly #keyFunction: KeyFunction;
  readonly #ignoreExceptions: boolean;
  readonly #strictKeys: boolean;
  // Cold keys being computed (callers join them) and stale keys being refreshed (callers get the stale value).
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #refreshing = new Set<string>();
  #outage = false;
  // Keys of the current version already made and validated: a hit is a Map lookup, not a format and a scan.
  readonly #madeKeys = new Map<string, string>();

  constructor(backend: CacheBackend, config: CacheConfig) {
    this.alias = config.alias;
    this.backend = backend;
    this.defaultTimeout = config.defaultTimeout;
    this.keyPrefix = config.keyPrefix;
    this.version = config.version;
    this.#keyFunction = config.keyFunction;
    this.#ignoreExceptions = config.ignoreExceptions;
    this.#strictKeys = config.strictKeys;
  }

  /** The key stored for `key` (KEY_FUNCTION of the key, KEY_PREFIX and version), validated. */
  makeKey(key: string, version?: number): string {
    if (version === undefined || version === this.version) {
      const known = this.#madeKeys.get(key);
      if (known !== undefined) return known;
    }
    const full = this.#keyFunction(key, this.keyPrefix, version ?? this.version);
    validateKey(full, this.#strictKeys);
    if (version === undefined || version === this.version) {
      if (this.#madeKeys.size >= MADE_KEYS_LIMIT) this.#madeKeys.clear();
      this.#madeKeys.set(key, full);
    }
    return full;
  }

  /**
   * The value under `key`, or `defaultValue` (undefined) when it is missing,
   * expired, invalidated by a tag, or unreadable.
   *
   * ```ts
   * const count = await cache.get<number>('visits', 0);
   * ```
   */
  get<T = unknown>(key: string, defaultValue?: T, options?: VersionOption): Promise<T | undefined> {
    let found: Lookup;
    try {
      found = this.#lookup(this.makeKey(key, options?.version));
    } catch (error) {
      // Not an async function (a hit must not cost a turn), yet errors still arrive as rejections.
      return Promise.reject(error);
    }
    // A synchronous store's plain hit resolves without another turn of the event loop.
    if (!(found instanceof Promise)) return Promise.resolve(valueOf(found, defaultValue));
    return found.then((lookup) => valueOf(lookup, defaultValue));
  }

  /**
   * Store `value` under `key` for `timeout` seconds: undefined means the alias's
   * TIMEOUT (300 s), null means until evicted, 0 or less means do not cache (the
   * key is removed).
   */
  async set(key: string, value: unknown, timeout?: number | null, options: SetOptions = {}): Promise<void> {
    if (!cacheCall.hasSubscribers) return this.#set(key, value, timeout, options);
    const start = performance.now();
    try {
      await this.#set(key, value, timeout, options);
    } finally {
      cacheCall.publish({ alias: this.alias, op: 'set', hit: undefined, durationMs: performance.now() - start });
    }
  }

  async #set(key: string, value: unknown, timeout: number | null | undefined, options: SetOptions): Promise<void> {
    const full = this.makeKey(key, options.version);
    const ttl = this.#ttl(timeout);
    if (ttl === 'expired') {
      await this.#call(() => this.backend.delete(full), false);
      return;
    }
    const stored = await this.#wrap(value, options, undefined);
    await this.#call(() => this.backend.set(full, stored, ttl), undefined);
  }

  /** Store only when `key` holds nothing; whether it stored (Django's add). */
  async add(key: string, value: unknown, timeout?: number | null, options: SetOptions = {}): Promise<boolean> {
    const full = this.makeKey(key, options.version);
    const ttl = this.#ttl(timeout);
    if (ttl === 'expired') return !(await this.#call(() => this.backend.has(full), false));
    const stored = await this.#wrap(value, options, undefined);
    return this.#call(() => this.backend.add(full, stored, ttl), false);
  }

  /**
   * The value under `key`; when missing, computes it with `producer` (a function,
   * sync or async, or a plain value), stores it with `add` and returns it.
   * Concurrent calls for one key in this process run the producer once and share
   * its result; on a shared store (Redis, Memcached, database, files) a short lock
   * keeps other processes from computing it too: they wait up to `lock.wait`
   * seconds for the value, then compute it themselves.
   *
   * ```ts
   * const top = await cache.getOrSet('bestsellers', () => Book.objects.orderBy('-sold').slice(0, 10).all(), 600, {
   *   dependsOn: [Book],
   *   grace: 60,
   * });
   * ```
   */
  getOrSet<T>(key: string, producer: Producer<T>, timeout?: number | null, options: GetOrSetOptions = NO_OPTIONS): Promise<T> {
    let full: string;
    try {
      full = this.makeKey(key, options.version);
    } catch (error) {
      return Promise.reject(error);
    }
    const joined = this.#inflight.get(full);
    if (joined !== undefined) return joined as Promise<T>;
    const found = this.#lookup(full);
    if (!(found instanceof Promise)) {
      if (found !== MISS && !(found instanceof StaleHit)) return Promise.resolve(found as T);
      return this.#afterLookup(full, found, producer, timeout, options);
    }
    return found.then((lookup) => this.#afterLookup(full, lookup, producer, timeout, options));
  }

  #afterLookup<T>(full: string, found: Lookup, producer: Producer<T>, timeout: number | null | undefined, options: GetOrSetOptions): Promise<T> {
    if (found !== MISS) {
      if (found instanceof StaleHit) this.#refreshInBackground(full, producer, timeout, options);
      return Promise.resolve(valueOf(found, undefined) as T);
    }
    // Callers that missed together all arrive here; the first starts the flight, the rest join it.
    return (this.#inflight.get(full) as Promise<T> | undefined) ?? this.#fly(full, producer, timeout, options);
  }

  /** The values found for `keys`, as an object keyed by the keys given (missing keys absent). */
  async getMany<T = unknown>(keys: readonly string[], options: VersionOption = {}): Promise<Record<string, T>> {
    const fullKeys = keys.map((key) => this.makeKey(key, options.version));
    const found = await this.#call(() => this.backend.getMany(fullKeys), new Map<string, unknown>());
    const result: [string, T][] = [];
    for (let i = 0; i < keys.length; i++) {
      if (!found.has(fullKeys[i]!)) continue;
      const lookup = await this.#unwrap(found.get(fullKeys[i]!));
      if (lookup !== MISS) result.push([keys[i]!, valueOf(lookup, undefined) as T]);
    }
    return Object.fromEntries(result);
  }

  /** Store every entry of `values` (an object or a Map); returns the keys that failed (Django's set_many). */
  async setMany(values: Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>, timeout?: number | null, options: SetOptions = {}): Promise<string[]> {
    const entries = values instanceof Map ? [...values] : Object.entries(values);
    const ttl = this.#ttl(timeout);
    const byFullKey = new Map(entries.map(([key]) => [this.makeKey(key, options.version), key] as const));
    if (ttl === 'expired') {
      await this.#call(() => this.backend.deleteMany([...byFullKey.keys()]), undefined);
      return [];
    }
    const snapshot = await this.#snapshotFor(options);
    const stored = new Map<string, unknown>();
    for (const [key, value] of entries) stored.set(this.makeKey(key, options.version), await this.#wrap(value, options, snapshot));
    const failed = await this.#call(() => this.backend.setMany(stored, ttl), [...byFullKey.keys()]);
    return failed.map((full) => byFullKey.get(full) ?? full);
  }

  /** Remove `key`; whether it was there. */
  async delete(key: string, options: VersionOption = {}): Promise<boolean> {
    const full = this.makeKey(key, options.version);
    if (!cacheCall.hasSubscribers) return this.#call(() => this.backend.delete(full), false);
    const start = performance.now();
    try {
      return await this.#call(() => this.backend.delete(full), false);
    } finally {
      cacheCall.publish({ alias: this.alias, op: 'delete', hit: undefined, durationMs: performance.now() - start });
    }
  }

  /** Remove every key of `keys`. */
  async deleteMany(keys: readonly string[], options: VersionOption = {}): Promise<void> {
    const fullKeys = keys.map((key) => this.makeKey(key, options.version));
    await this.#call(() => this.backend.deleteMany(fullKeys), undefined);
  }

  /** Whether `key` holds a live value (tags and expiry considered). */
  async has(key: string, options: VersionOption = {}): Promise<boolean> {
    return (await this.#lookup(this.makeKey(key, options.version))) !== MISS;
  }

  /** Give `key` a new lifetime (same meaning of `timeout` as set); whether the key existed. */
  async touch(key: string, timeout?: number | null, options: VersionOption = {}): Promise<boolean> {
    const full = this.makeKey(key, options.version);
    const ttl = this.#ttl(timeout);
    if (ttl === 'expired') return this.#call(() => this.backend.delete(full), false);
    return this.#call(() => this.backend.touch(full, ttl), false);
  }

  /**
   * Add `delta` to the integer under `key` and return the new value; atomic on
   * Redis, Memcached and the database. Throws CacheKeyNotFoundError when the key is
   * missing (Django's ValueError), also while the server is down.
   */
  async incr(key: string, delta = 1, options: VersionOption = {}): Promise<number> {
    const full = this.makeKey(key, options.version);
    const result = await this.#call(() => this.backend.incr(full, delta), undefined);
    if (result === undefined) throw new CacheKeyNotFoundError(full);
    return result;
  }

  /** Subtract `delta` from the integer under `key` (see {@link incr}). */
  async decr(key: string, delta = 1, options: VersionOption = {}): Promise<number> {
    return this.incr(key, -delta, options);
  }

  /**
   * Move `key`'s value to version `version + delta` (the old version's key is
   * removed); returns the new version. Throws CacheKeyNotFoundError when missing.
   */
  async incrVersion(key: string, delta = 1, options: VersionOption = {}): Promise<number> {
    const version = options.version ?? this.version;
    const oldKey = this.makeKey(key, version);
    const value = await this.#call(() => this.backend.get(oldKey), undefined);
    if (value === undefined) throw new CacheKeyNotFoundError(oldKey);
    const newKey = this.makeKey(key, version + delta);
    const ttl = this.#ttl(undefined);
    if (ttl !== 'expired') await this.#call(() => this.backend.set(newKey, value, ttl), undefined);
    await this.#call(() => this.backend.delete(oldKey), false);
    return version + delta;
  }

  /** Move `key`'s value to version `version - delta`; returns the new version. */
  async decrVersion(key: string, delta = 1, options: VersionOption = {}): Promise<number> {
    return this.incrVersion(key, -delta, options);
  }

  /** Remove everything from the store, every prefix and version (as Django's clear). */
  async clear(): Promise<void> {
    await this.#call(() => this.backend.clear(), undefined);
  }

  /** Release connections; the next call reconnects. */
  async close(): Promise<void> {
    await this.backend.close();
  }

  /**
   * Make every value stored with one of `tags` a miss, in O(1) per tag: each tag
   * has a token stored beside the values, and removing it outdates them all (the
   * next value stored with the tag gets a new token). Removing rather than
   * replacing keeps tags nobody uses from taking room in the store.
   */
  async invalidateTags(...tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const keys = tags.map((tag) => this.#tagKey(tag));
    await this.#call(() => this.backend.deleteMany(keys), undefined);
  }

  /** The current tokens of `tags`, to pass as `set(…, { tags: snapshot })` after a slow computation. */
  async readTags(tags: readonly string[]): Promise<TagSnapshot> {
    const keys = tags.map((tag) => this.#tagKey(tag));
    const found = await this.#call(() => this.backend.getMany(keys), new Map<string, unknown>());
    const stamps: TagStamp[] = [];
    for (const key of keys) {
      let token = found.get(key);
      if (typeof token !== 'string') {
        const fresh = newToken();
        // add, not set: another process may be creating the same tag at this moment.
        token = (await this.#call(() => this.backend.add(key, fresh, null), false)) ? fresh : await this.#call(() => this.backend.get(key), undefined);
        if (typeof token !== 'string') token = fresh;
      }
      stamps.push([key, token as string]);
    }
    return new TagSnapshot(stamps);
  }

  #tagKey(tag: string): string {
    return this.makeKey(`nuages.tag:${tag}`, 1);
  }

  #ttl(timeout: number | null | undefined): Ttl | 'expired' {
    const seconds = timeout === undefined ? this.defaultTimeout : timeout;
    if (seconds === null) return null;
    return seconds <= 0 ? 'expired' : seconds;
  }

  async #snapshotFor(options: SetOptions): Promise<TagSnapshot | undefined> {
    if (options.tags instanceof TagSnapshot) return options.tags;
    const names = [...(options.tags ?? []), ...(options.dependsOn ?? []).map(modelTag)];
    return names.length === 0 ? undefined : this.readTags(names);
  }

  async #wrap(value: unknown, options: SetOptions, snapshot: TagSnapshot | undefined, freshUntil: number | null = null): Promise<unknown> {
    assertCacheable(value);
    snapshot ??= await this.#snapshotFor(options);
    if (snapshot === undefined && freshUntil === null) return value;
    return new CacheEntry(value, snapshot?.stamps ?? null, freshUntil);
  }

  /**
   * Read and unwrap one key. Synchronous when the store answered synchronously
   * (local memory) and the value is plain, so the common hit costs no extra turns.
   */
  #lookup(full: string): Lookup {
    return cacheCall.hasSubscribers ? this.#observedLookup(full) : this.#read(full);
  }

  /** #lookup, publishing the hit or miss on `nuages:cache:call`. */
  #observedLookup(full: string): Lookup {
    const start = performance.now();
    const publish = (found: Lookup): Lookup => {
      cacheCall.publish({ alias: this.alias, op: 'get', hit: found !== MISS, durationMs: performance.now() - start });
      return found;
    };
    const found = this.#read(full);
    return found instanceof Promise ? found.then(publish) : publish(found);
  }

  #read(full: string): Lookup {
    let stored: unknown;
    try {
      stored = this.backend.get(full);
    } catch (error) {
      return this.#failed(error, MISS);
    }
    if (stored instanceof Promise) {
      return stored.then(
        (value: unknown) => {
          if (this.#outage) this.#recovered();
          return this.#unwrap(value);
        },
        (error: unknown) => this.#failed(error, MISS),
      );
    }
    if (this.#outage) this.#recovered();
    return this.#unwrap(stored);
  }

  #unwrap(stored: unknown): Lookup {
    if (stored === undefined) return MISS;
    if (!(stored instanceof CacheEntry)) return stored;
    return this.#unwrapEntry(stored);
  }

  /** A tagged or graced value: checked against its tags' tokens (synchronously on a store in this process). */
  #unwrapEntry(stored: CacheEntry): Lookup {
    if (stored.tags === null || stored.tags.length === 0) return this.#current(stored);
    const keys = stored.tags.map(([key]) => key);
    let tokens: Map<string, unknown> | Promise<Map<string, unknown>>;
    try {
      tokens = this.backend.getMany(keys);
    } catch (error) {
      return this.#failed(error, MISS);
    }
    // Without the tokens (server down) a tagged value cannot be trusted: a miss.
    if (tokens instanceof Promise) return tokens.then((found) => this.#checkTags(stored, found), (error: unknown) => this.#failed(error, MISS));
    return this.#checkTags(stored, tokens);
  }

  #checkTags(stored: CacheEntry, tokens: Map<string, unknown>): Lookup {
    for (const [key, token] of stored.tags!) {
      if (tokens.get(key) !== token) return MISS;
    }
    return this.#current(stored);
  }

  #current(stored: CacheEntry): Lookup {
    return stored.freshUntil !== null && Date.now() > stored.freshUntil ? new StaleHit(stored.value) : stored.value;
  }

  #fly<T>(full: string, producer: Producer<T>, timeout: number | null | undefined, options: GetOrSetOptions): Promise<T> {
    const flight = this.#compute(full, producer, timeout, options, 'wait').finally(() => this.#inflight.delete(full));
    this.#inflight.set(full, flight);
    return flight;
  }

  #refreshInBackground<T>(full: string, producer: Producer<T>, timeout: number | null | undefined, options: GetOrSetOptions): void {
    if (this.#refreshing.has(full)) return;
    this.#refreshing.add(full);
    void this.#compute(full, producer, timeout, options, 'skip')
      .catch((error: unknown) => log.error(`Refreshing stale cache key '${full}' failed; the stale value stays until its grace ends.`, { alias: this.alias, key: full, error }))
      .finally(() => this.#refreshing.delete(full));
  }

  /**
   * Compute and store one key. On a shared store a lock (`add` of a lock key) keeps
   * other processes from computing it at the same time; a loser either waits for
   * the winner's value (a cold key) or leaves the refresh to it (a stale key).
   */
  async #compute<T>(full: string, producer: Producer<T>, timeout: number | null | undefined, options: GetOrSetOptions, onLocked: 'wait' | 'skip'): Promise<T> {
    const lockKey = `${full}:nuages.lock`;
    const lock = options.lock === false || !this.backend.shared ? undefined : { ttl: options.lock?.ttl ?? LOCK_TTL, wait: options.lock?.wait ?? LOCK_WAIT };
    let locked = false;
    if (lock !== undefined) {
      locked = await this.#call(() => this.backend.add(lockKey, 1, lock.ttl), true);
      if (!locked) {
        if (onLocked === 'skip') return undefined as T;
        const waited = await this.#waitFor(full, lock.wait);
        if (waited !== MISS) return valueOf(waited, undefined) as T;
      }
    }
    try {
      if (onLocked === 'skip') {
        // A stale read can finish after another refresh landed (a store whose reads and writes
        // overlap: files, a connection pool, another process); then the value is fresh again.
        const current = await this.#lookup(full);
        if (current !== MISS && !(current instanceof StaleHit)) return valueOf(current, undefined) as T;
      }
      const snapshot = await this.#snapshotFor(options);
      const value = typeof producer === 'function' ? await (producer as () => T | PromiseLike<T>)() : producer;
      const ttl = this.#ttl(timeout);
      if (ttl === 'expired') return value;
      const grace = options.grace ?? 0;
      const freshUntil = grace > 0 && ttl !== null ? Date.now() + ttl * 1000 : null;
      const stored = await this.#wrap(value, options, snapshot, freshUntil);
      const storeTtl = freshUntil === null || ttl === null ? ttl : ttl + grace;
      await this.#call(() => this.backend.set(full, stored, storeTtl), undefined);
      return value;
    } finally {
      if (locked) await this.#call(() => this.backend.delete(lockKey), false);
    }
  }

  async #waitFor(full: string, seconds: number): Promise<Lookup> {
    const deadline = Date.now() + seconds * 1000;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      const found = await this.#lookup(full);
      if (found !== MISS) return found;
    }
    return MISS;
  }

  /**
   * Run one backend call under the outage policy: a CacheUnavailableError becomes
   * `fallback` (logged once until the server answers again) unless the alias says
   * IGNORE_EXCEPTIONS: false. Other errors are bugs and propagate.
   */
  async #call<R>(op: () => R | Promise<R>, fallback: R): Promise<R> {
    try {
      const result = await op();
      if (this.#outage) this.#recovered();
      return result;
    } catch (error) {
      return this.#failed(error, fallback);
    }
  }

  #failed<R>(error: unknown, fallback: R): R {
    if (!(error instanceof CacheUnavailableError) || !this.#ignoreExceptions) throw error;
    if (!this.#outage) {
      this.#outage = true;
      log.warn(`Cache '${this.alias}' is unavailable (${error.message}); reads are misses and writes are dropped until it answers again.`, { alias: this.alias, error });
    }
    return fallback;
  }

  #recovered(): void {
    this.#outage = false;
    log.info(`Cache '${this.alias}' is reachable again.`, { alias: this.alias });
  }
}

function valueOf<T>(found: Lookup, defaultValue: T): T {
  if (found === MISS) return defaultValue;
  return (found instanceof StaleHit ? found.value : found) as T;
}

function newToken(): string {
  return randomBytes(9).toString('base64url');
}

function assertCacheable(value: unknown): void {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new UncacheableValueError(
      `A cache cannot store ${value === undefined ? 'undefined' : `a ${typeof value}`}: get() returns undefined for a miss, ` +
        'so store null for "nothing", or the data a function would compute.',
    );
  }
}

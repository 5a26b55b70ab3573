/**
 * The contract every cache store implements (Django's BaseCache, split in two).
 *
 * `Cache` (cache.ts) is what users call: it makes and validates keys, applies
 * versions and default timeouts, wraps tagged and graced values, and runs
 * getOrSet's single flight. A `CacheBackend` only stores: it receives final keys
 * (`prefix:version:key`) and values ready to keep, and implements the primitives
 * below. The bulk methods have loop defaults; a store that can answer in one
 * round trip overrides them.
 *
 * Values reach a backend as JavaScript values. Stores that keep bytes (Redis,
 * Memcached, files, the database) turn them into bytes with `encodeValue()` and
 * back with `decodeValue()` from serializer.ts, so every store keeps one format.
 */

/** Seconds a value lives; `null` keeps it until evicted or deleted. Always > 0 here. */
export type Ttl = number | null;

/** A value, or a promise of it: the read primitive of an in-process store answers at once. */
export type MaybePromise<T> = T | Promise<T>;

/** What `CACHES[alias]` says, as a backend's constructor receives it. */
export interface CacheBackendParams {
  /** The alias in CACHES (for messages and logs). */
  readonly alias: string;
  /** `LOCATION`: a name (locmem), a path (files), a table (database), server address(es). */
  readonly location: string | readonly string[] | undefined;
  /** `OPTIONS`, passed through; each backend documents the ones it reads. */
  readonly options: Readonly<Record<string, unknown>>;
  /** `OPTIONS.MAX_ENTRIES` for the stores that bound themselves (default 300, as Django). */
  readonly maxEntries: number;
  /** `OPTIONS.CULL_FREQUENCY`: 1/N of the entries dropped when full (default 3; 0 clears all). */
  readonly cullFrequency: number;
}

/** Stores values by final key. Backends implement the primitives; the rest derive. */
export abstract class CacheBackend {
  readonly alias: string;

  /**
   * Whether other processes see this store (Redis, Memcached, database, files).
   * getOrSet takes a cross-process lock only on shared stores.
   */
  abstract readonly shared: boolean;

  /** Whether keys Memcached would refuse are errors here rather than warnings (true on Memcached). */
  readonly strictKeys: boolean = false;

  constructor(params: CacheBackendParams) {
    this.alias = params.alias;
  }

  /**
   * The value under `key`, or `undefined` when missing, expired or unreadable.
   * A store in this process may answer synchronously (local memory does): the
   * hit then resolves without an extra turn of the event loop.
   */
  abstract get(key: string): MaybePromise<unknown>;

  /** Store `value` under `key` for `ttl` seconds (null: no expiry). */
  abstract set(key: string, value: unknown, ttl: Ttl): Promise<void>;

  /** Store only when `key` is missing; whether it stored. Atomic on shared stores. */
  abstract add(key: string, value: unknown, ttl: Ttl): Promise<boolean>;

  /** Remove `key`; whether it was there. */
  abstract delete(key: string): Promise<boolean>;

  /** Give an existing key a new lifetime; whether the key existed. */
  abstract touch(key: string, ttl: Ttl): Promise<boolean>;

  /**
   * Add `delta` to the integer under `key` and return the result; `undefined` when
   * the key is missing. Throws `CacheValueNotIntegerError` when the value is not an
   * integer. Atomic on stores that can do it (Redis, Memcached, database).
   */
  abstract incr(key: string, delta: number): Promise<number | undefined>;

  /** Remove every key of this store (every prefix and version, as Django's clear). */
  abstract clear(): Promise<void>;

  /** Release connections and timers. The next call reconnects. */
  async close(): Promise<void> {}

  /**
   * The values found among `keys` (missing keys are absent from the map). The reads
   * go out together; a store with a multi-get (Redis MGET) overrides this, and a
   * store in this process may answer synchronously, as `get` may.
   */
  getMany(keys: readonly string[]): MaybePromise<Map<string, unknown>> {
    return Promise.all(keys.map((key) => this.get(key))).then((values) => {
      const found = new Map<string, unknown>();
      keys.forEach((key, i) => {
        if (values[i] !== undefined) found.set(key, values[i]);
      });
      return found;
    });
  }

  /** Store every entry; returns the keys that could not be stored (Django's set_many). */
  async setMany(entries: ReadonlyMap<string, unknown>, ttl: Ttl): Promise<string[]> {
    for (const [key, value] of entries) await this.set(key, value, ttl);
    return [];
  }

  /** Remove every key in `keys`. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }

  /** Whether `key` holds a live value. */
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }
}

/** A backend class, as `BACKEND` names it or a project passes it. */
export type CacheBackendClass = new (params: CacheBackendParams) => CacheBackend;

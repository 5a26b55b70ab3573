/**
 * Local memory (Django's LocMemCache): a per-process LRU store, the default cache.
 *
 * Aliases with the same `LOCATION` share one store, as in Django. The store is
 * lru-cache; expiry is checked against `Date.now()` on read, read once per turn of
 * the event loop (tests move the clock, then let a turn pass), and a full store culls as Django's does: when `MAX_ENTRIES` is reached,
 * the least recently used 1/`CULL_FREQUENCY` of the entries go (all of them when
 * CULL_FREQUENCY is 0). Strings, numbers, booleans and null are kept as they are;
 * other values are kept encoded, so a caller that mutates what it got back cannot
 * change what the next caller gets (Django pickles for the same reason).
 */
import { LRUCache } from 'lru-cache';
import { CacheBackend, type CacheBackendParams, type Ttl } from '../backend.ts';
import { CacheValueNotIntegerError } from '../errors.ts';
import { decodeValue, encodeValue, UNREADABLE } from '../serializer.ts';

interface Slot {
  /** The value, or its encoding when it is not a primitive. */
  readonly stored: unknown;
  readonly encoded: boolean;
  /** Epoch ms after which the slot is dead; Infinity for no expiry. */
  expires: number;
}

const stores = new Map<string, LRUCache<string, Slot>>();

function storeFor(location: string, maxEntries: number): LRUCache<string, Slot> {
  let store = stores.get(location);
  if (store === undefined) {
    // One spare slot: culling runs before a new key goes in, as Django's does.
    store = new LRUCache<string, Slot>({ max: maxEntries + 1 });
    stores.set(location, store);
  }
  return store;
}

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

// Date.now() costs more than the LRU lookup itself on some machines, so the time is
// read once per turn of the event loop (as lru-cache's ttlResolution does per ms).
let cachedNow: number | undefined;
function clearNow(): void {
  cachedNow = undefined;
}
function now(): number {
  if (cachedNow === undefined) {
    cachedNow = Date.now();
    setImmediate(clearNow);
  }
  return cachedNow;
}

function expiry(ttl: Ttl): number {
  return ttl === null ? Infinity : now() + ttl * 1000;
}

export class LocMemCache extends CacheBackend {
  readonly shared: boolean = false;
  readonly #store: LRUCache<string, Slot>;
  readonly #maxEntries: number;
  readonly #cullFrequency: number;

  constructor(params: CacheBackendParams) {
    super(params);
    const location = typeof params.location === 'string' ? params.location : '';
    this.#store = storeFor(location, params.maxEntries);
    this.#maxEntries = params.maxEntries;
    this.#cullFrequency = params.cullFrequency;
  }

  #live(key: string): Slot | undefined {
    const slot = this.#store.get(key);
    if (slot === undefined) return undefined;
    if (slot.expires <= now()) {
      this.#store.delete(key);
      return undefined;
    }
    return slot;
  }

  #read(key: string, slot: Slot): unknown {
    if (!slot.encoded) return slot.stored;
    const value = decodeValue(slot.stored as Buffer, key);
    return value === UNREADABLE ? undefined : value;
  }

  #write(key: string, value: unknown, ttl: Ttl): void {
    if (!this.#store.has(key) && this.#store.size >= this.#maxEntries) this.#cull();
    const encoded = !isPrimitive(value);
    this.#store.set(key, { stored: encoded ? encodeValue(value) : value, encoded, expires: expiry(ttl) });
  }

  #cull(): void {
    if (this.#cullFrequency === 0) {
      this.#store.clear();
      return;
    }
    let count = Math.floor(this.#store.size / this.#cullFrequency);
    for (const key of this.#store.rkeys()) {
      if (count-- <= 0) break;
      this.#store.delete(key);
    }
  }

  get(key: string): unknown {
    // The hottest path of the cache: #live and #read written out inline.
    const slot = this.#store.get(key);
    if (slot === undefined) return undefined;
    if (slot.expires !== Infinity && slot.expires <= now()) {
      this.#store.delete(key);
      return undefined;
    }
    return slot.encoded ? this.#read(key, slot) : slot.stored;
  }

  async set(key: string, value: unknown, ttl: Ttl): Promise<void> {
    this.#write(key, value, ttl);
  }

  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    if (this.#live(key) !== undefined) return false;
    this.#write(key, value, ttl);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.#live(key) !== undefined;
    this.#store.delete(key);
    return existed;
  }

  async touch(key: string, ttl: Ttl): Promise<boolean> {
    const slot = this.#live(key);
    if (slot === undefined) return false;
    slot.expires = expiry(ttl);
    return true;
  }

  async incr(key: string, delta: number): Promise<number | undefined> {
    const slot = this.#live(key);
    if (slot === undefined) return undefined;
    const value = this.#read(key, slot);
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new CacheValueNotIntegerError(key);
    const next = value + delta;
    this.#store.set(key, { stored: next, encoded: false, expires: slot.expires });
    return next;
  }

  async clear(): Promise<void> {
    this.#store.clear();
  }

  /** Answered at once: a page's tag tokens are checked without a turn of the event loop. */
  override getMany(keys: readonly string[]): Map<string, unknown> {
    const found = new Map<string, unknown>();
    for (const key of keys) {
      const value = this.get(key);
      if (value !== undefined) found.set(key, value);
    }
    return found;
  }

  override async has(key: string): Promise<boolean> {
    return this.#live(key) !== undefined;
  }
}

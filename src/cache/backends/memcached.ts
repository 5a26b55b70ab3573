/**
 * Memcached (Django's PyMemcacheCache) on memjs, imported on first use.
 *
 * memjs keeps the sockets, picks the server for a key, and bounds every request
 * (`timeout`, `conntimeout`, `retries`); the requests themselves are built here on
 * memjs's `perform()`, so every reply's status code is read directly rather than
 * parsed out of an error message, and counters use all 64 bits (memjs's own
 * increment sends and reads 32). A request that fails in transport becomes
 * `CacheUnavailableError`, which the facade turns into a miss or a dropped write.
 *
 * Memcached's rules, matched as Django matches them:
 * - a lifetime over 30 days is sent as an absolute Unix time, and 0 means "never";
 * - counters are unsigned: `decr` stops at 0, a negative `incr` is sent as `decr`,
 *   and a stored negative number cannot be incremented (CacheValueNotIntegerError);
 * - a value over the server's item size limit (1 MB by default) is refused; the old
 *   value under that key is deleted so no stale value remains, and a warning is logged.
 */
import type { Client, ClientOptions, Response, ServerOptions } from 'memjs';
import { getLogger } from '../../utils/log.ts';
import { CacheBackend, type CacheBackendParams, type Ttl } from '../backend.ts';
import { CacheUnavailableError, CacheValueNotIntegerError, InvalidCacheKey } from '../errors.ts';
import { MEMCACHED_MAX_KEY_LENGTH } from '../keys.ts';
import { decodeValue, encodeValue, UNREADABLE } from '../serializer.ts';

const log = getLogger('nuages.cache');

// Binary protocol opcodes and reply statuses (memcached's protocol_binary.h).
const OP = { get: 0x00, set: 0x01, add: 0x02, delete: 0x04, increment: 0x05, decrement: 0x06, touch: 0x1c } as const;
const STATUS_OK = 0x00;
const STATUS_NOT_FOUND = 0x01;
const STATUS_EXISTS = 0x02;
const STATUS_TOO_LARGE = 0x03;
const STATUS_NOT_STORED = 0x05;
const STATUS_NON_NUMERIC = 0x06;
const STATUS_OUT_OF_MEMORY = 0x82;

/** Lifetimes above this are absolute Unix times to Memcached. */
const RELATIVE_LIMIT = 60 * 60 * 24 * 30;
/** An incr/decr expiration that makes a missing key fail instead of being created. */
const NO_CREATE = 0xffffffff;
const MAX_ABSOLUTE = 0xfffffffe;

/** OPTIONS keys that belong to the cache framework, not to memjs. */
const OWN_OPTIONS = new Set(['MAX_ENTRIES', 'CULL_FREQUENCY', 'IGNORE_EXCEPTIONS']);

/** Bounded defaults: a down or silent server costs a request at most ~2 s, not memjs's open-ended retries. */
const DEFAULT_CLIENT_OPTIONS = { timeout: 0.5, conntimeout: 1, retries: 2, retry_delay: 0.2 } as const;

type MemjsModule = typeof import('memjs');

const EMPTY = Buffer.alloc(0);

/** The `LOCATION` as memjs's server list: `'a:11211,b:11211'` (Django also accepts `;` between servers). */
export function memcachedServers(location: CacheBackendParams['location']): string {
  const list = location === undefined ? ['127.0.0.1:11211'] : typeof location === 'string' ? location.split(/[;,]/) : [...location];
  return list.map((server) => server.trim()).filter((server) => server !== '').join(',') || '127.0.0.1:11211';
}

/**
 * The expiration field Memcached expects for `ttl`: 0 for no expiry, whole seconds up
 * to 30 days, and an absolute Unix time beyond (Memcached reads larger numbers as dates).
 */
export function memcachedExpiration(ttl: Ttl, nowMs: number = Date.now()): number {
  if (ttl === null) return 0;
  // Django truncates to whole seconds; the facade never passes 0, and 0 would mean "forever" here.
  const seconds = Math.max(1, Math.trunc(ttl));
  if (seconds <= RELATIVE_LIMIT) return seconds;
  return Math.min(MAX_ABSOLUTE, seconds + Math.floor(nowMs / 1000));
}

/**
 * Memcached cache: `BACKEND: 'memcached'` (or Django's
 * `'django.core.cache.backends.memcached.PyMemcacheCache'`).
 *
 * `LOCATION` is `'host:port'`, a comma- or semicolon-separated list, or an array;
 * `OPTIONS` other than Nuages's own are passed to memjs (`timeout`, `conntimeout`,
 * `retries`, `retry_delay`, `failover`, `failoverTime`, `keepAlive`, `username`,
 * `password`). The first request connects; an unreachable server throws
 * CacheUnavailableError after at most `retries` attempts of `conntimeout` seconds.
 *
 * ```ts
 * CACHES = { default: { BACKEND: 'memcached', LOCATION: '127.0.0.1:11211', OPTIONS: { timeout: 0.25 } } };
 * ```
 */
export class MemcachedCache extends CacheBackend {
  readonly shared = true;
  override readonly strictKeys = true;
  /** The servers, `host:port` comma-separated, without any credentials LOCATION holds. */
  readonly servers: string;
  /** memjs's server list, `user:password@` included. */
  readonly #servers: string;
  readonly #clientOptions: ClientOptions & ServerOptions;
  #connection: Promise<{ readonly client: Client; readonly memjs: MemjsModule }> | undefined;

  constructor(params: CacheBackendParams) {
    super(params);
    this.#servers = memcachedServers(params.location);
    this.servers = this.#servers.replace(/[^,@]*@/g, '');
    const passed: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(params.options)) if (!OWN_OPTIONS.has(name)) passed[name] = value;
    this.#clientOptions = {
      ...DEFAULT_CLIENT_OPTIONS,
      ...passed,
      // memjs logs every failed request to the console by default; its lines are details of what the facade reports once.
      logger: { log: (...args: unknown[]) => log.debug(`memjs: ${args.map(String).join(' ')}`, { alias: this.alias }) },
    };
  }

  #connect(): Promise<{ readonly client: Client; readonly memjs: MemjsModule }> {
    this.#connection ??= import('memjs').then((memjs) => ({ client: memjs.Client.create(this.#servers, this.#clientOptions), memjs }));
    return this.#connection;
  }

  /** Send one binary-protocol request and resolve with the reply, whatever its status. */
  async #send(opcode: number, key: string, extras: Buffer = EMPTY, value: Buffer | string = EMPTY): Promise<Response> {
    if (Buffer.byteLength(key) > MEMCACHED_MAX_KEY_LENGTH) {
      throw new InvalidCacheKey(`Cache key '${key}' is ${Buffer.byteLength(key)} bytes in UTF-8; Memcached refuses keys over ${MEMCACHED_MAX_KEY_LENGTH} bytes. Hash long keys (e.g. with createHash('sha256')).`);
    }
    const { client, memjs } = await this.#connect();
    client.incrSeq();
    const seq = client.seq;
    const request = memjs.Utils.makeRequestBuffer(opcode, key, extras, value, seq);
    return new Promise<Response>((resolve, reject) => {
      client.perform(key, request, seq, (error: Error | string | null, response: Response) => {
        if (error) {
          const reason = error instanceof Error ? error.message : String(error);
          reject(new CacheUnavailableError(`Memcached at ${this.servers} did not answer (${reason}). Check that memcached runs there and that CACHES.${this.alias}.LOCATION is right.`, { cause: error }));
        } else {
          resolve(response);
        }
      });
    });
  }

  #unexpected(operation: string, key: string, response: Response): Error {
    return new CacheUnavailableError(`Memcached at ${this.servers} refused ${operation} of '${key}' with status 0x${response.header.status.toString(16)}.`);
  }

  async get(key: string): Promise<unknown> {
    const response = await this.#send(OP.get, key);
    if (response.header.status === STATUS_NOT_FOUND) return undefined;
    if (response.header.status !== STATUS_OK) throw this.#unexpected('get', key, response);
    const value = decodeValue(response.val, key);
    return value === UNREADABLE ? undefined : value;
  }

  /** Store with SET or ADD; whether Memcached kept it. */
  async #store(opcode: number, key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    const extras = Buffer.alloc(8); // flags (unused), then the expiration
    extras.writeUInt32BE(memcachedExpiration(ttl), 4);
    const body = encodeValue(value);
    const response = await this.#send(opcode, key, extras, body);
    const status = response.header.status;
    if (status === STATUS_OK) return true;
    if (status === STATUS_EXISTS || status === STATUS_NOT_STORED) return false;
    if (status === STATUS_TOO_LARGE || status === STATUS_OUT_OF_MEMORY) {
      log.warn(`Memcached refused the value of '${key}' (${Buffer.byteLength(body)} bytes; over its item size limit, memcached -I); the key now holds nothing.`, { alias: this.alias, key });
      // As Django: no stale value may outlive a refused write.
      if (opcode === OP.set) await this.delete(key);
      return false;
    }
    throw this.#unexpected(opcode === OP.set ? 'set' : 'add', key, response);
  }

  async set(key: string, value: unknown, ttl: Ttl): Promise<void> {
    await this.#store(OP.set, key, value, ttl);
  }

  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    return this.#store(OP.add, key, value, ttl);
  }

  async delete(key: string): Promise<boolean> {
    const response = await this.#send(OP.delete, key);
    if (response.header.status === STATUS_OK) return true;
    if (response.header.status === STATUS_NOT_FOUND) return false;
    throw this.#unexpected('delete', key, response);
  }

  async touch(key: string, ttl: Ttl): Promise<boolean> {
    const extras = Buffer.alloc(4);
    extras.writeUInt32BE(memcachedExpiration(ttl), 0);
    const response = await this.#send(OP.touch, key, extras);
    if (response.header.status === STATUS_OK) return true;
    if (response.header.status === STATUS_NOT_FOUND) return false;
    throw this.#unexpected('touch', key, response);
  }

  /**
   * Memcached's own INCR/DECR, atomic on the server. A negative delta is a DECR (as
   * Django sends it), and DECR stops at 0 because Memcached counters are unsigned.
   */
  async incr(key: string, delta: number): Promise<number | undefined> {
    const extras = Buffer.alloc(20); // delta, initial value, expiration
    extras.writeBigUInt64BE(BigInt(Math.abs(delta)), 0);
    extras.writeUInt32BE(NO_CREATE, 16);
    const response = await this.#send(delta < 0 ? OP.decrement : OP.increment, key, extras);
    const status = response.header.status;
    if (status === STATUS_NOT_FOUND) return undefined;
    if (status === STATUS_NON_NUMERIC) throw new CacheValueNotIntegerError(key);
    if (status !== STATUS_OK) throw this.#unexpected('incr', key, response);
    return Number(response.val.readBigUInt64BE(0));
  }

  /** Flush every server of LOCATION (all keys, every prefix), as Django's clear. */
  async clear(): Promise<void> {
    const { client } = await this.#connect();
    try {
      await client.flush();
    } catch (error) {
      throw new CacheUnavailableError(`Memcached at ${this.servers} could not be flushed (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
    }
  }

  /** Returns the keys Memcached refused (too large), as Django's set_many. */
  override async setMany(entries: ReadonlyMap<string, unknown>, ttl: Ttl): Promise<string[]> {
    const keys = [...entries.keys()];
    const stored = await Promise.all(keys.map((key) => this.#store(OP.set, key, entries.get(key), ttl)));
    return keys.filter((_, i) => !stored[i]);
  }

  override async deleteMany(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.delete(key)));
  }

  /** Close the sockets; the next call opens new ones. */
  override async close(): Promise<void> {
    const pending = this.#connection;
    this.#connection = undefined;
    if (pending === undefined) return;
    (await pending).client.close();
  }
}


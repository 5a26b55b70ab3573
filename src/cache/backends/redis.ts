/**
 * Redis (Django's RedisCache) on ioredis, imported on first use so projects
 * without Redis never load it.
 *
 *   LOCATION 'redis://host:6379/0'          one server
 *   LOCATION ['redis://primary', 'redis://replica', …]
 *                                           writes to the first, reads from a random other (as Django)
 *   OPTIONS.CLUSTER true                    LOCATION lists a Redis Cluster's startup nodes
 *
 * Every call is bounded: the client queues nothing while disconnected, a command
 * gets `SOCKET_TIMEOUT` seconds to answer, and the connection is retried in the
 * background. A server that is down or slow makes the call throw
 * `CacheUnavailableError`, which `Cache` turns into a miss or a dropped write,
 * logged once per outage. Values are stored with `encodeValue()` (integers as
 * digits, so INCRBY works on them) and read with `decodeValue()`.
 */
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { getLogger } from '../../utils/log.ts';
import { CacheBackend, type CacheBackendParams, type Ttl } from '../backend.ts';
import { CacheUnavailableError, CacheValueNotIntegerError, InvalidCacheBackendError } from '../errors.ts';
import { decodeValue, encodeValue, UNREADABLE } from '../serializer.ts';

const log = getLogger('nuages.cache');

/** A connection to one server, or to a cluster. */
type Client = Redis | Cluster;

/** One command, as ioredis's `multi([...])` and `pipeline([...])` take it. */
type CommandLine = [name: string, ...args: (string | Buffer | number)[]];

const DEFAULT_LOCATION = 'redis://127.0.0.1:6379';
const DEFAULT_SOCKET_TIMEOUT = 1;
const DEFAULT_CONNECT_TIMEOUT = 1;
const MAX_RECONNECT_DELAY_MS = 1000;

// Server replies that mean "cannot serve now" rather than "wrong command": the cache
// treats them like a server that is down (a miss, a dropped write).
const UNAVAILABLE_REPLIES = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|BUSY|MISCONF|OOM|NOAUTH|WRONGPASS)\b/;

// incr: atomic "missing → nil, else INCRBY", publishing the key when writes are broadcast.
const INCR_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return false end
local result = redis.call('INCRBY', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return result`;

// add with a broadcast: publish only when the key was stored.
const ADD_SCRIPT = `
local stored
if ARGV[2] == '' then stored = redis.call('SET', KEYS[1], ARGV[1], 'NX')
else stored = redis.call('SET', KEYS[1], ARGV[1], 'NX', ARGV[2], ARGV[3]) end
if not stored then return 0 end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

interface ScriptCommands {
  nuagesIncr(key: string, delta: number, channel: string, message: string): Promise<number | null>;
  nuagesAdd(key: string, value: Buffer | string, unit: string, amount: string, channel: string, message: string): Promise<number>;
}

/** The connections of one RedisCache: the primary (writes) and the replicas (reads). */
interface Connections {
  readonly primary: Client;
  readonly replicas: readonly Client[];
}

/** `SET`'s expiry arguments for a ttl: EX for whole seconds, PX when it has a fraction. */
function expiryArgs(ttl: Ttl): [] | ['EX' | 'PX', number] {
  if (ttl === null) return [];
  return Number.isInteger(ttl) ? ['EX', ttl] : ['PX', Math.max(1, Math.round(ttl * 1000))];
}

/** The server addresses LOCATION names; a string may list several separated by ',' or ';' (as Django). */
export function redisLocations(location: string | readonly string[] | undefined): string[] {
  const list = location === undefined ? [DEFAULT_LOCATION] : typeof location === 'string' ? location.split(/[;,]/) : [...location];
  const trimmed = list.map((url) => url.trim()).filter((url) => url !== '');
  return trimmed.length === 0 ? [DEFAULT_LOCATION] : trimmed;
}

/** A URL fit for messages: the password removed. */
function describe(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

function seconds(alias: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number === 'number' && number > 0 && Number.isFinite(number)) return number;
  throw new InvalidCacheBackendError(`CACHES.${alias}.OPTIONS.${name} must be a number of seconds above 0, got ${JSON.stringify(value)}.`);
}

/**
 * The Redis cache backend: `BACKEND: 'redis'` (or Django's
 * `'django.core.cache.backends.redis.RedisCache'`).
 *
 * OPTIONS in upper case are Nuages's: `SOCKET_TIMEOUT` (seconds a command may
 * take, default 1), `SOCKET_CONNECT_TIMEOUT` (seconds to connect, default 1),
 * `CLUSTER` (true, or ioredis ClusterOptions: LOCATION lists cluster nodes),
 * `IGNORE_EXCEPTIONS`. Every other key goes to ioredis as it is (`db`,
 * `username`, `password`, `tls`, `sentinels` and `name`, …), except `keyPrefix`,
 * refused because KEY_PREFIX does that job. The connection opens on the first call and
 * stays open until `close()`; a dropped connection is retried in the background.
 * Throws `CacheUnavailableError` when the server cannot be reached in time.
 *
 * ```ts
 * CACHES: {
 *   default: { BACKEND: 'redis', LOCATION: 'redis://127.0.0.1:6379/1', OPTIONS: { SOCKET_TIMEOUT: 0.5 } },
 * }
 * ```
 */
export class RedisCache extends CacheBackend {
  readonly shared = true;
  readonly #urls: readonly string[];
  readonly #cluster: boolean | Record<string, unknown>;
  readonly #clientOptions: RedisOptions;
  #connections: Connections | undefined;
  #opening: Promise<Connections> | undefined;
  #lastError: Error | undefined;
  #channel = '';
  #origin = '';
  readonly #socketTimeoutMs: number;

  constructor(params: CacheBackendParams) {
    super(params);
    this.#urls = redisLocations(params.location);
    const options = params.options;
    const cluster = options['CLUSTER'];
    if (cluster !== undefined && typeof cluster !== 'boolean' && (cluster === null || typeof cluster !== 'object')) {
      throw new InvalidCacheBackendError(`CACHES.${params.alias}.OPTIONS.CLUSTER must be true or an object of ioredis ClusterOptions, got ${JSON.stringify(cluster)}.`);
    }
    this.#cluster = (cluster as boolean | Record<string, unknown> | undefined) ?? false;
    if (options['keyPrefix'] !== undefined) {
      throw new InvalidCacheBackendError(`CACHES.${params.alias}.OPTIONS.keyPrefix would prefix keys a second time; use CACHES.${params.alias}.KEY_PREFIX instead.`);
    }
    const passed: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(options)) {
      // Upper-case names are Nuages's options; Django/redis-py's socket names are read below.
      if (name !== name.toUpperCase() && name !== 'socket_timeout' && name !== 'socket_connect_timeout') passed[name] = value;
    }
    const socketTimeout = seconds(params.alias, 'SOCKET_TIMEOUT', options['SOCKET_TIMEOUT'] ?? options['socket_timeout'], DEFAULT_SOCKET_TIMEOUT);
    const connectTimeout = seconds(params.alias, 'SOCKET_CONNECT_TIMEOUT', options['SOCKET_CONNECT_TIMEOUT'] ?? options['socket_connect_timeout'], DEFAULT_CONNECT_TIMEOUT);
    this.#socketTimeoutMs = Math.round(socketTimeout * 1000);
    this.#clientOptions = {
      // A cluster bounds each call with ioredis's per-command timer; a single server with one
      // watchdog per connection (see watchStalls), which costs nothing per call.
      ...(this.#cluster === false ? {} : { commandTimeout: this.#socketTimeoutMs }),
      connectTimeout: Math.round(connectTimeout * 1000),
      // Nothing waits for a connection that is not there: a call fails at once and the cache moves on.
      enableOfflineQueue: false,
      // A command caught by a dropped connection fails at once instead of waiting for a reconnect.
      maxRetriesPerRequest: 0,
      // A write the caller was told was dropped must not land later, after a reconnect.
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
      // Commands issued in the same turn of the event loop (concurrent requests) share one socket
      // write: under load that is most of the client's CPU cost.
      enableAutoPipelining: true,
      ...passed,
    };
  }

  /** The server addresses, primary first (passwords removed), for messages. */
  get servers(): string[] {
    return this.#urls.map(describe);
  }

  /**
   * Publish the keys of every write on `channel`, in the same transaction as the
   * write (TieredCache uses it to drop other processes' near copies). The message
   * is JSON, `{"from": origin, "keys": [final keys] | "*"}` ("*" after `clear()`),
   * so the writer can skip its own echo.
   * @internal
   */
  broadcastWritesTo(channel: string, origin: string): void {
    this.#channel = channel;
    this.#origin = origin;
  }

  #message(keys: readonly string[] | '*'): string {
    return JSON.stringify({ from: this.#origin, keys });
  }

  /**
   * A new connection with this cache's settings, for a subscriber (TieredCache).
   * It queues commands while connecting, unlike the cache's own connections.
   * @internal
   */
  async createSubscriber(): Promise<Client> {
    const ioredis = await import('ioredis');
    // Its own connection, independent of this cache's (which may close first).
    return this.#newClient(ioredis, this.#urls[0]!, { enableOfflineQueue: true, autoResubscribe: false });
  }

  async get(key: string): Promise<unknown> {
    const client = this.#reader() ?? (await this.#open(), this.#reader()!);
    let data: Buffer | null;
    try {
      data = await client.getBuffer(key);
    } catch (error) {
      throw this.#failure(error);
    }
    if (data === null) return undefined;
    const value = decodeValue(data, key);
    return value === UNREADABLE ? undefined : value;
  }

  /**
   * The value under `key` and its remaining life in ms (-1: no expiry), in one
   * round trip (TieredCache keeps its near copy no longer than that).
   * @internal
   */
  async getWithTtl(key: string): Promise<{ value: unknown; ttlMs: number }> {
    const client = this.#reader() ?? (await this.#open(), this.#reader()!);
    const [[, data], [, ttlMs]] = await this.#exec(client.pipeline().getBuffer(key).pttl(key)) as [[null, Buffer | null], [null, number]];
    const value = data === null ? UNREADABLE : decodeValue(data, key);
    return { value: value === UNREADABLE ? undefined : value, ttlMs };
  }

  async set(key: string, value: unknown, ttl: Ttl): Promise<void> {
    await this.#write([['set', key, encodeValue(value), ...expiryArgs(ttl)]], [key]);
  }

  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    const args = expiryArgs(ttl);
    if (this.#channel === '') {
      const [stored] = await this.#write([['set', key, encodeValue(value), 'NX', ...args]], null);
      return stored === 'OK';
    }
    const client = await this.#primary();
    const [unit = '', amount = ''] = args;
    const stored = await this.#run(() => (client as unknown as ScriptCommands).nuagesAdd(key, encodeValue(value), unit, String(amount), this.#channel, this.#message([key])));
    return stored === 1;
  }

  async delete(key: string): Promise<boolean> {
    const [removed] = await this.#write([['del', key]], [key]);
    return removed === 1;
  }

  async touch(key: string, ttl: Ttl): Promise<boolean> {
    if (ttl === null) {
      // PERSIST answers 0 for a key that exists without expiry; EXISTS says whether it is there.
      const [, exists] = await this.#write([['persist', key], ['exists', key]], [key]);
      return exists === 1;
    }
    const command: CommandLine = Number.isInteger(ttl) ? ['expire', key, ttl] : ['pexpire', key, Math.max(1, Math.round(ttl * 1000))];
    const [done] = await this.#write([command], [key]);
    return done === 1;
  }

  async incr(key: string, delta: number): Promise<number | undefined> {
    const client = await this.#primary();
    try {
      const result = await (client as unknown as ScriptCommands).nuagesIncr(key, delta, this.#channel, this.#message([key]));
      return result === null ? undefined : Number(result);
    } catch (error) {
      if (error instanceof Error && error.name === 'ReplyError' && /not an integer/.test(error.message)) throw new CacheValueNotIntegerError(key);
      throw this.#failure(error);
    }
  }

  /** FLUSHDB on the primary (on every primary of a cluster): every key of the database goes, as in Django. */
  async clear(): Promise<void> {
    const client = await this.#primary();
    if (isCluster(client)) {
      await this.#run(() => Promise.all(client.nodes('master').map((node) => node.flushdb())));
      if (this.#channel !== '') await this.#run(() => client.publish(this.#channel, this.#message('*')));
      return;
    }
    await this.#write([['flushdb']], '*');
  }

  override async has(key: string): Promise<boolean> {
    const client = this.#reader() ?? (await this.#open(), this.#reader()!);
    return (await this.#run(() => client.exists(key))) === 1;
  }

  override async getMany(keys: readonly string[]): Promise<Map<string, unknown>> {
    const found = new Map<string, unknown>();
    if (keys.length === 0) return found;
    const client = this.#reader() ?? (await this.#open(), this.#reader()!);
    // A cluster refuses MGET across slots; one GET per key lets ioredis route (and pipeline) them.
    const values = isCluster(client)
      ? await this.#run(() => Promise.all(keys.map((key) => client.getBuffer(key))))
      : await this.#run(() => client.mgetBuffer(...keys));
    values.forEach((data, i) => {
      if (data === null) return;
      const value = decodeValue(data, keys[i]!);
      if (value !== UNREADABLE) found.set(keys[i]!, value);
    });
    return found;
  }

  /**
   * Values and remaining lives (ms, -1: no expiry) of `keys`, in one round trip.
   * @internal
   */
  async getManyWithTtl(keys: readonly string[]): Promise<Map<string, { value: unknown; ttlMs: number }>> {
    const found = new Map<string, { value: unknown; ttlMs: number }>();
    if (keys.length === 0) return found;
    const client = this.#reader() ?? (await this.#open(), this.#reader()!);
    const pipeline = client.pipeline();
    for (const key of keys) pipeline.getBuffer(key).pttl(key);
    const replies = (await this.#exec(pipeline)) as [null, Buffer | number | null][];
    keys.forEach((key, i) => {
      const data = replies[2 * i]![1] as Buffer | null;
      if (data === null) return;
      const value = decodeValue(data, key);
      if (value !== UNREADABLE) found.set(key, { value, ttlMs: replies[2 * i + 1]![1] as number });
    });
    return found;
  }

  /** One MULTI of SETs (one per key on a cluster, where a transaction cannot span slots). */
  override async setMany(entries: ReadonlyMap<string, unknown>, ttl: Ttl): Promise<string[]> {
    if (entries.size === 0) return [];
    const expiry = expiryArgs(ttl);
    if (isCluster(await this.#primary())) {
      await Promise.all([...entries].map(([key, value]) => this.set(key, value, ttl)));
      return [];
    }
    const commands: CommandLine[] = [...entries].map(([key, value]) => ['set', key, encodeValue(value), ...expiry]);
    await this.#write(commands, [...entries.keys()]);
    return [];
  }

  /** One DEL for every key (one per key on a cluster). */
  override async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    if (isCluster(await this.#primary())) {
      await Promise.all(keys.map((key) => this.delete(key)));
      return;
    }
    await this.#write([['del', ...keys]], keys);
  }

  /** Close the connections (QUIT, waiting for replies still due); the next call reconnects. */
  override async close(): Promise<void> {
    const connections = this.#connections ?? (await this.#opening?.catch(() => undefined));
    this.#connections = undefined;
    this.#opening = undefined;
    if (connections === undefined) return;
    await Promise.all([connections.primary, ...connections.replicas].map((client) => closeClient(client)));
  }

  /**
   * Send `commands` to the primary, in a MULTI when there are several or when the
   * write is broadcast (the PUBLISH of `keys` then commits with the write).
   * Resolves to the replies of `commands`.
   */
  async #write(commands: readonly CommandLine[], keys: readonly string[] | '*' | null): Promise<unknown[]> {
    const client = await this.#primary();
    const broadcast = this.#channel !== '' && keys !== null;
    if (commands.length === 1 && !broadcast) {
      const [name, ...args] = commands[0]!;
      return [await this.#run(() => client.call(name, ...args))];
    }
    const lines: CommandLine[] = [...commands];
    if (broadcast) lines.push(['publish', this.#channel, this.#message(keys)]);
    const replies = await this.#exec(client.multi(lines));
    return replies.slice(0, commands.length).map(([, reply]) => reply);
  }

  /** Run a pipeline or MULTI; an error in any reply is raised (after translation). */
  async #exec(batch: { exec(): Promise<[Error | null, unknown][] | null> }): Promise<[null, unknown][]> {
    const replies = await this.#run(() => batch.exec());
    if (replies === null) throw this.#failure(new Error('the transaction was aborted'));
    for (const [error] of replies) if (error) throw this.#failure(error);
    return replies as [null, unknown][];
  }

  async #run<R>(op: () => Promise<R>): Promise<R> {
    try {
      return await op();
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** A server reply error stays as it is (a bug to see); anything about reaching the server becomes CacheUnavailableError. */
  #failure(error: unknown): Error {
    if (error instanceof CacheUnavailableError) return error;
    if (error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(error.message)) return error;
    const reason = error instanceof Error ? error.message : String(error);
    // "Stream isn't writeable" says less than the error that broke the connection.
    const cause = /isn't writeable|isn't ready|Connection is closed/.test(reason) ? `not connected${this.#lastError ? ` (${this.#lastError.message})` : ''}` : reason;
    return new CacheUnavailableError(
      `Redis at ${this.servers.join(', ')} (cache '${this.alias}') did not answer: ${cause}. ` +
        `Check that the server runs and that CACHES.${this.alias}.LOCATION points at it; OPTIONS.SOCKET_TIMEOUT bounds each call.`,
      { cause: error },
    );
  }

  #reader(): Client | undefined {
    const connections = this.#connections;
    if (connections === undefined) return undefined;
    const { replicas } = connections;
    if (replicas.length === 0) return connections.primary;
    return replicas.length === 1 ? replicas[0] : replicas[Math.floor(Math.random() * replicas.length)];
  }

  async #primary(): Promise<Client> {
    return (this.#connections ?? (await this.#open())).primary;
  }

  /** Open the connections on first use and wait (at most the connect timeout) for the first answer. */
  #open(): Promise<Connections> {
    if (this.#connections !== undefined) return Promise.resolve(this.#connections);
    this.#opening ??= this.#connect().then(
      (connections) => {
        this.#connections = connections;
        this.#opening = undefined;
        return connections;
      },
      (error: unknown) => {
        this.#opening = undefined;
        throw error;
      },
    );
    return this.#opening;
  }

  /** A client for `url` (for a cluster: for every node LOCATION lists) with this cache's options and `extra`. */
  #newClient(ioredis: IoRedis, url: string, extra: RedisOptions = {}): Client {
    if (this.#cluster === false) return new ioredis.Redis(unixSocket(url), { ...this.#clientOptions, ...extra });
    const clusterOptions = this.#cluster === true ? {} : this.#cluster;
    // The cluster's own queue is off (calls fail fast); its node connections keep theirs, which
    // ioredis needs while it discovers the slots. Calls stay bounded by SOCKET_TIMEOUT.
    const { enableOfflineQueue, retryStrategy, ...redisOptions } = { ...this.#clientOptions, ...extra };
    return new ioredis.Cluster([...this.#urls], {
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy ?? null,
      ...clusterOptions,
      redisOptions: { ...redisOptions, ...(clusterOptions['redisOptions'] as object | undefined) },
    });
  }

  async #connect(): Promise<Connections> {
    const ioredis = await import('ioredis');
    const track = (client: Client): Client => {
      // Without a listener ioredis prints every failed reconnect; the Cache logs the outage once instead.
      client.on('error', (error: Error) => {
        this.#lastError = error;
        log.debug(`Redis connection error for cache '${this.alias}': ${error.message}`, { alias: this.alias });
      });
      client.on('ready', () => {
        this.#lastError = undefined;
      });
      if (!isCluster(client)) watchStalls(client, this.#socketTimeoutMs);
      client.defineCommand('nuagesIncr', { numberOfKeys: 1, lua: INCR_SCRIPT });
      client.defineCommand('nuagesAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
      return client;
    };
    const [primary, ...replicas] = (this.#cluster === false ? this.#urls : [this.#urls[0]!]).map((url) => track(this.#newClient(ioredis, url)));
    const connections: Connections = { primary: primary!, replicas };
    const deadline = (this.#clientOptions.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT * 1000) + 100;
    await Promise.all([connections.primary, ...connections.replicas].map((client) => firstAnswer(client, deadline)));
    return connections;
  }
}

/** The part of the ioredis module the backend uses (imported lazily). */
type IoRedis = { readonly Redis: typeof Redis; readonly Cluster: typeof Cluster };

function isCluster(client: Client): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** ioredis takes a socket path where Django takes unix:// URLs. */
function unixSocket(url: string): string {
  return url.startsWith('unix://') ? url.slice('unix://'.length) : url;
}

/**
 * Bound every call on `client` by `timeoutMs`, as ioredis's commandTimeout does, with one
 * interval per connection instead of a timer armed and cleared around every command (that
 * pair cost a quarter of a GET's round trip on loopback). Replies come back in order, so
 * a connection is stalled when the oldest unanswered command is the same one two ticks
 * apart; the waiting calls then fail (they become misses). A stall is seen after
 * timeoutMs to 1.5 × timeoutMs.
 */
function watchStalls(client: Redis, timeoutMs: number): void {
  const tickMs = Math.max(5, Math.floor(timeoutMs / 2));
  let oldest: unknown;
  let ticks = 0;
  const timer = setInterval(() => {
    const head = client.commandQueue.peekFront();
    if (head === undefined || head !== oldest) {
      oldest = head;
      ticks = 0;
      return;
    }
    if (++ticks < 2) return;
    ticks = 0;
    // Fail the waiting calls as commandTimeout would, but leave them queued: when the
    // replies do arrive they still pair with their commands, and the connection lives on.
    const queue = client.commandQueue;
    for (let i = 0; i < queue.length; i++) {
      const command = queue.peekAt(i)!.command as unknown as { isSettled?: boolean; reject(error: Error): void };
      if (!command.isSettled) command.reject(new Error(`Command timed out (no reply within ${timeoutMs} ms)`));
    }
  }, tickMs);
  timer.unref();
  client.once('end', () => clearInterval(timer));
}

/** Resolves when the client is ready, has failed its first attempt, or `ms` passed. */
function firstAnswer(client: Client, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const events = ['ready', 'close', 'end'] as const;
    const done = (): void => {
      clearTimeout(timer);
      for (const event of events) client.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const event of events) client.once(event, done);
  });
}

async function closeClient(client: Client): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

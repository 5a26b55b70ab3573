/**
 * `serve`'s process model on node:cluster: one primary that owns the
 * listening socket and N workers that each run a NuagesServer.
 *
 * primary: fork N → each 'listening' → ready
 *   SIGTERM/SIGINT → every worker drains (in-flight requests finish) → exit 0
 *   SIGHUP → one worker at a time: fork a new one, wait until it listens,
 *            then drain the old one (capacity never drops, no request fails)
 *   a worker that exits unasked → replaced (with a back-off if it keeps dying young)
 * worker: listen → on 'shutdown' message, SIGTERM/SIGINT or losing the
 *   primary → NuagesServer.close() → exit 0
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { NuagesServer } from './http-server.ts';

/** The message the primary sends a worker to make it drain and exit. */
export const SHUTDOWN_MESSAGE = Object.freeze({ nuages: 'shutdown' });

/** What a worker sends the primary when it wants a replacement (too many requests, too much memory). */
export interface RecycleMessage {
  nuages: 'recycle';
  reason: string;
}

/** When a worker asks to be recycled (gunicorn's max_requests, max_requests_jitter, plus a memory ceiling). */
export interface RecycleOptions {
  /** Requests after which the worker asks for a replacement; 0 = never. */
  maxRequests?: number;
  /** Each worker's limit is maxRequests + a random 0..jitter, so workers do not all recycle at once. */
  maxRequestsJitter?: number;
  /** Resident memory in MB above which the worker asks for a replacement; 0 = never. */
  maxMemoryMb?: number;
  /** How often the memory is checked, in ms (default 5000). */
  memoryCheckMs?: number;
}

/** Options of the cluster primary. */
export interface ClusterOptions {
  /** How many workers to keep running. */
  workers: number;
  /** Seconds a draining worker gets before it is killed; its own server timeout plus a margin. */
  shutdownTimeout: number;
  /** Where the primary reports what it does (worker started, died, replaced). */
  log: (line: string) => void;
  /** Extra environment for the workers. */
  env?: Record<string, string>;
  /** Called with each message a worker sends (the metrics scrape asks the primary this way). */
  onWorkerMessage?: (worker: Worker, message: unknown) => void;
}

// A worker that dies this soon after starting counts as crash-looping.
const YOUNG_DEATH_MS = 2000;
const MAX_BACKOFF_MS = 10_000;

/**
 * The primary side: keeps `workers` processes serving and restarts them on
 * request. Workers re-run the same entry point (`manage.ts serve …`), where
 * `cluster.isWorker` sends them to `runWorker()`.
 *
 * ```ts
 * const primary = new ClusterPrimary({ workers: 4, shutdownTimeout: 30, log: console.log });
 * const address = await primary.start();
 * primary.handleSignals(); // SIGTERM, SIGINT, SIGHUP
 * ```
 */
export class ClusterPrimary {
  readonly options: ClusterOptions;
  #stopping = new Set<Worker>();
  #startedAt = new Map<Worker, number>();
  #shuttingDown: Promise<void> | undefined;
  #restarting: Promise<void> | undefined;
  // Replacements run one at a time (rolling restarts and recycling share it).
  #replacing: Promise<void> = Promise.resolve();
  #recycling = new Set<Worker>();
  #youngDeaths = 0;
  #address: AddressInfo | undefined;

  constructor(options: ClusterOptions) {
    this.options = options;
  }

  /** Fork the workers; resolves with the address once every one of them listens. */
  async start(): Promise<AddressInfo> {
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
    const ready = Array.from({ length: this.options.workers }, () => this.#fork());
    await Promise.all(ready);
    return this.#address!;
  }

  /** The workers currently serving (not draining). */
  get workers(): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !this.#stopping.has(w));
  }

  /** SIGTERM and SIGINT shut down gracefully; SIGHUP restarts the workers one by one. */
  handleSignals(onStopped: () => void = () => process.exit(0)): void {
    const stop = (signal: string) => {
      this.options.log(`Received ${signal}: finishing in-flight requests, then stopping.`);
      void this.shutdown().then(onStopped);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      this.options.log('Received SIGHUP: restarting workers one at a time.');
      void this.rollingRestart();
    });
  }

  /**
   * Replace every worker, one at a time: the new one listens before the old
   * one stops accepting, and the old one finishes its in-flight requests.
   * Concurrent calls share one restart.
   */
  rollingRestart(): Promise<void> {
    this.#restarting ??= (async () => {
      try {
        for (const old of this.workers) {
          if (this.#shuttingDown) return;
          await this.#replace(old);
        }
        this.options.log('Rolling restart complete.');
      } finally {
        this.#restarting = undefined;
      }
    })();
    return this.#restarting;
  }

  /**
   * Replace `worker` as a rolling restart replaces each one (the new one listens, then
   * the old one drains), queued behind any replacement under way. A worker asking
   * twice is recycled once.
   */
  recycle(worker: Worker, reason: string): Promise<void> {
    if (this.#recycling.has(worker) || this.#stopping.has(worker) || this.#shuttingDown) return this.#replacing;
    this.#recycling.add(worker);
    this.options.log(`Recycling worker ${worker.process.pid}: ${reason}.`);
    return this.#replace(worker).finally(() => this.#recycling.delete(worker));
  }

  // Fork a replacement, wait until it listens, then drain `old`; one replacement at a time.
  #replace(old: Worker): Promise<void> {
    const run = this.#replacing.then(async () => {
      if (this.#shuttingDown || old.isDead() || this.#stopping.has(old)) return;
      await this.#fork();
      await this.#stop(old);
    });
    this.#replacing = run.catch(() => undefined);
    return run;
  }

  /** Drain and stop every worker; resolves when all have exited. */
  shutdown(): Promise<void> {
    this.#shuttingDown ??= Promise.all(Object.values(cluster.workers ?? {}).map((w) => (w ? this.#stop(w) : undefined))).then(
      () => undefined,
    );
    return this.#shuttingDown;
  }

  #fork(): Promise<void> {
    const worker = cluster.fork(this.options.env);
    this.#startedAt.set(worker, Date.now());
    const onMessage = this.options.onWorkerMessage;
    worker.on('message', (message: unknown) => {
      if (isRecycleMessage(message)) void this.recycle(worker, message.reason);
      else onMessage?.(worker, message);
    });
    return new Promise((resolve) => {
      const onListening = (address: AddressInfo) => {
        this.#address ??= address;
        worker.off('exit', onExit);
        resolve();
      };
      // A worker that dies before listening resolves too: #onExit replaces it.
      const onExit = () => {
        worker.off('listening', onListening);
        resolve();
      };
      worker.once('listening', onListening);
      worker.once('exit', onExit);
    });
  }

  #stop(worker: Worker): Promise<void> {
    if (worker.isDead()) return Promise.resolve();
    this.#stopping.add(worker);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.options.log(`Worker ${worker.process.pid} still busy after ${this.options.shutdownTimeout + 5}s: killing it.`);
        worker.process.kill('SIGKILL');
      }, (this.options.shutdownTimeout + 5) * 1000);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (worker.isConnected()) worker.send(SHUTDOWN_MESSAGE);
      else worker.process.kill('SIGTERM');
    });
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const expected = this.#stopping.delete(worker);
    const started = this.#startedAt.get(worker) ?? 0;
    this.#startedAt.delete(worker);
    if (expected || this.#shuttingDown) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const young = Date.now() - started < YOUNG_DEATH_MS;
    this.#youngDeaths = young ? this.#youngDeaths + 1 : 0;
    // A worker that cannot start (a syntax error, a port in use) would otherwise be re-forked in a hot loop.
    const delay = this.#youngDeaths > 1 ? Math.min(100 * 2 ** this.#youngDeaths, MAX_BACKOFF_MS) : 0;
    this.options.log(`Worker ${worker.process.pid} exited with ${how}; starting a replacement${delay ? ` in ${delay} ms` : ''}.`);
    setTimeout(() => {
      if (!this.#shuttingDown) void this.#fork();
    }, delay);
  }
}

/** Close the database pools, cache clients and task brokers of this worker, giving up after 5 s. */
async function closePools(): Promise<void> {
  const [{ connections }, { closeCachesAndTaskBackends }] = await Promise.all([import('../../db/connections.ts'), import('../close-connections.ts')]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000).unref()));
  await Promise.race([Promise.allSettled([connections.closeAll(), closeCachesAndTaskBackends()]), deadline]);
  clearTimeout(timer);
}

function isRecycleMessage(message: unknown): message is RecycleMessage {
  return typeof message === 'object' && message !== null && (message as { nuages?: unknown }).nuages === 'recycle';
}

/**
 * Ask the primary for a replacement once `server` has answered its request budget or
 * its process outgrows the memory ceiling. The worker keeps serving until the primary
 * drains it, so no request is refused while the replacement starts.
 */
export function watchForRecycling(server: NuagesServer, options: RecycleOptions, send: (message: RecycleMessage) => void): () => void {
  let asked = false;
  const ask = (reason: string) => {
    if (asked) return;
    asked = true;
    send({ nuages: 'recycle', reason });
  };
  const cleanups: Array<() => void> = [];
  const maxRequests = options.maxRequests ?? 0;
  if (maxRequests > 0) {
    const limit = maxRequests + Math.floor(Math.random() * ((options.maxRequestsJitter ?? 0) + 1));
    let served = 0;
    const onRequest = () => {
      served += 1;
      if (served >= limit) ask(`served ${served} requests (--max-requests ${limit})`);
    };
    server.server.on('request', onRequest);
    cleanups.push(() => server.server.off('request', onRequest));
  }
  const maxMemoryMb = options.maxMemoryMb ?? 0;
  if (maxMemoryMb > 0) {
    const timer = setInterval(() => {
      const rss = process.memoryUsage.rss() / (1024 * 1024);
      if (rss > maxMemoryMb) ask(`resident memory ${Math.round(rss)} MB is over --max-memory ${maxMemoryMb} MB`);
    }, options.memoryCheckMs ?? 5000);
    timer.unref();
    cleanups.push(() => clearInterval(timer));
  }
  return () => cleanups.forEach((cleanup) => cleanup());
}

/**
 * The worker side: serve until the primary asks to stop (or goes away), or a
 * SIGTERM/SIGINT arrives, then finish in-flight requests and exit 0. With `recycle`
 * options it asks the primary for a replacement past its request or memory budget.
 */
export async function runWorker(server: NuagesServer, recycle: RecycleOptions = {}): Promise<AddressInfo> {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // In-flight requests first, then the pools: PostgreSQL sees a clean goodbye rather than a dropped socket.
    void server
      .close()
      .then(closePools)
      .finally(() => process.exit(0));
  };
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && (message as { nuages?: unknown }).nuages === SHUTDOWN_MESSAGE.nuages) stop();
  });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The primary died without telling us: nobody will route connections here again.
  process.once('disconnect', stop);
  const address = await server.listen();
  // Only a listening worker may ask: the primary replaces it by draining it, which needs a listening server.
  if (process.send) watchForRecycling(server, recycle, (message) => process.send?.(message));
  return address;
}

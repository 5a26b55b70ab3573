/**
 * `/metrics` in the Prometheus text format, built on prom-client and fed by the
 * instrumentation channels (../instrumentation.ts) and the task signals.
 *
 * worker: channels/signals → its own Registry
 * scrape of any worker → asks the primary over IPC → the primary asks every worker
 *   (prom-client's AggregatorRegistry) → sums → the worker answers the scrape
 *
 * Labels are bounded: requests by URL pattern (never the raw path), method and
 * status; queries by alias; cache calls by alias; tasks by name, queue and status.
 */
import cluster, { type Worker } from 'node:cluster';
import { timingSafeEqual } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { CacheCallMessage, DbQueryMessage, RequestFinishMessage } from '../instrumentation.ts';
import type { ServerEndpoint } from './http-server.ts';

type PromClient = typeof import('prom-client');
type Registry = import('prom-client').Registry;

/** The `METRICS` setting. */
export interface MetricsSettings {
  /** Path of the endpoint; default '/metrics'. */
  PATH?: string;
  /** A scrape bringing `Authorization: Bearer <TOKEN>` is let in. */
  TOKEN?: string | null;
  /** Client addresses let in without a token (exact match; '::ffff:' prefixes are ignored). */
  ALLOWED_IPS?: string[];
}

/** The IPC message a worker and the primary exchange for one aggregated scrape. */
interface MetricsMessage {
  nuages: 'metrics';
  id: number;
  text?: string;
  error?: string;
}

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// The primary waits this long for every worker's numbers (prom-client's own timeout is 5 s).
const SCRAPE_TIMEOUT_MS = 6000;

/**
 * The metrics of this process: a prom-client Registry with Node's default metrics
 * (heap, event-loop lag, GC, CPU) and the Nuages ones, fed from the moment it is built.
 */
export async function createMetricsRegistry(): Promise<Registry> {
  const prom = await import('prom-client');
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  httpMetrics(prom, registry);
  dbMetrics(prom, registry);
  cacheMetrics(prom, registry);
  await taskMetrics(prom, registry);
  return registry;
}

function httpMetrics(prom: PromClient, registry: Registry): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const total = new prom.Counter({ name: 'nuages_http_requests_total', help: 'HTTP requests answered by the app, by URL pattern, method and status.', labelNames, registers: [registry] });
  const duration = new prom.Histogram({
    name: 'nuages_http_request_duration_seconds',
    help: 'Time from a request reaching the app to its response being written, by URL pattern, method and status.',
    labelNames,
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const inFlight = new prom.Gauge({ name: 'nuages_http_requests_in_flight', help: 'Requests being handled by the app right now.', registers: [registry] });
  subscribe('nuages:request:start', () => inFlight.inc());
  subscribe('nuages:request:finish', (message) => {
    const m = message as RequestFinishMessage;
    inFlight.dec();
    // The pattern, never the path: /books/1/, /books/2/, … are one series. Unmatched requests (404s, middleware answers) share one.
    const labels = { method: m.method, route: m.route === undefined ? '<unmatched>' : `/${m.route}`, status: String(m.status) };
    total.inc(labels);
    duration.observe(labels, m.durationMs / 1000);
  });
}

function dbMetrics(prom: PromClient, registry: Registry): void {
  const total = new prom.Counter({ name: 'nuages_db_queries_total', help: 'SQL statements run, by database alias and outcome (ok or error).', labelNames: ['alias', 'outcome'], registers: [registry] });
  const duration = new prom.Histogram({ name: 'nuages_db_query_duration_seconds', help: 'Time spent in the database driver per statement, by alias.', labelNames: ['alias'], buckets: SECONDS_BUCKETS, registers: [registry] });
  subscribe('nuages:db:query', (message) => {
    const m = message as DbQueryMessage;
    total.inc({ alias: m.alias, outcome: m.error === undefined ? 'ok' : 'error' });
    duration.observe({ alias: m.alias }, m.durationMs / 1000);
  });
  new prom.Gauge({
    name: 'nuages_db_pool_connections',
    help: 'PostgreSQL pool connections by alias and state: total (open), idle, waiting (clients queued for one).',
    labelNames: ['alias', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { connections } = await import('../../db/connections.ts');
      for (const alias of connections.openAliases) {
        const stats = (connections.get(alias) as { poolStats?: { total: number; idle: number; waiting: number } }).poolStats;
        if (stats === undefined) continue;
        for (const state of ['total', 'idle', 'waiting'] as const) this.set({ alias, state }, stats[state]);
      }
    },
  });
}

function cacheMetrics(prom: PromClient, registry: Registry): void {
  const calls = new prom.Counter({ name: 'nuages_cache_calls_total', help: 'Cache calls by alias and operation; a get is a hit or a miss.', labelNames: ['alias', 'op', 'result'], registers: [registry] });
  subscribe('nuages:cache:call', (message) => {
    const m = message as CacheCallMessage;
    calls.inc({ alias: m.alias, op: m.op, result: m.hit === undefined ? 'done' : m.hit ? 'hit' : 'miss' });
  });
}

async function taskMetrics(prom: PromClient, registry: Registry): Promise<void> {
  const { taskEnqueued, taskFinished, taskStarted } = await import('../../tasks/signals.ts');
  const labelNames = ['task', 'queue', 'status'] as const;
  const enqueued = new prom.Counter({ name: 'nuages_tasks_enqueued_total', help: 'Tasks enqueued from this process, by task and queue.', labelNames: ['task', 'queue'], registers: [registry] });
  const started = new prom.Counter({ name: 'nuages_tasks_started_total', help: 'Task attempts started in this process, by task and queue.', labelNames: ['task', 'queue'], registers: [registry] });
  const finished = new prom.Counter({ name: 'nuages_tasks_finished_total', help: 'Task attempts ended in this process, by task, queue and status (SUCCESSFUL, FAILED, READY = will retry).', labelNames, registers: [registry] });
  new prom.Gauge({
    name: 'nuages_tasks_queue_depth',
    help: 'Task runs waiting (due now), delayed (due later, or retrying) and running, by TASKS alias and queue (BullMQ and database backends).',
    labelNames: ['backend', 'queue', 'state'],
    // One shared queue seen by every worker: the workers' answers are equal, not to be added up.
    aggregator: 'max',
    registers: [registry],
    async collect() {
      this.reset();
      for (const depth of await queueDepths()) this.inc({ backend: depth.backend, queue: depth.queue, state: depth.state }, depth.count);
    },
  });
  const labels = (result: { task: { name: string; queueName: string } }) => ({ task: result.task.name, queue: result.task.queueName });
  taskEnqueued.connect(({ taskResult }) => void enqueued.inc(labels(taskResult)));
  taskStarted.connect(({ taskResult }) => void started.inc(labels(taskResult)));
  taskFinished.connect(({ taskResult }) => void finished.inc({ ...labels(taskResult), status: taskResult.status }));
}

/**
 * Who may scrape: a request with `Authorization: Bearer <TOKEN>`, or one from an
 * address of ALLOWED_IPS. With neither configured only loopback clients may.
 */
export function scrapeAllowed(req: IncomingMessage, config: MetricsSettings): boolean {
  const token = config.TOKEN ?? null;
  const header = req.headers.authorization;
  if (token !== null && token !== '' && header !== undefined && header.startsWith('Bearer ')) {
    const given = Buffer.from(header.slice('Bearer '.length).trim());
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const allowed = config.ALLOWED_IPS ?? [];
  if (allowed.length === 0 && (token === null || token === '')) return address === '127.0.0.1' || address === '::1';
  return allowed.includes(address);
}

/**
 * The `/metrics` endpoint. In a `serve` worker the answer is the sum over every worker
 * (the primary must run {@link answerMetricsRequests}); elsewhere it is this process's.
 */
export function metricsEndpoint(registry: Registry, config: MetricsSettings): ServerEndpoint {
  return async (req, res) => {
    if (!scrapeAllowed(req, config)) {
      const body = 'Forbidden: send Authorization: Bearer <METRICS.TOKEN>, or scrape from an address in METRICS.ALLOWED_IPS.\n';
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    let text: string;
    try {
      text = cluster.isWorker && process.send !== undefined ? await askPrimary() : await registry.metrics();
    } catch (error) {
      const body = `Could not collect the metrics: ${(error as Error).message}\n`;
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

/**
 * In a `serve` worker: let the primary's AggregatorRegistry read `registry` over IPC.
 * Call once, after createMetricsRegistry().
 */
export async function shareWithPrimary(registry: Registry): Promise<void> {
  const { AggregatorRegistry } = await import('prom-client');
  AggregatorRegistry.setRegistries([registry]);
  // Its constructor installs the worker's 'prom-client:getMetricsReq' listener.
  new AggregatorRegistry();
}

let nextId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let listening = false;

function askPrimary(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (!isMetricsMessage(message)) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.text ?? '');
    });
  }
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the serve primary did not answer within ${SCRAPE_TIMEOUT_MS} ms`));
    }, SCRAPE_TIMEOUT_MS);
    pending.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    process.send!({ nuages: 'metrics', id } satisfies MetricsMessage);
  });
}

function isMetricsMessage(message: unknown): message is MetricsMessage {
  return typeof message === 'object' && message !== null && (message as { nuages?: unknown }).nuages === 'metrics';
}

/**
 * In the `serve` primary: the ClusterOptions.onWorkerMessage that answers a worker's
 * scrape with the metrics of every worker, summed.
 */
export async function answerMetricsRequests(): Promise<(worker: Worker, message: unknown) => void> {
  const { AggregatorRegistry } = await import('prom-client');
  const aggregator = new AggregatorRegistry();
  return (worker, message) => {
    if (!isMetricsMessage(message) || message.text !== undefined || message.error !== undefined) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ nuages: 'metrics', id: message.id, text } satisfies MetricsMessage),
      (error: Error) => worker.isConnected() && worker.send({ nuages: 'metrics', id: message.id, error: error.message } satisfies MetricsMessage),
    );
  };
}

interface QueueDepth {
  backend: string;
  queue: string;
  state: 'waiting' | 'delayed' | 'running';
  count: number;
}

/** What each TASKS alias with a queue it can count holds; an alias that cannot be read is left out. */
async function queueDepths(): Promise<QueueDepth[]> {
  const { settings } = await import('../../conf/lazy-settings.ts');
  const { taskBackends } = await import('../../tasks/handler.ts');
  const { BullMQBackend } = await import('../../tasks/backends/bullmq.ts');
  const { DatabaseBackend } = await import('../../tasks/backends/database.ts');
  const found: QueueDepth[] = [];
  for (const alias of Object.keys(settings.TASKS)) {
    try {
      const backend = taskBackends.get(alias);
      if (backend instanceof BullMQBackend) found.push(...(await bullmqDepths(alias, backend)));
      else if (backend instanceof DatabaseBackend) found.push(...(await databaseDepths(alias, backend.database)));
    } catch {
      // A broker that is down shows in /readyz; the scrape still answers with everything else.
    }
  }
  return found;
}

async function bullmqDepths(alias: string, backend: import('../../tasks/backends/bullmq.ts').BullMQBackend): Promise<QueueDepth[]> {
  const found: QueueDepth[] = [];
  for (const queue of await backend.queueNames()) {
    const counts = await (await backend.queue(queue)).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
    found.push(
      { backend: alias, queue, state: 'waiting', count: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0) },
      { backend: alias, queue, state: 'delayed', count: counts['delayed'] ?? 0 },
      { backend: alias, queue, state: 'running', count: counts['active'] ?? 0 },
    );
  }
  return found;
}

async function databaseDepths(alias: string, database: string): Promise<QueueDepth[]> {
  const { DBTaskResult } = await import('../../tasks/models.ts');
  const { Count } = await import('../../db/index.ts');
  const now = new Date();
  const depth = async (state: QueueDepth['state'], filter: Record<string, unknown>): Promise<QueueDepth[]> => {
    const rows = (await DBTaskResult.objects.using(database).filter({ backendName: alias, ...filter }).values('queueName').annotate({ n: Count('id') })) as unknown as Array<{ queueName: string; n: number }>;
    return rows.map((row) => ({ backend: alias, queue: row.queueName, state, count: Number(row.n) }));
  };
  return [
    ...(await depth('waiting', { status: 'READY', runAfter__lte: now })),
    ...(await depth('waiting', { status: 'READY', runAfter__isnull: true })),
    ...(await depth('delayed', { status: 'READY', runAfter__gt: now })),
    ...(await depth('running', { status: 'RUNNING' })),
  ];
}

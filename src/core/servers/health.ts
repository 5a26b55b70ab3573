/**
 * The readiness probe: can this worker serve real requests right now?
 *
 *   each DATABASES alias → SELECT 1, then no unapplied migration
 *   each CACHES alias    → one read through the backend (not the Cache API, which hides outages)
 *   each TASKS broker    → PING its Redis (BullMQ); backends without a broker have nothing to check
 *
 * The checks run at most once per `cacheSeconds`, whatever the probe rate: concurrent
 * probes share one run, and later ones reuse its report until it expires. Liveness
 * (`/healthz`) is answered by NuagesServer itself and does no I/O.
 */
import type { ServerResponse } from 'node:http';
import { settings } from '../../conf/lazy-settings.ts';
import type { ServerEndpoint } from './http-server.ts';

/** One check of a readiness report. */
export interface CheckResult {
  /** 'database:default', 'migrations:default', 'cache:default', 'tasks:default'. */
  readonly name: string;
  readonly ok: boolean;
  /** What went wrong, when it did. */
  readonly error?: string;
}

/** The body of `/readyz`. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly CheckResult[];
}

// A check that hangs (a firewalled database drops packets) must not hold the probe past its timeout.
const CHECK_TIMEOUT_MS = 3000;

/**
 * Runs the readiness checks of the configured project, reusing a report for
 * `cacheSeconds` so a probe every second costs one round of checks.
 *
 * ```ts
 * const probe = new ReadinessProbe(1);
 * const report = await probe.report(); // { ready: false, checks: [{ name: 'database:default', ok: false, error: '…' }, …] }
 * ```
 */
export class ReadinessProbe {
  readonly cacheSeconds: number;
  #latest: { report: ReadinessReport; at: number } | undefined;
  #running: Promise<ReadinessReport> | undefined;

  constructor(cacheSeconds: number) {
    this.cacheSeconds = cacheSeconds;
  }

  /** The current report: a fresh enough one, the one being computed, or a new run. */
  report(): Promise<ReadinessReport> {
    const latest = this.#latest;
    if (latest !== undefined && performance.now() - latest.at < this.cacheSeconds * 1000) return Promise.resolve(latest.report);
    this.#running ??= runChecks().then((report) => {
      this.#latest = { report, at: performance.now() };
      this.#running = undefined;
      return report;
    });
    return this.#running;
  }
}

/**
 * The `/readyz` endpoint: 200 with the report when every check passed, 503 when one
 * failed, and 503 `{ "ready": false, "draining": true }` without running anything once
 * the server is shutting down, so the load balancer stops routing here first.
 */
export function readinessEndpoint(probe: Pick<ReadinessProbe, 'report'>): ServerEndpoint {
  return async (req, res, server) => {
    const head = req.method === 'HEAD';
    if (server.closing) return sendJson(res, 503, { ready: false, draining: true, checks: [] }, head);
    const report = await probe.report();
    // The server may have started draining while the checks ran.
    if (server.closing) return sendJson(res, 503, { ready: false, draining: true, checks: [] }, head);
    sendJson(res, report.ready ? 200 : 503, report, head);
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(head ? undefined : text);
}

/** Every readiness check of the project, run concurrently. */
export async function runChecks(): Promise<ReadinessReport> {
  const checks = await Promise.all([...databaseChecks(), ...cacheChecks(), ...taskChecks()]);
  const flat = checks.flat();
  return { ready: flat.every((check) => check.ok), checks: flat };
}

function databaseChecks(): Array<Promise<CheckResult[]>> {
  return Object.keys(settings.DATABASES).map(async (alias) => {
    const { connections } = await import('../../db/connections.ts');
    const reached = await check(`database:${alias}`, async () => {
      await connections.get(alias).fetchAll({ sql: 'SELECT 1', params: [] });
    });
    if (!reached.ok) return [reached];
    return [reached, await check(`migrations:${alias}`, () => unappliedMigrations(alias))];
  });
}

async function unappliedMigrations(alias: string): Promise<void> {
  const { connections } = await import('../../db/connections.ts');
  const { MigrationExecutor } = await import('../../db/migrations/executor.ts');
  const executor = await MigrationExecutor.create(connections.get(alias));
  const plan = executor.migrationPlan(executor.leafTargets());
  if (plan.length === 0) return;
  const names = plan.map(({ migration }) => `${migration.appLabel}.${migration.name}`);
  throw new Error(`${plan.length} unapplied migration(s): ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}. Run manage.ts migrate --database ${alias}.`);
}

function cacheChecks(): Array<Promise<CheckResult[]>> {
  return Object.keys(settings.CACHES).map(async (alias) => {
    const { caches } = await import('../../cache/caches.ts');
    // The backend, not cache.get(): the Cache API turns an outage into a miss by design.
    return [await check(`cache:${alias}`, async () => void (await caches.get(alias).backend.get('nuages:readyz')))];
  });
}

function taskChecks(): Array<Promise<CheckResult[]>> {
  return Object.keys(settings.TASKS).map(async (alias) => {
    const { taskBackends } = await import('../../tasks/handler.ts');
    const { BullMQBackend } = await import('../../tasks/backends/bullmq.ts');
    const backend = taskBackends.get(alias);
    // Only a broker can be unreachable; the database backend is covered by the database checks.
    if (!(backend instanceof BullMQBackend)) return [];
    return [await check(`tasks:${alias}`, async () => void (await (await backend.connect()).redis.ping()))];
  });
}

async function check(name: string, run: () => Promise<void>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), timeout]);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `manage.ts serve [addr:port] --workers N`: the production server. A
 * node:cluster primary keeps N workers serving; SIGTERM drains them
 * (in-flight requests finish), SIGHUP restarts them one at a time, a worker
 * that dies is replaced. Put it behind a reverse proxy that terminates TLS.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { settingOr, settings } from '../../../conf/lazy-settings.ts';
import { defaultSettings, type BuiltinSettings } from '../../../conf/settings.ts';
import { createNodeApp } from '../../servers/application.ts';
import { ClusterPrimary, runWorker, type RecycleOptions } from '../../servers/cluster.ts';
import { readinessEndpoint, ReadinessProbe } from '../../servers/health.ts';
import { NuagesServer, type ServerEndpoint } from '../../servers/http-server.ts';
import { answerMetricsRequests, createMetricsRegistry, metricsEndpoint, shareWithPrimary } from '../../servers/metrics.ts';
import { installTracing } from '../../tracing.ts';
import { serverDefaults, type ServerOptions } from '../../servers/options.ts';
import { logAccess } from '../../servers/access-log.ts';
import { configureLoggingFromSettings } from '../../../utils/log-config.ts';
import { staticRootHookFromSettings } from '../../../contrib/staticfiles/serving.ts';
import { useManifestStaticUrls } from '../../../contrib/staticfiles/url.ts';
import { BaseCommand, CommandError, type CommandOptions } from '../base.ts';
import { listenAddress } from '../utils.ts';

function number(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new InvalidArgumentError(`Expected a number ≥ ${min}, got '${text}'.`);
    return value;
  };
}

export default class ServeCommand extends BaseCommand {
  override help = 'Runs the production HTTP server: N worker processes on node:cluster, graceful shutdown and restarts.';
  // The primary runs the checks once; workers skip them.
  override requiresSystemChecks: readonly string[] = [];
  // Set by #serverOptions from --readiness-path or HEALTH_CHECKS.READINESS; '' means off.
  #readinessPath = '';
  // --static or SERVE_STATIC: the workers answer STATIC_URL from STATIC_ROOT.
  #serveStatic = false;

  override addArguments(parser: Command): void {
    const d = serverDefaults();
    parser
      .argument('[addrport]', 'Port, or ipaddr:port to listen on (default 127.0.0.1:8000).')
      .option('-w, --workers <n>', 'Worker processes (default: one per CPU).', number(1))
      .option('--max-body-size <bytes>', 'Largest request body accepted; larger gets 413.', number(0), d.maxBodySize)
      .option('--max-header-size <bytes>', 'Largest request line + headers; larger gets 431.', number(1024), d.maxHeaderSize)
      .option('--keep-alive-timeout <s>', 'Seconds an idle keep-alive connection stays open.', number(0), d.keepAliveTimeout)
      .option('--headers-timeout <s>', 'Seconds a client has to send its headers.', number(1), d.headersTimeout)
      .option('--request-timeout <s>', 'Seconds a client has to send the whole request.', number(1), d.requestTimeout)
      .option('--shutdown-timeout <s>', 'Seconds in-flight requests get to finish on SIGTERM/SIGHUP.', number(0), d.shutdownTimeout)
      .option('--health-path <path>', "Liveness path answered 200 'ok' (503 while draining) without the app; '' turns it off (default HEALTH_CHECKS.LIVENESS, '/healthz').")
      .option('--readiness-path <path>', "Readiness path: 200/503 JSON after checking databases, migrations, caches and the task broker; '' turns it off (default HEALTH_CHECKS.READINESS, '/readyz').")
      .option('--access-log', 'Log every request on the nuages.server.access logger (JSON lines on stderr by default).', false)
      .option('--max-requests <n>', 'Recycle a worker after it served this many requests (0: never).', number(0), 0)
      .option('--max-requests-jitter <n>', 'Add a random 0..n to each worker\'s --max-requests, so they do not recycle together.', number(0), 0)
      .option('--max-memory <MB>', 'Recycle a worker whose resident memory grows past this many MB (0: never).', number(0), 0)
      .option('--static', 'Serve STATIC_ROOT under STATIC_URL from the app (hashed names cached for a year, .br/.gz variants); default SERVE_STATIC.');
  }

  override async handle(options: CommandOptions): Promise<void> {
    const serverOptions = this.#serverOptions(options);
    this.#serveStatic = options['static'] === true || settingOr<boolean>('SERVE_STATIC', false);
    if (cluster.isWorker) {
      await this.#worker(serverOptions, Boolean(options['accessLog']), {
        maxRequests: options['maxRequests'] as number,
        maxRequestsJitter: options['maxRequestsJitter'] as number,
        maxMemoryMb: options['maxMemory'] as number,
        memoryCheckMs: Number(process.env['NUAGES_MEMORY_CHECK_MS'] ?? 5000),
      });
      return;
    }
    if (!settings.DEBUG && settings.ALLOWED_HOSTS.length === 0) {
      throw new CommandError('You must set settings.ALLOWED_HOSTS if DEBUG is False.');
    }
    if (!options.skipChecks) await this.check({ displayNumIssues: false });
    const workers = (options['workers'] as number | undefined) ?? availableParallelism();
    const log = (line: string) => this.stdout.write(`[serve ${process.pid}] ${line}`);
    // With METRICS on, a worker's scrape asks the primary for the sum over every worker.
    const onWorkerMessage = metricsSettings() === null ? undefined : await answerMetricsRequests();
    const primary = new ClusterPrimary({ workers: Math.floor(workers), shutdownTimeout: serverOptions.shutdownTimeout, log, onWorkerMessage });
    const address = await primary.start();
    const shown = address.address.includes(':') ? `[${address.address}]` : address.address;
    log(`Listening on http://${shown}:${address.port}/ with ${primary.workers.length} worker(s).`);
    await new Promise<void>((resolve) => primary.handleSignals(resolve));
    log('Stopped.');
  }

  #serverOptions(options: CommandOptions): ServerOptions {
    const d = serverDefaults();
    const { host, port } = listenAddress(options['addrport'] as string | undefined, d);
    const health = String(options['healthPath'] ?? healthChecks().LIVENESS);
    if (health !== '' && !health.startsWith('/')) throw new CommandError(`--health-path must start with '/', got '${health}'.`);
    const readiness = String(options['readinessPath'] ?? healthChecks().READINESS);
    if (readiness !== '' && !readiness.startsWith('/')) throw new CommandError(`--readiness-path must start with '/', got '${readiness}'.`);
    this.#readinessPath = readiness;
    return {
      host,
      port,
      maxBodySize: options['maxBodySize'] as number,
      maxHeaderSize: options['maxHeaderSize'] as number,
      keepAliveTimeout: options['keepAliveTimeout'] as number,
      headersTimeout: options['headersTimeout'] as number,
      requestTimeout: options['requestTimeout'] as number,
      shutdownTimeout: options['shutdownTimeout'] as number,
      healthPath: health,
    };
  }

  /** /readyz and /metrics, as configured: answered by the server before any middleware. */
  async #endpoints(): Promise<Record<string, ServerEndpoint>> {
    const endpoints: Record<string, ServerEndpoint> = {};
    if (this.#readinessPath !== '') endpoints[this.#readinessPath] = readinessEndpoint(new ReadinessProbe(healthChecks().CACHE_SECONDS));
    const metrics = metricsSettings();
    if (metrics !== null) {
      const registry = await createMetricsRegistry();
      if (cluster.isWorker) await shareWithPrimary(registry);
      endpoints[metrics.PATH ?? '/metrics'] = metricsEndpoint(registry, metrics);
    }
    return endpoints;
  }

  async #worker(options: ServerOptions, accessLog: boolean, recycle: RecycleOptions): Promise<void> {
    // LOGGING (over Django's defaults) decides where records go; the access log is one of them.
    configureLoggingFromSettings();
    // Spans only when the project started an OpenTelemetry SDK (node --import ./otel.ts); nothing otherwise.
    await installTracing();
    // With the manifest storage, {% static %} names the hashed files whoever serves them.
    useManifestStaticUrls();
    const server = new NuagesServer({
      ...options,
      endpoints: await this.#endpoints(),
      before: this.#serveStatic ? staticRootHookFromSettings() : undefined,
      app: await createNodeApp(),
      onResponse: accessLog ? logAccess : undefined,
      onError: (error) => this.stderr.write(`[worker ${process.pid}] Error while serving a request: ${(error as Error).stack ?? String(error)}`),
    });
    await runWorker(server, recycle);
    // Stay alive until runWorker's shutdown path exits the process.
    await new Promise<never>(() => {});
  }
}

/** HEALTH_CHECKS, its missing keys taken from the defaults (a project may set only READINESS). */
function healthChecks(): BuiltinSettings['HEALTH_CHECKS'] {
  return { ...defaultSettings().HEALTH_CHECKS, ...settingOr<Partial<BuiltinSettings['HEALTH_CHECKS']>>('HEALTH_CHECKS', {}) };
}

function metricsSettings(): BuiltinSettings['METRICS'] {
  return settingOr<BuiltinSettings['METRICS']>('METRICS', null);
}

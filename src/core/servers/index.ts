/**
 * `nuages/core/servers`: the socket side. `NuagesServer` (node:http with
 * limits and graceful shutdown), `ClusterPrimary`/`runWorker` (node:cluster),
 * the development server's static files, reloader and request log, and the
 * readiness and metrics endpoints (docs/observability.md).
 * `manage.ts runserver` and `manage.ts serve` are built from these.
 */
export { createNodeApp } from './application.ts';
export { isReloaderChild, RUN_MAIN_ENV, runWithReloader, triggersReload } from './autoreload.ts';
export { ClusterPrimary, runWorker, SHUTDOWN_MESSAGE, type ClusterOptions } from './cluster.ts';
export {
  NuagesServer,
  type BeforeHook,
  type NodeApp,
  type NuagesServerOptions,
  type RequestLogEntry,
  type ServerEndpoint,
} from './http-server.ts';
export { readinessEndpoint, ReadinessProbe, runChecks, type CheckResult, type ReadinessReport } from './health.ts';
export { answerMetricsRequests, createMetricsRegistry, metricsEndpoint, scrapeAllowed, shareWithPrimary, type MetricsSettings } from './metrics.ts';
export { serverStarted, serverStopped } from './lifecycle.ts';
export { parseAddrPort, serverDefaults, type ServerOptions } from './options.ts';
export { formatLogLine, logDate, statusStyle } from './request-log.ts';
export { safeRelativePath, staticFilesHook, staticRoots, staticUrlPath, type StaticRoot } from './static-files.ts';

/**
 * OpenTelemetry spans from the instrumentation channels, when the project runs an
 * OpenTelemetry SDK. Nuages does not depend on `@opentelemetry/api`: without it, or
 * with no tracer provider registered, `installTracing()` subscribes to nothing.
 *
 *   request (SERVER, 'GET /books/<int:pk>/')   active while the handler runs
 *     ├─ db query (CLIENT, 'SELECT default')     one per statement
 *     ├─ cache call (CLIENT, 'cache get default')
 *     └─ template render (INTERNAL, 'render books/detail.html')
 *   task (CONSUMER, 'task catalog.tasks.reindex')  from taskStarted to taskFinished
 *
 * Query, cache and render spans are made when their message arrives, backdated by
 * its duration, with the active context (the request span) as parent.
 */
import { subscribe } from 'node:diagnostics_channel';
import {
  requestScope,
  type CacheCallMessage,
  type DbQueryMessage,
  type RequestFinishMessage,
  type TemplateRenderMessage,
} from './instrumentation.ts';

type OtelApi = typeof import('@opentelemetry/api');
type Span = import('@opentelemetry/api').Span;

let installed = false;

/**
 * Subscribe the span makers, once per process. Returns false (and does nothing) when
 * `@opentelemetry/api` cannot be imported or no tracer provider was registered yet:
 * start the SDK first (`node --import ./otel.ts manage.ts serve`). `serve` workers
 * call it at start-up.
 *
 * ```ts
 * // otel.ts, loaded with --import before the project
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * new NodeSDK({ serviceName: 'bookshop' }).start();
 * ```
 */
export async function installTracing(): Promise<boolean> {
  if (installed) return true;
  let api: OtelApi;
  try {
    api = await import('@opentelemetry/api');
  } catch {
    return false;
  }
  // With no SDK, the global provider delegates to the no-op one: spans would cost and record nothing.
  const provider = api.trace.getTracerProvider();
  if (provider instanceof api.ProxyTracerProvider && provider.getDelegate() === new api.ProxyTracerProvider().getDelegate()) return false;
  installed = true;
  const tracer = api.trace.getTracer('nuages');
  traceRequests(api, tracer);
  traceChildren(api, tracer);
  await traceTasks(api, tracer);
  return true;
}

function traceRequests(api: OtelApi, tracer: import('@opentelemetry/api').Tracer): void {
  requestScope.current = (message, handle) => {
    const span = tracer.startSpan(message.method, {
      kind: api.SpanKind.SERVER,
      attributes: { 'http.request.method': message.method, 'url.path': message.path },
    });
    return api.context.with(api.trace.setSpan(api.context.active(), span), async () => {
      try {
        await handle();
      } catch (error) {
        failed(api, span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  };
  // Published inside the scope above: the active span is this request's.
  subscribe('nuages:request:finish', (message) => {
    const m = message as RequestFinishMessage;
    const span = api.trace.getActiveSpan();
    if (span === undefined) return;
    if (m.route !== undefined) {
      span.updateName(`${m.method} /${m.route}`);
      span.setAttribute('http.route', `/${m.route}`);
    }
    span.setAttribute('http.response.status_code', m.status);
    if (m.status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
  });
}

function traceChildren(api: OtelApi, tracer: import('@opentelemetry/api').Tracer): void {
  const backdated = (name: string, kind: number, durationMs: number, attributes: Record<string, string | number | boolean>): Span =>
    tracer.startSpan(name, { kind, startTime: Date.now() - durationMs, attributes }, api.context.active());
  subscribe('nuages:db:query', (message) => {
    const m = message as DbQueryMessage;
    const operation = /^\s*(\w+)/.exec(m.sql)?.[1]?.toUpperCase() ?? 'SQL';
    const span = backdated(`${operation} ${m.alias}`, api.SpanKind.CLIENT, m.durationMs, {
      'db.namespace': m.alias,
      'db.operation.name': operation,
      'db.query.text': m.sql,
    });
    if (m.error !== undefined) failed(api, span, m.error);
    span.end();
  });
  subscribe('nuages:cache:call', (message) => {
    const m = message as CacheCallMessage;
    const attributes: Record<string, string | boolean> = { 'nuages.cache.alias': m.alias, 'nuages.cache.operation': m.op };
    if (m.hit !== undefined) attributes['nuages.cache.hit'] = m.hit;
    backdated(`cache ${m.op} ${m.alias}`, api.SpanKind.CLIENT, m.durationMs, attributes).end();
  });
  subscribe('nuages:template:render', (message) => {
    const m = message as TemplateRenderMessage;
    const span = backdated(`render ${m.name}`, api.SpanKind.INTERNAL, m.durationMs, { 'nuages.template.name': m.name });
    if (m.error !== undefined) failed(api, span, m.error);
    span.end();
  });
}

async function traceTasks(api: OtelApi, tracer: import('@opentelemetry/api').Tracer): Promise<void> {
  const { taskFinished, taskStarted } = await import('../tasks/signals.ts');
  const running = new Map<string, Span>();
  taskStarted.connect(
    ({ taskResult }) => {
      const span = tracer.startSpan(`task ${taskResult.task.name}`, {
        kind: api.SpanKind.CONSUMER,
        attributes: { 'nuages.task.name': taskResult.task.name, 'nuages.task.queue': taskResult.task.queueName, 'nuages.task.id': taskResult.id },
      });
      running.set(taskResult.id, span);
    },
    { dispatchUid: 'nuages.tracing.started' },
  );
  taskFinished.connect(
    ({ taskResult }) => {
      const span = running.get(taskResult.id);
      if (span === undefined) return;
      running.delete(taskResult.id);
      span.setAttribute('nuages.task.status', taskResult.status);
      if (taskResult.status !== 'SUCCESSFUL') span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end();
    },
    { dispatchUid: 'nuages.tracing.finished' },
  );
}

function failed(api: OtelApi, span: Span, error: unknown): void {
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (error instanceof Error) span.recordException(error);
}

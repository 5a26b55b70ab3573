// OpenTelemetry spans from the instrumentation channels: a request span active while the
// handler runs, with the query, cache and render spans of the view as its children.
// A tiny in-memory tracer provider and an AsyncLocalStorage context manager stand in
// for an OpenTelemetry SDK.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import * as api from '@opentelemetry/api';
import { createCache } from '../../src/cache/caches.ts';
import { configure, resetSettings } from '../../src/conf/index.ts';
import { NodeHandler } from '../../src/core/handlers/node.ts';
import { requestScope } from '../../src/core/instrumentation.ts';
import { NuagesServer } from '../../src/core/servers/http-server.ts';
import { installTracing } from '../../src/core/tracing.ts';
import { connections } from '../../src/db/connections.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { Engine, LocmemLoader } from '../../src/template/index.ts';
import { path } from '../../src/urls/index.ts';
import { fetchText } from './servers/helpers.ts';

interface Recorded {
  name: string;
  kind: api.SpanKind;
  spanId: string;
  traceId: string;
  parentId: string | undefined;
  attributes: api.Attributes;
  status: api.SpanStatus;
  ended: boolean;
}

const spans: Recorded[] = [];

class RecordingSpan implements api.Span {
  readonly #context: api.SpanContext;
  readonly record: Recorded;

  constructor(name: string, options: api.SpanOptions, parent: api.SpanContext | undefined) {
    this.#context = { traceId: parent?.traceId ?? randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 1 };
    this.record = {
      name,
      kind: options.kind ?? api.SpanKind.INTERNAL,
      spanId: this.#context.spanId,
      traceId: this.#context.traceId,
      parentId: parent?.spanId,
      attributes: { ...options.attributes },
      status: { code: api.SpanStatusCode.UNSET },
      ended: false,
    };
    spans.push(this.record);
  }
  spanContext = () => this.#context;
  setAttribute = (key: string, value: api.AttributeValue) => ((this.record.attributes[key] = value), this);
  setAttributes = (attributes: api.Attributes) => (Object.assign(this.record.attributes, attributes), this);
  addEvent = () => this;
  addLink = () => this;
  addLinks = () => this;
  setStatus = (status: api.SpanStatus) => ((this.record.status = status), this);
  updateName = (name: string) => ((this.record.name = name), this);
  end = () => void (this.record.ended = true);
  isRecording = () => true;
  recordException = () => undefined;
}

const tracer: api.Tracer = {
  startSpan: (name, options = {}, context = api.context.active()) => new RecordingSpan(name, options, api.trace.getSpanContext(context)),
  startActiveSpan: (() => assert.fail('Nuages does not use startActiveSpan')) as api.Tracer['startActiveSpan'],
};

const storage = new AsyncLocalStorage<api.Context>();
const contextManager: api.ContextManager = {
  active: () => storage.getStore() ?? api.ROOT_CONTEXT,
  with: (context, fn, thisArg, ...args) => storage.run(context, () => fn.call(thisArg, ...args)),
  bind: (_context, target) => target,
  enable: () => contextManager,
  disable: () => contextManager,
};

const engine = new Engine({ loaders: [new LocmemLoader({ 'item.html': 'Item {{ count }}' })] });
const cache = createCache('default', { BACKEND: 'locmem' });

async function item(): Promise<HttpResponse> {
  const [[count]] = (await connections.get().fetchAll({ sql: 'SELECT COUNT(*) FROM t', params: [] })) as [[number]];
  await cache.get('item');
  return new HttpResponse(await engine.renderToString('item.html', { count }));
}

describe('installTracing', () => {
  before(async () => {
    configure({ SECRET_KEY: 'tracing', ALLOWED_HOSTS: ['127.0.0.1'] });
    connections.configure({ default: { ENGINE: 'sqlite', NAME: ':memory:' } });
    await connections.get().executeScript('CREATE TABLE t (a INTEGER)');
  });
  after(async () => {
    requestScope.current = undefined;
    api.trace.disable();
    api.context.disable();
    await connections.reset();
    resetSettings();
  });

  test('does nothing while no tracer provider is registered', async () => {
    assert.equal(await installTracing(), false);
    assert.equal(requestScope.current, undefined);
  });

  test('makes a request span with the query, cache and render spans as children', async () => {
    api.context.setGlobalContextManager(contextManager);
    api.trace.setGlobalTracerProvider({ getTracer: () => tracer });
    assert.equal(await installTracing(), true);

    const handler = new NodeHandler({ urlconf: [path('items/<int:pk>/', item, { name: 'item' })], middleware: [] });
    const server = new NuagesServer({ port: 0, app: handler.listener });
    const { port } = await server.listen();
    try {
      spans.length = 0;
      const res = await fetchText(port, '/items/7/');
      assert.equal(res.body, 'Item 0');
      const request = spans.find((s) => s.kind === api.SpanKind.SERVER)!;
      assert.equal(request.name, 'GET /items/<int:pk>/');
      assert.deepEqual(request.attributes, { 'http.request.method': 'GET', 'url.path': '/items/7/', 'http.route': '/items/<int:pk>/', 'http.response.status_code': 200 });
      assert.equal(request.parentId, undefined);
      assert.equal(request.ended, true);

      const children = spans.filter((s) => s !== request);
      assert.deepEqual(children.map((s) => s.name), ['SELECT default', 'cache get default', 'render item.html']);
      for (const child of children) {
        assert.equal(child.parentId, request.spanId, `${child.name} is a child of the request`);
        assert.equal(child.traceId, request.traceId);
        assert.equal(child.ended, true);
      }
      assert.equal(children[0]!.attributes['db.query.text'], 'SELECT COUNT(*) FROM t');
      assert.equal(children[1]!.attributes['nuages.cache.hit'], false);

      spans.length = 0;
      assert.equal((await fetchText(port, '/nowhere/')).status, 404);
      assert.deepEqual(spans.map((s) => [s.name, s.attributes['http.response.status_code']]), [['GET', 404]]);
    } finally {
      await server.close(1);
    }
  });
});

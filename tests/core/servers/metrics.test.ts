// The metrics registry of one process: task signals move the task counters, and the
// endpoint answers a single-process server (runserver, a custom server) from its own registry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry, metricsEndpoint } from '../../../src/core/servers/metrics.ts';
import { NuagesServer } from '../../../src/core/servers/http-server.ts';
import { add, explode } from '../../tasks/fixtures/tasks.ts';
import { setUpTasks, tearDownTasks } from '../../tasks/setup.ts';
import { fetchText } from './helpers.ts';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetricsRegistry', () => {
  before(() => setUpTasks({ TASKS: { default: { BACKEND: 'immediate' } } }));
  after(() => tearDownTasks());

  test('counts tasks enqueued, started and finished by task, queue and status', async () => {
    const registry = await createMetricsRegistry();
    await add.enqueue(1, 2);
    await add.enqueue(3, 4);
    await explode.enqueue('boom');
    const text = await registry.metrics();
    const name = (t: { name: string }) => t.name;
    assert.equal(sample(text, `nuages_tasks_enqueued_total{task="${name(add)}",queue="default"}`), 2);
    assert.equal(sample(text, `nuages_tasks_started_total{task="${name(explode)}",queue="default"}`), 1);
    assert.equal(sample(text, `nuages_tasks_finished_total{task="${name(add)}",queue="default",status="SUCCESSFUL"}`), 2);
    assert.equal(sample(text, `nuages_tasks_finished_total{task="${name(explode)}",queue="default",status="FAILED"}`), 1);
  });

  test('a single-process server answers from its own registry, with the token only', async () => {
    const registry = await createMetricsRegistry();
    const server = new NuagesServer({
      port: 0,
      app: (_req, res) => void res.end('app'),
      endpoints: { '/metrics': metricsEndpoint(registry, { TOKEN: 't0ken', ALLOWED_IPS: ['192.0.2.1'] }) },
    });
    const { port } = await server.listen();
    try {
      const refused = await fetchText(port, '/metrics');
      assert.equal(refused.status, 403);
      assert.match(refused.body, /METRICS\.TOKEN/);
      const res = await fetchText(port, '/metrics?x=1', { headers: { Authorization: 'Bearer t0ken' } });
      assert.equal(res.status, 200);
      assert.match(res.body, /^# HELP nuages_http_requests_total /m);
      assert.equal((await fetchText(port, '/metrics/')).body, 'app', 'only the exact path is the endpoint');
    } finally {
      await server.close(1);
    }
  });
});

describe('nuages_tasks_queue_depth', () => {
  before(() => setUpTasks({ TASKS: { default: { BACKEND: 'database', QUEUES: ['default', 'mail'] } } }, { database: true }));
  after(() => tearDownTasks());

  test("counts the database backend's waiting and delayed runs per queue", async () => {
    const registry = await createMetricsRegistry();
    await add.enqueue(1, 2);
    await add.enqueue(2, 3);
    await add.using({ runAfter: 3600 }).enqueue(3, 4);
    await add.using({ queueName: 'mail' }).enqueue(4, 5);
    const text = await registry.metrics();
    assert.equal(sample(text, 'nuages_tasks_queue_depth{backend="default",queue="default",state="waiting"}'), 2);
    assert.equal(sample(text, 'nuages_tasks_queue_depth{backend="default",queue="default",state="delayed"}'), 1);
    assert.equal(sample(text, 'nuages_tasks_queue_depth{backend="default",queue="mail",state="waiting"}'), 1);
    assert.equal(sample(text, 'nuages_tasks_queue_depth{backend="default",queue="mail",state="running"}'), undefined, 'no row, no series');
  });
});

// /readyz and /metrics of `manage.ts serve` as a probe and a scraper see them: a real
// primary with workers on loopback, a PostgreSQL database of its own (created here,
// dropped at the end), and a closed port to play an unreachable database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { NuagesServer } from '../../../src/core/servers/http-server.ts';
import { readinessEndpoint, type ReadinessReport } from '../../../src/core/servers/health.ts';
import { scrapeAllowed } from '../../../src/core/servers/metrics.ts';
import { fetchText, freePort, spawnNode, stopProcess, type Spawned } from './helpers.ts';

const MANAGE = join(import.meta.dirname, 'fixtures', 'observed', 'manage.ts');
const PG = {
  host: process.env['NUAGES_TEST_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['NUAGES_TEST_PG_PORT'] ?? 5432),
  user: process.env['NUAGES_TEST_PG_USER'] ?? 'postgres',
};
const DB_NAME = `nuages_observed_${process.pid}`;
const TOKEN = { Authorization: 'Bearer scrape-token' };
// Probes come with the pod IP as Host, which ALLOWED_HOSTS (example.com) does not list.
const POD_HOST = { Host: '10.1.2.3:8000' };
const started: Spawned[] = [];

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ ...PG, database: process.env['NUAGES_TEST_PG_NAME'] ?? 'test' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

before(() => admin(`CREATE DATABASE ${DB_NAME}`));
after(async () => {
  await Promise.all(started.map(stopProcess));
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
});

async function serve(workers: number, env: Record<string, string> = {}): Promise<{ proc: Spawned; port: number }> {
  const proc = spawnNode([MANAGE, 'serve', '127.0.0.1:0', '--workers', String(workers)], { OBSERVED_DB_NAME: DB_NAME, ...env });
  started.push(proc);
  const match = await proc.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//);
  return { proc, port: Number(match[1]) };
}

async function migrate(): Promise<void> {
  const proc = spawnNode([MANAGE, 'migrate'], { OBSERVED_DB_NAME: DB_NAME });
  started.push(proc);
  assert.deepEqual(await proc.exited, { code: 0, signal: null }, proc.output());
}

async function readyz(port: number): Promise<{ status: number; report: ReadinessReport }> {
  const res = await fetchText(port, '/readyz', { headers: POD_HOST });
  assert.equal(res.headers['content-type'], 'application/json');
  return { status: res.status, report: JSON.parse(res.body) as ReadinessReport };
}

/** Polls /readyz until it gives `status` (the report is cached for 0.5 s in the fixture). */
async function readyzBecomes(port: number, status: number): Promise<ReadinessReport> {
  let last: { status: number; report: ReadinessReport } | undefined;
  for (let attempt = 0; attempt < 40; attempt++) {
    last = await readyz(port);
    if (last.status === status) return last.report;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  assert.fail(`/readyz stayed ${last?.status}: ${JSON.stringify(last?.report)}`);
}

const failing = (report: ReadinessReport) => report.checks.filter((c) => !c.ok).map((c) => c.name);


/** A TCP relay from `port` to PostgreSQL: the database "comes back" when it starts listening. */
async function relayToPostgres(port: number): Promise<Server> {
  const relay = createServer((client) => {
    const upstream = connect(PG.port, PG.host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
  return relay;
}

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('serve /readyz', () => {
  // Runs first: the migration it applies is what the next tests start from.
  test('names a pending migration with 503, then answers 200 once migrated', async () => {
    const { port } = await serve(1);
    const { status, report } = await readyz(port);
    assert.equal(status, 503);
    assert.equal(report.ready, false);
    assert.deepEqual(failing(report), ['migrations:default']);
    assert.match(report.checks.find((c) => c.name === 'migrations:default')!.error!, /probe\.0001_initial.*manage\.ts migrate/);
    assert.deepEqual(report.checks.map((c) => c.name), ['database:default', 'migrations:default', 'cache:default']);
    await migrate();
    const ready = await readyzBecomes(port, 200);
    assert.equal(ready.ready, true);
    assert.deepEqual(failing(ready), []);
    // Liveness never looked at the database, and neither probe minds the pod IP as Host.
    assert.equal((await fetchText(port, '/healthz', { headers: POD_HOST })).body, 'ok\n');
    assert.equal((await fetchText(port, '/items/1/', { headers: POD_HOST })).status, 400, 'the app itself still checks ALLOWED_HOSTS');
  });

  test('fails while PostgreSQL is unreachable, and recovers when it is back', async () => {
    const dbPort = await freePort();
    const { port } = await serve(1, { OBSERVED_DB_PORT: String(dbPort) });
    const { status, report } = await readyz(port);
    assert.equal(status, 503);
    assert.deepEqual(failing(report), ['database:default']);
    assert.ok(report.checks.find((c) => c.name === 'database:default')!.error, 'the failure says what went wrong');
    assert.equal((await fetchText(port, '/healthz')).status, 200, 'liveness stays up: restarting would not help');
    const relay = await relayToPostgres(dbPort);
    try {
      const back = await readyzBecomes(port, 200);
      assert.deepEqual(failing(back), []);
    } finally {
      relay.close();
      relay.unref();
    }
  });

  test('answers 503 draining as soon as the server starts closing', async () => {
    const report: ReadinessReport = { ready: true, checks: [{ name: 'database:default', ok: true }] };
    let release = () => {};
    const slowProbe = { report: () => new Promise<ReadinessReport>((resolve) => (release = () => resolve(report))) };
    const server = new NuagesServer({ port: 0, app: (_req, res) => void res.end('app'), endpoints: { '/readyz': readinessEndpoint(slowProbe) } });
    const { port } = await server.listen();
    const probing = fetchText(port, '/readyz');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = server.close(5);
    release();
    const res = await probing;
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(res.body), { ready: false, draining: true, checks: [] });
    await closed;
  });
});

describe('serve /metrics', () => {
  test('is refused without the token, and sums every worker once scraped with it', async () => {
    await migrate();
    const { port } = await serve(2);
    assert.equal((await fetchText(port, '/metrics')).status, 403);
    assert.equal((await fetchText(port, '/metrics', { headers: { Authorization: 'Bearer wrong-token' } })).status, 403);

    const pids = new Set<string>();
    const requests = 12;
    for (let i = 0; i < requests; i++) {
      const res = await fetchText(port, `/items/${i}/`, { headers: { Host: 'example.com' } });
      assert.equal(res.status, 200, res.body);
      pids.add(res.body.split(' ')[0]!);
    }
    assert.equal(pids.size, 2, 'both workers answered some of the requests');

    // Any worker gives the cluster-wide sum: scrape a few times on fresh connections.
    for (let i = 0; i < 3; i++) {
      const res = await fetchText(port, '/metrics', { headers: TOKEN });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const text = res.body;
      assert.equal(sample(text, 'nuages_http_requests_total{method="GET",route="/items/<int:pk>/",status="200"}'), requests);
      assert.equal(sample(text, 'nuages_http_request_duration_seconds_count{method="GET",route="/items/<int:pk>/",status="200"}'), requests);
      assert.equal(sample(text, 'nuages_cache_calls_total{alias="default",op="get",result="miss"}'), requests);
      assert.ok(sample(text, 'nuages_db_queries_total{alias="default",outcome="ok"}')! >= requests, 'one COUNT(*) per request at least');
      assert.equal(sample(text, 'nuages_http_requests_in_flight'), 0);
      assert.ok(sample(text, 'nuages_db_pool_connections{alias="default",state="total"}')! >= 1, 'the workers hold pooled connections');
      assert.ok(sample(text, 'nodejs_heap_size_used_bytes')! > 0, 'default metrics are there');
      assert.doesNotMatch(text, /route="\/items\/\d+\/"/, 'raw paths never become labels');
    }

    await fetchText(port, '/nowhere/', { headers: { Host: 'example.com' } });
    const later = (await fetchText(port, '/metrics', { headers: TOKEN })).body;
    assert.equal(sample(later, 'nuages_http_requests_total{method="GET",route="<unmatched>",status="404"}'), 1);
  });
});

describe('scrapeAllowed', () => {
  const request = (remoteAddress: string, authorization?: string) =>
    ({ headers: authorization === undefined ? {} : { authorization }, socket: { remoteAddress } }) as unknown as Parameters<typeof scrapeAllowed>[0];

  test('lets in the bearer token or an allowed address, nothing else', () => {
    const config = { TOKEN: 'abc', ALLOWED_IPS: ['10.0.0.9'] };
    assert.equal(scrapeAllowed(request('10.0.0.1', 'Bearer abc'), config), true);
    assert.equal(scrapeAllowed(request('10.0.0.1', 'Bearer abd'), config), false);
    assert.equal(scrapeAllowed(request('10.0.0.1', 'Basic abc'), config), false);
    assert.equal(scrapeAllowed(request('::ffff:10.0.0.9'), config), true);
    assert.equal(scrapeAllowed(request('127.0.0.1'), config), false, 'loopback is not special once something is configured');
  });

  test('with neither a token nor addresses, only loopback', () => {
    assert.equal(scrapeAllowed(request('127.0.0.1'), {}), true);
    assert.equal(scrapeAllowed(request('::1'), {}), true);
    assert.equal(scrapeAllowed(request('10.0.0.1', 'Bearer '), {}), false);
  });
});

/**
 * The bookshop against Django 5.2 in production shape (not a test), `npm run bench:bookshop`.
 *
 * One run: a fresh PostgreSQL database migrated and seeded by the bookshop (seed_demo, 60
 * books); the bookshop under `manage.ts serve --workers 2` (DEBUG off); the Django version in
 * bench/bookshop/django (same tables, models, queries and template) under gunicorn with 2
 * sync workers, and with 2 gthread workers of 4 threads (BENCH_GTHREAD=0 leaves it out); no
 * nginx in front of any. Both pages are checked first: 200, the same HTML bytes, the same
 * JSON. Then autocannon on loopback, rounds interleaved (every server and page once per
 * round), and the medians of requests/s, p50 and p99 per server and page, the ratios, and
 * one JSON line. Beside them, the CPU time per request of each server's processes and of the
 * PostgreSQL backends (cpu.ts): on a small machine shared with the load generator and the
 * database, throughput shows how the machine coped, CPU time what each stack costs.
 * The servers are stopped and the database dropped at the end, even on failure.
 *
 * The pages:
 *   /books/      the first page of the list: cachePage(5 min) + varyOnCookie in the bookshop,
 *                cache_page + vary_on_cookie in Django, both on a per-worker local-memory
 *                cache; a miss costs 3 queries (count, page JOIN publisher, its authors).
 *   /api/books/  the same page as JSON, uncached: the 3 queries on every request.
 *
 * Differences between the two stacks, for these anonymous GETs:
 *   - The bookshop's MIDDLEWARE also holds ContentSecurityPolicyMiddleware (a CSP header on
 *     every response) and RateLimitMiddleware (rules for POSTs only); Django 5.2 has neither
 *     (CSP arrived in Django 6.0), so Django sends one header less and runs two layers less.
 *     The rest is the same list in the same order: Security, the X-Request-Duration timer,
 *     GZip, ConditionalGet, Session (db engine), Common, Csrf, Authentication, Messages,
 *     XFrameOptions; no request carries a cookie, so no session is read.
 *   - The bookshop's cachePage also forgets a page when a catalogue model is saved; Django's
 *     cache_page only expires. Nothing writes during the bench.
 *   - gunicorn's sync workers close the connection after each response (no keep-alive);
 *     serve and gthread keep it open. That is how each is deployed without a proxy.
 *   - Django's URLconf holds only the URL names the page's header reverses.
 *
 * BENCH_ROUNDS (5), BENCH_SECONDS (10), BENCH_CONNECTIONS (32) tune the load.
 */
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { median } from '../stats.ts';
import { cpuSecondsBetween, groupCpu, postgresCpu } from './cpu.ts';
import {
  createDatabase, djangoAvailable, dropDatabase, migrateAndSeed, startDjango, startNuages, stop, THREADS, WORKERS, type Server,
} from './servers.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const WARMUP_S = 2;
const GTHREAD = process.env['BENCH_GTHREAD'] !== '0';
const PAGES = { page: '/books/', api: '/api/books/' } as const;
type Page = keyof typeof PAGES;
const GOAL = 10;
/** This run's own database, dropped at the end. */
const database = `nuages_bench_bookshop_${process.pid}`;

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU µs per request: the server's processes, and the PostgreSQL backends of the bench's database. */
  serverCpu: number;
  pgCpu: number;
}

async function load(server: Server, path: string, seconds: number): Promise<Sample> {
  const cpuBefore = groupCpu(server.child.pid!);
  const pgBefore = postgresCpu(database);
  const result = await autocannon({ url: `http://127.0.0.1:${server.port}${path}`, connections: CONNECTIONS, duration: seconds });
  const perRequest = (cpuSeconds: number) => (cpuSeconds * 1e6) / Math.max(result.requests.total, 1);
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    serverCpu: perRequest(cpuSecondsBetween(cpuBefore, groupCpu(server.child.pid!))),
    pgCpu: perRequest(cpuSecondsBetween(pgBefore, postgresCpu(database))),
  };
}

async function get(server: Server, path: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${server.name} answered ${response.status} on ${path}:\n${body.slice(0, 2_000)}`);
  return body;
}

/**
 * Both servers must serve the same thing, or the comparison means nothing: the same HTML
 * (the template copies in bench/bookshop/django must follow the bookshop's) and the same JSON.
 */
async function checkSame(nuages: Server, others: Server[]): Promise<string> {
  const html = await get(nuages, PAGES.page);
  const json: unknown = JSON.parse(await get(nuages, PAGES.api));
  for (const other of others) {
    if ((await get(other, PAGES.page)) !== html) {
      throw new Error(`${other.name} and nuages render ${PAGES.page} differently: update bench/bookshop/django/catalog/templates to follow the bookshop's templates.`);
    }
    if (!isDeepStrictEqual(JSON.parse(await get(other, PAGES.api)), json)) {
      throw new Error(`${other.name} and nuages answer ${PAGES.api} differently: update bench/bookshop/django/catalog/views.py to follow apiBooks.`);
    }
  }
  const rows = html.match(/<li>\s*<a href="\/books\/\d+\/">/g)?.length ?? 0;
  const results = (json as { results: unknown[]; count: number }).results.length;
  if (rows === 0 || rows !== results) throw new Error(`Expected the same books in the page and the API, found ${rows} rows and ${results} results.`);
  return `${rows} books of ${(json as { count: number }).count} on both pages, identical HTML (${html.length} bytes) and JSON`;
}

async function measure(servers: Server[]): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>();
  for (const page of Object.keys(PAGES) as Page[]) {
    for (const server of servers) {
      await load(server, PAGES[page], WARMUP_S);
      samples.set(`${page} ${server.name}`, []);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const page of Object.keys(PAGES) as Page[]) {
      for (const server of servers) samples.get(`${page} ${server.name}`)!.push(await load(server, PAGES[page], SECONDS));
    }
    console.error(`round ${round + 1}/${ROUNDS} done`);
  }
  return samples;
}

type Figures = Sample;

function summarize(samples: Sample[]): Figures {
  const middle = (pick: (s: Sample) => number) => median(samples.map(pick));
  return {
    rps: Math.round(middle((s) => s.rps)),
    p50: middle((s) => s.p50),
    p99: middle((s) => s.p99),
    errors: samples.reduce((n, s) => n + s.errors, 0),
    serverCpu: Math.round(middle((s) => s.serverCpu)),
    pgCpu: Math.round(middle((s) => s.pgCpu)),
  };
}

function report(servers: Server[], samples: Map<string, Sample[]>, checked: string): void {
  const figures: Record<string, Record<string, Figures>> = {};
  const verdicts: Record<string, { throughput: number; p99Lower: boolean; goalMet: boolean; serverCpu: number }> = {};
  console.log(`\nBookshop vs Django 5.2 on PostgreSQL, ${WORKERS} workers each, ${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s, loopback, ${availableParallelism()} CPUs`);
  console.log(`Checked: ${checked}.`);
  console.log('page  server            req/s (median)   p50 ms   p99 ms   errors   nuages ×   server CPU µs/req   PostgreSQL CPU µs/req');
  for (const page of Object.keys(PAGES) as Page[]) {
    figures[page] = Object.fromEntries(servers.map((s) => [s.name, summarize(samples.get(`${page} ${s.name}`)!)]));
    const ours = figures[page]['nuages']!;
    for (const server of servers) {
      const f = figures[page][server.name]!;
      console.log(
        `${page.padEnd(4)}  ${server.name.padEnd(16)}  ${String(f.rps).padStart(14)}   ${f.p50.toFixed(1).padStart(6)}   ${f.p99.toFixed(1).padStart(6)}   ${String(f.errors).padStart(6)}   ${(ours.rps / f.rps).toFixed(1).padStart(8)}   ${String(f.serverCpu).padStart(17)}   ${String(f.pgCpu).padStart(21)}`,
      );
    }
    // Measured against Django's best showing, whichever worker class it was.
    const django = servers.filter((s) => s.name !== 'nuages').map((s) => figures[page]![s.name]!);
    const throughput = ours.rps / Math.max(...django.map((f) => f.rps));
    const p99Lower = django.every((f) => ours.p99 < f.p99);
    // What the servers' own work compares at when they, not the machine, are the limit.
    const serverCpu = Math.min(...django.map((f) => f.serverCpu)) / ours.serverCpu;
    verdicts[page] = { throughput: Number(throughput.toFixed(2)), p99Lower, goalMet: throughput >= GOAL && p99Lower, serverCpu: Number(serverCpu.toFixed(2)) };
    console.log(
      `${page}: nuages ${throughput.toFixed(1)}× Django's best throughput (goal ≥ ${GOAL}×), p99 ${p99Lower ? 'lower' : 'NOT lower'} → ` +
        `${verdicts[page].goalMet ? 'goal met' : 'goal missed'}; ${serverCpu.toFixed(1)}× less server CPU per request`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'bookshop',
      workers: WORKERS,
      gthreadThreads: GTHREAD ? THREADS : null,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      seconds: SECONDS,
      pages: PAGES,
      figures,
      verdicts,
    }),
  );
}

if (!djangoAvailable()) {
  throw new Error('bench:bookshop needs the Django virtualenv at .venv-django (gunicorn, Django 5.2, psycopg); see DEVELOPERS.md.');
}
const servers: Server[] = [];
let created = false;
let cleaning: Promise<void> | undefined;
// Idempotent: the finally block and a Ctrl-C may both ask for it.
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(servers.map(stop));
    if (created) await dropDatabase(database);
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

try {
  const databaseUrl = await createDatabase(database);
  created = true;
  await migrateAndSeed(databaseUrl);
  servers.push(await startNuages(databaseUrl, PAGES.page));
  servers.push(await startDjango('sync', databaseUrl, PAGES.page));
  if (GTHREAD) servers.push(await startDjango('gthread', databaseUrl, PAGES.page));
  const checked = await checkSame(servers[0]!, servers.slice(1));
  report(servers, await measure(servers), checked);
} finally {
  await cleanup();
}

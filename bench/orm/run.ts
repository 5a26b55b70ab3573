/**
 * `npm run bench:orm`: Nuages' ORM against hand-written node:sqlite, Kysely,
 * Drizzle and (when its virtualenv is present) Django, on one SQLite file.
 *
 * Prints a table of median milliseconds per operation and the ratios, then one
 * JSON line of the same figures so runs can be compared. Not a test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Book, BENCH_DB, BOOKS, DB_PATH, JOINED_BOOKS, PG_SCHEMA, PUBLISHERS, Publisher, buildDatabase } from './models.ts';
import { drizzleOrm, handWritten, kysely, type Shape, type Workloads } from './peers.ts';
import { handWrittenPg } from './pg-peer.ts';
import { connections } from '../../src/db/index.ts';

const GETS = 1000;
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 15);
const WORKLOADS = ['instances', 'get', 'page', 'values', 'selectRelated', 'prefetch'] as const;
type Workload = (typeof WORKLOADS)[number];

const LABELS: Record<Workload, string> = {
  instances: `all ${BOOKS} books as instances`,
  get: `get(pk), per call (${GETS} calls)`,
  page: 'filter/orderBy page of 100',
  values: `values() of ${BOOKS} rows`,
  selectRelated: `${JOINED_BOOKS} books + publisher (JOIN)`,
  prefetch: `${PUBLISHERS} pubs → books → authors`,
};

/** What one timed operation does, per workload; `get` runs GETS lookups and reports per call. */
function operations(w: Workloads): Record<Workload, () => Promise<unknown>> {
  return {
    instances: async () => w.instances(),
    get: async () => {
      for (let id = 1; id <= GETS; id++) await w.get(id);
    },
    page: async () => w.page(),
    values: async () => w.values(),
    selectRelated: async () => w.selectRelated(),
    prefetch: async () => w.prefetch(),
  };
}

function nuages(): Workloads {
  return {
    instances: () => Book.objects.all(),
    get: (id) => Book.objects.get({ pk: id }),
    page: () => Book.objects.filter({ rating__gte: 3 }).orderBy('-publishedDate').slice(0, 100),
    values: () => Book.objects.values(),
    selectRelated: () => Book.objects.selectRelated('publisher').slice(0, JOINED_BOOKS),
    prefetch: () => Publisher.objects.prefetchRelated('books__authors'),
  };
}

type Row = Record<string, any>;

/**
 * How each tool's relation results are counted: rows, related objects one level
 * down, and two levels down. Nuages reads its prefetched managers (no query).
 */
const SHAPES: Record<string, { selectRelated(rows: Row[]): Shape; prefetch(rows: Row[]): Shape | Promise<Shape> }> = {
  nuages: {
    selectRelated: (rows) => ({ rows: rows.length, nested: rows.filter((b) => b['publisher'].name).length, leaves: 0 }),
    prefetch: async (pubs) => {
      let nested = 0;
      let leaves = 0;
      for (const p of pubs) {
        for (const b of (await p['books']) as Row[]) {
          nested++;
          leaves += ((await b['authors']) as Row[]).length;
        }
      }
      return { rows: pubs.length, nested, leaves };
    },
  },
  hand: {
    selectRelated: (rows) => ({ rows: rows.length, nested: rows.filter((b) => b['publisher'].name).length, leaves: 0 }),
    prefetch: (pubs) => ({ rows: pubs.length, nested: sum(pubs, (p) => p['books'].length), leaves: sum(pubs, (p) => sum(p['books'], (b) => b['authors'].length)) }),
  },
  kysely: {
    selectRelated: (rows) => ({ rows: rows.length, nested: rows.filter((b) => b['publisher__name']).length, leaves: 0 }),
    prefetch: (pubs) => ({ rows: pubs.length, nested: sum(pubs, (p) => p['books'].length), leaves: sum(pubs, (p) => sum(p['books'], (b) => b['authors'].length)) }),
  },
  drizzle: {
    selectRelated: (rows) => ({ rows: rows.length, nested: rows.filter((r) => r['catalog_publisher'].name).length, leaves: 0 }),
    prefetch: (pubs) => ({
      rows: pubs.length,
      nested: sum(pubs, (p) => p['books'].length),
      leaves: sum(pubs, (p) => sum(p['books'], (b) => b['bookAuthors'].filter((ba: Row) => ba['author'].name).length)),
    }),
  },
};

function sum(rows: Row[], f: (row: Row) => number): number {
  let n = 0;
  for (const row of rows) n += f(row);
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median ms of one operation: warm up, then SAMPLES samples of enough repetitions to last ~20 ms. */
async function measure(op: () => Promise<unknown>, perOp: number): Promise<number> {
  const warmEnd = performance.now() + 150;
  let reps = 0;
  while (performance.now() < warmEnd || reps < 3) {
    await op();
    reps++;
  }
  const once = 150 / reps;
  const batch = Math.max(1, Math.round(20 / once));
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await op();
    samples.push((performance.now() - t0) / batch / perOp);
  }
  return median(samples);
}

/** Checks each tool returns what the others do, so no tool wins by doing less. */
async function sanity(name: string, w: Workloads, expected: { selectRelated: Shape; prefetch: Shape } | undefined): Promise<{ selectRelated: Shape; prefetch: Shape }> {
  const all = await w.instances();
  const page = await w.page();
  const values = await w.values();
  if (all.length !== BOOKS || values.length !== BOOKS || page.length !== 100) {
    throw new Error(`${name}: expected ${BOOKS}/${BOOKS}/100 rows, got ${all.length}/${values.length}/${page.length}`);
  }
  await w.get(BOOKS);
  const shapes = {
    selectRelated: SHAPES[name]!.selectRelated((await w.selectRelated()) as Row[]),
    prefetch: await SHAPES[name]!.prefetch((await w.prefetch()) as Row[]),
  };
  for (const key of ['selectRelated', 'prefetch'] as const) {
    const got = JSON.stringify(shapes[key]);
    if (expected && got !== JSON.stringify(expected[key])) throw new Error(`${name}: ${key} loaded ${got}, expected ${JSON.stringify(expected[key])}`);
  }
  return shapes;
}

function runDjango(expected: Shape): Record<Workload, number> | string {
  const python = join(import.meta.dirname, '..', '..', '.venv-django', 'bin', 'python');
  if (!existsSync(python)) return `no Django virtualenv at ${python}`;
  try {
    const target = BENCH_DB === 'postgres' ? `postgres:${PG_SCHEMA}` : DB_PATH;
    const out = execFileSync(python, [join(import.meta.dirname, 'django_bench.py'), target, String(GETS), String(SAMPLES), String(JOINED_BOOKS)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { shape, ...medians } = JSON.parse(out.trim().split('\n').at(-1)!) as Record<Workload, number> & { shape: Shape };
    if (JSON.stringify(shape) !== JSON.stringify(expected)) return `Django's prefetch loaded ${JSON.stringify(shape)}, expected ${JSON.stringify(expected)}`;
    return medians;
  } catch (error) {
    return `Django run failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const pad = (s: string, n: number): string => s.padEnd(n);

await buildDatabase();
// On PostgreSQL the raw limit is hand-written `pg`; Kysely and Drizzle are measured on SQLite only.
const pgHand = BENCH_DB === 'postgres' ? await handWrittenPg() : undefined;
const tools: Record<string, Workloads> = pgHand
  ? { nuages: nuages(), hand: pgHand }
  : { nuages: nuages(), hand: handWritten(DB_PATH), kysely: kysely(DB_PATH), drizzle: drizzleOrm(DB_PATH) };
const medians: Record<string, Partial<Record<Workload, number>>> = {};
let expected: Awaited<ReturnType<typeof sanity>> | undefined;
for (const [name, w] of Object.entries(tools)) expected = await sanity(name, w, expected);
if (expected!.selectRelated.rows !== JOINED_BOOKS || expected!.prefetch.nested !== BOOKS) throw new Error(`unexpected relation shapes ${JSON.stringify(expected)}`);
for (const workload of WORKLOADS) {
  for (const [name, w] of Object.entries(tools)) {
    (medians[name] ??= {})[workload] = await measure(operations(w)[workload], workload === 'get' ? GETS : 1);
  }
}
const django = runDjango(expected!.prefetch);
if (typeof django === 'string') console.log(`note: Django skipped (${django})`);
else medians['django'] = django;

const names = Object.keys(medians);
const peers = names.filter((n) => n !== 'nuages' && n !== 'hand');
// Issue #7: on PostgreSQL every workload within 1.3x of hand-written pg.
const goals: Record<Workload, number | null> = BENCH_DB === 'postgres'
  ? { instances: 1.3, get: 1.3, page: 1.3, values: 1.3, selectRelated: 1.3, prefetch: 1.3 }
  : { instances: 1.5, get: null, page: 1.5, values: 1.2, selectRelated: 1.5, prefetch: 1.5 };
// Issue #3: the relation workloads must also beat Django by 5x or more (ratio ≤ 0.2).
const djangoGoals: Partial<Record<Workload, number>> = { selectRelated: 0.2, prefetch: 0.2 };
const ratios: Record<string, Record<string, number>> = {};
const where = BENCH_DB === 'postgres' ? `PostgreSQL 127.0.0.1:5432, schema ${PG_SCHEMA}` : `SQLite file ${DB_PATH}`;
console.log(`\nbench:orm — median time per operation (${SAMPLES} samples; ${where}; Node ${process.version})\n`);
console.log(pad('workload', 36) + names.map((n) => pad(n, 12)).join('') + pad('nuages/hand', 14) + peers.map((p) => pad(`vs ${p}`, 12)).join(''));
for (const workload of WORKLOADS) {
  const nu = medians['nuages']![workload]!;
  const r: Record<string, number> = { hand: nu / medians['hand']![workload]! };
  for (const p of peers) r[p] = nu / medians[p]![workload]!;
  ratios[workload] = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(3))]));
  const goal = goals[workload];
  const verdict = goal === null ? '' : r['hand']! <= goal ? ` ✓≤${goal}` : ` ✗>${goal}`;
  console.log(
    pad(LABELS[workload], 36) +
      names.map((n) => pad(fmt(medians[n]![workload]!), 12)).join('') +
      pad(`${r['hand']!.toFixed(2)}x${verdict}`, 14) +
      peers
        .map((p) => {
          const dj = p === 'django' ? djangoGoals[workload] : undefined;
          return pad(`${r[p]!.toFixed(2)}x${dj === undefined ? '' : r[p]! <= dj ? ` ✓≤${dj}` : ` ✗>${dj}`}`, 12);
        })
        .join(''),
  );
}
console.log('\nratios are Nuages time / other time: below 1 means Nuages is faster.');
const round = (o: Record<string, Partial<Record<Workload, number>>>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([w, ms]) => [w, Number(ms!.toFixed(5))]))]));
await pgHand?.close();
await connections.closeAll();
console.log(JSON.stringify({ bench: 'orm', db: BENCH_DB, unit: 'ms/op', node: process.version, samples: SAMPLES, medians: round(medians), ratios }));

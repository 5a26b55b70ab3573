/**
 * Cached bookshop pages against the same pages uncached: the bookshop is migrated and
 * seeded into a throw-away SQLite file, then served twice by `manage.ts serve` with one
 * worker — once with CACHE_URL=locmem:// (the pages come from `cachePage`), once with
 * CACHE_URL=dummy:// (the same code, every request renders and queries) — and each is
 * loaded by autocannon on loopback, rounds interleaved. Two pages: a book (2 small
 * queries) and a search of the list (a count and a page of a LIKE over three joins).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { median } from '../stats.ts';

const MANAGE = join(import.meta.dirname, '..', '..', 'examples', 'bookshop', 'manage.ts');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROUND_S = Number(process.env['BENCH_ROUND_S'] ?? 2.5);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const PAGES = ['/books/7/', '/books/?q=django'];

export interface PageResult {
  readonly name: string;
  readonly rps: number;
  readonly latencyP50: number;
  readonly errors: number;
}


function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MANAGE, 'serve', '127.0.0.1:0', '--workers', '1', '--skip-checks'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the bookshop did not start within 20 s:\n${text}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /Listening on http:\/\/[^:]+:(\d+)\//.exec(text);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`the bookshop exited with code ${code}:\n${text}`)));
  });
}

async function load(port: number, page: string, seconds: number): Promise<{ rps: number; latencyP50: number; errors: number }> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${page}`, connections: CONNECTIONS, duration: seconds });
  return { rps: result.requests.total / seconds, latencyP50: result.latency.p50, errors: result.errors + result.timeouts + result.non2xx };
}

/** Requests per second of each page in PAGES, cached and uncached (medians of the rounds). */
export async function benchPage(): Promise<PageResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'nuages-bench-cache-'));
  const base = { ...process.env, DATABASE_URL: `sqlite:///${join(dir, 'db.sqlite3')}`, DEBUG: 'false', NO_COLOR: '1' };
  const targets = { cached: { ...base, CACHE_URL: 'locmem://' }, uncached: { ...base, CACHE_URL: 'dummy://' } };
  const servers = new Map<string, { child: ChildProcess; port: number }>();
  try {
    for (const command of ['migrate', 'seed_demo']) {
      const run = spawnSync(process.execPath, [MANAGE, command], { env: base, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`${command} failed:\n${run.stdout}${run.stderr}`);
    }
    for (const [name, env] of Object.entries(targets)) servers.set(name, await start(env));
    const results: PageResult[] = [];
    for (const page of PAGES) {
      const samples = new Map<string, Array<{ rps: number; latencyP50: number; errors: number }>>();
      for (const [name, server] of servers) {
        await load(server.port, page, 1);
        samples.set(name, []);
      }
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, server] of servers) samples.get(name)!.push(await load(server.port, page, ROUND_S));
      }
      for (const [name, runs] of samples) {
        results.push({
          name: `${page} ${name}`,
          rps: median(runs.map((run) => run.rps)),
          latencyP50: median(runs.map((run) => run.latencyP50)),
          errors: runs.reduce((sum, run) => sum + run.errors, 0),
        });
      }
    }
    return results;
  } finally {
    for (const { child } of servers.values()) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

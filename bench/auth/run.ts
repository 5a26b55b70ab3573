/**
 * Auth benchmark (not a test), `npm run bench:auth`:
 *
 *   1. a logged-in page through SessionMiddleware + AuthenticationMiddleware, the session
 *      in SQLite (db) and in Redis (cache), against the same minimal page without them
 *      (plain): requests per second with autocannon on loopback, each target in its own
 *      process, rounds interleaved; the overhead is 1 - rps(target) / rps(plain). Goal:
 *      under 15% on the cache backend.
 *   2. checkPassword() with the default hasher against Django's check_password
 *      (bench/auth/passwords.ts).
 *
 * Prints tables, then one JSON line of medians and ratios.
 * BENCH_ROUNDS, BENCH_ROUND_S, BENCH_CONNECTIONS tune the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { median } from '../stats.ts';
import { run as runPasswords } from './passwords.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const ROUND_S = Number(process.env['BENCH_ROUND_S'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const TARGETS = ['plain', 'db', 'cache'] as const;
type Target = (typeof TARGETS)[number];

function start(kind: Target): Promise<{ child: ChildProcess; port: number; cookie: string }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'server.ts'), kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start within 30 s:\n${text}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /READY (\d+) ?(\S*)/.exec(text);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]), cookie: match[2] ?? '' });
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited with code ${code}:\n${text}`)));
  });
}

async function load(port: number, cookie: string): Promise<{ rps: number; errors: number; body: string }> {
  const headers = cookie ? { cookie } : {};
  const probe = await fetch(`http://127.0.0.1:${port}/me/`, { headers });
  const body = await probe.text();
  const result = await autocannon({ url: `http://127.0.0.1:${port}/me/`, connections: CONNECTIONS, duration: ROUND_S, headers });
  return { rps: result.requests.total / ROUND_S, errors: result.errors + result.timeouts + result.non2xx, body };
}

const servers = new Map<Target, { child: ChildProcess; port: number; cookie: string }>();
try {
  for (const kind of TARGETS) servers.set(kind, await start(kind));
  const samples = new Map<Target, number[]>(TARGETS.map((kind) => [kind, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of TARGETS) {
      const { port, cookie } = servers.get(kind)!;
      const { rps, errors, body } = await load(port, cookie);
      if (errors > 0) throw new Error(`${kind}: ${errors} failed requests`);
      if (kind !== 'plain' && !body.includes('"user":"bench-')) throw new Error(`${kind}: the page did not see the logged-in user: ${body}`);
      samples.get(kind)!.push(rps);
    }
  }
  const rps = Object.fromEntries(TARGETS.map((kind) => [kind, median(samples.get(kind)!)])) as Record<Target, number>;
  const overhead = (kind: Target) => 1 - rps[kind] / rps.plain;
  console.log(`\nLogged-in page, ${ROUNDS} rounds of ${ROUND_S} s, ${CONNECTIONS} connections (median requests/s)`);
  console.log(`${'target'.padEnd(48)} ${'req/s'.padStart(9)} ${'overhead'.padStart(9)}`);
  console.log(`${'plain page, no middleware'.padEnd(48)} ${rps.plain.toFixed(0).padStart(9)} ${'-'.padStart(9)}`);
  console.log(`${'sessions + auth, session in SQLite (db)'.padEnd(48)} ${rps.db.toFixed(0).padStart(9)} ${`${(overhead('db') * 100).toFixed(1)}%`.padStart(9)}`);
  console.log(`${'sessions + auth, session in Redis (cache)'.padEnd(48)} ${rps.cache.toFixed(0).padStart(9)} ${`${(overhead('cache') * 100).toFixed(1)}%`.padStart(9)}`);
  const passwords = await runPasswords();
  console.log(
    JSON.stringify({
      page: { rps, overheadDb: overhead('db'), overheadCache: overhead('cache'), goalCacheOverhead: 0.15 },
      passwords,
    }),
  );
} finally {
  for (const { child } of servers.values()) child.kill();
}

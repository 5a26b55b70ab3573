/**
 * Auth benchmark (not a test), `npm run bench:auth`:
 *
 *   1. a logged-in page through SessionMiddleware + AuthenticationMiddleware, the session
 *      in SQLite (db) and in Redis (cache), against the same minimal page without them
 *      (plain): requests per second with autocannon on loopback, each target in its own
 *      process, rounds interleaved; the overhead is 1 - rps(target) / rps(plain). Goal:
 *      under 15% on the cache backend.
 *      The raw limit runs beside them (raw-server.ts): a node:http page with no I/O, and
 *      the same page after the Redis GET and SQLite row read a logged-in page cannot
 *      avoid; its overhead is the floor under any session + auth layer. Beside requests
 *      per second, each server's own CPU time per request is read from /proc (Linux): on
 *      a busy machine it moves less than throughput does.
 *   2. checkPassword() with the default hasher against Django's check_password
 *      (bench/auth/passwords.ts).
 *
 * Prints tables, then one JSON line of medians and ratios.
 * BENCH_ROUNDS, BENCH_ROUND_S, BENCH_CONNECTIONS tune the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { median } from '../stats.ts';
import { run as runPasswords } from './passwords.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const ROUND_S = Number(process.env['BENCH_ROUND_S'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const ALL_TARGETS = ['plain', 'db', 'cache', 'raw-page', 'raw-io', 'django-page', 'django-cache'] as const;
type Target = (typeof ALL_TARGETS)[number];
const DJANGO_PYTHON = join(import.meta.dirname, '..', '..', '.venv-django', 'bin', 'python');
// The Django peer needs the virtualenv DEVELOPERS.md describes; without it the table says so.
const TARGETS = ALL_TARGETS.filter((kind) => !kind.startsWith('django-') || existsSync(DJANGO_PYTHON));

/** A free loopback port, for the Django peer (gunicorn is told its port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function spawnTarget(kind: Target): Promise<ChildProcess> {
  const options = { stdio: ['ignore', 'pipe', 'inherit'] as ('ignore' | 'pipe' | 'inherit')[] };
  if (kind.startsWith('django-')) {
    return spawn(DJANGO_PYTHON, [join(import.meta.dirname, 'django', 'serve.py'), kind.slice(7), String(await freePort())], options);
  }
  const [script, argument] = kind.startsWith('raw-') ? ['raw-server.ts', kind.slice(4)] : ['server.ts', kind];
  return spawn(process.execPath, [join(import.meta.dirname, script), argument], options);
}

async function start(kind: Target): Promise<{ child: ChildProcess; port: number; cookie: string }> {
  const child = await spawnTarget(kind);
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

/**
 * CPU seconds (user + system) used by the process and its children (gunicorn's worker),
 * from /proc; NaN where there is no /proc.
 */
function cpuSeconds(pid: number): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    const own = (Number(fields[11]) + Number(fields[12])) / 100;
    return own + (children === '' ? 0 : children.split(' ').reduce((sum, child) => sum + cpuSeconds(Number(child)), 0));
  } catch {
    return Number.NaN;
  }
}

async function load(pid: number, port: number, cookie: string): Promise<{ rps: number; cpuUs: number; errors: number; body: string }> {
  const headers = cookie ? { cookie } : {};
  const probe = await fetch(`http://127.0.0.1:${port}/me/`, { headers });
  const body = await probe.text();
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url: `http://127.0.0.1:${port}/me/`, connections: CONNECTIONS, duration: ROUND_S, headers });
  const cpuUs = ((cpuSeconds(pid) - cpuBefore) / result.requests.total) * 1e6;
  return { rps: result.requests.total / ROUND_S, cpuUs, errors: result.errors + result.timeouts + result.non2xx, body };
}

const servers = new Map<Target, { child: ChildProcess; port: number; cookie: string }>();
try {
  for (const kind of TARGETS) servers.set(kind, await start(kind));
  const samples = new Map<Target, number[]>(TARGETS.map((kind) => [kind, []]));
  const cpuSamples = new Map<Target, number[]>(TARGETS.map((kind) => [kind, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of TARGETS) {
      const { child, port, cookie } = servers.get(kind)!;
      const { rps, cpuUs, errors, body } = await load(child.pid!, port, cookie);
      if (errors > 0) throw new Error(`${kind}: ${errors} failed requests`);
      if (!kind.endsWith('page') && kind !== 'plain' && !/"user": ?"bench-/.test(body)) throw new Error(`${kind}: the page did not see the logged-in user: ${body}`);
      samples.get(kind)!.push(rps);
      cpuSamples.get(kind)!.push(cpuUs);
    }
  }
  const rps = Object.fromEntries(TARGETS.map((kind) => [kind, median(samples.get(kind)!)])) as Record<Target, number>;
  const cpu = Object.fromEntries(TARGETS.map((kind) => [kind, median(cpuSamples.get(kind)!)])) as Record<Target, number>;
  const baseline = (kind: Target): Target => (kind.startsWith('raw-') ? 'raw-page' : kind.startsWith('django-') ? 'django-page' : 'plain');
  const overhead = (kind: Target) => 1 - rps[kind] / rps[baseline(kind)];
  const cpuOverhead = (kind: Target) => cpu[kind] / cpu[baseline(kind)] - 1;
  const rows: [Target, string][] = [
    ['plain', 'plain page, no middleware'],
    ['db', 'sessions + auth, session in SQLite (db)'],
    ['cache', 'sessions + auth, session in Redis (cache)'],
    ['raw-page', 'raw limit: node:http page, no I/O'],
    ['raw-io', 'raw limit: + Redis GET + SQLite row by pk'],
    ['django-page', 'Django 5.2 + gunicorn (1 worker): page'],
    ['django-cache', 'Django: sessions + auth, session in Redis'],
  ];
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  console.log(`\nLogged-in page, ${ROUNDS} rounds of ${ROUND_S} s, ${CONNECTIONS} connections (medians)`);
  console.log(`${'target'.padEnd(46)} ${'req/s'.padStart(8)} ${'-req/s'.padStart(8)} ${'CPU µs/req'.padStart(11)} ${'+CPU'.padStart(8)}`);
  for (const [kind, label] of rows) {
    if (!TARGETS.includes(kind)) {
      console.log(`${label.padEnd(46)} not run: ${DJANGO_PYTHON} is missing (see DEVELOPERS.md)`);
      continue;
    }
    const first = kind === baseline(kind);
    console.log(
      `${label.padEnd(46)} ${rps[kind].toFixed(0).padStart(8)} ${(first ? '-' : percent(overhead(kind))).padStart(8)} ` +
        `${cpu[kind].toFixed(1).padStart(11)} ${(first ? '-' : percent(cpuOverhead(kind))).padStart(8)}`,
    );
  }
  const passwords = await runPasswords();
  console.log(
    JSON.stringify({
      page: {
        rps,
        cpuUsPerRequest: cpu,
        overheadDb: overhead('db'),
        overheadCache: overhead('cache'),
        rawIoOverhead: overhead('raw-io'),
        cpuOverheadCache: cpuOverhead('cache'),
        cpuOverheadRawIo: cpuOverhead('raw-io'),
        overheadDjangoCache: overhead('django-cache'),
        cpuOverheadDjangoCache: cpuOverhead('django-cache'),
        goalCacheOverhead: 0.15,
      },
      passwords,
    }),
  );
} finally {
  for (const { child } of servers.values()) child.kill();
}

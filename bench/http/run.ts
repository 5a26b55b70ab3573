/**
 * HTTP benchmark: a JSON hello view through Nuages (node:http server, handler,
 * Django's default middleware stack as far as it exists, URL resolver, view,
 * JsonResponse) against the raw limit (a hand-written node:http handler) and
 * Fastify, each in its own process, loaded by autocannon on loopback.
 *
 * Rounds are interleaved (nuages, node, fastify, nuages, …) so a slow moment of
 * the machine hits every target alike; each figure is the median of the rounds.
 * Bounded: about 30 s in all. Prints a table, then one JSON line.
 * Run: npm run bench:http  (BENCH_ROUNDS, BENCH_ROUND_S, BENCH_CONNECTIONS to tune)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import autocannon from 'autocannon';
import { median } from '../stats.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROUND_S = Number(process.env['BENCH_ROUND_S'] ?? 2.5);
const WARMUP_S = 1;
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const TARGETS = ['nuages', 'node', 'fastify'] as const;
type Target = (typeof TARGETS)[number];

interface Started {
  child: ChildProcess;
  port: number;
  details: Record<string, unknown>;
}

function startTarget(kind: Target): Promise<Started> {
  const child = spawn(process.execPath, [new URL('./server.ts', import.meta.url).pathname, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within 15 s:\n${text}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /^READY (\d+) (.*)$/m.exec(text);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, port: Number(match[1]), details: JSON.parse(match[2]!) as Record<string, unknown> });
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited with code ${code}:\n${text}`)));
  });
}

async function load(port: number, seconds: number): Promise<{ rps: number; latencyP50: number; errors: number }> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/hello/`, connections: CONNECTIONS, duration: seconds });
  return {
    rps: result.requests.total / seconds,
    latencyP50: result.latency.p50,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}


const servers = new Map<Target, Started>();
try {
  for (const kind of TARGETS) servers.set(kind, await startTarget(kind));
  const samples = new Map<Target, Array<{ rps: number; latencyP50: number; errors: number }>>(TARGETS.map((k) => [k, []]));
  for (const kind of TARGETS) await load(servers.get(kind)!.port, WARMUP_S);
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of TARGETS) samples.get(kind)!.push(await load(servers.get(kind)!.port, ROUND_S));
  }

  const rps = Object.fromEntries(TARGETS.map((k) => [k, median(samples.get(k)!.map((s) => s.rps))])) as Record<Target, number>;
  const p50 = Object.fromEntries(TARGETS.map((k) => [k, median(samples.get(k)!.map((s) => s.latencyP50))])) as Record<Target, number>;
  const errors = Object.fromEntries(TARGETS.map((k) => [k, samples.get(k)!.reduce((n, s) => n + s.errors, 0)])) as Record<Target, number>;
  const middleware = (servers.get('nuages')!.details['middleware'] as string[]) ?? [];

  console.log(`HTTP hello JSON, ${CONNECTIONS} connections, ${ROUNDS} × ${ROUND_S} s per target, loopback, ${availableParallelism()} CPUs`);
  console.log(`Nuages middleware: ${middleware.length ? middleware.map((m) => m.split('#')[1]).join(', ') : '(none)'}`);
  console.log('target      req/s (median)   p50 latency ms   errors   vs node:http');
  for (const kind of TARGETS) {
    console.log(
      `${kind.padEnd(10)}  ${rps[kind].toFixed(0).padStart(14)}   ${p50[kind].toFixed(1).padStart(14)}   ${String(errors[kind]).padStart(6)}   ${(rps[kind] / rps.node).toFixed(2).padStart(12)}`,
    );
  }
  const ratioFastify = rps.nuages / rps.fastify;
  console.log(`Nuages / Fastify: ${ratioFastify.toFixed(2)} (goal ≥ 0.75)`);
  console.log(
    JSON.stringify({
      bench: 'http',
      connections: CONNECTIONS,
      rounds: ROUNDS,
      roundSeconds: ROUND_S,
      middleware,
      rps: Object.fromEntries(TARGETS.map((k) => [k, Math.round(rps[k])])),
      p50LatencyMs: p50,
      errors,
      ratios: {
        nuagesVsNode: Number((rps.nuages / rps.node).toFixed(3)),
        nuagesVsFastify: Number(ratioFastify.toFixed(3)),
        fastifyVsNode: Number((rps.fastify / rps.node).toFixed(3)),
      },
    }),
  );
} finally {
  for (const { child } of servers.values()) child.kill('SIGTERM');
}

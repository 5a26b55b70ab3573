/**
 * Cache benchmark (not a test): what Nuages's cache costs on a hit against the library
 * under it, and what it buys a page.
 *
 *   1. locmem get / getOrSet hit  vs raw lru-cache (sync, and behind await)
 *   2. redis  get / getOrSet hit  vs raw ioredis getBuffer, same keys and bytes
 *   3. the bookshop's book page cached (cachePage) vs the same page uncached, req/s
 *
 * Goals (issue 8): locmem within 1.3x of lru-cache, Redis within 1.2x of ioredis, a
 * cached page at least 5x the uncached one. Medians of interleaved rounds; a table, then
 * one JSON line. Run: npm run bench:cache (BENCH_ROUNDS, BENCH_LOCAL_OPS, BENCH_REDIS_OPS,
 * BENCH_ROUND_S, BENCH_CONNECTIONS, BENCH_REDIS_URL to tune).
 */
import { availableParallelism } from 'node:os';
import { configure } from '../../src/conf/index.ts';
import { benchLocmem, benchRedis, type MicroResult } from './micro.ts';
import { benchPage } from './page.ts';

configure({ DEBUG: true });

function ratioTable(title: string, results: readonly MicroResult[], baseline: string): Record<string, number> {
  const base = results.find((result) => result.name === baseline)!.nsPerOp;
  console.log(`\n${title}`);
  console.log(`${'target'.padEnd(30)} ${'ns/op (median)'.padStart(15)} ${`vs ${baseline}`.padStart(34)}`);
  const ratios: Record<string, number> = {};
  for (const result of results) {
    ratios[result.name] = result.nsPerOp / base;
    console.log(`${result.name.padEnd(30)} ${result.nsPerOp.toFixed(0).padStart(15)} ${ratios[result.name]!.toFixed(2).padStart(34)}`);
  }
  return ratios;
}

console.log(`Cache benchmark, Node ${process.version}, ${availableParallelism()} CPUs`);
const locmem = await benchLocmem();
const locmemRatios = ratioTable('Local memory, hits on 100 keys (string values)', locmem, 'lru-cache get (awaited)');
const syncRaw = locmem.find((result) => result.name === 'lru-cache get (sync)')!.nsPerOp;
console.log(`(against the synchronous lru-cache get: locmem get ${(locmem.find((r) => r.name === 'nuages locmem get')!.nsPerOp / syncRaw).toFixed(2)}x; every async API pays the await)`);
const redis = await benchRedis();
const redisRatios = ratioTable('Redis, sequential hits on 100 keys', redis, 'ioredis getBuffer');
const pages = await benchPage();
console.log('\nThe bookshop book page, one worker');
for (const page of pages) console.log(`${page.name.padEnd(36)} ${page.rps.toFixed(0).padStart(8)} req/s   p50 ${page.latencyP50.toFixed(1)} ms   errors ${page.errors}`);
const speedup = pages[0]!.rps / pages[1]!.rps;
console.log(`cached / uncached: ${speedup.toFixed(1)}x`);
console.log(JSON.stringify({ locmem, locmemRatios, redis, redisRatios, pages, speedup }));

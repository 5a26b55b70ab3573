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

function ratioTable(title: string, results: readonly MicroResult[]): Record<string, number> {
  console.log(`\n${title}`);
  console.log(`${'target'.padEnd(30)} ${'ns/op (median)'.padStart(15)} ${`vs ${results[0]!.name} (median of per-round ratios)`.padStart(58)}`);
  const ratios: Record<string, number> = {};
  for (const result of results) {
    ratios[result.name] = result.ratio;
    console.log(`${result.name.padEnd(30)} ${result.nsPerOp.toFixed(0).padStart(15)} ${result.ratio.toFixed(2).padStart(58)}`);
  }
  return ratios;
}

console.log(`Cache benchmark, Node ${process.version}, ${availableParallelism()} CPUs`);
const locmem = await benchLocmem();
const locmemRatios = ratioTable('Local memory, hits on 100 keys (string values)', locmem);
console.log('(the synchronous lru-cache get is the floor no async API reaches: every call pays an await)');
const redis = await benchRedis();
const redisRatios = ratioTable('Redis, sequential hits on 100 keys', redis);
const pages = await benchPage();
console.log('\nBookshop pages, one worker (cachePage on locmem vs the same code on the dummy cache)');
const speedup: Record<string, number> = {};
for (let i = 0; i < pages.length; i += 2) {
  const [cached, uncached] = [pages[i]!, pages[i + 1]!];
  for (const page of [cached, uncached]) console.log(`${page.name.padEnd(36)} ${page.rps.toFixed(0).padStart(8)} req/s   p50 ${page.latencyP50.toFixed(1)} ms   errors ${page.errors}`);
  speedup[cached.name.split(' ')[0]!] = cached.rps / uncached.rps;
  console.log(`${''.padEnd(36)} cached / uncached: ${(cached.rps / uncached.rps).toFixed(1)}x`);
}
console.log(JSON.stringify({ locmem, locmemRatios, redis, redisRatios, pages, speedup }));

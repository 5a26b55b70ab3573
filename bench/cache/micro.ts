/**
 * Cache micro-benchmarks: the cost Nuages's cache adds on a hit, against the
 * library underneath used directly on the same keys and values.
 *
 *   locmem `get` and `getOrSet` hits   vs  raw lru-cache (sync `get`, and the same
 *                                           call behind `await`, the floor of any
 *                                           async cache API)
 *   redis  `get` and `getOrSet` hits   vs  raw ioredis `getBuffer` of the same key
 *
 * Targets are interleaved round by round; each figure is the median ns/op of the
 * rounds. Redis calls are sequential (one in flight), the latency a view sees.
 */
import { LRUCache } from 'lru-cache';
import { createCache } from '../../src/cache/index.ts';
import { median } from '../stats.ts';

const LOCAL_ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 41);
const REDIS_ROUNDS = Number(process.env['BENCH_REDIS_ROUNDS'] ?? 15);
const LOCAL_OPS = Number(process.env['BENCH_LOCAL_OPS'] ?? 20_000);
const REDIS_OPS = Number(process.env['BENCH_REDIS_OPS'] ?? 1_000);
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/15';
const KEYS = 100;

export interface MicroResult {
  readonly name: string;
  /** Median ns per call over the rounds. */
  readonly nsPerOp: number;
  /** Median over the rounds of (this target's time / the first target's time in the same round). */
  readonly ratio: number;
}

type Op = (i: number) => unknown;

/**
 * Time `ops` calls of each target per round, interleaved, the first target being the
 * baseline. Rounds are short and each ratio is taken within its round, so a slow
 * moment of a shared machine weighs on both sides of a ratio alike.
 */
async function measure(targets: Readonly<Record<string, Op>>, ops: number, rounds: number): Promise<MicroResult[]> {
  const names = Object.keys(targets);
  const samples = new Map<string, number[]>(names.map((name) => [name, []]));
  const ratios = new Map<string, number[]>(names.map((name) => [name, []]));
  for (let round = -2; round < rounds; round++) {
    const times: number[] = [];
    for (const op of Object.values(targets)) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < ops; i++) {
        const result = op(i);
        if (result instanceof Promise) await result;
      }
      times.push(Number(process.hrtime.bigint() - start) / ops);
    }
    if (round < 0) continue;
    names.forEach((name, i) => {
      samples.get(name)!.push(times[i]!);
      ratios.get(name)!.push(times[i]! / times[0]!);
    });
  }
  return names.map((name) => ({ name, nsPerOp: median(samples.get(name)!), ratio: median(ratios.get(name)!) }));
}

const value = 'a cached fragment of about sixty characters, as HTML: <b>hi</b>';
const keys = Array.from({ length: KEYS }, (_, i) => `book:${i}`);

/** locmem against lru-cache on the same keys and string values. */
export async function benchLocmem(): Promise<MicroResult[]> {
  const cache = createCache('bench', { BACKEND: 'locmem', LOCATION: 'bench', OPTIONS: { MAX_ENTRIES: 10_000 } });
  const raw = new LRUCache<string, string>({ max: 10_000 });
  // What a user of lru-cache who needs expiry writes: per-entry TTLs (ms), checked on get.
  const rawTtl = new LRUCache<string, string>({ max: 10_000, ttl: 3_600_000 });
  for (const key of keys) {
    await cache.set(key, value, 3600);
    raw.set(key, value);
    rawTtl.set(key, value);
  }
  const producer = (): string => value;
  return measure(
    {
      'lru-cache get (awaited)': async (i) => raw.get(keys[i % KEYS]!),
      'lru-cache get (sync)': (i) => raw.get(keys[i % KEYS]!),
      'lru-cache+ttl get (awaited)': async (i) => rawTtl.get(keys[i % KEYS]!),
      'nuages locmem get': (i) => cache.get(keys[i % KEYS]!),
      'nuages locmem getOrSet': (i) => cache.getOrSet(keys[i % KEYS]!, producer, 3600),
    },
    LOCAL_OPS,
    LOCAL_ROUNDS,
  );
}

/** RedisCache against ioredis on the same keys and bytes. */
export async function benchRedis(): Promise<MicroResult[]> {
  const { Redis } = await import('ioredis');
  const cache = createCache('bench-redis', { BACKEND: 'redis', LOCATION: REDIS_URL, KEY_PREFIX: 'bench' });
  const raw = new Redis(REDIS_URL);
  try {
    for (const key of keys) await cache.set(key, value, 3600);
    const fullKeys = keys.map((key) => cache.makeKey(key));
    const producer = (): string => value;
    return await measure(
      {
        'ioredis getBuffer': (i) => raw.getBuffer(fullKeys[i % KEYS]!),
        'nuages redis get': (i) => cache.get(keys[i % KEYS]!),
        'nuages redis getOrSet': (i) => cache.getOrSet(keys[i % KEYS]!, producer, 3600),
      },
      REDIS_OPS,
      REDIS_ROUNDS,
    );
  } finally {
    raw.disconnect();
    await cache.close();
  }
}

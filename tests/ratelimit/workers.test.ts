/**
 * The brute-force attack across worker processes: `manage.ts serve --workers 2` (a real
 * cluster, balancing connections between two processes) with the login page limited to
 * 10 POSTs a minute per address. Counted in Redis (database 14, a key prefix of its own
 * per run, deleted after), the 11th POST gets 429 whichever worker it reaches; counted in
 * each worker's memory, the limit would only hold per worker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { fetchText, spawnNode, stopProcess, type SimpleResponse, type Spawned } from '../core/servers/helpers.ts';

const MANAGE = join(import.meta.dirname, 'fixtures', 'site', 'manage.ts');
const PREFIX = `nuages-test-rl-workers-${randomUUID()}`;
const raw = new Redis('redis://127.0.0.1:6379/14', { lazyConnect: true });
const started: Spawned[] = [];

before(async () => {
  try {
    await raw.connect();
  } catch (error) {
    throw new Error(`This test needs Redis on 127.0.0.1:6379 (start it with: redis-server --daemonize yes): ${(error as Error).message}`);
  }
});
after(async () => {
  await Promise.all(started.map(stopProcess));
  const keys = await raw.keys(`${PREFIX}:*`);
  if (keys.length > 0) await raw.del(...keys);
  await raw.quit();
});

async function serve(store: 'redis' | 'memory'): Promise<number> {
  const proc = spawnNode([MANAGE, 'serve', '127.0.0.1:0', '--workers', '2'], { RATELIMIT_TEST_STORE: store, RATELIMIT_TEST_PREFIX: PREFIX });
  started.push(proc);
  const match = await proc.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)\/ with 2 worker/);
  return Number(match[1]);
}

/** `n` login attempts, one after another, each on a new connection (so the cluster spreads them). */
async function logins(port: number, n: number): Promise<SimpleResponse[]> {
  const responses: SimpleResponse[] = [];
  for (let i = 0; i < n; i++) {
    responses.push(await fetchText(port, '/accounts/login/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `username=admin&password=guess-${i}`,
    }));
  }
  return responses;
}

test('11 logins in a minute from one address: the 11th gets 429 with Retry-After, across 2 workers sharing Redis', async () => {
  const port = await serve('redis');
  const responses = await logins(port, 11);
  assert.deepEqual(responses.map((r) => r.status), [...new Array<number>(10).fill(200), 429]);
  const workers = new Set(responses.slice(0, 10).map((r) => r.body));
  assert.equal(workers.size, 2, `both workers answered (${[...workers].join(', ')}), so the count was shared`);
  const retryAfter = Number(responses[10]!.headers['retry-after']);
  assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${responses[10]!.headers['retry-after']}`);
  // Further guesses stay refused, on both workers.
  assert.deepEqual((await logins(port, 4)).map((r) => r.status), [429, 429, 429, 429]);
  assert.equal(await raw.get(`${PREFIX}:10/60s:rule:/accounts/login/:ip:POST:ip:127.0.0.1`), '15');
});

test('control: counted in each worker\'s memory, the same 11 logins all get through', async () => {
  const port = await serve('memory');
  const responses = await logins(port, 11);
  assert.equal(new Set(responses.map((r) => r.body)).size, 2, 'both workers answered');
  assert.deepEqual(responses.map((r) => r.status), new Array<number>(11).fill(200), 'each worker saw about half: why the limit needs Redis');
});

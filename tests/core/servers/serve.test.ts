// `manage.ts serve` as a user runs it: a cluster primary with workers, on loopback,
// driven by signals. Each test starts its own server on a free port.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fetchText, rawExchange, spawnNode, statusOf, stopProcess, type SimpleResponse, type Spawned } from './helpers.ts';

const MANAGE = join(import.meta.dirname, 'fixtures', 'site', 'manage.ts');
const started: Spawned[] = [];

after(async () => {
  await Promise.all(started.map(stopProcess));
});

async function serve(...args: string[]): Promise<{ proc: Spawned; port: number }> {
  const proc = spawnNode([MANAGE, 'serve', '127.0.0.1:0', ...args]);
  started.push(proc);
  const match = await proc.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//);
  return { proc, port: Number(match[1]) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Distinct worker pids seen over `n` fresh connections. */
async function pidsSeen(port: number, n: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < n; i++) pids.add((await fetchText(port, '/pid/')).body);
  return pids;
}

/**
 * `clients` loops, each sending requests one after another on fresh connections
 * until `stop()` is called; every request started is recorded with its outcome.
 */
function load(port: number, clients: number, path: string) {
  let running = true;
  const outcomes: Array<Promise<SimpleResponse | Error>> = [];
  const loops = Array.from({ length: clients }, async () => {
    // Bounded: a loop never sends more than 200 requests, whatever happens to stop().
    for (let i = 0; running && i < 200; i++) {
      const outcome = fetchText(port, path).catch((error: Error) => error);
      outcomes.push(outcome);
      await outcome;
    }
  });
  return {
    /** No new requests from now on; the ones in progress carry on. */
    halt(): void {
      running = false;
    },
    async stop(): Promise<Array<SimpleResponse | Error>> {
      running = false;
      await Promise.all(loops);
      return Promise.all(outcomes);
    },
  };
}

describe('manage.ts serve', () => {
  test('SIGTERM under load: every in-flight request completes, then the server exits 0', async () => {
    const { proc, port } = await serve('--workers', '2');
    const long = Array.from({ length: 6 }, () => fetchText(port, '/slow/?ms=800'));
    const traffic = load(port, 8, '/slow/?ms=250');
    await sleep(600);
    // Connections opened after the signal may be refused: that is the point of stopping.
    // So the clients stop starting requests, and the signal comes while the last ones
    // (250 ms each) are inside the workers.
    traffic.halt();
    await sleep(50);
    proc.child.kill('SIGTERM');
    const outcomes = await traffic.stop();
    const failures = outcomes.filter((o) => o instanceof Error || o.status !== 200);
    assert.deepEqual(failures, [], 'every request in flight at SIGTERM succeeds');
    assert.ok(outcomes.length >= 16, `the load ran (${outcomes.length} requests)`);
    const longOnes = await Promise.all(long);
    assert.deepEqual(longOnes.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
    for (const r of longOnes) assert.equal(r.headers['connection'], 'close');
    assert.deepEqual(await proc.exited, { code: 0, signal: null });
    assert.match(proc.output(), /Received SIGTERM: finishing in-flight requests, then stopping\./);
    const after = await fetchText(port, '/pid/').catch((error: NodeJS.ErrnoException) => error.code);
    assert.equal(after, 'ECONNREFUSED');
  });

  test('a worker that dies is replaced and the server keeps serving', async () => {
    const { proc, port } = await serve('--workers', '2');
    const before = await pidsSeen(port, 6);
    assert.equal(before.size, 2);
    const victim = [...before][0]!;
    process.kill(Number(victim), 'SIGKILL');
    await proc.waitFor(new RegExp(`Worker ${victim} exited with signal SIGKILL; starting a replacement\\.`));
    let now = new Set<string>();
    for (let attempt = 0; attempt < 50 && now.size < 2; attempt++) {
      now = await pidsSeen(port, 4);
      now.delete(victim);
      if (now.size < 2) await sleep(100);
    }
    assert.equal(now.size, 2, 'two live workers again');
    assert.ok(!now.has(victim));
    assert.equal(now.size, [...now].filter((pid) => before.has(pid)).length + 1, 'one new worker, one old');
  });

  test('SIGHUP restarts every worker one at a time with no failed request', async () => {
    const { proc, port } = await serve('--workers', '2');
    const before = await pidsSeen(port, 6);
    const traffic = load(port, 6, '/slow/?ms=20');
    await sleep(200);
    proc.child.kill('SIGHUP');
    await proc.waitFor(/Rolling restart complete\./);
    await sleep(200);
    const outcomes = await traffic.stop();
    const failures = outcomes.filter((o) => o instanceof Error || o.status !== 200);
    assert.deepEqual(failures, []);
    const afterwards = await pidsSeen(port, 6);
    assert.equal(afterwards.size, 2);
    for (const pid of afterwards) assert.ok(!before.has(pid), `worker ${pid} is new`);
  });

  test('malformed input gets the right 4xx and the server keeps serving', async () => {
    const { port } = await serve('--workers', '1', '--max-body-size', '65536', '--max-header-size', '8192');
    const host = 'Host: 127.0.0.1\r\n';

    const huge = await rawExchange(port, `GET /pid/ HTTP/1.1\r\n${host}X-Huge: ${'h'.repeat(20000)}\r\n\r\n`);
    assert.equal(statusOf(huge), 431);

    const many = await rawExchange(port, `GET /pid/ HTTP/1.1\r\n${host}${'X-Repeat: 1\r\n'.repeat(2000)}\r\n`);
    assert.equal(statusOf(many), 431);

    const overServer = await fetchText(port, '/echo/', { method: 'POST', body: Buffer.alloc(70000, 97) });
    assert.equal(overServer.status, 413);

    // Under the server's limit but over DATA_UPLOAD_MAX_MEMORY_SIZE (4096): the request says 413.
    const overSetting = await fetchText(port, '/echo/', { method: 'POST', body: Buffer.alloc(5000, 97) });
    assert.equal(overSetting.status, 413);
    const chunked = `${(3000).toString(16)}\r\n${'c'.repeat(3000)}\r\n`.repeat(2) + '0\r\n\r\n';
    const overChunked = await rawExchange(port, `POST /echo/ HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`);
    assert.equal(statusOf(overChunked), 413);

    for (const bad of ['evil.example.com', 'bad host', '127.0.0.1@evil.com', '[::1', 'a'.repeat(300)]) {
      const res = await rawExchange(port, `GET /pid/ HTTP/1.1\r\nHost: ${bad}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(res), 400, `Host: ${bad}`);
    }
    assert.equal(statusOf(await rawExchange(port, 'GET /pid/ HTTP/1.1\r\nConnection: close\r\n\r\n')), 400, 'no Host');

    assert.equal(statusOf(await rawExchange(port, `GET /%ZZ%C3%28/ HTTP/1.1\r\n${host}Connection: close\r\n\r\n`)), 404);
    assert.equal(statusOf(await rawExchange(port, 'BLAH\r\n\r\n')), 400);

    const fine = await fetchText(port, '/echo/', { method: 'POST', body: 'hello' });
    assert.equal(fine.status, 200);
    assert.equal(fine.body, 'POST 5');
    assert.equal((await fetchText(port, '/healthz')).body, 'ok\n');
  });
});

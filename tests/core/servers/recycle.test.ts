// Worker recycling in `manage.ts serve`: after --max-requests (plus jitter) and past
// --max-memory a worker asks the primary for a replacement, which listens before the old
// worker drains — so a client under load sees no failed request.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fetchText, spawnNode, stopProcess, type SimpleResponse, type Spawned } from './helpers.ts';

const MANAGE = join(import.meta.dirname, 'fixtures', 'site', 'manage.ts');
const started: Spawned[] = [];

after(async () => {
  await Promise.all(started.map(stopProcess));
});

async function serve(args: string[], env: Record<string, string> = {}): Promise<{ proc: Spawned; port: number }> {
  const proc = spawnNode([MANAGE, 'serve', '127.0.0.1:0', ...args], env);
  started.push(proc);
  const match = await proc.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)\//);
  return { proc, port: Number(match[1]) };
}

/** `clients` loops of sequential requests on fresh connections, `perClient` each. */
async function load(port: number, clients: number, perClient: number, pauseMs = 0): Promise<Array<SimpleResponse | Error>> {
  const outcomes: Array<SimpleResponse | Error> = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) {
        outcomes.push(await fetchText(port, '/pid/').catch((error: Error) => error));
        if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  return outcomes;
}

function failures(outcomes: Array<SimpleResponse | Error>): string[] {
  return outcomes.flatMap((o) => (o instanceof Error ? [o.message] : o.status === 200 ? [] : [`status ${o.status}`]));
}

describe('serve recycles workers', () => {
  test('--max-requests with jitter: workers are replaced one at a time with zero failed requests', async () => {
    const { proc, port } = await serve(['--workers', '2', '--max-requests', '15', '--max-requests-jitter', '5']);
    const first = await load(port, 4, 40, 10);
    // The replacements take a moment to start; then they answer too.
    await proc.waitFor(/Recycling worker[^]*Recycling worker/);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const outcomes = [...first, ...(await load(port, 4, 10, 10))];
    assert.deepEqual(failures(outcomes), []);
    const recycled = proc.output().match(/Recycling worker \d+: served \d+ requests \(--max-requests (\d+)\)/g) ?? [];
    // 160 requests over two workers whose budget is 15..20: each worker is recycled at least once.
    assert.ok(recycled.length >= 2, `expected recycling, got:\n${proc.output()}`);
    for (const line of recycled) {
      const limit = Number(/--max-requests (\d+)/.exec(line)![1]);
      assert.ok(limit >= 15 && limit <= 20, `limit ${limit} within 15 + 0..5`);
    }
    const pids = new Set(outcomes.map((o) => (o as SimpleResponse).body));
    assert.ok(pids.size > 2, 'requests were answered by replacement workers');
    // Still serving after the recycling.
    assert.equal((await fetchText(port, '/pid/')).status, 200);
  });

  test('--max-memory: a worker that outgrows the ceiling is replaced once, while requests keep succeeding', async () => {
    // Checked every 500 ms; a fresh worker is far below 600 MB, one that kept 700 MB is over it.
    const { proc, port } = await serve(['--workers', '1', '--max-memory', '600'], { NUAGES_MEMORY_CHECK_MS: '500' });
    const before = (await fetchText(port, '/pid/')).body;
    const running = load(port, 2, 60, 40);
    assert.equal((await fetchText(port, '/grow/?mb=700')).body, before);
    await proc.waitFor(new RegExp(`Recycling worker ${before}: resident memory \\d+ MB is over --max-memory 600 MB`));
    const outcomes = await running;
    assert.deepEqual(failures(outcomes), []);
    const after = (await fetchText(port, '/pid/')).body;
    assert.notEqual(after, before, 'a replacement worker answers');
    assert.equal(proc.output().match(/Recycling worker/g)!.length, 1, 'the replacement, below the ceiling, is not recycled');
  });
});

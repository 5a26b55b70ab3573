// Request ids and the access log on a real NuagesServer: the id is generated, echoed,
// taken from X-Request-ID only when the peer is a trusted proxy, present in every log
// line of the request, and in the access-log record.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { configure } from '../../src/conf/index.ts';
import { popProcessSettings, pushProcessSettings } from '../../src/conf/lazy-settings.ts';
import { logAccess } from '../../src/core/servers/access-log.ts';
import { NuagesServer } from '../../src/core/servers/index.ts';
import { getLogger } from '../../src/utils/log.ts';
import { configureLogging, type LineStream } from '../../src/utils/log-config.ts';
import { fetchText } from '../core/servers/helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const lines: Record<string, unknown>[] = [];
const stream: LineStream = {
  write(line: string) {
    for (const part of line.split('\n').filter(Boolean)) lines.push(JSON.parse(part) as Record<string, unknown>);
    return true;
  },
};

// The view logs twice, across an await, like a view running two queries.
async function app(req: IncomingMessage, res: ServerResponse): Promise<void> {
  getLogger('nuages.db.backends').debug('SELECT 1');
  await new Promise((resolve) => setTimeout(resolve, 5));
  getLogger('shop').info('seen', { header: req.headers['x-request-id'] });
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
  res.end('ok');
}

let server: NuagesServer;
let port: number;
let undo: () => void;

before(async () => {
  configure({ DEBUG: false, SECRET_KEY: 'k', TRUSTED_PROXIES: [] });
  undo = configureLogging(
    { formatters: { json: { format: 'json' } }, handlers: { c: { class: 'console', stream, formatter: 'json' } }, root: { handlers: ['c'], level: 'DEBUG' } },
    { defaults: false },
  );
  server = new NuagesServer({ app, port: 0, onResponse: logAccess });
  port = (await server.listen()).port;
});
after(async () => {
  await server.close(1);
  undo();
});

async function get(headers: Record<string, string> = {}) {
  lines.length = 0;
  const response = await fetchText(port, '/books/?page=2', { headers: { 'user-agent': 'test-agent', ...headers } });
  await new Promise((resolve) => setTimeout(resolve, 20)); // the access record is written on 'close'
  return response;
}

describe('request ids', () => {
  test('generated when none is sent, echoed, and in every line of the request', async () => {
    const response = await get();
    const id = response.headers['x-request-id'] as string;
    assert.match(id, UUID);
    const ofRequest = lines.filter((line) => line['logger'] !== 'nuages.server.access');
    assert.deepEqual(ofRequest.map((line) => [line['msg'], line['requestId']]), [['SELECT 1', id], ['seen', id]]);
    assert.equal(ofRequest[1]!['header'], id, 'the app sees the id in X-Request-ID');
  });

  test('an X-Request-ID from an untrusted peer is replaced', async () => {
    const response = await get({ 'x-request-id': 'client-chosen' });
    assert.match(response.headers['x-request-id'] as string, UUID);
  });

  test('a trusted proxy’s X-Request-ID is kept; a malformed one is not', async () => {
    // The server handles requests in its own async contexts: a process-wide layer reaches them.
    const layer = await pushProcessSettings({ TRUSTED_PROXIES: ['127.0.0.0/8', '::1'] });
    try {
      const kept = await get({ 'x-request-id': 'nginx-7f3a' });
      assert.equal(kept.headers['x-request-id'], 'nginx-7f3a');
      assert.ok(lines.every((line) => line['requestId'] === 'nginx-7f3a'));
      const forged = await get({ 'x-request-id': 'a b {"level":50}' });
      assert.match(forged.headers['x-request-id'] as string, UUID);
    } finally {
      await popProcessSettings(layer);
    }
  });
});

describe('the access log', () => {
  test('one structured record per request on nuages.server.access', async () => {
    const response = await get();
    const access = lines.filter((line) => line['logger'] === 'nuages.server.access');
    assert.equal(access.length, 1);
    const record = access[0]!;
    assert.equal(record['msg'], 'GET /books/?page=2 200');
    assert.equal(record['level'], 30);
    assert.deepEqual(
      [record['method'], record['path'], record['status'], record['bytes'], record['requestId'], record['remoteAddress'], record['userAgent']],
      ['GET', '/books/?page=2', 200, 2, response.headers['x-request-id'], '127.0.0.1', 'test-agent'],
    );
    assert.equal(typeof record['durationMs'], 'number');
    assert.ok((record['durationMs'] as number) >= 5);
  });
});

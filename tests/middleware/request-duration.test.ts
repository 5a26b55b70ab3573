// The request-logging middleware of docs/middleware.md, kept compiling and running.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, resetSettings } from '../../src/conf/index.ts';
import type { MiddlewareFactory } from '../../src/middleware/index.ts';
import { HttpResponse } from '../../src/http/index.ts';
import { path } from '../../src/urls/index.ts';
import { Client } from '../../src/test/index.ts';

before(() => configure({ SECRET_KEY: 'test', ALLOWED_HOSTS: ['testserver'] }));
after(() => resetSettings());

const lines: string[] = [];
const log = (line: string) => void lines.push(line);

// --- from docs/middleware.md ---
export const requestLog: MiddlewareFactory = (getResponse) => {
  // One-time set-up goes here: this runs once, when the chain is built.
  return async (request) => {
    const start = performance.now();
    const response = await getResponse(request);
    const ms = performance.now() - start;
    response.headers.set('X-Request-Duration', `${ms.toFixed(1)}ms`);
    log(`${request.method} ${request.getFullPath()} ${response.status} ${ms.toFixed(1)}ms`);
    return response;
  };
};
// --- end ---

test('the request-logging middleware adds X-Request-Duration and logs one line per request', async () => {
  const slow = async () => {
    await new Promise((resolve) => setTimeout(resolve, 15));
    return new HttpResponse('done');
  };
  const client = new Client({ urlconf: [path('slow/', slow)], middleware: [requestLog] });
  const response = await client.get('/slow/?x=1');
  const header = response.headers.get('X-Request-Duration')!;
  assert.match(header, /^\d+\.\dms$/);
  assert.ok(Number.parseFloat(header) >= 10, `${header} covers the view's 15ms`);
  const missing = await client.get('/missing/');
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('X-Request-Duration')!, /ms$/);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^GET \/slow\/\?x=1 200 \d+\.\dms$/);
  assert.match(lines[1]!, /^GET \/missing\/ 404 /);
});

// mockHttp() / useHttpMock(): fetch() answers from the interceptors, an unexpected request
// fails naming its method and URL (even when the code swallows the error), an interceptor
// never called fails, and the previous dispatcher is back afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getGlobalDispatcher, MockAgent } from 'undici';
import { mockHttp, TestToolMisuseError, useHttpMock } from '../../src/test/index.ts';
import { runTestFile } from './run-test-file.ts';

/** The message of the error fetch() rejected with, and of its cause. */
async function fetchFailure(url: string, init?: RequestInit): Promise<string> {
  const error = await fetch(url, init).then(
    () => assert.fail(`fetch(${url}) should have been refused`),
    (e: unknown) => e as Error,
  );
  return `${error.message} / ${(error.cause as Error | undefined)?.message ?? ''}`;
}

describe('useHttpMock()', () => {
  const http = useHttpMock();

  test('fetch() gets the reply of the matching interceptor', async () => {
    http.intercept('https://api.example.com', { path: '/v1/rates?cur=eur', method: 'GET' }).reply(200, { eur: 1.08 }, { headers: { 'content-type': 'application/json' } });
    const response = await fetch('https://api.example.com/v1/rates?cur=eur');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { eur: 1.08 });
  });

  test('a request body is matched and a POST answered', async () => {
    http.intercept('https://api.example.com', { path: '/v1/orders', method: 'POST', body: '{"qty":2}' }).reply(201, 'created');
    const response = await fetch('https://api.example.com/v1/orders', { method: 'POST', body: '{"qty":2}' });
    assert.equal(response.status, 201);
    assert.equal(await response.text(), 'created');
  });
});

describe('after a useHttpMock() suite', () => {
  test('the global dispatcher is no longer a mock', () => {
    assert.equal(getGlobalDispatcher() instanceof MockAgent, false);
  });
});

describe('mockHttp()', () => {
  test('an unexpected request is refused at once, with its method, URL and the fix', async () => {
    const mock = await mockHttp();
    try {
      const failure = await fetchFailure('https://elsewhere.example.com/x?y=1', { method: 'DELETE' });
      assert.match(failure, /Unexpected HTTP request DELETE https:\/\/elsewhere\.example\.com\/x\?y=1/);
      assert.match(failure, /mock\.intercept\('https:\/\/elsewhere\.example\.com', \{ path: '\/x\?y=1', method: 'DELETE' \}\)/);
      assert.deepEqual(mock.unexpectedRequests, ['DELETE https://elsewhere.example.com/x?y=1']);
    } finally {
      mock.restore();
    }
  });

  test('check() fails for an unexpected request, naming it', async () => {
    const mock = await mockHttp();
    try {
      await fetch('https://api.example.com/v2/missing').catch(() => undefined);
      assert.throws(() => mock.check(), (error: unknown) => {
        assert.ok(error instanceof AssertionError);
        assert.match(error.message, /1 unexpected HTTP request\(s\) were blocked by mockHttp\(\):\n  GET https:\/\/api\.example\.com\/v2\/missing/);
        return true;
      });
    } finally {
      mock.restore();
    }
  });

  test('assertNoPendingInterceptors() fails for an interceptor never called, naming it', async () => {
    const mock = await mockHttp();
    try {
      mock.intercept('https://api.example.com', { path: '/v1/used', method: 'GET' }).reply(200, 'ok');
      mock.intercept('https://api.example.com', { path: '/v1/forgotten', method: 'PUT' }).reply(204);
      await fetch('https://api.example.com/v1/used');
      assert.throws(() => mock.assertNoPendingInterceptors(), (error: unknown) => {
        assert.ok(error instanceof AssertionError);
        assert.match(error.message, /1 mocked HTTP request\(s\) never happened:\n  PUT https:\/\/api\.example\.com\/v1\/forgotten \(1 more call\(s\) expected\)/);
        return true;
      });
    } finally {
      mock.restore();
    }
  });

  test('check() passes when every interceptor was used and nothing else was asked', async () => {
    const mock = await mockHttp();
    try {
      mock.intercept('https://api.example.com', { path: '/v1/a', method: 'GET' }).reply(200, 'a').times(2);
      await fetch('https://api.example.com/v1/a');
      await fetch('https://api.example.com/v1/a');
      mock.check();
    } finally {
      mock.restore();
    }
  });

  test('restore() puts the previous global dispatcher back', async () => {
    const previous = getGlobalDispatcher();
    const mock = await mockHttp();
    assert.equal(getGlobalDispatcher(), mock.agent);
    mock.restore();
    assert.equal(getGlobalDispatcher(), previous);
  });

  describe('localhost', () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = createServer((_req, res) => res.end('real'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('is blocked by default', async () => {
      const mock = await mockHttp();
      try {
        assert.match(await fetchFailure(`${base}/`), /Unexpected HTTP request GET http:\/\/127\.0\.0\.1:\d+\//);
      } finally {
        mock.restore();
      }
    });

    test('goes through with allowLocalhost, other hosts stay blocked', async () => {
      const mock = await mockHttp({ allowLocalhost: true });
      try {
        assert.equal(await (await fetch(`${base}/`)).text(), 'real');
        assert.match(await fetchFailure('https://api.example.com/'), /Unexpected HTTP request GET https:\/\/api\.example\.com\//);
      } finally {
        mock.restore();
      }
    });
  });
});

describe('useHttpMock() outside its tests', () => {
  const http = useHttpMock();
  test('is refused, saying when it is active', (t) => {
    t.after(() => {
      assert.throws(() => http.intercept('https://api.example.com', { path: '/' }), (error: unknown) => {
        assert.ok(error instanceof TestToolMisuseError);
        assert.match(error.message, /useHttpMock\(\) installs the mock only while each test runs/);
        return true;
      });
    });
  });
});

describe('useHttpMock() failing a test', () => {
  test('for a swallowed unexpected request and for an interceptor never called', async () => {
    const { code, output } = await runTestFile(join(import.meta.dirname, 'fixtures', 'http-mock-failures.fixture.ts'));
    assert.notEqual(code, 0, output);
    assert.match(output, /ℹ fail 2/, output);
    assert.match(output, /unexpected HTTP request\(s\) were blocked by mockHttp\(\):\n\s+POST https:\/\/unmocked\.example\.com\/v1\/ping\?x=1/, output);
    assert.match(output, /mocked HTTP request\(s\) never happened:\n\s+GET https:\/\/api\.example\.com\/v1\/never/, output);
  });
});

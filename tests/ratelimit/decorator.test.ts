// ratelimit() on views, through the test Client: 429 with Retry-After past the rate
// (block), request.limited for the view to decide (block: false), methods, groups,
// stacking, class-based views, and options refused where the view is defined.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import {
  getUsage, InvalidRateError, InvalidRateLimitRuleError, isRatelimited, MemoryRateLimitStore, RateLimitKeyError, ratelimit, UNSAFE,
} from '../../src/ratelimit/index.ts';
import { Client } from '../../src/test/index.ts';
import { path } from '../../src/urls/index.ts';
import { csrfExempt, methodDecorator, View, ViewConfigurationError } from '../../src/views/index.ts';

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'addresses.json'), 'utf8')) as { status: Record<string, string> };

let previousLogger: RequestLogger;
before(() => {
  configure({ SECRET_KEY: 'ratelimit-decorator-tests', ALLOWED_HOSTS: ['testserver'] });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

type ViewFunction = (request: HttpRequest, params: never) => Promise<HttpResponse>;

/** A client for one view at /v/, from `address`. */
function clientFor(view: ViewFunction, address = '203.0.113.7'): Client {
  return new Client({ urlconf: [path('v/', view)], meta: { REMOTE_ADDR: address } });
}

/** A view that counts its calls and reports request.limited. */
function counted() {
  const calls = { count: 0 };
  const view = async (request: HttpRequest) => {
    calls.count += 1;
    return new HttpResponse(`limited=${String(request.limited)}`);
  };
  return { view, calls };
}

async function statuses(client: Client, n: number, method: 'get' | 'post' = 'get'): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((await client[method]('/v/')).status);
  return seen;
}

describe('block (the default)', () => {
  test('the request past the rate gets 429 with Retry-After, and the view does not run', async () => {
    const { view, calls } = counted();
    const client = clientFor(ratelimit({ key: 'ip', rate: '5/m' })(view));
    assert.deepEqual(await statuses(client, 5), [200, 200, 200, 200, 200]);
    const refused = await client.get('/v/');
    assert.equal(refused.status, 429);
    assert.equal(refused.reasonPhrase, oracle.status['429']);
    const retryAfter = Number(refused.headers.get('Retry-After'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${refused.headers.get('Retry-After')}`);
    assert.equal(calls.count, 5);
    assert.equal((await client.get('/v/')).status, 429, 'refused requests count too: hammering does not help');
  });

  test('a browser gets a short HTML page; an API client asking for JSON gets JSON', async () => {
    const client = clientFor(ratelimit({ rate: '0/m' })(counted().view));
    const page = await client.get('/v/');
    assert.equal(page.status, 429);
    assert.match(page.headers.get('Content-Type')!, /^text\/html/);
    assert.match(page.text, /<h1>Too Many Requests<\/h1>\n<p>Too many requests\. Try again in \d+ seconds?\.<\/p>/);
    assert.equal(page.headers.get('Vary'), 'Accept');
    const api = await client.get('/v/', undefined, { headers: { Accept: 'application/json' } });
    assert.equal(api.status, 429);
    const body = api.json() as { detail: string; retryAfter: number };
    assert.equal(body.retryAfter, Number(api.headers.get('Retry-After')));
    assert.match(body.detail, /^Too many requests\. Try again in \d+ seconds?\.$/);
  });

  test('each client address has its own counter', async () => {
    const limited = ratelimit({ key: 'ip', rate: '1/m' })(counted().view);
    assert.deepEqual(await statuses(clientFor(limited, '203.0.113.1'), 2), [200, 429]);
    assert.deepEqual(await statuses(clientFor(limited, '203.0.113.2'), 2), [200, 429]);
  });

  test('the key defaults to the client address', async () => {
    const limited = ratelimit({ rate: '1/m' })(counted().view);
    assert.deepEqual(await statuses(clientFor(limited, '198.51.100.1'), 2), [200, 429]);
    assert.deepEqual(await statuses(clientFor(limited, '198.51.100.2'), 1), [200]);
  });

  test('attack: a forged X-Forwarded-For does not reset the counter', async () => {
    const client = clientFor(ratelimit({ key: 'ip', rate: '2/m' })(counted().view));
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push((await client.get('/v/', undefined, { headers: { 'X-Forwarded-For': `198.51.100.${i}` } })).status);
    assert.deepEqual(seen, [200, 200, 429, 429]);
  });
});

describe('block: false', () => {
  test('the view runs with request.limited true past the rate, false before', async () => {
    const { view, calls } = counted();
    const client = clientFor(ratelimit({ rate: '2/m', block: false })(view));
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) bodies.push((await client.get('/v/')).text);
    assert.deepEqual(bodies, ['limited=false', 'limited=false', 'limited=true', 'limited=true']);
    assert.equal(calls.count, 4);
  });

  test('stacked limits: limited when any of them is past its rate', async () => {
    const view = ratelimit({ rate: '10/m', block: false })(ratelimit({ rate: '1/m', block: false })(counted().view));
    const client = clientFor(view);
    assert.deepEqual([(await client.get('/v/')).text, (await client.get('/v/')).text], ['limited=false', 'limited=true']);
  });
});

describe('methods', () => {
  test("method: 'POST' counts only POSTs; GETs pass even past the rate", async () => {
    const client = clientFor(csrfExempt(ratelimit({ rate: '1/m', method: 'POST' })(counted().view)));
    assert.deepEqual(await statuses(client, 3, 'get'), [200, 200, 200]);
    assert.deepEqual(await statuses(client, 2, 'post'), [200, 429]);
    assert.deepEqual(await statuses(client, 1, 'get'), [200]);
  });

  test('UNSAFE counts POST, PUT, PATCH and DELETE together', async () => {
    const client = clientFor(csrfExempt(ratelimit({ rate: '3/m', method: UNSAFE })(counted().view)));
    assert.equal((await client.post('/v/')).status, 200);
    assert.equal((await client.put('/v/')).status, 200);
    assert.equal((await client.delete('/v/')).status, 200);
    assert.equal((await client.patch('/v/')).status, 429);
    assert.equal((await client.get('/v/')).status, 200);
  });

  test('methods are compared in upper case', async () => {
    const client = clientFor(csrfExempt(ratelimit({ rate: '0/m', method: ['post'] })(counted().view)));
    assert.equal((await client.post('/v/')).status, 429);
  });
});

describe('groups', () => {
  test('two views have separate counters by default, even with the same name', async () => {
    const first = ratelimit({ rate: '1/m' })(async function page() { return new HttpResponse('1'); });
    const second = ratelimit({ rate: '1/m' })(async function page() { return new HttpResponse('2'); });
    assert.deepEqual(await statuses(clientFor(first), 2), [200, 429]);
    assert.deepEqual(await statuses(clientFor(second), 1), [200]);
  });

  test('one ratelimit() used on two views still counts each view apart', async () => {
    const limit = ratelimit({ rate: '1/m' });
    const a = limit(async function viewA() { return new HttpResponse('a'); });
    const b = limit(async function viewB() { return new HttpResponse('b'); });
    assert.deepEqual(await statuses(clientFor(a), 2), [200, 429]);
    assert.deepEqual(await statuses(clientFor(b), 1), [200]);
  });

  test('views given the same group share their counter', async () => {
    const a = ratelimit({ group: 'login-attempts', rate: '2/m' })(counted().view);
    const b = ratelimit({ group: 'login-attempts', rate: '2/m' })(counted().view);
    assert.deepEqual([...(await statuses(clientFor(a), 1)), ...(await statuses(clientFor(b), 1)), ...(await statuses(clientFor(a), 1))], [200, 200, 429]);
  });
});

describe('rates and keys chosen per request', () => {
  test('a rate function: staff get more; null means no limit', async () => {
    const tiered = ratelimit({
      key: (request) => request.headers.get('x-account') ?? 'anon',
      rate: (request) => (request.headers.get('x-account') === 'root' ? null : request.headers.get('x-account') === 'staff' ? '3/m' : '1/m'),
    })(counted().view);
    const client = clientFor(tiered);
    const as = async (account: string, n: number) => {
      const seen: number[] = [];
      for (let i = 0; i < n; i++) seen.push((await client.get('/v/', undefined, { headers: { 'X-Account': account } })).status);
      return seen;
    };
    assert.deepEqual(await as('guest', 2), [200, 429]);
    assert.deepEqual(await as('staff', 4), [200, 200, 200, 429]);
    assert.deepEqual(await as('root', 5), [200, 200, 200, 200, 200]);
  });

  test('a rate function returning a bad rate names the function', async () => {
    const view = ratelimit({ rate: function ratePerPlan() { return 'lots'; } })(counted().view);
    await assert.rejects(clientFor(view).get('/v/'), (error: Error) => error instanceof InvalidRateError && /the rate returned by ratePerPlan of ratelimit\(\) is 'lots', which is not a rate/.test(error.message));
  });

  test('a key function returning null leaves the request uncounted', async () => {
    const view = ratelimit({ rate: '0/m', key: (request) => (request.headers.get('x-internal') === 'yes' ? null : 'everyone') })(counted().view);
    const client = clientFor(view);
    assert.equal((await client.get('/v/', undefined, { headers: { 'X-Internal': 'yes' } })).status, 200);
    assert.equal((await client.get('/v/')).status, 429);
  });
});

describe('switches and helpers', () => {
  test('RATELIMIT_ENABLE: false turns limits off', async () => {
    const client = clientFor(ratelimit({ rate: '0/m' })(counted().view));
    await overrideSettings({ RATELIMIT_ENABLE: false }, async () => assert.deepEqual(await statuses(client, 2), [200, 200]));
    assert.equal((await client.get('/v/')).status, 429);
  });

  test('a store given to the limit is where it counts', async () => {
    const store = new MemoryRateLimitStore('own');
    const client = clientFor(ratelimit({ rate: '1/m', store, group: 'own-store' })(counted().view));
    await client.get('/v/');
    const request = (await client.get('/v/')).request;
    const usage = await getUsage(request, { group: 'own-store', rate: '1/m', store });
    assert.deepEqual(usage && { count: usage.count, limited: usage.limited }, { count: 2, limited: true });
    assert.equal((await getUsage(request, { group: 'own-store', rate: '1/m' }))?.count, 0, 'nothing counted in the default store');
  });

  test('getUsage reads without counting unless asked; isRatelimited answers yes or no', async () => {
    const request = (await clientFor(counted().view, '192.0.2.50').get('/v/')).request;
    const options = { group: 'helpers', key: 'ip', rate: '2/m' } as const;
    assert.equal((await getUsage(request, options))?.count, 0);
    assert.equal(await isRatelimited(request, { ...options, increment: true }), false);
    assert.equal(await isRatelimited(request, { ...options, increment: true }), false);
    assert.equal(await isRatelimited(request, { ...options, increment: true }), true);
    const usage = await getUsage(request, options);
    assert.deepEqual(usage && { count: usage.count, limit: usage.limit, limited: usage.limited }, { count: 3, limit: 2, limited: true });
    assert.equal(await getUsage(request, { ...options, method: 'POST' }), undefined, 'a GET is not counted by a POST limit');
  });
});

describe('views of every shape', () => {
  test('a class-based view through asView()', async () => {
    class Hello extends View {
      async get() {
        return new HttpResponse('hello');
      }
    }
    assert.deepEqual(await statuses(clientFor(ratelimit({ rate: '1/m' })(Hello.asView())), 2), [200, 429]);
  });

  test('a class-based view through methodDecorator(…, \'dispatch\')', async () => {
    class Greeting extends View {
      async get() {
        return new HttpResponse('hi');
      }
    }
    methodDecorator(ratelimit({ rate: '2/m' }), 'dispatch')(Greeting);
    assert.deepEqual(await statuses(clientFor(Greeting.asView()), 3), [200, 200, 429]);
  });

  test('the class itself is refused with the fix', () => {
    class Hello extends View {}
    assert.throws(() => ratelimit({ rate: '1/m' })(Hello as never), (error: Error) => error instanceof ViewConfigurationError && /ratelimit\(…\)\(Hello\.asView\(\)\)/.test(error.message));
  });

  test('flags set on the view (csrfExempt) stay on the wrapper, and so does its name', () => {
    const view = ratelimit({ rate: '1/m' })(csrfExempt(async function checkout() { return new HttpResponse(''); }));
    assert.equal((view as unknown as { csrfExempt?: boolean }).csrfExempt, true);
    assert.equal(view.name, 'checkout');
  });
});

describe('bad options are refused where the view is defined', () => {
  test('a bad rate', () => {
    assert.throws(() => ratelimit({ rate: '5 per minute' }), (error: Error) => error instanceof InvalidRateError && /^ratelimit\(\)\.rate is '5 per minute'/.test(error.message));
  });
  test('no rate', () => {
    assert.throws(() => ratelimit({} as never), (error: Error) => error instanceof InvalidRateLimitRuleError && /ratelimit\(\) has no rate\. Add one, such as rate: '10\/m'/.test(error.message));
  });
  test('a bad key', () => {
    // @ts-expect-error: 'address' is not a key, and the type checker says so first.
    assert.throws(() => ratelimit({ rate: '1/m', key: 'address' }), RateLimitKeyError);
  });
  test('a bad method', () => {
    assert.throws(() => ratelimit({ rate: '1/m', method: [] }), /ratelimit\(\)\.method must be a method \('POST'\), a list of methods/);
  });
  test('a bad store', () => {
    assert.throws(() => ratelimit({ rate: '1/m', store: { BACKEND: 'memcached' as never } }), /RATELIMIT_STORE\.BACKEND is "memcached"; use 'memory'/);
  });
});

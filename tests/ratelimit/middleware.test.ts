// RateLimitMiddleware and RATELIMIT_RULES: prefixes, patterns and RegExps, methods, several
// rules on one request, block: false, proxies, and rules refused with the entry named.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings, type SettingsInput } from '../../src/conf/index.ts';
import { setRequestLogger, type RequestLogger } from '../../src/core/handlers/index.ts';
import { HttpResponse, type HttpRequest } from '../../src/http/index.ts';
import { InvalidRateError, InvalidRateLimitRuleError, RateLimitKeyError, RateLimitMiddleware, type RateLimitRuleSetting } from '../../src/ratelimit/index.ts';
import { Client } from '../../src/test/index.ts';
import { path, rePath } from '../../src/urls/index.ts';

let previousLogger: RequestLogger;
before(() => {
  configure({ SECRET_KEY: 'ratelimit-middleware-tests', ALLOWED_HOSTS: ['testserver'] });
  previousLogger = setRequestLogger({ warn() {}, error() {} });
});
after(() => {
  setRequestLogger(previousLogger);
  resetSettings();
});

const reached: string[] = [];
const echo = async (request: HttpRequest) => {
  reached.push(`${request.method} ${request.path}`);
  return new HttpResponse(`limited=${String(request.limited)}`);
};
const urls = [
  path('accounts/login/', echo),
  path('accounts/password-reset/', echo),
  path('accounts/profile/', echo),
  rePath('^api/v(?P<version>[0-9]+)/books/$', echo),
  path('catalog/', echo),
];

function client(address = '203.0.113.7'): Client {
  return new Client({ urlconf: urls, middleware: [RateLimitMiddleware], meta: { REMOTE_ADDR: address } });
}

/** Run `fn` with these rules (each call gets fresh counters: the rules are a new value). */
function withRules<T>(rules: readonly RateLimitRuleSetting[], fn: () => Promise<T>, extra: SettingsInput = {}): Promise<T> {
  return overrideSettings({ RATELIMIT_RULES: rules, ...extra }, fn);
}

async function statuses(c: Client, method: 'get' | 'post', url: string, n: number): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < n; i++) seen.push((await c[method](url)).status);
  return seen;
}

describe('rules by path', () => {
  test('a prefix covers the page; the 11th login POST in a minute gets 429 with Retry-After', async () => {
    await withRules([{ path: '/accounts/login/', method: 'POST', key: 'ip', rate: '10/m' }], async () => {
      const c = client();
      assert.deepEqual(await statuses(c, 'post', '/accounts/login/', 10), new Array(10).fill(200));
      reached.length = 0;
      const refused = await c.post('/accounts/login/');
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('Retry-After')) >= 1);
      assert.deepEqual(reached, [], 'the view never ran');
      assert.deepEqual(await statuses(c, 'get', '/accounts/login/', 2), [200, 200], 'the login page itself still shows');
      assert.deepEqual(await statuses(c, 'post', '/accounts/profile/', 1), [200], 'other paths are not covered');
    });
  });

  test('another client address is counted apart', async () => {
    await withRules([{ path: '/accounts/login/', method: 'POST', rate: '1/m' }], async () => {
      assert.deepEqual(await statuses(client('198.51.100.1'), 'post', '/accounts/login/', 2), [200, 429]);
      assert.deepEqual(await statuses(client('198.51.100.2'), 'post', '/accounts/login/', 1), [200]);
    });
  });

  test("a pattern string starting with '^' and a RegExp", async () => {
    await withRules([{ path: '^/api/v\\d+/', rate: '1/m' }, { path: /\/catalog\//g, rate: '1/m' }], async () => {
      const c = client();
      assert.deepEqual(await statuses(c, 'get', '/api/v1/books/', 1), [200]);
      assert.deepEqual(await statuses(c, 'get', '/api/v2/books/', 1), [429], 'one counter for the whole pattern');
      // A /g RegExp keeps lastIndex between tests; the rule must not alternate between match and miss.
      assert.deepEqual(await statuses(c, 'get', '/catalog/', 3), [200, 429, 429]);
    });
  });

  test('a path prefix is matched without SCRIPT_NAME, as the URLconf sees it', async () => {
    await withRules([{ path: '/accounts/login/', rate: '0/m' }], async () => {
      const mounted = new Client({ urlconf: urls, middleware: [RateLimitMiddleware], meta: { REMOTE_ADDR: '203.0.113.7', SCRIPT_NAME: '/shop' } });
      assert.equal((await mounted.get('/accounts/login/')).status, 429);
    });
  });
});

describe('several rules', () => {
  test('every matching rule counts; the strictest refuses', async () => {
    const rules = [
      { path: '/accounts/', rate: '3/m' },
      { path: '/accounts/password-reset/', method: 'POST', rate: '1/m' },
    ];
    await withRules(rules, async () => {
      const c = client();
      assert.deepEqual(await statuses(c, 'post', '/accounts/password-reset/', 2), [200, 429]);
      assert.deepEqual(await statuses(c, 'get', '/accounts/profile/', 2), [200, 429], 'the /accounts/ rule counted the two POSTs too: one request of its 3 was left');
    });
  });

  test('two rules given one group share their counter', async () => {
    const rules = [
      { path: '/accounts/login/', method: 'POST', rate: '2/m', group: 'credentials' },
      { path: '/accounts/password-reset/', method: 'POST', rate: '2/m', group: 'credentials' },
    ];
    await withRules(rules, async () => {
      const c = client();
      assert.deepEqual([...(await statuses(c, 'post', '/accounts/login/', 1)), ...(await statuses(c, 'post', '/accounts/password-reset/', 2))], [200, 200, 429]);
    });
  });

  test('block: false lets the request through with request.limited set', async () => {
    await withRules([{ path: '/catalog/', rate: '1/m', block: false }], async () => {
      const c = client();
      assert.deepEqual([(await c.get('/catalog/')).text, (await c.get('/catalog/')).text], ['limited=false', 'limited=true']);
      assert.equal((await c.get('/accounts/profile/')).text, 'limited=undefined', 'a path no rule covers is not checked');
    });
  });
});

describe('behind a proxy', () => {
  test('attack: forged X-Forwarded-For headers all count against the real peer', async () => {
    await withRules([{ path: '/accounts/login/', method: 'POST', rate: '2/m' }], async () => {
      const c = client('203.0.113.7');
      const seen: number[] = [];
      for (let i = 1; i <= 4; i++) seen.push((await c.post('/accounts/login/', {}, { headers: { 'X-Forwarded-For': `198.51.100.${i}` } })).status);
      assert.deepEqual(seen, [200, 200, 429, 429]);
    });
  });

  test('with TRUSTED_PROXIES the address the proxy saw is counted, so clients behind it are apart', async () => {
    const rules = [{ path: '/accounts/login/', method: 'POST', rate: '1/m' }];
    await withRules(rules, async () => {
      const proxy = client('10.0.0.2');
      const from = (address: string) => proxy.post('/accounts/login/', {}, { headers: { 'X-Forwarded-For': address } }).then((r) => r.status);
      assert.deepEqual([await from('203.0.113.1'), await from('203.0.113.2'), await from('203.0.113.1')], [200, 200, 429]);
      // The client cannot escape by prepending addresses: the proxy appends what it saw.
      assert.equal(await from('192.0.2.99, 203.0.113.1'), 429);
    }, { TRUSTED_PROXIES: ['10.0.0.0/8'] });
  });
});

describe('bad rules name the entry', () => {
  const refused = async (rules: unknown, check: (error: Error) => boolean) => {
    await withRules(rules as RateLimitRuleSetting[], async () => {
      await assert.rejects(client().get('/catalog/'), check);
    });
  };

  test('a path that is neither a prefix nor a pattern', async () => {
    await refused([{ path: 'accounts/login/', rate: '1/m' }], (e) => e instanceof InvalidRateLimitRuleError && /RATELIMIT_RULES\[0\]\.path 'accounts\/login\/' must start with '\/'.*write '\/accounts\/login\/'/.test(e.message));
    await refused([{ rate: '1/m' }], (e) => e instanceof InvalidRateLimitRuleError && /RATELIMIT_RULES\[0\]\.path must be a path prefix/.test(e.message));
  });

  test('a pattern that does not compile', async () => {
    await refused([{ path: '/x/', rate: '1/m' }, { path: '^/api/(', rate: '1/m' }], (e) => e instanceof InvalidRateLimitRuleError && /RATELIMIT_RULES\[1\]\.path '\^\/api\/\(' is not a valid regular expression/.test(e.message));
  });

  test('a bad rate, key or method', async () => {
    await refused([{ path: '/x/', rate: '10/fortnight' }], (e) => e instanceof InvalidRateError && /^RATELIMIT_RULES\[0\]\.rate is '10\/fortnight'/.test(e.message));
    await refused([{ path: '/x/', rate: '1/m', key: 'cookie:sessionid' }], (e) => e instanceof RateLimitKeyError && /^RATELIMIT_RULES\[0\]\.key is 'cookie:sessionid'/.test(e.message));
    await refused([{ path: '/x/', rate: '1/m', method: 5 }], (e) => /RATELIMIT_RULES\[0\]\.method must be a method/.test(e.message));
  });

  test('not a list, or an entry that is not an object', async () => {
    await refused({ path: '/x/', rate: '1/m' }, (e) => e instanceof InvalidRateLimitRuleError && /RATELIMIT_RULES must be a list/.test(e.message));
    await refused(['/x/'], (e) => e instanceof InvalidRateLimitRuleError && /RATELIMIT_RULES\[0\] must be an object/.test(e.message));
  });
});

test('without RATELIMIT_RULES nothing is limited', async () => {
  assert.deepEqual(await statuses(client(), 'post', '/accounts/login/', 3), [200, 200, 200]);
});

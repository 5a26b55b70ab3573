// What one counter counts: the value each rate limit key gives for a request.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { HttpRequest } from '../../src/http/index.ts';
import { compileKey, RateLimitKeyError } from '../../src/ratelimit/index.ts';
import { RequestFactory } from '../../src/test/index.ts';

before(() => configure({ SECRET_KEY: 'keys-tests' }));
after(() => resetSettings());

const factory = new RequestFactory();

/** A request carrying the user AuthenticationMiddleware would attach, loaded through auser(). */
function withUser(request: HttpRequest, user: { isAuthenticated: boolean; pk: unknown }): HttpRequest {
  Object.defineProperty(request, 'auser', { value: async () => user, configurable: true });
  return request;
}

const key = (spec: unknown, request: HttpRequest) => compileKey(spec, 'ratelimit().key')(request, 'the-group');

describe('named keys', () => {
  test("'ip' is the client's address, or its IPv6 /64", async () => {
    assert.equal(await key('ip', HttpRequest.create({ remoteAddr: '203.0.113.7' })), 'ip:203.0.113.7');
    assert.equal(await key('ip', HttpRequest.create({ remoteAddr: '2001:db8:0:1::99' })), 'ip:2001:db8:0:1::');
  });

  test("'ip' believes X-Forwarded-For only from TRUSTED_PROXIES", async () => {
    const proxied = () => HttpRequest.create({ remoteAddr: '10.0.0.2', headers: { 'X-Forwarded-For': '203.0.113.7' } });
    assert.equal(await key('ip', proxied()), 'ip:10.0.0.2');
    await overrideSettings({ TRUSTED_PROXIES: ['10.0.0.0/8'] }, async () => assert.equal(await key('ip', proxied()), 'ip:203.0.113.7'));
  });

  test("'user' is the logged-in user's pk; every anonymous request shares one counter", async () => {
    assert.equal(await key('user', withUser(HttpRequest.create(), { isAuthenticated: true, pk: 42 })), 'user:42');
    assert.equal(await key('user', withUser(HttpRequest.create(), { isAuthenticated: false, pk: null })), 'user:anonymous');
  });

  test("'user' reads request.user when it is set without auser()", async () => {
    const request = HttpRequest.create();
    request.user = { isAuthenticated: true, pk: 'abc' } as never;
    assert.equal(await key('user', request), 'user:abc');
  });

  test("'user_or_ip': the user when logged in, else the address", async () => {
    assert.equal(await key('user_or_ip', withUser(HttpRequest.create({ remoteAddr: '203.0.113.7' }), { isAuthenticated: true, pk: 7 })), 'user:7');
    assert.equal(await key('user_or_ip', withUser(HttpRequest.create({ remoteAddr: '203.0.113.7' }), { isAuthenticated: false, pk: null })), 'ip:203.0.113.7');
  });

  test('a user id can never collide with an address: each value carries its kind', async () => {
    const user = await key('user_or_ip', withUser(HttpRequest.create(), { isAuthenticated: true, pk: '203.0.113.7' }));
    const address = await key('user_or_ip', withUser(HttpRequest.create({ remoteAddr: '203.0.113.7' }), { isAuthenticated: false, pk: null }));
    assert.notEqual(user, address);
  });

  test("'user' without AuthenticationMiddleware says where to put it", async () => {
    await assert.rejects(key('user', HttpRequest.create()), (error: Error) => {
      assert.ok(error instanceof RateLimitKeyError);
      assert.match(error.message, /The rate limit key 'user' reads request\.user.*Add 'nuages\/contrib\/auth#AuthenticationMiddleware' to MIDDLEWARE, before 'nuages\/ratelimit#RateLimitMiddleware'/);
      return true;
    });
  });
});

describe('header, query and form keys', () => {
  test("'header:x-api-key' is the header's value, any case", async () => {
    const request = HttpRequest.create({ headers: { 'X-API-Key': 'k-123' } });
    assert.equal(await key('header:X-Api-Key', request), 'header:x-api-key:k-123');
    assert.equal(await key('header:x-api-key', HttpRequest.create()), 'header:x-api-key:', 'absent: one shared counter');
  });

  test("'get:q' is the query parameter", async () => {
    assert.equal(await key('get:q', await factory.get('/search/', { q: 'tea' })), 'get:q:tea');
  });

  test("'post:username' reads the body itself, so it works in middleware before the view", async () => {
    const request = await factory.post('/accounts/login/', { username: 'alice', password: 'x' });
    assert.equal(await key('post:username', request), 'post:username:alice');
    const unread = HttpRequest.create({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=bob&password=x',
    });
    assert.equal(await key('post:username', unread), 'post:username:bob');
  });
});

describe('key functions', () => {
  test('get the request and the group; their string is the value', async () => {
    const seen: string[] = [];
    const reader = (request: HttpRequest, group: string) => {
      seen.push(group);
      return `tenant:${request.headers.get('x-tenant')}`;
    };
    assert.equal(await key(reader, HttpRequest.create({ headers: { 'X-Tenant': 'acme' } })), 'tenant:acme');
    assert.deepEqual(seen, ['the-group']);
  });

  test('may be async, and null or undefined leaves the request uncounted', async () => {
    assert.equal(await key(async () => 'x', HttpRequest.create()), 'x');
    assert.equal(await key(() => null, HttpRequest.create()), null);
    assert.equal(await key(async () => undefined, HttpRequest.create()), null);
  });

  test('a function returning something else than a string is named in the error', async () => {
    await assert.rejects(key(function tenantOf() { return 42; }, HttpRequest.create()), /The key function tenantOf of ratelimit\(\)\.key returned number; return a string, or null/);
  });
});

describe('unknown keys are refused when the limit is defined', () => {
  for (const bad of ['ipaddress', 'header:', 'cookie:session', ':x', '', 42, null]) {
    test(JSON.stringify(bad), () => {
      assert.throws(() => compileKey(bad, 'RATELIMIT_RULES[0].key'), (error: Error) => {
        assert.ok(error instanceof RateLimitKeyError);
        assert.equal((error as RateLimitKeyError).code, 'NUAGES_RATELIMIT_KEY');
        assert.match(error.message, /^RATELIMIT_RULES\[0\]\.key is .*which is not a rate limit key\. Use 'ip', 'user', 'user_or_ip', 'header:<name>', 'get:<field>', 'post:<field>', or a function/);
        return true;
      });
    });
  }
});

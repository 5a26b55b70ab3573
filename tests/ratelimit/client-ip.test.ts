// The client address behind proxies: X-Forwarded-For is believed only from TRUSTED_PROXIES,
// and only as far as they wrote it. The attacks: a client forging the header to get a
// fresh counter per request, or to get someone else locked out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configure, overrideSettings, resetSettings } from '../../src/conf/index.ts';
import { ClientAddressUnknownError, clientIp, clientNetwork, InvalidTrustedProxiesError, RateLimitKeyError } from '../../src/ratelimit/index.ts';
import { HttpRequest } from '../../src/http/index.ts';

before(() => configure({ SECRET_KEY: 'client-ip-tests' }));
after(() => resetSettings());

function request(remoteAddr: string, forwardedFor?: string | string[]): HttpRequest {
  const headers: Array<[string, string]> = [];
  for (const value of typeof forwardedFor === 'string' ? [forwardedFor] : (forwardedFor ?? [])) headers.push(['X-Forwarded-For', value]);
  return HttpRequest.create({ remoteAddr, headers });
}

const behind = (proxies: string[], fn: () => void): Promise<void> => overrideSettings({ TRUSTED_PROXIES: proxies }, fn);

describe('without TRUSTED_PROXIES', () => {
  test('the client is the connection\'s peer', () => {
    assert.equal(clientIp(request('203.0.113.7')), '203.0.113.7');
  });

  test('attack: a forged X-Forwarded-For is ignored, so rotating it does not give fresh counters', () => {
    for (const forged of ['198.51.100.1', '10.0.0.1, 198.51.100.2', '127.0.0.1', 'garbage']) {
      assert.equal(clientIp(request('203.0.113.7', forged)), '203.0.113.7', forged);
    }
  });

  test('an IPv4 peer on a dual-stack socket is shown as IPv4', () => {
    assert.equal(clientIp(request('::ffff:203.0.113.7')), '203.0.113.7');
  });

  test('a request without a peer address (a Unix socket) says how to fix it', () => {
    assert.throws(() => clientIp(request('')), (error: Error) => {
      assert.ok(error instanceof ClientAddressUnknownError);
      assert.match(error.message, /REMOTE_ADDR is "", not an IP address.*Unix socket.*key: 'user'/);
      return true;
    });
  });
});

describe('behind trusted proxies', () => {
  test('the address the trusted proxy saw is the client', async () => {
    await behind(['10.0.0.0/8'], () => assert.equal(clientIp(request('10.0.0.2', '203.0.113.7')), '203.0.113.7'));
  });

  test('a peer outside TRUSTED_PROXIES is not believed, even with the header', async () => {
    await behind(['10.0.0.0/8'], () => assert.equal(clientIp(request('198.51.100.9', '203.0.113.7')), '198.51.100.9'));
  });

  test('attack: addresses the client wrote to the left of what the proxy appended are ignored', async () => {
    // The client sends "X-Forwarded-For: 1.1.1.1"; the proxy appends the address it saw.
    await behind(['10.0.0.0/8'], () => {
      assert.equal(clientIp(request('10.0.0.2', '1.1.1.1, 203.0.113.7')), '203.0.113.7');
      assert.equal(clientIp(request('10.0.0.2', '10.9.9.9, 203.0.113.7')), '203.0.113.7', 'not even a trusted-looking one');
    });
  });

  test('a chain of trusted proxies is walked from the right', async () => {
    await behind(['10.0.0.0/8', '192.168.0.0/16'], () => {
      assert.equal(clientIp(request('10.0.0.2', '1.1.1.1, 203.0.113.7, 192.168.1.5, 10.1.1.1')), '203.0.113.7');
    });
  });

  test('when every hop is trusted, the first one is the client', async () => {
    await behind(['10.0.0.0/8'], () => assert.equal(clientIp(request('10.0.0.2', '10.5.5.5, 10.0.0.3')), '10.5.5.5'));
  });

  test('repeated X-Forwarded-For headers count as one list, in order', async () => {
    await behind(['10.0.0.0/8'], () => assert.equal(clientIp(request('10.0.0.2', ['1.1.1.1', '203.0.113.7, 10.0.0.9'])), '203.0.113.7'));
  });

  test('attack: an unreadable entry stops the walk at the trusted hop that wrote it', async () => {
    await behind(['10.0.0.0/8'], () => {
      assert.equal(clientIp(request('10.0.0.2', '203.0.113.7, not-an-ip')), '10.0.0.2');
      assert.equal(clientIp(request('10.0.0.2', '198.51.100.1, garbage, 10.0.0.3')), '10.0.0.3');
    });
  });

  test('ports some proxies add are dropped', async () => {
    await behind(['10.0.0.0/8'], () => {
      assert.equal(clientIp(request('10.0.0.2', '203.0.113.7:51234')), '203.0.113.7');
      assert.equal(clientIp(request('10.0.0.2', '[2001:db8::7]:443')), '2001:db8::7');
    });
  });

  test('no header: the proxy itself is the client', async () => {
    await behind(['10.0.0.0/8'], () => assert.equal(clientIp(request('10.0.0.2')), '10.0.0.2'));
  });

  test('IPv6 proxies and a single-address entry', async () => {
    await behind(['::1', 'fd00::/8'], () => {
      assert.equal(clientIp(request('::1', '2001:db8::5, fd12::1')), '2001:db8::5');
      assert.equal(clientIp(request('::2', '2001:db8::5')), '::2');
    });
  });

  test('a trusted IPv4 proxy matches its IPv4-mapped form on a dual-stack socket', async () => {
    await behind(['127.0.0.1'], () => assert.equal(clientIp(request('::ffff:127.0.0.1', '203.0.113.7')), '203.0.113.7'));
  });

  test('a TRUSTED_PROXIES entry that is not an address says which one', async () => {
    for (const proxies of [['10.0.0.0/8', 'localhost'], ['10.0.0.0/33'], [42 as unknown as string]]) {
      await behind(proxies, () =>
        assert.throws(() => clientIp(request('10.0.0.2', '1.1.1.1')), (error: Error) => {
          assert.ok(error instanceof InvalidTrustedProxiesError);
          assert.match(error.message, new RegExp(`TRUSTED_PROXIES\\[${proxies.length - 1}\\] is .*not an IP address or network.*'10\\.0\\.0\\.0/8'`));
          return true;
        }),
      );
    }
    await overrideSettings({ TRUSTED_PROXIES: '10.0.0.0/8' as never }, () => {
      assert.throws(() => clientIp(request('10.0.0.2')), /TRUSTED_PROXIES must be a list/);
    });
  });
});

describe('the network a client is counted by', () => {
  test('IPv4: the address; IPv6: its /64 (django-ratelimit\'s defaults)', () => {
    assert.equal(clientNetwork(request('203.0.113.7')), '203.0.113.7');
    assert.equal(clientNetwork(request('2001:db8:1:2:aaaa:bbbb:cccc:dddd')), '2001:db8:1:2::');
  });

  test('attack: rotating through one\'s own /64 does not give fresh counters', () => {
    const keys = new Set(['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:ffff'].map((ip) => clientNetwork(request(ip))));
    assert.equal(keys.size, 1);
  });

  test('RATELIMIT_IPV4_MASK and RATELIMIT_IPV6_MASK change the networks', async () => {
    await overrideSettings({ RATELIMIT_IPV4_MASK: 24, RATELIMIT_IPV6_MASK: 48 }, () => {
      assert.equal(clientNetwork(request('203.0.113.7')), '203.0.113.0');
      assert.equal(clientNetwork(request('2001:db8:1:2::1')), '2001:db8:1::');
    });
  });

  test('a mask that is not a number of bits says so', async () => {
    await overrideSettings({ RATELIMIT_IPV6_MASK: 129 }, () => {
      assert.throws(() => clientNetwork(request('::1')), (error: Error) => error instanceof RateLimitKeyError && /RATELIMIT_IPV6_MASK must be a whole number of bits from 0 to 128, got 129/.test(error.message));
    });
  });
});

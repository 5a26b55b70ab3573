// Addresses parsed, printed, masked and matched as Django 5.2 and Python's ipaddress do
// (django/addresses.json, from addresses_oracle.py): the keys a client is counted under
// and the TRUSTED_PROXIES test depend on these being right.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIp, inNetwork, maskIp, parseIp, parseNetwork } from '../../src/ratelimit/ip.ts';

interface Oracle {
  django: string;
  addresses: Array<{ input: string; valid: boolean; text?: string; networks?: Record<string, string> }>;
  contains: Array<{ address: string; network: string; in: boolean }>;
  network_valid: Record<string, boolean>;
}

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'addresses.json'), 'utf8')) as Oracle;

describe(`addresses as Django ${oracle.django} reads them`, () => {
  for (const entry of oracle.addresses) {
    test(`${JSON.stringify(entry.input)}: ${entry.valid ? entry.text : 'not an address'}`, () => {
      const address = parseIp(entry.input);
      if (!entry.valid) {
        assert.equal(address, undefined);
        return;
      }
      assert.ok(address, 'parsed');
      assert.equal(formatIp(address), entry.text);
      for (const [prefix, network] of Object.entries(entry.networks!)) {
        assert.equal(formatIp(maskIp(address, Number(prefix))), network, `/${prefix}`);
      }
    });
  }

  test('the oracle covers IPv4-mapped, compressed and invalid forms', () => {
    const inputs = oracle.addresses.map((entry) => entry.input);
    for (const input of ['::ffff:1.2.3.4', '1:0:0:2:0:0:0:3', '010.1.1.1', 'gggg::1']) assert.ok(inputs.includes(input), input);
  });
});

describe('networks (TRUSTED_PROXIES entries)', () => {
  for (const [text, valid] of Object.entries(oracle.network_valid)) {
    test(`${JSON.stringify(text)} is ${valid ? '' : 'not '}a network`, () => {
      assert.equal(parseNetwork(text) !== undefined, valid);
    });
  }

  test(`membership agrees with ipaddress on ${oracle.contains.length} pairs`, () => {
    const wrong = oracle.contains.filter((entry) => inNetwork(parseIp(entry.address)!, parseNetwork(entry.network)!) !== entry.in);
    assert.deepEqual(wrong, []);
  });

  test('an IPv4-mapped network is the IPv4 network, so it matches IPv4 peers', () => {
    const network = parseNetwork('::ffff:10.0.0.0/104')!;
    assert.equal(network.prefix, 8);
    assert.ok(inNetwork(parseIp('10.20.30.40')!, network));
    assert.ok(inNetwork(parseIp('::ffff:10.20.30.40')!, network));
    assert.ok(!inNetwork(parseIp('11.0.0.1')!, network));
  });
});

describe('deliberate differences from django-ratelimit', () => {
  test('an IPv4 client on a dual-stack socket is keyed by its IPv4 address, not by ::/64', () => {
    // django-ratelimit masks '::ffff:203.0.113.7' to '::' with its /64 default, putting every
    // IPv4 client of a dual-stack server in one bucket. Nuages unmaps it first.
    assert.equal(formatIp(maskIp(parseIp('::ffff:203.0.113.7')!, 32)), '203.0.113.7');
    assert.equal(formatIp(parseIp('::ffff:203.0.113.7')!), '203.0.113.7');
  });

  test('an IPv6 zone is dropped: fe80::1%eth0 is fe80::1', () => {
    assert.equal(formatIp(parseIp('fe80::1%eth0')!), 'fe80::1');
  });
});

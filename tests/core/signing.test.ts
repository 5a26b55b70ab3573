import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import {
  BadSignature,
  SignatureExpired,
  Signer,
  TimestampSigner,
  b62Decode,
  b62Encode,
  constantTimeCompare,
  getCookieSigner,
} from '../../src/core/signing.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';

configure({ SECRET_KEY: 'oracle-secret' });

const oracle = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'http', 'fixtures', 'django-oracle.json'), 'utf8')) as {
  signing: Record<'plain' | 'salted' | 'unicode' | 'sha1' | 'sep' | 'timestamped' | 'cookie', string>;
};

describe('Signer', () => {
  test('signs exactly as Django does with the same key and salt', () => {
    assert.equal(new Signer().sign('hello'), oracle.signing.plain);
    assert.equal(new Signer({ salt: 'newsletter' }).sign('hello'), oracle.signing.salted);
    assert.equal(new Signer().sign('caf\u00e9 \u2603'), oracle.signing.unicode);
    assert.equal(new Signer({ algorithm: 'sha1' }).sign('x'), oracle.signing.sha1);
    assert.equal(new Signer({ sep: '/' }).sign('a/b'), oracle.signing.sep);
  });

  test('unsign() returns the value, and refuses a tampered value or signature', () => {
    const signer = new Signer();
    assert.equal(signer.unsign(oracle.signing.plain), 'hello');
    assert.equal(new Signer({ sep: '/' }).unsign(oracle.signing.sep), 'a/b');
    assert.throws(() => signer.unsign(oracle.signing.plain.replace('hello', 'hellO')), BadSignature);
    assert.throws(() => signer.unsign(`${oracle.signing.plain}x`), BadSignature);
    assert.throws(() => signer.unsign('no separator'), /No ":" found/);
  });

  test('a signature made with another salt or key is refused', () => {
    assert.throws(() => new Signer({ salt: 'other' }).unsign(oracle.signing.salted), BadSignature);
    assert.throws(() => new Signer({ key: 'another-key' }).unsign(oracle.signing.plain), { code: 'NUAGES_BAD_SIGNATURE' });
  });

  test('SECRET_KEY_FALLBACKS still verify during key rotation', async () => {
    await overrideSettings({ SECRET_KEY: 'new-key', SECRET_KEY_FALLBACKS: ['oracle-secret'] }, () => {
      assert.equal(new Signer().unsign(oracle.signing.plain), 'hello');
      assert.notEqual(new Signer().sign('hello'), oracle.signing.plain);
    });
  });

  test('an unsafe separator or a missing key is refused at construction', async () => {
    assert.throws(() => new Signer({ sep: 'a' }), ImproperlyConfigured);
    assert.throws(() => new Signer({ sep: '' }), ImproperlyConfigured);
    await overrideSettings({ SECRET_KEY: '' }, () => {
      assert.throws(() => new Signer(), /set SECRET_KEY/);
    });
  });
});

describe('TimestampSigner', () => {
  test('verifies a value timestamped by Django', (t) => {
    const signed: string = oracle.signing.timestamped;
    assert.equal(new TimestampSigner().unsign(signed), 'hello');
    // The oracle was signed once; judge its age from a clock a minute after its own timestamp.
    const stamp = b62Decode(signed.split(':').at(-2)!);
    t.mock.timers.enable({ apis: ['Date'], now: stamp * 1000 + 60_000 });
    assert.equal(new TimestampSigner().unsign(signed, { maxAge: 3600 }), 'hello');
  });

  test('refuses a value older than maxAge with SignatureExpired, a BadSignature', (t) => {
    const signer = new TimestampSigner();
    const signed = signer.sign('hello');
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 120_000 });
    assert.equal(signer.unsign(signed, { maxAge: 300 }), 'hello');
    assert.throws(() => signer.unsign(signed, { maxAge: 60 }), (err: unknown) => {
      assert.ok(err instanceof SignatureExpired);
      assert.ok(err instanceof BadSignature);
      assert.equal(err.code, 'NUAGES_SIGNATURE_EXPIRED');
      return true;
    });
  });

  test('a plain Signer signature does not pass as a timestamped one', () => {
    assert.throws(() => new TimestampSigner().unsign(new Signer().sign('a')), BadSignature);
  });
});

describe('cookie signing', () => {
  test("verifies a signed cookie Django's set_signed_cookie produced", () => {
    assert.equal(getCookieSigner('sid', 'extra').unsign(oracle.signing.cookie), 'hello');
    assert.throws(() => getCookieSigner('other', 'extra').unsign(oracle.signing.cookie), BadSignature);
    assert.throws(() => getCookieSigner('sid').unsign(oracle.signing.cookie), BadSignature);
  });
});

describe('helpers', () => {
  test('base62 round-trips and matches known values', () => {
    for (const n of [0, 1, 61, 62, 1_700_000_000, -5]) assert.equal(b62Decode(b62Encode(n)), n);
    assert.equal(b62Encode(62), '10');
    assert.ok(Number.isNaN(b62Decode('!')));
  });

  test('constantTimeCompare compares whole strings of any length', () => {
    assert.equal(constantTimeCompare('abc', 'abc'), true);
    assert.equal(constantTimeCompare('abc', 'abd'), false);
    assert.equal(constantTimeCompare('abc', 'abcd'), false);
    assert.equal(constantTimeCompare('', ''), true);
  });
});

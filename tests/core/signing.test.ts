import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../src/conf/index.ts';
import { deflateSync } from 'node:zlib';
import {
  BadSignature,
  SignatureExpired,
  Signer,
  TimestampSigner,
  b62Decode,
  b62Encode,
  b64Encode,
  constantTimeCompare,
  dumps,
  getCookieSigner,
  JSONSerializer,
  loads,
} from '../../src/core/signing.ts';
import { ImproperlyConfigured } from '../../src/core/errors.ts';
import { NotJSONSerializableError, parsePythonJson, pythonJsonStringify } from '../../src/utils/python-json.ts';
import { signCase, signingCases, unsignCase } from './django/signing-cases.ts';

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

// The signed-object cases of tests/core/django/signing-cases.json, cross-checked with Django
// 5.2 both ways by signing_oracle.py (signing-django.json) at a fixed clock.
const djangoSigning = parsePythonJson(readFileSync(join(import.meta.dirname, 'django', 'signing-django.json'), 'utf8')) as {
  django: Record<string, { signed: string; json: string }>;
  verified: Record<string, { value?: unknown; error?: string }>;
  attacks: Record<string, { value?: unknown; error?: string }>;
};
const nuagesSigned = JSON.parse(readFileSync(join(import.meta.dirname, 'django', 'nuages-signed.json'), 'utf8')) as Record<string, string>;
const atOracleClock = { apis: ['Date'] as const, now: signingCases.now * 1000 };

describe('signObject / dumps in Django 5.2 format', () => {
  test('the JSON inside is byte for byte what Python writes', () => {
    for (const c of signingCases.cases) {
      assert.equal(pythonJsonStringify(c.value), djangoSigning.django[c.name]!.json, c.name);
    }
  });

  test('signing each case at the same clock gives the string Django gave', (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: atOracleClock.now });
    for (const c of signingCases.cases) assert.equal(signCase(c), djangoSigning.django[c.name]!.signed, c.name);
  });

  test("what Django signed reads back to the same value in Nuages", () => {
    for (const c of signingCases.cases) assert.deepEqual(unsignCase(c, djangoSigning.django[c.name]!.signed), c.value, c.name);
  });

  test('Django read every value Nuages signed back to the same value', (t) => {
    // nuages-signed.json must be what Nuages signs today, or the oracle checked stale values.
    t.mock.timers.enable({ apis: ['Date'], now: atOracleClock.now });
    for (const c of signingCases.cases) {
      assert.equal(signCase(c), nuagesSigned[c.name], `${c.name}: rerun make-nuages-signed.ts and signing_oracle.py`);
      assert.deepEqual(djangoSigning.verified[c.name], { value: c.value }, c.name);
    }
  });

  test('compression is used only when it saves more than one byte, marked by a leading dot', () => {
    assert.ok(djangoSigning.django['compress-wins']!.signed.startsWith('.'));
    assert.ok(!djangoSigning.django['compress-loses']!.signed.startsWith('.'));
    const value = { text: 'ab'.repeat(200) };
    assert.ok(dumps(value, { compress: true }).startsWith('.'));
    assert.ok(!dumps(value).startsWith('.'));
    assert.ok(dumps(value, { compress: true }).length < dumps(value).length);
    assert.deepEqual(loads(dumps(value, { compress: true })), value);
  });

  test('SECRET_KEY_FALLBACKS read values signed with the previous key, and new values use the new one', async () => {
    const old = signingCases.cases.find((c) => c.name === 'old-key')!;
    const fromDjango = djangoSigning.django['old-key']!.signed;
    await overrideSettings({ SECRET_KEY: signingCases.key, SECRET_KEY_FALLBACKS: [signingCases.oldKey] }, () => {
      assert.deepEqual(loads(fromDjango), old.value);
      const fresh = dumps(old.value);
      assert.throws(() => loads(fresh, { key: signingCases.oldKey, fallbackKeys: [] }), BadSignature);
    });
    await overrideSettings({ SECRET_KEY: signingCases.key, SECRET_KEY_FALLBACKS: [] }, () => {
      assert.throws(() => loads(fromDjango), BadSignature);
    });
  });

  test('Signer.unsignObject and TimestampSigner.unsignObject with maxAge', (t) => {
    const signer = new Signer({ salt: 'objects' });
    assert.deepEqual(signer.unsignObject(signer.signObject({ a: [1] })), { a: [1] });
    t.mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
    const stamped = new TimestampSigner().signObject({ b: 2 });
    t.mock.timers.tick(61_000);
    assert.deepEqual(new TimestampSigner().unsignObject(stamped, { maxAge: 120 }), { b: 2 });
    assert.throws(() => new TimestampSigner().unsignObject(stamped, { maxAge: 60 }), SignatureExpired);
  });

  test('a custom serializer is used both ways', () => {
    const upper = {
      dumps: (obj: unknown) => Buffer.from(String(obj).toUpperCase()),
      loads: (data: Uint8Array) => Buffer.from(data).toString().toLowerCase(),
    };
    const signed = dumps('shout', { serializer: upper });
    assert.equal(Buffer.from(signed.split(':')[0]!, 'base64url').toString(), 'SHOUT');
    assert.equal(loads(signed, { serializer: upper }), 'shout');
    assert.deepEqual(JSONSerializer.loads(JSONSerializer.dumps(['caf\u00e9'])), ['caf\u00e9']);
    assert.equal(Buffer.from(JSONSerializer.dumps('caf\u00e9')).toString('latin1'), '"caf\\u00e9"');
  });
});

describe('loads() refuses attacks with BadSignature, as Django does', () => {
  const plain = djangoSigning.django['dict']!.signed;
  const [payload, stamp, signature] = plain.split(':') as [string, string, string];
  const key = { key: signingCases.key };
  const verdict = (fn: () => unknown): { value?: unknown; error?: string } => {
    try {
      return { value: fn() };
    } catch (error) {
      assert.ok(error instanceof BadSignature, `${(error as Error).name} is not a BadSignature`);
      return { error: error.name };
    }
  };
  const attacks: Record<string, () => unknown> = {
    'wrong-salt': () => loads(plain, { ...key, salt: 'another.salt' }),
    'tampered-payload': () => loads(`${payload[0] === 'f' ? 'g' : 'f'}${payload.slice(1)}:${stamp}:${signature}`, key),
    'tampered-signature': () => loads(plain.slice(0, -1) + (plain.endsWith('A') ? 'B' : 'A'), key),
    expired: () => loads(plain, { ...key, maxAge: -1 }),
    'not-expired': () => loads(plain, { ...key, maxAge: 60 }),
    'swapped-separator': () => loads(plain.replaceAll(':', '/'), key),
    'wrong-key': () => loads(plain, { key: 'not-the-key' }),
    'unsigned-garbage': () => loads('not even close', key),
  };

  for (const [name, attack] of Object.entries(attacks)) {
    test(`${name}: the same verdict as Django`, (t) => {
      t.mock.timers.enable({ apis: ['Date'], now: atOracleClock.now });
      assert.deepEqual(verdict(attack), djangoSigning.attacks[name]);
    });
  }

  // Payloads only a key holder could sign: Django lets their decoding errors escape
  // (binascii.Error, zlib.error, ValueError); Nuages reports every one as BadSignature.
  const signer = new TimestampSigner({ salt: 'django.core.signing' });
  const garbage: Record<string, string> = {
    'bad base64': signer.sign('e30*'),
    'base64 of impossible length': signer.sign('e30aa'),
    'bad zlib': signer.sign(`.${b64Encode(Buffer.from('not zlib at all'))}`),
    'bad JSON': signer.sign(b64Encode(Buffer.from('{"a":'))),
    'truncated zlib': signer.sign(`.${b64Encode(deflateSync(Buffer.from('{"a":"bbbbbbbbbbbbbbbbbbbb"}')).subarray(0, 8))}`),
    'a decompression bomb': signer.sign(`.${b64Encode(deflateSync(Buffer.alloc(32 * 1024 * 1024, 0x20)))}`),
  };
  for (const [name, signed] of Object.entries(garbage)) {
    test(`a signed payload with ${name} raises BadSignature`, () => {
      assert.throws(() => loads(signed), (error: unknown) => error instanceof BadSignature && !(error instanceof SignatureExpired));
    });
  }

  test('a value that is not a string raises BadSignature', () => {
    assert.throws(() => loads(42 as unknown as string), BadSignature);
    assert.throws(() => new Signer().unsignObject(null as unknown as string), BadSignature);
  });
});

describe('Python-compatible JSON', () => {
  test('values without a JSON form are refused with the path to them', () => {
    assert.throws(() => pythonJsonStringify({ a: () => 1 }), { code: 'NUAGES_NOT_JSON_SERIALIZABLE', message: /The value\.a is function/ });
    class Book {}
    assert.throws(() => pythonJsonStringify([new Book()]), (error: unknown) => error instanceof NotJSONSerializableError && /Book/.test(error.message));
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    assert.throws(() => pythonJsonStringify(loop), /circular/);
  });

  test('toJSON() is honoured, undefined properties are left out and array holes become null', () => {
    assert.equal(pythonJsonStringify({ when: new Date(Date.UTC(2024, 0, 2)), gone: undefined, list: [undefined] }), '{"when":"2024-01-02T00:00:00.000Z","list":[null]}');
  });

  test("Python's NaN and Infinity are read, and bad text is refused", () => {
    assert.deepEqual(parsePythonJson('{"a": [NaN, -Infinity, 1.5e3], "b": "NaN"}'), { a: [Number.NaN, -Infinity, 1500], b: 'NaN' });
    assert.throws(() => parsePythonJson('[NaN,'), { code: 'NUAGES_PYTHON_JSON_PARSE' });
    assert.throws(() => parsePythonJson('{"a" 1}'), { code: 'NUAGES_PYTHON_JSON_PARSE' });
    assert.throws(() => parsePythonJson('[Infinity] x'), { code: 'NUAGES_PYTHON_JSON_PARSE' });
  });
});

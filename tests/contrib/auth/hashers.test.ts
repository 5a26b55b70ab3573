import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configure, overrideSettings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../../src/core/errors.ts';
import {
  BasePasswordHasher,
  MalformedPasswordHashError,
  PBKDF2PasswordHasher,
  PasswordHashingError,
  UNUSABLE_PASSWORD_PREFIX,
  UnknownPasswordHasherError,
  checkPassword,
  getHasher,
  getHashers,
  identifyHasher,
  isPasswordUsable,
  makePassword,
  verifyPassword,
  type PasswordHasher,
} from '../../../src/contrib/auth/hashers.ts';
import { FastArgon2, FastBCrypt, FastBCryptSHA256, FastPBKDF2, HASHERS, fast, fastHashers } from './fast-hashers.ts';

configure({ SECRET_KEY: 'hashers-test', DEBUG: true });

const FIXTURES = join(import.meta.dirname, 'django');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

interface DjangoHash {
  algorithm: string;
  password: string;
  salt: string;
  encoded: string;
  verifies: boolean;
  wrongVerifies: boolean;
  safeSummary: Record<string, string | number>;
  mustUpdateWithDefault: boolean;
  mustUpdateWithFast: boolean;
}
const django = read<{
  fast: DjangoHash[];
  default: Array<{ algorithm: string; password: string; encoded: string; safeSummary: Record<string, string | number>; mustUpdate: boolean }>;
  refused: Array<{ algorithm: string; password: string; error: string }>;
  extra: Array<{ algorithm: string; password: string; encoded: string; verifies?: boolean; mustUpdateWithFast?: boolean }>;
  unusable: { isUsable: boolean; length: number };
}>('hashers-django.json');

const withFastHashers = <R>(fn: () => Promise<R>, first = 'pbkdf2_sha256') => overrideSettings({ PASSWORD_HASHERS: fastHashers(first) }, fn);

describe('hashes made by Django 5.2', () => {
  test('every hasher encodes exactly as Django does with the same salt', async () => {
    assert.ok(django.fast.length >= 40);
    for (const entry of django.fast) {
      const hasher = fast(entry.algorithm);
      assert.equal(await hasher.encode(entry.password, entry.salt), entry.encoded, `${entry.algorithm} ${JSON.stringify(entry.password)}`);
    }
  });

  test('Django hashes verify, and a wrong password does not', async () => {
    await withFastHashers(async () => {
      for (const entry of django.fast) {
        assert.equal(entry.verifies, true);
        assert.equal(await checkPassword(entry.password, entry.encoded), true, entry.encoded);
        assert.equal(await checkPassword(`${entry.password}!`, entry.encoded), entry.wrongVerifies, entry.encoded);
      }
      for (const entry of django.extra) {
        assert.equal(await checkPassword(entry.password, entry.encoded), entry.verifies ?? true, entry.encoded);
        assert.equal(await checkPassword('not it', entry.encoded), false, entry.encoded);
      }
    });
  });

  test('safeSummary() and mustUpdate() answer as Django does', () => {
    for (const entry of django.fast) {
      assert.deepEqual(fast(entry.algorithm).safeSummary(entry.encoded), entry.safeSummary, entry.encoded);
      assert.equal(new HASHERS[entry.algorithm]!.real().mustUpdate(entry.encoded), entry.mustUpdateWithDefault, entry.encoded);
      assert.equal(fast(entry.algorithm).mustUpdate(entry.encoded), entry.mustUpdateWithFast, entry.encoded);
    }
    for (const entry of django.extra.filter((e) => e.mustUpdateWithFast !== undefined)) {
      assert.equal(fast(entry.algorithm).mustUpdate(entry.encoded), entry.mustUpdateWithFast, entry.encoded);
    }
  });

  test('hashes at Django 5.2 default work factors verify with the default PASSWORD_HASHERS', async () => {
    // The default PBKDF2 (1,000,000 iterations), for real, once: the exact string Django wrote.
    const pbkdf2 = django.default.find((entry) => entry.algorithm === 'pbkdf2_sha256')!;
    assert.match(pbkdf2.encoded, /^pbkdf2_sha256\$1000000\$/);
    const salt = pbkdf2.encoded.split('$')[2]!;
    assert.equal(await makePassword(pbkdf2.password, salt), pbkdf2.encoded);
    for (const entry of django.default) {
      const hasher = new HASHERS[entry.algorithm]!.real();
      assert.deepEqual(hasher.safeSummary(entry.encoded), entry.safeSummary);
      assert.equal(hasher.mustUpdate(entry.encoded), entry.mustUpdate);
      if (entry.algorithm === 'bcrypt' || entry.algorithm === 'md5') {
        // Not in Django's default PASSWORD_HASHERS: verify with the hasher itself.
        assert.equal(await hasher.verify(entry.password, entry.encoded), true, entry.encoded);
      } else {
        assert.equal(await checkPassword(entry.password, entry.encoded), true, entry.encoded);
      }
    }
  });

  test('plain bcrypt refuses a password over 72 bytes, as Django with bcrypt 5 does', async () => {
    const refused = django.refused.find((entry) => entry.algorithm === 'bcrypt')!;
    assert.match(refused.error, /72 bytes/);
    await assert.rejects(new FastBCrypt().encode(refused.password, new FastBCrypt().salt()), PasswordHashingError);
    await assert.rejects(makePassword('é'.repeat(37), undefined, new FastBCrypt()), /72 bytes.*BCryptSHA256PasswordHasher/);
    assert.equal(django.refused.length, 1, 'every other hasher takes any length');
  });
});

describe('hashes made by Nuages, checked by Django 5.2', () => {
  const made = read<{ hashes: Array<{ algorithm: string; workFactors: string; password: string; encoded: string }> }>('nuages-hashes.json').hashes;
  const verified = read<Array<{ encoded: string; password: string; djangoVerifies: boolean; djangoRejectsWrong: boolean; identified: string }>>(
    'django-verified-nuages.json',
  );

  test("Django's check_password accepts every Nuages hash and refuses a wrong password", () => {
    assert.equal(verified.length, made.length);
    const algorithms = new Set<string>();
    for (const [index, entry] of made.entries()) {
      const answer = verified[index]!;
      assert.equal(answer.encoded, entry.encoded);
      assert.equal(answer.identified, entry.algorithm);
      assert.equal(answer.djangoVerifies, true, entry.encoded);
      assert.equal(answer.djangoRejectsWrong, true, entry.encoded);
      algorithms.add(`${entry.algorithm}/${entry.workFactors}`);
    }
    assert.equal(algorithms.size, Object.keys(HASHERS).length * 2, 'every hasher, at fast and real work factors');
  });

  test('a hash made now has the shape of the fixture ones and verifies in Nuages', async () => {
    await withFastHashers(async () => {
      for (const entry of made.filter((e) => e.workFactors === 'fast')) {
        assert.equal(await checkPassword(entry.password, entry.encoded), true, entry.encoded);
        const fresh = await makePassword(entry.password, undefined, entry.algorithm);
        assert.equal(fresh.split('$').length, entry.encoded.split('$').length, fresh);
        assert.notEqual(fresh, entry.encoded, 'a fresh random salt');
      }
    });
  });
});

describe('makePassword() and isPasswordUsable()', () => {
  test('makePassword(null) gives an unusable password that nothing matches', async () => {
    const a = await makePassword(null);
    const b = await makePassword(null);
    assert.equal(a.length, django.unusable.length);
    assert.ok(a.startsWith(UNUSABLE_PASSWORD_PREFIX));
    assert.notEqual(a, b);
    assert.equal(isPasswordUsable(a), django.unusable.isUsable);
    assert.equal(await checkPassword(a, a), false);
    assert.equal(await checkPassword('', a), false);
  });

  test('isPasswordUsable() is true for a hash and for null, as Django', async () => {
    assert.equal(isPasswordUsable(await makePassword('x', undefined, fast('md5'))), true);
    assert.equal(isPasswordUsable(null), true);
    assert.equal(isPasswordUsable('!anything'), false);
  });

  test('the default hasher is PBKDF2-SHA256 with 1,000,000 iterations and a 22-character salt', async () => {
    const hasher = getHasher();
    assert.equal(hasher.algorithm, 'pbkdf2_sha256');
    assert.equal((hasher as PBKDF2PasswordHasher).iterations, 1_000_000);
    assert.deepEqual(getHashers().map((h) => h.algorithm), ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256', 'scrypt']);
    const salts = new Set(Array.from({ length: 20 }, () => hasher.salt()));
    assert.equal(salts.size, 20);
    for (const salt of salts) assert.match(salt, /^[A-Za-z0-9]{22}$/);
  });

  test('hashing runs off the event loop: other callbacks run while a default PBKDF2 hash is made', async () => {
    let turns = 0;
    let running = true;
    const spin = () => {
      turns++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const encoded = await makePassword('not blocking');
    running = false;
    assert.match(encoded, /^pbkdf2_sha256\$1000000\$/);
    assert.ok(turns > 1, `the event loop turned ${turns} time(s) during the hash`);
  });

  test('makePassword() refuses what is not a string, and a salt with "$"', async () => {
    await assert.rejects(makePassword(42 as unknown as string), TypeError);
    await assert.rejects(makePassword('x', 'has$dollar', fast('md5')), PasswordHashingError);
    await assert.rejects(makePassword('x', undefined, 'md5'), UnknownPasswordHasherError, 'md5 is not in the default PASSWORD_HASHERS');
  });

  test('a salt given to makePassword() is used as is', async () => {
    assert.equal(await makePassword('s3cret', 'seasalt', fast('md5')), 'md5$seasalt$1f43b0e7d1763f5f16db022da469799b');
    const bcryptSalt = '$2b$04$abcdefghijklmnopqrstuu';
    const encoded = await makePassword('s3cret', bcryptSalt, new FastBCryptSHA256());
    assert.ok(encoded.startsWith(`bcrypt_sha256$${bcryptSalt}`));
  });
});

describe('checkPassword() upgrades on login', () => {
  test('a hash of another algorithm than the preferred one is remade with the preferred one', async () => {
    await withFastHashers(async () => {
      const old = await makePassword('s3cret', undefined, 'md5');
      const calls: string[] = [];
      let stored = old;
      const setter = async (raw: string) => {
        calls.push(raw);
        stored = await makePassword(raw);
      };
      assert.equal(await checkPassword('s3cret', old, setter), true);
      assert.deepEqual(calls, ['s3cret']);
      assert.match(stored, /^pbkdf2_sha256\$1000\$/);
      // Up to date now: no second upgrade.
      assert.equal(await checkPassword('s3cret', stored, setter), true);
      assert.equal(calls.length, 1);
    });
  });

  test('a hash with an old work factor is remade; a wrong password never is', async () => {
    await withFastHashers(async () => {
      const weaker = await new PBKDF2PasswordHasher().encode('s3cret', 'abcdefghijklmnopqrstuv', 500);
      const calls: string[] = [];
      assert.equal(await checkPassword('wrong', weaker, (raw) => void calls.push(raw)), false);
      assert.equal(calls.length, 0);
      assert.equal(await checkPassword('s3cret', weaker, (raw) => void calls.push(raw)), true);
      assert.deepEqual(calls, ['s3cret']);
      assert.deepEqual(await verifyPassword('s3cret', weaker), { isCorrect: true, mustUpdate: true });
    });
  });

  test('bcrypt and argon2 hashes upgrade when rounds or costs change', async () => {
    class Rounds5 extends FastBCryptSHA256 {
      override rounds = 5;
    }
    class MoreMemory extends FastArgon2 {
      override memoryCost = 128;
    }
    const bcryptHash = await makePassword('pw', undefined, new FastBCryptSHA256());
    const argonHash = await makePassword('pw', undefined, new FastArgon2());
    await overrideSettings({ PASSWORD_HASHERS: [Rounds5, MoreMemory] }, async () => {
      assert.deepEqual(await verifyPassword('pw', bcryptHash), { isCorrect: true, mustUpdate: true });
      assert.deepEqual(await verifyPassword('pw', argonHash, 'argon2'), { isCorrect: true, mustUpdate: true });
      assert.deepEqual(await verifyPassword('pw', await makePassword('pw')), { isCorrect: true, mustUpdate: false });
    });
  });

  test('`preferred` names the hasher to upgrade to', async () => {
    await withFastHashers(async () => {
      const encoded = await makePassword('pw', undefined, 'argon2');
      assert.deepEqual(await verifyPassword('pw', encoded), { isCorrect: true, mustUpdate: true });
      assert.deepEqual(await verifyPassword('pw', encoded, 'argon2'), { isCorrect: true, mustUpdate: false });
      let upgraded = false;
      assert.equal(await checkPassword('pw', encoded, () => void (upgraded = true), 'argon2'), true);
      assert.equal(upgraded, false);
    });
  });

  test('a wrong password against an old work factor spends the missing work (hardenRuntime)', async () => {
    const hardened: string[] = [];
    class Spy extends FastPBKDF2 {
      override async hardenRuntime(password: string, encoded: string): Promise<void> {
        hardened.push(password);
        await super.hardenRuntime(password, encoded);
      }
    }
    await overrideSettings({ PASSWORD_HASHERS: [Spy] }, async () => {
      const old = await new Spy().encode('right', 'abcdefghijklmnopqrstuv', 10);
      assert.equal(await checkPassword('wrong', old), false);
      assert.equal(await checkPassword('right', old), true);
      assert.equal(await checkPassword('wrong', await makePassword('right')), false);
      assert.deepEqual(hardened, ['wrong'], 'only the failed login on an outdated hash');
    });
  });
});

describe('missing, unusable, unknown and malformed hashes', () => {
  const malformed = [
    'pbkdf2_sha256$1000$only-three',
    'pbkdf2_sha256$many$salt$hash',
    'pbkdf2_sha256$0$salt$hash',
    'pbkdf2_sha1$-5$salt$hash',
    'md5$onlysalt',
    'argon2$argon2id$v=19$garbage$c2FsdHNhbHQ$aGFzaA',
    'argon2$argon2x$v=19$m=64,t=1,p=2$c2FsdHNhbHQ$aGFzaA',
    'argon2$argon2id$v=19$m=64,t=1,p=2$not base64!$aGFzaA',
    'argon2$argon2id$v=19$m=4,t=1,p=2$c2FsdHNhbHQ$aGFzaGhhc2g',
    'bcrypt_sha256$$2b$zz$abcdefghijklmnopqrstuu',
    'bcrypt$$2b$99$abcdefghijklmnopqrstuuK3/vNU3P8pbwe6mgNbPu/8Ea76oIfry',
    'bcrypt$no-dollars',
    'scrypt$1000$salt$8$1$hash',
    'scrypt$1024$salt$x$1$hash',
    'scrypt$1024$salt$8',
  ];

  test('checkPassword() answers false and never throws', async () => {
    await withFastHashers(async () => {
      for (const encoded of malformed) {
        assert.equal(await checkPassword('password', encoded, () => assert.fail('no upgrade')), false, encoded);
      }
      assert.equal(await checkPassword('password', 'unknownalgo$1$2$3'), false);
      assert.equal(await checkPassword('password', ''), false);
      assert.equal(await checkPassword('password', null), false);
      assert.equal(await checkPassword(null, await makePassword('x')), false);
    });
  });

  test('decode() of a malformed hash throws MalformedPasswordHashError naming the algorithm', () => {
    assert.throws(() => fast('pbkdf2_sha256').decode('pbkdf2_sha256$1000$only-three'), (error: unknown) => {
      assert.ok(error instanceof MalformedPasswordHashError);
      assert.equal(error.code, 'NUAGES_MALFORMED_PASSWORD_HASH');
      assert.match(error.message, /'pbkdf2_sha256' must have 4 fields/);
      return true;
    });
    assert.throws(() => fast('md5').decode('pbkdf2_sha256$1$a$b'), /for 'pbkdf2_sha256', not 'md5'/);
  });

  test('an argon2 1.0 hash (v=16, or no version field) does not verify, and says it needs an upgrade', async () => {
    const legacy = 'argon2$argon2i$m=8,t=1,p=1$c29tZXNhbHQ$gwQOXSNhxiOxPOA0+PY10P9QFO4NAYysnqRt1GSQLE55m+2GYDt9FEjPMHhP2Cuf0nOEXXMocVrsJAtNSsKyfg';
    assert.equal(new FastArgon2().decode(legacy)['version'], 18, 'the version argon2-cffi reports');
    assert.equal(new FastArgon2().mustUpdate(legacy), true);
    await overrideSettings({ PASSWORD_HASHERS: [FastArgon2] }, async () => {
      assert.equal(await checkPassword('password', legacy), false);
    });
  });

  test('identifyHasher() names the algorithm and PASSWORD_HASHERS', async () => {
    await overrideSettings({ PASSWORD_HASHERS: ['md5', 'pbkdf2_sha256'] }, () => {
      assert.throws(() => identifyHasher('sha1$salt$hash'), (error: unknown) => {
        assert.ok(error instanceof UnknownPasswordHasherError);
        assert.equal(error.code, 'NUAGES_UNKNOWN_PASSWORD_HASHER');
        assert.match(error.message, /Unknown password hashing algorithm 'sha1'.*PASSWORD_HASHERS.*'md5', 'pbkdf2_sha256'/);
        return true;
      });
      assert.throws(() => identifyHasher('0123456789abcdef0123456789abcdef'), /'unsalted_md5'/);
      assert.equal(identifyHasher('md5$salt$hash').algorithm, 'md5');
    });
  });
});

describe('PASSWORD_HASHERS', () => {
  test("accepts algorithm names, class names, Django's dotted names and classes; the first is preferred", async () => {
    const names = [
      'django.contrib.auth.hashers.Argon2PasswordHasher',
      'BCryptSHA256PasswordHasher',
      'scrypt',
      'django.contrib.auth.hashers.MD5PasswordHasher',
      FastPBKDF2,
    ];
    await overrideSettings({ PASSWORD_HASHERS: names }, () => {
      assert.deepEqual(getHashers().map((h) => h.algorithm), ['argon2', 'bcrypt_sha256', 'scrypt', 'md5', 'pbkdf2_sha256']);
      assert.equal(getHasher().algorithm, 'argon2');
      assert.ok(getHasher('pbkdf2_sha256') instanceof FastPBKDF2);
      assert.equal(getHasher('default'), getHasher(), 'built once per settings value');
    });
  });

  test('an entry that is not a hasher is refused with the names to use', async () => {
    await overrideSettings({ PASSWORD_HASHERS: ['django.contrib.auth.hashers.SHA1PasswordHasher'] }, () => {
      assert.throws(() => getHasher(), (error: unknown) => {
        assert.ok(error instanceof ImproperlyConfigured);
        assert.match(error.message, /'django.contrib.auth.hashers.SHA1PasswordHasher', which is not a password hasher.*'pbkdf2_sha256'/);
        return true;
      });
    });
    await overrideSettings({ PASSWORD_HASHERS: [] }, () => {
      assert.throws(() => getHasher(), /at least one hasher/);
    });
    class NoAlgorithm extends BasePasswordHasher {
      readonly algorithm = '';
      async encode(): Promise<string> {
        return '';
      }
      decode(): never {
        throw new Error('unused');
      }
      async verify(): Promise<boolean> {
        return false;
      }
      safeSummary(): Record<string, string> {
        return {};
      }
    }
    await overrideSettings({ PASSWORD_HASHERS: [NoAlgorithm] }, () => {
      assert.throws(() => getHasher(), /NoAlgorithm, which is not a BasePasswordHasher with an algorithm name/);
    });
  });

  test('a custom hasher takes part in make, check and upgrade', async () => {
    class Reversed extends BasePasswordHasher {
      readonly algorithm = 'reversed';
      async encode(password: string, salt: string): Promise<string> {
        return `reversed$${salt}$${[...password].reverse().join('')}`;
      }
      decode(encoded: string) {
        const [algorithm, salt, hash] = encoded.split('$') as [string, string, string];
        return { algorithm, salt, hash };
      }
      async verify(password: string, encoded: string): Promise<boolean> {
        return (await this.encode(password, this.decode(encoded).salt)) === encoded;
      }
      safeSummary(encoded: string) {
        return { algorithm: this.decode(encoded).algorithm };
      }
    }
    await overrideSettings({ PASSWORD_HASHERS: [FastPBKDF2, Reversed] }, async () => {
      const custom: PasswordHasher = getHasher('reversed');
      const encoded = await makePassword('abc', 'salt', custom);
      assert.equal(encoded, 'reversed$salt$cba');
      let upgraded = '';
      assert.equal(await checkPassword('abc', encoded, async (raw) => void (upgraded = await makePassword(raw))), true);
      assert.match(upgraded, /^pbkdf2_sha256\$1000\$/);
    });
  });
});

describe('bcrypt', () => {
  test('BCryptSHA256 tells apart passwords that differ after byte 72', async () => {
    const hasher = new FastBCryptSHA256();
    const base = 'a'.repeat(72);
    const encoded = await hasher.encode(`${base}1`, hasher.salt());
    assert.equal(await hasher.verify(`${base}1`, encoded), true);
    assert.equal(await hasher.verify(`${base}2`, encoded), false);
  });

  test('salts are bcrypt salts with the configured rounds', () => {
    assert.match(new FastBCrypt().salt(), /^\$2b\$04\$[./A-Za-z0-9]{22}$/);
    class TooMany extends FastBCrypt {
      override rounds = 40;
    }
    assert.throws(() => new TooMany().salt(), /4 to 31/);
  });
});

// Hashers with the low work factors the tests use, the same subclasses the Django
// oracle (django/passwords_oracle.py) builds, so fixtures made there verify here.
import {
  Argon2PasswordHasher,
  BCryptPasswordHasher,
  BCryptSHA256PasswordHasher,
  MD5PasswordHasher,
  PBKDF2PasswordHasher,
  PBKDF2SHA1PasswordHasher,
  ScryptPasswordHasher,
  type PasswordHasher,
  type PasswordHasherClass,
} from '../../../src/contrib/auth/hashers.ts';

export class FastPBKDF2 extends PBKDF2PasswordHasher {
  override iterations = 1000;
}
export class FastPBKDF2SHA1 extends PBKDF2SHA1PasswordHasher {
  override iterations = 1000;
}
export class FastArgon2 extends Argon2PasswordHasher {
  override timeCost = 1;
  override memoryCost = 64;
  override parallelism = 2;
}
export class FastBCryptSHA256 extends BCryptSHA256PasswordHasher {
  override rounds = 4;
}
export class FastBCrypt extends BCryptPasswordHasher {
  override rounds = 4;
}
export class FastScrypt extends ScryptPasswordHasher {
  override workFactor = 2 ** 10;
  override parallelism = 1;
}

/** By algorithm: the fast hasher, and the class with Django 5.2's real work factors. */
export const HASHERS: Readonly<Record<string, { fast: PasswordHasherClass; real: PasswordHasherClass }>> = {
  pbkdf2_sha256: { fast: FastPBKDF2, real: PBKDF2PasswordHasher },
  pbkdf2_sha1: { fast: FastPBKDF2SHA1, real: PBKDF2SHA1PasswordHasher },
  argon2: { fast: FastArgon2, real: Argon2PasswordHasher },
  bcrypt_sha256: { fast: FastBCryptSHA256, real: BCryptSHA256PasswordHasher },
  bcrypt: { fast: FastBCrypt, real: BCryptPasswordHasher },
  scrypt: { fast: FastScrypt, real: ScryptPasswordHasher },
  md5: { fast: MD5PasswordHasher, real: MD5PasswordHasher },
};

/** PASSWORD_HASHERS with every fast hasher, `first` preferred. */
export function fastHashers(first = 'pbkdf2_sha256'): PasswordHasherClass[] {
  return [HASHERS[first]!.fast, ...Object.entries(HASHERS).filter(([name]) => name !== first).map(([, h]) => h.fast)];
}

export function fast(algorithm: string): PasswordHasher {
  return new HASHERS[algorithm]!.fast();
}

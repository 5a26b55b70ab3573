/**
 * The contract every password hasher keeps, and the helpers the built-in ones share.
 *
 * An encoded password is `algorithm$…` (Django's format, so stored hashes move
 * between a Django project and a Nuages one unchanged). A hasher turns a raw
 * password and a salt into that string (`encode`), checks a raw password
 * against it (`verify`), reads its parts (`decode`, `safeSummary`), and says
 * whether it was made with weaker settings than today's (`mustUpdate`).
 *
 * Every method that hashes is async and runs the work on libuv's thread pool
 * (node:crypto) or in slices that yield to the event loop (bcryptjs), so a
 * login never stalls the other requests of the process.
 */
import { randomString } from '../../../core/files/names.ts';
import { NuagesError } from '../../../core/errors.ts';

/** Letters and digits: the alphabet of Django's salts (`RANDOM_STRING_CHARS`), 62 symbols. */
export const SALT_ALPHABET_SIZE = 62;

/** What `decode()` reads out of an encoded password; extra keys depend on the algorithm. */
export interface DecodedPassword {
  algorithm: string;
  salt: string;
  hash: string;
  [key: string]: string | number;
}

/**
 * An encoded password that does not have the shape its algorithm needs (wrong
 * number of `$` fields, a work factor that is not a number, another algorithm).
 * `checkPassword()` treats it as a wrong password; `decode()` and
 * `safeSummary()` throw it.
 */
export class MalformedPasswordHashError extends NuagesError {
  readonly code = 'NUAGES_MALFORMED_PASSWORD_HASH';
}

/**
 * A password the hasher cannot encode, such as a password longer than 72 bytes
 * for `BCryptPasswordHasher` (bcrypt would silently ignore the rest).
 */
export class PasswordHashingError extends NuagesError {
  readonly code = 'NUAGES_PASSWORD_HASHING';
}

/**
 * Base class of password hashers (Django's `BasePasswordHasher`).
 *
 * A custom hasher sets `algorithm` (the text before the first `$`) and
 * implements `encode`, `decode`, `verify` and `safeSummary`; `mustUpdate` and
 * `hardenRuntime` default to "never" and "nothing".
 *
 * ```ts
 * class FastPBKDF2 extends PBKDF2PasswordHasher {
 *   override iterations = 1000; // for tests only
 * }
 * // settings: PASSWORD_HASHERS: [FastPBKDF2]
 * ```
 */
export abstract class BasePasswordHasher {
  /** The prefix of the hashes this hasher makes, e.g. 'pbkdf2_sha256'. */
  abstract readonly algorithm: string;
  /** Bits of randomness a salt made by `salt()` carries (Django: 128). */
  saltEntropy = 128;

  /**
   * A fresh random salt of letters and digits with at least `saltEntropy` bits
   * (22 characters for the default 128 bits, as Django).
   */
  salt(): string {
    return randomString(Math.ceil(this.saltEntropy / Math.log2(SALT_ALPHABET_SIZE)));
  }

  /** Hash `password` with `salt` into the stored form `algorithm$…`. */
  abstract encode(password: string, salt: string): Promise<string>;

  /**
   * The parts of an encoded password.
   *
   * @throws MalformedPasswordHashError when `encoded` does not have this algorithm's shape.
   */
  abstract decode(encoded: string): DecodedPassword;

  /**
   * Whether `password` is the one `encoded` was made from.
   *
   * @throws MalformedPasswordHashError when `encoded` does not have this algorithm's
   *   shape (`checkPassword()` turns that into false).
   */
  abstract verify(password: string, encoded: string): Promise<boolean>;

  /**
   * The parts of an encoded password that are safe to show (salt and hash
   * masked), keyed by Django's English labels: 'algorithm', 'iterations', …
   */
  abstract safeSummary(encoded: string): Record<string, string | number>;

  /** Whether `encoded` was made with other work factors (or a weaker salt) than this hasher uses now. */
  mustUpdate(_encoded: string): boolean {
    return false;
  }

  /**
   * Spend the time a hash at today's work factor would take beyond the one of
   * `encoded`, so a failed login of a user with an old hash takes as long as
   * one with a current hash.
   */
  async hardenRuntime(_password: string, _encoded: string): Promise<void> {}

  /** Django's checks on encode()'s arguments: a salt is required and may not contain '$'. */
  protected checkEncodeArgs(password: unknown, salt: string): void {
    if (typeof password !== 'string') {
      throw new TypeError(`The password to hash must be a string, got ${password === null ? 'null' : typeof password}.`);
    }
    if (!salt || salt.includes('$')) {
      throw new PasswordHashingError(`The salt must be a non-empty string without '$', got ${JSON.stringify(salt)}. Omit it to use hasher.salt().`);
    }
  }

  /**
   * Split `encoded` into exactly `count` `$`-separated fields, the first being
   * this hasher's algorithm (the last field keeps any further `$`, as Python's
   * `split('$', count - 1)` does).
   */
  protected splitFields(encoded: string, count: number): string[] {
    const fields: string[] = [];
    let rest = encoded;
    for (let i = 0; i < count - 1; i++) {
      const at = rest.indexOf('$');
      if (at === -1) break;
      fields.push(rest.slice(0, at));
      rest = rest.slice(at + 1);
    }
    fields.push(rest);
    if (fields.length !== count) {
      throw new MalformedPasswordHashError(
        `The encoded password for '${this.algorithm}' must have ${count} fields separated by '$', got ${fields.length}.`,
      );
    }
    if (fields[0] !== this.algorithm) {
      throw new MalformedPasswordHashError(`The encoded password is for '${fields[0]}', not '${this.algorithm}'.`);
    }
    return fields;
  }
}

/** Read a decimal work factor from an encoded password (Python's `int()`: digits, optional sign). */
export function parseWorkFactor(algorithm: string, name: string, text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) {
    throw new MalformedPasswordHashError(`The ${name} of a '${algorithm}' password must be a whole number, got ${JSON.stringify(text)}.`);
  }
  return Number.parseInt(trimmed, 10);
}

/** The first `show` characters of `hash`, the rest replaced by `char` (Django's `mask_hash`). */
export function maskHash(hash: string, show = 6, char = '*'): string {
  const chars = [...hash];
  return chars.slice(0, show).join('') + char.repeat(Math.max(0, chars.length - show));
}

/** Whether a salt of letters and digits carries fewer than `expectedEntropy` bits (so the hash should be remade). */
export function mustUpdateSalt(salt: string, expectedEntropy: number): boolean {
  return [...salt].length * Math.log2(SALT_ALPHABET_SIZE) < expectedEntropy;
}

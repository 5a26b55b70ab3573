/**
 * Argon2 (`argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>`, salt and hash in
 * base64 without padding), with Django's parameters: argon2id, 2 passes, 100 MiB,
 * 8 lanes, a 32-byte tag.
 *
 * Why node:crypto and not a package: Node 24.7 ships Argon2 (OpenSSL's) in
 * `crypto.argon2`, which runs on the libuv thread pool like pbkdf2 and scrypt, so
 * the default install needs no native addon, no prebuilt binary and no install
 * script, and there is one less dependency to audit. Its limit: it computes
 * Argon2 version 1.3 (`v=19`, what every argon2-cffi release since 2016 writes)
 * and not the older 1.0; such a hash (`v=16`, or no `v=` field) does not verify
 * and its user has to reset the password.
 */
import * as crypto from 'node:crypto';
import { constantTimeCompare } from '../../../core/signing.ts';
import {
  BasePasswordHasher,
  MalformedPasswordHashError,
  PasswordHashingError,
  maskHash,
  mustUpdateSalt,
  type DecodedPassword,
} from './base.ts';

type Variety = 'argon2id' | 'argon2i' | 'argon2d';
const VARIETIES: readonly string[] = ['argon2id', 'argon2i', 'argon2d'];
/** Argon2 1.3, the only version node:crypto computes. */
const ARGON2_VERSION = 19;
/** Tag length argon2-cffi (and so Django) uses. */
const HASH_LENGTH = 32;
/** Version argon2-cffi reports for the old encoding without a `v=` field. */
const UNVERSIONED = 18;

interface Argon2Parameters {
  variety: Variety;
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
  saltText: string;
  hashText: string;
}

function fromBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new MalformedPasswordHashError(`The ${what} of an argon2 password is not base64: ${JSON.stringify(text)}.`);
  }
  return Buffer.from(text, 'base64');
}

function toBase64(data: Buffer): string {
  return data.toString('base64').replace(/=+$/, '');
}

function argon2Async(variety: Variety, parameters: crypto.Argon2Parameters): Promise<Buffer> {
  const run = (crypto as { argon2?: typeof crypto.argon2 }).argon2;
  if (typeof run !== 'function') {
    throw new PasswordHashingError(
      `Argon2PasswordHasher needs node:crypto's argon2, added in Node.js 24.7; this is Node.js ${process.version}. ` +
        'Upgrade Node.js, or remove Argon2PasswordHasher from PASSWORD_HASHERS.',
    );
  }
  return new Promise((resolve, reject) => {
    run(variety, parameters, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Argon2, as Django's `Argon2PasswordHasher`. */
export class Argon2PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'argon2';
  /** Passes over memory (argon2's t). */
  timeCost = 2;
  /** Memory in KiB (argon2's m). */
  memoryCost = 102400;
  /** Lanes (argon2's p). */
  parallelism = 8;

  async encode(password: string, salt: string): Promise<string> {
    this.checkEncodeArgs(password, salt);
    const nonce = Buffer.from(salt, 'utf8');
    const parameters = { memory: this.memoryCost, passes: this.timeCost, parallelism: this.parallelism };
    let tag: Buffer;
    try {
      tag = await argon2Async('argon2id', { message: Buffer.from(password, 'utf8'), nonce, tagLength: HASH_LENGTH, ...parameters });
    } catch (error) {
      if (error instanceof PasswordHashingError) throw error;
      throw new PasswordHashingError(
        `argon2 refused m=${this.memoryCost}, t=${this.timeCost}, p=${this.parallelism} with a ${nonce.length}-byte salt: ` +
          `${(error as Error).message}. The salt needs 8 bytes or more and memoryCost at least 8 × parallelism.`,
        { cause: error },
      );
    }
    return (
      `${this.algorithm}$argon2id$v=${ARGON2_VERSION}$m=${this.memoryCost},t=${this.timeCost},p=${this.parallelism}` +
      `$${toBase64(nonce)}$${toBase64(tag)}`
    );
  }

  decode(encoded: string): DecodedPassword {
    const parsed = this.#parse(encoded);
    return {
      algorithm: this.algorithm,
      hash: parsed.hashText,
      memoryCost: parsed.memoryCost,
      parallelism: parsed.parallelism,
      salt: parsed.salt.toString('latin1'),
      timeCost: parsed.timeCost,
      variety: parsed.variety,
      version: parsed.version,
    };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = this.#parse(encoded);
    if (parsed.version !== ARGON2_VERSION || parsed.salt.length < 8 || parsed.hash.length < 4) return false;
    if (parsed.memoryCost < 8 * parsed.parallelism || parsed.timeCost < 1 || parsed.parallelism < 1) return false;
    const tag = await argon2Async(parsed.variety, {
      message: Buffer.from(password, 'utf8'),
      nonce: parsed.salt,
      tagLength: parsed.hash.length,
      memory: parsed.memoryCost,
      passes: parsed.timeCost,
      parallelism: parsed.parallelism,
    });
    return constantTimeCompare(toBase64(parsed.hash), toBase64(tag));
  }

  safeSummary(encoded: string): Record<string, string | number> {
    const decoded = this.decode(encoded);
    return {
      algorithm: decoded.algorithm,
      variety: decoded['variety'] as string,
      version: decoded['version'] as number,
      'memory cost': decoded['memoryCost'] as number,
      'time cost': decoded['timeCost'] as number,
      parallelism: decoded['parallelism'] as number,
      salt: maskHash(decoded.salt),
      hash: maskHash(decoded.hash),
    };
  }

  /** True when the variety, version, tag length, m, t or p differ from this hasher's, or the salt is weak. */
  override mustUpdate(encoded: string): boolean {
    const parsed = this.#parse(encoded);
    return (
      parsed.variety !== 'argon2id' ||
      parsed.version !== ARGON2_VERSION ||
      parsed.hash.length !== HASH_LENGTH ||
      parsed.timeCost !== this.timeCost ||
      parsed.memoryCost !== this.memoryCost ||
      parsed.parallelism !== this.parallelism ||
      mustUpdateSalt(parsed.salt.toString('latin1'), this.saltEntropy)
    );
  }

  // hardenRuntime stays a no-op, as Django's: Argon2's cost (memory and passes)
  // cannot be topped up by a few extra rounds.

  #parse(encoded: string): Argon2Parameters {
    const prefix = `${this.algorithm}$`;
    if (!encoded.startsWith(prefix)) {
      throw new MalformedPasswordHashError(`The encoded password is not an '${this.algorithm}' password.`);
    }
    const parts = encoded.slice(prefix.length).split('$');
    // The encoding of argon2 before version 1.3 had no `v=` field.
    if (parts.length === 4) parts.splice(1, 0, `v=${UNVERSIONED}`);
    if (parts.length !== 5) {
      throw new MalformedPasswordHashError(
        `An argon2 password has the form argon2$<variety>$v=<version>$m=<m>,t=<t>,p=<p>$<salt>$<hash>; got ${parts.length + 1} fields.`,
      );
    }
    const [variety, versionPart, costs, saltText, hashText] = parts as [string, string, string, string, string];
    if (!VARIETIES.includes(variety)) {
      throw new MalformedPasswordHashError(`Unknown argon2 variety ${JSON.stringify(variety)}: expected argon2id, argon2i or argon2d.`);
    }
    const values = new Map<string, number>();
    for (const item of [versionPart, ...costs.split(',')]) {
      const match = /^([a-z])=(\d+)$/.exec(item);
      if (!match || values.has(match[1]!)) {
        throw new MalformedPasswordHashError(`Cannot read the argon2 parameter ${JSON.stringify(item)}.`);
      }
      values.set(match[1]!, Number(match[2]));
    }
    if (values.size !== 4 || !['v', 'm', 't', 'p'].every((key) => values.has(key))) {
      throw new MalformedPasswordHashError('An argon2 password needs exactly the parameters v, m, t and p.');
    }
    return {
      variety: variety as Variety,
      version: values.get('v')!,
      memoryCost: values.get('m')!,
      timeCost: values.get('t')!,
      parallelism: values.get('p')!,
      salt: fromBase64(saltText, 'salt'),
      hash: fromBase64(hashText, 'hash'),
      saltText,
      hashText,
    };
  }
}

/**
 * bcrypt (`bcrypt$$2b$12$<22-char salt><31-char checksum>`) and bcrypt over a
 * SHA-256 pre-hash (`bcrypt_sha256$$2b$12$…`, Django's recommended bcrypt form).
 *
 * bcrypt reads at most 72 bytes of a password. BCryptSHA256PasswordHasher first
 * hashes the password with SHA-256 and feeds bcrypt the 64-character hex digest,
 * so every byte counts; BCryptPasswordHasher refuses a longer password (as
 * Django does with bcrypt 5) rather than ignore its end.
 *
 * Why bcryptjs: it is the most used bcrypt for Node, maintained, plain
 * JavaScript with no install script and no native build, and its output is
 * byte-for-byte the OpenBSD/pyca format. Its async `hash` works in slices that
 * yield to the event loop between them, so other requests go on while a
 * password is hashed.
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { constantTimeCompare } from '../../../core/signing.ts';
import {
  BasePasswordHasher,
  MalformedPasswordHashError,
  PasswordHashingError,
  maskHash,
  parseWorkFactor,
  type DecodedPassword,
} from './base.ts';

/** `$2b$12$` and the 22 characters of salt; what `salt()` returns and `encode()` accepts. */
const BCRYPT_SALT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{22}/;
/** A whole bcrypt hash: salt and 31 characters of checksum. */
const BCRYPT_HASH = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
/** Bytes of the password bcrypt reads. */
const BCRYPT_MAX_BYTES = 72;

/** bcrypt over SHA-256, as Django's `BCryptSHA256PasswordHasher`. */
export class BCryptSHA256PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'bcrypt_sha256';
  /** The pre-hash, or null for plain bcrypt. */
  readonly digest: 'sha256' | null = 'sha256';
  /** log2 of bcrypt's iteration count (Django: 12). */
  rounds = 12;

  /** A bcrypt salt, `$2b$<rounds>$` and 22 random characters (as pyca's `gensalt`). */
  override salt(): string {
    if (!Number.isInteger(this.rounds) || this.rounds < 4 || this.rounds > 31) {
      throw new PasswordHashingError(`bcrypt rounds must be a whole number from 4 to 31, got ${this.rounds}.`);
    }
    return bcrypt.genSaltSync(this.rounds);
  }

  /** `salt` is a bcrypt salt from `salt()`, or a whole bcrypt hash whose salt is reused (verify does that). */
  async encode(password: string, salt: string): Promise<string> {
    if (typeof password !== 'string') {
      throw new TypeError(`The password to hash must be a string, got ${password === null ? 'null' : typeof password}.`);
    }
    if (!BCRYPT_SALT.test(salt)) {
      throw new PasswordHashingError(`${JSON.stringify(salt)} is not a bcrypt salt ($2b$<rounds>$ and 22 characters). Omit it to use hasher.salt().`);
    }
    const rounds = Number(salt.slice(4, 6));
    if (rounds < 4 || rounds > 31) throw new PasswordHashingError(`bcrypt rounds must be from 4 to 31, the salt has ${rounds}.`);
    const data = await bcrypt.hash(this.#secret(password), salt.slice(0, 29));
    return `${this.algorithm}$${data}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, , algostr, workFactor, data] = this.splitFields(encoded, 5) as [string, string, string, string, string];
    return {
      algorithm,
      algostr,
      checksum: data.slice(22),
      hash: data.slice(22),
      salt: data.slice(0, 22),
      workFactor: parseWorkFactor(algorithm, 'work factor', workFactor),
    };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const data = encoded.slice(this.algorithm.length + 1);
    if (!encoded.startsWith(`${this.algorithm}$`) || !BCRYPT_HASH.test(data)) {
      throw new MalformedPasswordHashError(`The encoded password is not a '${this.algorithm}' password ('${this.algorithm}$$2b$<rounds>$…').`);
    }
    const rounds = Number(data.slice(4, 6));
    if (rounds < 4 || rounds > 31) return false;
    if (this.digest === null && Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) return false;
    return constantTimeCompare(encoded, await this.encode(password, data));
  }

  safeSummary(encoded: string): Record<string, string | number> {
    const decoded = this.decode(encoded);
    return {
      algorithm: decoded.algorithm,
      'work factor': decoded['workFactor'] as number,
      salt: maskHash(decoded.salt),
      checksum: maskHash(decoded['checksum'] as string),
    };
  }

  override mustUpdate(encoded: string): boolean {
    return this.decode(encoded)['workFactor'] !== this.rounds;
  }

  /** Hash 2^(rounds − stored rounds) − 1 more times, so a wrong password costs today's time. */
  override async hardenRuntime(password: string, encoded: string): Promise<void> {
    const data = encoded.slice(this.algorithm.length + 1);
    const salt = data.slice(0, 29);
    const stored = Number(data.split('$')[2]);
    for (let extra = 2 ** (this.rounds - stored) - 1; extra > 0; extra--) await this.encode(password, salt);
  }

  /** What bcrypt hashes: the hex SHA-256 of the password, or the password itself (at most 72 bytes). */
  #secret(password: string): string {
    if (this.digest !== null) return createHash(this.digest).update(password, 'utf8').digest('hex');
    if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
      throw new PasswordHashingError(
        `bcrypt reads only ${BCRYPT_MAX_BYTES} bytes of a password and this one is longer. ` +
          'Use BCryptSHA256PasswordHasher (it pre-hashes the password), or limit passwords to 72 bytes.',
      );
    }
    return password;
  }
}

/**
 * Plain bcrypt (`bcrypt$…`), as Django's `BCryptPasswordHasher`. Passwords over
 * 72 bytes are refused; prefer BCryptSHA256PasswordHasher.
 */
export class BCryptPasswordHasher extends BCryptSHA256PasswordHasher {
  override readonly algorithm: string = 'bcrypt';
  override readonly digest: 'sha256' | null = null;
}

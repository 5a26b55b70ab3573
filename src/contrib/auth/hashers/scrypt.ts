/**
 * scrypt from node:crypto (`scrypt$<n>$<salt>$<r>$<p>$<base64 of 64 bytes>`),
 * with Django's parameters: n = 2^14, r = 8, p = 5, a 64-byte key.
 */
import { scrypt, type ScryptOptions } from 'node:crypto';
import { constantTimeCompare } from '../../../core/signing.ts';
import {
  BasePasswordHasher,
  PasswordHashingError,
  maskHash,
  parseWorkFactor,
  type DecodedPassword,
} from './base.ts';

const KEY_LENGTH = 64;

function scryptAsync(password: Buffer, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Whether n, r, p are parameters scrypt accepts (n a power of two above 1, r and p positive). */
function validParameters(n: number, r: number, p: number): boolean {
  return n > 1 && Number.isSafeInteger(n) && (n & (n - 1)) === 0 && r >= 1 && p >= 1;
}

/** scrypt, as Django's `ScryptPasswordHasher`. */
export class ScryptPasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'scrypt';
  /** n, the CPU/memory cost (a power of two). */
  workFactor = 2 ** 14;
  /** r. */
  blockSize = 8;
  /** p. */
  parallelism = 5;
  /**
   * Most memory scrypt may use, in bytes; 0 keeps OpenSSL's limit of 32 MiB (as
   * Django's 0 does). Raise it with `workFactor` or `blockSize`: the hash needs
   * about 128 × n × r bytes.
   */
  maxmem = 0;

  /** Encode with the given n, r, p instead of this hasher's (used by verify). */
  async encode(password: string, salt: string, n?: number, r?: number, p?: number): Promise<string> {
    this.checkEncodeArgs(password, salt);
    const cost = n || this.workFactor;
    const blockSize = r || this.blockSize;
    const parallelism = p || this.parallelism;
    const options: ScryptOptions = { N: cost, r: blockSize, p: parallelism };
    if (this.maxmem) options.maxmem = this.maxmem;
    let key: Buffer;
    try {
      key = await scryptAsync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), options);
    } catch (error) {
      throw new PasswordHashingError(
        `scrypt refused n=${cost}, r=${blockSize}, p=${parallelism}: ${(error as Error).message}. ` +
          'n must be a power of two; raise maxmem on the hasher when n × r is large (it needs about 128 × n × r bytes).',
        { cause: error },
      );
    }
    return `${this.algorithm}$${cost}$${salt}$${blockSize}$${parallelism}$${key.toString('base64')}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, n, salt, r, p, hash] = this.splitFields(encoded, 6) as [string, string, string, string, string, string];
    return {
      algorithm,
      workFactor: parseWorkFactor(algorithm, 'work factor', n),
      salt,
      blockSize: parseWorkFactor(algorithm, 'block size', r),
      parallelism: parseWorkFactor(algorithm, 'parallelism', p),
      hash,
    };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const decoded = this.decode(encoded);
    const n = decoded['workFactor'] as number;
    const r = decoded['blockSize'] as number;
    const p = decoded['parallelism'] as number;
    if (!validParameters(n, r, p) || !decoded.salt || decoded.salt.includes('$')) return false;
    return constantTimeCompare(encoded, await this.encode(password, decoded.salt, n, r, p));
  }

  safeSummary(encoded: string): Record<string, string | number> {
    const decoded = this.decode(encoded);
    return {
      algorithm: decoded.algorithm,
      'work factor': decoded['workFactor'] as number,
      'block size': decoded['blockSize'] as number,
      parallelism: decoded['parallelism'] as number,
      salt: maskHash(decoded.salt),
      hash: maskHash(decoded.hash),
    };
  }

  override mustUpdate(encoded: string): boolean {
    const decoded = this.decode(encoded);
    return (
      decoded['workFactor'] !== this.workFactor ||
      decoded['blockSize'] !== this.blockSize ||
      decoded['parallelism'] !== this.parallelism
    );
  }

  // hardenRuntime stays a no-op, as Django's: scrypt's cost does not grow in a
  // way a few extra rounds could imitate.
}

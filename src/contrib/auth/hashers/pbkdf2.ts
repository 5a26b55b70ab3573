/**
 * PBKDF2 with HMAC-SHA256 (Django's default hasher) and HMAC-SHA1.
 *
 * Format: `pbkdf2_sha256$<iterations>$<salt>$<base64 of the derived key>`; the key
 * is as long as the digest (32 bytes for SHA-256, 20 for SHA-1).
 */
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { constantTimeCompare } from '../../../core/signing.ts';
import {
  BasePasswordHasher,
  maskHash,
  mustUpdateSalt,
  parseWorkFactor,
  type DecodedPassword,
} from './base.ts';

const pbkdf2Async = promisify(pbkdf2);

/**
 * PBKDF2-HMAC-SHA256, 1,000,000 iterations (Django 5.2's count). Raising
 * `iterations` in a subclass is safe: older hashes still verify and are
 * re-encoded on the next successful login.
 */
export class PBKDF2PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'pbkdf2_sha256';
  iterations = 1_000_000;
  /** The HMAC digest; changing it requires another `algorithm` name. */
  readonly digest: 'sha256' | 'sha1' = 'sha256';

  /** Encode with `iterations` instead of this hasher's count (used by verify and hardenRuntime). */
  async encode(password: string, salt: string, iterations?: number): Promise<string> {
    this.checkEncodeArgs(password, salt);
    const rounds = iterations || this.iterations;
    const keyLength = this.digest === 'sha256' ? 32 : 20;
    // node:crypto's async pbkdf2 runs on the libuv thread pool: a million
    // iterations do not block the event loop.
    const key = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), rounds, keyLength, this.digest);
    return `${this.algorithm}$${rounds}$${salt}$${key.toString('base64')}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, iterations, salt, hash] = this.splitFields(encoded, 4) as [string, string, string, string];
    return { algorithm, hash, iterations: parseWorkFactor(algorithm, 'iteration count', iterations), salt };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const decoded = this.decode(encoded);
    const iterations = decoded['iterations'] as number;
    // Django would encode with its default count for 0 and fail on a negative
    // one; either way the stored hash cannot match.
    if (iterations < 1) return false;
    return constantTimeCompare(encoded, await this.encode(password, decoded.salt, iterations));
  }

  safeSummary(encoded: string): Record<string, string | number> {
    const decoded = this.decode(encoded);
    return {
      algorithm: decoded.algorithm,
      iterations: decoded['iterations'] as number,
      salt: maskHash(decoded.salt),
      hash: maskHash(decoded.hash),
    };
  }

  override mustUpdate(encoded: string): boolean {
    const decoded = this.decode(encoded);
    return decoded['iterations'] !== this.iterations || mustUpdateSalt(decoded.salt, this.saltEntropy);
  }

  /** Run the iterations the stored hash is short of, so a wrong password costs today's time. */
  override async hardenRuntime(password: string, encoded: string): Promise<void> {
    const decoded = this.decode(encoded);
    const extra = this.iterations - (decoded['iterations'] as number);
    if (extra > 0) await this.encode(password, decoded.salt, extra);
  }
}

/** PBKDF2-HMAC-SHA1 (`pbkdf2_sha1$…`), for hashes made by other PKCS #5 implementations. */
export class PBKDF2SHA1PasswordHasher extends PBKDF2PasswordHasher {
  override readonly algorithm: string = 'pbkdf2_sha1';
  override readonly digest: 'sha256' | 'sha1' = 'sha1';
}

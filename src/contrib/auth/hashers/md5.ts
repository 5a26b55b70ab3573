/**
 * Salted MD5 (`md5$<salt>$<hex digest of salt + password>`). Fast and weak: keep it
 * for tests, where PBKDF2's million iterations would slow every user creation,
 * and for hashes imported from very old projects (they upgrade on login).
 */
import { createHash } from 'node:crypto';
import { constantTimeCompare } from '../../../core/signing.ts';
import { BasePasswordHasher, maskHash, mustUpdateSalt, type DecodedPassword } from './base.ts';

/** Salted MD5, as Django's `MD5PasswordHasher`: not for production. */
export class MD5PasswordHasher extends BasePasswordHasher {
  readonly algorithm: string = 'md5';

  async encode(password: string, salt: string): Promise<string> {
    this.checkEncodeArgs(password, salt);
    const hash = createHash('md5').update(salt + password, 'utf8').digest('hex');
    return `${this.algorithm}$${salt}$${hash}`;
  }

  decode(encoded: string): DecodedPassword {
    const [algorithm, salt, hash] = this.splitFields(encoded, 3) as [string, string, string];
    return { algorithm, hash, salt };
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    const decoded = this.decode(encoded);
    if (!decoded.salt || decoded.salt.includes('$')) return false;
    return constantTimeCompare(encoded, await this.encode(password, decoded.salt));
  }

  safeSummary(encoded: string): Record<string, string | number> {
    const decoded = this.decode(encoded);
    return { algorithm: decoded.algorithm, salt: maskHash(decoded.salt, 2), hash: maskHash(decoded.hash) };
  }

  override mustUpdate(encoded: string): boolean {
    return mustUpdateSalt(this.decode(encoded).salt, this.saltEntropy);
  }
}

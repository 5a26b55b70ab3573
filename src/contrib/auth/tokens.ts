/**
 * One-use tokens for password reset links, in Django's format so a link a Django project
 * sent still works here and the reverse: `<timestamp base36>-<every other hex digit of an
 * HMAC>`. The HMAC covers the user's pk, password hash, last login and email, so a token
 * dies when the password changes (it was used) or the user logs in, and it expires after
 * PASSWORD_RESET_TIMEOUT seconds. SECRET_KEY_FALLBACKS keep links valid across a rotation.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { constantTimeCompare, saltedHmac } from '../../core/signing.ts';
import { pythonIsoformat, wallClock, wallClockAsUtc } from '../../utils/timezone.ts';
import type { AbstractBaseUser, UserModelStatics } from './base-user.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';

const KEY_SALT = 'django.contrib.auth.tokens.PasswordResetTokenGenerator';
const EPOCH_2001 = Date.UTC(2001, 0, 1);
/** Three days, Django's default PASSWORD_RESET_TIMEOUT. */
export const DEFAULT_PASSWORD_RESET_TIMEOUT = 259_200;

/** Python's str() of a naive datetime without microseconds. */
function pythonDateTime(date: Date, zone: string): string {
  return pythonIsoformat(wallClock(date, zone), { sep: ' ', withMicroseconds: false });
}

/** Makes and checks password reset tokens (Django's PasswordResetTokenGenerator). */
export class PasswordResetTokenGenerator {
  keySalt = KEY_SALT;
  algorithm: 'sha256' | 'sha1' = 'sha256';
  /** Defaults to SECRET_KEY, read when a token is made. */
  secret?: string;
  /** Defaults to SECRET_KEY_FALLBACKS. */
  secretFallbacks?: readonly string[];
  /** The clock, replaceable in tests. */
  now: () => Date = () => timezoneNow();

  /** A token for `user`, valid until it is used or expires. */
  makeToken(user: AbstractBaseUser): string {
    return this.#tokenAt(user, this.#secondsSince2001(this.now()), this.secret ?? settingOr('SECRET_KEY', ''));
  }

  /** Whether `token` was made for `user` (with the current or a fallback key) and is not expired. */
  checkToken(user: AbstractBaseUser | null | undefined, token: string | null | undefined): boolean {
    if (!user || !token) return false;
    const dash = token.indexOf('-');
    if (dash <= 0) return false;
    const stampText = token.slice(0, dash);
    if (!/^[0-9a-z]{1,13}$/i.test(stampText)) return false;
    const stamp = parseInt(stampText, 36);
    const secrets = [this.secret ?? settingOr('SECRET_KEY', ''), ...(this.secretFallbacks ?? settingOr<readonly string[]>('SECRET_KEY_FALLBACKS', []))];
    if (!secrets.some((secret) => constantTimeCompare(this.#tokenAt(user, stamp, secret), token))) return false;
    const timeout = settingOr('PASSWORD_RESET_TIMEOUT', DEFAULT_PASSWORD_RESET_TIMEOUT);
    return this.#secondsSince2001(this.now()) - stamp <= timeout;
  }

  #tokenAt(user: AbstractBaseUser, stamp: number, secret: string): string {
    const digest = saltedHmac(this.keySalt, this.makeHashValue(user, stamp), secret, this.algorithm).toString('hex');
    let every2nd = '';
    for (let i = 0; i < digest.length; i += 2) every2nd += digest[i];
    return `${stamp.toString(36)}-${every2nd}`;
  }

  /**
   * What the token signs: the pk, the password hash (changes when the reset is used), the
   * last login (changes on login) without microseconds, the timestamp and the email.
   */
  protected makeHashValue(user: AbstractBaseUser, stamp: number): string {
    const useTz = settingOr('USE_TZ', true);
    const lastLogin = user.lastLogin instanceof Date ? pythonDateTime(user.lastLogin, useTz ? 'UTC' : settingOr('TIME_ZONE', 'UTC')) : '';
    const emailField = (user.constructor as unknown as UserModelStatics).getEmailFieldName();
    const email = (user as unknown as Record<string, unknown>)[emailField] ?? '';
    return `${user.pk}${user.password}${lastLogin}${stamp}${email}`;
  }

  /** Seconds from 2001-01-01 to `date` on the wall clock of TIME_ZONE (Django counts in local time). */
  #secondsSince2001(date: Date): number {
    const wall = wallClock(date, settingOr('TIME_ZONE', 'UTC'));
    return Math.floor((wallClockAsUtc({ ...wall, millisecond: 0 }) - EPOCH_2001) / 1000);
  }
}

/** The generator the password reset views use by default. */
export const defaultTokenGenerator = new PasswordResetTokenGenerator();

/** A primary key as URL-safe base64 without padding (Django's urlsafe_base64_encode of its text). */
export function uidEncode(pk: unknown): string {
  return Buffer.from(String(pk), 'utf8').toString('base64url');
}

/** The text `uidEncode()` encoded, or null for anything that is not URL-safe base64 of UTF-8. */
export function uidDecode(uidb64: string): string | null {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(uidb64)) return null;
  const text = Buffer.from(uidb64, 'base64url').toString('utf8');
  return text.includes('\uFFFD') ? null : text;
}

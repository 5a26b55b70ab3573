/** Helpers for commands (Django's django.core.management.utils). */
import { randomString } from '../files/names.ts';

// Django's alphabet and length, so a generated key passes the same `check --deploy` test (security.W009).
const SECRET_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)';
const SECRET_KEY_LENGTH = 50;

/**
 * A new random SECRET_KEY: 50 characters from a cryptographic source (Django's
 * get_random_secret_key). `startproject` writes one into the new settings.
 *
 * ```ts
 * getRandomSecretKey(); // 'k(#6--cbo@+f$gk&id9h=won+l*zonb%un+t5ndsizd$ibog)h', different each time
 * ```
 */
export function getRandomSecretKey(): string {
  return randomString(SECRET_KEY_LENGTH, SECRET_KEY_CHARS);
}

/** Helpers for commands (Django's django.core.management.utils). */
import { randomString } from '../files/names.ts';
import { parseAddrPort } from '../servers/options.ts';
import { CommandError } from './errors.ts';

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

/**
 * Where `runserver` and `serve` listen: their `[addr:]port` argument when given (an address
 * left out keeps `fallback.host`), else `fallback`.
 *
 * @throws CommandError quoting an argument that is neither a port nor an address:port pair.
 */
export function listenAddress(addrport: string | undefined, fallback: { host: string; port: number }): { host: string; port: number } {
  if (addrport === undefined) return fallback;
  const parsed = parseAddrPort(addrport);
  if (parsed === undefined) throw new CommandError(`"${addrport}" is not a valid port number or address:port pair.`);
  return { host: parsed.host ?? fallback.host, port: parsed.port };
}

/**
 * Password hashing, in Django's formats: hashes made by a Django project verify
 * here, and the other way round.
 *
 * PASSWORD_HASHERS → hasher instances (the first is preferred) →
 * `makePassword()` encodes with the preferred one; `checkPassword()` finds the
 * hasher by the `algorithm$` prefix of the stored hash, verifies, and calls
 * `setter` to store a new hash when the preferred hasher or its work factor
 * changed (upgrade on login).
 *
 * ```ts
 * const encoded = await makePassword('correct horse');   // 'pbkdf2_sha256$1000000$…'
 * await checkPassword('correct horse', encoded);          // true
 * await checkPassword('wrong', encoded);                  // false
 * isPasswordUsable(await makePassword(null));              // false
 * ```
 *
 * Hashing runs off the event loop (node:crypto's thread pool, or bcryptjs's
 * slices), and comparisons are constant-time.
 */
import { randomString } from '../../core/files/names.ts';
import { ImproperlyConfigured, NuagesError } from '../../core/errors.ts';
import { settingOr } from '../../conf/lazy-settings.ts';
import { defaultSettings } from '../../conf/settings.ts';
import { Argon2PasswordHasher } from './hashers/argon2.ts';
import { BasePasswordHasher, MalformedPasswordHashError } from './hashers/base.ts';
import { BCryptPasswordHasher, BCryptSHA256PasswordHasher } from './hashers/bcrypt.ts';
import { MD5PasswordHasher } from './hashers/md5.ts';
import { PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher } from './hashers/pbkdf2.ts';
import { ScryptPasswordHasher } from './hashers/scrypt.ts';

export { Argon2PasswordHasher } from './hashers/argon2.ts';
export {
  BasePasswordHasher,
  MalformedPasswordHashError,
  PasswordHashingError,
  maskHash,
  mustUpdateSalt,
  type DecodedPassword,
} from './hashers/base.ts';
export { BCryptPasswordHasher, BCryptSHA256PasswordHasher } from './hashers/bcrypt.ts';
export { MD5PasswordHasher } from './hashers/md5.ts';
export { PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher } from './hashers/pbkdf2.ts';
export { ScryptPasswordHasher } from './hashers/scrypt.ts';

/** Any password hasher: a built-in one or a subclass of BasePasswordHasher. */
export type PasswordHasher = BasePasswordHasher;

/** A class PASSWORD_HASHERS may list. */
export type PasswordHasherClass = new () => BasePasswordHasher;

/** Starts every unusable password; no hasher's algorithm name can start with it. */
export const UNUSABLE_PASSWORD_PREFIX = '!';
/** Random characters after the prefix, so two unusable passwords never compare equal. */
export const UNUSABLE_PASSWORD_SUFFIX_LENGTH = 40;

/** The stored hash names an algorithm that no hasher of PASSWORD_HASHERS provides. */
export class UnknownPasswordHasherError extends NuagesError {
  readonly code = 'NUAGES_UNKNOWN_PASSWORD_HASHER';
}

const DJANGO_PREFIX = 'django.contrib.auth.hashers.';

const BUILTIN_CLASSES: readonly PasswordHasherClass[] = [
  PBKDF2PasswordHasher,
  PBKDF2SHA1PasswordHasher,
  Argon2PasswordHasher,
  BCryptSHA256PasswordHasher,
  BCryptPasswordHasher,
  ScryptPasswordHasher,
  MD5PasswordHasher,
];

/**
 * The names PASSWORD_HASHERS accepts for the built-in hashers: the algorithm
 * ('pbkdf2_sha256'), the class name ('PBKDF2PasswordHasher') and Django's dotted
 * path ('django.contrib.auth.hashers.PBKDF2PasswordHasher').
 */
export const BUILTIN_HASHERS: Readonly<Record<string, PasswordHasherClass>> = Object.freeze(
  Object.fromEntries(
    BUILTIN_CLASSES.flatMap((HasherClass) => [
      [new HasherClass().algorithm, HasherClass],
      [HasherClass.name, HasherClass],
      [DJANGO_PREFIX + HasherClass.name, HasherClass],
    ]),
  ),
);

/** PASSWORD_HASHERS before settings are configured: the setting's default, Django 5.2's list. */
export const DEFAULT_PASSWORD_HASHERS: readonly unknown[] = defaultSettings().PASSWORD_HASHERS;

interface LoadedHashers {
  readonly list: readonly BasePasswordHasher[];
  readonly byAlgorithm: ReadonlyMap<string, BasePasswordHasher>;
}

// Keyed by the setting's array, so overrideSettings({ PASSWORD_HASHERS }) in a
// test builds its own hashers and the project's are built once per process.
const loaded = new WeakMap<readonly unknown[], LoadedHashers>();

function load(): LoadedHashers {
  const entries = settingOr<readonly unknown[]>('PASSWORD_HASHERS', DEFAULT_PASSWORD_HASHERS);
  let found = loaded.get(entries);
  if (found === undefined) {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new ImproperlyConfigured(
        'PASSWORD_HASHERS must list at least one hasher, the preferred one first, ' +
          "e.g. PASSWORD_HASHERS: ['pbkdf2_sha256', 'argon2'].",
      );
    }
    const list = entries.map(instantiate);
    found = { list, byAlgorithm: new Map(list.map((hasher) => [hasher.algorithm, hasher])) };
    loaded.set(entries, found);
  }
  return found;
}

function instantiate(entry: unknown): BasePasswordHasher {
  const HasherClass = typeof entry === 'string' ? BUILTIN_HASHERS[entry] : entry;
  if (typeof HasherClass !== 'function') {
    const builtins = BUILTIN_CLASSES.map((c) => `'${new c().algorithm}'`).join(', ');
    throw new ImproperlyConfigured(
      `PASSWORD_HASHERS lists ${typeof entry === 'string' ? `'${entry}'` : String(entry)}, which is not a password hasher. ` +
        `Use one of ${builtins} (or Django's dotted names for them), or a subclass of BasePasswordHasher.`,
    );
  }
  const hasher = new (HasherClass as PasswordHasherClass)();
  if (!(hasher instanceof BasePasswordHasher) || !hasher.algorithm) {
    throw new ImproperlyConfigured(
      `PASSWORD_HASHERS lists ${HasherClass.name}, which is not a BasePasswordHasher with an algorithm name. ` +
        "Extend BasePasswordHasher and set `readonly algorithm = '…'`.",
    );
  }
  return hasher;
}

/** The hashers of PASSWORD_HASHERS, in order; the first is the preferred one. */
export function getHashers(): readonly PasswordHasher[] {
  return load().list;
}

/**
 * The hasher for `algorithm` ('pbkdf2_sha256', …), or the preferred one for
 * 'default'. A hasher instance is returned as it is.
 *
 * @throws UnknownPasswordHasherError when no hasher of PASSWORD_HASHERS has that algorithm.
 */
export function getHasher(algorithm: string | PasswordHasher = 'default'): PasswordHasher {
  if (algorithm instanceof BasePasswordHasher) return algorithm;
  const { list, byAlgorithm } = load();
  if (algorithm === 'default') return list[0]!;
  const hasher = byAlgorithm.get(algorithm);
  if (hasher === undefined) {
    throw new UnknownPasswordHasherError(
      `Unknown password hashing algorithm '${algorithm}'. Add its hasher to the PASSWORD_HASHERS setting ` +
        `(it has ${[...byAlgorithm.keys()].map((name) => `'${name}'`).join(', ')}).`,
    );
  }
  return hasher;
}

/**
 * The hasher that made `encoded`, found by its `algorithm$` prefix (and the
 * shapes of very old Django hashes: 32 hex digits or `md5$$…` is
 * 'unsalted_md5', `sha1$$…` is 'unsalted_sha1').
 *
 * @throws UnknownPasswordHasherError naming the algorithm, when PASSWORD_HASHERS has no hasher for it.
 */
export function identifyHasher(encoded: string): PasswordHasher {
  let algorithm: string;
  if ((encoded.length === 32 && !encoded.includes('$')) || (encoded.length === 37 && encoded.startsWith('md5$$'))) {
    algorithm = 'unsalted_md5';
  } else if (encoded.length === 46 && encoded.startsWith('sha1$$')) {
    algorithm = 'unsalted_sha1';
  } else {
    algorithm = encoded.split('$', 1)[0]!;
  }
  return getHasher(algorithm);
}

/**
 * Whether `encoded` can ever match a password: false for the hashes
 * `makePassword(null)` makes. A null `encoded` counts as usable, as in Django
 * (it means "no hash yet", not "disabled").
 */
export function isPasswordUsable(encoded: string | null): boolean {
  return encoded === null || !encoded.startsWith(UNUSABLE_PASSWORD_PREFIX);
}

/**
 * Hash `password` for storage, with a fresh salt unless one is given, using
 * the preferred hasher or the one named by `hasher`. `null` gives an unusable
 * password: '!' and 40 random characters, which no password matches.
 *
 * ```ts
 * await makePassword('s3cret');                 // 'pbkdf2_sha256$1000000$<salt>$<hash>'
 * await makePassword('s3cret', 'seasalt', 'md5'); // 'md5$seasalt$…' (deterministic)
 * await makePassword(null);                     // '!Xq3…' (40 characters after '!')
 * ```
 *
 * @throws TypeError when `password` is neither a string nor null;
 *   UnknownPasswordHasherError for a `hasher` not in PASSWORD_HASHERS.
 */
export async function makePassword(password: string | null, salt?: string, hasher: string | PasswordHasher = 'default'): Promise<string> {
  if (password === null) return UNUSABLE_PASSWORD_PREFIX + randomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH);
  if (typeof password !== 'string') {
    throw new TypeError(`Password must be a string, got ${typeof password}.`);
  }
  const chosen = getHasher(hasher);
  return chosen.encode(password, salt || chosen.salt());
}

/** What `verifyPassword()` found. */
export interface PasswordVerification {
  /** Whether the password matches the stored hash. */
  readonly isCorrect: boolean;
  /** Whether the stored hash should be remade with the preferred hasher and today's work factor. */
  readonly mustUpdate: boolean;
}

/**
 * Check `password` against `encoded` without updating anything (Django's
 * `verify_password`). For a missing, unusable, malformed or unknown hash it
 * runs the default hasher once and answers false, so the time taken does not
 * tell an attacker which case it was.
 */
export async function verifyPassword(
  password: string | null,
  encoded: string | null,
  preferred: string | PasswordHasher = 'default',
): Promise<PasswordVerification> {
  const preferredHasher = getHasher(preferred);
  let hasher: PasswordHasher | undefined;
  if (password !== null && encoded !== null && encoded !== '' && isPasswordUsable(encoded)) {
    try {
      hasher = identifyHasher(encoded);
    } catch (error) {
      if (!(error instanceof UnknownPasswordHasherError)) throw error;
    }
  }
  if (hasher !== undefined) {
    try {
      const hasherChanged = hasher.algorithm !== preferredHasher.algorithm;
      const mustUpdate = hasherChanged || preferredHasher.mustUpdate(encoded!);
      const isCorrect = await hasher.verify(password!, encoded!);
      // Close the timing gap between an old work factor and today's, but only
      // when the hasher is the same (a changed hasher is not hidden, as in Django).
      if (!isCorrect && !hasherChanged && mustUpdate) await hasher.hardenRuntime(password!, encoded!);
      return { isCorrect, mustUpdate };
    } catch (error) {
      if (!(error instanceof MalformedPasswordHashError)) throw error;
    }
  }
  // A user without a usable hash, or no user at all: spend the default hasher's
  // time anyway (Django's answer to timing attacks that enumerate accounts).
  await makePassword(randomString(UNUSABLE_PASSWORD_SUFFIX_LENGTH));
  return { isCorrect: false, mustUpdate: false };
}

/**
 * Whether `password` matches the stored `encoded` hash. When it does and the
 * hash was made by another hasher than the preferred one, or with other work
 * factors, `setter(password)` is awaited so the caller stores a new hash
 * (upgrade on login). A missing, unusable, malformed or unknown hash gives
 * false, never an error.
 *
 * ```ts
 * const ok = await checkPassword(raw, user.password, async (raw) => {
 *   user.password = await makePassword(raw);
 *   await user.save({ updateFields: ['password'] });
 * });
 * ```
 */
export async function checkPassword(
  password: string | null,
  encoded: string | null,
  setter?: (raw: string) => void | Promise<void>,
  preferred: string | PasswordHasher = 'default',
): Promise<boolean> {
  const { isCorrect, mustUpdate } = await verifyPassword(password, encoded, preferred);
  if (setter && isCorrect && mustUpdate) await setter(password!);
  return isCorrect;
}

/**
 * Password validators (Django's `password_validation`): rules a new password
 * must pass, with Django's English messages, plural forms and error codes.
 *
 * AUTH_PASSWORD_VALIDATORS → validator instances (built once per settings
 * value) → `validatePassword()` runs each and throws one ValidationError
 * listing every failure; `passwordValidatorsHelpTexts()` lists what they ask.
 *
 * ```ts
 * // settings
 * AUTH_PASSWORD_VALIDATORS: [
 *   { NAME: 'django.contrib.auth.password_validation.UserAttributeSimilarityValidator' },
 *   { NAME: 'MinimumLengthValidator', OPTIONS: { min_length: 9 } },
 *   { NAME: 'CommonPasswordValidator' },
 *   { NAME: 'NumericPasswordValidator' },
 * ]
 * // a view
 * await validatePassword('12345678', user);
 * // throws ValidationError: ['This password is too short. It must contain at least 9 characters.',
 * //   'This password is too common.', 'This password is entirely numeric.']
 * ```
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import { ValidationError } from '../../core/exceptions.ts';
import { SequenceMatcher } from '../../utils/difflib.ts';
import { SafeString, conditionalEscape, markSafe } from '../../utils/safestring.ts';

/**
 * What a password validator provides. `validate` throws a ValidationError
 * (sync or async) when the password breaks the rule; `passwordChanged` is
 * called after a password was set, for validators that keep a history.
 *
 * ```ts
 * class NoSeasonValidator implements PasswordValidator {
 *   validate(password: string) {
 *     if (/summer|winter/i.test(password)) {
 *       throw new ValidationError('Do not use a season.', { code: 'password_has_season' });
 *     }
 *   }
 *   getHelpText() { return 'Your password can’t contain a season.'; }
 * }
 * // AUTH_PASSWORD_VALIDATORS: [{ NAME: NoSeasonValidator }]
 * ```
 */
export interface PasswordValidator {
  validate(password: string, user?: unknown): void | Promise<void>;
  getHelpText(): string;
  passwordChanged?(password: string, user?: unknown): void | Promise<void>;
}

/** A class AUTH_PASSWORD_VALIDATORS may name; it receives the entry's OPTIONS. */
export type PasswordValidatorClass = new (options?: never) => PasswordValidator;

/** One entry of AUTH_PASSWORD_VALIDATORS. */
export interface PasswordValidatorConfig {
  NAME: string | PasswordValidatorClass;
  OPTIONS?: Record<string, unknown>;
}

/** Read an option by its Nuages (camelCase) or Django (snake_case) name. */
function option<T>(options: object, camel: string, snake: string): T | undefined {
  const record = options as Record<string, unknown>;
  return (record[camel] ?? record[snake]) as T | undefined;
}

/** The number of characters as Python counts them (code points, not UTF-16 units). */
function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Options of MinimumLengthValidator (`min_length` is accepted too). */
export interface MinimumLengthOptions {
  minLength?: number;
  min_length?: number;
}

/** The password has at least `minLength` characters (default 8). Code `password_too_short`. */
export class MinimumLengthValidator implements PasswordValidator {
  readonly minLength: number;

  constructor(options: MinimumLengthOptions = {}) {
    this.minLength = option<number>(options, 'minLength', 'min_length') ?? 8;
  }

  validate(password: string): void {
    if (codePointLength(password) < this.minLength) {
      throw new ValidationError(this.getErrorMessage(), { code: 'password_too_short', params: { min_length: this.minLength } });
    }
  }

  getErrorMessage(): string {
    const noun = this.minLength === 1 ? 'character' : 'characters';
    return `This password is too short. It must contain at least ${this.minLength} ${noun}.`;
  }

  getHelpText(): string {
    const noun = this.minLength === 1 ? 'character' : 'characters';
    return `Your password must contain at least ${this.minLength} ${noun}.`;
  }
}

/** The user attributes compared by default: Django's names, read as camelCase fields too. */
export const DEFAULT_USER_ATTRIBUTES: readonly string[] = ['username', 'first_name', 'last_name', 'email'];

/** Options of UserAttributeSimilarityValidator (`user_attributes`, `max_similarity` are accepted too). */
export interface UserAttributeSimilarityOptions {
  userAttributes?: readonly string[];
  user_attributes?: readonly string[];
  maxSimilarity?: number;
  max_similarity?: number;
}

/** Characters Python's `\W` matches: neither a letter, a number nor '_'. */
const NON_WORD = /[^\p{L}\p{N}_]+/u;

/**
 * Whether `value` is so much shorter than the password that their similarity
 * cannot reach `maxSimilarity` (Django skips the comparison then).
 */
function exceedsMaximumLengthRatio(passwordLength: number, maxSimilarity: number, valueLength: number): boolean {
  return passwordLength >= 10 * valueLength && valueLength < (maxSimilarity / 2) * passwordLength;
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_whole, letter: string) => letter.toUpperCase());
}

interface FieldLookup {
  findField?(name: string): { name: string; options?: { verboseName?: string } } | undefined;
}

/** The attribute's value and the name it was found under (`first_name`, else `firstName`). */
function readAttribute(user: object, name: string): { value: unknown; name: string } {
  const record = user as Record<string, unknown>;
  const value = record[name];
  if (value !== undefined && value !== null) return { value, name };
  const camel = camelCase(name);
  return { value: record[camel], name: camel };
}

/** A model field's verbose name ('first name', 'email address'); the attribute name for a plain object. */
function verboseNameOf(user: object, found: string, configured: string): string {
  const meta = (user.constructor as { _meta?: FieldLookup } | undefined)?._meta;
  const field = meta?.findField?.(found);
  if (field === undefined) return configured;
  return field.options?.verboseName ?? field.name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

/**
 * The password is not too similar to the user's username, names or email
 * (each compared whole and split into words). Code `password_too_similar`;
 * the message names the field by its verbose name.
 */
export class UserAttributeSimilarityValidator implements PasswordValidator {
  readonly userAttributes: readonly string[];
  readonly maxSimilarity: number;

  /** @throws ImproperlyConfigured when maxSimilarity is below 0.1 (nearly every password would fail). */
  constructor(options: UserAttributeSimilarityOptions = {}) {
    this.userAttributes = option<readonly string[]>(options, 'userAttributes', 'user_attributes') ?? DEFAULT_USER_ATTRIBUTES;
    const maxSimilarity = option<number>(options, 'maxSimilarity', 'max_similarity') ?? 0.7;
    if (maxSimilarity < 0.1) {
      throw new ImproperlyConfigured(`UserAttributeSimilarityValidator's max_similarity must be at least 0.1, got ${maxSimilarity}.`);
    }
    this.maxSimilarity = maxSimilarity;
  }

  validate(password: string, user?: unknown): void {
    if (!user || typeof user !== 'object') return;
    const lowered = password.toLowerCase();
    const passwordLength = codePointLength(lowered);
    for (const attribute of this.userAttributes) {
      const { value, name } = readAttribute(user, attribute);
      if (!value || typeof value !== 'string') continue;
      const valueLower = value.toLowerCase();
      for (const part of [...valueLower.split(NON_WORD), valueLower]) {
        if (exceedsMaximumLengthRatio(passwordLength, this.maxSimilarity, codePointLength(part))) continue;
        // Django compares with quick_ratio, an upper bound of the full ratio.
        if (new SequenceMatcher(lowered, part).quickRatio() >= this.maxSimilarity) {
          throw new ValidationError(this.getErrorMessage(), {
            code: 'password_too_similar',
            params: { verbose_name: verboseNameOf(user, name, attribute) },
          });
        }
      }
    }
  }

  getErrorMessage(): string {
    return 'The password is too similar to the %(verbose_name)s.';
  }

  getHelpText(): string {
    return 'Your password can’t be too similar to your other personal information.';
  }
}

/** The list shipped with Nuages: see src/contrib/auth/data/README.md. */
export const DEFAULT_PASSWORD_LIST_PATH = join(import.meta.dirname, 'data', 'common-passwords.txt.gz');

const passwordLists = new Map<string, ReadonlySet<string>>();

/** A password list, one per line, gzip-compressed or plain; read once per process and path. */
function loadPasswordList(path: string): ReadonlySet<string> {
  let list = passwordLists.get(path);
  if (list === undefined) {
    const raw = readFileSync(path);
    // gzip files start with the bytes 1f 8b.
    const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
    const lines = text.split('\n');
    // As Python reads lines: the text after the last newline is a line only when not empty.
    if (lines.at(-1) === '') lines.pop();
    list = new Set(lines.map((line) => line.trim()));
    passwordLists.set(path, list);
  }
  return list;
}

/** Options of CommonPasswordValidator (`password_list_path` is accepted too). */
export interface CommonPasswordOptions {
  passwordListPath?: string;
  password_list_path?: string;
}

/**
 * The password is not in a list of common passwords (20,000 from the NCSC's
 * Have I Been Pwned top list by default; any file of lower-case passwords, one
 * per line, gzip-compressed or not). Case and surrounding spaces are ignored.
 * Code `password_too_common`.
 */
export class CommonPasswordValidator implements PasswordValidator {
  readonly passwords: ReadonlySet<string>;

  constructor(options: CommonPasswordOptions = {}) {
    this.passwords = loadPasswordList(option<string>(options, 'passwordListPath', 'password_list_path') ?? DEFAULT_PASSWORD_LIST_PATH);
  }

  validate(password: string): void {
    if (this.passwords.has(password.toLowerCase().trim())) {
      throw new ValidationError(this.getErrorMessage(), { code: 'password_too_common' });
    }
  }

  getErrorMessage(): string {
    return 'This password is too common.';
  }

  getHelpText(): string {
    return 'Your password can’t be a commonly used password.';
  }
}

// Python's str.isdigit(): decimal digits of every script plus the characters
// with Numeric_Type=Digit (superscripts, circled digits, …), as of Unicode 14.
const DIGITS_ONLY =
  /^[\p{Nd}\u{B2}-\u{B3}\u{B9}\u{1369}-\u{1371}\u{19DA}\u{2070}\u{2074}-\u{2079}\u{2080}-\u{2089}\u{2460}-\u{2468}\u{2474}-\u{247C}\u{2488}-\u{2490}\u{24EA}\u{24F5}-\u{24FD}\u{24FF}\u{2776}-\u{277E}\u{2780}-\u{2788}\u{278A}-\u{2792}\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u;

/** The password is not made of digits only (of any script). Code `password_entirely_numeric`. */
export class NumericPasswordValidator implements PasswordValidator {
  validate(password: string): void {
    if (DIGITS_ONLY.test(password)) {
      throw new ValidationError(this.getErrorMessage(), { code: 'password_entirely_numeric' });
    }
  }

  getErrorMessage(): string {
    return 'This password is entirely numeric.';
  }

  getHelpText(): string {
    return 'Your password can’t be entirely numeric.';
  }
}

const DJANGO_PREFIX = 'django.contrib.auth.password_validation.';
const BUILTIN_CLASSES = [UserAttributeSimilarityValidator, MinimumLengthValidator, CommonPasswordValidator, NumericPasswordValidator];

/** The names AUTH_PASSWORD_VALIDATORS accepts for the built-in validators: the class name and Django's dotted path. */
export const BUILTIN_VALIDATORS: Readonly<Record<string, PasswordValidatorClass>> = Object.freeze(
  Object.fromEntries(
    BUILTIN_CLASSES.flatMap((ValidatorClass) => [
      [ValidatorClass.name, ValidatorClass as PasswordValidatorClass],
      [DJANGO_PREFIX + ValidatorClass.name, ValidatorClass as PasswordValidatorClass],
    ]),
  ),
);

/**
 * Build validators from entries shaped like AUTH_PASSWORD_VALIDATORS.
 *
 * @throws ImproperlyConfigured naming an entry whose NAME is not a known validator or a class.
 */
export function getPasswordValidators(config: readonly PasswordValidatorConfig[]): PasswordValidator[] {
  return config.map((entry, index) => {
    const name = entry?.NAME;
    const ValidatorClass = typeof name === 'string' ? BUILTIN_VALIDATORS[name] : name;
    if (typeof ValidatorClass !== 'function') {
      throw new ImproperlyConfigured(
        `AUTH_PASSWORD_VALIDATORS[${index}].NAME is ${typeof name === 'string' ? `'${name}'` : String(name)}, which is not a password validator. ` +
          `Use one of ${BUILTIN_CLASSES.map((c) => `'${c.name}'`).join(', ')} (or Django's dotted names for them), or a validator class.`,
      );
    }
    return new ValidatorClass((entry.OPTIONS ?? {}) as never);
  });
}

const defaults = new WeakMap<readonly PasswordValidatorConfig[], PasswordValidator[]>();

/** The validators of AUTH_PASSWORD_VALIDATORS, built once per settings value. */
export function getDefaultPasswordValidators(): PasswordValidator[] {
  const config = settingOr<readonly PasswordValidatorConfig[]>('AUTH_PASSWORD_VALIDATORS', []);
  let validators = defaults.get(config);
  if (validators === undefined) {
    validators = getPasswordValidators(config);
    defaults.set(config, validators);
  }
  return validators;
}

/**
 * Check `password` against every validator (AUTH_PASSWORD_VALIDATORS unless
 * `validators` is given); resolves when it passes them all.
 *
 * @throws ValidationError with one message per failed validator, in order
 *   (`err.messages`, and each code in `err.errorList`).
 */
export async function validatePassword(password: string, user?: unknown, validators?: readonly PasswordValidator[]): Promise<void> {
  const errors: ValidationError[] = [];
  for (const validator of validators ?? getDefaultPasswordValidators()) {
    try {
      await validator.validate(password, user);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

/**
 * Tell every validator that has a `passwordChanged` hook that `user`'s password
 * is now `password` (User.setPassword() calls it after saving).
 */
export async function passwordChanged(password: string, user?: unknown, validators?: readonly PasswordValidator[]): Promise<void> {
  for (const validator of validators ?? getDefaultPasswordValidators()) {
    await validator.passwordChanged?.(password, user);
  }
}

/** The help text of every validator, in order (for a form's help text). */
export function passwordValidatorsHelpTexts(validators?: readonly PasswordValidator[]): string[] {
  return (validators ?? getDefaultPasswordValidators()).map((validator) => validator.getHelpText());
}

/** The help texts as an HTML `<ul>` (each escaped), or an empty string when there are none. */
export function passwordValidatorsHelpTextHtml(validators?: readonly PasswordValidator[]): SafeString {
  const items = passwordValidatorsHelpTexts(validators).map((text) => `<li>${conditionalEscape(text)}</li>`);
  return markSafe(items.length > 0 ? `<ul>${items.join('')}</ul>` : '');
}

/**
 * The base of every user model (Django's auth base_user): a password hash and the last
 * login, with the methods the authentication machinery relies on. `AbstractUser` (models.ts)
 * adds Django's username, names, email and flags; a custom user extends either one.
 *
 * Passwords are never stored in clear: `setPassword()` hashes with the preferred hasher of
 * PASSWORD_HASHERS and `checkPassword()` verifies, upgrading an outdated hash in place.
 */
import { settings } from '../../conf/lazy-settings.ts';
import { saltedHmac } from '../../core/signing.ts';
import { Model, type ModelBase, type SaveOptions } from '../../db/models/base.ts';
import { CharField } from '../../db/models/fields/text.ts';
import { DateTimeField } from '../../db/models/fields/temporal.ts';
import { QuerySet } from '../../db/models/query-set.ts';
import { checkPassword, isPasswordUsable, makePassword } from './hashers.ts';
import { passwordChanged } from './password-validation.ts';

/** Django's key salt, so session hashes made by Django stay valid here and the reverse. */
const SESSION_HASH_SALT = 'django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash';

// The raw password set since the last save, for the validators' passwordChanged() hook.
// A WeakMap rather than a #private field: instances read from the database are made
// without running the constructor.
const unsavedPasswords = new WeakMap<object, string>();

/** The static side every user model has: the names of its special fields. */
export interface UserModelStatics {
  /** The field that identifies a user at login ('username', or 'email' for many custom users). */
  readonly USERNAME_FIELD: string;
  /** The field holding the user's email address. */
  readonly EMAIL_FIELD: string;
  /** Fields `createsuperuser` prompts for besides the username and password. */
  readonly REQUIRED_FIELDS: readonly string[];
  normalizeUsername(username: unknown): unknown;
  /** The name of the email field (EMAIL_FIELD, else 'email'). */
  getEmailFieldName(): string;
}

/**
 * A user model class: what `getUserModel()` returns. Its manager is expected to have
 * `createUser()` and `createSuperuser()` (see `UserManager`).
 */
export type UserModelClass<U extends AbstractBaseUser = AbstractBaseUser> = (abstract new (...args: never[]) => U) &
  typeof ModelBase &
  UserModelStatics & {
    readonly objects: BaseUserManager<U> & Partial<UserCreation<U>>;
  };

/** Field values for a new user, keyed by field name, with the raw `password` (null: unusable). */
export type UserFields = { password?: string | null } & Record<string, unknown>;

/**
 * What a user model's manager provides for `createsuperuser` and sign-up code: creating a
 * user from field values. `UserManager` implements it; a custom manager implements
 * `createUser(fields)` and `createSuperuser(fields)` for its own fields.
 */
export interface UserCreation<U> {
  createUser(fields: UserFields): Promise<U>;
  createSuperuser(fields: UserFields): Promise<U>;
}

/**
 * The manager base of user models: `normalizeEmail()` and `getByNaturalKey()`.
 * Install a subclass with `static override objects = MyUserManager.asManager(this)`.
 */
export class BaseUserManager<U extends AbstractBaseUser = AbstractBaseUser> extends QuerySet<U> {
  /**
   * Lower-cases the domain part of an email address (the part before '@' is case-sensitive
   * by the standard, so it is kept). `null` and `undefined` give ''.
   */
  static normalizeEmail(email: string | null | undefined): string {
    const text = email ?? '';
    const trimmed = text.trim();
    const at = trimmed.lastIndexOf('@');
    if (at === -1) return text;
    return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
  }

  /** `BaseUserManager.normalizeEmail()`, callable on the manager as in Django. */
  normalizeEmail(email: string | null | undefined): string {
    return BaseUserManager.normalizeEmail(email);
  }

  /**
   * The user whose USERNAME_FIELD equals `username` (exact match).
   *
   * ```ts
   * await User.objects.getByNaturalKey('ada');
   * // SELECT … FROM "auth_user" WHERE "auth_user"."username" = ?   ['ada']
   * ```
   * @throws `Model.DoesNotExist` when no user has it.
   */
  async getByNaturalKey(username: string): Promise<U> {
    const field = (this.model as unknown as UserModelStatics).USERNAME_FIELD;
    return this.get({ [field]: username });
  }
}

/**
 * The abstract base of user models: `password` (a hash, 128 characters) and `lastLogin`.
 * Extend it (usually through `PermissionsMixin`) for a user model whose fields are all yours:
 *
 * ```ts
 * export class Customer extends Model<Customer, typeof PermissionsMixin>(PermissionsMixin)({
 *   email: new EmailField({ unique: true }),
 *   isActive: new BooleanField({ default: true }),
 * }) {
 *   static override USERNAME_FIELD = 'email';
 *   static override REQUIRED_FIELDS: readonly string[] = [];
 *   static override objects = CustomerManager.asManager(this);
 * }
 * ```
 */
export class AbstractBaseUser extends Model<AbstractBaseUser>()(
  {
    password: new CharField({ maxLength: 128, verboseName: 'password' }),
    lastLogin: new DateTimeField<true>({ blank: true, null: true, verboseName: 'last login' }),
  },
  { abstract: true },
) {
  static USERNAME_FIELD = 'username';
  static EMAIL_FIELD = 'email';
  static REQUIRED_FIELDS: readonly string[] = [];

  /**
   * True unless the model has an `isActive` field that says otherwise (Django's class
   * attribute `is_active = True` on AbstractBaseUser).
   */
  declare isActive: boolean;
  /** The path of the backend that authenticated this user, set by `authenticate()`. */
  declare backend?: string;

  /** Username text in Unicode NFKC form, so look-alike spellings are one username. */
  static normalizeUsername(username: unknown): unknown {
    return typeof username === 'string' ? username.normalize('NFKC') : username;
  }

  /** The name of the email field (EMAIL_FIELD, else 'email'). */
  static getEmailFieldName(): string {
    return this.EMAIL_FIELD || 'email';
  }

  /** The value of USERNAME_FIELD. */
  getUsername(): string {
    return String((this as unknown as Record<string, unknown>)[staticsOf(this).USERNAME_FIELD] ?? '');
  }

  /** Always false: this is a real user (AnonymousUser answers true). */
  get isAnonymous(): boolean {
    return false;
  }

  /** Always true: this is a real user, whatever its flags (AnonymousUser answers false). */
  get isAuthenticated(): boolean {
    return true;
  }

  /** Normalizes the username (NFKC) before validation, as Django's clean() does. */
  override async clean(): Promise<void> {
    await super.clean();
    const field = staticsOf(this).USERNAME_FIELD;
    const self = this as unknown as Record<string, unknown>;
    self[field] = staticsOf(this).normalizeUsername(self[field]);
  }

  /**
   * Saves, then tells the password validators about a password set since the last save
   * (their `passwordChanged()` hook), as Django does.
   */
  override async save(options: SaveOptions = {}): Promise<void> {
    await super.save(options);
    const raw = unsavedPasswords.get(this);
    if (raw !== undefined) {
      unsavedPasswords.delete(this);
      await passwordChanged(raw, this);
    }
  }

  /**
   * Hashes `raw` with the preferred hasher into `password` (not saved: call `save()`).
   * `null` sets an unusable password, as `setUnusablePassword()`.
   */
  async setPassword(raw: string | null): Promise<void> {
    this.password = await makePassword(raw);
    if (raw !== null) unsavedPasswords.set(this, raw);
    else unsavedPasswords.delete(this);
  }

  /**
   * Whether `raw` is this user's password. When it is and the stored hash is outdated
   * (another hasher is preferred now, or its work factor grew), the hash is remade and
   * saved at once, updating only the password column:
   * `UPDATE "auth_user" SET "password" = ? WHERE "auth_user"."id" = ?`.
   */
  async checkPassword(raw: string): Promise<boolean> {
    return checkPassword(raw, this.password, async (password) => {
      await this.setPassword(password);
      // The password did not change, so the validators' hook is not told.
      unsavedPasswords.delete(this);
      await this.save({ updateFields: ['password'] });
    });
  }

  /** Sets a hash no password matches ('!' and 40 random characters); not saved. */
  async setUnusablePassword(): Promise<void> {
    await this.setPassword(null);
  }

  /** False after `setUnusablePassword()` (or a user created without a password). */
  hasUsablePassword(): boolean {
    return isPasswordUsable(this.password);
  }

  /**
   * An HMAC of the password hash (Django's salted_hmac, SHA-256), stored in the session at
   * login: changing the password changes it, which logs out the user's other sessions.
   * Pass `secret` to compute it with another key (a SECRET_KEY_FALLBACKS entry).
   */
  getSessionAuthHash(secret: string = settings.SECRET_KEY): string {
    return saltedHmac(SESSION_HASH_SALT, this.password, secret, 'sha256').toString('hex');
  }

  /** `[username]`: how fixtures name a user. */
  naturalKey(): [string] {
    return [this.getUsername()];
  }

  override toString(): string {
    return this.getUsername();
  }
}

// A function, not a #private method: instances read from the database are made without the
// constructor, and private members exist only on constructed objects.
function staticsOf(user: AbstractBaseUser): UserModelStatics {
  return user.constructor as unknown as UserModelStatics;
}

// A prototype value, not a field: a custom user without an isActive field is active, and
// a model that has the field shadows it with its own column value.
Object.defineProperty(AbstractBaseUser.prototype, 'isActive', { value: true, writable: true, configurable: true, enumerable: false });

/**
 * The auth models, with Django's tables and columns so a Django database reads as is:
 * `auth_permission`, `auth_group` (+ `auth_group_permissions`), `auth_user`
 * (+ `auth_user_groups`, `auth_user_user_permissions`).
 *
 * AbstractBaseUser (base-user.ts) → PermissionsMixin (+ isSuperuser, groups,
 * userPermissions) → AbstractUser (+ username, names, email, flags) → User, which
 * AUTH_USER_MODEL may swap for a model of the project. TypeScript has one base class, so
 * PermissionsMixin extends AbstractBaseUser: a custom user with Django's permissions
 * extends PermissionsMixin where Django lists `(AbstractBaseUser, PermissionsMixin)`.
 *
 * Permission checks (`await user.hasPerm('catalog.add_book')`) go through the backends
 * of AUTHENTICATION_BACKENDS; an active superuser has every permission.
 */
import { Model, type ModelBase } from '../../db/models/base.ts';
import { ForeignKey, CASCADE } from '../../db/models/fields/related.ts';
import { ManyToManyField, type ManyToManyOptions } from '../../db/models/fields/many-to-many.ts';
import { BooleanField } from '../../db/models/fields/misc.ts';
import { CharField, EmailField } from '../../db/models/fields/text.ts';
import { DateTimeField } from '../../db/models/fields/temporal.ts';
import { NuagesError } from '../../core/errors.ts';
import { QuerySet } from '../../db/models/query-set.ts';
import type { ManyRelatedManager } from '../../db/models/related-managers.ts';
import { ContentType } from '../contenttypes/models.ts';
import { AbstractBaseUser, BaseUserManager, type UserCreation, type UserFields } from './base-user.ts';
import { makePassword } from './hashers.ts';
import { userGetPermissions, userHasModulePerms, userHasPerm, userHasPerms } from './user-permissions.ts';
import { unicodeUsernameValidator } from './validators.ts';
import { now as timezoneNow } from '../../utils/timezone.ts';

export { AbstractBaseUser, BaseUserManager, type UserCreation, type UserFields, type UserModelClass, type UserModelStatics } from './base-user.ts';

/** `createUser()` / `createSuperuser()` were given values Django refuses (its ValueError). */
export class UserCreationError extends NuagesError {
  readonly code = 'NUAGES_AUTH_USER_CREATION';
}

/** The manager of Permission: natural keys are `(codename, appLabel, model)`. */
export class PermissionManager extends QuerySet<Permission> {
  /** The permission `codename` of the model `appLabel.model`. */
  async getByNaturalKey(codename: string, appLabel: string, model: string): Promise<Permission> {
    const contentType = await ContentType.objects.using(this.db).getByNaturalKey(appLabel, model);
    return this.get({ codename, contentType: contentType.pk });
  }
}

/**
 * A permission: `codename` on the model a content type names. `migrate` creates add, change,
 * delete and view for every model ("Can add book", `add_book`) plus its `permissions` option;
 * `user.hasPerm('catalog.add_book')` checks one.
 */
export class Permission extends Model<Permission>()(
  {
    name: new CharField({ maxLength: 255, verboseName: 'name' }),
    contentType: new ForeignKey(() => ContentType, { onDelete: CASCADE, verboseName: 'content type' }),
    codename: new CharField({ maxLength: 100, verboseName: 'codename' }),
  },
  {
    appLabel: 'auth',
    uniqueTogether: [['contentType', 'codename']],
    ordering: ['contentType__appLabel', 'contentType__model', 'codename'],
    verboseName: 'permission',
    verboseNamePlural: 'permissions',
  },
) {
  static override objects = PermissionManager.asManager(this);
  /** Fixtures name a permission by its content type's natural key, so dumpdata writes content types first. */
  static naturalKeyDependencies: readonly string[] = ['contenttypes.contenttype'];
  /** The groups that have this permission (reverse of Group.permissions). */
  declare readonly groupSet: ManyRelatedManager<Group>;
  /** The users given this permission directly (reverse of userPermissions; absent when the user model has none). */
  declare readonly userSet: ManyRelatedManager<AbstractBaseUser>;

  naturalKey(): [string, string, string] {
    return [this.codename, ...this.contentType.naturalKey()];
  }

  /** `'Authentication and Authorization | user | Can add user'` when the content type is loaded. */
  override toString(): string {
    const cache = this._state.fieldsCache;
    return cache && cache['contentType'] ? `${String(cache['contentType'])} | ${this.name}` : this.name;
  }
}

/** The manager of Group: a group's natural key is its name. */
export class GroupManager extends QuerySet<Group> {
  async getByNaturalKey(name: string): Promise<Group> {
    return this.get({ name });
  }
}

/**
 * A named set of permissions; a user in the group has them all (`group.permissions`,
 * `user.groups`).
 */
export class Group extends Model<Group>()(
  {
    name: new CharField({ maxLength: 150, unique: true, verboseName: 'name' }),
    permissions: new ManyToManyField(() => Permission, { blank: true, verboseName: 'permissions' }),
  },
  { appLabel: 'auth', verboseName: 'group', verboseNamePlural: 'groups' },
) {
  static override objects = GroupManager.asManager(this);
  /** The members (reverse of the user model's `groups`). */
  declare readonly userSet: ManyRelatedManager<AbstractBaseUser>;

  naturalKey(): [string] {
    return [this.name];
  }

  override toString(): string {
    return this.name;
  }
}

// Both relations share Django's reverse names: group.userSet, permission.userSet, and
// `user` in filters (Group.objects.filter({ user__username: 'ada' })).
const userRelation: ManyToManyOptions = { blank: true, relatedName: 'userSet', relatedQueryName: 'user' };

/**
 * Django's permission fields and methods on top of AbstractBaseUser: `isSuperuser`,
 * `groups`, `userPermissions`, and `hasPerm()` & co. answered by the backends.
 */
export class PermissionsMixin extends Model<PermissionsMixin, typeof AbstractBaseUser>(AbstractBaseUser)(
  {
    isSuperuser: new BooleanField({
      default: false,
      verboseName: 'superuser status',
      helpText: 'Designates that this user has all permissions without explicitly assigning them.',
    }),
    groups: new ManyToManyField(() => Group, {
      ...userRelation,
      verboseName: 'groups',
      helpText: 'The groups this user belongs to. A user will get all permissions granted to each of their groups.',
    }),
    userPermissions: new ManyToManyField(() => Permission, {
      ...userRelation,
      verboseName: 'user permissions',
      helpText: 'Specific permissions for this user.',
    }),
  },
  { abstract: true },
) {
  /** Permissions given to the user directly, as `'app_label.codename'`. Queries once per backend and user object. */
  async getUserPermissions(obj?: unknown): Promise<Set<string>> {
    return userGetPermissions(this, obj, 'user');
  }

  /** Permissions the user has through its groups. */
  async getGroupPermissions(obj?: unknown): Promise<Set<string>> {
    return userGetPermissions(this, obj, 'group');
  }

  /** Every permission the user has, directly or through groups. */
  async getAllPermissions(obj?: unknown): Promise<Set<string>> {
    return userGetPermissions(this, obj, 'all');
  }

  /**
   * Whether the user has `perm` ('app_label.codename'), on `obj` when given (object
   * permissions need a backend that supports them; ModelBackend answers no). True for an
   * active superuser without asking the backends; false for an inactive user.
   *
   * ```ts
   * await user.hasPerm('catalog.change_book');
   * // SELECT "django_content_type"."app_label", "auth_permission"."codename" FROM "auth_permission" … (once per user object)
   * ```
   */
  async hasPerm(perm: string, obj?: unknown): Promise<boolean> {
    if (this.isActive && this.isSuperuser) return true;
    return userHasPerm(this, perm, obj);
  }

  /** Whether the user has every permission of `perms`. */
  async hasPerms(perms: Iterable<string>, obj?: unknown): Promise<boolean> {
    return userHasPerms(this, perms, obj);
  }

  /** Whether the user has any permission in the app `appLabel` (what an admin index shows). */
  async hasModulePerms(appLabel: string): Promise<boolean> {
    if (this.isActive && this.isSuperuser) return true;
    return userHasModulePerms(this, appLabel);
  }
}

/**
 * The manager of user models built on AbstractUser: `createUser()` and `createSuperuser()`
 * with Django's defaults and checks. Both take Django's positional form
 * `(username, email, password, extra)` or one object of field values with `password`
 * (what `createsuperuser` passes, keyed by USERNAME_FIELD and REQUIRED_FIELDS).
 */
export class UserManager<U extends AbstractUser = AbstractUser> extends BaseUserManager<U> implements UserCreation<U> {
  /**
   * Creates and saves a user: email normalized, username NFKC-normalized, the password
   * hashed (none given: an unusable password). `isStaff` and `isSuperuser` default to false.
   *
   * ```ts
   * await User.objects.createUser('ada', 'ada@EXAMPLE.com', 's3cret-pass');
   * // INSERT INTO "auth_user" (…, "username", "email", …) VALUES (…, 'ada', 'ada@example.com', …)
   * await User.objects.createUser({ username: 'bob', password: 's3cret-pass', firstName: 'Bob' });
   * ```
   * @throws UserCreationError when the username is empty.
   */
  async createUser(fields: UserFields): Promise<U>;
  async createUser(username: string, email?: string | null, password?: string | null, extra?: Record<string, unknown>): Promise<U>;
  async createUser(first: string | UserFields, email?: string | null, password?: string | null, extra?: Record<string, unknown>): Promise<U> {
    return this.#create({ isStaff: false, isSuperuser: false, ...this.#fields(first, email, password, extra) });
  }

  /**
   * Creates and saves a user with `isStaff` and `isSuperuser` true.
   *
   * @throws UserCreationError when the username is empty or either flag is given as anything but true.
   */
  async createSuperuser(fields: UserFields): Promise<U>;
  async createSuperuser(username: string, email?: string | null, password?: string | null, extra?: Record<string, unknown>): Promise<U>;
  async createSuperuser(first: string | UserFields, email?: string | null, password?: string | null, extra?: Record<string, unknown>): Promise<U> {
    const fields = { isStaff: true, isSuperuser: true, ...this.#fields(first, email, password, extra) };
    if (fields['isStaff'] !== true) throw new UserCreationError('Superuser must have is_staff=True.');
    if (fields['isSuperuser'] !== true) throw new UserCreationError('Superuser must have is_superuser=True.');
    return this.#create(fields);
  }

  #fields(first: string | UserFields, email?: string | null, password?: string | null, extra?: Record<string, unknown>): UserFields {
    if (typeof first !== 'string') return first;
    const model = this.model as unknown as typeof AbstractUser;
    return { ...extra, [model.USERNAME_FIELD]: first, email: email ?? null, password: password ?? null };
  }

  async #create(fields: UserFields): Promise<U> {
    const model = this.model as unknown as typeof AbstractUser;
    const { password = null, ...values } = fields;
    const username = values[model.USERNAME_FIELD];
    if (!username) throw new UserCreationError('The given username must be set');
    return this.create({
      ...values,
      [model.USERNAME_FIELD]: model.normalizeUsername(username),
      [model.EMAIL_FIELD]: this.normalizeEmail(values[model.EMAIL_FIELD] as string | null | undefined),
      password: await makePassword(password),
    } as never);
  }
}

/**
 * Django's full user: username (150 characters: letters, digits and @ . + - _), first and
 * last name, email, `isStaff`, `isActive`, `dateJoined`, with the permission fields.
 * Extend it for a custom user that keeps all of these.
 */
export class AbstractUser extends Model<AbstractUser, typeof PermissionsMixin>(PermissionsMixin)(
  {
    username: new CharField({
      maxLength: 150,
      unique: true,
      verboseName: 'username',
      helpText: 'Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.',
      validators: [unicodeUsernameValidator],
      errorMessages: { unique: 'A user with that username already exists.' },
    }),
    firstName: new CharField({ maxLength: 150, blank: true, verboseName: 'first name' }),
    lastName: new CharField({ maxLength: 150, blank: true, verboseName: 'last name' }),
    email: new EmailField({ blank: true, verboseName: 'email address' }),
    isStaff: new BooleanField({
      default: false,
      verboseName: 'staff status',
      helpText: 'Designates whether the user can log into this admin site.',
    }),
    isActive: new BooleanField({
      default: true,
      verboseName: 'active',
      helpText: 'Designates whether this user should be treated as active. Unselect this instead of deleting accounts.',
    }),
    dateJoined: new DateTimeField({ default: timezoneNow, verboseName: 'date joined' }),
  },
  { abstract: true, verboseName: 'user', verboseNamePlural: 'users' },
) {
  static override USERNAME_FIELD = 'username';
  static override EMAIL_FIELD = 'email';
  static override REQUIRED_FIELDS: readonly string[] = ['email'];

  /** Normalizes the username and the email's domain, then Django's other checks. */
  override async clean(): Promise<void> {
    await super.clean();
    this.email = BaseUserManager.normalizeEmail(this.email);
  }

  /** First and last name with a space between, trimmed. */
  getFullName(): string {
    return `${this.firstName} ${this.lastName}`.trim();
  }

  getShortName(): string {
    return this.firstName;
  }
}

/**
 * The default user model (`auth_user`). A project with its own user model sets
 * AUTH_USER_MODEL before its first migration; User is then swapped out: no table, and
 * `User.objects` refuses queries. Code meant for any project calls `getUserModel()`.
 */
export class User extends Model<User, typeof AbstractUser>(AbstractUser)({}, { appLabel: 'auth', swappable: 'AUTH_USER_MODEL', managers: { objects: UserManager } }) {
  declare static readonly objects: UserManager<User>;
}

/**
 * The user of a request nobody is logged in to: not a model, never saved. It has no
 * permissions of its own, but backends are still asked (one may grant anonymous access).
 */
export class AnonymousUser {
  readonly id = null;
  readonly pk = null;
  readonly username = '';
  readonly isStaff = false;
  readonly isActive = false;
  readonly isSuperuser = false;
  readonly isAnonymous = true;
  readonly isAuthenticated = false;

  /** An empty QuerySet of groups. */
  get groups(): QuerySet<Group> {
    return Group.objects.none();
  }

  /** An empty QuerySet of permissions. */
  get userPermissions(): QuerySet<Permission> {
    return Permission.objects.none();
  }

  getUsername(): string {
    return this.username;
  }

  async getUserPermissions(obj?: unknown): Promise<Set<string>> {
    return userGetPermissions(this, obj, 'user');
  }

  async getGroupPermissions(obj?: unknown): Promise<Set<string>> {
    return userGetPermissions(this, obj, 'group');
  }

  async getAllPermissions(obj?: unknown): Promise<Set<string>> {
    return userGetPermissions(this, obj, 'all');
  }

  async hasPerm(perm: string, obj?: unknown): Promise<boolean> {
    return userHasPerm(this, perm, obj);
  }

  async hasPerms(perms: Iterable<string>, obj?: unknown): Promise<boolean> {
    return userHasPerms(this, perms, obj);
  }

  async hasModulePerms(appLabel: string): Promise<boolean> {
    return userHasModulePerms(this, appLabel);
  }

  /** Every AnonymousUser equals every other. */
  equals(other: unknown): boolean {
    return other instanceof AnonymousUser;
  }

  toString(): string {
    return 'AnonymousUser';
  }
}

/**
 * Authentication backends: who a set of credentials belongs to, and which permissions a
 * user has. `authenticate()` and the permission methods of users ask the backends of
 * AUTHENTICATION_BACKENDS in order.
 *
 * BaseBackend (answers nothing; derives getAllPermissions/hasPerm) → ModelBackend (the
 * user model's USERNAME_FIELD and password; Permission rows, cached per user object) →
 * AllowAllUsersModelBackend (inactive users may log in too).
 */
import type { HttpRequest } from '../../http/request.ts';
import { Permission } from './models.ts';
import type { AbstractBaseUser } from './base-user.ts';
import { getUserModel } from './user-model.ts';

/** The credentials given to `authenticate()`: usually `{ username, password }`. */
export type Credentials = Readonly<Record<string, unknown>>;

/** What permission checks need of a user: a real user or an AnonymousUser. */
export interface PermissionTarget {
  readonly pk?: unknown;
  readonly isActive: boolean;
  readonly isAnonymous: boolean;
  readonly isSuperuser?: boolean;
}

/**
 * The base of backends: it authenticates nobody and grants nothing, and derives
 * `getAllPermissions()` and `hasPerm()` from the two permission sets. A custom backend
 * overrides what it supports:
 *
 * ```ts
 * export class EmailBackend extends BaseBackend {
 *   override async authenticate(request: HttpRequest | null, { email, password }: Credentials) {
 *     if (typeof email !== 'string' || typeof password !== 'string') return null;   // not for this backend
 *     const user = await Customer.objects.filter({ email__iexact: email }).first();
 *     return user && (await user.checkPassword(password)) ? user : null;
 *   }
 * }
 * ```
 * Returning null (or undefined) lets the next backend try; throwing PermissionDenied stops
 * `authenticate()` at once.
 */
export class BaseBackend {
  /** The user the credentials identify, or null when they do not (or are not for this backend). */
  async authenticate(_request: HttpRequest | null, _credentials: Credentials): Promise<AbstractBaseUser | null | undefined> {
    return null;
  }

  /** The user with this primary key, for a session that stored it; null when there is none. */
  async getUser(_userId: unknown): Promise<AbstractBaseUser | null> {
    return null;
  }

  /** Permissions given to the user directly, as 'app_label.codename'. */
  async getUserPermissions(_user: PermissionTarget, _obj?: unknown): Promise<Set<string>> {
    return new Set();
  }

  /** Permissions the user has through groups. */
  async getGroupPermissions(_user: PermissionTarget, _obj?: unknown): Promise<Set<string>> {
    return new Set();
  }

  /** Both sets together. */
  async getAllPermissions(user: PermissionTarget, obj?: unknown): Promise<Set<string>> {
    return new Set([...(await this.getUserPermissions(user, obj)), ...(await this.getGroupPermissions(user, obj))]);
  }

  async hasPerm(user: PermissionTarget, perm: string, obj?: unknown): Promise<boolean> {
    return (await this.getAllPermissions(user, obj)).has(perm);
  }

  /** Whether the user has some permission of the app (overridden by ModelBackend; the base says no). */
  async hasModulePerms(_user: PermissionTarget, _appLabel: string): Promise<boolean> {
    return false;
  }
}

interface PermissionCache {
  user?: Set<string>;
  group?: Set<string>;
  all?: Set<string>;
}

// Per user object, as Django's _perm_cache attributes: a user fetched again starts afresh,
// which is how a changed permission becomes visible.
const permissionCaches = new WeakMap<object, PermissionCache>();

function cacheOf(user: object): PermissionCache {
  let cache = permissionCaches.get(user);
  if (!cache) permissionCaches.set(user, (cache = {}));
  return cache;
}

/**
 * Authenticates against the user model: the username (USERNAME_FIELD) and password, for
 * active users; permissions from `Permission` rows given to the user or to its groups.
 *
 * An unknown username still costs one run of the default password hasher, so the time a
 * login takes does not tell whether the account exists.
 */
export class ModelBackend extends BaseBackend {
  override async authenticate(_request: HttpRequest | null, credentials: Credentials): Promise<AbstractBaseUser | null> {
    const UserModel = getUserModel();
    const username = credentials['username'] ?? credentials[UserModel.USERNAME_FIELD];
    const password = credentials['password'];
    if (username === undefined || username === null || password === undefined || password === null) return null;
    let user: AbstractBaseUser;
    try {
      user = await UserModel.objects.getByNaturalKey(String(username));
    } catch (error) {
      if (!(error instanceof UserModel.DoesNotExist)) throw error;
      // The same work as checking a real user's password (Django's defence against timing).
      await new (UserModel as unknown as new () => AbstractBaseUser)().setPassword(String(password));
      return null;
    }
    if ((await user.checkPassword(String(password))) && this.userCanAuthenticate(user)) return user;
    return null;
  }

  /** Refuses users whose `isActive` is false; models without the field count as active. */
  userCanAuthenticate(user: AbstractBaseUser): boolean {
    return user.isActive !== false;
  }

  override async getUser(userId: unknown): Promise<AbstractBaseUser | null> {
    const UserModel = getUserModel();
    let user: AbstractBaseUser;
    try {
      user = await UserModel.objects.get({ pk: userId });
    } catch (error) {
      if (error instanceof UserModel.DoesNotExist) return null;
      throw error;
    }
    return this.userCanAuthenticate(user) ? user : null;
  }

  override async getUserPermissions(user: PermissionTarget, obj?: unknown): Promise<Set<string>> {
    return this.#permissions(user, obj, 'user');
  }

  override async getGroupPermissions(user: PermissionTarget, obj?: unknown): Promise<Set<string>> {
    return this.#permissions(user, obj, 'group');
  }

  override async getAllPermissions(user: PermissionTarget, obj?: unknown): Promise<Set<string>> {
    if (!user.isActive || user.isAnonymous || obj !== undefined) return new Set();
    const cache = cacheOf(user);
    cache.all ??= await super.getAllPermissions(user);
    return cache.all;
  }

  /** False for an inactive user, whatever permissions it holds. */
  override async hasPerm(user: PermissionTarget, perm: string, obj?: unknown): Promise<boolean> {
    return user.isActive && (await super.hasPerm(user, perm, obj));
  }

  override async hasModulePerms(user: PermissionTarget, appLabel: string): Promise<boolean> {
    if (!user.isActive) return false;
    for (const perm of await this.getAllPermissions(user)) if (perm.slice(0, perm.indexOf('.')) === appLabel) return true;
    return false;
  }

  /** The user's own permissions (a superuser: every permission), as a QuerySet. */
  protected userPermissionsQuery(user: PermissionTarget): ReturnType<typeof Permission.objects.filter> {
    return Permission.objects.filter({ user: user.pk });
  }

  /** The permissions of the user's groups, through the user model's `groups` relation. */
  protected groupPermissionsQuery(user: PermissionTarget): ReturnType<typeof Permission.objects.filter> {
    const UserModel = getUserModel();
    const groups = UserModel._meta.getField('groups') as unknown as { relatedQueryName: string };
    return Permission.objects.filter({ [`group__${groups.relatedQueryName}`]: user.pk });
  }

  async #permissions(user: PermissionTarget, obj: unknown, source: 'user' | 'group'): Promise<Set<string>> {
    if (!user.isActive || user.isAnonymous || obj !== undefined) return new Set();
    const cache = cacheOf(user);
    const cached = cache[source];
    if (cached) return cached;
    const query = user.isSuperuser
      ? Permission.objects.all()
      : source === 'user'
        ? this.userPermissionsQuery(user)
        : this.groupPermissionsQuery(user);
    const rows = (await query.orderBy().valuesList('contentType__appLabel', 'codename')) as unknown as [string, string][];
    const found = new Set(rows.map(([appLabel, codename]) => `${appLabel}.${codename}`));
    cache[source] = found;
    return found;
  }
}

/** ModelBackend that lets inactive users authenticate too (their permissions stay empty). */
export class AllowAllUsersModelBackend extends ModelBackend {
  override userCanAuthenticate(_user: AbstractBaseUser): boolean {
    return true;
  }
}

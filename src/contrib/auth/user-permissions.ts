/**
 * How a user's permission questions reach the backends (Django's `_user_has_perm` and
 * friends): every backend of AUTHENTICATION_BACKENDS that has the method is asked in
 * order; the first yes wins, and a backend throwing PermissionDenied ends it with no.
 * Shared by `PermissionsMixin` and `AnonymousUser`.
 */
import { PermissionDenied } from '../../core/exceptions.ts';
import { getBackends } from './backend-loading.ts';
import type { PermissionTarget } from './backends.ts';

/** Which of a backend's permission sets to collect. */
export type PermissionSource = 'user' | 'group' | 'all';

const COLLECTORS = {
  user: 'getUserPermissions',
  group: 'getGroupPermissions',
  all: 'getAllPermissions',
} as const;

/** The union of one kind of permission set over every backend, as `'app_label.codename'`. */
export async function userGetPermissions(user: PermissionTarget, obj: unknown, source: PermissionSource): Promise<Set<string>> {
  const permissions = new Set<string>();
  for (const { backend } of await getBackends()) {
    const collect = backend[COLLECTORS[source]] as ((user: PermissionTarget, obj?: unknown) => Promise<Iterable<string>>) | undefined;
    if (typeof collect !== 'function') continue;
    for (const permission of await collect.call(backend, user, obj)) permissions.add(permission);
  }
  return permissions;
}

/** Whether any backend grants `perm` (on `obj`, when given). */
export async function userHasPerm(user: PermissionTarget, perm: string, obj: unknown): Promise<boolean> {
  return askBackends((backend) => (typeof backend.hasPerm === 'function' ? backend.hasPerm(user, perm, obj) : false));
}

/** Whether any backend grants some permission of the app `appLabel`. */
export async function userHasModulePerms(user: PermissionTarget, appLabel: string): Promise<boolean> {
  return askBackends((backend) => (typeof backend.hasModulePerms === 'function' ? backend.hasModulePerms(user, appLabel) : false));
}

/** Whether `user.hasPerm()` grants every permission of `perms` (a list, not a string: Django's check and message). */
export async function userHasPerms(
  user: { hasPerm(perm: string, obj?: unknown): Promise<boolean> },
  perms: Iterable<string>,
  obj: unknown,
): Promise<boolean> {
  if (typeof perms === 'string' || perms === null || typeof (perms as Iterable<string>)[Symbol.iterator] !== 'function') {
    throw new TypeError('perm_list must be an iterable of permissions.');
  }
  for (const perm of perms) if (!(await user.hasPerm(perm, obj))) return false;
  return true;
}

type Backend = Awaited<ReturnType<typeof getBackends>>[number]['backend'];

async function askBackends(ask: (backend: Backend) => boolean | Promise<boolean>): Promise<boolean> {
  for (const { backend } of await getBackends()) {
    try {
      if (await ask(backend)) return true;
    } catch (error) {
      if (error instanceof PermissionDenied) return false;
      throw error;
    }
  }
  return false;
}

/**
 * The `auth` context processor: `user` and `perms` in every template rendered with a
 * request, as Django's. Both load only if the template uses them.
 *
 * ```html
 * {% if user.isAuthenticated %}Hello {{ user.username }}{% endif %}
 * {% if perms.catalog %}…{% endif %}                     (any permission in the app)
 * {% if perms.catalog.change_book %}<a href="…">Edit</a>{% endif %}
 * {% if 'catalog.change_book' in perms %}…{% endif %}
 * ```
 */
import type { HttpRequest } from '../../http/request.ts';
import type { RequestUser } from './login.ts';
import { AnonymousUser } from './models.ts';
import { lazy } from '../../utils/functional.ts';

/** The user when it is known without I/O, else undefined. */
function loadedUser(request: HttpRequest): RequestUser | undefined {
  try {
    const user: unknown = request.user;
    return user === undefined || user === null ? undefined : (user as RequestUser);
  } catch {
    return undefined;
  }
}

async function loadUser(request: HttpRequest): Promise<RequestUser> {
  if (typeof request.auser === 'function') return (await request.auser()) as RequestUser;
  return loadedUser(request) ?? new AnonymousUser();
}

/**
 * The user's permissions as the template reads them: `perms['catalog.add_book']`,
 * `perms.catalog.add_book` and `perms.catalog` (true when the app grants any).
 * Built from `getAllPermissions()`, which asks every authentication backend.
 */
export async function permWrapper(user: RequestUser): Promise<Record<string, unknown>> {
  const wrapper: Record<string, unknown> = Object.create(null);
  const holder = user as { getAllPermissions?: () => Promise<Set<string>> };
  if (!user.isActive || typeof holder.getAllPermissions !== 'function') return wrapper;
  for (const perm of await holder.getAllPermissions()) {
    const dot = perm.indexOf('.');
    const app = perm.slice(0, dot);
    wrapper[perm] = true;
    const byApp = (wrapper[app] ??= Object.create(null)) as Record<string, boolean>;
    byApp[perm.slice(dot + 1)] = true;
  }
  return wrapper;
}

/** `user` and `perms` for templates (add `auth` to the engine's contextProcessors). */
export function auth(request: unknown): Record<string, unknown> {
  const req = request as HttpRequest;
  const known = loadedUser(req);
  const user = known ?? lazy(() => loadUser(req));
  const perms = lazy(async () => permWrapper(known ?? (await loadUser(req))));
  return { user, perms };
}

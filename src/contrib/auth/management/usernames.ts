/**
 * The username `createsuperuser` and `changepassword` fall back to: the operating
 * system's user name, made ASCII, lower-case and without spaces (Django's
 * get_default_username), when auth.User is the user model and that name is free.
 */
import { userInfo } from 'node:os';
import { User } from '../models.ts';

/** The name of the user running the process, or '' when the system cannot tell. */
export function getSystemUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/**
 * A suggestion for a new superuser's username: the system user name, ASCII-folded, without
 * spaces and lower-cased; '' when auth.User is swapped out, the name fails the username
 * validators, or (with `checkDb`) a user already has it.
 */
export async function getDefaultUsername(options: { checkDb?: boolean; database?: string } = {}): Promise<string> {
  if (User._meta.swapped !== undefined) return '';
  const candidate = getSystemUsername()
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .replaceAll(' ', '')
    .toLowerCase();
  if (!candidate) return '';
  const field = User._meta.getField('username');
  try {
    field.runValidators(candidate);
  } catch {
    return '';
  }
  if (options.checkDb ?? true) {
    const taken = await User.objects.using(options.database ?? 'default').filter({ username: candidate }).exists();
    if (taken) return '';
  }
  return candidate;
}

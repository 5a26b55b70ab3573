/** `getUserModel()`: the model AUTH_USER_MODEL names (Django's get_user_model). */
import { apps } from '../../conf/apps.ts';
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import type { AbstractBaseUser, UserModelClass } from './base-user.ts';

/** AUTH_USER_MODEL is malformed or names a model that is not installed. */
export class UserModelNotInstalledError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_AUTH_USER_MODEL';
}

/**
 * The active user model: `auth.User`, or the model AUTH_USER_MODEL names. Code that must
 * work with any project's users (backends, commands, forms) looks the model up here.
 *
 * ```ts
 * const User = getUserModel();
 * await User.objects.getByNaturalKey('ada');
 * ```
 * @throws UserModelNotInstalledError when the setting is not 'app_label.ModelName' or its
 *   model is not installed (check INSTALLED_APPS, and call `await setup()` first).
 */
export function getUserModel<U extends AbstractBaseUser = AbstractBaseUser>(): UserModelClass<U> {
  const label = settingOr('AUTH_USER_MODEL', 'auth.User');
  const parts = label.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UserModelNotInstalledError(
      `AUTH_USER_MODEL must be of the form 'app_label.model_name', got '${label}'. Write e.g. AUTH_USER_MODEL: 'accounts.Customer'.`,
    );
  }
  try {
    return apps.getModel(label) as unknown as UserModelClass<U>;
  } catch (error) {
    throw new UserModelNotInstalledError(
      `AUTH_USER_MODEL refers to model '${label}' that has not been installed (${(error as Error).message}). ` +
        `Add its app to INSTALLED_APPS and export the model from the app's models.ts` +
        (label === 'auth.User' ? ", or add 'nuages/contrib/auth' (and 'nuages/contrib/contenttypes') to INSTALLED_APPS." : '.'),
      { cause: error },
    );
  }
}

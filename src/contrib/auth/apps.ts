import { AppConfig } from '../../conf/apps.ts';
import { postMigrate } from '../../db/models/signals.ts';
import { rotateCsrfTokenOnLogin } from './csrf-rotation.ts';
import { updateLastLogin } from './login.ts';
import { createPermissions } from './management/permissions.ts';
import { userLoggedIn } from './signals.ts';
import { getUserModel } from './user-model.ts';

/**
 * `nuages/contrib/auth`: users, groups and permissions. Needs `nuages/contrib/contenttypes`
 * installed too; creates every model's permissions after `migrate`.
 */
export default class AuthConfig extends AppConfig {
  override label = 'auth';
  override verboseName = 'Authentication and Authorization';
  // Django's auth tables keep 32-bit ids; a Django database's rows stay readable.
  override defaultAutoField: string | undefined = 'AutoField';

  override ready(): void {
    postMigrate.connect(createPermissions, { dispatchUid: 'nuages.contrib.auth.createPermissions' });
    userLoggedIn.connect(rotateCsrfTokenOnLogin, { dispatchUid: 'nuages.contrib.auth.rotateCsrfToken' });
    // A custom user model without lastLogin logs in without the write.
    if (getUserModel()._meta.findField('lastLogin') !== undefined) {
      userLoggedIn.connect(updateLastLogin, { dispatchUid: 'nuages.contrib.auth.updateLastLogin' });
    }
  }
}

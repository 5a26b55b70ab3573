/**
 * `nuages/contrib/auth`: users, groups, permissions, password hashing and validation,
 * and authentication backends — with Django's tables and hash formats, so a Django
 * project's users keep their passwords.
 *
 * Install with the content types it needs:
 * `INSTALLED_APPS: ['nuages/contrib/contenttypes', 'nuages/contrib/auth', …]`, then
 * `manage.ts migrate` (creates the tables and every model's permissions) and
 * `manage.ts createsuperuser`.
 *
 * ```ts
 * import { authenticate, getUserModel } from 'nuages/contrib/auth';
 * const user = await authenticate(request, { username, password });
 * if (user && (await user.hasPerm('catalog.change_book'))) { … }
 * ```
 */
export { authenticate, cleanCredentials } from './authenticate.ts';
export {
  BackendImportError,
  DEFAULT_AUTHENTICATION_BACKENDS,
  getBackends,
  loadBackend,
  normalizeBackendPath,
  type LoadedBackend,
} from './backend-loading.ts';
export { AllowAllUsersModelBackend, BaseBackend, ModelBackend, type Credentials, type PermissionTarget } from './backends.ts';
export {
  AbstractBaseUser,
  AbstractUser,
  AnonymousUser,
  BaseUserManager,
  Group,
  GroupManager,
  Permission,
  PermissionManager,
  PermissionsMixin,
  User,
  UserCreationError,
  UserManager,
  type UserCreation,
  type UserFields,
  type UserModelClass,
  type UserModelStatics,
} from './models.ts';
export { getPermissionCodename, modelPermissions, createPermissions } from './management/permissions.ts';
export { userLoggedIn, userLoggedOut, userLoginFailed } from './signals.ts';
export { getUserModel, UserModelNotInstalledError } from './user-model.ts';
export { asciiUsernameValidator, unicodeUsernameValidator } from './validators.ts';
export * from './hashers.ts';
export * from './password-validation.ts';
export { auth, permWrapper } from './context-processors.ts';
export {
  LoginRequiredMixin,
  PermissionRequiredMixin,
  UserPassesTestMixin,
  loginRequired,
  permissionRequired,
  userPassesTest,
  type AccessOptions,
} from './decorators.ts';
export {
  BACKEND_SESSION_KEY,
  BackendNotGivenError,
  HASH_SESSION_KEY,
  SESSION_KEY,
  getUser,
  login,
  logout,
  updateLastLogin,
  updateSessionAuthHash,
  type RequestUser,
} from './login.ts';
export {
  AuthenticationMiddleware,
  LoginRequiredMiddleware,
  UserNotLoadedError,
  attachLazyUser,
  isLoginNotRequired,
  loginNotRequired,
  requestUser,
} from './middleware.ts';
export { REDIRECT_FIELD_NAME, loginRedirect, redirectToLogin, resolvedLoginUrl, type LoginRedirectOptions } from './redirects.ts';
export {
  AuthenticationForm,
  BaseUserCreationForm,
  PasswordChangeForm,
  PasswordResetForm,
  SetPasswordForm,
  UserCreationForm,
  UsernameField,
  type AuthenticationFormOptions,
  type PasswordResetSaveOptions,
} from './forms.ts';
export { DEFAULT_PASSWORD_RESET_TIMEOUT, PasswordResetTokenGenerator, defaultTokenGenerator, uidDecode, uidEncode } from './tokens.ts';
export {
  LoginView,
  LogoutView,
  PasswordChangeDoneView,
  PasswordChangeView,
  PasswordResetCompleteView,
  PasswordResetConfirmView,
  PasswordResetDoneView,
  PasswordResetView,
} from './views.ts';

/**
 * Errors raised by settings, env helpers and the app registry.
 *
 * Most extend `ImproperlyConfigured` so code that catches Django's broad
 * "your configuration is wrong" error keeps working, while each kind keeps its
 * own permanent `code` for tests and the error catalogue.
 */
import { ImproperlyConfigured, NuagesError } from '../core/errors.ts';

/** A setting was read before `configure()` or `setup()` ran. */
export class SettingsNotConfiguredError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_SETTINGS_NOT_CONFIGURED';
  constructor(setting: string) {
    super(
      `Requested setting ${setting}, but settings are not configured. Set the ` +
        `NUAGES_SETTINGS_MODULE environment variable to your settings file and call ` +
        `\`await setup()\`, or call \`configure({...})\` before reading settings.`,
    );
  }
}

/** A setting has a value Nuages cannot use; the message names the setting and the fix. */
export class InvalidSettingError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_INVALID_SETTING';
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(message);
    this.setting = setting;
  }
}

/** `configure()` was called a second time (Django's "Settings already configured"). */
export class SettingsAlreadyConfiguredError extends NuagesError {
  readonly code = 'NUAGES_SETTINGS_ALREADY_CONFIGURED';
  constructor() {
    super(
      'Settings are already configured. configure() may run once per process; use ' +
        'overrideSettings(patch, fn) to change settings for a test, or resetSettings() between tests.',
    );
  }
}

/** The settings module named by NUAGES_SETTINGS_MODULE or `--settings` could not be loaded. */
export class SettingsModuleError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_SETTINGS_MODULE';
}

/** A cache URL (`CACHE_URL`, `parseCacheUrl()`) names no known cache or is malformed. */
export class InvalidCacheUrlError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_INVALID_CACHE_URL';
}

/** An environment variable that `env.*` needs is not set and has no default. */
export class MissingEnvVarError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_ENV_MISSING';
  readonly variable: string;
  constructor(variable: string) {
    super(
      `The environment variable ${variable} is not set. Set it (for example in your ` +
        `shell or a .env file) or pass a default to env helper reading it.`,
    );
    this.variable = variable;
  }
}

/** An environment variable holds a value its `env.*` helper cannot parse. */
export class InvalidEnvVarError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_ENV_INVALID';
  readonly variable: string;
  constructor(variable: string, value: string, expected: string) {
    super(`The environment variable ${variable} is ${JSON.stringify(value)}, but ${expected}.`);
    this.variable = variable;
  }
}

/** A database URL (DATABASE_URL) cannot be turned into a DATABASES entry. */
export class InvalidDatabaseUrlError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_INVALID_DATABASE_URL';
}

/** An INSTALLED_APPS entry does not resolve to a folder or package. */
export class AppNotFoundError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_APP_NOT_FOUND';
}

/** Two installed apps share a label. */
export class DuplicateAppLabelError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_DUPLICATE_APP_LABEL';
  constructor(label: string, first: string, second: string) {
    super(
      `Application labels aren't unique: '${first}' and '${second}' are both labelled ` +
        `'${label}'. Give one of them another label in its apps.ts ` +
        `(export default class extends AppConfig { label = '...' }).`,
    );
  }
}

/** An app's apps.ts default export is not an AppConfig, or its label is unusable. */
export class InvalidAppConfigError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_INVALID_APP_CONFIG';
}

/** `apps.populate()` was called from inside an app's import or `ready()`. */
export class PopulateReentrantError extends NuagesError {
  readonly code = 'NUAGES_POPULATE_REENTRANT';
  constructor() {
    super(
      "apps.populate() isn't reentrant: it was called while the registry was already " +
        'populating (from an apps.ts, models.ts or ready()). Remove that call; the ' +
        'registry is populated once at setup().',
    );
  }
}

/** The registry was asked for something that needs `populate()` to have finished. */
export class AppRegistryNotReady extends NuagesError {
  readonly code = 'NUAGES_APP_REGISTRY_NOT_READY';
}

/** No installed app has the requested label (Django's LookupError). */
export class AppLookupError extends NuagesError {
  readonly code = 'NUAGES_APP_LOOKUP';
}

/** The app exists but has no model of that name (Django's LookupError). */
export class ModelLookupError extends NuagesError {
  readonly code = 'NUAGES_MODEL_LOOKUP';
}

/** Two different classes were registered under one `app.model` key. */
export class ConflictingModelsError extends NuagesError {
  readonly code = 'NUAGES_CONFLICTING_MODELS';
}

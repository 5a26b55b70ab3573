/**
 * The shape of Nuages settings, their defaults and their validation.
 *
 * defineSettings(userObject) → defaults merged in → validateSettings() → the
 * object `configure()` installs behind the lazy `settings` proxy (lazy.ts).
 *
 * Names and defaults are Django's (global_settings.py), except where the
 * Node world differs: ENGINE and cache BACKEND names are short ('sqlite',
 * 'locmem'), TIME_ZONE defaults to 'UTC' (Django's startproject value).
 */
import { InvalidSettingError } from './errors.ts';

/** Database engines Nuages ships a backend for. */
export const DATABASE_ENGINES = ['sqlite', 'postgres'] as const;

/** One entry of `DATABASES`. */
export interface DatabaseSettings {
  ENGINE: (typeof DATABASE_ENGINES)[number];
  /** File path (sqlite, or ':memory:') or database name (postgres). */
  NAME: string;
  USER?: string;
  PASSWORD?: string;
  HOST?: string;
  PORT?: number | string;
  /** Passed to the driver as-is (e.g. `{ sslmode: 'require' }`). */
  OPTIONS?: Record<string, unknown>;
  /** Seconds a connection is reused; 0 closes after each request, null keeps it forever. */
  CONN_MAX_AGE?: number | null;
  /** Ping a connection that sat idle before reusing it (Postgres). */
  CONN_HEALTH_CHECKS?: boolean;
  /** iterator() reads all rows at once instead of through a server-side cursor (PgBouncer in transaction mode). */
  DISABLE_SERVER_SIDE_CURSORS?: boolean;
  ATOMIC_REQUESTS?: boolean;
  AUTOCOMMIT?: boolean;
  TIME_ZONE?: string | null;
  TEST?: { NAME?: string | null; MIRROR?: string | null; [key: string]: unknown };
}

/** One entry of `TEMPLATES`. */
export interface TemplateSettings {
  BACKEND: string;
  NAME?: string;
  DIRS?: string[];
  APP_DIRS?: boolean;
  OPTIONS?: Record<string, unknown>;
}

/**
 * One entry of `CACHES`. BACKEND is a built-in name (`locmem`, `redis`,
 * `memcached`, `db`, `filebased`, `dummy`, `tiered`) or a CacheBackend subclass.
 */
export interface CacheSettings {
  BACKEND: string | (abstract new (...args: never[]) => unknown);
  LOCATION?: string | string[];
  /** Seconds (default 300); null caches forever; 0 does not cache. */
  TIMEOUT?: number | null;
  KEY_PREFIX?: string;
  VERSION?: number;
  /** Builds the stored key; default `${keyPrefix}:${version}:${key}`. */
  KEY_FUNCTION?: (key: string, keyPrefix: string, version: number) => string;
  OPTIONS?: Record<string, unknown>;
}

/**
 * One entry of `TASKS`. BACKEND is a built-in name (`immediate`, `dummy`, `database`),
 * Django's dotted name, or a BaseTaskBackend subclass; QUEUES lists the queue names
 * tasks may use (an empty list allows any); OPTIONS go to the backend.
 */
export interface TaskBackendSettings {
  BACKEND: string | (abstract new (...args: never[]) => unknown);
  QUEUES?: string[];
  OPTIONS?: Record<string, unknown>;
}

/** One entry of `STORAGES`: a built-in name ('filesystem', 'staticfiles') or a Storage class, and its options. */
export interface StorageSettings {
  BACKEND: string | (new (options?: Record<string, unknown>) => unknown);
  OPTIONS?: Record<string, unknown>;
}

/** The settings Nuages itself defines, each with a default. */
export interface BuiltinSettings {
  DEBUG: boolean;
  SECRET_KEY: string;
  /** Older keys still accepted when verifying signatures. */
  SECRET_KEY_FALLBACKS: string[];
  /** Import specifiers of the project's apps, in order (folders under BASE_DIR or packages). */
  INSTALLED_APPS: string[];
  DATABASES: Record<string, DatabaseSettings>;
  TIME_ZONE: string;
  USE_TZ: boolean;
  /** Folder INSTALLED_APPS folders are resolved against; defaults to the process's cwd. */
  BASE_DIR: string;
  ALLOWED_HOSTS: string[];
  INTERNAL_IPS: string[];
  MIDDLEWARE: string[];
  ROOT_URLCONF: string | null;
  TEMPLATES: TemplateSettings[];
  CACHES: Record<string, CacheSettings>;
  /** Task backends by alias (Django 6.0's TASKS); `default` runs tasks at enqueue time. */
  TASKS: Record<string, TaskBackendSettings>;
  /** Seconds the site-wide cache middleware keeps a page (Django's default 600). */
  CACHE_MIDDLEWARE_SECONDS: number;
  CACHE_MIDDLEWARE_KEY_PREFIX: string;
  CACHE_MIDDLEWARE_ALIAS: string;
  LANGUAGE_CODE: string;
  USE_I18N: boolean;
  DEFAULT_AUTO_FIELD: string;
  /** How objects load relations and deferred fields their query did not load (see docs/query-performance.md). */
  FETCH_MODE: 'FETCH_PEERS' | 'FETCH_ONE' | 'RAISE';
  /** What the N+1 detector does: null means 'warn' when DEBUG or under `node --test`, else 'ignore'. */
  N_PLUS_ONE: 'warn' | 'raise' | 'ignore' | null;
  DEFAULT_CHARSET: string;
  APPEND_SLASH: boolean;
  SILENCED_SYSTEM_CHECKS: string[];
  STATIC_URL: string | null;
  STATIC_ROOT: string | null;
  /** `manage.ts serve` answers STATIC_URL from STATIC_ROOT itself (as `--static`), for deployments without a reverse proxy. */
  SERVE_STATIC: boolean;
  MEDIA_URL: string;
  MEDIA_ROOT: string;
  /** Named file storages (Django 5.2's shape); `default` holds uploads, `staticfiles` static files. */
  STORAGES: Record<string, StorageSettings>;
  CSRF_TRUSTED_ORIGINS: string[];
  /** Redirect plain-HTTP requests to HTTPS (SecurityMiddleware). */
  SECURE_SSL_REDIRECT: boolean;
  /** The host of that redirect; null keeps the request's own Host. */
  SECURE_SSL_HOST: string | null;
  /** Paths (without their leading slash) never redirected to HTTPS: RegExps or pattern strings. */
  SECURE_REDIRECT_EXEMPT: Array<RegExp | string>;
  /** Seconds of Strict-Transport-Security sent on HTTPS responses; 0 sends none. */
  SECURE_HSTS_SECONDS: number;
  SECURE_HSTS_INCLUDE_SUBDOMAINS: boolean;
  SECURE_HSTS_PRELOAD: boolean;
  /** Send `X-Content-Type-Options: nosniff`. */
  SECURE_CONTENT_TYPE_NOSNIFF: boolean;
  /** Referrer-Policy: one value, comma-separated fallbacks, or a list; null sends none. */
  SECURE_REFERRER_POLICY: string | string[] | null;
  /** Cross-Origin-Opener-Policy; null sends none. */
  SECURE_CROSS_ORIGIN_OPENER_POLICY: string | null;
  SESSION_COOKIE_SECURE: boolean;
  /**
   * Where sessions are stored: 'db', 'cache', 'cached-db', 'file', 'signed-cookies',
   * Django's dotted name ('django.contrib.sessions.backends.db'), or a SessionBase subclass.
   */
  SESSION_ENGINE: string | (abstract new (...args: never[]) => unknown);
  /** The CACHES alias of the 'cache' and 'cached-db' session engines. */
  SESSION_CACHE_ALIAS: string;
  SESSION_COOKIE_NAME: string;
  /** Seconds a session lives without SESSION_EXPIRE_AT_BROWSER_CLOSE (two weeks). */
  SESSION_COOKIE_AGE: number;
  SESSION_COOKIE_DOMAIN: string | null;
  SESSION_COOKIE_PATH: string;
  SESSION_COOKIE_HTTPONLY: boolean;
  SESSION_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None' | false;
  SESSION_EXPIRE_AT_BROWSER_CLOSE: boolean;
  /** Save the session (and refresh its cookie) on every response, not only when it changed. */
  SESSION_SAVE_EVERY_REQUEST: boolean;
  /** Folder of the 'file' session engine; null means the system's temporary folder. */
  SESSION_FILE_PATH: string | null;
  /** JSON only: Django's 'django.contrib.sessions.serializers.JSONSerializer' (or 'json'). */
  SESSION_SERIALIZER: string;
  CSRF_COOKIE_SECURE: boolean;
  /** The cookie holding the CSRF secret (without CSRF_USE_SESSIONS). */
  CSRF_COOKIE_NAME: string;
  /** Seconds the CSRF cookie lives (a year, as Django); null makes it a browser-session cookie. */
  CSRF_COOKIE_AGE: number | null;
  /** Domain of the CSRF cookie ('.example.com' to share it with subdomains); also what the Referer check accepts. */
  CSRF_COOKIE_DOMAIN: string | null;
  CSRF_COOKIE_PATH: string;
  /** Hide the CSRF cookie from scripts (they then read the token from the page, not the cookie). */
  CSRF_COOKIE_HTTPONLY: boolean;
  CSRF_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None' | false;
  /** The META key of the header scripts send the token in ('HTTP_X_CSRFTOKEN' is X-CSRFToken). */
  CSRF_HEADER_NAME: string;
  /** Keep the CSRF secret in the session (under '_csrftoken') instead of a cookie. */
  CSRF_USE_SESSIONS: boolean;
  /** The view that answers a refused request, called with `{ reason }`: 'module#export' or the function. */
  CSRF_FAILURE_VIEW: string | ((request: never, params: { reason: string }) => unknown);
  X_FRAME_OPTIONS: string;
  DATA_UPLOAD_MAX_MEMORY_SIZE: number | null;
  DATE_FORMAT: string;
  DATETIME_FORMAT: string;
  TIME_FORMAT: string;
  /** strptime/strftime formats forms accept; the first is how date widgets print values. */
  DATE_INPUT_FORMATS: string[];
  DATETIME_INPUT_FORMATS: string[];
  TIME_INPUT_FORMATS: string[];
  /** The form renderer: 'module#Export' (default 'nuages/forms/renderers#DjangoTemplates') or a renderer object. */
  FORM_RENDERER: string | object;
  /** Who gets error mails: `[name, email]` pairs (Django 5.2's form) or addresses. */
  ADMINS: Array<[string, string] | string>;
  /** Who `mailManagers()` writes to, in the form of ADMINS. */
  MANAGERS: Array<[string, string] | string>;
  DEFAULT_FROM_EMAIL: string;
  /** The sender of mails to ADMINS and MANAGERS. */
  SERVER_EMAIL: string;
  /** 'smtp', 'console', 'file', 'locmem', 'dummy', Django's dotted names, a 'module#Export' path or an EmailBackend class. */
  EMAIL_BACKEND: string | (new (...args: never[]) => unknown);
  EMAIL_HOST: string;
  EMAIL_PORT: number;
  EMAIL_HOST_USER: string;
  EMAIL_HOST_PASSWORD: string;
  /** STARTTLS (usually port 587); exclusive with EMAIL_USE_SSL. */
  EMAIL_USE_TLS: boolean;
  /** TLS from the first byte (usually port 465); exclusive with EMAIL_USE_TLS. */
  EMAIL_USE_SSL: boolean;
  EMAIL_SSL_CERTFILE: string | null;
  EMAIL_SSL_KEYFILE: string | null;
  /** Seconds before an SMTP operation gives up; null: the OS's own. */
  EMAIL_TIMEOUT: number | null;
  /** Put before the subject of mails to ADMINS and MANAGERS. */
  EMAIL_SUBJECT_PREFIX: string;
  /** Date headers in local time instead of UTC. */
  EMAIL_USE_LOCALTIME: boolean;
  /** The folder of the 'file' backend. */
  EMAIL_FILE_PATH: string | null;
  LOGGING: Record<string, unknown>;
  /** The user model, as 'app_label.ModelName' (default 'auth.User'); set it before the first migration. */
  AUTH_USER_MODEL: string;
  /**
   * Authentication backends tried in order by `authenticate()`: 'module#Export' strings as in
   * MIDDLEWARE, or Django's dotted names ('django.contrib.auth.backends.ModelBackend').
   */
  AUTHENTICATION_BACKENDS: string[];
  /** Where login-required views send anonymous users: a path or a URL name. */
  LOGIN_URL: string;
  /** Where LoginView goes after a login without `next`. */
  LOGIN_REDIRECT_URL: string;
  /** Where LogoutView goes after a logout; null renders registration/logged_out.html. */
  LOGOUT_REDIRECT_URL: string | null;
  /** Seconds a password reset link stays valid (Django's default: three days). */
  PASSWORD_RESET_TIMEOUT: number;
  /** Where flash messages are kept: 'fallback' (cookie, then session), 'cookie', 'session', Django's dotted names, or a class. */
  MESSAGE_STORAGE: string | (new (request: never) => unknown);
  /** Messages below this level are dropped (default INFO, 20). */
  MESSAGE_LEVEL: number;
  /** Tags by level, over the defaults ({ 40: 'danger' } for Bootstrap). */
  MESSAGE_TAGS: Record<number, string>;
  /**
   * Password hashers, the preferred one first: algorithm names ('pbkdf2_sha256',
   * 'argon2', 'bcrypt_sha256', 'scrypt', …), Django's dotted names, or BasePasswordHasher subclasses.
   */
  PASSWORD_HASHERS: Array<string | (new () => unknown)>;
  /** Password validators: `{ NAME, OPTIONS }` as in Django; NAME is a dotted name, a class name or a class. */
  AUTH_PASSWORD_VALIDATORS: Array<{ NAME: string | (new (options?: never) => unknown); OPTIONS?: Record<string, unknown> }>;
  /**
   * The probes `serve` and `runserver` answer before any middleware (docs/deployment.md,
   * "Health checks"). LIVENESS: 200 while the process answers, no I/O. READINESS: 200
   * when every DATABASES alias is reachable and fully migrated, every CACHES alias and
   * the tasks broker answer; 503 with a JSON body naming what failed, and 503 as soon as
   * the worker drains. Its result is reused for CACHE_SECONDS. '' turns a path off.
   * Default `{ LIVENESS: '/healthz', READINESS: '/readyz', CACHE_SECONDS: 1 }`.
   */
  HEALTH_CHECKS: { LIVENESS: string; READINESS: string; CACHE_SECONDS: number };
  /**
   * The Prometheus endpoint of `serve` (docs/deployment.md, "Metrics and tracing"); null
   * (the default) turns it off. A scrape must bring `Authorization: Bearer <TOKEN>` or
   * come from one of ALLOWED_IPS (exact addresses); anything else gets 403. Under
   * `serve --workers N` one scrape of any worker returns the sum over all workers.
   */
  METRICS: { PATH?: string; TOKEN?: string | null; ALLOWED_IPS?: string[] } | null;
}

/**
 * Every setting of the project, with defaults applied: Nuages's own plus the
 * project's. Projects add theirs with declaration merging, after which
 * `settings.SHOP_CURRENCY` is typed:
 *
 * ```ts
 * declare module 'nuages/conf' {
 *   interface Settings { SHOP_CURRENCY: string }
 * }
 * ```
 */
export interface Settings extends BuiltinSettings {}

/**
 * What `defineSettings()` and `configure()` accept: any known setting, plus
 * project settings in UPPER_CASE. Lower-case keys are a type error (Django
 * silently ignores them, which hides typos).
 */
export type SettingsInput = Partial<Settings> & { [key: Uppercase<string>]: unknown };

/** A settings object after `defineSettings()`: known settings filled in, extras kept. */
export type DefinedSettings = Settings & Record<string, unknown>;

/** The value of every setting a project does not set. */
export function defaultSettings(): BuiltinSettings {
  // A function, not a constant, so each configure() gets fresh arrays/objects
  // that one test cannot mutate for the next.
  return {
    DEBUG: false,
    SECRET_KEY: '',
    SECRET_KEY_FALLBACKS: [],
    INSTALLED_APPS: [],
    DATABASES: {},
    TIME_ZONE: 'UTC',
    USE_TZ: true,
    BASE_DIR: process.cwd(),
    ALLOWED_HOSTS: [],
    INTERNAL_IPS: [],
    MIDDLEWARE: [],
    ROOT_URLCONF: null,
    TEMPLATES: [],
    CACHES: { default: { BACKEND: 'locmem' } },
    TASKS: { default: { BACKEND: 'immediate' } },
    CACHE_MIDDLEWARE_SECONDS: 600,
    CACHE_MIDDLEWARE_KEY_PREFIX: '',
    CACHE_MIDDLEWARE_ALIAS: 'default',
    LANGUAGE_CODE: 'en-us',
    USE_I18N: true,
    DEFAULT_AUTO_FIELD: 'BigAutoField',
    FETCH_MODE: 'FETCH_PEERS',
    N_PLUS_ONE: null,
    DEFAULT_CHARSET: 'utf-8',
    APPEND_SLASH: true,
    SILENCED_SYSTEM_CHECKS: [],
    STATIC_URL: null,
    STATIC_ROOT: null,
    SERVE_STATIC: false,
    MEDIA_URL: '',
    MEDIA_ROOT: '',
    STORAGES: { default: { BACKEND: 'filesystem' }, staticfiles: { BACKEND: 'staticfiles' } },
    CSRF_TRUSTED_ORIGINS: [],
    SECURE_SSL_REDIRECT: false,
    SECURE_SSL_HOST: null,
    SECURE_REDIRECT_EXEMPT: [],
    SECURE_HSTS_SECONDS: 0,
    SECURE_HSTS_INCLUDE_SUBDOMAINS: false,
    SECURE_HSTS_PRELOAD: false,
    SECURE_CONTENT_TYPE_NOSNIFF: true,
    SECURE_REFERRER_POLICY: 'same-origin',
    SECURE_CROSS_ORIGIN_OPENER_POLICY: 'same-origin',
    SESSION_COOKIE_SECURE: false,
    SESSION_ENGINE: 'db',
    SESSION_CACHE_ALIAS: 'default',
    SESSION_COOKIE_NAME: 'sessionid',
    SESSION_COOKIE_AGE: 60 * 60 * 24 * 7 * 2,
    SESSION_COOKIE_DOMAIN: null,
    SESSION_COOKIE_PATH: '/',
    SESSION_COOKIE_HTTPONLY: true,
    SESSION_COOKIE_SAMESITE: 'Lax',
    SESSION_EXPIRE_AT_BROWSER_CLOSE: false,
    SESSION_SAVE_EVERY_REQUEST: false,
    SESSION_FILE_PATH: null,
    SESSION_SERIALIZER: 'django.contrib.sessions.serializers.JSONSerializer',
    CSRF_COOKIE_SECURE: false,
    CSRF_COOKIE_NAME: 'csrftoken',
    CSRF_COOKIE_AGE: 60 * 60 * 24 * 7 * 52,
    CSRF_COOKIE_DOMAIN: null,
    CSRF_COOKIE_PATH: '/',
    CSRF_COOKIE_HTTPONLY: false,
    CSRF_COOKIE_SAMESITE: 'Lax',
    CSRF_HEADER_NAME: 'HTTP_X_CSRFTOKEN',
    CSRF_USE_SESSIONS: false,
    CSRF_FAILURE_VIEW: 'nuages/views/csrf#csrfFailure',
    X_FRAME_OPTIONS: 'DENY',
    DATA_UPLOAD_MAX_MEMORY_SIZE: 2621440,
    DATE_FORMAT: 'N j, Y',
    DATETIME_FORMAT: 'N j, Y, P',
    TIME_FORMAT: 'P',
    DATE_INPUT_FORMATS: ['%Y-%m-%d', '%m/%d/%Y', '%m/%d/%y', '%b %d %Y', '%b %d, %Y', '%d %b %Y', '%d %b, %Y', '%B %d %Y', '%B %d, %Y', '%d %B %Y', '%d %B, %Y'],
    DATETIME_INPUT_FORMATS: ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%d %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M:%S.%f', '%m/%d/%Y %H:%M', '%m/%d/%y %H:%M:%S', '%m/%d/%y %H:%M:%S.%f', '%m/%d/%y %H:%M'],
    TIME_INPUT_FORMATS: ['%H:%M:%S', '%H:%M:%S.%f', '%H:%M'],
    FORM_RENDERER: 'nuages/forms/renderers#DjangoTemplates',
    ADMINS: [],
    MANAGERS: [],
    DEFAULT_FROM_EMAIL: 'webmaster@localhost',
    SERVER_EMAIL: 'root@localhost',
    EMAIL_BACKEND: 'console',
    EMAIL_HOST: 'localhost',
    EMAIL_PORT: 25,
    EMAIL_HOST_USER: '',
    EMAIL_HOST_PASSWORD: '',
    EMAIL_USE_TLS: false,
    EMAIL_USE_SSL: false,
    EMAIL_SSL_CERTFILE: null,
    EMAIL_SSL_KEYFILE: null,
    EMAIL_TIMEOUT: null,
    EMAIL_SUBJECT_PREFIX: '[Nuages] ',
    EMAIL_USE_LOCALTIME: false,
    EMAIL_FILE_PATH: null,
    LOGGING: {},
    AUTH_USER_MODEL: 'auth.User',
    AUTHENTICATION_BACKENDS: ['nuages/contrib/auth/backends#ModelBackend'],
    LOGIN_URL: '/accounts/login/',
    LOGIN_REDIRECT_URL: '/accounts/profile/',
    LOGOUT_REDIRECT_URL: null,
    PASSWORD_RESET_TIMEOUT: 259_200,
    MESSAGE_STORAGE: 'fallback',
    MESSAGE_LEVEL: 20,
    MESSAGE_TAGS: {},
    PASSWORD_HASHERS: ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt_sha256', 'scrypt'],
    AUTH_PASSWORD_VALIDATORS: [],
    HEALTH_CHECKS: { LIVENESS: '/healthz', READINESS: '/readyz', CACHE_SECONDS: 1 },
    METRICS: null,
  };
}

/** True for names Django would treat as settings (`str.isupper()`). */
export function isSettingName(name: string): boolean {
  // Every `settings.X` read asks this; ASCII names are decided without allocating.
  let letter = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return false;
    if (c >= 0x41 && c <= 0x5a) letter = true;
    else if (c > 0x7f) return name === name.toUpperCase() && name !== name.toLowerCase();
  }
  return letter;
}

/**
 * Merge a project's settings over the defaults and reject names Django would
 * ignore. Validation of values happens in `configure()`, so a settings module
 * can be defined before, say, its env variables are complete in a test.
 *
 * ```ts
 * // settings.ts
 * import { defineSettings, env } from 'nuages/conf';
 * export default defineSettings({
 *   BASE_DIR: import.meta.dirname,
 *   DEBUG: env.bool('DEBUG', false),
 *   SECRET_KEY: env.str('SECRET_KEY'),
 *   INSTALLED_APPS: ['catalog'],
 *   DATABASES: { default: env.db('DATABASE_URL', 'sqlite:///db.sqlite3') },
 * });
 * ```
 *
 * @throws InvalidSettingError for a key that is not UPPER_CASE.
 */
export function defineSettings(input: SettingsInput): DefinedSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidSettingError(
      '(settings)',
      `Settings must be a plain object of UPPER_CASE names, got ${describe(input)}.`,
    );
  }
  const merged: Record<string, unknown> = { ...defaultSettings() };
  const defaulted = new Set(Object.keys(merged));
  const inherited = defaultedKeys.get(input);
  for (const [name, value] of Object.entries(input)) {
    checkSettingName(name);
    // undefined means "not set": keep the default, as an absent key would.
    if (value === undefined || inherited?.has(name)) continue;
    merged[name] = value;
    defaulted.delete(name);
  }
  defaultedKeys.set(merged, defaulted);
  return merged as DefinedSettings;
}

// Which settings of a defined object hold defaults rather than the project's
// values; setup() uses it to default BASE_DIR to the settings module's folder.
const defaultedKeys = new WeakMap<object, ReadonlySet<string>>();

/** Whether `defineSettings()` filled `name` with its default rather than a given value. */
export function isDefaulted(defined: object, name: string): boolean {
  return defaultedKeys.get(defined)?.has(name) ?? !Object.hasOwn(defined, name);
}

/** @throws InvalidSettingError when `name` is not an UPPER_CASE setting name. */
export function checkSettingName(name: string): void {
  if (!isSettingName(name)) {
    throw new InvalidSettingError(
      name,
      `Setting names must be UPPER_CASE, but '${name}' is not; Django ignores such ` +
        `names, so it would have no effect. Rename it to '${name.toUpperCase()}'.`,
    );
  }
}

/**
 * Check the values `configure()` is about to install.
 *
 * @throws InvalidSettingError naming the setting and the fix.
 */
export function validateSettings(s: Readonly<Record<string, unknown>>): void {
  for (const name of ['DEBUG', 'USE_TZ', 'USE_I18N', 'APPEND_SLASH']) expectType(s, name, 'boolean');
  for (const name of ['SECRET_KEY', 'TIME_ZONE', 'BASE_DIR', 'LANGUAGE_CODE', 'DEFAULT_AUTO_FIELD']) {
    expectType(s, name, 'string');
  }
  for (const name of [
    'INSTALLED_APPS',
    'ALLOWED_HOSTS',
    'INTERNAL_IPS',
    'MIDDLEWARE',
    'SILENCED_SYSTEM_CHECKS',
    'CSRF_TRUSTED_ORIGINS',
    'SECRET_KEY_FALLBACKS',
  ]) {
    expectStringList(s, name);
  }

  if (s['DEBUG'] === false && s['SECRET_KEY'] === '') {
    throw new InvalidSettingError(
      'SECRET_KEY',
      'The SECRET_KEY setting must not be empty when DEBUG is false. Set SECRET_KEY to a ' +
        "long random string (for example SECRET_KEY: env.str('SECRET_KEY')), or set DEBUG: true in development.",
    );
  }

  const apps = s['INSTALLED_APPS'] as string[];
  const seen = new Set<string>();
  for (const app of apps) {
    const key = app.replace(/^\.\//, '').replace(/\/+$/, '');
    if (seen.has(key)) {
      throw new InvalidSettingError(
        'INSTALLED_APPS',
        `INSTALLED_APPS lists '${app}' more than once. Remove the duplicate entry.`,
      );
    }
    seen.add(key);
  }

  const timeZone = s['TIME_ZONE'] as string;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new InvalidSettingError(
      'TIME_ZONE',
      `TIME_ZONE is '${timeZone}', which is not an IANA time zone. Use a name such as ` +
        "'UTC' or 'Europe/Paris'.",
    );
  }

  validateDatabases(s['DATABASES']);
}

function validateDatabases(databases: unknown): void {
  if (databases === null || typeof databases !== 'object' || Array.isArray(databases)) {
    throw new InvalidSettingError(
      'DATABASES',
      `DATABASES must be an object of alias → settings, got ${describe(databases)}. ` +
        "Write DATABASES: { default: { ENGINE: 'sqlite', NAME: 'db.sqlite3' } }.",
    );
  }
  const aliases = Object.keys(databases);
  // An empty DATABASES means "no database", as in Django; any other shape needs a default.
  if (aliases.length > 0 && !aliases.includes('default')) {
    throw new InvalidSettingError(
      'DATABASES',
      `DATABASES defines ${aliases.map((a) => `'${a}'`).join(', ')} but no 'default' database. ` +
        'Add DATABASES.default (or rename one of them to default).',
    );
  }
  for (const [alias, entry] of Object.entries(databases as Record<string, unknown>)) {
    const where = `DATABASES.${alias}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new InvalidSettingError(
        'DATABASES',
        `${where} must be an object with ENGINE and NAME, got ${describe(entry)}.`,
      );
    }
    const { ENGINE, NAME } = entry as Record<string, unknown>;
    if (!(DATABASE_ENGINES as readonly unknown[]).includes(ENGINE)) {
      throw new InvalidSettingError(
        'DATABASES',
        `${where}.ENGINE is ${describe(ENGINE)}, which is not a Nuages database backend. ` +
          `Use one of ${DATABASE_ENGINES.map((e) => `'${e}'`).join(', ')}.`,
      );
    }
    if (typeof NAME !== 'string' || NAME === '') {
      throw new InvalidSettingError(
        'DATABASES',
        `${where}.NAME must be a non-empty string (a file path or ':memory:' for sqlite, ` +
          `a database name for postgres), got ${describe(NAME)}.`,
      );
    }
  }
}

function expectType(s: Readonly<Record<string, unknown>>, name: string, type: 'boolean' | 'string'): void {
  if (typeof s[name] !== type) {
    throw new InvalidSettingError(name, `${name} must be a ${type}, got ${describe(s[name])}.`);
  }
}

function expectStringList(s: Readonly<Record<string, unknown>>, name: string): void {
  const value = s[name];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new InvalidSettingError(
      name,
      `${name} must be an array of strings, got ${describe(value)}. Write ${name}: ['...'].`,
    );
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

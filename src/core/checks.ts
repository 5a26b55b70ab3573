/**
 * The system check framework: functions that inspect the project and return
 * messages, run by `manage.ts check` (and before most commands).
 *
 * registerCheck(fn, { tags, deploy }) → runChecks({ tags, includeDeploymentChecks })
 * → CheckMessage[] → the check command groups them by level and fails on
 * ERROR or worse. Message IDs keep Django's (`security.W018`) so a project's
 * SILENCED_SYSTEM_CHECKS carries over.
 */
import { apps, type AppConfig } from '../conf/apps.ts';
import { settings } from '../conf/lazy-settings.ts';

/** Check levels, Django's numbers. */
export const DEBUG = 10;
export const INFO = 20;
export const WARNING = 30;
export const ERROR = 40;
export const CRITICAL = 50;

/** Options of a check message. */
export interface CheckMessageOptions {
  /** How to fix it, printed on its own line. */
  hint?: string;
  /** What the message is about: a model class, a field, a setting name… */
  obj?: unknown;
  /** A permanent ID such as 'security.W018', used by SILENCED_SYSTEM_CHECKS. */
  id?: string;
}

/**
 * One finding of a check. Use the level subclasses (`CheckWarning`,
 * `CheckError`…); they are named with a `Check` prefix so they do not shadow
 * the global `Error`.
 */
export class CheckMessage {
  readonly level: number;
  readonly msg: string;
  readonly hint: string | undefined;
  readonly obj: unknown;
  readonly id: string | undefined;

  constructor(level: number, msg: string, options: CheckMessageOptions = {}) {
    this.level = level;
    this.msg = msg;
    this.hint = options.hint;
    this.obj = options.obj;
    this.id = options.id;
  }

  /** Whether the message is at or above `level` (ERROR by default): such messages fail `check`. */
  isSerious(level = ERROR): boolean {
    return this.level >= level;
  }

  /** Whether SILENCED_SYSTEM_CHECKS lists this message's ID. */
  isSilenced(): boolean {
    return this.id !== undefined && settings.SILENCED_SYSTEM_CHECKS.includes(this.id);
  }

  /** `obj: (id) msg`, then a tab-indented HINT line when there is a hint. */
  toString(): string {
    const id = this.id ? `(${this.id}) ` : '';
    const hint = this.hint ? `\n\tHINT: ${this.hint}` : '';
    return `${describeObject(this.obj)}: ${id}${this.msg}${hint}`;
  }
}

/** A DEBUG-level check message. */
export class CheckDebug extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(DEBUG, msg, options);
  }
}

/** An INFO-level check message. */
export class CheckInfo extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(INFO, msg, options);
  }
}

/** A WARNING-level check message: reported, does not fail `check`. */
export class CheckWarning extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(WARNING, msg, options);
  }
}

/** An ERROR-level check message: fails `check` and blocks commands that run checks. */
export class CheckError extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(ERROR, msg, options);
  }
}

/** A CRITICAL-level check message. */
export class CheckCritical extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(CRITICAL, msg, options);
  }
}

/** Django's built-in check tags. */
export const Tags = Object.freeze({
  admin: 'admin',
  asyncSupport: 'async_support',
  caches: 'caches',
  compatibility: 'compatibility',
  database: 'database',
  files: 'files',
  models: 'models',
  security: 'security',
  signals: 'signals',
  sites: 'sites',
  staticfiles: 'staticfiles',
  templates: 'templates',
  translation: 'translation',
  urls: 'urls',
});

/** What a check function receives. */
export interface CheckContext {
  /** Limit the check to these apps; undefined means the whole project. */
  appConfigs: readonly AppConfig[] | undefined;
  /** Databases the check may query; undefined means none. */
  databases: readonly string[] | undefined;
}

/** A system check. It may be async (e.g. to ask the database). */
export type CheckFunction = (context: CheckContext) => readonly CheckMessage[] | Promise<readonly CheckMessage[]>;

interface Registered {
  readonly fn: CheckFunction;
  readonly tags: readonly string[];
  readonly deploy: boolean;
}

const registry: Registered[] = [];

/**
 * Register a system check and return it. `deploy` checks run only with
 * `check --deploy`. Registering the same function twice keeps one.
 *
 * ```ts
 * registerCheck(() => settings.SHOP_CURRENCY ? [] : [
 *   new CheckError('SHOP_CURRENCY is not set.', { id: 'shop.E001', hint: "Add SHOP_CURRENCY: 'EUR'." }),
 * ], { tags: ['shop'] });
 * ```
 */
export function registerCheck<F extends CheckFunction>(fn: F, options: { tags?: readonly string[]; deploy?: boolean } = {}): F {
  if (!registry.some((r) => r.fn === fn)) {
    registry.push({ fn, tags: [...(options.tags ?? [])], deploy: options.deploy ?? false });
  }
  return fn;
}

/** Options of `runChecks()`. */
export interface RunChecksOptions {
  appConfigs?: readonly AppConfig[];
  /** Run only checks with at least one of these tags. */
  tags?: readonly string[];
  includeDeploymentChecks?: boolean;
  databases?: readonly string[];
}

/** Run the registered checks, in registration order, and collect their messages. */
export async function runChecks(options: RunChecksOptions = {}): Promise<CheckMessage[]> {
  const context: CheckContext = { appConfigs: options.appConfigs, databases: options.databases };
  const messages: CheckMessage[] = [];
  for (const check of selected(options.tags, options.includeDeploymentChecks ?? false)) {
    const found = await check.fn(context);
    if (!Array.isArray(found)) {
      throw new TypeError(`The system check ${check.fn.name || '(anonymous)'} must return an array of CheckMessage.`);
    }
    messages.push(...found);
  }
  return messages;
}

/** Whether any check (deploy ones included when asked) carries `tag`. */
export function tagExists(tag: string, includeDeploymentChecks = false): boolean {
  return availableTags(includeDeploymentChecks).has(tag);
}

/** Every tag of the registered checks. */
export function availableTags(includeDeploymentChecks = false): Set<string> {
  return new Set(selected(undefined, includeDeploymentChecks).flatMap((r) => r.tags));
}

function selected(tags: readonly string[] | undefined, deploy: boolean): Registered[] {
  return registry.filter(
    (r) => (deploy || !r.deploy) && (tags === undefined || r.tags.some((t) => tags.includes(t))),
  );
}

function describeObject(obj: unknown): string {
  if (obj === undefined || obj === null) return '?';
  if (typeof obj === 'function') {
    const label = apps.appLabelOf(obj as never);
    return label ? `${label}.${obj.name}` : obj.name;
  }
  return String(obj);
}

// Built-in checks ---------------------------------------------------------

/** Reports apps.lazyModel() references whose model never registered. */
export function checkLazyReferences(): CheckMessage[] {
  return apps.pendingReferences().map((ref) => {
    const installed = apps.findAppConfig(ref.appLabel) !== undefined;
    const missing = installed
      ? `app '${ref.appLabel}' doesn't provide model '${ref.modelName}'`
      : `app '${ref.appLabel}' isn't installed`;
    const who = ref.description ?? 'A model reference';
    const id = who.startsWith('the field') ? 'fields.E307' : who.includes('receiver') ? 'signals.E001' : 'models.E022';
    return new CheckError(`${capitalise(who)} refers lazily to '${ref.appLabel}.${ref.modelName}', but ${missing}.`, {
      id,
      hint: installed
        ? `Check the model name in '${ref.ref}', or define ${ref.modelName} in ${ref.appLabel}/models.ts.`
        : `Add the app to INSTALLED_APPS, or fix the label in '${ref.ref}'.`,
    });
  });
}

const SECRET_KEY_MIN_LENGTH = 50;
const SECRET_KEY_MIN_UNIQUE = 5;
const INSECURE_PREFIXES = ['django-insecure-', 'nuages-insecure-'];

/** Deploy: a weak SECRET_KEY (security.W009). */
export function checkSecretKey(): CheckMessage[] {
  const key = settings.SECRET_KEY;
  const weak =
    key.length < SECRET_KEY_MIN_LENGTH ||
    new Set(key).size < SECRET_KEY_MIN_UNIQUE ||
    INSECURE_PREFIXES.some((prefix) => key.startsWith(prefix));
  if (!weak) return [];
  return [
    new CheckWarning(
      `SECRET_KEY is too weak for production: it needs at least ${SECRET_KEY_MIN_LENGTH} characters, ` +
        `${SECRET_KEY_MIN_UNIQUE} distinct ones, and no generated 'insecure' prefix. Signing, sessions and ` +
        'password resets all rely on it.',
      {
        id: 'security.W009',
        hint: "Generate one with node -e \"console.log(require('node:crypto').randomBytes(48).toString('base64url'))\" and read it with env.str('SECRET_KEY').",
      },
    ),
  ];
}

/** Deploy: DEBUG left on (security.W018). */
export function checkDebug(): CheckMessage[] {
  if (!settings.DEBUG) return [];
  return [new CheckWarning('DEBUG is true; a deployed site must run with DEBUG false.', { id: 'security.W018' })];
}

/** Deploy: no ALLOWED_HOSTS (security.W020). */
export function checkAllowedHosts(): CheckMessage[] {
  if (settings.ALLOWED_HOSTS.length > 0) return [];
  return [
    new CheckWarning('ALLOWED_HOSTS is empty; a deployed site must list the host names it serves.', {
      id: 'security.W020',
    }),
  ];
}

registerCheck(checkLazyReferences, { tags: [Tags.models] });
registerCheck(checkSecretKey, { tags: [Tags.security], deploy: true });
registerCheck(checkDebug, { tags: [Tags.security], deploy: true });
registerCheck(checkAllowedHosts, { tags: [Tags.security], deploy: true });

function capitalise(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/**
 * The global `settings` object and the ways to fill it.
 *
 * configure(obj) or setup() → defineSettings → validateSettings → installed;
 * `settings.X` then reads the installed value, unless an `overrideSettings()`
 * in the current async context replaces it, or else a process-wide layer
 * (`pushProcessSettings()`, what test hooks use) does.
 *
 * Overrides live in an AsyncLocalStorage, the Node analogue of the
 * thread-local Django's override_settings would need under concurrency: two
 * tests running at once with different overrides each see their own values.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ImproperlyConfigured } from '../core/errors.ts';
import { settingChanged } from '../core/signals.ts';
import { apps } from './apps.ts';
import {
  SettingsAlreadyConfiguredError,
  SettingsModuleError,
  SettingsNotConfiguredError,
} from './errors.ts';
import {
  checkSettingName,
  defineSettings,
  isDefaulted,
  isSettingName,
  validateSettings,
  type DefinedSettings,
  type Settings,
  type SettingsInput,
} from './settings.ts';
import { setDefaultTimeZone } from '../utils/timezone.ts';
import { getScriptPrefix } from '../urls/script-prefix.ts';

// The ORM and templates read the time zone from utils/timezone; keep it in step with overrides.
settingChanged.connect(({ setting, value }) => {
  if (setting === 'TIME_ZONE' && typeof value === 'string') setDefaultTimeZone(value);
}, { dispatchUid: 'nuages.conf.timeZone' });

/** The non-setting members of `settings` (lower-case, so they never clash with a setting). */
export interface SettingsControl {
  /** Whether `configure()` or `setup()` has installed settings. */
  readonly configured: boolean;
  /** Whether `name` is overridden here: by an `overrideSettings()` of this async context, or process-wide. */
  isOverridden(name: string): boolean;
}

let installed: Readonly<Record<string, unknown>> | undefined;
const overrides = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();
/**
 * Process-wide overrides, under the async-scoped ones: test hooks (before/after) run in
 * another async context than the tests, so what a hook sets must be seen from every context.
 * Pushed and popped in stack order by `pushProcessSettings()`.
 */
const processLayers: Array<Readonly<Record<string, unknown>>> = [];
let processLayer: Readonly<Record<string, unknown>> = {};

const NOT_OVERRIDDEN = Symbol('not overridden');

/** The override of `name` in this async context, else in the process layer (a sentinel, not an object: read on every request). */
function overrideOf(name: string): unknown {
  const layer = overrides.getStore();
  if (layer !== undefined && Object.hasOwn(layer, name)) return layer[name];
  return Object.hasOwn(processLayer, name) ? processLayer[name] : NOT_OVERRIDDEN;
}

function current(name: string, from: Readonly<Record<string, unknown>>): unknown {
  const value = overrideOf(name);
  return value === NOT_OVERRIDDEN ? from[name] : value;
}

function read(name: string): unknown {
  if (installed === undefined) throw new SettingsNotConfiguredError(name);
  const value = current(name, installed);
  return name === 'STATIC_URL' || name === 'MEDIA_URL' ? withScriptPrefix(value) : value;
}

/**
 * A relative STATIC_URL or MEDIA_URL ('static/', as new projects write it) read as a path
 * under the script prefix ('/static/'), as Django reads it; absolute paths and URLs as given.
 */
function withScriptPrefix(value: unknown): unknown {
  if (typeof value !== 'string' || value === '' || value.startsWith('/') || /^https?:\/\//.test(value)) return value;
  return `${getScriptPrefix()}${value}`;
}

const control: SettingsControl = {
  get configured() {
    return installed !== undefined;
  },
  isOverridden(name: string) {
    return overrideOf(name) !== NOT_OVERRIDDEN;
  },
};

/**
 * The project's settings. Reading one before `configure()`/`setup()` throws
 * SettingsNotConfiguredError; a setting the project never set and Nuages has
 * no default for reads as `undefined`. Assigning is refused: use
 * `overrideSettings()`.
 *
 * ```ts
 * import { settings } from 'nuages/conf';
 * if (settings.DEBUG) console.log(settings.DATABASES.default?.NAME);
 * ```
 */
export const settings = new Proxy(control, {
  get(target, property, receiver) {
    if (typeof property === 'string' && isSettingName(property)) return read(property);
    return Reflect.get(target, property, receiver);
  },
  has(target, property) {
    if (typeof property === 'string' && isSettingName(property)) {
      if (installed === undefined) return false;
      return overrideOf(property) !== NOT_OVERRIDDEN || Object.hasOwn(installed, property);
    }
    return Reflect.has(target, property);
  },
  set(_target, property) {
    throw new TypeError(
      `Cannot assign settings.${String(property)}: settings are read-only once configured. ` +
        'Use overrideSettings({ ... }, fn) in tests.',
    );
  },
}) as unknown as Readonly<Settings> & SettingsControl;

/**
 * The value of setting `name` (overrides applied), or `fallback` when settings are
 * not configured or the setting is unset. The same answer as reading `settings[name]`
 * with those two cases caught, without the proxy: for code that runs on every request.
 */
export function settingOr<T>(name: string, fallback: T): T {
  if (installed === undefined) return fallback;
  const value = current(name, installed);
  return value === undefined ? fallback : (value as T);
}

/**
 * Install settings synchronously (scripts, tests). Defaults are merged in and
 * the values validated.
 *
 * @throws InvalidSettingError for a bad value; SettingsAlreadyConfiguredError
 *   when settings are already installed (see `resetSettings()`).
 */
export function configure(input: SettingsInput): Readonly<DefinedSettings> {
  if (installed !== undefined) throw new SettingsAlreadyConfiguredError();
  const defined = defineSettings(input);
  validateSettings(defined);
  installed = Object.freeze(defined);
  setDefaultTimeZone(String(installed.TIME_ZONE));
  return installed as Readonly<DefinedSettings>;
}

/**
 * Every installed setting with the overrides of the current async context
 * applied, as a plain object (the debug page lists them, secrets masked).
 * Empty when settings are not configured.
 */
export function settingsSnapshot(): Readonly<Record<string, unknown>> {
  if (installed === undefined) return {};
  return { ...installed, ...processLayer, ...overrides.getStore() };
}

/** Forget the installed settings (and process-wide overrides) so a test can `configure()` again. */
export function resetSettings(): void {
  installed = undefined;
  processLayers.length = 0;
  processLayer = {};
}

/** Options of `setup()`. */
export interface SetupOptions {
  /**
   * Path or file URL of the settings module; defaults to
   * `process.env.NUAGES_SETTINGS_MODULE`. Ignored when settings were
   * already installed with `configure()`.
   */
  settingsModule?: string;
}

/**
 * Load settings (unless `configure()` already ran), then populate the app
 * registry from INSTALLED_APPS. The one call a script or server makes before
 * touching models. It also loads the cache's model-aware invalidation, so
 * committed ORM writes outdate cached values that depend on the model.
 *
 * ```ts
 * process.env.NUAGES_SETTINGS_MODULE ??= './settings.ts';
 * await setup();
 * ```
 *
 * @throws ImproperlyConfigured when there is no settings module to load;
 *   SettingsModuleError when it cannot be imported.
 */
export async function setup(options: SetupOptions = {}): Promise<void> {
  if (installed === undefined) {
    const spec = options.settingsModule ?? process.env['NUAGES_SETTINGS_MODULE'];
    if (!spec) {
      throw new ImproperlyConfigured(
        'setup() found no settings: set the NUAGES_SETTINGS_MODULE environment variable to the ' +
          'path of your settings file (e.g. ./settings.ts), pass setup({ settingsModule }), or ' +
          'call configure({...}) first.',
      );
    }
    configureFromModule(await loadSettingsModule(spec));
  }
  // Every process setup() starts (servers, commands, scripts) invalidates cached values on
  // the models it writes, even if it never imports nuages/cache; dynamic, as cache builds on conf.
  await import('../cache/invalidation.ts');
  const s = settings;
  // LOGGING, when the project sets it, routes every logger (over Django's defaults);
  // dynamic, as logging's mail handler builds on conf. `serve` configures it always.
  if (s.LOGGING && Object.keys(s.LOGGING).length > 0) (await import('../utils/log-config.ts')).configureLoggingFromSettings();
  await apps.populate(s.INSTALLED_APPS, { baseDir: s.BASE_DIR });
}

interface LoadedSettings {
  readonly values: Record<string, unknown>;
  readonly file: string;
}

/**
 * Import a settings module: a path (relative to the cwd), a file URL, or a
 * dotted name ('mysite.settings' → mysite/settings.ts). Its default export is
 * used when present, otherwise its UPPER_CASE named exports.
 */
export async function loadSettingsModule(spec: string): Promise<LoadedSettings> {
  const file = locateSettingsFile(spec);
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new SettingsModuleError(
      `Could not import the settings module ${file} (from '${spec}'): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const fallback = exports['default'];
  if (fallback !== undefined) {
    if (fallback === null || typeof fallback !== 'object') {
      throw new SettingsModuleError(
        `The settings module ${file} default-exports ${typeof fallback}; export ` +
          'defineSettings({...}) instead.',
      );
    }
    return { values: fallback as Record<string, unknown>, file };
  }
  const values = Object.fromEntries(Object.entries(exports).filter(([name]) => isSettingName(name)));
  if (Object.keys(values).length === 0) {
    throw new SettingsModuleError(
      `The settings module ${file} exports no settings. Default-export defineSettings({...}) ` +
        'or export UPPER_CASE constants.',
    );
  }
  return { values, file };
}

function configureFromModule({ values, file }: LoadedSettings): void {
  // A project's settings.ts sits at its root, so that is where its apps live.
  const withBase = isDefaulted(values, 'BASE_DIR') ? { ...values, BASE_DIR: dirname(file) } : values;
  configure(withBase as SettingsInput);
}

function locateSettingsFile(spec: string): string {
  const path = spec.startsWith('file:') ? fileURLToPath(spec) : resolvePath(spec);
  const candidates = [path, `${path}.ts`, `${path}.js`];
  if (/^[\w.]+$/.test(spec) && spec.includes('.')) {
    candidates.push(`${resolvePath(spec.replaceAll('.', '/'))}.ts`, `${resolvePath(spec.replaceAll('.', '/'))}.js`);
  }
  const found = candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
  if (found === undefined) {
    throw new SettingsModuleError(
      `The settings module '${spec}' was not found (looked for ${candidates.join(', ')}). ` +
        'Check NUAGES_SETTINGS_MODULE or --settings; a relative path is resolved from the current directory.',
    );
  }
  return found;
}

/**
 * Run `fn` with some settings replaced, then restore them, even when `fn`
 * throws. The replacement is visible only in `fn`'s async context, so
 * concurrent tests do not see each other's overrides. `settingChanged` is
 * sent for each setting on entry and again (with the restored value) on exit.
 *
 * ```ts
 * await overrideSettings({ DEBUG: true }, async () => {
 *   assert.equal(settings.DEBUG, true);
 * });
 * ```
 */
export async function overrideSettings<R>(patch: SettingsInput, fn: () => R | Promise<R>): Promise<Awaited<R>> {
  if (installed === undefined) throw new SettingsNotConfiguredError(Object.keys(patch)[0] ?? '(any)');
  for (const name of Object.keys(patch)) checkSettingName(name);
  const parent = overrides.getStore();
  const layer = Object.freeze({ ...parent, ...patch });
  const names = Object.keys(patch);
  try {
    return await overrides.run(layer, async () => {
      for (const setting of names) {
        await settingChanged.send(settings, { setting, value: read(setting), enter: true });
      }
      return await fn();
    });
  } finally {
    // Back in the caller's context, so receivers see the restored values.
    for (const setting of names) {
      await settingChanged.send(settings, { setting, value: read(setting), enter: false });
    }
  }
}

/** A process-wide override in place; hand it back to `popProcessSettings()`. */
export interface ProcessSettingsLayer {
  readonly patch: Readonly<Record<string, unknown>>;
}

function sendChanged(names: readonly string[], enter: boolean): Promise<unknown> {
  return names.reduce<Promise<unknown>>(
    (previous, setting) => previous.then(() => settingChanged.send(settings, { setting, value: read(setting), enter })),
    Promise.resolve(),
  );
}

/**
 * Replace some settings for every async context until `popProcessSettings()`, under
 * any `overrideSettings()` active (those still win where they overlap). For test
 * hooks, whose before/after run outside the tests' async contexts; a test body
 * should prefer `overrideSettings()`, which concurrent tests do not see.
 * `settingChanged` is sent for each setting.
 */
export async function pushProcessSettings(patch: SettingsInput): Promise<ProcessSettingsLayer> {
  if (installed === undefined) throw new SettingsNotConfiguredError(Object.keys(patch)[0] ?? '(any)');
  for (const name of Object.keys(patch)) checkSettingName(name);
  const layer: ProcessSettingsLayer = { patch: Object.freeze({ ...patch }) };
  processLayers.push(layer.patch);
  processLayer = Object.freeze(Object.assign({}, ...processLayers));
  await sendChanged(Object.keys(patch), true);
  return layer;
}

/**
 * Remove a layer `pushProcessSettings()` added (layers above it stay), then send
 * `settingChanged` with the values now in force. Removing it twice does nothing.
 */
export async function popProcessSettings(layer: ProcessSettingsLayer): Promise<void> {
  const at = processLayers.lastIndexOf(layer.patch);
  if (at === -1) return;
  processLayers.splice(at, 1);
  processLayer = Object.freeze(Object.assign({}, ...processLayers));
  if (installed !== undefined) await sendChanged(Object.keys(layer.patch), false);
}

/**
 * The app registry: which apps are installed, and which models each provides.
 *
 * populate(INSTALLED_APPS) → for each app, in order: resolve the folder, import
 * its apps.ts (an AppConfig) → then import every app's models.ts and register
 * the model classes it exports → then call every AppConfig.ready() in order.
 *
 * The registry imports nothing from the ORM: a model is any class carrying
 * `static [MODEL_MARKER] = true`, which the ORM's Model base class sets. That
 * keeps conf/ below db/ and lets tests register stand-in classes.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AppLookupError,
  AppNotFoundError,
  AppRegistryNotReady,
  ConflictingModelsError,
  DuplicateAppLabelError,
  InvalidAppConfigError,
  ModelLookupError,
  PopulateReentrantError,
} from './errors.ts';

/** Marks a class as a concrete model to register: `static [MODEL_MARKER] = true`. */
export const MODEL_MARKER: unique symbol = Symbol.for('nuages.model') as never;

/**
 * A model class's place in the order models were defined: a module's exports list
 * alphabetically, so an app's models are registered by this to keep the order of
 * models.ts, as Django's are.
 */
export const MODEL_ORDER: unique symbol = Symbol.for('nuages.model.order') as never;

/** What the registry needs from a model class: a constructor with a name. */
export type ModelClass = abstract new (...args: never[]) => unknown;

/** A reference to a model not yet registered, as listed by `pendingReferences()`. */
export interface PendingReference {
  /** The reference as written ('catalog.Book', or 'Book' with fromApp). */
  readonly ref: string;
  readonly appLabel: string;
  readonly modelName: string;
  readonly fromApp: string | undefined;
  /** Who asked, e.g. "the field orders.Order.book", for check messages. */
  readonly description: string | undefined;
}

/** Options of `lazyModel()`. */
export interface LazyModelOptions {
  /** The app a bare 'Model' reference belongs to. */
  fromApp?: string;
  /** Who holds the reference, shown by `check` when it never resolves. */
  description?: string;
}

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
const LABEL_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An installed app. Subclass it in the app's `apps.ts` to change its label or
 * verbose name, or to run start-up code in `ready()`:
 *
 * ```ts
 * // catalog/apps.ts
 * import { AppConfig } from 'nuages/conf';
 * export default class CatalogConfig extends AppConfig {
 *   override label = 'shop';
 *   override verboseName = 'Book catalogue';
 *   override async ready() { await import('./signals.ts'); }
 * }
 * ```
 */
export class AppConfig {
  /** The INSTALLED_APPS entry, without a leading './' ('catalog', 'nuages/contrib/auth'). */
  name: string;
  /** Short unique name used in 'label.Model' references and table names. */
  label: string;
  /** Human-readable name; defaults to the label in title case. */
  verboseName = '';
  /** Absolute path of the app's folder. */
  path: string;
  /** Overrides DEFAULT_AUTO_FIELD for this app's models. */
  defaultAutoField: string | undefined = undefined;
  /** The registry the app belongs to; set when it is installed. */
  apps: Apps | undefined = undefined;

  constructor(name = '', path = '') {
    this.name = name;
    this.path = path;
    this.label = lastSegment(name);
  }

  /** Runs once, after every installed app's models are registered. May be async. */
  ready(): void | Promise<void> {}

  /** The models registered under this app's label, in registration order. */
  getModels(): ModelClass[] {
    return this.apps ? this.apps.getModels(this.label) : [];
  }

  /** One of this app's models, by case-insensitive name. */
  getModel<M extends ModelClass = ModelClass>(modelName: string): M {
    if (!this.apps) throw new AppRegistryNotReady(`App '${this.label}' is not installed in a registry.`);
    return this.apps.getModel<M>(this.label, modelName);
  }
}

interface Pending {
  readonly info: PendingReference;
  readonly callback: (model: ModelClass) => void;
}

// Tells populate() whether it is being called from inside its own run
// (an app's import or ready()), which would deadlock if it simply awaited itself.
const populating = new AsyncLocalStorage<Apps>();

/**
 * A registry of installed apps and their models. `apps` is the project's;
 * other instances serve isolated needs (e.g. historical models in migrations).
 */
export class Apps {
  #configs = new Map<string, AppConfig>();
  #models = new Map<string, Map<string, ModelClass>>();
  #labelOf = new WeakMap<ModelClass, string>();
  #pending = new Map<string, Pending[]>();
  #appsReady = false;
  #modelsReady = false;
  #ready = false;
  #inFlight: Promise<void> | undefined;

  /** True once every app is imported, its models registered and its ready() run. */
  get ready(): boolean {
    return this.#ready;
  }

  /** True once every AppConfig is created (before models are imported). */
  get appsReady(): boolean {
    return this.#appsReady;
  }

  /** True once every app's models.ts has been imported. */
  get modelsReady(): boolean {
    return this.#modelsReady;
  }

  /**
   * Import the apps, register their models and run their `ready()` hooks.
   * Does nothing once done; concurrent calls share one run.
   *
   * An entry is a folder relative to `baseDir` ('catalog', './catalog') or a
   * package specifier ('nuages/contrib/auth').
   *
   * @throws AppNotFoundError, DuplicateAppLabelError, InvalidAppConfigError;
   *   PopulateReentrantError when called from an app's own import or ready().
   */
  async populate(installedApps: readonly string[], options: { baseDir?: string } = {}): Promise<void> {
    if (this.#ready) return;
    if (populating.getStore() === this) throw new PopulateReentrantError();
    if (this.#inFlight) return this.#inFlight;
    const baseDir = options.baseDir ?? process.cwd();
    this.#inFlight = populating.run(this, () => this.#populate(installedApps, baseDir));
    try {
      await this.#inFlight;
    } catch (error) {
      // Leave the registry retryable: forget half-installed apps, keep models.
      this.#configs.clear();
      this.#appsReady = false;
      this.#modelsReady = false;
      throw error;
    } finally {
      this.#inFlight = undefined;
    }
  }

  async #populate(installedApps: readonly string[], baseDir: string): Promise<void> {
    for (const entry of installedApps) {
      const config = await this.#loadConfig(entry, baseDir);
      const clash = this.#configs.get(config.label);
      if (clash) throw new DuplicateAppLabelError(config.label, clash.name, config.name);
      config.apps = this;
      this.#configs.set(config.label, config);
    }
    this.#appsReady = true;

    for (const config of this.#configs.values()) {
      const file = findModule(config.path, 'models');
      if (!file) continue;
      const exports: Record<string, unknown> = await import(pathToFileURL(file).href);
      for (const value of Object.values(exports).filter(isConcreteModel).sort(byDefinition)) {
        // A models.ts may re-export another app's model; it belongs to that app.
        const own = ownAppLabel(value);
        if (own === undefined && this.#labelOf.has(value)) continue;
        this.register(own ?? config.label, value);
      }
    }
    this.#modelsReady = true;

    for (const config of this.#configs.values()) await config.ready();
    this.#ready = true;
  }

  async #loadConfig(entry: string, baseDir: string): Promise<AppConfig> {
    const name = entry.replace(/^\.\//, '').replace(/\/+$/, '');
    const folder = resolveAppFolder(entry, name, baseDir);
    const file = findModule(folder, 'apps');
    let config: AppConfig;
    if (file) {
      const exported: unknown = (await import(pathToFileURL(file).href)).default;
      if (typeof exported === 'function' && exported.prototype instanceof AppConfig) {
        config = new (exported as new (name: string, path: string) => AppConfig)(name, folder);
      } else if (exported instanceof AppConfig) {
        config = exported;
        config.name ||= name;
        config.path ||= folder;
        config.label ||= lastSegment(config.name);
      } else if (exported === AppConfig || exported === undefined) {
        // Like Django, an apps module without a config of its own means the default one.
        config = new AppConfig(name, folder);
      } else {
        throw new InvalidAppConfigError(
          `${file} must default-export an AppConfig subclass (export default class ` +
            `extends AppConfig { ... }), but its default export is ${typeof exported}.`,
        );
      }
    } else {
      config = new AppConfig(name, folder);
    }
    if (!LABEL_PATTERN.test(config.label)) {
      throw new InvalidAppConfigError(
        `The app label '${config.label}' of '${name}' is not a valid identifier (letters, ` +
          `digits and _). Set one in ${join(folder, 'apps.ts')}: export default class ` +
          `extends AppConfig { override label = '${config.label.replace(/\W/g, '_')}' }.`,
      );
    }
    config.verboseName ||= titleCase(config.label);
    return config;
  }

  /**
   * Register a model class under an app label (key `label.modelname`,
   * lower-cased model name). Registering the same class again does nothing;
   * another class under the same key throws ConflictingModelsError. Runs the
   * lazyModel() callbacks waiting for it.
   */
  register(appLabel: string, model: ModelClass): void {
    const modelName = model.name;
    if (!modelName) {
      throw new ConflictingModelsError(
        `A model registered under '${appLabel}' has no class name. Declare it as a named class.`,
      );
    }
    const lower = modelName.toLowerCase();
    let models = this.#models.get(appLabel);
    if (!models) this.#models.set(appLabel, (models = new Map()));
    const existing = models.get(lower);
    if (existing === model) return;
    if (existing) {
      throw new ConflictingModelsError(
        `Conflicting '${lower}' models in application '${appLabel}': ${existing.name} is ` +
          `already registered. Rename one of the classes or give it another app label.`,
      );
    }
    models.set(lower, model);
    this.#labelOf.set(model, appLabel);

    const key = `${appLabel}.${lower}`;
    const waiting = this.#pending.get(key);
    if (waiting) {
      // Delete first: a callback may register further models, which may look here again.
      this.#pending.delete(key);
      for (const pending of waiting) pending.callback(model);
    }
  }

  /**
   * Run `callback` with the model `ref` names: now if it is registered,
   * otherwise as soon as it is. `ref` is 'app.Model', or 'Model' with
   * `fromApp`. References still waiting show in `pendingReferences()`.
   */
  lazyModel(ref: string, callback: (model: ModelClass) => void, options: LazyModelOptions = {}): void {
    const { appLabel, modelName } = splitRef(ref, options.fromApp);
    const model = this.#models.get(appLabel)?.get(modelName.toLowerCase());
    if (model) {
      callback(model);
      return;
    }
    const key = `${appLabel}.${modelName.toLowerCase()}`;
    const list = this.#pending.get(key) ?? [];
    list.push({
      info: { ref, appLabel, modelName, fromApp: options.fromApp, description: options.description },
      callback,
    });
    this.#pending.set(key, list);
  }

  /** References passed to `lazyModel()` whose model was never registered. */
  pendingReferences(): PendingReference[] {
    return [...this.#pending.values()].flat().map((p) => p.info);
  }

  /**
   * A model by 'app.Model' or by (app label, model name); the model name is
   * case-insensitive.
   *
   * @throws AppLookupError for an unknown label, ModelLookupError (listing
   *   the app's models) for an unknown model.
   */
  getModel<M extends ModelClass = ModelClass>(appLabelOrRef: string, modelName?: string): M {
    let label = appLabelOrRef;
    let name = modelName;
    if (name === undefined) {
      const parts = appLabelOrRef.split('.');
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        throw new ModelLookupError(
          `'${appLabelOrRef}' is not a model reference. Write it as 'app_label.ModelName'.`,
        );
      }
      [label, name] = parts as [string, string];
    }
    const models = this.#modelsOf(label);
    const model = models.get(name.toLowerCase());
    if (!model) {
      const known = [...models.values()].map((m) => m.name);
      throw new ModelLookupError(
        `App '${label}' doesn't have a '${name}' model. ` +
          (known.length ? `Its models are: ${known.join(', ')}.` : 'It has no models.'),
      );
    }
    return model as M;
  }

  /** Every registered model, or those of one app, in registration order. */
  getModels(appLabel?: string): ModelClass[] {
    if (appLabel !== undefined) return [...this.#modelsOf(appLabel).values()];
    return [...this.#models.values()].flatMap((models) => [...models.values()]);
  }

  /** The AppConfig with this label. */
  getAppConfig(label: string): AppConfig {
    const config = this.#configs.get(label);
    if (config) return config;
    if (!this.#appsReady) {
      throw new AppRegistryNotReady(
        `Apps aren't loaded yet, so there is no app '${label}'. Call \`await setup()\` first.`,
      );
    }
    throw new AppLookupError(`No installed app with label '${label}'.${this.#listLabels()}`);
  }

  /** The AppConfig with this label, or undefined (for models defined outside an installed app). */
  findAppConfig(label: string): AppConfig | undefined {
    return this.#configs.get(label);
  }

  /** Every installed AppConfig, in INSTALLED_APPS order. */
  getAppConfigs(): AppConfig[] {
    return [...this.#configs.values()];
  }

  /** The label a model class was registered under, or undefined. */
  appLabelOf(model: ModelClass): string | undefined {
    return this.#labelOf.get(model);
  }

  /** Whether an app with this name ('catalog', './catalog', 'nuages/contrib/auth') is installed. */
  isInstalled(name: string): boolean {
    const wanted = name.replace(/^\.\//, '').replace(/\/+$/, '');
    for (const config of this.#configs.values()) if (config.name === wanted) return true;
    return false;
  }

  /** Forget every app, model and pending reference (for tests). */
  clear(): void {
    this.#configs.clear();
    this.#models.clear();
    this.#labelOf = new WeakMap();
    this.#pending.clear();
    this.#appsReady = this.#modelsReady = this.#ready = false;
  }

  #modelsOf(label: string): Map<string, ModelClass> {
    const models = this.#models.get(label);
    if (models) return models;
    if (this.#configs.has(label)) return new Map();
    throw new AppLookupError(`No installed app with label '${label}'.${this.#listLabels()}`);
  }

  #listLabels(): string {
    const labels = new Set([...this.#configs.keys(), ...this.#models.keys()]);
    return labels.size
      ? ` Installed labels: ${[...labels].join(', ')}.`
      : ' No apps are installed; check INSTALLED_APPS.';
  }
}

/** The project's app registry. */
export const apps = new Apps();

function resolveAppFolder(entry: string, name: string, baseDir: string): string {
  const folder = resolvePath(baseDir, name);
  if (isDirectory(folder)) return folder;
  const relative = entry.startsWith('.') || entry.startsWith('/') || entry.startsWith(sep);
  if (!relative) {
    try {
      return dirname(fileURLToPath(import.meta.resolve(entry)));
    } catch {
      // Fall through to the error naming both places looked at.
    }
  }
  throw new AppNotFoundError(
    `INSTALLED_APPS lists '${entry}', but there is no folder ${folder}` +
      (relative ? '' : ` and no package '${entry}' can be imported`) +
      (relative ? '. Fix the entry or create the folder.' : '. Fix the entry, create the folder, or install the package (npm install).'),
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function findModule(folder: string, base: string): string | undefined {
  for (const ext of MODULE_EXTENSIONS) {
    const file = join(folder, base + ext);
    if (existsSync(file)) return file;
  }
  return undefined;
}

function isConcreteModel(value: unknown): value is ModelClass {
  if (typeof value !== 'function') return false;
  const marked = value as unknown as Record<PropertyKey, unknown>;
  return marked[MODEL_MARKER] === true && !marked['abstract'];
}

function byDefinition(a: ModelClass, b: ModelClass): number {
  const order = (model: ModelClass): number => Number((model as unknown as Record<PropertyKey, unknown>)[MODEL_ORDER] ?? 0);
  return order(a) - order(b);
}

function ownAppLabel(model: ModelClass): string | undefined {
  const label = Object.hasOwn(model, 'appLabel') ? (model as { appLabel?: unknown }).appLabel : undefined;
  return typeof label === 'string' && label !== '' ? label : undefined;
}

function splitRef(ref: string, fromApp: string | undefined): { appLabel: string; modelName: string } {
  const parts = ref.split('.');
  if (parts.length === 2 && parts[0] && parts[1]) return { appLabel: parts[0], modelName: parts[1] };
  if (parts.length === 1 && ref && fromApp) return { appLabel: fromApp, modelName: ref };
  throw new ModelLookupError(
    `'${ref}' is not a model reference. Write 'app_label.ModelName'` +
      (parts.length === 1 ? ", or pass { fromApp } for a model of the same app." : '.'),
  );
}

function lastSegment(name: string): string {
  const parts = name.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

function titleCase(label: string): string {
  // Python's str.title(), which Django uses for the default verbose name.
  return label.replace(/[A-Za-z]+/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase());
}

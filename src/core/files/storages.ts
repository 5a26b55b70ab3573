/**
 * STORAGES: named storages from settings (Django's StorageHandler) and the
 * default one.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { StorageSettings } from '../../conf/settings.ts';
import { InvalidStorageError } from './errors.ts';
import { FileSystemStorage } from './filesystem.ts';
import type { Storage } from './storage.ts';

/** The alias FileFields use unless told otherwise. */
export const DEFAULT_STORAGE_ALIAS = 'default';
/** The alias static files use. */
export const STATICFILES_STORAGE_ALIAS = 'staticfiles';

export type { StorageSettings };

/** Django 5.2's default STORAGES, with Nuages's short backend names. */
export function defaultStoragesSetting(): Record<string, StorageSettings> {
  return { default: { BACKEND: 'filesystem' }, staticfiles: { BACKEND: 'staticfiles' } };
}

const BUILTIN: Record<string, (options: Record<string, unknown>) => Storage> = {
  filesystem: (options) => new FileSystemStorage(options),
  'django.core.files.storage.FileSystemStorage': (options) => new FileSystemStorage(options),
  // Static files are a file-system storage under STATIC_ROOT served at STATIC_URL.
  staticfiles: (options) =>
    new FileSystemStorage({
      location: settingOr<string | null>('STATIC_ROOT', null) ?? '',
      baseUrl: settingOr<string | null>('STATIC_URL', null),
      ...options,
    }),
  // The manifest storage is the same folder; collectstatic and {% static %} add the hashed
  // names (src/contrib/staticfiles). Its own OPTIONS (compress, manifest_strict) are not the folder's.
  manifest: (options) => BUILTIN['staticfiles']!(withoutManifestOptions(options)),
  'django.contrib.staticfiles.storage.ManifestStaticFilesStorage': (options) => BUILTIN['staticfiles']!(withoutManifestOptions(options)),
};

function withoutManifestOptions(options: Record<string, unknown>): Record<string, unknown> {
  const { compress: _compress, manifest_strict: _strict, ...rest } = options;
  return rest;
}

// Keyed by the STORAGES object, then by the settings the staticfiles backend is built from, so
// an overrideSettings() of STORAGES, STATIC_ROOT or STATIC_URL gets its own storages at once
// (Django resets them on setting_changed) while concurrent tests keep theirs.
const built = new WeakMap<object, Map<string, Map<string, Storage>>>();

function cacheFor(configured: Record<string, StorageSettings>): Map<string, Storage> {
  const variant = `${settingOr<string | null>('STATIC_ROOT', null)}|${settingOr<string | null>('STATIC_URL', null)}`;
  let variants = built.get(configured);
  if (variants === undefined) built.set(configured, (variants = new Map()));
  let cache = variants.get(variant);
  if (cache === undefined) variants.set(variant, (cache = new Map()));
  return cache;
}

/**
 * The storage configured under `alias` in STORAGES, built once per STORAGES, STATIC_ROOT and STATIC_URL.
 *
 * @throws InvalidStorageError for an alias STORAGES lacks or a BACKEND that is not
 *   a built-in name or a Storage class.
 *
 * ```ts
 * const media = storages('default');
 * ```
 */
export function storages(alias: string = DEFAULT_STORAGE_ALIAS): Storage {
  const configured = settingOr<Record<string, StorageSettings>>('STORAGES', defaultStoragesSetting());
  const cache = cacheFor(configured);
  const found = cache.get(alias);
  if (found) return found;
  const entry = configured[alias];
  if (!entry) {
    throw new InvalidStorageError(
      `Could not find config for '${alias}' in settings.STORAGES. Add an entry such as ${alias}: { BACKEND: 'filesystem' }.`,
    );
  }
  const options = entry.OPTIONS ?? {};
  let storage: Storage;
  if (typeof entry.BACKEND === 'function') {
    storage = new entry.BACKEND(options) as Storage;
  } else {
    const build = BUILTIN[entry.BACKEND];
    if (!build) {
      throw new InvalidStorageError(
        `STORAGES['${alias}'].BACKEND '${entry.BACKEND}' is not a built-in storage (${Object.keys(BUILTIN).join(', ')}); ` +
          'pass the Storage class itself for your own.',
      );
    }
    storage = build(options);
  }
  cache.set(alias, storage);
  return storage;
}

/**
 * The default storage (STORAGES.default), as Django's default_storage.
 *
 * ```ts
 * const name = await defaultStorage().save('notes/a.txt', 'hello');
 * ```
 */
export function defaultStorage(): Storage {
  return storages(DEFAULT_STORAGE_ALIAS);
}

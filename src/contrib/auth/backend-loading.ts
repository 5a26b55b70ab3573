/**
 * AUTHENTICATION_BACKENDS → backend instances, loaded once per value of the setting (an
 * `overrideSettings()` in a test gets its own). Entries are 'module#Export' strings as in
 * MIDDLEWARE, or Django's dotted names, which name the same Nuages classes.
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import { dottedToImportString, importSettingEntry } from '../../utils/module-loading.ts';
import type { BaseBackend } from './backends.ts';

/** The default of AUTHENTICATION_BACKENDS. */
export const DEFAULT_AUTHENTICATION_BACKENDS: readonly string[] = Object.freeze(['nuages/contrib/auth/backends#ModelBackend']);

/** An AUTHENTICATION_BACKENDS entry cannot be imported or is not a backend class. */
export class BackendImportError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_AUTH_BACKEND_IMPORT';
}

/** A loaded backend and the path it was loaded from (what `user.backend` records). */
export interface LoadedBackend {
  readonly backend: BaseBackend;
  readonly path: string;
}

const loaded = new WeakMap<readonly string[], Promise<readonly LoadedBackend[]>>();

/**
 * The canonical form of a backend path, so a path stored by Django in a session
 * ('django.contrib.auth.backends.ModelBackend') compares equal to the setting's entry.
 */
export function normalizeBackendPath(path: string): string {
  return dottedToImportString(path);
}

/**
 * Imports the backend class `path` names and returns a new instance of it.
 *
 * @throws BackendImportError when the module cannot be imported or the export is not a class.
 */
export async function loadBackend(path: string): Promise<BaseBackend> {
  const Backend = await importSettingEntry({
    setting: 'AUTHENTICATION_BACKENDS',
    spec: normalizeBackendPath(path),
    example: 'nuages/contrib/auth/backends#ModelBackend',
    kind: 'a backend class',
    error: BackendImportError,
  });
  return new (Backend as new () => BaseBackend)();
}

/**
 * The backends of AUTHENTICATION_BACKENDS, in order, each with its path.
 *
 * @throws ImproperlyConfigured when the setting is empty; BackendImportError for a bad entry.
 */
export function getBackends(): Promise<readonly LoadedBackend[]> {
  const paths = settingOr<readonly string[]>('AUTHENTICATION_BACKENDS', DEFAULT_AUTHENTICATION_BACKENDS);
  let backends = loaded.get(paths);
  if (backends === undefined) {
    if (!Array.isArray(paths) || paths.length === 0) {
      return Promise.reject(
        new ImproperlyConfigured(
          'No authentication backends have been defined. Does AUTHENTICATION_BACKENDS contain anything? ' +
            "The usual value is ['nuages/contrib/auth/backends#ModelBackend'].",
        ),
      );
    }
    backends = Promise.all(paths.map(async (path) => ({ backend: await loadBackend(path), path })));
    // A failed import is not cached: fixing the module and retrying works in a long-lived process.
    backends.catch(() => loaded.delete(paths));
    loaded.set(paths, backends);
  }
  return backends;
}

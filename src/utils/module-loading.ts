/**
 * Settings that name code by a string (MIDDLEWARE, AUTHENTICATION_BACKENDS) use one form:
 * `'module#ExportName'`, the default export without `#`. A module path starting with `.` or
 * `/` is a file resolved from BASE_DIR (extension and `/index` optional), anything else a
 * package specifier (`'nuages/middleware/common#CommonMiddleware'`). Django's dotted paths
 * are accepted where a setting keeps Django's values (`dottedToImportString()`).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { settingOr } from '../conf/lazy-settings.ts';

/** An import string split into its module and the export it names. */
export interface ImportSpec {
  readonly module: string;
  readonly exportName: string;
}

/** `'a/b#C'` → `{ module: 'a/b', exportName: 'C' }`; without `#`, the default export. */
export function parseImportString(spec: string): ImportSpec {
  const hash = spec.lastIndexOf('#');
  return hash === -1 ? { module: spec, exportName: 'default' } : { module: spec.slice(0, hash), exportName: spec.slice(hash + 1) };
}

/**
 * What `import()` takes for `module`: a file URL for a relative or absolute path (resolved
 * from BASE_DIR, trying `.ts`, `.js` and `/index`), the specifier itself otherwise.
 */
export function moduleTarget(module: string): string {
  if (!module.startsWith('.') && !isAbsolute(module)) return module;
  const base = resolvePath(settingOr('BASE_DIR', process.cwd()), module);
  const found = [base, `${base}.ts`, `${base}.js`, `${base}/index.ts`, `${base}/index.js`].find(
    (candidate) => existsSync(candidate) && !candidate.endsWith('/'),
  );
  return pathToFileURL(found ?? base).href;
}

/**
 * A Django dotted path as an import string: `'django.contrib.auth.backends.ModelBackend'` →
 * `'nuages/contrib/auth/backends#ModelBackend'` (Django's own modules are Nuages's), and a
 * project's `'accounts.backends.EmailBackend'` → `'./accounts/backends#EmailBackend'`.
 * Strings with a `/` or `#` are import strings already and come back unchanged.
 */
export function dottedToImportString(path: string): string {
  if (path.includes('/') || path.includes('#') || !path.includes('.')) return path;
  const parts = path.split('.');
  const exportName = parts.pop()!;
  const [root, ...rest] = parts;
  if (root === 'django' || root === 'nuages') return `nuages/${rest.join('/')}#${exportName}`;
  return `./${parts.join('/')}#${exportName}`;
}

/** What `importSettingEntry()` needs to name a bad entry and its fix. */
export interface SettingEntry {
  /** The setting the entry belongs to ('MIDDLEWARE'). */
  readonly setting: string;
  /** The entry as written. */
  readonly spec: string;
  /** A working entry to show in the message ('nuages/middleware/common#CommonMiddleware'). */
  readonly example: string;
  /** What the export must be, after "that is" ('a middleware', 'a class'). */
  readonly kind: string;
  /** The configuration error to throw. */
  readonly error: new (message: string, options?: ErrorOptions) => Error;
}

/**
 * The function (class or factory) a setting's import string names.
 *
 * @throws `entry.error` when the module cannot be imported or has no such function export;
 *   the message names the setting, the entry and the fix.
 */
export async function importSettingEntry(entry: SettingEntry): Promise<Function> {
  const { setting, spec, error: SettingError } = entry;
  const { module, exportName } = parseImportString(spec);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(moduleTarget(module))) as Record<string, unknown>;
  } catch (error) {
    throw new SettingError(
      `${setting} entry '${spec}' could not be imported (${(error as Error).message}). Write 'module#ExportName', ` +
        `e.g. '${entry.example}'; a relative path is resolved from BASE_DIR.`,
      { cause: error },
    );
  }
  const found = exports[exportName];
  if (typeof found !== 'function') {
    const names = Object.keys(exports).filter((name) => typeof exports[name] === 'function');
    throw new SettingError(
      `${setting} entry '${spec}': the module has no export '${exportName}' that is ${entry.kind}. ` +
        `Its function exports are: ${names.join(', ') || '(none)'}.`,
    );
  }
  return found;
}

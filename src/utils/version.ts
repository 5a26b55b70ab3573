/**
 * Nuages's own package: where it is installed and its version (Django's
 * `django.get_version()`), read from its package.json once.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder holding Nuages's package.json: the checkout, or the package a project installed. */
export const NUAGES_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The fields of Nuages's package.json that commands read. */
export interface NuagesPackageJson {
  readonly version: string;
  readonly devDependencies: Readonly<Record<string, string>>;
}

let packageJson: NuagesPackageJson | undefined;

/** Nuages's package.json, parsed on the first call. */
export function nuagesPackageJson(): NuagesPackageJson {
  packageJson ??= JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as NuagesPackageJson;
  return packageJson;
}

/** The running Nuages's version, e.g. '0.1.0' (`nuages version`, runserver's banner). */
export function getVersion(): string {
  return nuagesPackageJson().version;
}

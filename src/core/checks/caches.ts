/**
 * Cache checks (Django 5.2's django.core.checks.caches), tag `caches`: a
 * 'default' cache exists (caches.E001), file-based caches use absolute paths
 * (W003), and, for deployment, no file-based cache lives in, contains or is a
 * folder the web server publishes (MEDIA_ROOT, STATIC_ROOT, STATICFILES_DIRS; W002).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { settingOr } from '../../conf/lazy-settings.ts';
import type { CacheSettings } from '../../conf/settings.ts';
import { FileBasedCache } from '../../cache/backends/filebased.ts';
import { CheckError, CheckWarning, type CheckMessage } from './messages.ts';
import { registerCheck, Tags } from './registry.ts';

const FILE_BACKENDS = new Set(['filebased', 'django.core.cache.backends.filebased.FileBasedCache']);

function caches(): Record<string, CacheSettings> {
  return settingOr<Record<string, CacheSettings>>('CACHES', {});
}

function isFileBased(entry: CacheSettings): boolean {
  const backend = entry.BACKEND;
  if (typeof backend === 'function') return backend === FileBasedCache || backend.prototype instanceof FileBasedCache;
  return FILE_BACKENDS.has(backend);
}

/** The folder of each file-based cache, by alias. */
function fileCaches(): Array<[alias: string, location: string]> {
  return Object.entries(caches()).flatMap(([alias, entry]) =>
    isFileBased(entry) && typeof entry.LOCATION === 'string' ? [[alias, entry.LOCATION] as [string, string]] : [],
  );
}

/** caches.E001: no 'default' cache. */
export function checkDefaultCacheIsConfigured(): CheckMessage[] {
  if ('default' in caches()) return [];
  return [new CheckError("You must define a 'default' cache in your CACHES setting.", { id: 'caches.E001' })];
}

/** caches.W003: a relative LOCATION moves with the directory the server starts in. */
export function checkFileBasedCacheIsAbsolute(): CheckMessage[] {
  return fileCaches()
    .filter(([, location]) => !isAbsolute(location))
    .map(([alias]) => new CheckWarning(`Your '${alias}' cache LOCATION path is relative. Use an absolute path instead.`, { id: 'caches.W003' }));
}

function isInside(child: string, parent: string): boolean {
  const path = relative(parent, child);
  return path !== '' && !path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path);
}

/** caches.W002: a file cache inside (or around) a published folder can be read by anyone, or deleted by collectstatic. */
export function checkCacheLocationNotExposed(): CheckMessage[] {
  const messages: CheckMessage[] = [];
  for (const name of ['MEDIA_ROOT', 'STATIC_ROOT', 'STATICFILES_DIRS']) {
    const value = settingOr<unknown>(name, null);
    if (!value || (Array.isArray(value) && value.length === 0)) continue;
    const entries = Array.isArray(value) ? value : [value];
    // A STATICFILES_DIRS entry may be [prefix, path].
    const paths = entries.map((entry) => resolve(String(Array.isArray(entry) ? entry[1] : entry)));
    for (const [alias, location] of fileCaches()) {
      const cachePath = resolve(location);
      let relation: string | undefined;
      if (paths.some((path) => path === cachePath)) relation = 'matches';
      else if (paths.some((path) => isInside(cachePath, path))) relation = 'is inside';
      else if (paths.some((path) => isInside(path, cachePath))) relation = 'contains';
      if (relation === undefined) continue;
      messages.push(
        new CheckWarning(
          `Your '${alias}' cache configuration might expose your cache or lead to corruption of your data because its LOCATION ${relation} ${name}.`,
          { id: 'caches.W002' },
        ),
      );
    }
  }
  return messages;
}

registerCheck(checkDefaultCacheIsConfigured, { tags: [Tags.caches] });
registerCheck(checkCacheLocationNotExposed, { tags: [Tags.caches], deploy: true });
registerCheck(checkFileBasedCacheIsAbsolute, { tags: [Tags.caches] });

/**
 * `{% static %}` through the manifest: with ManifestStaticFilesStorage and
 * DEBUG off, `{% static 'css/site.css' %}` is STATIC_URL + the hashed name
 * from staticfiles.json. With DEBUG on Django serves unhashed names, and so
 * does this.
 */
import { settingOr, settings } from '../../conf/lazy-settings.ts';
import { joinPrefix, setStaticUrlResolver } from '../../template/builtins/static.ts';
import { quote } from '../../template/text/html.ts';
import { staticStorageConfig } from './collect.ts';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, MANIFEST_NAME, type Manifest, StaticFilesError } from './storage.ts';

// Read once per root and per change of staticfiles.json (a collectstatic while serving is picked up).
const loaded = new Map<string, { mtimeMs: number; manifest: Manifest | undefined }>();

function cachedManifest(root: string): Manifest | undefined {
  let mtimeMs = -1;
  try {
    mtimeMs = statSync(join(root, MANIFEST_NAME)).mtimeMs;
  } catch {
    // Absent: cached as undefined until it appears.
  }
  const hit = loaded.get(root);
  if (hit !== undefined && hit.mtimeMs === mtimeMs) return hit.manifest;
  const manifest = mtimeMs === -1 ? undefined : loadManifest(root);
  loaded.set(root, { mtimeMs, manifest });
  return manifest;
}

function joinUrl(base: string, path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) || path.startsWith('/')) return path;
  return joinPrefix(base, quote(path));
}

/**
 * The URL of a static file under the manifest at `root`: the hashed name, the
 * name itself when `strict` is false and the manifest lacks it.
 *
 * @throws StaticFilesError naming the file when the manifest lacks it and `strict` (Django's manifest_strict).
 */
export function manifestUrl(path: string, root: string, staticUrl: string, strict = true): string {
  const hashAt = path.search(/[?#]/);
  const clean = hashAt === -1 ? path : path.slice(0, hashAt);
  const suffix = hashAt === -1 ? '' : path.slice(hashAt);
  if (clean.endsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return joinUrl(staticUrl, path);
  const manifest = cachedManifest(root);
  const hashed = manifest?.paths[clean];
  if (hashed === undefined) {
    if (!strict) return joinUrl(staticUrl, path);
    throw new StaticFilesError(
      manifest === undefined
        ? `Missing staticfiles manifest '${root}/staticfiles.json' while resolving '${clean}'. Run 'manage.ts collectstatic'.`
        : `Missing staticfiles manifest entry for '${clean}'. Check the file exists in a static folder, then run 'manage.ts collectstatic'.`,
    );
  }
  // The query or fragment stays as written; only the path is quoted (Django unquotes the final URL).
  return joinUrl(staticUrl, hashed) + suffix;
}

/**
 * Points `{% static %}` and `staticUrl()` at the manifest when STORAGES.staticfiles
 * is the manifest storage; a no-op otherwise. Reads DEBUG on each call, as Django's storage.url().
 */
export function useManifestStaticUrls(): boolean {
  const config = staticStorageConfig();
  if (!config.manifest || config.root === null) return false;
  const root = config.root;
  setStaticUrlResolver((path) => {
    // settings.STATIC_URL, not the raw value: a relative 'static/' is read under the script prefix ('/static/'), as Django reads it.
    const staticUrl = settings.STATIC_URL ?? '/static/';
    if (settingOr<boolean>('DEBUG', false)) return joinUrl(staticUrl, path);
    return manifestUrl(path, root, staticUrl, config.manifestStrict);
  });
  return true;
}

/**
 * collectstatic's work: copy every found static file into STATIC_ROOT, then,
 * with the manifest storage, write hashed copies and staticfiles.json, then
 * pre-compressed variants. The command (manage.ts collectstatic) only parses
 * options, asks for confirmation and prints the summary.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { settingOr } from '../../conf/lazy-settings.ts';
import type { StorageSettings } from '../../conf/settings.ts';
import { ImproperlyConfigured } from '../../core/errors.ts';
import { staticUrlPath } from '../../core/servers/static-files.ts';
import { compressedVariants, isCompressible } from './compress.ts';
import { DEFAULT_IGNORE_PATTERNS, findAll, staticRoots, type StaticRoot } from './finders.ts';
import { hashFiles, MANIFEST_BACKENDS, MANIFEST_NAME, manifestText } from './storage.ts';

/** How STORAGES.staticfiles is configured, as far as collecting and serving care. */
export interface StaticStorageConfig {
  root: string | null;
  manifest: boolean;
  /** OPTIONS.compress: write .gz/.br variants (default true). */
  compress: boolean;
  /** OPTIONS.manifest_strict: a name missing from the manifest is an error (default true, as Django). */
  manifestStrict: boolean;
}

/** Reads STATIC_ROOT and STORAGES.staticfiles. */
export function staticStorageConfig(): StaticStorageConfig {
  const storagesSetting = settingOr<Record<string, StorageSettings>>('STORAGES', {});
  const entry = storagesSetting['staticfiles'];
  const options = entry?.OPTIONS ?? {};
  const root = (options['location'] as string | undefined) ?? settingOr<string | null>('STATIC_ROOT', null);
  return {
    root: root === null || root === '' ? null : root,
    manifest: typeof entry?.BACKEND === 'string' && MANIFEST_BACKENDS.has(entry.BACKEND),
    compress: options['compress'] !== false,
    manifestStrict: options['manifest_strict'] !== false,
  };
}

export interface CollectOptions {
  root: string;
  roots?: readonly StaticRoot[];
  ignore?: readonly string[];
  clear?: boolean;
  dryRun?: boolean;
  manifest?: boolean;
  compress?: boolean;
  /** STATIC_URL as a path, for absolute references in CSS (default: from settings). */
  staticUrl?: string;
  /** Called with each progress line and the verbosity it needs (Django's log levels). */
  log?: (message: string, level: number) => void;
}

export interface CollectResult {
  modified: string[];
  unmodified: string[];
  postProcessed: string[];
}

function filesUnder(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(folder);
  return out.sort();
}

function write(root: string, name: string, data: Buffer): void {
  const path = join(root, ...name.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

/**
 * Collects static files into `options.root`.
 *
 * @throws StaticFilesError when a CSS/JS reference names a missing file (nothing is half-written:
 *   hashing happens before any hashed copy is saved).
 */
export function collect(options: CollectOptions): CollectResult {
  const { root, dryRun = false } = options;
  const log = options.log ?? (() => {});
  if (options.clear) {
    for (const path of filesUnder(root)) {
      log(dryRun ? `Pretending to delete '${relative(root, path).split(sep).join('/')}'` : `Deleting '${relative(root, path).split(sep).join('/')}'`, 1);
      if (!dryRun) rmSync(path);
    }
  }
  const found = findAll(options.roots ?? staticRoots(), options.ignore ?? DEFAULT_IGNORE_PATTERNS);
  const result: CollectResult = { modified: [], unmodified: [], postProcessed: [] };
  for (const { name, source } of found) {
    const dest = join(root, ...name.split('/'));
    // Django's delete_file(): an existing copy at least as new as its source is left alone.
    if (!(options.clear && !dryRun) && existsSync(dest) && statSync(dest).mtimeMs >= statSync(source).mtimeMs) {
      log(`Skipping '${name}' (not modified)`, 2);
      result.unmodified.push(name);
      continue;
    }
    log(dryRun ? `Pretending to copy '${source}'` : `Copying '${source}'`, dryRun ? 1 : 2);
    if (!dryRun) {
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(source, dest);
    }
    result.modified.push(name);
  }
  if (dryRun) return result;
  const written = found.map((f) => f.name);
  if (options.manifest) {
    const sources = new Map(found.map((f) => [f.name, f.source]));
    const read = (name: string): Buffer | undefined => {
      const source = sources.get(name);
      return source === undefined ? undefined : readFileSync(source);
    };
    const { paths, contents } = hashFiles(written, read, options.staticUrl ?? staticUrlPath() ?? '/static/');
    for (const [name, hashed] of paths) {
      const exists = existsSync(join(root, ...hashed.split('/')));
      const content = contents.get(name);
      // As Django: a file counts as post-processed when its hashed copy is new or its references were rewritten.
      if (content !== undefined || !exists) {
        write(root, hashed, content ?? read(name)!);
        log(`Post-processed '${name}' as '${hashed}'`, 2);
        result.postProcessed.push(name);
      }
      written.push(hashed);
    }
    writeFileSync(join(root, MANIFEST_NAME), manifestText(paths));
  }
  if (options.compress ?? true) {
    for (const name of written) {
      const path = join(root, ...name.split('/'));
      const data = readFileSync(path);
      if (!isCompressible(name, data.length)) continue;
      for (const { suffix, data: packed } of compressedVariants(data)) writeFileSync(path + suffix, packed);
    }
  }
  return result;
}

/** STATIC_ROOT, or the ImproperlyConfigured Django raises when collectstatic has nowhere to go. */
export function requireStaticRoot(config: StaticStorageConfig = staticStorageConfig()): string {
  if (config.root === null) {
    throw new ImproperlyConfigured(
      "You're using the staticfiles app without having set the required STATIC_ROOT setting to a filesystem path. " +
        "Set STATIC_ROOT, e.g. STATIC_ROOT: join(BASE_DIR, 'staticfiles').",
    );
  }
  return config.root;
}

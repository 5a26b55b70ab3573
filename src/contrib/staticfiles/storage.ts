/**
 * ManifestStaticFilesStorage: content-hashed copies of the collected files
 * (`css/site.css` → `css/site.55e7cbb9ba48.css`, md5's first 12 hex digits, as
 * Django), references inside CSS and JS rewritten to the hashed names, and
 * `staticfiles.json` mapping each name to its hashed one in Django's format.
 *
 * Django reaches the names by repeated passes over the CSS; for references
 * without a cycle that converges to one answer per file: the hash of the file
 * with its references already rewritten. Here that answer is computed
 * depth-first, and a cycle is the error Django's passes end with.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { NuagesError } from '../../core/errors.ts';

/** A name the storage cannot hash: a missing file referenced from CSS/JS, a cycle, a name not in the manifest. */
export class StaticFilesError extends NuagesError {
  readonly code = 'NUAGES_STATICFILES';
}

export const MANIFEST_NAME = 'staticfiles.json';
export const MANIFEST_VERSION = '1.1';

/** The backend names that select the manifest storage in STORAGES.staticfiles. */
export const MANIFEST_BACKENDS: ReadonlySet<string> = new Set([
  'manifest',
  'django.contrib.staticfiles.storage.ManifestStaticFilesStorage',
]);

/** md5 of `content`, first 12 hex digits (Django's file_hash). */
export function fileHash(content: Buffer | string): string {
  return createHash('md5').update(content).digest('hex').slice(0, 12);
}

/** `dir/name.ext` → `dir/name.<hash>.ext` (the hash goes before the last extension). */
export function hashedName(name: string, hash: string): string {
  const slash = name.lastIndexOf('/');
  const dir = name.slice(0, slash + 1);
  const base = name.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  // Python's splitext: a leading dot is part of the root, not an extension.
  if (dot <= 0) return `${dir}${base}.${hash}`;
  return `${dir}${base.slice(0, dot)}.${hash}${base.slice(dot)}`;
}

interface Pattern {
  regex: RegExp;
  /** Rebuilds the matched text around the new URL; undefined keeps Django's `url("...")`. */
  template: (url: string) => string;
}

// Django's HashedFilesMixin.patterns: matched text in group 1, the URL in group 2.
const CSS_PATTERNS: Pattern[] = [
  { regex: /(url\(['"]{0,1}\s*(.*?)["']{0,1}\))/gi, template: (url) => `url("${url}")` },
  { regex: /(@import\s*["']\s*(.*?)["'])/gi, template: (url) => `@import url("${url}")` },
  { regex: /^(\/\*#[ \t]sourceMappingURL=(.*)[ \t]*\*\/)$/gm, template: (url) => `/*# sourceMappingURL=${url} */` },
];
const JS_PATTERNS: Pattern[] = [
  { regex: /^(\/\/# sourceMappingURL=(.*))$/gm, template: (url) => `//# sourceMappingURL=${url}` },
];

/** The rewrite patterns for a file name, or undefined when its content is left as is. */
function patternsFor(name: string): Pattern[] | undefined {
  if (name.endsWith('.css')) return CSS_PATTERNS;
  if (name.endsWith('.js')) return JS_PATTERNS;
  return undefined;
}

function safeUnquote(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Files to hash: name under STATIC_ROOT → its bytes (read lazily). */
export type ContentSource = (name: string) => Buffer | undefined;

/** The result of hashing a set of files: name → hashed name, and the rewritten content of CSS/JS files. */
export interface HashResult {
  paths: Map<string, string>;
  contents: Map<string, Buffer>;
}

/**
 * Hashed names for `names`, rewriting references in CSS and JS.
 *
 * @param staticUrl STATIC_URL as a path ('/static/'): absolute references under it are hashed too.
 * @throws StaticFilesError naming the missing file and the file that referenced it, or the cycle.
 */
export function hashFiles(names: Iterable<string>, read: ContentSource, staticUrl: string): HashResult {
  const paths = new Map<string, string>();
  const contents = new Map<string, Buffer>();
  const inProgress: string[] = [];

  const hashOf = (name: string, referrer?: string): string => {
    const known = paths.get(name);
    if (known !== undefined) return known;
    if (inProgress.includes(name)) {
      throw new StaticFilesError(
        `Max post-process passes exceeded: ${[...inProgress.slice(inProgress.indexOf(name)), name].join(' → ')} refer to each other in a cycle. ` +
          'Break the cycle so each file can be hashed after the files it references.',
      );
    }
    const original = read(name);
    if (original === undefined) {
      throw new StaticFilesError(
        `The file '${name}' could not be found${referrer ? `; it is referenced from '${referrer}'` : ''}. ` +
          'Add the file to a static folder, or fix or remove the reference.',
      );
    }
    const patterns = patternsFor(name);
    let content = original;
    if (patterns !== undefined) {
      inProgress.push(name);
      let text = original.toString('utf8');
      for (const { regex, template } of patterns) {
        text = text.replace(regex, (matched: string, _m: string, url: string) => convert(name, matched, url, template));
      }
      inProgress.pop();
      content = Buffer.from(text, 'utf8');
      contents.set(name, content);
    }
    const hashed = hashedName(name, fileHash(content));
    paths.set(name, hashed);
    return hashed;
  };

  // Django's url_converter: which references to leave, and how to rebuild the ones it hashes.
  const convert = (source: string, matched: string, url: string, template: (url: string) => string): string => {
    if (/^[a-z]+:/.test(url) || url.startsWith('//')) return matched;
    if (url.startsWith('/') && !url.startsWith(staticUrl)) return matched;
    const hashAt = url.indexOf('#');
    const urlPath = hashAt === -1 ? url : url.slice(0, hashAt);
    const fragment = hashAt === -1 ? '' : url.slice(hashAt + 1);
    if (urlPath === '') return matched;
    const target = urlPath.startsWith('/') ? urlPath.slice(staticUrl.length) : posix.join(posix.dirname(source), urlPath);
    const queryAt = target.indexOf('?');
    const targetPath = posix.normalize(safeUnquote(queryAt === -1 ? target : target.slice(0, queryAt)));
    const query = queryAt === -1 ? '' : target.slice(queryAt);
    if (targetPath.endsWith('/')) return matched; // Django does not hash folder paths.
    const hashed = hashOf(targetPath, source);
    // Keep the reference's own folder spelling; only its last segment changes.
    const segments = urlPath.split('/');
    // A bare '?' before '#' is Django's @font-face hack (font.eot?#iefix); it stays.
    const keptQuery = query === '?' ? '' : query;
    let transformed = [...segments.slice(0, -1), safeUnquote(hashed.split('/').pop()! + keptQuery)].join('/');
    if (fragment !== '') transformed += (url.includes('?#') ? '?#' : '#') + fragment;
    return template(safeUnquote(transformed));
  };

  for (const name of names) hashOf(name);
  return { paths, contents };
}

/** Python's json.dumps of a string (ensure_ascii): each UTF-16 unit above ASCII written as a `\\u` escape of 4 hex digits. */
function pyJsonString(text: string): string {
  return JSON.stringify(text).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The manifest's own "hash": md5 of json.dumps(sorted(paths.items())), as Django's save_manifest. */
export function manifestHash(paths: ReadonlyMap<string, string>): string {
  const items = [...paths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return fileHash(`[${items.map(([k, v]) => `[${pyJsonString(k)}, ${pyJsonString(v)}]`).join(', ')}]`);
}

/** staticfiles.json's text, byte for byte as Django writes it. */
export function manifestText(paths: ReadonlyMap<string, string>): string {
  const entries = [...paths].map(([k, v]) => `${pyJsonString(k)}: ${pyJsonString(v)}`).join(', ');
  return `{"paths": {${entries}}, "version": "${MANIFEST_VERSION}", "hash": "${manifestHash(paths)}"}`;
}

/** A loaded staticfiles.json. */
export interface Manifest {
  paths: Record<string, string>;
  version: string;
  hash?: string;
}

/**
 * Reads `<root>/staticfiles.json`, or returns undefined when it is absent.
 *
 * @throws StaticFilesError for a manifest of another version or unreadable JSON.
 */
export function loadManifest(root: string): Manifest | undefined {
  const file = posix.join(root.split('\\').join('/'), MANIFEST_NAME);
  if (!existsSync(file)) return undefined;
  let parsed: Manifest;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (error) {
    throw new StaticFilesError(`Couldn't load manifest '${file}': ${(error as Error).message}. Run 'manage.ts collectstatic' again.`);
  }
  if (parsed.version !== MANIFEST_VERSION || typeof parsed.paths !== 'object') {
    throw new StaticFilesError(`Couldn't load manifest '${file}' (version ${String(parsed.version)}); run 'manage.ts collectstatic' again.`);
  }
  return parsed;
}

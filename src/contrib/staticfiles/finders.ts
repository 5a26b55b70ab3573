/**
 * Finders: every static file the project has, as Django's FileSystemFinder
 * (STATICFILES_DIRS) then AppDirectoriesFinder (`<app>/static/`). When two
 * roots hold the same relative path, the first root wins, as in Django.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { staticRoots, type StaticRoot } from '../../core/servers/static-files.ts';

export { staticRoots, type StaticRoot };

/** Django's default `--ignore` patterns: CVS folders, dot files, editor backups. */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = ['CVS', '.*', '*~'];

/** One found file: its name under STATIC_ROOT (posix separators) and where it is now. */
export interface FoundFile {
  name: string;
  source: string;
}

/** fnmatch-style glob (`*`, `?`) as a whole-string RegExp. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Whether `name` (posix path) is ignored: a pattern with '/' matches the whole path, others any segment. */
export function isIgnored(name: string, patterns: readonly string[]): boolean {
  const segments = name.split('/');
  return patterns.some((pattern) => {
    const re = globToRegExp(pattern);
    return pattern.includes('/') ? re.test(name) : segments.some((s) => re.test(s));
  });
}

/** Every file below `folder`, sorted by path; none when the folder does not exist. */
export function filesUnder(folder: string): string[] {
  const found: string[] = [];
  walk(folder, found);
  return found;
}

function walk(folder: string, found: string[]): void {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return; // A root that does not exist holds no files (an app without static/).
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(path, found);
    else if (entry.isFile()) found.push(path);
  }
}

/** Every static file under `roots` not matched by `ignore`, first root winning for a name. */
export function findAll(roots: readonly StaticRoot[] = staticRoots(), ignore: readonly string[] = DEFAULT_IGNORE_PATTERNS): FoundFile[] {
  const byName = new Map<string, FoundFile>();
  for (const { prefix, root } of roots) {
    for (const source of filesUnder(root)) {
      const rel = relative(root, source).split(sep).join('/');
      if (isIgnored(rel, ignore)) continue;
      const name = prefix === '' ? rel : `${prefix}/${rel}`;
      if (!byName.has(name)) byName.set(name, { name, source });
    }
  }
  return [...byName.values()];
}

/**
 * FilePathField: a choice among the files (and/or folders) of a directory on the server
 * (Django's forms.FilePathField), read once when the field is built.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { NuagesError } from '../../core/errors.ts';
import { ChoiceField, type ChoiceFieldOptions } from './choice.ts';

/** FilePathField could not list its directory. */
export class FilePathFieldPathError extends NuagesError {
  readonly code = 'NUAGES_FORMS_FILE_PATH_UNREADABLE';
  constructor(path: string, cause: unknown) {
    super(
      `FilePathField could not list the directory '${path}' (${(cause as Error).message}). ` +
        `Give an existing, readable directory as path (or recursive: true, which lists nothing for a missing one).`,
      { cause },
    );
  }
}

export interface FilePathFieldOptions<R extends boolean = boolean> extends Omit<ChoiceFieldOptions<R>, 'choices'> {
  /** The directory whose entries are offered (absolute, as the choices' values are `path/name`). */
  path: string;
  /** Only entries whose name this pattern finds (Python's re.search: anywhere in the name). */
  match?: string | RegExp | null;
  /** Include the entries of every subdirectory (default false). */
  recursive?: boolean;
  /** Offer files (default true). */
  allowFiles?: boolean;
  /** Offer folders (default false). */
  allowFolders?: boolean;
}

/** Python's os.path.join of a directory and a name. */
function joinPath(dir: string, name: string): string {
  return dir === '' || dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Python's string order (by code point, which is UTF-16 order outside the astral planes). */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What Python's DirEntry.is_dir() / is_file() answer: through a symbolic link, and false for a broken one. */
function kindOf(dir: string, entry: Dirent): { dir: boolean; file: boolean } {
  if (!entry.isSymbolicLink()) return { dir: entry.isDirectory(), file: entry.isFile() };
  try {
    const stat = statSync(joinPath(dir, entry.name));
    return { dir: stat.isDirectory(), file: stat.isFile() };
  } catch {
    return { dir: false, file: false };
  }
}

/** Python's os.walk(top): [dir, folders, other entries] for top and every folder below it, not through links. */
function walk(top: string, out: [string, string[], string[]][] = []): [string, string[], string[]][] {
  let entries: Dirent[];
  try {
    entries = readdirSync(top, { withFileTypes: true });
  } catch {
    return out;
  }
  const dirs: string[] = [];
  const files: string[] = [];
  const descend: string[] = [];
  for (const entry of entries) {
    if (kindOf(top, entry).dir) {
      dirs.push(entry.name);
      if (!entry.isSymbolicLink()) descend.push(entry.name);
    } else {
      files.push(entry.name);
    }
  }
  out.push([top, dirs, files]);
  for (const name of descend) walk(joinPath(top, name), out);
  return out;
}

/**
 * One entry of a server directory, shown as a `<select>`; cleans to its full path
 * (`path/name`). Choices are listed when the field is built, in Django's order: by name
 * for one directory; with `recursive`, directory by directory (sorted by path), files then
 * folders, labelled by their path below `path`. `__pycache__` folders are never offered.
 *
 * ```ts
 * const template = new FilePathField({ path: '/srv/site/templates', match: '\\.html$', recursive: true });
 * template.clean('/srv/site/templates/mail/welcome.html'); // the same path, if it was listed
 * ```
 *
 * @throws FilePathFieldPathError when `path` cannot be listed (not recursive).
 */
export class FilePathField<R extends boolean = true> extends ChoiceField<R> {
  path: string;
  match: string | RegExp | null;
  recursive: boolean;
  allowFiles: boolean;
  allowFolders: boolean;

  constructor(options: FilePathFieldOptions<R>) {
    const { path, match, recursive, allowFiles, allowFolders, ...rest } = options;
    super(rest);
    this.path = path;
    this.match = match ?? null;
    this.recursive = recursive ?? false;
    this.allowFiles = allowFiles ?? true;
    this.allowFolders = allowFolders ?? false;
    const pattern = this.match === null ? null : new RegExp(this.match instanceof RegExp ? this.match.source : this.match, this.match instanceof RegExp ? this.match.flags.replace(/[gy]/g, '') : '');
    const wanted = (name: string) => pattern === null || pattern.test(name);
    const choices: [string, string][] = this.required ? [] : [['', '---------']];
    if (this.recursive) {
      for (const [root, dirs, files] of walk(path).sort((a, b) => byText(a[0], b[0]))) {
        const add = (name: string) => {
          const full = joinPath(root, name);
          choices.push([full, full.replace(path, '')]);
        };
        if (this.allowFiles) for (const name of files.sort(byText)) if (wanted(name)) add(name);
        if (this.allowFolders) for (const name of dirs.sort(byText)) if (name !== '__pycache__' && wanted(name)) add(name);
      }
    } else {
      let entries: Dirent[];
      try {
        entries = readdirSync(path, { withFileTypes: true });
      } catch (error) {
        throw new FilePathFieldPathError(path, error);
      }
      const found: [string, string][] = [];
      for (const entry of entries) {
        if (entry.name === '__pycache__') continue;
        const kind = kindOf(path, entry);
        if (((this.allowFiles && kind.file) || (this.allowFolders && kind.dir)) && wanted(entry.name)) found.push([joinPath(path, entry.name), entry.name]);
      }
      choices.push(...found.sort((a, b) => byText(a[1], b[1])));
    }
    this.choices = choices;
  }
}

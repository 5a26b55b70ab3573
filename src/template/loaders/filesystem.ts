/** Templates read from directories (Django's filesystem.Loader and app_directories.Loader). */
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Origin } from '../template.ts';
import { Loader, SourceNotFound } from './base.ts';

/**
 * Looks for `name` in each directory in turn. A name that would escape the
 * directory (`../secret`) is never read.
 */
export class FilesystemLoader extends Loader {
  readonly dirs: readonly string[];

  constructor(dirs: readonly string[]) {
    super();
    this.dirs = dirs.map((d) => resolve(d));
  }

  *getTemplateSources(name: string): Iterable<Origin> {
    for (const dir of this.dirs) {
      const path = resolve(join(dir, name));
      // Same rule as Django's safe_join: stay inside the template directory.
      if (path !== dir && !path.startsWith(dir + sep)) continue;
      yield { name: path, templateName: name, loader: this.constructor.name };
    }
  }

  async getContents(origin: Origin): Promise<string> {
    try {
      return await readFile(origin.name, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw new SourceNotFound('Source does not exist');
      throw error;
    }
  }
}

/** Looks in the `templates/` folder of each installed app, in app order. */
export class AppDirectoriesLoader extends FilesystemLoader {
  constructor(appDirs: readonly string[]) {
    super(appDirs.map((d) => join(d, 'templates')));
  }
}

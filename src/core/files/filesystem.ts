/**
 * FileSystemStorage: files in a folder (MEDIA_ROOT by default), served from a
 * base URL (MEDIA_URL). Names never leave the folder: every name goes through
 * safeJoin, and a new file is created exclusively, so two uploads racing for
 * one name both keep their content.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, open, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { settingOr } from '../../conf/lazy-settings.ts';
import { File, type Readable } from './base.ts';
import { StorageUnsupportedError, SuspiciousFileOperation } from './errors.ts';
import { Storage } from './storage.ts';

/** Options of FileSystemStorage; each unset one follows its setting. */
export interface FileSystemStorageOptions {
  /** The folder (default MEDIA_ROOT, resolved against the working directory). */
  location?: string;
  /** The URL prefix (default MEDIA_URL); a trailing slash is added when missing. */
  baseUrl?: string | null;
  /** Mode of new files (default FILE_UPLOAD_PERMISSIONS, 0o644). */
  filePermissionsMode?: number | null;
  /** Mode of new folders (default FILE_UPLOAD_DIRECTORY_PERMISSIONS, else the umask's). */
  directoryPermissionsMode?: number | null;
  /** Replace a file saved under a taken name instead of picking a free variant. */
  allowOverwrite?: boolean;
}

/**
 * `name` joined under `base`, refusing any result outside it (Django's safe_join).
 *
 * @throws SuspiciousFileOperation when the joined path leaves `base`.
 */
export function safeJoin(base: string, name: string): string {
  const root = resolve(base);
  const full = resolve(root, name);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) {
    throw new SuspiciousFileOperation(`The joined path (${full}) is located outside of the base path component (${root})`);
  }
  return full;
}

/** A path as a URL path, each segment percent-encoded (Django's filepath_to_uri). */
export function filepathToUri(path: string): string {
  return path
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * Files under a local folder (Django's FileSystemStorage).
 *
 * ```ts
 * const storage = new FileSystemStorage({ location: '/srv/media', baseUrl: '/media/' });
 * const name = await storage.save('covers/dune.png', upload); // 'covers/dune.png' or 'covers/dune_x7Gq2Lp.png'
 * storage.url(name); // '/media/covers/dune.png'
 * ```
 */
export class FileSystemStorage extends Storage {
  #options: FileSystemStorageOptions;

  constructor(options: FileSystemStorageOptions = {}) {
    super();
    this.#options = { ...options };
    const url = options.baseUrl;
    if (url !== undefined && url !== null && !url.endsWith('/')) this.#options.baseUrl = `${url}/`;
  }

  /** The absolute folder files are saved in. */
  get location(): string {
    return resolve(this.#options.location ?? settingOr<string>('MEDIA_ROOT', ''));
  }

  /** The URL prefix, or null when files are not served. */
  get baseUrl(): string | null {
    return this.#options.baseUrl !== undefined ? this.#options.baseUrl : settingOr<string | null>('MEDIA_URL', '');
  }

  get filePermissionsMode(): number | null {
    return this.#options.filePermissionsMode ?? settingOr<number | null>('FILE_UPLOAD_PERMISSIONS', 0o644);
  }

  get directoryPermissionsMode(): number | null {
    return this.#options.directoryPermissionsMode ?? settingOr<number | null>('FILE_UPLOAD_DIRECTORY_PERMISSIONS', null);
  }

  /** @throws SuspiciousFileOperation when `name` would leave the folder. */
  override path(name: string): string {
    return safeJoin(this.location, name);
  }

  override async isNameAvailable(name: string, maxLength: number | null = null): Promise<boolean> {
    if (this.#options.allowOverwrite) return !(maxLength !== null && maxLength > 0 && name.length > maxLength);
    return super.isNameAvailable(name, maxLength);
  }

  override getAlternativeName(fileRoot: string, fileExt: string): string {
    return this.#options.allowOverwrite ? `${fileRoot}${fileExt}` : super.getAlternativeName(fileRoot, fileExt);
  }

  async open(name: string): Promise<File> {
    const full = this.path(name);
    await stat(full);
    return new File({ path: full }, name);
  }

  async exists(name: string): Promise<boolean> {
    try {
      await lstat(this.path(name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    if (!name) throw new SuspiciousFileOperation('The name must be given to delete().');
    const full = this.path(name);
    try {
      const info = await lstat(full);
      if (info.isDirectory()) await rmdir(full);
      else await unlink(full);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async size(name: string): Promise<number> {
    return (await stat(this.path(name))).size;
  }

  url(name: string): string {
    const base = this.baseUrl;
    if (base === null) {
      throw new StorageUnsupportedError(
        `'${name}' is not accessible via a URL: this storage has no base URL. Set MEDIA_URL or pass { baseUrl }.`,
      );
    }
    const path = filepathToUri(name).replace(/^\/+/, '');
    if (base === '' || base.endsWith('/')) return base + path;
    return base.slice(0, base.lastIndexOf('/') + 1) + path;
  }

  protected async _save(name: string, content: Readable): Promise<string> {
    let full = this.path(name);
    const folder = dirname(full);
    const dirMode = this.directoryPermissionsMode;
    try {
      await mkdir(folder, { recursive: true, ...(dirMode === null ? {} : { mode: dirMode }) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new SuspiciousFileOperation(`${folder} exists and is not a directory.`, { cause: error });
      }
      throw error;
    }
    const overwrite = Boolean(this.#options.allowOverwrite);
    for (;;) {
      try {
        await writeExclusive(full, content, overwrite);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Another writer took the name between getAvailableName() and now: pick again.
        name = await this.getAvailableName(name);
        full = this.path(name);
      }
    }
    const mode = this.filePermissionsMode;
    if (mode !== null) await chmod(full, mode);
    return relative(this.location, full).split(sep).join('/');
  }
}

/** Write `content` to a new file at `full`; EEXIST when taken (unless `overwrite`). */
async function writeExclusive(full: string, content: Readable, overwrite: boolean): Promise<void> {
  const temporary = content.temporaryFilePath;
  if (temporary !== undefined) {
    if (!overwrite) {
      // rename() would replace a file that appeared meanwhile; an exclusive copy fails with EEXIST instead.
      await copyFile(temporary, full, constants.COPYFILE_EXCL);
      return;
    }
    await rename(temporary, full).catch(() => copyFile(temporary, full));
    return;
  }
  const handle = await open(full, overwrite ? 'w' : 'wx', 0o666);
  try {
    for await (const chunk of content.chunks()) await handle.write(chunk);
  } finally {
    await handle.close();
  }
}

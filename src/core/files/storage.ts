/**
 * Storage: where saved files live. The base class holds the naming rules
 * (safe names, free names with Django's random suffix, traversal refusal);
 * a backend implements the primitives (`_save`, `open`, `exists`, `delete`,
 * `size`, `url`, and `path` when it is on local disk).
 */
import { ContentFile, type File, type Readable } from './base.ts';
import { StorageUnsupportedError, SuspiciousFileOperation } from './errors.ts';
import {
  getValidFilename,
  joinPath,
  randomString,
  refuseTraversal,
  splitPath,
  suffixes,
  validateFileName,
} from './names.ts';

/** Content `save()` accepts: a file-like object, or bytes/a string wrapped in a ContentFile. */
export type SaveContent = Readable | Uint8Array | string;

/**
 * The contract every storage keeps (Django's Storage). Names are always
 * relative to the storage and use forward slashes.
 *
 * ```ts
 * class BucketStorage extends Storage {
 *   protected async _save(name: string, content: Readable) { await bucket.put(name, await content.read()); return name; }
 *   // open, exists, delete, size, url …
 * }
 * ```
 */
export abstract class Storage {
  /** The file stored under `name`. @throws when there is none (ENOENT from disk storages). */
  abstract open(name: string): Promise<File>;
  /** Whether `name` is taken. */
  abstract exists(name: string): Promise<boolean>;
  /** Remove `name`; a missing file is not an error. */
  abstract delete(name: string): Promise<void>;
  /** Size of `name` in bytes. */
  abstract size(name: string): Promise<number>;
  /** The URL a browser fetches `name` from. @throws StorageUnsupportedError without a base URL. */
  abstract url(name: string): string;
  /** Write `content` under exactly `name` (already checked and free); return the name used. */
  protected abstract _save(name: string, content: Readable): Promise<string>;

  /**
   * The absolute local path of `name`, for storages on this machine.
   *
   * @throws StorageUnsupportedError on storages that are not on local disk.
   */
  path(name: string): string {
    throw new StorageUnsupportedError(
      `${this.constructor.name} does not keep files on local disk, so '${name}' has no path; read it with open() instead.`,
    );
  }

  /**
   * Save `content` under `name`, or under a free variant of it (`photo_a1B2c3D.png`)
   * when taken or longer than `maxLength`; returns the name actually used.
   * Pass a name from `generateFilename()` to also clean the characters.
   *
   * @throws SuspiciousFileOperation for an absolute name or one with `..`.
   */
  async save(name: string | null, content: SaveContent, maxLength: number | null = null): Promise<string> {
    const file: Readable = typeof content === 'string' || content instanceof Uint8Array ? new ContentFile(content, name ?? '') : content;
    let target = name ?? file.name;
    validateFileName(target, true);
    target = await this.getAvailableName(target, maxLength);
    validateFileName(target, true);
    target = await this._save(target, file);
    validateFileName(target, true);
    return target;
  }

  /** A name safe for this storage (Django's get_valid_name): see getValidFilename(). */
  getValidName(name: string): string {
    return getValidFilename(name);
  }

  /** `root` plus `_` and 7 random letters/digits, then the extensions (Django's get_alternative_name). */
  getAlternativeName(fileRoot: string, fileExt: string): string {
    return `${fileRoot}_${randomString(7)}${fileExt}`;
  }

  /** Whether `name` is free and fits `maxLength`. */
  async isNameAvailable(name: string, maxLength: number | null = null): Promise<boolean> {
    const tooLong = maxLength !== null && maxLength > 0 && name.length > maxLength;
    return !tooLong && !(await this.exists(name));
  }

  /**
   * `name` if free, else variants with a random suffix before the extensions,
   * shortening the root to respect `maxLength` (Django's get_available_name).
   *
   * @throws SuspiciousFileOperation for `..` in the folder, an unusable file
   *   name, or when `maxLength` leaves no room for any root.
   */
  async getAvailableName(name: string, maxLength: number | null = null): Promise<string> {
    let candidate = String(name).replace(/\\/g, '/');
    const [folder, fileName] = splitPath(candidate);
    refuseTraversal(folder);
    validateFileName(fileName);
    const ext = suffixes(fileName).join('');
    let root = ext && fileName.endsWith(ext) ? fileName.slice(0, -ext.length) : fileName;
    while (!(await this.isNameAvailable(candidate, maxLength))) {
      candidate = joinPath(folder, this.getAlternativeName(root, ext));
      if (maxLength === null) continue;
      const truncation = candidate.length - maxLength;
      if (truncation > 0) {
        root = root.slice(0, -truncation);
        if (!root) {
          throw new SuspiciousFileOperation(
            `Storage can not find an available filename for "${candidate}". ` +
              'Please make sure that the corresponding file field allows sufficient "max_length".',
          );
        }
        candidate = joinPath(folder, this.getAlternativeName(root, ext));
      }
    }
    return candidate;
  }

  /**
   * The name a field stores an upload under: the folder kept, the file name
   * cleaned by getValidName(), the path normalised (Django's generate_filename).
   *
   * @throws SuspiciousFileOperation for `..` in the folder.
   */
  generateFilename(filename: string): string {
    const [folder, fileName] = splitPath(String(filename).replace(/\\/g, '/'));
    refuseTraversal(folder);
    return normpath(joinPath(folder, this.getValidName(fileName)));
  }
}

/** Python's posixpath.normpath: no '.', no empty segments ('..' was refused before). */
function normpath(path: string): string {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return (absolute ? '/' : '') + parts.join('/') || '.';
}

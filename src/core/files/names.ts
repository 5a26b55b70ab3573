/**
 * File-name rules shared by storages, validators and fields: the safe-name
 * filter, traversal checks and Python's path splitting, so a name is cut the
 * way Django cuts it.
 */
import { randomInt } from 'node:crypto';
import { SuspiciousFileOperation } from './errors.ts';

/**
 * `name` reduced to letters, digits, `-`, `_` and `.`, spaces turned into `_`
 * (Django's get_valid_filename).
 *
 * @throws SuspiciousFileOperation when nothing usable is left ('', '.', '..').
 *
 * ```ts
 * getValidFilename("john's portrait in 2004.jpg"); // 'johns_portrait_in_2004.jpg'
 * ```
 */
export function getValidFilename(name: string): string {
  const cleaned = String(name)
    .trim()
    .replace(/ /g, '_')
    .replace(/[^-\p{L}\p{N}_.]/gu, '');
  if (cleaned === '' || cleaned === '.' || cleaned === '..') {
    throw new SuspiciousFileOperation(`Could not derive file name from '${name}'`);
  }
  return cleaned;
}

/** The last path segment (Python's os.path.basename on POSIX). */
export function basename(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** [folder, file] as Python's os.path.split: the folder keeps no trailing slashes unless it is all slashes. */
export function splitPath(name: string): [string, string] {
  const cut = name.lastIndexOf('/') + 1;
  let head = name.slice(0, cut);
  if (head && !/^\/+$/.test(head)) head = head.replace(/\/+$/, '');
  return [head, name.slice(cut)];
}

/** Python's os.path.join for two POSIX parts. */
export function joinPath(folder: string, file: string): string {
  if (file.startsWith('/') || folder === '') return file;
  return folder.endsWith('/') ? folder + file : `${folder}/${file}`;
}

/** Every extension of a file name, as pathlib's `suffixes` ('a.tar.gz' → ['.tar', '.gz'], '.bashrc' → []). */
export function suffixes(fileName: string): string[] {
  if (fileName.endsWith('.')) return [];
  return fileName
    .replace(/^\.+/, '')
    .split('.')
    .slice(1)
    .map((part) => `.${part}`);
}

/** The last extension, with its dot, or '' (pathlib's `suffix`). */
export function suffix(fileName: string): string {
  return suffixes(basename(fileName)).at(-1) ?? '';
}

/**
 * Refuse a name a storage must not use (Django's validate_file_name). With
 * `allowRelativePath`, `avatars/a.png` passes but `/etc/passwd` and
 * `../a.png` do not; without it any folder part is refused.
 *
 * @throws SuspiciousFileOperation naming the bad name.
 */
export function validateFileName(name: string, allowRelativePath = false): string {
  const base = basename(name);
  if (base === '' || base === '.' || base === '..') {
    throw new SuspiciousFileOperation(`Could not derive file name from '${name}'`);
  }
  if (allowRelativePath) {
    const posix = name.replace(/\\/g, '/');
    if (posix.startsWith('/') || posix.split('/').includes('..')) {
      throw new SuspiciousFileOperation(
        `Detected path traversal attempt in '${name}'. Store files under names relative to the storage folder, without '..'.`,
      );
    }
  } else if (name !== base) {
    throw new SuspiciousFileOperation(`File name '${name}' includes path elements`);
  }
  return name;
}

/** Throw when a folder part holds `..` (Django's check in get_available_name and generate_filename). */
export function refuseTraversal(folder: string): void {
  if (folder.split('/').includes('..')) {
    throw new SuspiciousFileOperation(
      `Detected path traversal attempt in '${folder}'. Store files under names relative to the storage folder, without '..'.`,
    );
  }
}

const RANDOM_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * `length` characters drawn from `alphabet` (letters and digits by default) by a
 * cryptographic source (Django's get_random_string).
 */
export function randomString(length: number, alphabet: string = RANDOM_CHARS): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

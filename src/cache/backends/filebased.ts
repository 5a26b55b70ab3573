/**
 * The file-based cache (Django's FileBasedCache): one file per key in a folder that
 * every process on the machine can share.
 *
 * A key's file is `<md5 of the key>.djcache` (Django's naming), holding an 8-byte
 * header — the expiry time in epoch milliseconds as a float64, Infinity for none —
 * followed by the value's bytes from `encodeValue()`. Expiry compares with
 * `Date.now()`, and an expired file is removed when read.
 *
 * What is guaranteed between processes:
 * - writes are atomic: a value is written to a temporary file in the same folder and
 *   renamed over the key's file, so a reader sees the old value or the new one, never
 *   part of one;
 * - `add` is atomic when the key has no file: the fully written temporary file is
 *   hard-linked to the key's name, which fails if another process got there first, so
 *   exactly one concurrent `add` wins. When the file holds an expired value it is
 *   removed first; two processes racing on the same expired key may then both win;
 * - `touch` rewrites only the header in place, so it never undoes a concurrent `set`;
 * - `incr` reads and rewrites the value: atomic within a process's await steps, but not
 *   between processes (Django's file cache has the same limit). Use Redis or the
 *   database for counters several processes share.
 *
 * Culling is Django's: before a write, when the folder holds `MAX_ENTRIES` cache files
 * or more, a random 1/`CULL_FREQUENCY` of them is removed (all of them when
 * CULL_FREQUENCY is 0).
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CacheBackend, type CacheBackendParams, type Ttl } from '../backend.ts';
import { CacheUnavailableError, CacheValueNotIntegerError, InvalidCacheBackendError } from '../errors.ts';
import { decodeValue, encodeValue, UNREADABLE } from '../serializer.ts';

/** Django's suffix, so a folder's cache files are recognised by their name alone. */
export const CACHE_FILE_SUFFIX = '.djcache';
const TEMP_SUFFIX = '.tmp';
const HEADER_BYTES = 8;

interface FileEntry {
  readonly expires: number;
  readonly body: Buffer;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function expiry(ttl: Ttl): number {
  return ttl === null ? Infinity : Date.now() + ttl * 1000;
}

function header(expires: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeDoubleBE(expires, 0);
  return out;
}

function bodyOf(value: unknown): Buffer {
  const encoded = encodeValue(value);
  return typeof encoded === 'string' ? Buffer.from(encoded, 'latin1') : encoded;
}

/**
 * File-based cache: `BACKEND: 'filebased'` (or Django's
 * `'django.core.cache.backends.filebased.FileBasedCache'`), `LOCATION` a folder,
 * created (mode 0700) if missing. Every call does file I/O with node:fs/promises; a
 * folder that cannot be written (permissions, full disk) throws CacheUnavailableError,
 * so pages are still served without the cache.
 *
 * ```ts
 * CACHES = { default: { BACKEND: 'filebased', LOCATION: '/var/tmp/nuages_cache', OPTIONS: { MAX_ENTRIES: 1000 } } };
 * ```
 */
export class FileBasedCache extends CacheBackend {
  readonly shared = true;
  /** The absolute folder the files live in. */
  readonly dir: string;
  readonly #maxEntries: number;
  readonly #cullFrequency: number;
  #dirReady: Promise<void> | undefined;

  constructor(params: CacheBackendParams) {
    super(params);
    if (typeof params.location !== 'string' || params.location === '') {
      throw new InvalidCacheBackendError(`CACHES.${params.alias}.LOCATION must be the folder the file-based cache writes to, e.g. '/var/tmp/nuages_cache'.`);
    }
    this.dir = resolve(params.location);
    this.#maxEntries = params.maxEntries;
    this.#cullFrequency = params.cullFrequency;
  }

  /** The file that holds `key`. */
  fileFor(key: string): string {
    return join(this.dir, createHash('md5').update(key).digest('hex') + CACHE_FILE_SUFFIX);
  }

  async get(key: string): Promise<unknown> {
    const entry = await this.#read(this.fileFor(key));
    if (entry === undefined) return undefined;
    const value = decodeValue(entry.body, key);
    return value === UNREADABLE ? undefined : value;
  }

  async set(key: string, value: unknown, ttl: Ttl): Promise<void> {
    const file = this.fileFor(key);
    const body = bodyOf(value);
    await this.#cull();
    const temp = await this.#writeTemp(file, expiry(ttl), body);
    try {
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw this.#ioError('write', error);
    }
  }

  async add(key: string, value: unknown, ttl: Ttl): Promise<boolean> {
    const file = this.fileFor(key);
    // Reading removes an expired file, so the link below can take its name.
    if ((await this.#read(file)) !== undefined) return false;
    const body = bodyOf(value);
    await this.#cull();
    const temp = await this.#writeTemp(file, expiry(ttl), body);
    try {
      await this.#linkExclusive(temp, file);
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw this.#ioError('write', error);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      await unlink(this.fileFor(key));
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw this.#ioError('delete', error);
    }
  }

  async touch(key: string, ttl: Ttl): Promise<boolean> {
    const file = this.fileFor(key);
    let handle;
    try {
      handle = await open(file, 'r+');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw this.#ioError('read', error);
    }
    let expired = false;
    let inode: number | undefined;
    try {
      inode = (await handle.stat()).ino;
      const current = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(current, 0, HEADER_BYTES, 0);
      expired = bytesRead < HEADER_BYTES || current.readDoubleBE(0) <= Date.now();
      // A set that renamed a new file in meanwhile is untouched: this writes to the old inode.
      if (!expired) await handle.write(header(expiry(ttl)), 0, HEADER_BYTES, 0);
    } finally {
      await handle.close();
    }
    if (expired) await this.#removeIfSame(file, inode);
    return !expired;
  }

  async incr(key: string, delta: number): Promise<number | undefined> {
    const file = this.fileFor(key);
    const entry = await this.#read(file);
    if (entry === undefined) return undefined;
    const value = decodeValue(entry.body, key);
    if (value === UNREADABLE) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new CacheValueNotIntegerError(key);
    const next = value + delta;
    const temp = await this.#writeTemp(file, entry.expires, bodyOf(next));
    try {
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw this.#ioError('write', error);
    }
    return next;
  }

  /** Remove every cache file of the folder (other files stay), as Django's clear. */
  async clear(): Promise<void> {
    await Promise.all((await this.#cacheFiles()).map((file) => rm(file, { force: true })));
  }

  override async has(key: string): Promise<boolean> {
    return (await this.#read(this.fileFor(key))) !== undefined;
  }

  /** The live entry in `file`, or undefined; an expired or truncated file is removed. */
  async #read(file: string): Promise<FileEntry | undefined> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw this.#ioError('read', error);
    }
    let content: Buffer;
    let inode: number;
    try {
      inode = (await handle.stat()).ino;
      content = await handle.readFile();
    } finally {
      await handle.close();
    }
    // Django counts an empty file as expired; a file shorter than its header is no entry either.
    const expires = content.length < HEADER_BYTES ? 0 : content.readDoubleBE(0);
    if (expires <= Date.now()) {
      await this.#removeIfSame(file, inode);
      return undefined;
    }
    return { expires, body: content.subarray(HEADER_BYTES) };
  }

  /**
   * Remove `file` if it is still the inode that was read: another process may have
   * renamed a fresh value over it since, and that one must stay.
   */
  async #removeIfSame(file: string, inode: number | undefined): Promise<void> {
    try {
      if (inode !== undefined && (await stat(file)).ino === inode) await unlink(file);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw this.#ioError('delete', error);
    }
  }

  /** Write a complete entry to a temporary file next to `file`; returns its path. */
  async #writeTemp(file: string, expires: number, body: Buffer): Promise<string> {
    await this.#ensureDir();
    const temp = `${file}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    const content = Buffer.concat([header(expires), body]);
    try {
      await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw this.#ioError('write', error);
      // The folder was removed while in use (Django recreates it on every set too).
      this.#dirReady = undefined;
      await this.#ensureDir();
      await writeFile(temp, content, { mode: 0o600, flag: 'wx' }).catch((retryError: unknown) => {
        throw this.#ioError('write', retryError);
      });
    }
    return temp;
  }

  /** Give `temp`'s content the name `file` only if no file has it (EEXIST otherwise). */
  async #linkExclusive(temp: string, file: string): Promise<void> {
    try {
      await link(temp, file);
    } catch (error) {
      const code = errorCode(error);
      // File systems without hard links: an exclusive copy, briefly visible while it is filled.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      await copyFile(temp, file, constants.COPYFILE_EXCL);
    }
  }

  #ensureDir(): Promise<void> {
    this.#dirReady ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (error: unknown) => {
        this.#dirReady = undefined;
        throw this.#ioError('create', error);
      },
    );
    return this.#dirReady;
  }

  async #cacheFiles(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((name) => name.endsWith(CACHE_FILE_SUFFIX)).map((name) => join(this.dir, name));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw this.#ioError('read', error);
    }
  }

  async #cull(): Promise<void> {
    const files = await this.#cacheFiles();
    if (files.length < this.#maxEntries) return;
    if (this.#cullFrequency === 0) {
      await this.clear();
      return;
    }
    // A random sample, as Django's: no access times to go by, and no file is favoured.
    const count = Math.floor(files.length / this.#cullFrequency);
    for (let i = 0; i < count; i++) {
      const j = i + randomInt(files.length - i);
      [files[i], files[j]] = [files[j]!, files[i]!];
    }
    await Promise.all(files.slice(0, count).map((file) => rm(file, { force: true })));
  }

  #ioError(action: 'read' | 'write' | 'delete' | 'create', error: unknown): Error {
    if (errorCode(error) === undefined) return error as Error;
    return new CacheUnavailableError(
      `The file-based cache could not ${action} in ${this.dir} (${(error as Error).message}). Check that the folder of CACHES.${this.alias}.LOCATION exists, is writable by this process, and that the disk has room.`,
      { cause: error },
    );
  }
}

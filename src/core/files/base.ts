/**
 * Files Nuages hands around: `File` (content in memory or at a path) and
 * `ContentFile` (content given as a string or bytes). Uploads are the HTTP
 * layer's `UploadedFile`, which has the same reading surface; storages accept
 * any `Readable` of these.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { UploadedFile } from '../../http/multipart.ts';

export { UploadedFile };

/** What a storage can save: anything with a name, a size and chunks (File, ContentFile, UploadedFile). */
export interface Readable {
  readonly name: string;
  readonly size: number;
  chunks(chunkSize?: number): AsyncIterable<Buffer>;
  read(): Promise<Buffer>;
  /** A file already on disk that may be moved instead of copied (an upload spilled to a temporary file). */
  readonly temporaryFilePath?: string | undefined;
}

/**
 * A named file whose content is in memory or on disk (Django's File). Storages
 * return one from `open()`.
 *
 * ```ts
 * const file = await defaultStorage().open('covers/dune.png');
 * const bytes = await file.read();
 * ```
 */
export class File implements Readable {
  /** The name as the storage knows it (relative to its folder), or the given name. */
  name: string;
  #content: Buffer | undefined;
  #path: string | undefined;

  /** `source` is the content, or `{ path }` for a file on disk read when needed. */
  constructor(source: Buffer | { path: string }, name: string) {
    if (Buffer.isBuffer(source)) this.#content = source;
    else this.#path = source.path;
    this.name = name;
  }

  /** Where the content is on disk, for a file opened from a file-system storage. */
  get path(): string | undefined {
    return this.#path;
  }

  /** Size in bytes; a file on disk is asked each time, as it may have changed. */
  get size(): number {
    if (this.#content !== undefined) return this.#content.length;
    return this.#path === undefined ? 0 : statSync(this.#path).size;
  }

  async read(): Promise<Buffer> {
    if (this.#content !== undefined) return this.#content;
    return this.#path === undefined ? Buffer.alloc(0) : readFile(this.#path);
  }

  /** The whole content, synchronously. */
  readSync(): Buffer {
    if (this.#content !== undefined) return this.#content;
    return this.#path === undefined ? Buffer.alloc(0) : readFileSync(this.#path);
  }

  /** At most the first `length` bytes, synchronously. */
  head(length: number): Buffer {
    return this.readSync().subarray(0, length);
  }

  /** The content in pieces of at most `chunkSize` bytes (default 64 KiB). */
  async *chunks(chunkSize = 64 * 1024): AsyncIterable<Buffer> {
    if (this.#path !== undefined && this.#content === undefined) {
      for await (const chunk of createReadStream(this.#path, { highWaterMark: chunkSize })) yield chunk as Buffer;
      return;
    }
    const content = this.#content ?? Buffer.alloc(0);
    for (let at = 0; at < content.length; at += chunkSize) yield content.subarray(at, at + chunkSize);
  }

  /** Whether `chunks(chunkSize)` yields more than one piece. */
  multipleChunks(chunkSize = 64 * 1024): boolean {
    return this.size > chunkSize;
  }

  toString(): string {
    return this.name;
  }
}

/**
 * A File from a string (UTF-8) or bytes (Django's ContentFile).
 *
 * ```ts
 * const name = await defaultStorage().save('notes/hello.txt', new ContentFile('hello'));
 * ```
 */
export class ContentFile extends File {
  constructor(content: string | Uint8Array, name = '') {
    super(typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content), name);
  }
}

/** The first `length` bytes of any file Nuages knows, synchronously (for sniffing types in sync validators). */
export function headOf(file: unknown, length: number): Buffer | undefined {
  if (file instanceof UploadedFile || file instanceof File) return file.head(length);
  if (Buffer.isBuffer(file)) return file.subarray(0, length);
  return undefined;
}

/** The whole content of any file Nuages knows, synchronously. */
export function bytesOf(file: unknown): Buffer | undefined {
  if (file instanceof UploadedFile || file instanceof File) return file.readSync();
  if (Buffer.isBuffer(file)) return file;
  return undefined;
}

/**
 * multipart/form-data: streaming parse with busboy into POST and FILES, and
 * the UploadedFile a view receives.
 *
 * body chunks → busboy → fields (counted against DATA_UPLOAD_MAX_MEMORY_SIZE
 * and DATA_UPLOAD_MAX_NUMBER_FIELDS) and files (held in memory up to
 * FILE_UPLOAD_MAX_MEMORY_SIZE, then spilled to a temporary file, as Django's
 * upload handlers do). busboy is the parser Node's ecosystem trusts (it backs
 * multer and fastify-multipart); what is Nuages here is the limits and the API.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, openSync, readFileSync, readSync, type WriteStream } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import busboy from 'busboy';
import { RequestAborted, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent } from '../core/exceptions.ts';
import { MultiPartParserError } from './errors.ts';
import { MultiValueDict, QueryDict } from './query-dict.ts';

/**
 * A file from a multipart upload (Django's UploadedFile): in memory when small,
 * in a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE.
 *
 * ```ts
 * const cover = request.FILES.get('cover');
 * if (cover) await writeFile(`media/${cover.name}`, await cover.read());
 * ```
 */
export class UploadedFile {
  /** The client's file name, reduced to a safe base name (no directories, no control characters). */
  readonly name: string;
  /** The form field it was sent under. */
  readonly fieldName: string;
  /** The client's claim; forms' ImageField replaces it with the type its bytes show. */
  contentType: string;
  /** Set by forms' ImageField once the bytes proved to be an image. */
  image: { width: number; height: number; format: string } | undefined;
  readonly charset: string | undefined;
  readonly size: number;
  #content: Buffer | undefined;
  #path: string | undefined;

  constructor(init: {
    name: string;
    fieldName?: string;
    contentType?: string;
    charset?: string;
    size: number;
    content?: Buffer;
    temporaryFilePath?: string;
  }) {
    this.name = init.name;
    this.fieldName = init.fieldName ?? '';
    this.contentType = init.contentType ?? 'application/octet-stream';
    this.charset = init.charset;
    this.size = init.size;
    this.#content = init.content;
    this.#path = init.temporaryFilePath;
  }

  /** A file held in memory, for tests (Django's SimpleUploadedFile). */
  static fromContent(name: string, content: string | Uint8Array, contentType = 'text/plain'): UploadedFile {
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    return new UploadedFile({ name, contentType, size: buffer.length, content: buffer });
  }

  /** Where the content is on disk when it was too large for memory; undefined otherwise. */
  get temporaryFilePath(): string | undefined {
    return this.#path;
  }

  /** Whether the whole file sits in memory. */
  get inMemory(): boolean {
    return this.#content !== undefined;
  }

  /** The whole content. For a large file prefer `chunks()`. */
  async read(): Promise<Buffer> {
    if (this.#content !== undefined) return this.#content;
    if (this.#path !== undefined) return readFile(this.#path);
    return Buffer.alloc(0);
  }

  /** The whole content, read synchronously (fields' sync `clean()` inspects uploads with it). */
  readSync(): Buffer {
    if (this.#content !== undefined) return this.#content;
    if (this.#path !== undefined) return readFileSync(this.#path);
    return Buffer.alloc(0);
  }

  /** At most the first `length` bytes, read synchronously: enough to sniff a file's type. */
  head(length: number): Buffer {
    if (this.#content !== undefined) return this.#content.subarray(0, length);
    if (this.#path === undefined) return Buffer.alloc(0);
    const fd = openSync(this.#path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      return buffer.subarray(0, readSync(fd, buffer, 0, length, 0));
    } finally {
      closeSync(fd);
    }
  }

  /** The content decoded as text (its charset, else UTF-8). */
  async text(): Promise<string> {
    return new TextDecoder(this.charset ?? 'utf-8').decode(await this.read());
  }

  /** The content in pieces of at most `chunkSize` bytes (default 64 KiB). */
  async *chunks(chunkSize = 64 * 1024): AsyncIterable<Buffer> {
    if (this.#path !== undefined) {
      for await (const chunk of createReadStream(this.#path, { highWaterMark: chunkSize })) yield chunk as Buffer;
      return;
    }
    const content = this.#content ?? Buffer.alloc(0);
    for (let at = 0; at < content.length; at += chunkSize) yield content.subarray(at, at + chunkSize);
  }

  /** Whether `chunks(chunkSize)` yields more than one piece (Django's `multiple_chunks()`). */
  multipleChunks(chunkSize = 64 * 1024): boolean {
    return this.size > chunkSize;
  }

  /** Delete the temporary file, if any. */
  async close(): Promise<void> {
    const path = this.#path;
    if (path === undefined) return;
    this.#path = undefined;
    await unlink(path).catch(() => undefined);
  }

  toString(): string {
    return this.name;
  }
}

/** Limits and decoding for `parseMultipart()`; request.readBody() fills them from settings. */
export interface MultipartOptions {
  /** The full Content-Type header, with its boundary. */
  contentType: string;
  /** Charset of field values without their own; default 'utf-8'. */
  encoding?: string;
  /** Total bytes of non-file fields (DATA_UPLOAD_MAX_MEMORY_SIZE); null: no limit. */
  maxMemorySize?: number | null;
  /** DATA_UPLOAD_MAX_NUMBER_FIELDS; null: no limit. */
  maxNumFields?: number | null;
  /** DATA_UPLOAD_MAX_NUMBER_FILES; null: no limit. */
  maxNumFiles?: number | null;
  /** A file larger than this goes to a temporary file (FILE_UPLOAD_MAX_MEMORY_SIZE). */
  fileMaxMemorySize?: number;
  /** Largest single file accepted (FILE_UPLOAD_MAX_SIZE, a Nuages setting); null: no limit. */
  maxFileSize?: number | null;
  /** Folder for temporary files (FILE_UPLOAD_TEMP_DIR); default the OS's. */
  tempDir?: string | null;
}

/**
 * Reduce a client-supplied file name to a base name (Django's `sanitize_file_name`):
 * directories of either separator dropped, non-printable characters removed;
 * undefined for a name that is then empty, '.' or '..'.
 */
export function sanitizeFileName(name: string): string | undefined {
  const base = name.split('/').at(-1)!.split('\\').at(-1)!;
  // Control characters (C0, DEL, C1) and Unicode format/separator marks cannot be printed.
  const clean = base.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
  return clean === '' || clean === '.' || clean === '..' ? undefined : clean;
}

/**
 * Parse a multipart/form-data body into fields and files.
 *
 * @throws MultiPartParserError for a malformed body (missing boundary, truncated
 *   parts); RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent past the limits;
 *   RequestAborted when the body stream fails.
 */
export async function parseMultipart(
  source: AsyncIterable<Uint8Array>,
  options: MultipartOptions,
): Promise<{ post: QueryDict; files: MultiValueDict<UploadedFile> }> {
  const encoding = options.encoding ?? 'utf-8';
  const maxMemory = options.maxMemorySize ?? null;
  const maxFields = options.maxNumFields ?? null;
  const maxFiles = options.maxNumFiles ?? null;
  const maxFileSize = options.maxFileSize ?? null;
  const fileMemory = options.fileMaxMemorySize ?? 2621440;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': options.contentType },
      defCharset: encoding,
      defParamCharset: 'utf8',
      limits: {
        // busboy truncates silently at its limits; ours throw instead, so its own stay out of the way.
        fieldSize: maxMemory === null ? Infinity : maxMemory + 1,
        fileSize: maxFileSize === null ? Infinity : maxFileSize,
        fieldNameSize: 1024,
      },
    });
  } catch (error) {
    throw new MultiPartParserError(
      `Invalid multipart/form-data Content-Type ${JSON.stringify(options.contentType)}: ${(error as Error).message}. ` +
        "It needs a boundary parameter: 'multipart/form-data; boundary=...'.",
      { cause: error },
    );
  }

  const post = new QueryDict(undefined, { encoding });
  const files = new MultiValueDict<UploadedFile>();
  const received: UploadedFile[] = [];
  const pending: Promise<void>[] = [];
  let fieldBytes = 0;
  let fieldCount = 0;
  let fileCount = 0;
  let failure: Error | undefined;

  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      if (failure !== undefined) return;
      failure = error;
      reject(error);
    };
    parser.on('field', (name, value, info) => {
      if (failure !== undefined) return;
      fieldCount += 1;
      if (maxFields !== null && fieldCount > maxFields) {
        fail(
          new TooManyFieldsSent(
            `The number of form fields exceeded DATA_UPLOAD_MAX_NUMBER_FIELDS (${maxFields}). Raise the setting if the form really needs more.`,
          ),
        );
        return;
      }
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (info.valueTruncated || (maxMemory !== null && fieldBytes > maxMemory)) {
        fail(
          new RequestDataTooBig(
            `The form fields exceeded DATA_UPLOAD_MAX_MEMORY_SIZE (${maxMemory} bytes); files do not count toward it, so send large content as a file.`,
          ),
        );
        return;
      }
      post.appendList(name, value);
    });
    parser.on('file', (fieldName, stream, info) => {
      if (failure !== undefined) {
        stream.resume();
        return;
      }
      const name = info.filename === undefined ? undefined : sanitizeFileName(info.filename);
      // A file input left empty arrives with no name; Django skips such parts.
      if (name === undefined) {
        stream.resume();
        return;
      }
      fileCount += 1;
      if (maxFiles !== null && fileCount > maxFiles) {
        stream.resume();
        fail(
          new TooManyFilesSent(
            `The number of uploaded files exceeded DATA_UPLOAD_MAX_NUMBER_FILES (${maxFiles}). Raise the setting if the form really needs more.`,
          ),
        );
        return;
      }
      // busboy passes the part's media type without parameters, so a part's charset is not known.
      const mime = info.mimeType || 'application/octet-stream';
      stream.on('limit', () => {
        fail(
          new RequestDataTooBig(
            `The uploaded file ${JSON.stringify(name)} exceeded FILE_UPLOAD_MAX_SIZE (${maxFileSize} bytes).`,
          ),
        );
      });
      const job = receiveFile(stream, fileMemory, options.tempDir ?? tmpdir(), () => failure !== undefined).then(
        ({ content, path, size }) => {
          const file = new UploadedFile({
            name,
            fieldName,
            contentType: mime.trim().toLowerCase(),
            size,
            content,
            temporaryFilePath: path,
          });
          received.push(file);
          if (failure === undefined) files.appendList(fieldName, file);
        },
      );
      pending.push(job.catch((error: Error) => fail(error)));
    });
    parser.on('error', (error: Error) => {
      fail(new MultiPartParserError(`Malformed multipart/form-data body: ${error.message}.`, { cause: error }));
    });
    parser.on('close', () => {
      void Promise.all(pending).then(() => {
        if (failure === undefined) resolve();
      });
    });
  });
  // Keep an early rejection from being reported as unhandled while we are still feeding.
  done.catch(() => undefined);

  try {
    for await (const chunk of source) {
      if (failure !== undefined) break;
      if (!parser.write(chunk)) await Promise.race([once(parser, 'drain'), done.catch(() => undefined)]);
    }
    if (failure === undefined) parser.end();
  } catch (error) {
    if (failure === undefined) {
      failure = new RequestAborted(`The client closed the connection during a multipart upload: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  try {
    if (failure !== undefined) throw failure;
    await done;
  } catch (error) {
    parser.destroy();
    await Promise.allSettled(pending);
    await Promise.all(received.map((file) => file.close()));
    throw error;
  }
  return { post: new QueryDict(post.lists(), { encoding, mutable: false }), files };
}

/** Read one file part: memory until `memoryLimit`, then a temporary file. */
async function receiveFile(
  stream: NodeJS.ReadableStream,
  memoryLimit: number,
  tempDir: string,
  aborted: () => boolean,
): Promise<{ content: Buffer | undefined; path: string | undefined; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let out: WriteStream | undefined;
  let path: string | undefined;
  try {
    for await (const raw of stream) {
      if (aborted()) continue;
      const chunk = raw as Buffer;
      size += chunk.length;
      if (out === undefined && size > memoryLimit) {
        path = join(tempDir, `nuages-upload-${randomBytes(12).toString('hex')}.upload`);
        out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
        for (const held of chunks) out.write(held);
        chunks.length = 0;
      }
      if (out !== undefined) {
        if (!out.write(chunk)) await once(out, 'drain');
      } else {
        chunks.push(chunk);
      }
    }
  } finally {
    if (out !== undefined) {
      out.end();
      await once(out, 'close');
    }
  }
  if (aborted() && path !== undefined) {
    await unlink(path).catch(() => undefined);
    return { content: undefined, path: undefined, size };
  }
  return out !== undefined ? { content: undefined, path, size } : { content: Buffer.concat(chunks), path: undefined, size };
}

/** A value `encodeMultipart()` can send: a string field or a file. */
export type MultipartValue = string | UploadedFile;

/**
 * Encode fields and files as a multipart/form-data body (the test client and
 * tests build uploads with it). Arrays send repeated fields.
 *
 * ```ts
 * const { body, contentType } = await encodeMultipart({ title: 'Dune', cover: UploadedFile.fromContent('c.png', bytes, 'image/png') });
 * ```
 */
export async function encodeMultipart(
  data: Readonly<Record<string, MultipartValue | readonly MultipartValue[]>>,
  boundary = `NuagesBoundary${randomBytes(12).toString('hex')}`,
): Promise<{ body: Buffer; contentType: string }> {
  const parts: Buffer[] = [];
  const quoteParam = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]/g, ' ');
  for (const [key, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? (value as readonly MultipartValue[]) : [value as MultipartValue]) {
      if (item instanceof UploadedFile) {
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(key)}"; filename="${quoteParam(item.name)}"\r\n` +
              `Content-Type: ${item.contentType}\r\n\r\n`,
          ),
          await item.read(),
          Buffer.from('\r\n'),
        );
      } else {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quoteParam(key)}"\r\n\r\n${item}\r\n`));
      }
    }
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

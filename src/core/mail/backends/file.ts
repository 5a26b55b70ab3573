/**
 * Writes messages to a file in EMAIL_FILE_PATH, one file per backend instance ("per
 * connection", as Django's file backend), each message followed by a line of dashes.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { settingOr } from '../../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../errors.ts';
import type { EmailMessage } from '../message.ts';
import type { EmailBackendOptions } from './base.ts';
import { MESSAGE_SEPARATOR, StreamEmailBackend } from './stream.ts';

/** Options of the file backend. */
export interface FileEmailBackendOptions extends EmailBackendOptions {
  /** The folder to write to; default EMAIL_FILE_PATH. Created when missing. */
  filePath?: string;
}

export class FileEmailBackend extends StreamEmailBackend {
  /** The folder messages are written to (absolute). */
  readonly filePath: string;
  #fileName: string | undefined;
  #handle: FileHandle | undefined;

  /** @throws ImproperlyConfigured when the folder is not set, not a folder, or not writable. */
  constructor(options: FileEmailBackendOptions = {}) {
    super(options);
    const folder = options.filePath ?? settingOr<string | null>('EMAIL_FILE_PATH', null);
    if (!folder) {
      throw new ImproperlyConfigured("The file email backend needs a folder: set EMAIL_FILE_PATH (e.g. EMAIL_FILE_PATH: '/tmp/app-messages').");
    }
    this.filePath = resolve(folder);
    try {
      mkdirSync(this.filePath, { recursive: true });
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ENOTDIR'
        ? 'exists, but is not a directory'
        : `could not be created (${(error as Error).message})`;
      throw new ImproperlyConfigured(`EMAIL_FILE_PATH ${this.filePath} ${reason}; point it to a folder the server can write to.`, { cause: error });
    }
    try {
      accessSync(this.filePath, constants.W_OK);
    } catch (error) {
      throw new ImproperlyConfigured(`EMAIL_FILE_PATH ${this.filePath} is not writable; point it to a folder the server can write to.`, { cause: error });
    }
  }

  /** The file this backend writes to: `<timestamp>-<random>.log` in `filePath`, fixed on first use. */
  get fileName(): string {
    if (this.#fileName === undefined) {
      const now = new Date();
      const pad = (n: number) => String(n).padStart(2, '0');
      const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
      this.#fileName = join(this.filePath, `${stamp}-${randomBytes(6).toString('hex')}.log`);
    }
    return this.#fileName;
  }

  override async open(): Promise<boolean> {
    if (this.#handle !== undefined) return false;
    this.#handle = await open(this.fileName, 'a');
    return true;
  }

  override async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  protected async writeMessage(message: EmailMessage): Promise<void> {
    const bytes = await message.message().asBytes();
    await this.#handle!.write(Buffer.concat([bytes, Buffer.from(MESSAGE_SEPARATOR)]));
  }
}

/**
 * Writes each message, as the MIME text a server would receive, to standard output (the
 * development default, as Django's console backend), each followed by a line of dashes.
 */
import type { EmailMessage } from '../message.ts';
import type { EmailBackendOptions, TextStream } from './base.ts';
import { MESSAGE_SEPARATOR, StreamEmailBackend } from './stream.ts';

/** Options of the console backend. */
export interface ConsoleEmailBackendOptions extends EmailBackendOptions {
  /** Where messages are written; default `process.stdout`. */
  stream?: TextStream;
}

export class ConsoleEmailBackend extends StreamEmailBackend {
  readonly stream: TextStream;

  constructor(options: ConsoleEmailBackendOptions = {}) {
    super(options);
    this.stream = options.stream ?? process.stdout;
  }

  protected async writeMessage(message: EmailMessage): Promise<void> {
    this.stream.write(`${await message.message().asString()}${MESSAGE_SEPARATOR}`);
  }
}

/**
 * The contract of an email backend (Django's BaseEmailBackend): `sendMessages()` sends and
 * answers how many went out; `open()`/`close()` hold a connection across several calls.
 */
import type { EmailMessage } from '../message.ts';

/** What every backend's constructor accepts; each backend adds its own options. */
export interface EmailBackendOptions {
  /** Swallow sending errors instead of throwing them (the message counts as not sent). */
  failSilently?: boolean;
}

/**
 * A way of sending email. Backends that talk to a server open a connection in `open()`;
 * `sendMessages()` opens and closes one itself unless one is already open, so a caller
 * that sends in batches opens once:
 *
 * ```ts
 * await using connection = getConnection();
 * await connection.open();
 * await connection.sendMessages(firstBatch);
 * await connection.sendMessages(secondBatch); // same SMTP connection
 * ```
 */
export abstract class EmailBackend {
  readonly failSilently: boolean;

  constructor(options: EmailBackendOptions = {}) {
    this.failSilently = options.failSilently ?? false;
  }

  /** Opens the connection; resolves to true when a new one was opened. Default: nothing to open. */
  async open(): Promise<boolean> {
    return false;
  }

  /** Closes the connection `open()` opened; safe to call when none is open. */
  async close(): Promise<void> {}

  /** Sends `messages`; resolves to how many were sent. */
  abstract sendMessages(messages: readonly EmailMessage[]): Promise<number>;

  /** `await using connection = getConnection()` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Something `write()` can be called on: `process.stdout`, a file stream, a test's collector. */
export interface TextStream {
  write(text: string): unknown;
}

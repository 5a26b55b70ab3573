/**
 * Questions a command asks on its stdin, one line per answer (createsuperuser,
 * changepassword). One reader serves every question, so answers piped in ahead of the
 * prompts are all kept; on a terminal, `askHidden()` reads a password without echoing it.
 * End of input or Ctrl-C ends the command with "Operation cancelled.".
 */
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CommandError, type Reader, type Writer } from './base.ts';

/** Asks questions on `input`, writing them to `output`. Close it when done, or the process waits for more input. */
export class Prompter {
  readonly #output: Writer;
  readonly #terminal: boolean;
  readonly #readline: Interface;
  readonly #lines: AsyncIterator<string>;
  #muted = false;

  constructor(input: Reader, output: Writer) {
    this.#output = output;
    this.#terminal = input.isTTY === true && typeof (input as { setRawMode?: unknown }).setRawMode === 'function';
    // Keystrokes echo through this stream, which stays silent while a password is typed.
    const echo = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        if (!this.#muted) output.write(String(chunk));
        done();
      },
    });
    this.#readline = createInterface({ input, output: echo, terminal: this.#terminal });
    this.#readline.on('SIGINT', () => this.#readline.close());
    this.#lines = this.#readline[Symbol.asyncIterator]();
  }

  /** Writes `question` and returns the next line typed (without its line ending). */
  async ask(question: string): Promise<string> {
    this.#output.write(question);
    const next = await this.#lines.next();
    if (next.done) {
      this.#output.write('\n');
      throw new CommandError('Operation cancelled.');
    }
    return next.value;
  }

  /** As `ask()`, but a terminal does not show what is typed (Python's getpass). */
  async askHidden(question: string): Promise<string> {
    this.#muted = true;
    try {
      return await this.ask(question);
    } finally {
      this.#muted = false;
      if (this.#terminal) this.#output.write('\n');
    }
  }

  /** Stops reading the input. */
  close(): void {
    this.#readline.close();
  }
}

/** Writes each message to standard output (the development default, as Django's console backend). */
import type { EmailMessage } from '../message.ts';
import { EmailBackend } from './base.ts';

export class ConsoleEmailBackend extends EmailBackend {
  readonly stream: { write(text: string): unknown };

  constructor(options: { stream?: { write(text: string): unknown } } = {}) {
    super();
    this.stream = options.stream ?? process.stdout;
  }

  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    for (const message of messages) this.stream.write(`${message.toText()}\n${'-'.repeat(79)}\n`);
    return messages.length;
  }
}

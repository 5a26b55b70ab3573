/** What the console and file backends share: write each message in turn, opening around the batch. */
import type { EmailMessage } from '../message.ts';
import { EmailBackend } from './base.ts';

/** The separator Django writes after each message: 79 dashes. */
export const MESSAGE_SEPARATOR = `\n${'-'.repeat(79)}\n`;

/** A backend that writes messages somewhere instead of sending them. */
export abstract class StreamEmailBackend extends EmailBackend {
  /** Writes one message followed by MESSAGE_SEPARATOR. */
  protected abstract writeMessage(message: EmailMessage): Promise<void>;

  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    let sent = 0;
    try {
      const opened = await this.open();
      try {
        for (const message of messages) {
          await this.writeMessage(message);
          sent += 1;
        }
      } finally {
        if (opened) await this.close();
      }
    } catch (error) {
      if (!this.failSilently) throw error;
    }
    return sent;
  }
}

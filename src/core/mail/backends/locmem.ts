/** Keeps messages in `outbox` instead of sending them (for tests, as Django's locmem backend). */
import type { EmailMessage } from '../message.ts';
import { EmailBackend } from './base.ts';

/**
 * Every message the locmem backend "sent", oldest first (Django's `mail.outbox`); tests
 * read it and empty it (`useMailOutbox()` from `nuages/test` empties it before each test).
 */
export const outbox: EmailMessage[] = [];

export class LocmemEmailBackend extends EmailBackend {
  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    // message() refuses what a real backend would refuse, so tests see the same errors.
    for (const message of messages) message.message();
    outbox.push(...messages);
    return messages.length;
  }
}

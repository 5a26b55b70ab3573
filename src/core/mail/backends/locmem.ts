/** Keeps messages in `outbox` instead of sending them (for tests, as Django's locmem backend). */
import type { EmailMessage } from '../message.ts';
import { EmailBackend } from './base.ts';

/** Every message the locmem backend "sent", oldest first; tests read and empty it. */
export const outbox: EmailMessage[] = [];

export class LocmemEmailBackend extends EmailBackend {
  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    for (const message of messages) message.toText(); // refuses what a real backend would refuse
    outbox.push(...messages);
    return messages.length;
  }
}

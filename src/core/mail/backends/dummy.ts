/**
 * Sends nothing and reports every message as sent (Django's dummy backend), e.g. for a
 * staging copy of the site. It still composes each message, so a bad header fails here as
 * it would in production (Django's dummy backend does not look at the messages).
 */
import type { EmailMessage } from '../message.ts';
import { EmailBackend } from './base.ts';

export class DummyEmailBackend extends EmailBackend {
  async sendMessages(messages: readonly EmailMessage[]): Promise<number> {
    for (const message of messages) message.message();
    return messages.length;
  }
}

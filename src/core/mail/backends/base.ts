/** The contract of an email backend: send messages, answer how many went out. */
import type { EmailMessage } from '../message.ts';

export abstract class EmailBackend {
  /** Sends `messages`; resolves to how many were sent. */
  abstract sendMessages(messages: readonly EmailMessage[]): Promise<number>;
}

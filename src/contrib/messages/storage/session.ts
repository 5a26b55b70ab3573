/** Messages in the session under `_messages` (Django's SessionStorage, same JSON text). */
import { ImproperlyConfigured } from '../../../core/errors.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { SessionBase } from '../../sessions/backends/base.ts';
import type { Message } from '../message.ts';
import { BaseStorage } from './base.ts';
import { encodeMessage, reviveMessages } from './encoding.ts';

const SESSION_KEY = '_messages';

export class SessionStorage extends BaseStorage {
  #session(): SessionBase {
    const session = this.request.session as SessionBase | undefined;
    if (session === undefined || session === null) {
      throw new ImproperlyConfigured(
        "The session-based message storage needs request.session: add 'nuages/contrib/sessions#SessionMiddleware' to MIDDLEWARE before MessageMiddleware.",
      );
    }
    return session;
  }

  override async retrieve(): Promise<{ messages: Message[] | null; allRetrieved: boolean }> {
    const data = await this.#session().get<unknown>(SESSION_KEY);
    if (typeof data !== 'string' || data === '') return { messages: null, allRetrieved: true };
    try {
      const messages = reviveMessages(JSON.parse(data));
      return { messages: Array.isArray(messages) ? (messages as Message[]) : null, allRetrieved: true };
    } catch {
      return { messages: null, allRetrieved: true };
    }
  }

  override async store(messages: Message[], _response: HttpResponseBase): Promise<Message[]> {
    const session = this.#session();
    // Django's default JSON separators here, so the session value is the text Django writes.
    if (messages.length > 0) await session.set(SESSION_KEY, `[${messages.map((m) => encodeMessage(m, ', ')).join(', ')}]`);
    else await session.pop(SESSION_KEY, null);
    return [];
  }
}

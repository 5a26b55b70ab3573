/** Messages in the session under `_messages` (Django's SessionStorage, same JSON text). */
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { SessionBase } from '../../sessions/backends/base.ts';
import { requestSession } from '../../sessions/middleware.ts';
import type { Message } from '../message.ts';
import { BaseStorage, type Retrieved } from './base.ts';
import { encodeMessage, reviveMessages } from './encoding.ts';

const SESSION_KEY = '_messages';

/** The session-based storage: any number of messages, one session write when they change. */
export class SessionStorage extends BaseStorage {
  readonly #session: SessionBase;

  /** @throws ImproperlyConfigured when the request has no session (SessionMiddleware missing or after MessageMiddleware). */
  constructor(request: HttpRequest) {
    super(request);
    const session = requestSession(
      request,
      'The session-based message storage (used by the default fallback storage too)',
      "before MessageMiddleware, or set MESSAGE_STORAGE: 'cookie'",
    );
    this.#session = session;
  }

  override async retrieve(): Promise<Retrieved> {
    return { messages: deserialize(await this.#session.get<unknown>(SESSION_KEY)), allRetrieved: true };
  }

  override async store(messages: Message[], _response: HttpResponseBase): Promise<Message[]> {
    if (messages.length > 0) await this.#session.set(SESSION_KEY, serializeMessages(messages));
    else await this.#session.pop(SESSION_KEY, null);
    return [];
  }
}

/**
 * The session value of `messages`: Django's MessageEncoder().encode() text, with Python's
 * default `', '` separators, so a Django project sharing the session reads it.
 */
export function serializeMessages(messages: readonly Message[]): string {
  return `[${messages.map((message) => encodeMessage(message, ', ')).join(', ')}]`;
}

// A value that is not Django's JSON text (written by something else) reads as no messages
// rather than failing the request.
function deserialize(data: unknown): Message[] | null {
  if (typeof data !== 'string' || data === '') return null;
  try {
    const messages = reviveMessages(JSON.parse(data));
    return Array.isArray(messages) ? (messages as Message[]) : null;
  } catch {
    return null;
  }
}

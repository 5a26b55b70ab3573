/**
 * The cookie first, the session for what does not fit (Django's FallbackStorage, the
 * default): small message sets cost no session write, and the session is read only when
 * the cookie says it holds the rest.
 */
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { Message } from '../message.ts';
import { BaseStorage, type Retrieved } from './base.ts';
import { CookieStorage } from './cookie.ts';
import { SessionStorage } from './session.ts';

export class FallbackStorage extends BaseStorage {
  /** The storages in the order they are filled: the cookie, then the session. */
  readonly storages: readonly BaseStorage[];
  /** The storages that held messages when read: emptied on the way out even when nothing goes back in. */
  readonly #used = new Set<BaseStorage>();

  /** @throws ImproperlyConfigured without `request.session` (SessionStorage needs it). */
  constructor(request: HttpRequest) {
    super(request);
    this.storages = [new CookieStorage(request), new SessionStorage(request)];
  }

  override async retrieve(): Promise<Retrieved> {
    const all: Message[] = [];
    let allRetrieved = true;
    for (const storage of this.storages) {
      const got = await storage.retrieve();
      allRetrieved = got.allRetrieved;
      // A storage that was never written: the next ones were not either.
      if (got.messages === null) break;
      if (got.messages.length > 0) this.#used.add(storage);
      all.push(...got.messages);
      if (allRetrieved) break;
    }
    return { messages: all, allRetrieved };
  }

  override async store(messages: Message[], response: HttpResponseBase): Promise<Message[]> {
    let rest = messages;
    for (const storage of this.storages) {
      // The cookie keeps the oldest that fit; the newer go on to the session.
      if (rest.length > 0) rest = await storage.store(rest, response, false);
      else if (this.#used.has(storage)) {
        await storage.store([], response);
        this.#used.delete(storage);
      }
    }
    return rest;
  }
}

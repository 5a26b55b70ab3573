/**
 * The cookie first, the session for what does not fit (Django's FallbackStorage, the
 * default): small message sets cost no session write.
 */
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { Message } from '../message.ts';
import { BaseStorage } from './base.ts';
import { CookieStorage } from './cookie.ts';
import { SessionStorage } from './session.ts';

export class FallbackStorage extends BaseStorage {
  readonly storages: readonly BaseStorage[];
  #used = new Set<BaseStorage>();

  constructor(request: HttpRequest) {
    super(request);
    this.storages = [new CookieStorage(request), new SessionStorage(request)];
  }

  override async retrieve(): Promise<{ messages: Message[] | null; allRetrieved: boolean }> {
    const all: Message[] = [];
    let allRetrieved = false;
    for (const storage of this.storages) {
      const got = await storage.retrieve();
      if (got.messages === null) break;
      if (got.messages.length > 0) this.#used.add(storage);
      all.push(...got.messages);
      allRetrieved = got.allRetrieved;
      if (allRetrieved) break;
    }
    return { messages: all, allRetrieved };
  }

  override async store(messages: Message[], response: HttpResponseBase): Promise<Message[]> {
    let rest = messages;
    for (const storage of this.storages) {
      if (rest.length > 0) rest = await storage.store(rest, response, false);
      else if (this.#used.has(storage)) await storage.store([], response);
    }
    return rest;
  }
}

/**
 * The storage of one request's messages (Django's BaseStorage): the messages the request
 * brought (loaded on first use) and those added during it. Iterating marks them used: on
 * the way out, used messages are dropped and the rest kept for the next request.
 */
import { settingOr } from '../../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../../http/request.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import { SafeString } from '../../../utils/safestring.ts';
import { INFO } from '../constants.ts';
import { MessagesNotLoadedError } from '../errors.ts';
import { Message } from '../message.ts';

/** What a storage read: the messages (null when it held none at all), and whether that is all of them. */
export interface Retrieved {
  messages: Message[] | null;
  /** False when a cookie says more messages were kept elsewhere (the fallback storage reads on). */
  allRetrieved: boolean;
}

export abstract class BaseStorage implements Iterable<Message> {
  readonly request: HttpRequest;
  /** Set when the messages were iterated: they are then not stored again. */
  used = false;
  /** Set when a message was added during the request. */
  addedNew = false;
  #queued: Message[] = [];
  #loaded: Message[] | undefined;
  #level: number | undefined;

  constructor(request: HttpRequest) {
    this.request = request;
  }

  /** The stored messages, and whether they are all there (cookie storage may hold only some). */
  abstract retrieve(): Promise<Retrieved>;

  /** Stores `messages` on the response (or in the session); returns those that did not fit. */
  abstract store(messages: Message[], response: HttpResponseBase, removeOldest?: boolean): Promise<Message[]>;

  /** Reads the stored messages once; needed before iterating synchronously. */
  async load(): Promise<this> {
    if (this.#loaded === undefined) this.#loaded = (await this.retrieve()).messages ?? [];
    return this;
  }

  #loadedMessages(): Message[] {
    if (this.#loaded === undefined) throw new MessagesNotLoadedError();
    return this.#loaded;
  }

  /**
   * How many messages there are, loaded and added.
   *
   * @throws MessagesNotLoadedError before `load()`.
   */
  get length(): number {
    return this.#loadedMessages().length + this.#queued.length;
  }

  /** Python's len(), so `{% if messages %}` is false when there are none. */
  __len__(): number {
    return this.length;
  }

  /** Iterates the loaded then the added messages, and marks them shown (`used`). */
  [Symbol.iterator](): Iterator<Message> {
    const loaded = this.#loadedMessages();
    this.used = true;
    if (this.#queued.length > 0) {
      loaded.push(...this.#queued);
      this.#queued = [];
    }
    return loaded[Symbol.iterator]();
  }

  /** The minimum level stored: set by `level =`, else MESSAGE_LEVEL, else INFO. */
  get level(): number {
    return this.#level ?? settingOr('MESSAGE_LEVEL', INFO);
  }

  set level(value: number | null) {
    this.#level = value ?? undefined;
  }

  /** Queues a message, unless it is empty or below `level`. */
  add(level: number, message: string | SafeString, extraTags = ''): void {
    if (message === '' || (message instanceof SafeString && message.value === '')) return;
    if (level < this.level) return;
    this.addedNew = true;
    this.#queued.push(new Message(level, message, extraTags));
  }

  /**
   * Called by the middleware on the way out: stores the messages still to show (the new
   * ones when the old were used; all of them when nothing was shown). Returns those that
   * could not be stored.
   */
  async update(response: HttpResponseBase): Promise<Message[]> {
    if (this.used) return this.store(this.#queued, response);
    if (this.addedNew) {
      await this.load();
      return this.store([...this.#loadedMessages(), ...this.#queued], response);
    }
    return [];
  }
}

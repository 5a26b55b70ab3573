/**
 * Flash messages from views (Django's django.contrib.messages.api):
 *
 * ```ts
 * import { messages } from 'nuages/contrib/messages';
 * messages.success(request, 'Your order is placed.');
 * return redirect('orders');            // the next page shows it once
 * ```
 *
 * MessageMiddleware gives each request a storage (MESSAGE_STORAGE); these functions add
 * to it and read it. The storage is kept beside the request, not on it (Django's
 * `request._messages`).
 */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { SafeString } from '../../utils/safestring.ts';
import { DEBUG, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
import { MessageFailure } from './errors.ts';
import type { Message } from './message.ts';
import type { BaseStorage } from './storage/base.ts';

const storages = new WeakMap<HttpRequest, BaseStorage>();

/** Gives `request` its storage (MessageMiddleware does it). */
export function attachStorage(request: HttpRequest, storage: BaseStorage): void {
  storages.set(request, storage);
}

/** The request's storage, if MessageMiddleware gave it one. */
export function storageOf(request: HttpRequest): BaseStorage | undefined {
  return storages.get(request);
}

/** Options of `addMessage()` and the level helpers. */
export interface AddMessageOptions {
  /** Space-separated tags added before the level's tag in `message.tags` ('' by default). */
  extraTags?: string;
  /** Do nothing (instead of throwing) when MessageMiddleware is not installed, for reusable apps. */
  failSilently?: boolean;
}

/**
 * Queues a message for the request's user. Empty text, and levels below the request's
 * level (`getLevel()`), are dropped.
 *
 * @throws MessageFailure without MessageMiddleware (unless `failSilently`).
 */
export function addMessage(request: HttpRequest, level: number, message: string | SafeString, options: AddMessageOptions = {}): void {
  const storage = storages.get(request);
  if (storage === undefined) {
    if (options.failSilently) return;
    throw new MessageFailure(
      "You cannot add messages without MessageMiddleware: add 'nuages/contrib/messages#MessageMiddleware' to MIDDLEWARE (after SessionMiddleware).",
    );
  }
  storage.add(level, message, options.extraTags ?? '');
}

/**
 * The request's messages, loaded (one cookie or session read), to iterate; iterating
 * marks them shown. An empty list without MessageMiddleware.
 */
export async function getMessages(request: HttpRequest): Promise<Iterable<Message>> {
  const storage = storages.get(request);
  return storage === undefined ? [] : storage.load();
}

/** The minimum level stored for this request: what `setLevel()` set, else MESSAGE_LEVEL (INFO by default). */
export function getLevel(request: HttpRequest): number {
  return storages.get(request)?.level ?? settingOr('MESSAGE_LEVEL', INFO);
}

/** Sets the minimum level for this request (null: back to MESSAGE_LEVEL); false without the middleware. */
export function setLevel(request: HttpRequest, level: number | null): boolean {
  const storage = storages.get(request);
  if (storage === undefined) return false;
  storage.level = level;
  return true;
}

type LevelHelper = (request: HttpRequest, message: string | SafeString, options?: AddMessageOptions) => void;
const at =
  (level: number): LevelHelper =>
  (request, message, options = {}) =>
    addMessage(request, level, message, options);

/** `debug(request, text, { extraTags, failSilently })`: a DEBUG (10) message. */
export const debug: LevelHelper = at(DEBUG);
/** An INFO (20) message. */
export const info: LevelHelper = at(INFO);
/** A SUCCESS (25) message. */
export const success: LevelHelper = at(SUCCESS);
/** A WARNING (30) message. */
export const warning: LevelHelper = at(WARNING);
/** An ERROR (40) message. */
export const error: LevelHelper = at(ERROR);

/** Django's module as one object: `messages.success(request, 'Saved.')`, `messages.add(request, level, text)`. */
export const messages = Object.freeze({ debug, info, success, warning, error, add: addMessage, get: getMessages, getLevel, setLevel });

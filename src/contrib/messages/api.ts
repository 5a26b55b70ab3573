/**
 * Flash messages from views (Django's django.contrib.messages.api):
 *
 * ```ts
 * import { messages } from 'nuages/contrib/messages';
 * messages.success(request, 'Your order is placed.');
 * return redirect('orders');            // the next page shows it once
 * ```
 */
import { NuagesError } from '../../core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { SafeString } from '../../utils/safestring.ts';
import { DEBUG, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
import type { BaseStorage } from './storage/base.ts';

/** A message was added to a request MessageMiddleware did not see. */
export class MessageFailure extends NuagesError {
  readonly code = 'NUAGES_MESSAGES_NO_MIDDLEWARE';
}

const storages = new WeakMap<object, BaseStorage>();

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
  extraTags?: string;
  /** Do nothing (instead of throwing) when MessageMiddleware is not installed, for reusable apps. */
  failSilently?: boolean;
}

/**
 * Queues a message for the request's user.
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

/** The request's messages, loaded, to iterate (iterating marks them shown); empty without the middleware. */
export async function getMessages(request: HttpRequest): Promise<Iterable<import('./message.ts').Message>> {
  const storage = storages.get(request);
  return storage === undefined ? [] : storage.load();
}

/** The minimum level stored for this request. */
export function getLevel(request: HttpRequest): number {
  return storages.get(request)?.level ?? INFO;
}

/** Sets the minimum level for this request (null: back to MESSAGE_LEVEL); false without the middleware. */
export function setLevel(request: HttpRequest, level: number | null): boolean {
  const storage = storages.get(request);
  if (storage === undefined) return false;
  storage.level = level;
  return true;
}

const at = (level: number) => (request: HttpRequest, message: string | SafeString, options: AddMessageOptions = {}) => addMessage(request, level, message, options);

/** `messages.debug/info/success/warning/error(request, text, { extraTags })`. */
export const messages = { debug: at(DEBUG), info: at(INFO), success: at(SUCCESS), warning: at(WARNING), error: at(ERROR), add: addMessage };

/** The `messages` context processor: `messages` (loaded only if used) and `DEFAULT_MESSAGE_LEVELS`. */
import type { HttpRequest } from '../../http/request.ts';
import { storageOf } from './api.ts';
import { DEFAULT_LEVELS } from './constants.ts';
import type { BaseStorage } from './storage/base.ts';

/**
 * Add it to the engine's `contextProcessors` (`'nuages/contrib/messages#messagesProcessor'`).
 * `messages` is read from the cookie or session only when the template uses it, so a page
 * that does not show messages keeps them for the next.
 */
export function messages(request: unknown): Record<string, unknown> {
  const storage = storageOf(request as HttpRequest);
  if (storage === undefined) return { messages: [], DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
  let loading: Promise<BaseStorage> | undefined;
  // A thenable: the template engine awaits it only when the template uses `messages`.
  const lazy: PromiseLike<BaseStorage> = {
    then(onFulfilled, onRejected) {
      loading ??= storage.load();
      return loading.then(onFulfilled, onRejected);
    },
  };
  return { messages: lazy, DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
}

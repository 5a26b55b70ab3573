/** The `messages` context processor: `messages` (loaded only if used) and `DEFAULT_MESSAGE_LEVELS`. */
import type { HttpRequest } from '../../http/request.ts';
import { storageOf } from './api.ts';
import { DEFAULT_LEVELS } from './constants.ts';
import { lazy } from '../../utils/functional.ts';

/**
 * Add it to the engine's `contextProcessors` (`'nuages/contrib/messages#messagesProcessor'`).
 * `messages` is read from the cookie or session only when the template uses it, so a page
 * that does not show messages keeps them for the next.
 */
export function messages(request: unknown): Record<string, unknown> {
  const storage = storageOf(request as HttpRequest);
  if (storage === undefined) return { messages: [], DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
  return { messages: lazy(() => storage.load()), DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
}

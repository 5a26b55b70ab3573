/** The `messages` context processor: `messages` (loaded only if used) and `DEFAULT_MESSAGE_LEVELS`. */
import type { HttpRequest } from '../../http/request.ts';
import { storageOf } from './api.ts';
import { DEFAULT_LEVELS } from './constants.ts';

export function messages(request: unknown): Record<string, unknown> {
  const storage = storageOf(request as HttpRequest);
  let loading: Promise<unknown> | undefined;
  // A thenable: the template engine awaits it when the template uses `messages`.
  const lazy = storage === undefined ? [] : { then: (ok: (v: unknown) => unknown, fail?: (e: unknown) => unknown) => (loading ??= storage.load()).then(ok, fail) };
  return { messages: lazy, DEFAULT_MESSAGE_LEVELS: DEFAULT_LEVELS };
}

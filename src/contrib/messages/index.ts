/**
 * `nuages/contrib/messages`: one-time notifications for the next page ("Saved."), as
 * Django's messages framework, in a signed cookie, the session, or both.
 *
 * ```ts
 * MIDDLEWARE: [..., 'nuages/contrib/sessions#SessionMiddleware', 'nuages/contrib/messages#MessageMiddleware'],
 * // TEMPLATES OPTIONS: contextProcessors: [..., 'nuages/contrib/messages#messagesProcessor']
 * messages.success(request, 'Profile updated.');
 * ```
 *
 * view: messages.success() → the request's storage (MessageMiddleware, MESSAGE_STORAGE)
 * → response: storage.update() writes what is still to show (cookie and/or session, in
 * Django's format) → next request: the template iterates `messages`, which marks them shown.
 */
export {
  addMessage,
  debug,
  error,
  getLevel,
  getMessages,
  info,
  messages,
  setLevel,
  success,
  warning,
  type AddMessageOptions,
} from './api.ts';
export { DEBUG, DEFAULT_LEVELS, DEFAULT_TAGS, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
export { messages as messagesProcessor } from './context-processors.ts';
export { MessageFailure, MessagesNotLoadedError, MessagesNotStoredError } from './errors.ts';
export { Message, levelTags } from './message.ts';
export { MessageMiddleware } from './middleware.ts';
export { BaseStorage, CookieStorage, FallbackStorage, SessionStorage, defaultStorage, type Retrieved } from './storage/index.ts';

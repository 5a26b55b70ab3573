/**
 * `nuages/contrib/messages`: one-time notifications for the next page ("Saved."), as
 * Django's messages framework, in a signed cookie, the session, or both.
 *
 * ```ts
 * MIDDLEWARE: [..., 'nuages/contrib/sessions#SessionMiddleware', 'nuages/contrib/messages#MessageMiddleware'],
 * // engine option: contextProcessors: [..., messagesProcessor]
 * messages.success(request, 'Profile updated.');
 * ```
 */
export { MessageFailure, addMessage, getLevel, getMessages, messages, setLevel, type AddMessageOptions } from './api.ts';
export { DEBUG, DEFAULT_LEVELS, DEFAULT_TAGS, ERROR, INFO, SUCCESS, WARNING } from './constants.ts';
export { messages as messagesProcessor } from './context-processors.ts';
export { Message, levelTags } from './message.ts';
export { MessageMiddleware } from './middleware.ts';
export { BaseStorage, CookieStorage, FallbackStorage, SessionStorage, defaultStorage } from './storage/index.ts';

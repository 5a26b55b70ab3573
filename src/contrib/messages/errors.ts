/** The messages framework's errors (docs/errors.md, "contrib/messages"). */
import { NuagesError } from '../../core/errors.ts';

/** A message was added to a request MessageMiddleware did not see (Django's MessageFailure). */
export class MessageFailure extends NuagesError {
  readonly code = 'NUAGES_MESSAGES_NO_MIDDLEWARE';
}

/**
 * In DEBUG, some messages of a response could not be stored: the cookie storage alone
 * dropped the oldest to stay under its size limit (Django raises a ValueError there).
 */
export class MessagesNotStoredError extends NuagesError {
  readonly code = 'NUAGES_MESSAGES_NOT_STORED';

  constructor(count: number, storage: string) {
    super(
      `Not all temporary messages could be stored: ${count} did not fit in the ${storage}. ` +
        "Set MESSAGE_STORAGE to 'fallback' (the cookie, then the session) or 'session', or add fewer or shorter messages.",
    );
  }
}

/** A storage was iterated (or its length read) before its messages were loaded. */
export class MessagesNotLoadedError extends NuagesError {
  readonly code = 'NUAGES_MESSAGES_NOT_LOADED';

  constructor() {
    super(
      'The messages are not loaded yet: iterate `await getMessages(request)` (or `await storage.load()` first). ' +
        'Templates need nothing: the context processor loads them.',
    );
  }
}

/** MessageMiddleware: a message storage per request, updated on the response. */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { MiddlewareMixin } from '../../middleware/mixin.ts';
import { attachStorage, storageOf } from './api.ts';
import { MessagesNotStoredError } from './errors.ts';
import { defaultStorage } from './storage/index.ts';

/**
 * Gives each request a MESSAGE_STORAGE storage, and on the way out stores the messages
 * still to show (see BaseStorage.update()). Put it after SessionMiddleware: the session
 * and fallback storages throw ImproperlyConfigured on the first request without
 * `request.session`. In DEBUG, messages that could not be stored (the cookie storage
 * alone, over its size limit) throw MessagesNotStoredError rather than vanish.
 */
export class MessageMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): undefined {
    attachStorage(request, defaultStorage(request));
    return undefined;
  }

  override async processResponse(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    // A middleware above may answer before processRequest ran: no storage, nothing to do.
    const storage = storageOf(request);
    if (storage === undefined) return response;
    const unstored = await storage.update(response);
    if (unstored.length > 0 && settingOr('DEBUG', false)) {
      throw new MessagesNotStoredError(unstored.length, storage.constructor.name);
    }
    return response;
  }
}

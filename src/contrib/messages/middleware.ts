/** MessageMiddleware: a message storage per request, updated on the response. */
import { settingOr } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { MiddlewareMixin } from '../../middleware/mixin.ts';
import { attachStorage, storageOf } from './api.ts';
import { defaultStorage } from './storage/index.ts';

/**
 * Put it after SessionMiddleware. In DEBUG, messages that could not be stored (a cookie
 * too small and no session behind it) are an error rather than a silent loss.
 */
export class MessageMiddleware extends MiddlewareMixin {
  override processRequest(request: HttpRequest): undefined {
    attachStorage(request, defaultStorage(request));
    return undefined;
  }

  override async processResponse(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    const storage = storageOf(request);
    if (storage === undefined) return response;
    const unstored = await storage.update(response);
    if (unstored.length > 0 && settingOr('DEBUG', false)) {
      throw new Error(`Not all temporary messages could be stored: ${unstored.length} did not fit. Use the fallback or session storage.`);
    }
    return response;
  }
}

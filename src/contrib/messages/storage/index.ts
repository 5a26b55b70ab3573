/** MESSAGE_STORAGE → the storage class (Nuages names, Django's dotted names, or a class). */
import { settingOr } from '../../../conf/lazy-settings.ts';
import { ImproperlyConfigured } from '../../../core/errors.ts';
import type { HttpRequest } from '../../../http/request.ts';
import type { BaseStorage } from './base.ts';
import { CookieStorage } from './cookie.ts';
import { FallbackStorage } from './fallback.ts';
import { SessionStorage } from './session.ts';

export { BaseStorage, type Retrieved } from './base.ts';
export { CookieStorage } from './cookie.ts';
export { FallbackStorage } from './fallback.ts';
export { SessionStorage } from './session.ts';

type StorageClass = new (request: HttpRequest) => BaseStorage;

const STORAGES: Readonly<Record<string, StorageClass>> = {
  fallback: FallbackStorage,
  cookie: CookieStorage,
  session: SessionStorage,
  'django.contrib.messages.storage.fallback.FallbackStorage': FallbackStorage,
  'django.contrib.messages.storage.cookie.CookieStorage': CookieStorage,
  'django.contrib.messages.storage.session.SessionStorage': SessionStorage,
};

/** A new storage of MESSAGE_STORAGE for `request`. */
export function defaultStorage(request: HttpRequest): BaseStorage {
  const setting = settingOr<string | StorageClass>('MESSAGE_STORAGE', 'fallback');
  const Storage = typeof setting === 'function' ? setting : STORAGES[setting];
  if (Storage === undefined) {
    throw new ImproperlyConfigured(`MESSAGE_STORAGE '${String(setting)}' is not a message storage. Use one of: ${Object.keys(STORAGES).join(', ')}, or a BaseStorage subclass.`);
  }
  return new Storage(request);
}

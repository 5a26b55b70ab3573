/**
 * Messages in a signed cookie, `messages` (Django's CookieStorage, same format and key
 * derivation, so Django-made cookies read here and the reverse). A cookie over 2048 bytes
 * drops the oldest messages (or, behind FallbackStorage, hands the newest to the session)
 * and ends with a marker saying not all messages are in it.
 */
import { settingOr } from '../../../conf/lazy-settings.ts';
import { BadSignature, cookieSignerForSalt, type SigningSerializer } from '../../../core/signing.ts';
import type { SameSite } from '../../../http/cookies.ts';
import type { HttpResponseBase } from '../../../http/response.ts';
import type { Message } from '../message.ts';
import { BaseStorage, type Retrieved } from './base.ts';
import { encodeMessage, reviveMessages } from './encoding.ts';

const NOT_FINISHED = '__messagesnotfinished__';
const NOT_FINISHED_JSON = JSON.stringify(NOT_FINISHED);

/** Joins already-encoded messages into the JSON list the cookie signs. */
const gatherSerializer: SigningSerializer = {
  dumps: (parts) => Buffer.from(`[${(parts as string[]).join(',')}]`, 'latin1'),
  loads: (data) => reviveMessages(JSON.parse(Buffer.from(data).toString('latin1'))),
};

// Django's key salt for this cookie; read per use so SECRET_KEY overrides in tests apply.
const cookieSigner = () => cookieSignerForSalt('django.contrib.messages');

/** The cookie-based storage: no server state, a few small messages (2 KB at most). */
export class CookieStorage extends BaseStorage {
  static cookieName = 'messages';
  /** Django's limit: browsers refuse cookies over about 4 KB, and other cookies share it. */
  static maxCookieSize = 2048;

  override async retrieve(): Promise<Retrieved> {
    const data = this.request.COOKIES[CookieStorage.cookieName];
    const messages = this.decode(data);
    if (messages === null || messages.length === 0) return { messages, allRetrieved: true };
    const last = messages[messages.length - 1] as unknown;
    if (last === NOT_FINISHED) {
      messages.pop();
      return { messages, allRetrieved: false };
    }
    return { messages, allRetrieved: true };
  }

  /** The messages of a cookie value; null (and the cookie cleared) when it was tampered with. */
  decode(data: string | undefined): Message[] | null {
    if (!data) return null;
    try {
      const value = cookieSigner().unsignObject<unknown>(data, { serializer: gatherSerializer });
      if (Array.isArray(value)) return value as Message[];
    } catch (error) {
      if (!(error instanceof BadSignature) && !(error instanceof SyntaxError) && !(error instanceof TypeError)) throw error;
    }
    // A bad cookie is dropped: marking the storage used deletes it on the way out.
    this.used = true;
    return null;
  }

  /** The signed cookie value of already-encoded messages ('' for none). */
  encodeParts(parts: string[], encodeEmpty = false): string {
    return parts.length > 0 || encodeEmpty ? cookieSigner().signObject(parts, { serializer: gatherSerializer, compress: true }) : '';
  }

  override async store(messages: Message[], response: HttpResponseBase, removeOldest = true): Promise<Message[]> {
    const parts = messages.map((message) => encodeMessage(message));
    let encoded = this.encodeParts(parts);
    let unstored: Message[] = [];
    const max = (this.constructor as typeof CookieStorage).maxCookieSize;
    const tooLarge = (data: string) => data.length > max;
    const withMarker = (kept: string[]) => this.encodeParts([...kept, NOT_FINISHED_JSON], true);
    if (max && tooLarge(encoded)) {
      if (removeOldest) {
        // Keep the newest messages that fit: the smallest start index that fits.
        const start = firstFitting(parts.length, (i) => !tooLarge(withMarker(parts.slice(i))));
        unstored = messages.slice(0, start);
        encoded = withMarker(parts.slice(start));
      } else {
        // Keep the oldest that fit; the newer go to the next storage.
        const end = lastFitting(parts.length, (i) => !tooLarge(withMarker(parts.slice(0, i))));
        unstored = messages.slice(end);
        encoded = withMarker(parts.slice(0, end));
      }
    }
    this.#updateCookie(encoded, response);
    return unstored;
  }

  #updateCookie(encoded: string, response: HttpResponseBase): void {
    const domain = settingOr<string | null>('SESSION_COOKIE_DOMAIN', null) ?? undefined;
    const sameSite = settingOr<SameSite>('SESSION_COOKIE_SAMESITE', 'Lax');
    if (encoded) {
      response.setCookie(CookieStorage.cookieName, encoded, {
        domain,
        secure: settingOr('SESSION_COOKIE_SECURE', false) || undefined,
        httpOnly: settingOr('SESSION_COOKIE_HTTPONLY', true) || undefined,
        sameSite,
      });
    } else {
      // As Django: nothing left to keep deletes the cookie, whether or not it came in.
      response.deleteCookie(CookieStorage.cookieName, { domain, sameSite });
    }
  }
}

/** The smallest i in [0, n] with fits(i) (fits is monotone: true from some i on). */
function firstFitting(n: number, fits: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The largest i in [0, n] with fits(i) (fits is monotone: true up to some i). */
function lastFitting(n: number, fits: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The signed-cookie store (SESSION_ENGINE 'signed-cookies', Django's
 * backends.signed_cookies): the session key *is* the data, signed and compressed
 * (signing.dumps), so nothing is stored on the server.
 *
 * The client can read the data (it is signed, not encrypted), a cookie holds about 4 KB,
 * and a stolen cookie stays valid until it expires: flush() cannot revoke a copy.
 */
import { BadSignature, dumps, loads, SignatureExpired } from '../../../core/signing.ts';
import { SessionBase, suspiciousSessionLog, type SessionData } from './base.ts';

/** Django's salt for this store, so cookies signed by a Django project verify here. */
const SALT = 'django.contrib.sessions.backends.signed_cookies';

/** Sessions carried in the cookie. */
export class SessionStore extends SessionBase {
  /** The data of the cookie; a bad or expired signature starts an empty session (logged). */
  async load(): Promise<SessionData> {
    try {
      // SESSION_COOKIE_AGE bounds the age; a custom setExpiry() is not checked here (as Django).
      const data = loads(this.sessionKey ?? '', { salt: SALT, maxAge: this.getSessionCookieAge() });
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as SessionData;
    } catch (error) {
      if (!(error instanceof BadSignature)) throw error;
      if (error instanceof SignatureExpired) suspiciousSessionLog.info('Session cookie expired; starting an empty session.');
      else suspiciousSessionLog.warn('Session cookie has a bad signature; starting an empty session.', { reason: error.message });
    }
    await this.create();
    return {};
  }

  /** Nothing to store: mark the session modified so the response sets the cookie. */
  async create(): Promise<void> {
    this.modified = true;
  }

  /** The key becomes the signed data; the middleware sends it as the cookie. */
  async save(): Promise<void> {
    this._sessionKey = dumps(await this._getSession(), { salt: SALT, compress: true });
    this.modified = true;
  }

  /** Keys are never shared between clients. */
  async exists(): Promise<boolean> {
    return false;
  }

  /** Empties the data and the key; the middleware then deletes the cookie. */
  async deleteSession(): Promise<void> {
    this._sessionKey = '';
    this._sessionCache = {};
    this.modified = true;
  }

  /** The data gets a new signature when saved; there is no old key to delete. */
  override async cycleKey(): Promise<void> {
    await this.save();
  }

  /** Nothing to do: expired cookies fail their signature check. */
  static async clearExpired(): Promise<void> {}
}

/**
 * `SessionBase`: the session API every store shares (Django's SessionBase).
 *
 * request.session.get('cart') → first access loads the data once (load(), from the
 * store, by the key in the cookie) → reads and writes work on that object and set
 * `modified` → the middleware calls save() at the end of the request → the store
 * encodes the data (signing.dumps: JSON, compressed, signed with a per-store salt)
 * and writes it under the session key.
 *
 * A store implements five primitives — load, exists, create, save, deleteSession —
 * and optionally `static clearExpired()`; everything else is derived here.
 */
import { randomInt } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { settingOr } from '../../../conf/lazy-settings.ts';
import { InvalidSettingError } from '../../../conf/errors.ts';
import { BadSignature, dumps, loads } from '../../../core/signing.ts';
import { getLogger } from '../../../utils/log.ts';
import { CreateError, SessionKeyError } from '../exceptions.ts';
import { formatExpiry, parseExpiry, type SessionExpiry } from '../expiry.ts';
import { now as timezoneNow } from '../../../utils/timezone.ts';

/** Characters of a session key: lower case so file systems that ignore case keep keys apart. */
// Decoding stored data is a signature check, a zlib inflate and a JSON parse on every request
// of a logged-in user, yet the same text under the same keys always decodes to the same data:
// recent results are kept (keyed by the signing keys as well, since tests override them) and
// handed out as copies, because a session mutates its data.
const decodedSessions = new LRUCache<string, SessionData>({ max: 2048 });
const MAX_REMEMBERED_LENGTH = 4096;

function decodeMemoKey(salt: string, text: string): string | undefined {
  if (text.length > MAX_REMEMBERED_LENGTH) return undefined;
  const fallbacks = settingOr<readonly string[]>('SECRET_KEY_FALLBACKS', []);
  return `${settingOr('SECRET_KEY', '')}\0${fallbacks.join('\0')}\0${salt}\0${text}`;
}

export const VALID_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The data of a session: JSON values by key. */
export type SessionData = Record<string, unknown>;

/** Overrides of `getExpiryAge()` and `getExpiryDate()`; each avoids loading the session. */
export interface ExpiryOptions {
  /** The moment the session was last changed (default: now). */
  modification?: Date;
  /** Use this instead of the session's own `_session_expiry`. */
  expiry?: SessionExpiry;
}

/** A session store class, as SESSION_ENGINE names it. */
export interface SessionStoreClass {
  new (sessionKey?: string | null): SessionBase;
  /** Remove expired sessions (the `clearsessions` command); absent when the store cannot. */
  clearExpired?(): Promise<void>;
}

const SERIALIZERS = new Set(['django.contrib.sessions.serializers.JSONSerializer', 'json']);
const EXPIRY_KEY = '_session_expiry';
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** Logs tampered session data, unknown or expired keys and invalid keys from clients. */
export const suspiciousSessionLog = getLogger('nuages.security.SuspiciousSession');

/**
 * The session of a request: a lazily loaded map of JSON values, saved by a store.
 * Every data method is async because the first one may load from the store.
 *
 * ```ts
 * const views = (await request.session.get<number>('views', 0))! + 1;
 * await request.session.set('views', views);
 * await request.session.cycleKey();   // on login: a new key, same data
 * await request.session.flush();      // on logout: no data, no key
 * ```
 */
export abstract class SessionBase {
  static readonly TEST_COOKIE_NAME = 'testcookie';
  static readonly TEST_COOKIE_VALUE = 'worked';

  /** Whether the data was read or written in this request (the middleware then adds `Vary: Cookie`). */
  accessed = false;
  /** Whether the data changed in this request (the middleware then saves it). */
  modified = false;
  #sessionKey: string | null = null;
  #cache: SessionData | undefined;
  #loading: Promise<SessionData> | undefined;

  /** `sessionKey`: the key from the session cookie, or null for a new session. Nothing is loaded yet. */
  constructor(sessionKey: string | null = null) {
    const serializer = settingOr('SESSION_SERIALIZER', 'json');
    if (!SERIALIZERS.has(serializer)) {
      throw new InvalidSettingError(
        'SESSION_SERIALIZER',
        `SESSION_SERIALIZER is ${JSON.stringify(serializer)}, but Nuages stores sessions as JSON only (Django's ` +
          "PickleSerializer could run code sent by whoever holds the key). Remove the setting or set it to " +
          "'django.contrib.sessions.serializers.JSONSerializer'.",
      );
    }
    this._sessionKey = sessionKey;
    if (sessionKey && this.#sessionKey === null) suspiciousSessionLog.warn('Malformed session key; starting a new session.');
  }

  /** The key the session is stored under; null until it is saved. */
  get sessionKey(): string | null {
    return this.#sessionKey;
  }

  /** Stores set the key through this: a value that fails `validateSessionKey()` becomes null. */
  protected get _sessionKey(): string | null {
    return this.#sessionKey;
  }

  protected set _sessionKey(value: string | null | undefined) {
    this.#sessionKey = typeof value === 'string' && this.validateSessionKey(value) ? value : null;
  }

  /**
   * Whether a key may be used: at least 8 characters (Django's minimal bound), all of
   * them visible ASCII, as every store writes them; a forged cookie with control
   * characters never reaches a database that would refuse it.
   */
  protected validateSessionKey(key: string): boolean {
    return key.length >= 8 && VISIBLE_ASCII.test(key);
  }

  /** The salt of this store's signatures: 'django.contrib.sessions.' + the class name, as Django. */
  get keySalt(): string {
    return `django.contrib.sessions.${this.constructor.name}`;
  }

  /** The data as stored: signed, compressed JSON (Django's `encode`). */
  encode(data: SessionData): string {
    return dumps(data, { salt: this.keySalt, compress: true });
  }

  /** The data of an encoded string, or {} (logged) when it was tampered with or is unreadable. */
  decode(text: string): SessionData {
    const memoKey = decodeMemoKey(this.keySalt, text);
    const remembered = memoKey === undefined ? undefined : decodedSessions.get(memoKey);
    if (remembered !== undefined) return structuredClone(remembered);
    try {
      const data = loads(text, { salt: this.keySalt });
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
        if (memoKey !== undefined) decodedSessions.set(memoKey, structuredClone(data as SessionData));
        return data as SessionData;
      }
      suspiciousSessionLog.warn('Session data is not an object; starting an empty session.');
    } catch (error) {
      if (!(error instanceof BadSignature)) throw error;
      suspiciousSessionLog.warn('Session data corrupted', { reason: error.message });
    }
    return {};
  }

  /** The data, loaded on first use and then kept; `noLoad` starts from {} without reading the store. */
  protected async _getSession(noLoad = false): Promise<SessionData> {
    this.accessed = true;
    if (this.#cache !== undefined) return this.#cache;
    if (this.#sessionKey === null || noLoad) return (this.#cache = {});
    // Concurrent first reads in one request share one load.
    this.#loading ??= this.load().then(
      (data) => {
        this.#loading = undefined;
        // clear() during the load wins over what was loaded.
        return (this.#cache ??= data);
      },
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }

  /** The loaded data, or undefined before the first access (Django's `_session_cache`). */
  protected get _sessionCache(): SessionData | undefined {
    return this.#cache;
  }

  protected set _sessionCache(data: SessionData | undefined) {
    this.#cache = data;
  }

  // ---- the data ---------------------------------------------------------------

  /** The value under `key`, or `defaultValue` when there is none. */
  async get<T = unknown>(key: string, defaultValue?: T): Promise<T | undefined> {
    const data = await this._getSession();
    return Object.hasOwn(data, key) ? (data[key] as T) : defaultValue;
  }

  /** Store a JSON value under `key`; the session is saved at the end of the request. */
  async set(key: string, value: unknown): Promise<void> {
    define(await this._getSession(), key, value);
    this.modified = true;
  }

  /** @throws SessionKeyError when there is no such key (as Python's `del session[key]`). */
  async delete(key: string): Promise<void> {
    const data = await this._getSession();
    if (!Object.hasOwn(data, key)) throw new SessionKeyError(key);
    delete data[key];
    this.modified = true;
  }

  async has(key: string): Promise<boolean> {
    return Object.hasOwn(await this._getSession(), key);
  }

  /**
   * Remove `key` and return its value; without it, `defaultValue`.
   *
   * @throws SessionKeyError when the key is missing and no default was passed (as Python's dict.pop).
   */
  async pop<T = unknown>(key: string, defaultValue?: T): Promise<T | undefined> {
    const hasDefault = arguments.length > 1;
    const data = await this._getSession();
    if (Object.hasOwn(data, key)) {
      const value = data[key] as T;
      delete data[key];
      this.modified = true;
      return value;
    }
    if (hasDefault) return defaultValue;
    throw new SessionKeyError(key);
  }

  /** The value under `key`, storing `value` there first when there is none. */
  async setDefault<T>(key: string, value: T): Promise<T> {
    const data = await this._getSession();
    if (Object.hasOwn(data, key)) return data[key] as T;
    await this.set(key, value);
    return value;
  }

  async keys(): Promise<string[]> {
    return Object.keys(await this._getSession());
  }

  async values(): Promise<unknown[]> {
    return Object.values(await this._getSession());
  }

  async items(): Promise<[string, unknown][]> {
    return Object.entries(await this._getSession());
  }

  /** Store every entry of `values`. */
  async update(values: Readonly<Record<string, unknown>>): Promise<void> {
    const data = await this._getSession();
    for (const [key, value] of Object.entries(values)) define(data, key, value);
    this.modified = true;
  }

  /** Remove all data, keeping the key; nothing is read from the store. */
  async clear(): Promise<void> {
    this.#cache = {};
    this.accessed = true;
    this.modified = true;
  }

  /** True when the session has no key and no data: nothing to save, no cookie to send. */
  async isEmpty(): Promise<boolean> {
    return !this.#sessionKey && (this.#cache === undefined || Object.keys(this.#cache).length === 0);
  }

  // ---- expiry -----------------------------------------------------------------

  /** SESSION_COOKIE_AGE: the default lifetime in seconds. */
  getSessionCookieAge(): number {
    return settingOr('SESSION_COOKIE_AGE', 1_209_600);
  }

  /** Seconds until the session expires, from `modification` (default now). */
  async getExpiryAge(options: ExpiryOptions = {}): Promise<number> {
    const expiry = 'expiry' in options ? options.expiry : await this.get<SessionExpiry>(EXPIRY_KEY);
    if (!expiry) return this.getSessionCookieAge();
    if (typeof expiry === 'number') return expiry;
    const at = expiry instanceof Date ? expiry : parseExpiry(expiry);
    if (at === undefined) return this.getSessionCookieAge();
    // Whole seconds, rounded down, as Python's timedelta days * 86400 + seconds.
    return Math.floor((at.getTime() - (options.modification ?? timezoneNow()).getTime()) / 1000);
  }

  /** The moment the session expires. */
  async getExpiryDate(options: ExpiryOptions = {}): Promise<Date> {
    const expiry = 'expiry' in options ? options.expiry : await this.get<SessionExpiry>(EXPIRY_KEY);
    if (expiry instanceof Date) return expiry;
    const at = typeof expiry === 'string' ? parseExpiry(expiry) : undefined;
    if (at !== undefined) return at;
    const seconds = typeof expiry === 'number' && expiry !== 0 ? expiry : this.getSessionCookieAge();
    return new Date((options.modification ?? timezoneNow()).getTime() + seconds * 1000);
  }

  /**
   * Set when the session expires: a number of seconds of inactivity (0: when the browser
   * closes), a Date (that moment), or null (back to SESSION_COOKIE_AGE and
   * SESSION_EXPIRE_AT_BROWSER_CLOSE).
   */
  async setExpiry(value: number | Date | null): Promise<void> {
    if (value === null) {
      await this.pop(EXPIRY_KEY, null);
      return;
    }
    await this.set(EXPIRY_KEY, value instanceof Date ? formatExpiry(value) : value);
  }

  /** Whether the cookie lasts only until the browser closes. */
  async getExpireAtBrowserClose(): Promise<boolean> {
    const expiry = await this.get<SessionExpiry>(EXPIRY_KEY);
    if (expiry === undefined || expiry === null) return settingOr('SESSION_EXPIRE_AT_BROWSER_CLOSE', false);
    return expiry === 0;
  }

  // ---- keys and lifecycle -----------------------------------------------------

  /** Delete the data and the stored session, and drop the key (logout). */
  async flush(): Promise<void> {
    await this.clear();
    await this.deleteSession();
    this._sessionKey = null;
  }

  /** Move the data to a new key and delete the old one (login: the key before is not the key after). */
  async cycleKey(): Promise<void> {
    const data = await this._getSession();
    const key = this.#sessionKey;
    await this.create();
    this.#cache = data;
    if (key) await this.deleteSession(key);
  }

  /** A key no stored session has. */
  /**
   * Saves the session under fresh keys until one is free (a CreateError means another
   * request took it first), at most `attempts` times; false when every attempt collided.
   */
  protected async createUnderFreshKey(attempts = Number.POSITIVE_INFINITY): Promise<boolean> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      this._sessionKey = await this._getNewSessionKey();
      try {
        await this.save(true);
      } catch (error) {
        if (error instanceof CreateError) continue;
        throw error;
      }
      this.modified = true;
      return true;
    }
    return false;
  }

  protected async _getNewSessionKey(): Promise<string> {
    for (;;) {
      let key = '';
      for (let i = 0; i < 32; i++) key += VALID_KEY_CHARS[randomInt(VALID_KEY_CHARS.length)];
      if (!(await this.exists(key))) return key;
    }
  }

  protected async _getOrCreateSessionKey(): Promise<string> {
    this.#sessionKey ??= await this._getNewSessionKey();
    return this.#sessionKey;
  }

  async setTestCookie(): Promise<void> {
    await this.set(SessionBase.TEST_COOKIE_NAME, SessionBase.TEST_COOKIE_VALUE);
  }

  async testCookieWorked(): Promise<boolean> {
    return (await this.get(SessionBase.TEST_COOKIE_NAME)) === SessionBase.TEST_COOKIE_VALUE;
  }

  async deleteTestCookie(): Promise<void> {
    await this.delete(SessionBase.TEST_COOKIE_NAME);
  }

  // ---- what a store implements ------------------------------------------------

  /** Whether a session is stored under `sessionKey`. */
  abstract exists(sessionKey: string): Promise<boolean>;

  /** Give the session a new key and store it (empty) once, so the key is taken. */
  abstract create(): Promise<void>;

  /**
   * Store the data. With `mustCreate`, under a new key (CreateError when taken);
   * otherwise over the existing session (UpdateError when it was deleted meanwhile).
   */
  abstract save(mustCreate?: boolean): Promise<void>;

  /** Delete the stored session `sessionKey` (default: this one's). Django's `delete(session_key)`. */
  abstract deleteSession(sessionKey?: string | null): Promise<void>;

  /** Read the data of `sessionKey`; {} (and the key dropped) when it is unknown, expired or tampered with. */
  abstract load(): Promise<SessionData>;
}

/** Set a property without letting a '__proto__' key reach the prototype. */
function define(data: SessionData, key: string, value: unknown): void {
  Object.defineProperty(data, key, { value, writable: true, enumerable: true, configurable: true });
}

// request.session is typed as a SessionBase wherever this package is imported;
// http/ declares the attach point without knowing sessions exist.
declare module '../../../http/request.ts' {
  interface RequestAttachmentTypes {
    session: SessionBase;
  }
}

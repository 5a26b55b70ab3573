/**
 * Cryptographic signing in Django's format, so values signed by a Django project
 * sharing the SECRET_KEY verify here and the other way round.
 *
 * A signed value is `value:signature`; with a timestamp, `value:timestamp:signature`
 * where the timestamp is base62 seconds. The signature is the URL-safe base64
 * (no padding) of an HMAC whose key is derived from the salt and the secret
 * (Django's `salted_hmac`). Verification compares in constant time and tries
 * SECRET_KEY_FALLBACKS after SECRET_KEY, so keys can be rotated.
 *
 * Objects are signed as `base64(json)` (Django's `sign_object`/`dumps`), zlib-compressed
 * and marked with a leading '.' when that is shorter; the JSON is written byte for byte
 * as Python writes it, so the same data gives the same signed string in both.
 *
 * ```ts
 * const signer = new Signer({ salt: 'newsletter' });
 * const token = signer.sign('user-42');        // 'user-42:Xo3…'
 * signer.unsign(token);                        // 'user-42'
 * new TimestampSigner().unsign(t, { maxAge: 3600 }); // throws SignatureExpired after an hour
 * loads(dumps({ cart: [1, 2] }));              // { cart: [1, 2] }
 * ```
 */
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { settings } from '../conf/lazy-settings.ts';
import { parsePythonJson, pythonJsonStringify } from '../utils/python-json.ts';

export { NotJSONSerializableError, parsePythonJson, PythonJsonParseError, pythonJsonStringify } from '../utils/python-json.ts';
import { ImproperlyConfigured, NuagesError } from './errors.ts';

/** A signed value was tampered with, or signed with another key or salt. */
export class BadSignature extends NuagesError {
  readonly code: string = 'NUAGES_BAD_SIGNATURE';
}

/** A timestamped signature is valid but older than the `maxAge` allowed. */
export class SignatureExpired extends BadSignature {
  override readonly code = 'NUAGES_SIGNATURE_EXPIRED';
}

/** Hash algorithms a Signer accepts (those Node's crypto and Python's hashlib share). */
export type SigningAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** Options of `Signer` and `TimestampSigner`. */
export interface SignerOptions {
  /** Defaults to settings.SECRET_KEY. */
  key?: string;
  /** Older keys still accepted by `unsign()`; defaults to settings.SECRET_KEY_FALLBACKS. */
  fallbackKeys?: readonly string[];
  /** Default ':'; must not be a URL-safe base64 character. */
  sep?: string;
  /** Namespaces signatures so one made for a purpose is refused for another. */
  salt?: string;
  /** Default 'sha256', as Django. */
  algorithm?: SigningAlgorithm;
}

/** URL-safe base64 without padding (Django's `b64_encode`). */
export function b64Encode(data: Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/** Decode URL-safe base64, padded or not. */
export function b64Decode(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An integer in base 62 (Django's `b62_encode`, used for timestamps). */
export function b62Encode(n: number): string {
  if (n === 0) return '0';
  const sign = n < 0 ? '-' : '';
  let rest = Math.abs(Math.trunc(n));
  let out = '';
  while (rest > 0) {
    out = BASE62[rest % 62]! + out;
    rest = Math.floor(rest / 62);
  }
  return sign + out;
}

/** The inverse of `b62Encode`; NaN for text that is not base 62. */
export function b62Decode(text: string): number {
  if (text === '0') return 0;
  const negative = text.startsWith('-');
  let n = 0;
  for (const ch of negative ? text.slice(1) : text) {
    const digit = BASE62.indexOf(ch);
    if (digit === -1) return Number.NaN;
    n = n * 62 + digit;
  }
  return negative ? -n : n;
}

/**
 * HMAC of `value` under a key derived from `keySalt` and `secret` (Django's
 * `salted_hmac`): the derivation keeps one secret from being reused directly
 * across purposes.
 */
export function saltedHmac(keySalt: string, value: string, secret: string, algorithm: SigningAlgorithm = 'sha1'): Buffer {
  return createHmac(algorithm, derivedKey(keySalt, secret, algorithm)).update(value).digest();
}

// A process signs with a handful of (salt, secret) pairs, over and over: every session
// read and every request's user check. Each pair's key is derived once and kept as a
// KeyObject: createHmac() checks a raw Buffer key far more slowly (~30 µs against ~4 µs
// per HMAC on Node 24), which made the key the main cost of a logged-in request.
const derivedKeys = new Map<string, KeyObject>();
const MAX_DERIVED_KEYS = 256;

function derivedKey(keySalt: string, secret: string, algorithm: SigningAlgorithm): KeyObject {
  const id = `${algorithm}\0${keySalt}\0${secret}`;
  let key = derivedKeys.get(id);
  if (key === undefined) {
    key = createSecretKey(createHash(algorithm).update(keySalt + secret).digest());
    // Salts made from user input (cookie names) cannot grow the map without bound.
    if (derivedKeys.size >= MAX_DERIVED_KEYS) derivedKeys.clear();
    derivedKeys.set(id, key);
  }
  return key;
}

/** Compare two strings without leaking, through timing, where they first differ. */
export function constantTimeCompare(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; comparing left with itself keeps the time
  // independent of where a wrong-length guess differs.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

const UNSAFE_SEP = /^[A-Za-z0-9=_-]*$/;

function readSetting<T>(name: 'SECRET_KEY' | 'SECRET_KEY_FALLBACKS', fallback: T): T {
  return settings.configured ? (settings[name] as T) : fallback;
}

/**
 * Signs strings and verifies them (Django's `Signer`).
 *
 * @throws ImproperlyConfigured when there is no key (no `key` option, no SECRET_KEY).
 */
export class Signer {
  readonly key: string;
  readonly fallbackKeys: readonly string[];
  readonly sep: string;
  readonly salt: string;
  readonly algorithm: SigningAlgorithm;

  constructor(options: SignerOptions = {}) {
    this.key = options.key ?? readSetting('SECRET_KEY', '');
    this.fallbackKeys = options.fallbackKeys ?? readSetting<string[]>('SECRET_KEY_FALLBACKS', []);
    this.sep = options.sep ?? ':';
    // Django's default salt is the signer's Python path; keeping it lets a
    // Django project and a Nuages one verify each other's values.
    this.salt = options.salt ?? this.defaultSalt();
    this.algorithm = options.algorithm ?? 'sha256';
    if (this.key === '') {
      throw new ImproperlyConfigured(
        'Signing needs a key: set SECRET_KEY in settings, or pass new Signer({ key }).',
      );
    }
    if (UNSAFE_SEP.test(this.sep)) {
      throw new ImproperlyConfigured(
        `Signer sep ${JSON.stringify(this.sep)} is unsafe: it must not be empty nor consist only of ` +
          'characters of URL-safe base64 (A-z, 0-9, -, _, =). Use the default ":".',
      );
    }
  }

  protected defaultSalt(): string {
    return 'django.core.signing.Signer';
  }

  /** The signature of `value` under `key` (default: the signer's key). */
  signature(value: string, key: string = this.key): string {
    return b64Encode(saltedHmac(`${this.salt}signer`, value, key, this.algorithm));
  }

  /** `value` + sep + its signature. */
  sign(value: string): string {
    return `${value}${this.sep}${this.signature(value)}`;
  }

  /**
   * The original value of a signed string.
   *
   * @throws BadSignature when the separator is missing or no key's signature matches.
   */
  unsign(signedValue: string): string {
    if (typeof signedValue !== 'string') throw new BadSignature(`A signed value is a string, not ${typeof signedValue}.`);
    const at = signedValue.lastIndexOf(this.sep);
    if (at === -1) throw new BadSignature(`No "${this.sep}" found in the signed value, so it carries no signature.`);
    const value = signedValue.slice(0, at);
    const sig = signedValue.slice(at + this.sep.length);
    for (const key of [this.key, ...this.fallbackKeys]) {
      if (constantTimeCompare(sig, this.signature(value, key))) return value;
    }
    throw new BadSignature(`Signature "${sig}" does not match: the value was changed, or signed with another key or salt.`);
  }

  /**
   * Serialize `obj` (JSON by default), optionally compress it, and sign the URL-safe
   * base64 of the result (Django's `sign_object`). A compressed payload starts with
   * '.', which the signature covers, so nobody without the key can feed zlib a bomb.
   *
   * ```ts
   * new Signer({ salt: 'cart' }).signObject({ items: [3, 5] }); // 'eyJpdGVtcyI6WzMsNV19:…'
   * ```
   *
   * @throws NotJSONSerializableError for a value JSON cannot hold.
   */
  signObject(obj: unknown, options: SignObjectOptions = {}): string {
    return this.sign(encodeObject(obj, options));
  }

  /**
   * The object `signObject()` signed. The type parameter is not checked: narrow the
   * value before trusting its shape.
   *
   * @throws BadSignature for a bad signature and for a payload that does not decode
   *   (bad base64, zlib or JSON), never another error.
   */
  unsignObject<T = unknown>(signedObject: string, options: UnsignObjectOptions = {}): T {
    return decodeObject(this.unsign(signedObject), options.serializer) as T;
  }
}

/**
 * A Signer that also signs the time, so `unsign(value, { maxAge })` can refuse
 * old values (Django's `TimestampSigner`).
 */
export class TimestampSigner extends Signer {
  protected override defaultSalt(): string {
    return 'django.core.signing.TimestampSigner';
  }

  /** The current time as a base62 count of seconds. */
  timestamp(): string {
    return b62Encode(Math.floor(Date.now() / 1000));
  }

  override sign(value: string): string {
    return super.sign(`${value}${this.sep}${this.timestamp()}`);
  }

  /**
   * The original value, checking its age when `maxAge` (seconds) is given.
   *
   * @throws BadSignature for a bad signature or timestamp; SignatureExpired when too old.
   */
  override unsign(signedValue: string, options: { maxAge?: number | null } = {}): string {
    const result = super.unsign(signedValue);
    const at = result.lastIndexOf(this.sep);
    if (at === -1) throw new BadSignature('The signed value carries no timestamp.');
    const value = result.slice(0, at);
    const stamp = b62Decode(result.slice(at + this.sep.length));
    if (Number.isNaN(stamp)) throw new BadSignature('The timestamp of the signed value is not base 62.');
    const maxAge = options.maxAge;
    if (maxAge !== undefined && maxAge !== null) {
      const age = Date.now() / 1000 - stamp;
      if (age > maxAge) throw new SignatureExpired(`Signature age ${age.toFixed(0)} s > ${maxAge} s allowed.`);
    }
    return value;
  }

  /**
   * The object `signObject()` signed, refused when older than `maxAge` seconds.
   *
   * @throws BadSignature (SignatureExpired when too old), never another error.
   */
  override unsignObject<T = unknown>(signedObject: string, options: UnsignObjectOptions & { maxAge?: number | null } = {}): T {
    return decodeObject(this.unsign(signedObject, { maxAge: options.maxAge }), options.serializer) as T;
  }
}

/**
 * Turns objects into bytes and back for `signObject()` and `dumps()` (Django's
 * serializer classes). `loads` may throw anything: the caller reports it as
 * BadSignature.
 */
export interface SigningSerializer {
  dumps(obj: unknown): Uint8Array;
  loads(data: Uint8Array): unknown;
}

/**
 * Django's `JSONSerializer`: compact JSON written as Python writes it (ASCII only,
 * see utils/python-json.ts), read as latin-1 as Django reads it.
 */
export const JSONSerializer: SigningSerializer = Object.freeze({
  dumps: (obj: unknown): Uint8Array => Buffer.from(pythonJsonStringify(obj), 'latin1'),
  loads: (data: Uint8Array): unknown => parsePythonJson(Buffer.from(data).toString('latin1')),
});

/** Options of `signObject()`. */
export interface SignObjectOptions {
  /** Default JSONSerializer. */
  serializer?: SigningSerializer;
  /** Compress with zlib when that saves more than one byte (default false). */
  compress?: boolean;
}

/** Options of `unsignObject()`. */
export interface UnsignObjectOptions {
  /** Default JSONSerializer. */
  serializer?: SigningSerializer;
}

/**
 * The most a compressed payload may inflate to. Django sets no bound; the signature
 * already keeps strangers from sending a bomb, and this keeps a signed one (a leaked
 * key, a bug) from exhausting memory. Real payloads are cookies and session rows.
 */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function encodeObject(obj: unknown, options: SignObjectOptions): string {
  let data = Buffer.from((options.serializer ?? JSONSerializer).dumps(obj));
  let compressed = false;
  if (options.compress) {
    const packed = deflateSync(data);
    // Django's rule: worth it only when it saves more than the '.' that marks it.
    if (packed.length < data.length - 1) {
      data = packed;
      compressed = true;
    }
  }
  return compressed ? `.${b64Encode(data)}` : b64Encode(data);
}

function decodeObject(payload: string, serializer: SigningSerializer = JSONSerializer): unknown {
  const compressed = payload.startsWith('.');
  const text = compressed ? payload.slice(1) : payload;
  if (!BASE64URL.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new BadSignature('The signed payload is not URL-safe base64.');
  }
  let data: Uint8Array = b64Decode(text);
  if (compressed) {
    try {
      data = inflateSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      throw new BadSignature(`The signed payload does not decompress: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return serializer.loads(data);
  } catch (error) {
    throw new BadSignature(`The signed payload does not deserialize: ${(error as Error).message}`, { cause: error });
  }
}

/** Options of `dumps()`. */
export interface DumpsOptions extends SignObjectOptions {
  /** Defaults to settings.SECRET_KEY. */
  key?: string;
  /** Default 'django.core.signing', as Django. */
  salt?: string;
  fallbackKeys?: readonly string[];
}

/** Options of `loads()`. */
export interface LoadsOptions extends UnsignObjectOptions {
  /** Defaults to settings.SECRET_KEY. */
  key?: string;
  /** Default 'django.core.signing', as Django. */
  salt?: string;
  /** Older keys still accepted; defaults to settings.SECRET_KEY_FALLBACKS. */
  fallbackKeys?: readonly string[];
  /** Seconds a value stays valid. */
  maxAge?: number | null;
}

/**
 * A URL-safe, signed and timestamped string holding `obj` (Django's `signing.dumps`),
 * readable by `loads()` here and by Django's `signing.loads` with the same key and salt.
 *
 * ```ts
 * const token = dumps({ user: 42 }, { salt: 'unsubscribe' });
 * loads(token, { salt: 'unsubscribe', maxAge: 7 * 86400 }); // { user: 42 }
 * ```
 */
export function dumps(obj: unknown, options: DumpsOptions = {}): string {
  const { key, salt = 'django.core.signing', fallbackKeys, ...objectOptions } = options;
  return new TimestampSigner({ key, salt, fallbackKeys }).signObject(obj, objectOptions);
}

/**
 * The object `dumps()` signed (Django's `signing.loads`), checking its age when
 * `maxAge` is given. Tries SECRET_KEY, then SECRET_KEY_FALLBACKS.
 *
 * @throws BadSignature for anything but a valid value (a wrong key or salt, a tampered
 *   or undecodable payload); SignatureExpired (a BadSignature) when too old.
 */
export function loads<T = unknown>(signed: string, options: LoadsOptions = {}): T {
  const { key, salt = 'django.core.signing', fallbackKeys, maxAge, serializer } = options;
  return new TimestampSigner({ key, salt, fallbackKeys }).unsignObject<T>(signed, { maxAge, serializer });
}

/**
 * A TimestampSigner for a cookie value under `salt` (Django's `get_cookie_signer(salt)`):
 * keyed by a cookie-only derivation of SECRET_KEY and of each SECRET_KEY_FALLBACKS key.
 * The messages framework signs its cookie with it (salt 'django.contrib.messages').
 *
 * @throws ImproperlyConfigured when SECRET_KEY is empty.
 */
export function cookieSignerForSalt(salt: string): TimestampSigner {
  const cookieKey = (key: string): string => `django.http.cookies${key}`;
  const secret = readSetting('SECRET_KEY', '');
  if (secret === '') throw new ImproperlyConfigured('Signed cookies need a key: set SECRET_KEY in settings.');
  return new TimestampSigner({
    key: cookieKey(secret),
    fallbackKeys: readSetting<string[]>('SECRET_KEY_FALLBACKS', []).map(cookieKey),
    salt,
  });
}

/**
 * The signer of signed cookie `cookieName` (Django's `get_cookie_signer` with its
 * v2 cookie salt): a TimestampSigner keyed by a cookie-only derivation of each
 * secret key, salted with the cookie name and `salt` so one cookie's value cannot
 * be replayed as another's.
 */
export function getCookieSigner(cookieName: string, salt = ''): TimestampSigner {
  // The salt's length (in code points, as Python counts) keeps (name, salt) pairs from colliding.
  return cookieSignerForSalt(`django.http.cookies.v2:${[...salt].length}:${salt}${cookieName}`);
}

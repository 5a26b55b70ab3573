/**
 * The response family (Django's django.http.response): a status, headers,
 * cookies and content. `HttpResponse` holds its content as bytes;
 * `StreamingHttpResponse` (and `FileResponse`, in file-response.ts) hold an
 * iterable the server pipes to the socket.
 *
 * The socket side (src/core/handlers/node.ts) reads `status`, `reasonPhrase`,
 * `headers`, `cookieHeaders()`, then `content` or `streamingContent`, and calls
 * `close()` when done.
 */
import { STATUS_CODES } from 'node:http';
import { DisallowedRedirect } from '../core/exceptions.ts';
import { getCookieSigner } from '../core/signing.ts';
import { DateOnly } from '../utils/dates.ts';
import { setting } from './conf.ts';
import { makeCookie, serializeCookie, type CookieOptions, type ResponseCookie, type SameSite } from './cookies.ts';
import { ResponseContentError } from './errors.ts';
import { ResponseHeaders, type HeadersInit } from './headers.ts';
import { parseHeaderParams } from './request.ts';
import { iriToUri } from './uri.ts';

/** Options every response constructor accepts. */
export interface ResponseOptions {
  /** Default 200 (or the subclass's). */
  status?: number;
  /** Default `text/html; charset=<charset>`. */
  contentType?: string;
  headers?: HeadersInit;
  /** Default: the Content-Type's charset, else DEFAULT_CHARSET. */
  charset?: string;
  /** A reason phrase other than the standard one for the status. */
  reason?: string;
}

/** What `HttpResponse` content can be given as. */
export type ResponseContent = string | Uint8Array | Iterable<string | Uint8Array> | { toString(): string };

/**
 * What every response has: status, headers, cookies, charset, closers.
 * Not used directly; see HttpResponse and StreamingHttpResponse.
 */
export abstract class HttpResponseBase {
  /** The default status of the class; subclasses override. */
  static readonly statusCode: number = 200;

  status: number;
  readonly headers: ResponseHeaders;
  /** True for responses whose body is an iterable piped to the socket. */
  abstract readonly streaming: boolean;
  #cookies: Map<string, ResponseCookie> | undefined;
  #reason: string | undefined;
  #charset: string | undefined;
  #closers: Array<() => void | Promise<void>> | undefined;
  #closed = false;

  constructor(options: ResponseOptions = {}) {
    this.status = options.status ?? (new.target as unknown as { statusCode: number }).statusCode;
    if (!Number.isInteger(this.status) || this.status < 100 || this.status > 599) {
      throw new RangeError(`HTTP status must be an integer from 100 to 599, got ${this.status}.`);
    }
    this.#reason = options.reason;
    this.#charset = options.charset;
    this.headers = new ResponseHeaders(options.headers);
    if (options.contentType !== undefined) this.headers.set('Content-Type', options.contentType);
    else if (!this.headers.has('Content-Type')) this.headers.set('Content-Type', `text/html; charset=${this.charset}`);
  }

  /** Cookies to set, by name (Django's `response.cookies`). */
  get cookies(): Map<string, ResponseCookie> {
    return (this.#cookies ??= new Map());
  }

  /** The reason phrase: the one given, or the standard one for the status. */
  get reasonPhrase(): string {
    return this.#reason ?? STATUS_CODES[this.status] ?? 'Unknown Status Code';
  }

  set reasonPhrase(value: string) {
    this.#reason = value;
  }

  /** The charset text content is encoded with. */
  get charset(): string {
    if (this.#charset !== undefined) return this.#charset;
    const type = this.headers?.get('Content-Type');
    return (type !== undefined ? charsetOf(type) : undefined) ?? setting('DEFAULT_CHARSET', 'utf-8');
  }

  set charset(value: string) {
    this.#charset = value;
  }

  /**
   * Set a cookie. `maxAge` also sets `Expires`; `sameSite` is 'Lax', 'Strict' or 'None'.
   *
   * ```ts
   * response.setCookie('theme', 'dark', { maxAge: 365 * 86400, sameSite: 'Lax', httpOnly: true });
   * ```
   *
   * @throws BadHeaderError for an invalid name or sameSite.
   */
  setCookie(name: string, value = '', options: CookieOptions = {}): void {
    this.cookies.set(name, makeCookie(name, value, options));
  }

  /**
   * Set a cookie whose value is signed with SECRET_KEY (a TimestampSigner salted
   * with the name and `salt`); read it with `request.getSignedCookie()`.
   */
  setSignedCookie(name: string, value: string, options: CookieOptions & { salt?: string } = {}): void {
    const { salt = '', ...cookieOptions } = options;
    this.setCookie(name, getCookieSigner(name, salt).sign(value), cookieOptions);
  }

  /**
   * Tell the client to drop a cookie (an empty value that expired in 1970).
   * Pass the `path` and `domain` it was set with. Names starting `__Secure-` or
   * `__Host-`, and SameSite=None, get `Secure`, which browsers require.
   */
  deleteCookie(name: string, options: { path?: string; domain?: string; sameSite?: SameSite } = {}): void {
    const secure = name.startsWith('__Secure-') || name.startsWith('__Host-') || (typeof options.sameSite === 'string' && options.sameSite.toLowerCase() === 'none');
    this.setCookie(name, '', {
      maxAge: 0,
      expires: new Date(0),
      path: options.path ?? '/',
      domain: options.domain,
      secure: secure || undefined,
      sameSite: options.sameSite,
    });
  }

  /** One Set-Cookie header value per cookie, in the order they were set. */
  cookieHeaders(): string[] {
    const cookies = this.#cookies;
    return cookies === undefined || cookies.size === 0 ? [] : [...cookies.values()].map(serializeCookie);
  }

  /** Run `fn` when the response is closed (after it was sent): release files, cursors. */
  onClose(fn: () => void | Promise<void>): void {
    (this.#closers ??= []).push(fn);
  }

  /**
   * Called by the server once the response is sent (or abandoned); runs the closers
   * once, in order, each after the previous one's promise settled. Rejects with the
   * first error, as the closers after it do not run.
   */
  close(): Promise<void> {
    if (this.#closed) return RESOLVED;
    this.#closed = true;
    const closers = this.#closers;
    this.#closers = undefined;
    return closers === undefined ? RESOLVED : runClosers(closers, 0);
  }

  toString(): string {
    return `<${this.constructor.name} status=${this.status}, "${this.headers.get('Content-Type') ?? ''}">`;
  }
}

const RESOLVED = Promise.resolve();

// Synchronous closers run back to back; only a closer that returns a promise makes
// the rest wait (no promise per closer on the common path).
function runClosers(closers: ReadonlyArray<() => void | Promise<void>>, from: number): Promise<void> {
  for (let i = from; i < closers.length; i++) {
    let result: void | Promise<void>;
    try {
      result = closers[i]!();
    } catch (error) {
      return Promise.reject(error);
    }
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      return Promise.resolve(result).then(() => runClosers(closers, i + 1));
    }
  }
  return RESOLVED;
}

// The charset parameter of a Content-Type. Responses of one application use a few
// content types again and again, so the last answer is kept.
let lastType = '';
let lastCharset: string | undefined;

function charsetOf(type: string): string | undefined {
  if (type !== lastType) {
    lastCharset = parseHeaderParams(type).params['charset'];
    lastType = type;
  }
  return lastCharset;
}

const EMPTY_CONTENT = Buffer.alloc(0);

function toBuffer(chunk: string | Uint8Array | { toString(): string }, charset: string): Buffer {
  if (typeof chunk === 'string') return encodeText(chunk, charset);
  if (chunk instanceof Uint8Array) return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return encodeText(String(chunk), charset);
}

function encodeText(text: string, charset: string): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const lower = charset.toLowerCase();
  if (lower === 'utf-8' || lower === 'utf8') return Buffer.from(text, 'utf8');
  if (lower === 'iso-8859-1' || lower === 'latin1' || lower === 'latin-1') return Buffer.from(text, 'latin1');
  if (lower === 'us-ascii' || lower === 'ascii') return Buffer.from(text, 'ascii');
  if (lower === 'utf-16le' || lower === 'utf-16') return Buffer.from(text, 'utf16le');
  // Node can decode many charsets but encode only these; UTF-8 is the safe answer.
  return Buffer.from(text, 'utf8');
}

/**
 * A response whose content is bytes in memory (Django's HttpResponse).
 *
 * ```ts
 * return new HttpResponse('<p>Saved.</p>');
 * return new HttpResponse('Gone fishing', { status: 503, contentType: 'text/plain' });
 * ```
 */
export class HttpResponse extends HttpResponseBase {
  readonly streaming = false;
  #content: Buffer = EMPTY_CONTENT;

  constructor(content: ResponseContent = '', options: ResponseOptions = {}) {
    super(options);
    this.content = content;
  }

  /** The body as bytes. Setting it accepts a string (encoded with the charset), bytes or an iterable of them. */
  get content(): Buffer {
    return this.#content;
  }

  set content(value: ResponseContent) {
    if (typeof value === 'string' || value instanceof Uint8Array) {
      this.#content = toBuffer(value, this.charset);
    } else if (value !== null && typeof value === 'object' && Symbol.iterator in value) {
      this.#content = Buffer.concat([...(value as Iterable<string | Uint8Array>)].map((chunk) => toBuffer(chunk, this.charset)));
    } else {
      this.#content = toBuffer(value, this.charset);
    }
  }

  /** The body decoded with the charset. */
  get text(): string {
    return new TextDecoder(this.charset).decode(this.#content);
  }

  /** Append to the content (Django's file-like `response.write()`). */
  write(chunk: string | Uint8Array): void {
    this.#content = Buffer.concat([this.#content, toBuffer(chunk, this.charset)]);
  }
}

/**
 * A response whose body is produced as it is sent: an iterable or async iterable
 * of strings or bytes (Django's StreamingHttpResponse). It has no `content`; the
 * server pipes `streamingContent`, so middleware that need the whole body must skip it.
 *
 * ```ts
 * async function* rows() { for await (const b of Book.objects.all()) yield `${b.title}\n`; }
 * return new StreamingHttpResponse(rows(), { contentType: 'text/csv' });
 * ```
 */
export class StreamingHttpResponse extends HttpResponseBase {
  readonly streaming = true;
  #source: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

  constructor(
    streamingContent: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array> = [],
    options: ResponseOptions = {},
  ) {
    super(options);
    this.#source = streamingContent;
  }

  /** Whether the source is an async iterable (Django's `is_async`). */
  get isAsync(): boolean {
    return Symbol.asyncIterator in this.#source;
  }

  /** The body, chunk by chunk, as bytes. Iterate it once. */
  get streamingContent(): AsyncIterable<Buffer> {
    const source = this.#source;
    const charset = this.charset;
    return (async function* () {
      for await (const chunk of source) yield toBuffer(chunk, charset);
    })();
  }

  /** Replace the body source (GZip middleware wraps it this way). */
  set streamingContent(value: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>) {
    this.#source = value;
  }

  /** Always throws: a streaming response has no content in memory. */
  get content(): never {
    throw new ResponseContentError(
      `This ${this.constructor.name} has no content attribute: its body is produced while it is sent. Use streamingContent.`,
    );
  }

  /** Read the whole stream into one Buffer (tests; it consumes the stream). */
  async readAll(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.streamingContent) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}

/**
 * JSON content (Django's JsonResponse). With `safe` (the default) only a plain
 * object is accepted, as Django's; pass `safe: false` for arrays and scalars.
 * Decimal, Date and bigint values serialize as Django's encoder would have them
 * (strings for Decimal, ISO 8601 for dates).
 *
 * ```ts
 * return new JsonResponse({ books: await Book.objects.values('id', 'title') });
 * ```
 *
 * @throws ResponseContentError for a non-object with `safe`, or a value JSON cannot hold.
 */
export class JsonResponse extends HttpResponse {
  constructor(data: unknown, options?: JsonResponseOptions) {
    const safe = options?.safe ?? true;
    const replacer = options?.replacer;
    const space = options?.space;
    if (safe && (data === null || typeof data !== 'object' || Array.isArray(data))) {
      throw new ResponseContentError(
        'JsonResponse with safe: true (the default) only serializes a plain object. Pass { safe: false } to send an array or a scalar.',
      );
    }
    let text: string | undefined;
    try {
      // The replacer costs a call per value; data with nothing it would convert gets
      // JSON.stringify's native path and the very same text.
      text =
        replacer === undefined && isPlainJson(data, { budget: PLAIN_JSON_BUDGET })
          ? JSON.stringify(data, null, space)
          : JSON.stringify(data, jsonReplacer(replacer), space);
    } catch (error) {
      throw new ResponseContentError(`JsonResponse could not serialize its data: ${(error as Error).message}.`, { cause: error });
    }
    super(text ?? 'null', options === undefined ? JSON_DEFAULTS : responseOptions(options));
  }
}

/** Options of `new JsonResponse()`: a response's, plus how the data is serialized. */
export interface JsonResponseOptions extends ResponseOptions {
  /** Default true: only a plain object is accepted. */
  safe?: boolean;
  /** A JSON.stringify replacer applied after the built-in conversions. */
  replacer?: (key: string, value: unknown) => unknown;
  /** Indentation, as JSON.stringify's third argument. */
  space?: number | string;
}

const JSON_DEFAULTS: ResponseOptions = Object.freeze({ contentType: 'application/json' });

function responseOptions(options: JsonResponseOptions): ResponseOptions {
  const { safe: _safe, replacer: _replacer, space: _space, ...rest } = options;
  return { contentType: 'application/json', ...rest };
}

// How many values isPlainJson() looks at before it gives up and lets the replacer decide.
const PLAIN_JSON_BUDGET = 512;

/**
 * Whether JSON.stringify without jsonReplacer() gives the same text for `value`: no
 * bigint, DateOnly, Set or Map anywhere, and no toJSON() other than Date's (whose
 * result the replacer would see). Answers false when unsure, which is always safe.
 */
function isPlainJson(value: unknown, state: { budget: number }): boolean {
  if (--state.budget < 0) return false;
  if (value === null || typeof value !== 'object') return typeof value !== 'bigint';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], state)) return false;
    return true;
  }
  if (value instanceof Date) return !(value instanceof DateOnly);
  if (value instanceof Set || value instanceof Map || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], state)) return false;
  return true;
}

function jsonReplacer(extra: ((key: string, value: unknown) => unknown) | undefined) {
  return function (this: Record<string, unknown>, key: string, value: unknown): unknown {
    // `value` has already been through toJSON (Date → ISO string); look at the original.
    const original = this[key];
    let out = value;
    if (typeof original === 'bigint') out = Number.isSafeInteger(Number(original)) ? Number(original) : original.toString();
    else if (original instanceof DateOnly) out = original.toISOString().slice(0, 10);
    else if (original instanceof Set) out = [...original];
    else if (original instanceof Map) out = Object.fromEntries(original);
    return extra === undefined ? out : extra.call(this, key, out);
  };
}

/** Longest redirect target accepted (Django's MAX_URL_REDIRECT_LENGTH). */
export const MAX_URL_REDIRECT_LENGTH = 16384;

/** Schemes a redirect may use; anything else (javascript:, data:) is refused. */
export const ALLOWED_REDIRECT_SCHEMES: readonly string[] = ['http', 'https', 'ftp'];

/**
 * The scheme of a URL as a browser reads it: leading C0 controls and spaces are
 * skipped and tabs/newlines anywhere removed, so ` java\tscript:` is `javascript`.
 */
export function urlScheme(url: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  const cleaned = url.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(cleaned);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** Shared by the redirect classes: sets Location, refuses unsafe schemes. */
abstract class HttpResponseRedirectBase extends HttpResponse {
  static readonly statusCodePreserveRequest: number = 307;

  constructor(redirectTo: string | URL, options: ResponseOptions & { preserveRequest?: boolean } = {}) {
    const { preserveRequest = false, ...rest } = options;
    const ctor = new.target as unknown as { statusCode: number; statusCodePreserveRequest: number };
    super('', { status: preserveRequest ? ctor.statusCodePreserveRequest : ctor.statusCode, ...rest });
    const target = String(redirectTo);
    if (target.length > MAX_URL_REDIRECT_LENGTH) {
      throw new DisallowedRedirect(`Unsafe redirect exceeding ${MAX_URL_REDIRECT_LENGTH} characters.`);
    }
    const scheme = urlScheme(target);
    if (scheme !== undefined && !ALLOWED_REDIRECT_SCHEMES.includes(scheme)) {
      throw new DisallowedRedirect(
        `Unsafe redirect to URL with protocol '${scheme}'. Redirects may use ${ALLOWED_REDIRECT_SCHEMES.join(', ')} only.`,
      );
    }
    this.headers.set('Location', iriToUri(target));
  }

  /** The Location header. */
  get url(): string {
    return this.headers.get('Location')!;
  }
}

/**
 * 302 Found (307 with `preserveRequest`). Refuses schemes other than http, https, ftp.
 *
 * ```ts
 * return new HttpResponseRedirect('/books/');
 * ```
 *
 * @throws DisallowedRedirect for `javascript:` and other unsafe schemes.
 */
export class HttpResponseRedirect extends HttpResponseRedirectBase {
  static override readonly statusCode: number = 302;
  static override readonly statusCodePreserveRequest: number = 307;
}

/** 301 Moved Permanently (308 with `preserveRequest`). */
export class HttpResponsePermanentRedirect extends HttpResponseRedirectBase {
  static override readonly statusCode: number = 301;
  static override readonly statusCodePreserveRequest: number = 308;
}

/** 304 Not Modified: no content and no Content-Type. */
export class HttpResponseNotModified extends HttpResponse {
  static override readonly statusCode: number = 304;

  constructor(options: ResponseOptions = {}) {
    super('', options);
    this.headers.delete('Content-Type');
  }

  override get content(): Buffer {
    return super.content;
  }

  override set content(value: ResponseContent) {
    const empty = value === '' || (value instanceof Uint8Array && value.length === 0);
    if (!empty) throw new ResponseContentError('A 304 (Not Modified) response cannot have content.');
    super.content = value;
  }
}

/** 400 Bad Request. */
export class HttpResponseBadRequest extends HttpResponse {
  static override readonly statusCode: number = 400;
}

/** 404 Not Found. */
export class HttpResponseNotFound extends HttpResponse {
  static override readonly statusCode: number = 404;
}

/** 403 Forbidden. */
export class HttpResponseForbidden extends HttpResponse {
  static override readonly statusCode: number = 403;
}

/**
 * 405 Method Not Allowed, with the `Allow` header listing what is.
 *
 * ```ts
 * return new HttpResponseNotAllowed(['GET', 'POST']);
 * ```
 */
export class HttpResponseNotAllowed extends HttpResponse {
  static override readonly statusCode: number = 405;
  constructor(permittedMethods: Iterable<string>, content: ResponseContent = '', options: ResponseOptions = {}) {
    super(content, options);
    this.headers.set('Allow', [...permittedMethods].map((m) => m.toUpperCase()).join(', '));
  }
}

/** 410 Gone. */
export class HttpResponseGone extends HttpResponse {
  static override readonly statusCode: number = 410;
}

/** 500 Internal Server Error. */
export class HttpResponseServerError extends HttpResponse {
  static override readonly statusCode: number = 500;
}

/**
 * HttpRequest: what a view receives (Django's HttpRequest / WSGIRequest).
 *
 * node:http IncomingMessage (fromNode) or plain options (create)
 *   → META, headers, path, GET, COOKIES, parsed lazily on first read
 *   → `await readBody()` reads the body once, size-limited
 *   → body, POST, FILES, json() are then plain synchronous reads.
 *
 * The handler calls `readBody()` before the middleware for every request that
 * can carry a body, so views and middleware never await it. A request without
 * Content-Length or Transfer-Encoding has no body and needs no read at all.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parse as parseCookieHeader } from 'cookie';
import { ImproperlyConfigured } from '../core/errors.ts';
import { DisallowedHost, RequestAborted, RequestDataTooBig } from '../core/exceptions.ts';
import { getCookieSigner, BadSignature } from '../core/signing.ts';
import { setting } from './conf.ts';
import { BodyNotReadError, InvalidJsonError, MultiValueDictKeyError, RawPostDataError } from './errors.ts';
import { RequestHeaders, type HeadersInit, headerPairs, rawHeaderValue } from './headers.ts';
import { parseMultipart, type UploadedFile } from './multipart.ts';
import { MultiValueDict, QueryDict } from './query-dict.ts';
import { decodePath, escapeUriPath, iriToUri } from './uri.ts';

/** What a request body can be given as. */
export type RequestBody = string | Uint8Array | AsyncIterable<Uint8Array>;

/** Options of `HttpRequest.create()` (the test client, RequestFactory, scripts). */
export interface RequestCreateOptions {
  /** Default 'GET'; upper-cased. */
  method?: string;
  /** The request target as sent on the wire: `/books/?page=2` (percent-escapes allowed). */
  path?: string;
  /** The query string; overrides one in `path`. */
  query?: string;
  headers?: HeadersInit;
  body?: RequestBody | null;
  /** Default 'http'. */
  scheme?: 'http' | 'https';
  /** The prefix the app is mounted under (WSGI's SCRIPT_NAME); default ''. */
  scriptName?: string;
  /** Default '127.0.0.1'. */
  remoteAddr?: string;
  /** Default 'testserver', as Django's RequestFactory. */
  serverName?: string;
  /** Default '80' (or '443' for https). */
  serverPort?: string | number;
  /** Extra META entries (`{ HTTP_X_CUSTOM: '1' }`). */
  meta?: Readonly<Record<string, string>>;
}

/** Options of `HttpRequest.fromNode()`. */
export interface FromNodeOptions {
  /** The prefix the app is mounted under; default ''. */
  scriptName?: string;
  /** Overrides the scheme read from the socket (e.g. behind a TLS terminator you trust). */
  scheme?: 'http' | 'https';
  /** Overrides SERVER_NAME (default: the socket's local address). */
  serverName?: string;
}

/** Options of `getSignedCookie()`. */
export interface SignedCookieOptions<D> {
  /** Returned when the cookie is absent or its signature is bad; without it those throw. */
  default?: D;
  salt?: string;
  /** Seconds a value stays valid. */
  maxAge?: number;
}

/** The structural shape of a URL match the resolver attaches (src/urls defines the class). */
export interface ResolverMatchLike {
  readonly route?: string;
  readonly urlName?: string | null;
  readonly appName?: string | null;
  readonly namespace?: string | null;
}

/**
 * The types of attach points, given by the packages that fill them through
 * declaration merging on this module, so http/ imports nothing above it.
 * nuages/contrib/sessions adds `session: SessionBase` (see its backends/base.ts).
 */
export interface RequestAttachmentTypes {}

/** The merged type of attach point `K`, or `Fallback` when no package declared one. */
type Attached<K extends string, Fallback> = K extends keyof RequestAttachmentTypes ? RequestAttachmentTypes[K] : Fallback;

/**
 * Attach points that middleware fill in. They are typed loosely here because
 * http/ imports nothing above it; the packages that own them narrow at use.
 */
export interface RequestAttachments {
  /** Set by the session middleware. */
  session?: unknown;
  /** Set by the authentication middleware. */
  user?: unknown;
  /** Set by the handler once the URL resolved. */
  resolverMatch?: ResolverMatchLike;
  /** A per-request URLconf that overrides ROOT_URLCONF (Django's `request.urlconf`). */
  urlconf?: string | null;
  /** The CSRF middleware's flags. */
  csrfProcessingDone?: boolean;
  csrfCookieNeedsReset?: boolean;
  /** Set by the test Client (unless `enforceCsrfChecks`) to skip the CSRF checks, as Django's `_dont_enforce_csrf_checks`. */
  _dontEnforceCsrfChecks?: boolean;
  /** Free space for middleware that need per-request state. */
  state: Record<string, unknown>;
}

interface ParsedBody {
  body: Buffer | undefined;
  post: QueryDict | undefined;
  /** Created on first read: most requests upload nothing. */
  files: MultiValueDict<UploadedFile> | undefined;
  multipart: boolean;
}

const EMPTY_BODY = Buffer.alloc(0);
const RESOLVED = Promise.resolve();

// Header name as sent → META key, or null for a name META leaves out. Clients send
// the same few names again and again; the bound keeps a hostile client from growing it.
const metaKeys = new Map<string, string | null>();
const META_KEYS_MAX = 512;

function metaKey(rawName: string): string | null {
  let key = metaKeys.get(rawName);
  if (key !== undefined) return key;
  const name = rawName.toLowerCase();
  // A header spelled with '_' would be indistinguishable from one with '-' in
  // META; servers drop it so it cannot spoof, say, X-Forwarded-For.
  key = name.includes('_')
    ? null
    : name === 'content-type'
      ? 'CONTENT_TYPE'
      : name === 'content-length'
        ? 'CONTENT_LENGTH'
        : `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
  if (metaKeys.size < META_KEYS_MAX) metaKeys.set(rawName, key);
  return key;
}

// Node joins most repeated headers with ', ' but keeps these apart; META holds strings.
function metaFromHeaders(raw: readonly string[], meta: Record<string, string>): void {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = metaKey(raw[i]!);
    if (key === null) continue;
    const value = raw[i + 1]!;
    const previous = meta[key];
    meta[key] = previous === undefined ? value : `${previous}${key === 'HTTP_COOKIE' ? '; ' : ','}${value}`;
  }
}

/** What `fromNode()` keeps to build META when it is first read. */
interface NodeOrigin {
  readonly req: IncomingMessage;
  readonly serverName: string | undefined;
}

/**
 * One HTTP request. Build it with `HttpRequest.fromNode()` (the server) or
 * `HttpRequest.create()` (tests, RequestFactory).
 *
 * ```ts
 * const request = HttpRequest.create({ method: 'POST', path: '/search/?q=tea',
 *   headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'page=2' });
 * await request.readBody();
 * request.GET.get('q');     // 'tea'
 * request.POST.get('page'); // '2'
 * ```
 */
export class HttpRequest implements RequestAttachments {
  /** Upper case: 'GET', 'POST', … */
  readonly method: string;
  /** The full path, SCRIPT_NAME included, percent-decoded: '/shop/books/1/'. */
  readonly path: string;
  /** The path the URLconf sees, without SCRIPT_NAME. */
  readonly pathInfo: string;

  /** The session (SessionMiddleware), typed as SessionBase once nuages/contrib/sessions is imported. */
  session!: Attached<'session', unknown>;
  /** The user (AuthenticationMiddleware), typed once nuages/contrib/auth is imported; see `auser()`. */
  user!: Attached<'user', unknown>;
  /** Loads the user (AuthenticationMiddleware): `await request.auser()` works whether or not it was loaded before. */
  auser!: Attached<'auser', (() => Promise<unknown>) | undefined>;
  resolverMatch?: ResolverMatchLike;
  urlconf?: string | null;
  /** Set by CsrfViewMiddleware once the request passed its checks. */
  csrfProcessingDone?: boolean;
  /** The CSRF secret (META.CSRF_COOKIE) must be sent with the response: a token was used, or the secret rotated. */
  csrfCookieNeedsReset?: boolean;
  /** The test Client's switch that skips the CSRF checks (Django's `_dont_enforce_csrf_checks`). */
  _dontEnforceCsrfChecks?: boolean;

  #socketScheme: 'http' | 'https';
  #query: string;
  #scriptName: string;
  #rawHeaders: readonly string[];
  #metaBase: Record<string, string> | undefined;
  #origin: NodeOrigin | undefined;
  #meta: Record<string, string> | undefined;
  #headers: RequestHeaders | undefined;
  #state: Record<string, unknown> | undefined;
  #source: AsyncIterable<Uint8Array> | Buffer | null;
  #loading: Promise<void> | undefined;
  #parsed: ParsedBody | undefined;
  #get: QueryDict | undefined;
  #cookies: Record<string, string> | undefined;
  #encoding: string | undefined;
  #contentType: { type: string; params: Record<string, string> } | undefined;

  protected constructor(init: {
    method: string;
    rawPath: string;
    query: string;
    /** Flat `[name, value, name, value, …]`, as node:http's `rawHeaders`. */
    rawHeaders: readonly string[];
    scheme: 'http' | 'https';
    scriptName: string;
    /** The server part of META (REMOTE_ADDR, SERVER_NAME, …); read from `origin` when absent. */
    meta?: Record<string, string>;
    origin?: NodeOrigin;
    source: AsyncIterable<Uint8Array> | Buffer | null;
  }) {
    const method = init.method;
    this.method = method === 'GET' || method === 'POST' || method === 'HEAD' ? method : method.toUpperCase();
    this.#socketScheme = init.scheme;
    const scriptName = init.scriptName === '' ? '' : init.scriptName.replace(/\/+$/, '');
    this.pathInfo = decodePath(init.rawPath) || '/';
    this.path = scriptName === '' ? this.pathInfo : `${scriptName}/${this.pathInfo.replace(/^\/+/, '')}`;
    this.#query = init.query;
    this.#scriptName = scriptName;
    this.#rawHeaders = init.rawHeaders;
    this.#metaBase = init.meta;
    this.#origin = init.origin;
    this.#source = init.source;
    if (init.source === null) this.#parsed = { body: EMPTY_BODY, post: undefined, files: undefined, multipart: false };
  }

  /**
   * Django-style environment: REMOTE_ADDR, SERVER_NAME, SERVER_PORT, HTTP_*, CONTENT_TYPE, …
   * Built on first read (a request that never looks at it never pays for it); the
   * same mutable object afterwards.
   */
  get META(): Record<string, string> {
    return (this.#meta ??= this.#buildMeta());
  }

  #buildMeta(): Record<string, string> {
    const meta = this.#metaBase ?? nodeMeta(this.#origin!, this.#socketScheme);
    meta['REQUEST_METHOD'] = this.method;
    meta['QUERY_STRING'] = this.#query;
    meta['PATH_INFO'] = this.pathInfo;
    meta['SCRIPT_NAME'] = this.#scriptName;
    metaFromHeaders(this.#rawHeaders, meta);
    this.#metaBase = undefined;
    this.#origin = undefined;
    return meta;
  }

  /** The headers the client sent, case-insensitive (built on first read). */
  get headers(): RequestHeaders {
    return (this.#headers ??= RequestHeaders.fromRaw(this.#rawHeaders));
  }

  /** Free space for middleware that need per-request state. */
  get state(): Record<string, unknown> {
    return (this.#state ??= {});
  }

  set state(value: Record<string, unknown>) {
    this.#state = value;
  }

  /**
   * A request from node:http. The body stays on the socket until `readBody()`.
   * An absolute-form target (`GET http://host/path`) is reduced to its path.
   */
  static fromNode(req: IncomingMessage, options: FromNodeOptions = {}): HttpRequest {
    let target = req.url ?? '/';
    if (!target.startsWith('/')) {
      try {
        const url = new URL(target);
        target = url.pathname + url.search;
      } catch {
        target = '/';
      }
    }
    const q = target.indexOf('?');
    const scheme = options.scheme ?? ((req.socket as TLSSocket | undefined)?.encrypted === true ? 'https' : 'http');
    const raw = req.rawHeaders;
    const contentLength = rawHeaderValue(raw, 'content-length');
    const hasBody = contentLength !== undefined ? contentLength !== '0' : rawHeaderValue(raw, 'transfer-encoding') !== undefined;
    return new HttpRequest({
      method: req.method ?? 'GET',
      rawPath: q === -1 ? target : target.slice(0, q),
      query: q === -1 ? '' : target.slice(q + 1),
      rawHeaders: raw,
      scheme,
      scriptName: options.scriptName ?? '',
      origin: { req, serverName: options.serverName },
      source: hasBody ? req : null,
    });
  }

  /**
   * A request built from options, with no socket (the test client, RequestFactory).
   * A string or bytes body sets CONTENT_LENGTH unless a header gives it.
   */
  static create(options: RequestCreateOptions = {}): HttpRequest {
    const target = options.path ?? '/';
    const q = target.indexOf('?');
    const rawPath = q === -1 ? target : target.slice(0, q);
    const query = options.query ?? (q === -1 ? '' : target.slice(q + 1));
    const scheme = options.scheme ?? 'http';
    const pairs = headerPairs(options.headers);
    let source: AsyncIterable<Uint8Array> | Buffer | null = null;
    const body = options.body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      if (!pairs.some(([name]) => name.toLowerCase() === 'content-length')) pairs.push(['Content-Length', String(buffer.length)]);
      source = buffer.length === 0 ? null : buffer;
    } else if (body !== undefined && body !== null) {
      source = body;
    }
    return new HttpRequest({
      method: options.method ?? 'GET',
      rawPath: rawPath === '' ? '/' : rawPath,
      query,
      rawHeaders: pairs.flat(),
      scheme,
      scriptName: options.scriptName ?? '',
      meta: {
        REMOTE_ADDR: options.remoteAddr ?? '127.0.0.1',
        SERVER_NAME: options.serverName ?? 'testserver',
        SERVER_PORT: String(options.serverPort ?? (scheme === 'https' ? '443' : '80')),
        SERVER_PROTOCOL: 'HTTP/1.1',
        'wsgi.url_scheme': scheme,
        ...options.meta,
      },
      source,
    });
  }

  // ---- URL, scheme, host ----------------------------------------------------

  /**
   * 'http' or 'https'. Behind a proxy, SECURE_PROXY_SSL_HEADER (`['HTTP_X_FORWARDED_PROTO', 'https']`)
   * names the header the proxy sets; only trust it when the proxy strips the header from clients.
   *
   * @throws ImproperlyConfigured when SECURE_PROXY_SSL_HEADER is not a [header, value] pair.
   */
  get scheme(): 'http' | 'https' {
    const proxyHeader = setting<unknown>('SECURE_PROXY_SSL_HEADER', null);
    if (proxyHeader !== null) {
      if (!Array.isArray(proxyHeader) || proxyHeader.length !== 2 || proxyHeader.some((x) => typeof x !== 'string')) {
        throw new ImproperlyConfigured(
          "SECURE_PROXY_SSL_HEADER must be a pair [header, value], such as ['HTTP_X_FORWARDED_PROTO', 'https'].",
        );
      }
      const [header, secureValue] = proxyHeader as [string, string];
      const sent = this.META[header];
      if (sent !== undefined) return sent.split(',', 1)[0]!.trim() === secureValue ? 'https' : 'http';
    }
    return this.#socketScheme;
  }

  /** Whether the request came over HTTPS (directly, or per SECURE_PROXY_SSL_HEADER). */
  isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The Host as the client sent it (X-Forwarded-Host when USE_X_FORWARDED_HOST), unvalidated. */
  getRawHost(): string {
    const forwarded = this.META['HTTP_X_FORWARDED_HOST'];
    if (setting('USE_X_FORWARDED_HOST', false) && forwarded !== undefined) return forwarded;
    const host = this.META['HTTP_HOST'];
    if (host !== undefined) return host;
    const port = this.getPort();
    const name = this.META['SERVER_NAME'] ?? '';
    return port === (this.isSecure() ? '443' : '80') ? name : `${name}:${port}`;
  }

  /**
   * The host (with port, when one was sent), checked against ALLOWED_HOSTS with
   * Django's rules: `.example.com` matches the domain and its subdomains, `*`
   * anything; with DEBUG and an empty list, localhost names pass.
   *
   * @throws DisallowedHost (a SuspiciousOperation → 400) for a malformed or unlisted host.
   */
  getHost(): string {
    const host = this.getRawHost();
    let allowed = setting<readonly string[]>('ALLOWED_HOSTS', []);
    if (setting('DEBUG', false) && allowed.length === 0) allowed = ['.localhost', '127.0.0.1', '[::1]'];
    const [domain] = splitDomainPort(host);
    if (domain !== '' && validateHost(domain, allowed)) return host;
    throw new DisallowedHost(
      domain === ''
        ? `Invalid HTTP_HOST header: ${JSON.stringify(host)}. The domain name provided is not valid according to RFC 1034/1035.`
        : `Invalid HTTP_HOST header: ${JSON.stringify(host)}. You may need to add ${JSON.stringify(domain)} to ALLOWED_HOSTS.`,
    );
  }

  /** The port, from X-Forwarded-Port when USE_X_FORWARDED_PORT, else the server's. */
  getPort(): string {
    const forwarded = this.META['HTTP_X_FORWARDED_PORT'];
    if (setting('USE_X_FORWARDED_PORT', false) && forwarded !== undefined) return forwarded;
    return this.META['SERVER_PORT'] ?? '';
  }

  /** The path with the query string, escaped for a URL: '/books/?page=2'. */
  getFullPath(forceAppendSlash = false): string {
    return this.#fullPath(this.path, forceAppendSlash);
  }

  /** As `getFullPath()`, with `pathInfo` instead of `path`. */
  getFullPathInfo(forceAppendSlash = false): string {
    return this.#fullPath(this.pathInfo, forceAppendSlash);
  }

  #fullPath(path: string, forceAppendSlash: boolean): string {
    const slash = forceAppendSlash && !path.endsWith('/') ? '/' : '';
    const query = this.META['QUERY_STRING'] ?? '';
    return `${escapeUriPath(path)}${slash}${query ? `?${iriToUri(query)}` : ''}`;
  }

  /**
   * An absolute URI for `location` (default: this request's full path), against
   * this request's scheme and validated host.
   *
   * ```ts
   * request.buildAbsoluteUri('/books/1/'); // 'https://shop.example/books/1/'
   * ```
   *
   * @throws DisallowedHost when the Host header is not allowed.
   */
  buildAbsoluteUri(location?: string): string {
    const base = `${this.scheme}://${this.getHost()}`;
    if (location === undefined) return iriToUri(base + this.getFullPath());
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]/.test(location)) return iriToUri(location);
    // A path on this host is appended as is (the fast, common case); anything
    // relative, scheme-relative (`//cdn.example/x`) or with dot segments is
    // resolved against the current URL as a browser would.
    if (location.startsWith('/') && !location.startsWith('//') && !location.includes('/./') && !location.includes('/../')) {
      return iriToUri(base + location);
    }
    return iriToUri(new URL(location, base + escapeUriPath(this.path)).href);
  }

  // ---- query string, cookies, content type -----------------------------------

  /** The query string as an immutable QueryDict. */
  get GET(): QueryDict {
    this.#get ??= QueryDict.parse(this.META['QUERY_STRING'] ?? '', { encoding: this.encoding });
    return this.#get;
  }

  set GET(value: QueryDict) {
    this.#get = value;
  }

  /** Cookies the client sent, name → value (parsed with the `cookie` package). */
  get COOKIES(): Record<string, string> {
    if (this.#cookies === undefined) {
      const header = this.META['HTTP_COOKIE'];
      const parsed = header ? parseCookieHeader(header, { decode: safeDecode }) : {};
      const cookies: Record<string, string> = {};
      for (const [name, value] of Object.entries(parsed)) if (value !== undefined) cookies[name] = value;
      this.#cookies = cookies;
    }
    return this.#cookies;
  }

  /**
   * The value of a cookie set with `response.setSignedCookie()`, checked.
   *
   * @throws MultiValueDictKeyError when absent, BadSignature/SignatureExpired when
   *   tampered or too old — unless `default` is given, which is then returned.
   */
  getSignedCookie<D = never>(name: string, options: SignedCookieOptions<D> = {}): string | D {
    const hasDefault = 'default' in options;
    const value = this.COOKIES[name];
    if (value === undefined) {
      if (hasDefault) return options.default as D;
      throw new MultiValueDictKeyError(name);
    }
    try {
      return getCookieSigner(name, options.salt ?? '').unsign(value, { maxAge: options.maxAge });
    } catch (error) {
      if (hasDefault && error instanceof BadSignature) return options.default as D;
      throw error;
    }
  }

  #parseContentType(): { type: string; params: Record<string, string> } {
    if (this.#contentType === undefined) this.#contentType = parseHeaderParams(this.META['CONTENT_TYPE'] ?? '');
    return this.#contentType;
  }

  /** The media type of the body, lower case, without parameters: 'application/json'. */
  get contentType(): string {
    return this.#parseContentType().type;
  }

  /** The Content-Type parameters: `{ charset: 'utf-8' }`. */
  get contentParams(): Record<string, string> {
    return { ...this.#parseContentType().params };
  }

  /**
   * The charset that form data and the query string decode with: the Content-Type's
   * charset, else DEFAULT_CHARSET. Setting it re-decodes GET (and POST on next read).
   */
  get encoding(): string {
    if (this.#encoding === undefined) {
      const charset = this.#parseContentType().params['charset'];
      let encoding = setting('DEFAULT_CHARSET', 'utf-8');
      if (charset !== undefined) {
        try {
          new TextDecoder(charset);
          encoding = charset;
        } catch {
          // An unknown charset is ignored, as Django does, rather than failing the request.
        }
      }
      this.#encoding = encoding;
    }
    return this.#encoding;
  }

  set encoding(value: string) {
    this.#encoding = value;
    this.#get = undefined;
    if (this.#parsed !== undefined && !this.#parsed.multipart) this.#parsed.post = undefined;
  }

  /** Whether the client accepts `mediaType` per its Accept header (Django's `accepts()`). */
  accepts(mediaType: string): boolean {
    const accept = this.headers.get('accept') ?? '*/*';
    const [type, subtype] = mediaType.toLowerCase().split('/');
    return accept.split(',').some((range) => {
      const { type: pattern, params } = parseHeaderParams(range);
      if (params['q'] !== undefined && Number(params['q']) === 0) return false;
      const [pType, pSub] = pattern.split('/');
      return (pType === '*' || pType === type) && (pSub === '*' || pSub === subtype);
    });
  }

  // ---- body -------------------------------------------------------------------

  /**
   * Read and parse the body, once; later calls return at once. Form bodies fill
   * POST, multipart bodies stream through busboy into POST and FILES, anything
   * else is kept as `body` for `json()` or the view.
   *
   * @throws RequestDataTooBig past DATA_UPLOAD_MAX_MEMORY_SIZE (the handler answers 413);
   *   TooManyFieldsSent / TooManyFilesSent past DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES;
   *   MultiPartParserError for a broken multipart body; RequestAborted when the client left.
   */
  readBody(): Promise<void> {
    if (this.#parsed !== undefined) return Promise.resolve();
    this.#loading ??= this.#load();
    return this.#loading;
  }

  /** Whether `readBody()` has completed (or there was no body to read). */
  get bodyRead(): boolean {
    return this.#parsed !== undefined;
  }

  async #load(): Promise<void> {
    const source = this.#source;
    if (source === null) return;
    const limit = setting<number | null>('DATA_UPLOAD_MAX_MEMORY_SIZE', 2621440);
    if (this.contentType === 'multipart/form-data') {
      const { post, files } = await parseMultipart(toIterable(source), {
        contentType: this.META['CONTENT_TYPE'] ?? '',
        encoding: this.encoding,
        maxMemorySize: limit,
        maxNumFields: setting<number | null>('DATA_UPLOAD_MAX_NUMBER_FIELDS', 1000),
        maxNumFiles: setting<number | null>('DATA_UPLOAD_MAX_NUMBER_FILES', 100),
        fileMaxMemorySize: setting<number>('FILE_UPLOAD_MAX_MEMORY_SIZE', 2621440),
        maxFileSize: setting<number | null>('FILE_UPLOAD_MAX_SIZE', null),
        tempDir: setting<string | null>('FILE_UPLOAD_TEMP_DIR', null),
      });
      this.#parsed = { body: undefined, post, files, multipart: true };
      return;
    }
    const declared = Number(this.META['CONTENT_LENGTH']);
    if (limit !== null && Number.isFinite(declared) && declared > limit) throw tooBig(limit);
    let body: Buffer;
    if (Buffer.isBuffer(source)) {
      body = source;
      if (limit !== null && body.length > limit) throw tooBig(limit);
    } else {
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of source) {
          total += chunk.byteLength;
          // Stop reading at the limit instead of buffering an attacker's gigabyte.
          if (limit !== null && total > limit) throw tooBig(limit);
          chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        }
      } catch (error) {
        if (error instanceof RequestDataTooBig) throw error;
        throw new RequestAborted(`The client closed the connection before the request body was read: ${(error as Error).message}`, {
          cause: error,
        });
      }
      body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    }
    this.#parsed = { body, post: undefined, files: undefined, multipart: false };
  }

  #requireParsed(what: string): ParsedBody {
    if (this.#parsed === undefined) throw new BodyNotReadError(what);
    return this.#parsed;
  }

  /**
   * The raw body bytes (after `readBody()`).
   *
   * @throws BodyNotReadError before readBody(); RawPostDataError for a multipart body.
   */
  get body(): Buffer {
    const parsed = this.#requireParsed('body');
    if (parsed.body === undefined) throw new RawPostDataError();
    return parsed.body;
  }

  /**
   * Form fields of a urlencoded or multipart body (empty for other bodies), immutable.
   *
   * @throws BodyNotReadError before readBody(); TooManyFieldsSent past the field limit.
   */
  get POST(): QueryDict {
    const parsed = this.#requireParsed('POST');
    if (parsed.post === undefined) {
      parsed.post =
        this.contentType === 'application/x-www-form-urlencoded' && parsed.body !== undefined
          ? QueryDict.parse(parsed.body, {
              encoding: this.encoding,
              maxNumFields: setting<number | null>('DATA_UPLOAD_MAX_NUMBER_FIELDS', 1000),
            })
          : new QueryDict(undefined, { mutable: false, encoding: this.encoding });
    }
    return parsed.post;
  }

  set POST(value: QueryDict) {
    this.#requireParsed('POST').post = value;
  }

  /** Uploaded files of a multipart body, field name → files. */
  get FILES(): MultiValueDict<UploadedFile> {
    const parsed = this.#requireParsed('FILES');
    return (parsed.files ??= new MultiValueDict());
  }

  /**
   * The body parsed as JSON (decoded with the request's encoding).
   *
   * @throws InvalidJsonError (a BadRequest → 400) when the body is not JSON;
   *   BodyNotReadError before readBody().
   */
  json(): unknown {
    const body = this.body;
    const text = new TextDecoder(this.encoding).decode(body);
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new InvalidJsonError(
        body.length === 0
          ? 'The request body is empty, but JSON was expected. Send a JSON document with Content-Type: application/json.'
          : `The request body is not valid JSON (${(error as Error).message}). Send a JSON document.`,
        { cause: error },
      );
    }
  }

  /** Whether the body brought uploaded files, which `close()` releases. */
  get hasUploads(): boolean {
    const files = this.#parsed?.files;
    return files !== undefined && files.size > 0;
  }

  /** Delete the temporary files of uploads that spilled to disk; the handler calls it after the response. */
  close(): Promise<void> {
    const files = this.#parsed?.files;
    // Every request is closed; only uploads have anything to release.
    if (files === undefined || files.size === 0) return RESOLVED;
    return RESOLVED.then(() => Promise.all([...files.lists()].flatMap(([, list]) => list.map((file) => file.close())))).then(() => undefined);
  }

  toString(): string {
    return `<HttpRequest: ${this.method} ${JSON.stringify(this.getFullPath())}>`;
  }
}

// The server part of META for a node:http request, read from its socket.
function nodeMeta({ req, serverName }: NodeOrigin, scheme: 'http' | 'https'): Record<string, string> {
  const socket = req.socket;
  return {
    REMOTE_ADDR: socket?.remoteAddress ?? '',
    REMOTE_PORT: String(socket?.remotePort ?? ''),
    SERVER_NAME: serverName ?? socket?.localAddress ?? 'localhost',
    SERVER_PORT: String(socket?.localPort ?? (scheme === 'https' ? 443 : 80)),
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    'wsgi.url_scheme': scheme,
  };
}

function tooBig(limit: number): RequestDataTooBig {
  return new RequestDataTooBig(
    `The request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE (${limit} bytes). Raise the setting, ` +
      'or send large content as a file upload (multipart), whose files do not count toward it.',
  );
}

async function* bufferAsIterable(buffer: Buffer): AsyncIterable<Uint8Array> {
  yield buffer;
}

function toIterable(source: AsyncIterable<Uint8Array> | Buffer): AsyncIterable<Uint8Array> {
  return Buffer.isBuffer(source) ? bufferAsIterable(source) : source;
}

// Values are percent-decoded (how response.setCookie() escapes them, and the JS
// convention); a quoted value loses its quotes as in Django; broken escapes stay.
function safeDecode(value: string): string {
  const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}

/** Split `type/subtype; a=1; b="x"` into a lower-case type and its parameters. */
export function parseHeaderParams(header: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    if (name) params[name] = value;
  }
  return { type: type.trim().toLowerCase(), params };
}

const HOST_PATTERN = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;

/**
 * `[domain, port]` of a Host value, the domain lower-cased without a trailing
 * dot; `['', '']` when the value is not a valid host (Django's `split_domain_port`).
 */
export function splitDomainPort(host: string): [string, string] {
  const match = HOST_PATTERN.exec(host.toLowerCase());
  if (match === null) return ['', ''];
  const domain = match[1]!;
  return [domain.endsWith('.') ? domain.slice(0, -1) : domain, match[2] ?? ''];
}

/**
 * Whether a lower-case domain (port removed) matches one of `allowedHosts`:
 * `*` matches anything, `.example.com` the domain and its subdomains, anything
 * else exactly (Django's `validate_host`).
 */
export function validateHost(domain: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((pattern) => pattern === '*' || isSameDomain(domain, pattern));
}

/** Whether `host` is `pattern` or, for a pattern starting with '.', a subdomain of it (Django's `is_same_domain`). */
export function isSameDomain(host: string, pattern: string): boolean {
  if (pattern === '') return false;
  const lower = pattern.toLowerCase();
  return (lower.startsWith('.') && (host.endsWith(lower) || host === lower.slice(1))) || lower === host;
}

/**
 * RequestFactory (Django's django.test.RequestFactory): builds HttpRequests, with
 * their body already read, for calling a view directly — no middleware, no URL
 * resolution. The test Client builds its requests the same way.
 *
 * ```ts
 * const factory = new RequestFactory();
 * const request = await factory.post('/books/', { title: 'Dune' });
 * const response = await createBook(request, {});
 * ```
 */
import { HttpRequest, type RequestBody } from '../http/request.ts';
import { headerPairs, type HeadersInit } from '../http/headers.ts';
import { encodeMultipart, UploadedFile, type MultipartValue } from '../http/multipart.ts';

/** The content type of a POST whose data is an object (as Django's test client). */
export const MULTIPART_CONTENT = 'multipart/form-data';

/** A scalar the factory turns into a form field or query parameter. */
export type FieldValue = string | number | boolean | bigint | null | undefined;

/**
 * What `data` can be: fields (arrays repeat the field; `UploadedFile`s and Blobs with
 * a name are uploads), a JSON-able value with `contentType: 'application/json'`, or
 * the raw body as a string or bytes.
 */
export type RequestData =
  | Readonly<Record<string, FieldValue | UploadedFile | Blob | readonly (FieldValue | UploadedFile | Blob)[]>>
  | string
  | Uint8Array
  | unknown[]
  | null
  | undefined;

/** Options of one request. */
export interface RequestOptions {
  /** The body's Content-Type: multipart for POST, `application/octet-stream` for PUT, PATCH, DELETE, OPTIONS. */
  readonly contentType?: string;
  /** Extra request headers. */
  readonly headers?: HeadersInit;
  /** Make the request as if over HTTPS. */
  readonly secure?: boolean;
  /** Query parameters (Django's `query_params`); for GET, HEAD and TRACE `data` is the query too. */
  readonly query?: Readonly<Record<string, FieldValue | readonly FieldValue[]>>;
  /** Extra META entries (`REMOTE_ADDR`, `SERVER_NAME`, …), as Django's `**extra`. */
  readonly meta?: Readonly<Record<string, string>>;
}

/** Defaults of every request a factory builds. */
export interface RequestFactoryOptions {
  /** Headers sent with every request (each request's own headers win). */
  readonly headers?: HeadersInit;
  /** Extra META entries of every request. */
  readonly meta?: Readonly<Record<string, string>>;
}

// Methods whose `data` is the query string rather than the body (Django's get/head/trace).
const QUERY_METHODS = new Set(['GET', 'HEAD', 'TRACE']);

/** `data` as an x-www-form-urlencoded query: arrays repeat the key, null/undefined are left out. */
export function urlencode(data: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(data)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === null || item === undefined) continue;
      params.append(key, String(item));
    }
  }
  return params.toString();
}

function isFields(data: RequestData): data is Readonly<Record<string, FieldValue | UploadedFile | Blob | readonly (FieldValue | UploadedFile | Blob)[]>> {
  return data !== null && typeof data === 'object' && !Array.isArray(data) && !(data instanceof Uint8Array);
}

async function toMultipartValue(value: FieldValue | UploadedFile | Blob, key: string): Promise<MultipartValue | undefined> {
  if (value === null || value === undefined) return undefined;
  if (value instanceof UploadedFile) return value;
  if (value instanceof Blob) {
    const name = (value as Blob & { name?: string }).name ?? key;
    return UploadedFile.fromContent(name, new Uint8Array(await value.arrayBuffer()), value.type || 'application/octet-stream');
  }
  return String(value);
}

async function encodeBody(
  data: RequestData,
  contentType: string,
): Promise<{ body: Buffer | undefined; contentType: string }> {
  if (data === undefined || data === null) return { body: undefined, contentType };
  if (typeof data === 'string') return { body: Buffer.from(data, 'utf8'), contentType };
  if (data instanceof Uint8Array) return { body: Buffer.from(data), contentType };
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  // A JSON content type serializes objects, lists and scalars alike (Django's _encode_json).
  if (type === 'application/json' || type.endsWith('+json')) {
    return { body: Buffer.from(JSON.stringify(data), 'utf8'), contentType };
  }
  if (!isFields(data)) {
    throw new TypeError(`Request data of type array needs contentType 'application/json'; got '${contentType}'.`);
  }
  if (type === MULTIPART_CONTENT) {
    const fields: Record<string, MultipartValue[]> = {};
    for (const [key, value] of Object.entries(data)) {
      const list: MultipartValue[] = [];
      for (const item of Array.isArray(value) ? value : [value]) {
        const encoded = await toMultipartValue(item as FieldValue | UploadedFile | Blob, key);
        if (encoded !== undefined) list.push(encoded);
      }
      fields[key] = list;
    }
    const encoded = await encodeMultipart(fields);
    return { body: encoded.body, contentType: encoded.contentType };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { body: Buffer.from(urlencode(data), 'utf8'), contentType };
  }
  throw new TypeError(
    `Cannot encode an object as '${contentType}'. Pass a string or bytes, or use contentType ` +
      "'application/json', 'application/x-www-form-urlencoded' or 'multipart/form-data'.",
  );
}

/**
 * Builds requests for calling views directly. Every method returns a request whose
 * body is read, so `request.POST`, `request.FILES` and `request.json()` work at once.
 */
export class RequestFactory {
  readonly #defaults: RequestFactoryOptions;

  constructor(defaults: RequestFactoryOptions = {}) {
    this.#defaults = defaults;
  }

  /** A GET request; `data` becomes the query string. */
  get(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('GET', path, data, options);
  }

  /** A POST request; an object `data` is sent as multipart/form-data unless `contentType` says otherwise. */
  post(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('POST', path, data, { contentType: MULTIPART_CONTENT, ...options });
  }

  /** A HEAD request; `data` becomes the query string. */
  head(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('HEAD', path, data, options);
  }

  /** A TRACE request; `data` becomes the query string. */
  trace(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('TRACE', path, data, options);
  }

  /** An OPTIONS request; `data` is the body. */
  options(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('OPTIONS', path, data, options);
  }

  /** A PUT request; `data` is the body (`application/octet-stream` unless `contentType` is given). */
  put(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('PUT', path, data, options);
  }

  /** A PATCH request; `data` is the body. */
  patch(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('PATCH', path, data, options);
  }

  /** A DELETE request; `data` is the body. */
  delete(path: string, data?: RequestData, options?: RequestOptions): Promise<HttpRequest> {
    return this.generic('DELETE', path, data, options);
  }

  /**
   * A request with any method. `path` may carry a query string, which `options.query`
   * (or, for GET/HEAD/TRACE, `data`) replaces; a full URL sets the scheme and host.
   */
  async generic(method: string, path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    const request = await this.buildRequest(method, path, data, options);
    await request.readBody();
    return request;
  }

  /**
   * The request `generic()` returns, before its body is read (the test Client hands
   * it to the handler, which reads it and answers 413 or 400 when it must).
   */
  async buildRequest(method: string, path: string, data?: RequestData, options: RequestOptions = {}): Promise<HttpRequest> {
    const upper = method.toUpperCase();
    let target = path;
    let secure = options.secure ?? false;
    let host: string | undefined;
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      secure = options.secure ?? url.protocol === 'https:';
      host = url.host;
      target = url.pathname + url.search;
    }
    const q = target.indexOf('?');
    let query = q === -1 ? '' : target.slice(q + 1);
    const pathOnly = q === -1 ? target : target.slice(0, q);
    let bodyData = data;
    if (QUERY_METHODS.has(upper)) {
      if (data !== undefined && data !== null && options.query !== undefined) {
        throw new TypeError(`${upper} got both data and query; pass the query parameters once.`);
      }
      const params = options.query ?? data;
      if (params !== undefined && params !== null) {
        query = typeof params === 'string' ? params : urlencode(params as Record<string, unknown>);
      }
      bodyData = undefined;
    } else if (options.query !== undefined) {
      query = urlencode(options.query);
    }
    const { body, contentType } = await encodeBody(bodyData, options.contentType ?? 'application/octet-stream');
    const headers: Array<[string, string]> = [...headerPairs(this.#defaults.headers)];
    const own = headerPairs(options.headers);
    const ownNames = new Set(own.map(([name]) => name.toLowerCase()));
    for (let i = headers.length - 1; i >= 0; i--) if (ownNames.has(headers[i]![0].toLowerCase())) headers.splice(i, 1);
    headers.push(...own);
    if (host !== undefined && !headers.some(([name]) => name.toLowerCase() === 'host')) headers.push(['Host', host]);
    if (body !== undefined && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', contentType]);
    }
    return HttpRequest.create({
      method: upper,
      path: pathOnly || '/',
      query,
      headers,
      body: (body ?? null) as RequestBody | null,
      scheme: secure ? 'https' : 'http',
      meta: { ...this.#defaults.meta, ...options.meta },
    });
  }
}

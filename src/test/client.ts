/**
 * The test Client (Django's django.test.Client): requests run through the real
 * handler — middleware, URL resolution, views, templates — in process, with no
 * socket.
 *
 * client.get(path) → RequestFactory builds the request (cookies from the jar) →
 * BaseHandler.handle() → response, with the templates rendered and their contexts
 * captured (templateRendered signal) → cookies stored → redirects followed on demand.
 *
 * ```ts
 * const client = new Client();
 * const response = await client.get('/books/');
 * assert.equal(response.status, 200);
 * assert.deepEqual(response.templates.map((t) => t.name), ['catalog/book_list.html', 'base.html']);
 * ```
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { overrideSettings, settingOr, settings } from '../conf/lazy-settings.ts';
import type { SessionBase } from '../contrib/sessions/backends/base.ts';
import { NuagesError } from '../core/errors.ts';
import { BaseHandler, type HandlerOptions } from '../core/handlers/base.ts';
import { gotRequestException } from '../core/signals.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponse, HttpResponseBase, StreamingHttpResponse } from '../http/response.ts';
import type { Template } from '../template/template.ts';
import { templateRendered } from '../template/signals.ts';
import type { ResolverMatch } from '../urls/index.ts';
import { MULTIPART_CONTENT, RequestFactory, type RequestData, type RequestFactoryOptions, type RequestOptions } from './request-factory.ts';

/** What the Client adds to every response it returns. */
export interface TestResponseExtras {
  /** The client that made the request. */
  readonly client: Client;
  /** The request the handler received (the last one, after redirects). */
  readonly request: HttpRequest;
  /** Every template rendered, in the order rendering started (extends parents and includes too). */
  readonly templates: readonly Template[];
  /** The context of each rendered template, flattened, in the order of `templates`. */
  readonly contexts: readonly Readonly<Record<string, unknown>>[];
  /**
   * The variables of the rendered templates merged, the first template's value
   * winning (what Django's `response.context['x']` finds); undefined when nothing rendered.
   */
  readonly context: Readonly<Record<string, unknown>> | undefined;
  /** `[url, status]` of each redirect followed with `follow: true`. */
  readonly redirectChain: ReadonlyArray<readonly [string, number]>;
  /** The URL match of the request (undefined when the path did not resolve). */
  readonly resolverMatch: ResolverMatch | undefined;
  /**
   * The body parsed as JSON.
   *
   * @throws TestClientError when the Content-Type is not JSON.
   */
  json(): unknown;
}

/**
 * A response from the test Client. Typed as an `HttpResponse` (`content`, `text`)
 * for convenience; a streaming view's response is a `StreamingHttpResponse` at run
 * time (`response.streaming` is true): read it with `readAll()`.
 */
export type TestResponse<R extends HttpResponseBase = HttpResponse> = R & TestResponseExtras;

/** Options of one Client request. */
export interface ClientRequestOptions extends RequestOptions {
  /** Follow redirects, collecting them in `response.redirectChain`. */
  readonly follow?: boolean;
}

/** Options of `new Client()`. */
export interface ClientOptions extends RequestFactoryOptions, Pick<HandlerOptions, 'middleware' | 'urlconf'> {
  /**
   * Re-throw an error a view raised instead of returning the 500 page (default true,
   * as Django's `raise_request_exception`), so the test shows the real stack.
   */
  readonly raiseRequestException?: boolean;
  /**
   * Run CsrfViewMiddleware's checks on this client's requests (default false: as Django's
   * client, requests pass them without a token, though cookies and tokens are still
   * handed out as in production). Turn it on to test the protection itself.
   */
  readonly enforceCsrfChecks?: boolean;
}

/** A test Client misuse: a redirect loop, or JSON asked of a non-JSON response. */
export class TestClientError extends NuagesError {
  readonly code = 'NUAGES_TEST_CLIENT';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

interface Capture {
  templates: Template[];
  contexts: Record<string, unknown>[];
  errors: unknown[];
}

const captures = new AsyncLocalStorage<Capture>();

// One receiver per signal for the whole process; each request's capture is found
// through the async context, so concurrent clients never see each other's templates.
templateRendered.connect(
  ({ template, context }) => {
    const capture = captures.getStore();
    if (capture === undefined) return;
    capture.templates.push(template);
    capture.contexts.push(context.flatten());
  },
  { dispatchUid: 'nuages.test.client.templates' },
);
gotRequestException.connect(
  ({ error }) => {
    captures.getStore()?.errors.push(error);
  },
  { dispatchUid: 'nuages.test.client.errors' },
);

/**
 * Makes requests against the project in process. Keeps a cookie jar across
 * requests (`client.cookies`), like a browser.
 *
 * ```ts
 * const client = new Client();
 * const created = await client.post('/books/', { title: 'Dune' }, { follow: true });
 * assert.deepEqual(created.redirectChain, [['/books/1/', 302]]);
 * const api = await client.post('/api/books/', { title: 'Emma' }, { contentType: 'application/json' });
 * assert.equal((api.json() as { id: number }).id, 2);
 * ```
 */
export class Client {
  readonly #factory: RequestFactory;
  /** The handler requests go through (middleware built on the first request). */
  readonly handler: BaseHandler;
  /** The cookie jar: name → value as the server set it. */
  readonly cookies = new Map<string, string>();
  /** Whether an error raised by a view is re-thrown (see ClientOptions). */
  raiseRequestException: boolean;
  /** Whether requests must pass the CSRF checks (see ClientOptions). */
  enforceCsrfChecks: boolean;

  constructor(options: ClientOptions = {}) {
    this.#factory = new RequestFactory(options);
    this.handler = new BaseHandler({ middleware: options.middleware, urlconf: options.urlconf });
    this.raiseRequestException = options.raiseRequestException ?? true;
    this.enforceCsrfChecks = options.enforceCsrfChecks ?? false;
  }

  /**
   * The session of the client's session cookie (Django's `client.session`), in the store
   * SESSION_ENGINE names; when there is no cookie, a new session is saved and its cookie
   * put in the jar. Change it and `await session.save()`: the next request sees the change.
   * (With 'signed-cookies' the key is the data, so also set
   * `client.cookies.set(SESSION_COOKIE_NAME, session.sessionKey)` after saving.)
   *
   * ```ts
   * const session = await client.session();
   * await session.set('cart', [3]);
   * await session.save();
   * ```
   */
  async session(): Promise<SessionBase> {
    // Loaded on use: the test toolkit does not depend on the sessions app being installed.
    const { sessionEngine } = await import('../contrib/sessions/engine.ts');
    const Store = sessionEngine();
    const name = settingOr('SESSION_COOKIE_NAME', 'sessionid');
    const cookie = this.cookies.get(name);
    if (cookie !== undefined) return new Store(cookie);
    const session = new Store();
    await session.save();
    if (session.sessionKey !== null) this.cookies.set(name, session.sessionKey);
    return session;
  }

  /**
   * Logs a user in without going through the login view (Django's `client.login()`): the
   * credentials go to `authenticate()`; on success the session is saved and its cookie put
   * in the jar. Returns false when the credentials are refused.
   *
   * ```ts
   * assert.ok(await client.login({ username: 'ada', password: 'correct horse' }));
   * ```
   */
  async login(credentials: Record<string, unknown>): Promise<boolean> {
    const { authenticate } = await import('../contrib/auth/authenticate.ts');
    const user = await authenticate(null, credentials);
    if (user === null || !user.isActive) return false;
    await this.#logIn(user);
    return true;
  }

  /** Logs `user` in without credentials (Django's `client.force_login()`). */
  async forceLogin(user: import('../contrib/auth/base-user.ts').AbstractBaseUser, options: { backend?: string } = {}): Promise<void> {
    await this.#logIn(user, options.backend);
  }

  /** Logs out: the session is flushed and the jar emptied (Django's `client.logout()`). */
  async logout(): Promise<void> {
    const name = settingOr('SESSION_COOKIE_NAME', 'sessionid');
    if (this.cookies.has(name)) {
      const { logout } = await import('../contrib/auth/login.ts');
      const request = await this.#factory.get('/');
      request.session = (await this.session()) as never;
      await logout(request);
    }
    this.cookies.clear();
  }

  async #logIn(user: import('../contrib/auth/base-user.ts').AbstractBaseUser, backend?: string): Promise<void> {
    const { login } = await import('../contrib/auth/login.ts');
    const name = settingOr('SESSION_COOKIE_NAME', 'sessionid');
    const request = await this.#factory.get('/');
    const { sessionEngine } = await import('../contrib/sessions/engine.ts');
    const Store = sessionEngine();
    request.session = new Store(this.cookies.get(name) ?? null) as never;
    await login(request, user, { backend: backend ?? user.backend ?? firstBackend() });
    const session = request.session as unknown as SessionBase;
    await session.save();
    if (session.sessionKey !== null) this.cookies.set(name, session.sessionKey);
  }

  /** A GET request; `data` is the query string. */
  get(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('GET', path, data, options);
  }

  /** A POST request; an object `data` is multipart unless `contentType` says otherwise. */
  post(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('POST', path, data, { contentType: MULTIPART_CONTENT, ...options });
  }

  /** A HEAD request; `data` is the query string. */
  head(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('HEAD', path, data, options);
  }

  /** An OPTIONS request; `data` is the body. */
  options(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('OPTIONS', path, data, options);
  }

  /** A PUT request; `data` is the body (JSON with `contentType: 'application/json'`). */
  put(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('PUT', path, data, options);
  }

  /** A PATCH request; `data` is the body. */
  patch(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('PATCH', path, data, options);
  }

  /** A DELETE request; `data` is the body. */
  delete(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('DELETE', path, data, options);
  }

  /** A TRACE request; `data` is the query string. */
  trace(path: string, data?: RequestData, options?: ClientRequestOptions): Promise<TestResponse> {
    return this.request('TRACE', path, data, options);
  }

  /**
   * Make a request with any method through the handler and return the response
   * with the test extras. With `follow`, redirects are followed (307/308 repeat the
   * method and body, the others become GET), up to 20 or until a loop.
   *
   * @throws the view's error when `raiseRequestException` is on; TestClientError
   *   for a redirect loop.
   */
  async request(method: string, path: string, data?: RequestData, options: ClientRequestOptions = {}): Promise<TestResponse> {
    let response = await this.#once(method, path, data, options);
    if (!options.follow) return response;
    const chain: Array<readonly [string, number]> = [];
    while (REDIRECTS.has(response.status)) {
      const location = response.headers.get('Location');
      if (location === undefined) break;
      const status = response.status;
      chain.push([location, status]);
      if (chain.length > MAX_REDIRECTS || chain.slice(0, -1).some(([url, s]) => url === location && s === status)) {
        throw new TestClientError(
          `Redirect loop: ${chain.map(([url, s]) => `${s} → ${url}`).join(', ')}. Fix the view that redirects, ` +
            'or drop follow: true to look at one redirect.',
        );
      }
      const previous = response.request;
      const target = new URL(location, `${previous.scheme}://${previous.getRawHost()}${previous.path}`);
      const secure = target.protocol === 'https:';
      const hostHeader: Record<string, string> = target.host === previous.getRawHost() ? {} : { Host: target.host };
      const next = { ...options, secure, headers: { ...headersRecord(options.headers), ...hostHeader } };
      if (status === 307 || status === 308) {
        response = await this.#once(method, target.pathname + target.search, data, { ...next, query: undefined });
      } else {
        response = await this.#once('GET', target.pathname + target.search, undefined, {
          secure,
          headers: next.headers,
          meta: options.meta,
        });
      }
    }
    Object.assign(response, { redirectChain: chain });
    return response;
  }

  async #once(method: string, path: string, data: RequestData, options: ClientRequestOptions): Promise<TestResponse> {
    const headers = headersRecord(options.headers);
    if (this.cookies.size > 0 && !Object.keys(headers).some((name) => name.toLowerCase() === 'cookie')) {
      headers['Cookie'] = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const request = await this.#factory.buildRequest(method, path, data, { ...options, headers });
    request._dontEnforceCsrfChecks = !this.enforceCsrfChecks;
    const capture: Capture = { templates: [], contexts: [], errors: [] };
    const response = await captures.run(capture, () => withTestServerHost(() => this.handler.handle(request)));
    this.#storeCookies(response);
    if (response.streaming) {
      // Close once the test has read the stream, as the server would after sending it.
      const stream = response as StreamingHttpResponse;
      const source = stream.streamingContent;
      stream.streamingContent = (async function* () {
        try {
          yield* source;
        } finally {
          await response.close();
        }
      })();
    } else {
      await response.close();
    }
    if (this.raiseRequestException && capture.errors.length > 0) throw capture.errors[0];
    return decorate(response, this, request, capture);
  }

  #storeCookies(response: HttpResponseBase): void {
    for (const header of response.cookieHeaders()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq === -1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', val = ''] = attribute.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

function headersRecord(init: RequestOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (Symbol.iterator in init) {
    for (const [name, value] of init as Iterable<readonly [string, string]>) out[name] = value;
    return out;
  }
  for (const [name, value] of Object.entries(init)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * Run `fn` with 'testserver' (the client's default host) allowed, as Django's test
 * environment adds it to ALLOWED_HOSTS.
 */
function withTestServerHost<R>(fn: () => Promise<R>): Promise<R> {
  if (!settings.configured) return fn();
  const allowed = settings.ALLOWED_HOSTS ?? [];
  if (allowed.includes('testserver') || allowed.includes('*')) return fn();
  return overrideSettings({ ALLOWED_HOSTS: [...allowed, 'testserver'] }, fn) as Promise<R>;
}

function decorate(response: HttpResponseBase, client: Client, request: HttpRequest, capture: Capture): TestResponse {
  let merged: Record<string, unknown> | undefined;
  if (capture.contexts.length > 0) {
    merged = {};
    for (const context of capture.contexts) {
      for (const [key, value] of Object.entries(context)) if (!(key in merged)) merged[key] = value;
    }
  }
  const extras: TestResponseExtras = {
    client,
    request,
    templates: capture.templates,
    contexts: capture.contexts,
    context: merged,
    redirectChain: [],
    resolverMatch: request.resolverMatch as ResolverMatch | undefined,
    json(): unknown {
      const type = response.headers.get('Content-Type') ?? '';
      if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
        throw new TestClientError(`Content-Type header is "${type}", not "application/json"; response.json() reads JSON responses only.`);
      }
      const text = (response as HttpResponse).text;
      return JSON.parse(text);
    },
  };
  // Own properties: the response's class keeps its getters (content, text) intact.
  for (const [key, value] of Object.entries(extras)) {
    Object.defineProperty(response, key, { value, writable: true, configurable: true, enumerable: false });
  }
  return response as TestResponse;
}

/** The first AUTHENTICATION_BACKENDS entry, what `forceLogin()` records when given none (as Django). */
function firstBackend(): string {
  return settingOr<readonly string[]>('AUTHENTICATION_BACKENDS', ['nuages/contrib/auth/backends#ModelBackend'])[0]!;
}

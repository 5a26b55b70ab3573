/**
 * The request handler (Django's django.core.handlers.base.BaseHandler).
 *
 * handle(request) → requestStarted → readBody() → the middleware onion, built once
 * from MIDDLEWARE → resolve the URL → processView hooks → view → processTemplateResponse
 * hooks → render → back out through the onion → response. `requestFinished` is sent
 * when the response is closed, which the server does after the last byte and the test
 * client does at once.
 *
 * A middleware is either a factory or a class:
 *
 * ```ts
 * const timing: MiddlewareFactory = (getResponse) => async (request) => {
 *   const start = performance.now();
 *   const response = await getResponse(request);
 *   response.headers.set('X-Request-Duration', `${(performance.now() - start).toFixed(1)}ms`);
 *   return response;
 * };
 * ```
 */
import { settings } from '../../conf/lazy-settings.ts';
import type { HttpRequest } from '../../http/request.ts';
import type { HttpResponseBase } from '../../http/response.ts';
import { resolve, type Params, type Urlconf, type ViewFunction } from '../../urls/index.ts';
import { ImproperlyConfigured, NuagesError } from '../errors.ts';
import { requestFinished, requestStarted } from '../signals.ts';
import { setHandlerUrlconf, urlconfFor } from './urlconf.ts';
import { importSettingEntry } from '../../utils/module-loading.ts';
import { logResponse, responseForException, type GetResponse } from './exception.ts';
import { runWithRoutingScope } from '../../db/routing-scope.ts';

export type { GetResponse } from './exception.ts';
export { urlconfFor } from './urlconf.ts';

/** What a hook may return: a response to short-circuit with, or nothing to carry on. */
type MaybeResponse = HttpResponseBase | null | undefined | void;

/** The optional hooks of a middleware (Django's process_view, process_exception, process_template_response). */
export interface MiddlewareHooks {
  /**
   * Called after the URL is resolved, before the view. Return a response to skip the
   * view (and the remaining processView hooks); return nothing to carry on.
   */
  processView?(request: HttpRequest, view: ViewFunction, params: Params): MaybeResponse | Promise<MaybeResponse>;
  /**
   * Called when the view throws, innermost middleware first. Return a response to use
   * it instead of the error page; return nothing to let the next hook (and finally the
   * handler's error pages) deal with it.
   */
  processException?(request: HttpRequest, error: unknown): MaybeResponse | Promise<MaybeResponse>;
  /** Called with a response that has yet to be rendered (a TemplateResponse), before it is. */
  processTemplateResponse?(request: HttpRequest, response: HttpResponseBase): HttpResponseBase | Promise<HttpResponseBase>;
}

/** A middleware instance: `call(request)` plus any hooks. */
export interface MiddlewareObject extends MiddlewareHooks {
  call(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase>;
}

/** A middleware function made by a factory; hooks may be attached as properties. */
export type MiddlewareFunction = ((request: HttpRequest) => HttpResponseBase | Promise<HttpResponseBase>) & MiddlewareHooks;

/** `(getResponse) => (request) => response`: Django's function middleware. */
export type MiddlewareFactory = (getResponse: GetResponse) => MiddlewareFunction | MiddlewareObject;

/** A class whose constructor takes `getResponse` and whose instances have `call(request)`. */
export type MiddlewareClass = new (getResponse: GetResponse) => MiddlewareObject;

/** One entry of MIDDLEWARE: a factory, a class, or `'module#export'` naming one. */
export type MiddlewareSetting = MiddlewareFactory | MiddlewareClass | string;

/**
 * Throw from a middleware's constructor or factory to leave it out of the chain
 * (Django's MiddlewareNotUsed), e.g. when a feature is off in these settings.
 */
export class MiddlewareNotUsed extends NuagesError {
  readonly code = 'NUAGES_MIDDLEWARE_NOT_USED';
}

/** A view returned something that is not a response (Django's ValueError of the same case). */
export class InvalidViewResponseError extends NuagesError {
  readonly code = 'NUAGES_HANDLER_INVALID_RESPONSE';
  constructor(where: string, value: unknown) {
    const got = value === undefined ? 'undefined' : value === null ? 'null' : `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
    super(
      `${where} returned ${got} instead of a response. Return an HttpResponse (for example ` +
        '`return new HttpResponse(html)` or `return render(request, name, context)`), or throw Http404.',
    );
  }
}

/** A MIDDLEWARE entry that cannot be loaded or used (ImproperlyConfigured). */
export class MiddlewareConfigError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_MIDDLEWARE_CONFIG';
}

/** Options of `new BaseHandler()`; both default to the settings. */
export interface HandlerOptions {
  /** The middleware, outermost first (default: settings.MIDDLEWARE). */
  readonly middleware?: readonly MiddlewareSetting[];
  /** The URLconf (default: settings.ROOT_URLCONF); `request.urlconf` still wins per request. */
  readonly urlconf?: Urlconf;
}

type ProcessView = NonNullable<MiddlewareHooks['processView']>;
type ProcessTemplateResponse = NonNullable<MiddlewareHooks['processTemplateResponse']>;
type ProcessException = NonNullable<MiddlewareHooks['processException']>;

interface TemplateResponseLike {
  readonly isRendered: boolean;
  render(): unknown;
}

function isUnrenderedTemplateResponse(response: HttpResponseBase): response is HttpResponseBase & TemplateResponseLike {
  const r = response as unknown as Partial<TemplateResponseLike>;
  return typeof r.render === 'function' && r.isRendered === false;
}

function isResponse(value: unknown): value is HttpResponseBase {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { status?: unknown }).status === 'number' &&
    typeof (value as { headers?: { get?: unknown } }).headers?.get === 'function'
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function describeEntry(entry: MiddlewareSetting): string {
  return typeof entry === 'string' ? `'${entry}'` : entry.name || '(anonymous middleware)';
}

/**
 * Runs requests through the middleware and the view. One per process (the server)
 * or per test client; the chain is built on the first request, from the settings of
 * that moment, and reused.
 *
 * ```ts
 * const handler = new BaseHandler();
 * const response = await handler.handle(HttpRequest.create({ path: '/books/' }));
 * ```
 */
export class BaseHandler {
  readonly #options: HandlerOptions;
  #chain: Promise<GetResponse> | undefined;
  // The chain once built, so a request does not wait a tick for the promise above.
  #ready: GetResponse | undefined;
  #viewHooks: ProcessView[] = [];
  #templateHooks: ProcessTemplateResponse[] = [];
  #exceptionHooks: ProcessException[] = [];

  constructor(options: HandlerOptions = {}) {
    this.#options = options;
  }

  /**
   * Build the middleware chain now instead of on the first request, so a bad
   * MIDDLEWARE entry fails at start-up. Idempotent.
   *
   * @throws MiddlewareConfigError for an entry that cannot be imported or used.
   */
  loadMiddleware(): Promise<GetResponse> {
    if (this.#chain === undefined) {
      const chain = this.#build();
      this.#chain = chain;
      chain.then(
        (built) => {
          if (this.#chain === chain) this.#ready = built;
        },
        () => {
          // A failed build is retried by the next call.
          if (this.#chain === chain) this.#chain = undefined;
        },
      );
    }
    return this.#chain;
  }

  async #build(): Promise<GetResponse> {
    const entries = this.#options.middleware ?? (settings.configured ? settings.MIDDLEWARE : []);
    const viewHooks: ProcessView[] = [];
    const templateHooks: ProcessTemplateResponse[] = [];
    const exceptionHooks: ProcessException[] = [];
    let handler: GetResponse = (request) => this.#viewLayer(request);
    // Built inside out: the last entry wraps the view, the first wraps everything.
    for (const entry of [...entries].reverse()) {
      const middleware = typeof entry === 'string' ? await importMiddleware(entry) : entry;
      if (typeof middleware !== 'function') {
        throw new MiddlewareConfigError(`MIDDLEWARE entry ${describeEntry(entry)} is not a function or class.`);
      }
      let instance: MiddlewareFunction | MiddlewareObject;
      try {
        instance = isClass(middleware)
          ? new (middleware as MiddlewareClass)(handler)
          : (middleware as MiddlewareFactory)(handler);
      } catch (error) {
        if (error instanceof MiddlewareNotUsed) continue;
        throw error;
      }
      const call =
        typeof instance === 'function'
          ? instance
          : instance !== null && typeof instance === 'object' && typeof instance.call === 'function'
            ? instance.call.bind(instance)
            : undefined;
      if (call === undefined) {
        throw new MiddlewareConfigError(
          `MIDDLEWARE entry ${describeEntry(entry)} gave ${instance === null ? 'null' : typeof instance}; a factory must ` +
            'return a function (request) => response, and a class must define call(request).',
        );
      }
      if (instance.processView) viewHooks.unshift(instance.processView.bind(instance));
      if (instance.processTemplateResponse) templateHooks.push(instance.processTemplateResponse.bind(instance));
      if (instance.processException) exceptionHooks.push(instance.processException.bind(instance));
      // Each layer hands the one outside it a response, never an error (Django's
      // convert_exception_to_response); a sync middleware is not awaited.
      handler = async (request) => {
        try {
          let response: unknown = call(request);
          if (isThenable(response)) response = await response;
          if (!isResponse(response)) throw new InvalidViewResponseError(`Middleware ${describeEntry(entry)}`, response);
          return response;
        } catch (error) {
          return responseForException(request, error);
        }
      };
    }
    this.#viewHooks = viewHooks;
    this.#templateHooks = templateHooks;
    this.#exceptionHooks = exceptionHooks;
    return handler;
  }

  /**
   * Handle one request from start to finish: the whole in-process entry point, used
   * by the server and the test client. Never throws for an error in a view or
   * middleware: that becomes an error response. `requestFinished` is sent when the
   * caller closes the response (`await response.close()`).
   */
  handle(request: HttpRequest): Promise<HttpResponseBase> {
    const sender = this.constructor;
    // Signals nobody listens to cost nothing: no payload, no tick.
    if (requestStarted.hasListeners(sender)) {
      return requestStarted.send(sender, { request }).then(() => this.#handle(request, sender));
    }
    return this.#handle(request, sender);
  }

  async #handle(request: HttpRequest, sender: Function): Promise<HttpResponseBase> {
    let response: HttpResponseBase;
    try {
      // Bodies are read before the middleware so that middleware and views read
      // request.POST and request.body synchronously.
      if (!request.bodyRead) await request.readBody();
      // One routing scope per request: reads after a write stick to the primary (ReplicaRouter).
      response = await runWithRoutingScope(() => this.#run(request));
      logResponse(request, response);
    } catch (error) {
      response = await responseForException(request, error);
    }
    response.onClose(() => closeRequest(request, sender));
    return response;
  }

  #run(request: HttpRequest): Promise<HttpResponseBase> {
    const chain = this.#ready;
    if (chain === undefined) return this.loadMiddleware().then(() => this.#run(request));
    if (this.#options.urlconf !== undefined) setHandlerUrlconf(request, this.#options.urlconf);
    return chain(request);
  }

  /** Run the request through the middleware and view (no signals, body already read). */
  async getResponse(request: HttpRequest): Promise<HttpResponseBase> {
    const chain = await this.loadMiddleware();
    if (this.#options.urlconf !== undefined) setHandlerUrlconf(request, this.#options.urlconf);
    const response = await chain(request);
    logResponse(request, response);
    return response;
  }

  // The innermost layer: errors become responses here, as around every middleware.
  #viewLayer(request: HttpRequest): Promise<HttpResponseBase> {
    let result: HttpResponseBase | Promise<HttpResponseBase>;
    try {
      result = this.#getResponseInner(request);
    } catch (error) {
      return responseForException(request, error);
    }
    if (result instanceof Promise) return result.catch((error: unknown) => responseForException(request, error));
    return Promise.resolve(result);
  }

  // Only awaits what is a promise: a sync view or hook costs no tick.
  #getResponseInner(request: HttpRequest): HttpResponseBase | Promise<HttpResponseBase> {
    const match = resolve(request.pathInfo, urlconfFor(request));
    request.resolverMatch = match;
    const view = match.func;
    const params = match.kwargs;
    if (this.#viewHooks.length > 0) return this.#callViewHooks(request, view, params, match.route, 0);
    return this.#callView(request, view, params, match.route);
  }

  async #callViewHooks(
    request: HttpRequest,
    view: ViewFunction,
    params: Params,
    route: string,
    from: number,
  ): Promise<HttpResponseBase> {
    const hooks = this.#viewHooks;
    for (let i = from; i < hooks.length; i++) {
      let response: unknown = hooks[i]!(request, view, params);
      if (isThenable(response)) response = await response;
      if (response) return this.#checked(request, response, view, route);
    }
    return this.#callView(request, view, params, route);
  }

  #callView(request: HttpRequest, view: ViewFunction, params: Params, route: string): HttpResponseBase | Promise<HttpResponseBase> {
    let response: unknown;
    try {
      response = view(request, params);
    } catch (error) {
      return this.#viewFailed(request, error, view, route);
    }
    if (isThenable(response)) {
      return Promise.resolve(response).then(
        (value) => this.#checked(request, value, view, route),
        (error: unknown) => this.#viewFailed(request, error, view, route),
      );
    }
    return this.#checked(request, response, view, route);
  }

  async #viewFailed(request: HttpRequest, error: unknown, view: ViewFunction, route: string): Promise<HttpResponseBase> {
    const response = await this.#processException(request, error);
    if (!response) throw error;
    return this.#checked(request, response, view, route);
  }

  // The view's (or a hook's) result: a response, rendered if it is a TemplateResponse.
  #checked(request: HttpRequest, response: unknown, view: ViewFunction, route: string): HttpResponseBase | Promise<HttpResponseBase> {
    if (!isResponse(response)) throw new InvalidViewResponseError(`The view ${viewName(view, route)}`, response);
    if (isUnrenderedTemplateResponse(response)) return this.#render(request, response);
    return response;
  }

  async #render(request: HttpRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
    let result: HttpResponseBase = response;
    for (const hook of this.#templateHooks) {
      const next: unknown = await hook(request, result);
      if (!isResponse(next)) throw new InvalidViewResponseError('A processTemplateResponse hook', next);
      result = next;
    }
    try {
      if (isUnrenderedTemplateResponse(result)) await result.render();
    } catch (error) {
      const handled = await this.#processException(request, error);
      if (!handled) throw error;
      result = handled;
    }
    return result;
  }

  async #processException(request: HttpRequest, error: unknown): Promise<HttpResponseBase | undefined> {
    for (const hook of this.#exceptionHooks) {
      const response = await hook(request, error);
      if (response) return response;
    }
    return undefined;
  }
}

// Closes what the request opened (uploads spilled to disk), then sends requestFinished.
function closeRequest(request: HttpRequest, sender: Function): Promise<void> | undefined {
  const listening = requestFinished.hasListeners(sender);
  // The usual request has neither: the response then closes without a promise.
  if (!listening && !request.hasUploads) return undefined;
  const closing = request.close();
  return listening ? closing.then(() => requestFinished.send(sender)).then(() => undefined) : closing;
}

function viewName(view: Function, route: string): string {
  return view.name ? `${view.name} (route '${route}')` : `for route '${route}'`;
}

/**
 * Import a middleware named by `'module#export'` (default export without `#`).
 * Relative paths are resolved against BASE_DIR, as INSTALLED_APPS entries are.
 */
export async function importMiddleware(spec: string): Promise<MiddlewareFactory | MiddlewareClass> {
  const found = await importSettingEntry({
    setting: 'MIDDLEWARE',
    spec,
    example: 'nuages/middleware/common#CommonMiddleware',
    kind: 'a middleware',
    error: MiddlewareConfigError,
  });
  return found as MiddlewareFactory | MiddlewareClass;
}

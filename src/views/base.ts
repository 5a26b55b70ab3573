/**
 * Class-based views (Django's django.views.generic.base).
 *
 * `View.asView(options)` → a view function; each request makes a new
 * instance, applies `options`, calls `setup()` then `dispatch()`, which calls
 * the method named after the HTTP method (`get`, `post`, …) or answers 405.
 *
 * ```ts
 * class Hello extends View {
 *   greeting = 'Hello';
 *   async get(request: HttpRequest) { return new HttpResponse(this.greeting); }
 * }
 * path('hello/', Hello.asView({ greeting: 'Bonjour' }))
 * ```
 */
import {
  HttpResponse,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  type HttpRequest,
} from '../http/index.ts';
import { ImproperlyConfigured } from '../core/errors.ts';
import { reverse } from '../urls/base.ts';
import type { LazyUrl } from '../urls/base.ts';
import type { Params } from '../urls/types.ts';
import { TemplateResponse } from './template-response.ts';

/** A class-based view or its options are set up wrongly (Django's ImproperlyConfigured from views). */
export class ViewConfigurationError extends ImproperlyConfigured {
  override readonly code = 'NUAGES_VIEW_CONFIGURATION';
}

/** The lower-case HTTP method names a View may handle. */
export type HttpMethodName = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options' | 'trace';

type Handler = (request: HttpRequest, params: Params) => HttpResponse | Promise<HttpResponse>;

/** What `asView()` returns: a view function that remembers its class. */
export type ClassView<V extends View = View> = ((request: HttpRequest, params: Params) => Promise<HttpResponse>) & {
  readonly viewClass: abstract new () => V;
  readonly viewInitkwargs: Readonly<Partial<V>>;
};

/**
 * The base of class-based views. Define `get`, `post`, … as methods taking
 * `(request, params)`; `head` falls back to `get`; `options` answers with
 * the Allow header; other methods get 405.
 */
export class View {
  /** The methods this view may answer, lower case; narrow it to refuse others. */
  httpMethodNames: readonly string[] = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];
  /** The request being handled (set by `setup()`). */
  declare request: HttpRequest;
  /** The URL's params (Django's `self.kwargs`). */
  kwargs: Params = {};

  /**
   * A view function for this class. `initOptions` set instance fields for
   * every request; only fields the class declares are accepted.
   *
   * @throws ViewConfigurationError for an option that names an HTTP method or no field of the class.
   */
  static asView<V extends View>(this: new () => V, initOptions: Partial<V> = {}): ClassView<V> {
    const cls = this;
    const probe = new cls() as unknown as Record<string, unknown>;
    for (const key of Object.keys(initOptions)) {
      if ((probe['httpMethodNames'] as readonly string[]).includes(key)) {
        throw new ViewConfigurationError(`${cls.name}.asView() was given '${key}', an HTTP method name; define a ${key}() method on the class instead.`);
      }
      if (!(key in probe)) {
        throw new ViewConfigurationError(
          `${cls.name}.asView() was given '${key}', which is not a field of ${cls.name}. ` +
            'asView() only sets fields the class declares; add the field to the class first.',
        );
      }
    }
    const view = async (request: HttpRequest, params: Params): Promise<HttpResponse> => {
      const self = new cls();
      Object.assign(self, initOptions);
      self.setup(request, params);
      if (!(self as { request?: unknown }).request) {
        throw new ViewConfigurationError(`${cls.name} overrides setup() without calling super.setup(request, params), so this.request is not set.`);
      }
      return self.dispatch(request, params);
    };
    Object.defineProperty(view, 'name', { value: cls.name });
    // Flags decorators put on dispatch (csrfExempt, …) must be visible on the view function.
    Object.assign(view, cls.prototype.dispatch);
    return Object.assign(view, { viewClass: cls, viewInitkwargs: Object.freeze({ ...initOptions }) }) as ClassView<V>;
  }

  /** Stores the request and params; override to add per-request state (call super). */
  setup(request: HttpRequest, params: Params): void {
    this.request = request;
    this.kwargs = params;
  }

  #handler(method: string): Handler | undefined {
    if (!this.httpMethodNames.includes(method)) return undefined;
    const self = this as unknown as Record<string, unknown>;
    const handler = self[method] ?? (method === 'head' ? self['get'] : undefined);
    return typeof handler === 'function' ? (handler as Handler) : undefined;
  }

  /** Calls the handler of the request's method, or {@link httpMethodNotAllowed}. */
  async dispatch(request: HttpRequest, params: Params): Promise<HttpResponse> {
    const handler = this.#handler(request.method.toLowerCase());
    if (!handler) return this.httpMethodNotAllowed(request, params);
    return handler.call(this, request, params);
  }

  /** 405 with an Allow header listing the methods this view answers. */
  httpMethodNotAllowed(_request: HttpRequest, _params: Params): HttpResponse {
    return new HttpResponseNotAllowed(this.allowedMethods());
  }

  /** Answers OPTIONS: 200, an Allow header, no body. */
  options(_request: HttpRequest, _params: Params): HttpResponse | Promise<HttpResponse> {
    const response = new HttpResponse();
    response.headers.set('Allow', this.allowedMethods().join(', '));
    response.headers.set('Content-Length', '0');
    return response;
  }

  /** The upper-case methods this view answers, in `httpMethodNames` order. */
  allowedMethods(): string[] {
    return this.httpMethodNames.filter((m) => this.#handler(m)).map((m) => m.toUpperCase());
  }
}

/**
 * Context for templates (Django's ContextMixin): the view itself as `view`,
 * `extraContext`, and the keyword arguments.
 */
export interface ContextMixin {
  extraContext: Record<string, unknown> | null;
  getContextData(kwargs?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Adds `view` and `extraContext` to `kwargs`, as Django's ContextMixin does. */
export function baseContextData(view: View & { extraContext: Record<string, unknown> | null }, kwargs: Record<string, unknown>): Record<string, unknown> {
  const context: Record<string, unknown> = { ...kwargs };
  if (!('view' in context)) context['view'] = view;
  if (view.extraContext) Object.assign(context, view.extraContext);
  return context;
}

/**
 * Renders a template with the context of `getContextData()` on GET
 * (Django's TemplateView). The URL's params are in the context too.
 *
 * @example path('about/', TemplateView.asView({ templateName: 'about.html' }))
 */
export class TemplateView extends View implements ContextMixin {
  /** The template to render; or override `getTemplateNames()`. */
  templateName: string | null = null;
  /** Content-Type of the response (default text/html with the charset). */
  contentType: string | null = null;
  extraContext: Record<string, unknown> | null = null;

  async get(request: HttpRequest, params: Params): Promise<HttpResponse> {
    const context = await this.getContextData(params);
    return this.renderToResponse(context);
  }

  /** The context; override to add to it (`{ ...(await super.getContextData(kwargs)), more }`). */
  async getContextData(kwargs: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return baseContextData(this, kwargs);
  }

  /**
   * The templates to try, in order.
   * @throws ViewConfigurationError when neither `templateName` nor an override gives one.
   */
  getTemplateNames(): string[] {
    if (this.templateName === null) {
      throw new ViewConfigurationError(`${this.constructor.name} needs a templateName, or a getTemplateNames() override.`);
    }
    return [this.templateName];
  }

  /** A TemplateResponse (rendered by the handler, after processTemplateResponse middleware). */
  renderToResponse(context: Record<string, unknown>, options: { status?: number } = {}): HttpResponse {
    return new TemplateResponse(this.request, this.getTemplateNames(), context, {
      status: options.status,
      ...(this.contentType ? { contentType: this.contentType } : {}),
    });
  }
}

/**
 * Redirects every request (Django's RedirectView): to `url` (with
 * `%(name)s` filled from the params), or to the URL of `patternName`
 * reversed with the params; 410 Gone when neither gives a URL.
 *
 * @example path('old/<int:id>/', RedirectView.asView({ patternName: 'book-detail', permanent: true }))
 */
export class RedirectView extends View {
  /** 301/308 instead of 302/307. */
  permanent = false;
  /** The target; `%(id)s` is replaced by the `id` param (write `%%` for a literal `%`). */
  url: string | LazyUrl | null = null;
  /** A URL pattern name to reverse with the request's params. */
  patternName: string | null = null;
  /** Keep the request's query string. */
  queryString = false;
  /** 307/308: the client repeats the method and body (Django's preserve_request). */
  preserveRequest = false;

  /** The URL to redirect to, or null for 410 Gone. */
  getRedirectUrl(params: Params): string | null {
    let url: string;
    if (this.url !== null) url = percentFormat(String(this.url), params, this.constructor.name);
    else if (this.patternName !== null) url = reverse(this.patternName, params);
    else return null;
    const query = this.request.META['QUERY_STRING'] ?? '';
    if (query && this.queryString) url = `${url}?${query}`;
    return url;
  }

  async get(request: HttpRequest, params: Params): Promise<HttpResponse> {
    const url = this.getRedirectUrl(params);
    if (!url) return new HttpResponseGone();
    const Redirect = this.permanent ? HttpResponsePermanentRedirect : HttpResponseRedirect;
    return new Redirect(url, { preserveRequest: this.preserveRequest });
  }

  head(request: HttpRequest, params: Params): Promise<HttpResponse> {
    return this.get(request, params);
  }
  post(request: HttpRequest, params: Params): Promise<HttpResponse> {
    return this.get(request, params);
  }
  override options(request: HttpRequest, params: Params): Promise<HttpResponse> {
    return this.get(request, params);
  }
  delete(request: HttpRequest, params: Params): Promise<HttpResponse> {
    return this.get(request, params);
  }
  put(request: HttpRequest, params: Params): Promise<HttpResponse> {
    return this.get(request, params);
  }
  patch(request: HttpRequest, params: Params): Promise<HttpResponse> {
    return this.get(request, params);
  }
}

/** Python's `url % kwargs` for the `%(name)s` form RedirectView's url uses. */
function percentFormat(url: string, params: Params, viewName: string): string {
  return url.replace(/%(?:\(([^)]*)\)([sdr])|(%)|(.?))/gs, (whole, name: string | undefined, _conv, percent) => {
    if (percent) return '%';
    if (name !== undefined) {
      if (!(name in params)) throw new ViewConfigurationError(`${viewName}.url '${url}' uses %(${name})s, but the URL has no '${name}' param.`);
      const value = params[name];
      return value === null || value === undefined ? 'None' : String(value);
    }
    throw new ViewConfigurationError(`${viewName}.url '${url}' has a '%' that starts no %(name)s placeholder (at '${whole}'); write '%%' for a literal '%'.`);
  });
}

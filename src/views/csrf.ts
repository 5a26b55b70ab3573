/**
 * CSRF view decorators (Django's django.views.decorators.csrf) and the default failure
 * view (django.views.csrf.csrf_failure).
 *
 * ```ts
 * export const webhook = csrfExempt(async (request) => …);       // no checks at all
 * export const comment = csrfProtect(async (request) => …);      // checks without the middleware
 * export const spa = ensureCsrfCookie(async (request) => …);     // always sends the cookie
 * export const page = requiresCsrfToken(async (request) => …);   // a token, no checks
 * methodDecorator(csrfExempt, 'dispatch')(WebhookView);          // on a class-based view
 * ```
 */
import { settingOr } from '../conf/lazy-settings.ts';
import { HttpResponseForbidden, type HttpRequest, type HttpResponse, type HttpResponseBase } from '../http/index.ts';
import { CsrfViewMiddleware, REASON_NO_CSRF_COOKIE, REASON_NO_REFERER } from '../middleware/csrf.ts';
import { unrendered } from '../middleware/cache.ts';
import { getToken } from '../middleware/csrf-token.ts';
import { getTemplate, renderToString } from '../template/engines.ts';
import { TemplateDoesNotExist } from '../template/errors.ts';
import type { Params } from '../urls/types.ts';
import { nonceAttribute } from '../utils/csp.ts';
import { escapeHtml } from '../utils/safestring.ts';
import { checkView, keepIdentity } from './cache-decorators.ts';

type AnyView<P> = (request: HttpRequest, params: P) => HttpResponse | Promise<HttpResponse>;

/** The flag `csrfExempt` puts on a view, which CsrfViewMiddleware reads. */
export interface CsrfExemptFlag {
  readonly csrfExempt: true;
}

/**
 * Mark a view as exempt from CsrfViewMiddleware: unsafe requests reach it without an
 * Origin, Referer or token check. For endpoints other sites must call (webhooks signed
 * another way); never for a view that acts on a logged-in user's cookies.
 *
 * ```ts
 * path('hooks/payment/', csrfExempt(paymentWebhook)),
 * ```
 */
export function csrfExempt<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V & CsrfExemptFlag {
  checkView('csrfExempt', view);
  const wrapper = function (this: unknown, request: HttpRequest, params: P) {
    return view.call(this, request, params);
  };
  return Object.assign(keepIdentity(wrapper, view), { csrfExempt: true as const });
}

/** Like the middleware, but a refusal lets the request through (Django's _EnsureCsrfToken). */
class RequiresCsrfTokenMiddleware extends CsrfViewMiddleware {
  protected override async reject(): Promise<undefined> {
    return undefined;
  }
}

/** As {@link RequiresCsrfTokenMiddleware}, and the token is always made, so the cookie is sent. */
class EnsureCsrfCookieMiddleware extends RequiresCsrfTokenMiddleware {
  override async processView(request: HttpRequest, view: Function, params: Params): Promise<HttpResponseBase | undefined> {
    const result = await super.processView(request, view, params);
    getToken(request);
    return result;
  }
}

/**
 * A view decorator that runs `Middleware` around one view, as Django's
 * decorator_from_middleware: processRequest, processView (a response from it is
 * returned as is), the view, then processResponse — after rendering for a TemplateResponse.
 */
function fromMiddleware(name: string, Middleware: typeof CsrfViewMiddleware) {
  return function decorate<P = never, V extends AnyView<P> = AnyView<P>>(view: V): V {
    checkView(name, view);
    // One instance per decorated view, built on first use (settings may not be configured at import).
    let middleware: CsrfViewMiddleware | undefined;
    const wrapper = async function (this: unknown, request: HttpRequest, params: P): Promise<HttpResponseBase> {
      middleware ??= new Middleware(() => Promise.reject(new Error(`${name} calls the view itself`)));
      const instance = middleware;
      await instance.processRequest(request);
      const refused = await instance.processView(request, view, params as Params);
      if (refused !== undefined) return refused;
      const response = await view.call(this, request, params);
      const pending = unrendered(response);
      if (pending === undefined) return instance.processResponse(request, response);
      // A TemplateResponse uses the token while it renders: send the cookie after that.
      pending.addPostRenderCallback((rendered) => instance.processResponse(request, rendered));
      return response;
    };
    return keepIdentity(wrapper, view);
  };
}

/**
 * CSRF protection for one view, as CsrfViewMiddleware gives every view; for projects
 * without the middleware. With both, the request is checked once.
 *
 * ```ts
 * path('comments/', csrfProtect(postComment)),
 * ```
 */
export const csrfProtect = fromMiddleware('csrfProtect', CsrfViewMiddleware);

/**
 * Gives the view a working `csrf_token` (and sends the cookie when it is used) without
 * refusing anything: for error views and others that may run without the middleware's
 * processView (a 404 page with a search form, say).
 */
export const requiresCsrfToken = fromMiddleware('requiresCsrfToken', RequiresCsrfTokenMiddleware);

/**
 * Always sends the CSRF cookie, whether or not the page uses `{% csrf_token %}`: for
 * pages whose scripts read the cookie and post with `X-CSRFToken`.
 *
 * ```ts
 * path('app/', ensureCsrfCookie(singlePageApp)),
 * ```
 */
export const ensureCsrfCookie = fromMiddleware('ensureCsrfCookie', EnsureCsrfCookieMiddleware);

/** The project's page for refused requests, rendered with the request (Django passes it no other context). */
export const CSRF_FAILURE_TEMPLATE_NAME = '403_csrf.html';

async function projectPage(request: HttpRequest): Promise<string | undefined> {
  const templates = settingOr<readonly unknown[]>('TEMPLATES', []);
  if (!Array.isArray(templates) || templates.length === 0) return undefined;
  try {
    await getTemplate(CSRF_FAILURE_TEMPLATE_NAME);
  } catch (error) {
    if (error instanceof TemplateDoesNotExist) return undefined;
    throw error;
  }
  return renderToString(CSRF_FAILURE_TEMPLATE_NAME, {}, request);
}

function paragraphs(lines: readonly string[]): string {
  return lines.map((line) => `  <p>${line}</p>\n`).join('');
}

// What a visitor can do about each cause; the help section is for developers, in DEBUG only.
function builtinPage(request: HttpRequest, reason: string, debug: boolean): string {
  const visitor: string[] = [];
  if (reason === REASON_NO_REFERER) {
    visitor.push(
      'This site is served over HTTPS and checks the “Referer” header of forms sent to it, but your browser sent none.',
      'If your browser or an extension removes Referer headers, allow them for this site (at least for same-origin requests).',
      'A page that sets <code>Referrer-Policy: no-referrer</code> (or the equivalent &lt;meta&gt; tag) prevents the check; use ' +
        '<code>same-origin</code> or <code>strict-origin-when-cross-origin</code> instead.',
    );
  }
  if (reason === REASON_NO_CSRF_COOKIE) {
    visitor.push(
      'This site needs a cookie to accept forms, and your browser did not send it.',
      'If cookies are disabled, enable them for this site, at least for same-origin requests.',
    );
  }
  const help = debug
    ? '<div id="info">\n' +
      '  <h2>Help</h2>\n' +
      (reason ? `  <p>Reason given for failure:</p>\n  <pre>${escapeHtml(reason)}</pre>\n` : '') +
      '  <p>This is either a real cross-site request forgery, or the page that sent the request does not use ' +
      'Nuages’s CSRF protection correctly. Check that:</p>\n' +
      '  <ul>\n' +
      '    <li>the browser accepts cookies;</li>\n' +
      '    <li>the view renders the form’s template with the request (<code>render(request, …)</code> or a ' +
      '<code>TemplateResponse</code>), so <code>csrf_token</code> is in its context;</li>\n' +
      '    <li>every POST form to this site contains <code>{% csrf_token %}</code>, and scripts send the token in the ' +
      '<code>X-CSRFToken</code> header;</li>\n' +
      '    <li>without <code>CsrfViewMiddleware</code>, views that show or accept such forms use <code>csrfProtect</code>;</li>\n' +
      '    <li>the page was loaded after the last login: logging in changes the token, so a form opened before it ' +
      '(another tab, the back button) must be reloaded.</li>\n' +
      '  </ul>\n' +
      '  <p>You see this help because DEBUG is true. Set <code>CSRF_FAILURE_VIEW</code> to show your own page.</p>\n' +
      '</div>\n'
    : '<div id="explanation">\n  <p><small>More information is available with DEBUG=True.</small></p>\n</div>\n';
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n' +
    '  <meta charset="utf-8">\n  <meta name="robots" content="NONE,NOARCHIVE">\n  <title>403 Forbidden</title>\n' +
    `  <style${nonceAttribute(request)}>\n` +
    '    html * { padding: 0; margin: 0; }\n    body * { padding: 10px 20px; }\n    body * * { padding: 0; }\n' +
    '    body { font-family: sans-serif; background: #eee; color: #000; }\n    body > div { border-bottom: 1px solid #ddd; }\n' +
    '    h1 { font-weight: normal; margin-bottom: .4em; }\n    h1 span { font-size: 60%; color: #666; }\n' +
    '    #info { background: #f6f6f6; }\n    #info ul { margin: 0.5em 4em; }\n    #info p, #summary p { padding-top: 10px; }\n' +
    '    #summary { background: #ffc; }\n    #explanation { background: #eee; border-bottom: 0 none; }\n' +
    '  </style>\n</head>\n<body>\n' +
    '<div id="summary">\n  <h1>Forbidden <span>(403)</span></h1>\n  <p>CSRF verification failed. Request aborted.</p>\n' +
    paragraphs(visitor) +
    '</div>\n' +
    help +
    '</body>\n</html>\n'
  );
}

/**
 * The default CSRF_FAILURE_VIEW: 403 with the project's `403_csrf.html` when a template
 * engine finds one, else a built-in page that shows `reason` and how to fix the form
 * only with DEBUG.
 *
 * ```ts
 * // A project's own, named in settings: CSRF_FAILURE_VIEW: './core/views#csrfRefused'
 * export async function csrfRefused(request: HttpRequest, { reason }: { reason: string }) {
 *   return render(request, 'csrf_refused.html', { reason }, { status: 403 });
 * }
 * ```
 */
export async function csrfFailure(request: HttpRequest, { reason = '' }: { reason?: string } = {}): Promise<HttpResponse> {
  const body = (await projectPage(request)) ?? builtinPage(request, reason, settingOr('DEBUG', false));
  return new HttpResponseForbidden(body, { contentType: 'text/html; charset=utf-8' });
}

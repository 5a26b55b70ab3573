/**
 * Errors → responses (Django's django.core.handlers.exception).
 *
 * Every layer of the middleware onion is wrapped by `convertExceptionToResponse()`,
 * so a middleware always gets a response from the layer inside it, never an error:
 *
 *   Http404 → 404 · PermissionDenied → 403 · RequestDataTooBig → 413 ·
 *   BadRequest, SuspiciousOperation (DisallowedHost, …) → 400 · anything else → 500
 *
 * With DEBUG the 404 and 500 are the technical pages of debug.ts; without it they are
 * the project's `404.html`/`500.html`/`403.html`/`400.html` templates when they exist,
 * else short plain pages that reveal nothing.
 */
import { settings } from '../../conf/lazy-settings.ts';
import { Http404 } from '../../http/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { HttpResponse, type HttpResponseBase } from '../../http/response.ts';
import { getTemplate, renderToString } from '../../template/engines.ts';
import { TemplateDoesNotExist } from '../../template/errors.ts';
import { escapeHtml } from '../../utils/safestring.ts';
import { BadRequest, PermissionDenied, RequestAborted, RequestDataTooBig, SuspiciousOperation } from '../exceptions.ts';
import { gotRequestException } from '../signals.ts';
import { adminEmailHandler } from '../mail/admin-email-handler.ts';
import { urlconfFor } from './urlconf.ts';
import { technical404Html, technical500Html, technical500Text, type Technical404Info } from './debug.ts';

/** A function from request to response, as each layer of the middleware onion is. */
export type GetResponse = (request: HttpRequest) => Promise<HttpResponseBase>;

/**
 * Where the handler reports what went wrong: 4xx as warnings (`Not Found: /x`),
 * 5xx as errors with the error itself. Replace it with `setRequestLogger()` to send
 * these to your logging library, or to silence them in tests.
 */
export interface RequestLogger {
  warn(message: string, details: { request: HttpRequest; status: number }): void;
  error(message: string, details: { request: HttpRequest; status: number; error: unknown }): void;
}

/** Writes to the console: 4xx as warnings while DEBUG is true, 5xx as errors always. */
export const consoleRequestLogger: RequestLogger = {
  warn(message) {
    // Django logs 4xx only through its DEBUG-only console handler; production logs stay quiet.
    if (settings.configured && settings.DEBUG) console.warn(message);
  },
  error(message, { error }) {
    console.error(message, error);
  },
};

/**
 * The default, as Django's DEFAULT_LOGGING: the console, and a mail to ADMINS for each
 * error while DEBUG is false (`adminEmailHandler`, bounded to 10 mails a minute).
 */
const defaultLogger: RequestLogger = {
  warn: consoleRequestLogger.warn,
  error(message, details) {
    consoleRequestLogger.error(message, details);
    adminEmailHandler.error(message, details);
  },
};

let logger: RequestLogger = defaultLogger;

/**
 * Replace the request logger; returns the previous one so a test can restore it. `null`
 * restores the default (console + mail to ADMINS); `consoleRequestLogger` stops the mails.
 *
 * ```ts
 * const previous = setRequestLogger({ warn() {}, error() {} });
 * ```
 */
export function setRequestLogger(next: RequestLogger | null): RequestLogger {
  const previous = logger;
  logger = next ?? defaultLogger;
  return previous;
}

/** The request logger in use. */
export function requestLogger(): RequestLogger {
  return logger;
}

function debug(): boolean {
  return settings.configured && Boolean(settings.DEBUG);
}

/**
 * Wrap `getResponse` so an error thrown inside becomes a response.
 *
 * ```ts
 * const safe = convertExceptionToResponse(async (request) => view(request, {}));
 * ```
 */
export function convertExceptionToResponse(getResponse: GetResponse): GetResponse {
  return async (request) => {
    try {
      return await getResponse(request);
    } catch (error) {
      return responseForException(request, error);
    }
  };
}

/**
 * The response for an error thrown while handling `request`. Unexpected errors are
 * sent to `gotRequestException` (the test client re-raises them from there) and
 * logged; with DEBUG they get the technical 500 page.
 */
export async function responseForException(request: HttpRequest, error: unknown): Promise<HttpResponseBase> {
  let response: HttpResponseBase;
  if (error instanceof Http404) {
    // Not logged here: the handler logs the final response, which a middleware may
    // still turn into something else (APPEND_SLASH's redirect).
    response = debug() ? technical404Response(request, error) : await errorPage(request, 404, error);
  } else if (error instanceof PermissionDenied) {
    response = await errorPage(request, 403, error);
    logResponse(request, response, { message: `Forbidden (Permission denied): ${request.path}` });
  } else if (error instanceof RequestDataTooBig) {
    // Django answers 400; 413 Content Too Large says what happened and proxies understand it.
    response = debug() ? await technical500Response(request, error, 413) : await errorPage(request, 413, error);
    logResponse(request, response);
  } else if (error instanceof SuspiciousOperation) {
    response = debug() ? await technical500Response(request, error, 400) : await errorPage(request, 400, error);
    // Security-relevant: always worth a line, whatever DEBUG says.
    // Django logs the error's own message (the admins' mail subject): "Invalid HTTP_HOST header: …".
    logResponse(request, response, { message: error.message, error, level: 'error' });
  } else if (error instanceof RequestAborted) {
    // The client left while sending its body; nobody will read this answer.
    response = await errorPage(request, 400, error);
    logResponse(request, response, { message: `Request aborted by the client: ${request.path}` });
  } else if (error instanceof BadRequest) {
    response = debug() ? await technical500Response(request, error, 400) : await errorPage(request, 400, error);
    logResponse(request, response);
  } else {
    await gotRequestException.sendRobust(null, { request, error });
    response = debug() ? await technical500Response(request, error, 500) : await errorPage(request, 500, error);
    logResponse(request, response, { error });
  }
  return response;
}

const logged = new WeakSet<HttpResponseBase>();

/**
 * Log a 4xx/5xx response once (`Not Found: /path`), as a warning for 4xx and an
 * error for 5xx; a response already logged (by the error path) is skipped.
 */
export function logResponse(
  request: HttpRequest,
  response: HttpResponseBase,
  options: { message?: string; error?: unknown; level?: 'warn' | 'error' } = {},
): void {
  if (response.status < 400 || logged.has(response)) return;
  logged.add(response);
  const message = options.message ?? `${response.reasonPhrase}: ${request.path}`;
  const level = options.level ?? (response.status >= 500 ? 'error' : 'warn');
  if (level === 'error') logger.error(message, { request, status: response.status, error: options.error });
  else logger.warn(message, { request, status: response.status });
}

/** The technical 500 page (HTML, or plain text when the client does not accept HTML). */
export async function technical500Response(request: HttpRequest, error: unknown, status = 500): Promise<HttpResponse> {
  if (acceptsHtml(request)) {
    return new HttpResponse(await technical500Html(request, error), { status, contentType: 'text/html; charset=utf-8' });
  }
  return new HttpResponse(await technical500Text(request, error), { status, contentType: 'text/plain; charset=utf-8' });
}

/** The technical 404 page, listing the URL patterns tried when the resolver raised. */
export function technical404Response(request: HttpRequest, error: Http404): HttpResponse {
  return new HttpResponse(technical404Html(request, error, technical404Info(request, error)), {
    status: 404,
    contentType: 'text/html; charset=utf-8',
  });
}

function technical404Info(request: HttpRequest, error: Http404): Technical404Info {
  // Resolver404 (src/urls) carries `tried` and `path`; read them structurally so
  // this layer does not import the URL dispatcher.
  const resolverError = error as Http404 & { tried?: ReadonlyArray<ReadonlyArray<unknown>>; path?: string };
  const tried = (resolverError.tried ?? []).map((chain) =>
    chain.map((entry) => {
      const e = entry as { pattern?: unknown; name?: unknown; namespace?: unknown };
      const name = typeof e.name === 'string' ? e.name : null;
      return { pattern: String(e.pattern ?? entry), name };
    }),
  );
  const urlconf = urlconfFor(request) ?? (settings.configured ? settings.ROOT_URLCONF : null);
  const match = request.resolverMatch as { func?: { name?: string }; route?: string } | undefined;
  const raisedBy = resolverError.tried === undefined && match?.func ? match.func.name || '(anonymous view)' : undefined;
  return {
    urlconf: typeof urlconf === 'string' ? urlconf : urlconf ? '(a list of patterns)' : null,
    tried,
    path: resolverError.path ?? request.pathInfo.replace(/^\//, ''),
    raisedBy,
  };
}

function acceptsHtml(request: HttpRequest): boolean {
  try {
    return request.accepts('text/html');
  } catch {
    return true;
  }
}

const PLAIN_PAGES: Record<number, [title: string, text: string]> = {
  400: ['Bad Request', 'The request could not be understood.'],
  403: ['Forbidden', 'You do not have permission to see this page.'],
  404: ['Not Found', 'There is nothing at this address.'],
  413: ['Content Too Large', 'The request body is larger than this server accepts.'],
  500: ['Server Error', 'Something went wrong on our side. Please try again later.'],
};

/**
 * The production error page for `status`: the `<status>.html` template when one
 * exists (rendered with `request_path` and `exception` for 404, `exception` for 403,
 * nothing for 400 and 500, which must render even when the context is what broke),
 * otherwise a short plain page.
 */
export async function errorPage(request: HttpRequest, status: number, error?: unknown): Promise<HttpResponse> {
  const [title, text] = PLAIN_PAGES[status] ?? ['Error', 'The request could not be completed.'];
  const rendered = await renderErrorTemplate(request, status, error);
  const body =
    rendered ??
    `<!doctype html>\n<html lang="en">\n<head>\n  <title>${title}</title>\n</head>\n<body>\n  <h1>${title}</h1>\n  <p>${escapeHtml(text)}</p>\n</body>\n</html>\n`;
  return new HttpResponse(body, { status, contentType: 'text/html; charset=utf-8' });
}

async function renderErrorTemplate(request: HttpRequest, status: number, error: unknown): Promise<string | undefined> {
  if (!settings.configured || !Array.isArray(settings.TEMPLATES) || settings.TEMPLATES.length === 0) return undefined;
  const name = `${status}.html`;
  let template;
  try {
    template = await getTemplate(name);
  } catch (problem) {
    if (problem instanceof TemplateDoesNotExist) return undefined;
    if (status === 500) return undefined; // the 500 page must not fail in turn
    throw problem;
  }
  const message = error instanceof Error ? error.message : '';
  try {
    // 404 and 403 pages get the context processors (a site header, the user);
    // 400 and 500 render bare, since the request or a processor may be what broke.
    if (status === 404) return await renderToString(name, { request_path: request.path, exception: message }, request);
    if (status === 403) return await renderToString(name, { exception: message }, request);
    return await template.render({});
  } catch (problem) {
    if (status >= 500) return undefined;
    throw problem;
  }
}

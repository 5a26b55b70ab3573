/**
 * The glue between node:http and the handler (Django's WSGIHandler):
 * IncomingMessage → HttpRequest.fromNode → handler.handle() → sendResponse() →
 * ServerResponse, then response.close() (closers, temp files, requestFinished).
 *
 * ```ts
 * import { createServer } from 'node:http';
 * import { NodeHandler } from 'nuages/core/handlers';
 * createServer(new NodeHandler().listener).listen(8000);
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpRequest, type FromNodeOptions } from '../../http/request.ts';
import { HttpResponse, type HttpResponseBase, type StreamingHttpResponse } from '../../http/response.ts';
import { BaseHandler, type HandlerOptions } from './base.ts';
import { instrumentation, requestScope } from '../instrumentation.ts';
import { requestLogger } from './exception.ts';

const EMPTY = Buffer.alloc(0);
const RESOLVED = Promise.resolve();

// A body up to this size is handed to node:http as a latin1 string (byte for byte the
// same), which it sends together with the head in one write; a Buffer would go out as
// a second chunk of a writev.
const SMALL_BODY = 16 * 1024;

/**
 * Write `response` to `res`: status, reason, headers and one Set-Cookie per cookie in
 * one `writeHead()`, then the body. Bytes are sent in one write with a Content-Length;
 * a streaming response is piped chunk by chunk with backpressure (chunked encoding). A
 * HEAD request gets the headers only. The response is closed afterwards (its closers
 * run and `requestFinished` is sent), also when the client went away mid-stream.
 */
export function sendResponse(res: ServerResponse, response: HttpResponseBase, request?: HttpRequest): Promise<void> {
  try {
    const status = response.status;
    // Statuses that never carry a body (RFC 9110): no Content-Length is invented for them.
    const noBody = status === 204 || status === 304;
    const head = request?.method === 'HEAD';
    const headers = response.headers.flat();
    for (const cookie of response.cookieHeaders()) headers.push('Set-Cookie', cookie);
    if (!response.streaming) {
      const content = response instanceof HttpResponse ? response.content : EMPTY;
      if (!noBody && status >= 200 && !response.headers.has('Content-Length') && !res.hasHeader('Content-Length')) {
        headers.push('Content-Length', String(content.length));
      }
      res.writeHead(status, response.reasonPhrase, headers);
      return endWith(res, response, request, head || noBody ? undefined : content);
    }
    res.writeHead(status, response.reasonPhrase, headers);
    if (head || noBody) return endWith(res, response, request, undefined);
    return pipeBody(res, response as StreamingHttpResponse, request);
  } catch (error) {
    sendFailed(res, response, request, error);
    return closeResponse(response, request);
  }
}

function endWith(res: ServerResponse, response: HttpResponseBase, request: HttpRequest | undefined, body: Buffer | undefined): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (): void => {
      if (settled) return;
      settled = true;
      resolve(closeResponse(response, request));
    };
    res.on('error', (error: unknown) => {
      // An error after the body went out has nobody left to tell.
      if (settled) return;
      sendFailed(res, response, request, error);
      done();
    });
    if (body === undefined || body.length === 0) res.end(done);
    else if (body.length <= SMALL_BODY) res.end(body.toString('latin1'), 'latin1', done);
    else res.end(body, done);
  });
}

async function pipeBody(res: ServerResponse, response: StreamingHttpResponse, request: HttpRequest | undefined): Promise<void> {
  try {
    await pipeline(Readable.from(response.streamingContent, { objectMode: false }), res);
  } catch (error) {
    sendFailed(res, response, request, error);
  }
  return closeResponse(response, request);
}

// The client left mid-stream, or the stream's source threw after the headers went
// out: nothing useful can be sent any more, so drop the connection.
function sendFailed(res: ServerResponse, response: HttpResponseBase, request: HttpRequest | undefined, error: unknown): void {
  if (!isClientGone(error)) {
    requestLogger().error(`Error while sending the response to ${request?.path ?? '(unknown path)'}`, {
      request: request ?? HttpRequest.create(),
      status: response.status,
      error,
    });
  }
  if (!res.destroyed) res.destroy();
}

function closeResponse(response: HttpResponseBase, request: HttpRequest | undefined): Promise<void> {
  return response.close().catch((error: unknown) => {
    requestLogger().error('Error while closing the response', {
      request: request ?? HttpRequest.create(),
      status: response.status,
      error,
    });
  });
}

function isClientGone(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Options of `NodeHandler`: the handler's, plus how requests are built from sockets. */
export interface NodeHandlerOptions extends HandlerOptions {
  /** Passed to `HttpRequest.fromNode()` (scheme behind TLS termination, script name, server name). */
  readonly request?: FromNodeOptions;
}

/**
 * A handler with a node:http request listener (Django's WSGIHandler). The listener
 * never rejects: every failure becomes a response or, once headers are sent, a closed
 * connection.
 */
export class NodeHandler extends BaseHandler {
  readonly #requestOptions: FromNodeOptions;

  constructor(options: NodeHandlerOptions = {}) {
    super(options);
    this.#requestOptions = options.request ?? {};
  }

  /** `(req, res) => Promise<void>`, to pass to `http.createServer()`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let request: HttpRequest;
    try {
      request = HttpRequest.fromNode(req, this.#requestOptions);
    } catch {
      // Only a request line node:http accepted but we cannot represent; say so plainly.
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Bad Request');
      return RESOLVED;
    }
    if (instrumentation.requestStart.hasSubscribers || instrumentation.requestFinish.hasSubscribers || requestScope.current !== undefined) {
      return observed(this, request, res);
    }
    return this.handle(request).then((response) => sendResponse(res, response, request));
  };
}

/** The listener's work, publishing `nuages:request:start` and `nuages:request:finish` around it, inside the request scope. */
async function observed(handler: BaseHandler, request: HttpRequest, res: ServerResponse): Promise<void> {
  const start = performance.now();
  const { method, path } = request;
  const message = { method, path };
  if (instrumentation.requestStart.hasSubscribers) instrumentation.requestStart.publish(message);
  const scope = requestScope.current;
  if (scope === undefined) return handleAndPublish(handler, request, res, start);
  return scope(message, () => handleAndPublish(handler, request, res, start));
}

async function handleAndPublish(handler: BaseHandler, request: HttpRequest, res: ServerResponse, start: number): Promise<void> {
  const { method, path } = request;
  try {
    await sendResponse(res, await handler.handle(request), request);
  } finally {
    if (instrumentation.requestFinish.hasSubscribers) {
      const match = request.resolverMatch as { route?: string; urlName?: string; namespaces?: readonly string[] } | undefined;
      const urlName = match?.urlName === undefined ? undefined : [...(match.namespaces ?? []), match.urlName].join(':');
      instrumentation.requestFinish.publish({ method, path, route: match?.route, urlName, status: res.statusCode, durationMs: performance.now() - start });
    }
  }
}

/**
 * A node:http request listener running `handler` (a new `NodeHandler` when omitted).
 *
 * ```ts
 * http.createServer(createRequestListener()).listen(8000);
 * ```
 */
export function createRequestListener(
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return new NodeHandler(options).listener;
}

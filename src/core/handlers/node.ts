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
import { requestLogger } from './exception.ts';

// Statuses that never carry a body (RFC 9110): no Content-Length is invented for them.
const NO_BODY = new Set([204, 304]);

/**
 * Write `response` to `res`: status, reason, headers, one Set-Cookie per cookie,
 * then the body. Bytes are sent in one write with a Content-Length; a streaming
 * response is piped chunk by chunk with backpressure (chunked encoding). A HEAD
 * request gets the headers only. The response is closed afterwards (its closers
 * run and `requestFinished` is sent), also when the client went away mid-stream.
 */
export async function sendResponse(res: ServerResponse, response: HttpResponseBase, request?: HttpRequest): Promise<void> {
  try {
    res.statusCode = response.status;
    res.statusMessage = response.reasonPhrase;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    const cookies = response.cookieHeaders();
    if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
    const head = request?.method === 'HEAD';
    if (!response.streaming) {
      const content = response instanceof HttpResponse ? response.content : Buffer.alloc(0);
      if (!NO_BODY.has(response.status) && response.status >= 200 && !res.hasHeader('Content-Length')) {
        res.setHeader('Content-Length', content.length);
      }
      await endWith(res, head || NO_BODY.has(response.status) ? undefined : content);
      return;
    }
    if (head || NO_BODY.has(response.status)) {
      await endWith(res, undefined);
      return;
    }
    await pipeline(Readable.from((response as StreamingHttpResponse).streamingContent, { objectMode: false }), res);
  } catch (error) {
    // The client left mid-stream, or the stream's source threw after the headers went
    // out: nothing useful can be sent any more, so drop the connection.
    if (!isClientGone(error)) {
      requestLogger().error(`Error while sending the response to ${request?.path ?? '(unknown path)'}`, {
        request: request ?? HttpRequest.create(),
        status: response.status,
        error,
      });
    }
    if (!res.destroyed) res.destroy();
  } finally {
    await response.close().catch((error: unknown) => {
      requestLogger().error('Error while closing the response', {
        request: request ?? HttpRequest.create(),
        status: response.status,
        error,
      });
    });
  }
}

function endWith(res: ServerResponse, body: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    res.once('error', reject);
    res.end(body, () => resolve());
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
  readonly listener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let request: HttpRequest;
    try {
      request = HttpRequest.fromNode(req, this.#requestOptions);
    } catch {
      // Only a request line node:http accepted but we cannot represent; say so plainly.
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Bad Request');
      return;
    }
    const response = await this.handle(request);
    await sendResponse(res, response, request);
  };
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

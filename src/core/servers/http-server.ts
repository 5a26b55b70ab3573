/**
 * One node:http server in front of the Nuages handler, with the limits and the
 * graceful shutdown a production server needs. `runserver` and every `serve`
 * worker run one.
 *
 * socket → node:http (header size → 431, header/request timeouts → 408)
 *   → health path or another `endpoints` path (/readyz, /metrics)? answered here
 *   → body over maxBodySize? 413 here, before any byte of it is buffered
 *   → `before` hook (runserver's static files)
 *   → app (HttpRequest → handle() → sendResponse())
 *   → request log entry when the response is done.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestDataTooBig } from '../exceptions.ts';
import { runWithRequestId } from '../../utils/request-context.ts';
import { serverStarted, serverStopped } from './lifecycle.ts';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id.ts';
import { serverDefaults, type ServerOptions } from './options.ts';

/** What the server calls for each request: write the response on `res`. */
export type NodeApp = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A hook tried before the app; it returns true when it has answered the request. */
export type BeforeHook = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/**
 * A path the server answers itself, before the body limit, hooks and middleware (no
 * ALLOWED_HOSTS, no redirects): probes and scrapes come with the pod IP as Host.
 */
export type ServerEndpoint = (req: IncomingMessage, res: ServerResponse, server: NuagesServer) => void | Promise<void>;

/** One finished request, for the request log. */
export interface RequestLogEntry {
  method: string;
  /** The request target as sent: path and query. */
  url: string;
  httpVersion: string;
  status: number;
  /** Bytes of body written, when the response said (Content-Length), else undefined. */
  size: number | undefined;
  /** Milliseconds from the request's arrival to the end of the response. */
  durationMs: number;
  /** Whether the response ended before the client or a timeout closed the connection. */
  completed: boolean;
  /** The request's id (X-Request-ID, see request-id.ts). */
  requestId?: string;
  /** The peer's address (the proxy's when there is one). */
  remoteAddress?: string;
  userAgent?: string;
}

/** Options of `new NuagesServer()`: ServerOptions plus the app and hooks. */
export interface NuagesServerOptions extends Partial<ServerOptions> {
  app: NodeApp;
  before?: BeforeHook;
  /** Paths answered by the server itself, by exact path (the query string is ignored): `{ '/readyz': readinessEndpoint(probe) }`. */
  endpoints?: Readonly<Record<string, ServerEndpoint>>;
  onResponse?: (entry: RequestLogEntry) => void;
  /** Called with an error the app threw or rejected with after it had started the response. */
  onError?: (error: unknown, req: IncomingMessage) => void;
}

/**
 * An HTTP server that finishes what it started: `close()` stops accepting,
 * lets every in-flight request complete (their responses say
 * `Connection: close`), closes idle keep-alive connections, and only cuts
 * the sockets still busy after `shutdownTimeout` seconds.
 *
 * ```ts
 * const server = new NuagesServer({ app: await createNodeApp(), port: 8000 });
 * const address = await server.listen();
 * process.once('SIGTERM', () => server.close());
 * ```
 */
export class NuagesServer {
  /** The underlying node:http server (for tests and advanced tuning). */
  readonly server: Server;
  readonly options: Readonly<ServerOptions>;
  #app: NodeApp;
  #before: BeforeHook | undefined;
  #endpoints: ReadonlyMap<string, ServerEndpoint>;
  #onResponse: ((entry: RequestLogEntry) => void) | undefined;
  #onError: ((error: unknown, req: IncomingMessage) => void) | undefined;
  #inFlight = new Set<ServerResponse>();
  #closing: Promise<void> | undefined;

  constructor(options: NuagesServerOptions) {
    const { app, before, endpoints, onResponse, onError, ...limits } = options;
    const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    this.options = Object.freeze({ ...serverDefaults(), ...defined });
    this.#app = app;
    this.#before = before;
    this.#endpoints = new Map(Object.entries(endpoints ?? {}));
    this.#onResponse = onResponse;
    this.#onError = onError;
    const o = this.options;
    this.server = createServer(
      {
        maxHeaderSize: o.maxHeaderSize,
        keepAliveTimeout: o.keepAliveTimeout * 1000,
        headersTimeout: o.headersTimeout * 1000,
        requestTimeout: o.requestTimeout * 1000,
        // A missing Host on HTTP/1.1 is a 400 before the app sees it (RFC 9112 §3.2).
        requireHostHeader: true,
      },
      (req, res) => void this.#serve(req, res),
    );
  }

  /** Start listening on options.host:options.port; resolves with the bound address once `serverStarted` was sent. */
  async listen(): Promise<AddressInfo> {
    const address = await new Promise<AddressInfo>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
    await serverStarted.send(this, { address });
    return address;
  }

  /** The bound address, once listening. */
  get address(): AddressInfo | undefined {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** Requests whose response has not finished yet. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Whether close() has been called. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Graceful shutdown: stop accepting, finish in-flight requests, then
   * resolve. Sockets still busy after `timeoutSeconds` (default
   * options.shutdownTimeout) are destroyed. Calling it again returns the same promise.
   */
  close(timeoutSeconds: number = this.options.shutdownTimeout): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      // Responses not yet started tell their client to go elsewhere next time.
      for (const res of this.#inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      const timer = setTimeout(() => this.server.closeAllConnections(), timeoutSeconds * 1000);
      timer.unref();
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    }).then(async () => {
      await serverStopped.sendRobust(this);
    });
    return this.#closing;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    // The app sees the id it was given as X-Request-ID; the response echoes it.
    const requestId = requestIdFor(req);
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader('X-Request-ID', requestId);
    // Read now: by 'close' the socket may be detached from the request.
    const remoteAddress = req.socket?.remoteAddress;
    this.#inFlight.add(res);
    if (this.#closing !== undefined) res.shouldKeepAlive = false;
    const sent = this.#onResponse === undefined ? undefined : countBodyBytes(res);
    res.once('close', () => {
      this.#inFlight.delete(res);
      // A keep-alive connection that went idle during shutdown has nothing left to do.
      if (this.#closing !== undefined) this.server.closeIdleConnections();
      if (this.#onResponse === undefined) return;
      this.#onResponse({
        method: req.method ?? '',
        url: req.url ?? '',
        httpVersion: req.httpVersion,
        status: res.statusCode,
        size: sent?.bytes,
        durationMs: performance.now() - started,
        completed: res.writableFinished,
        requestId,
        remoteAddress,
        userAgent: req.headers['user-agent'],
      });
    });
    // Every log line written while handling the request carries its id.
    await runWithRequestId(requestId, () => this.#dispatch(req, res));
  }

  async #dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (this.options.healthPath !== '' && this.#isHealthCheck(req)) return this.#health(req, res);
      if (this.#endpoints.size > 0) {
        const url = req.url ?? '';
        const query = url.indexOf('?');
        const endpoint = this.#endpoints.get(query === -1 ? url : url.slice(0, query));
        if (endpoint !== undefined) return await endpoint(req, res, this);
      }
      if (this.#bodyTooBig(req, res)) return;
      if (this.#before !== undefined && (await this.#before(req, res))) return;
      await this.#app(req, res);
    } catch (error) {
      this.#fail(error, req, res);
    }
  }

  #isHealthCheck(req: IncomingMessage): boolean {
    const url = req.url ?? '';
    const path = this.options.healthPath;
    return url.startsWith(path) && (url.length === path.length || url[path.length] === '?');
  }

  #health(req: IncomingMessage, res: ServerResponse): void {
    // 503 while draining, so a load balancer stops sending before the socket closes.
    const body = this.#closing === undefined ? 'ok\n' : 'shutting down\n';
    res.writeHead(this.#closing === undefined ? 200 : 503, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /**
   * 413 for a declared Content-Length over the limit; a chunked body is
   * counted as the request reads it, and throws RequestDataTooBig (→ 413 from
   * the handler) the moment it passes the limit.
   */
  #bodyTooBig(req: IncomingMessage, res: ServerResponse): boolean {
    const limit = this.options.maxBodySize;
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) <= limit) return false;
      const body = `Request body of ${declared} bytes is over this server's limit of ${limit} bytes.\n`;
      res.shouldKeepAlive = false;
      res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
      res.end(body);
      // Read and drop what the client is still sending: closing a socket with unread
      // input makes the kernel send RST, and the client could lose the 413 with it.
      req.resume();
      return true;
    }
    if (req.headers['transfer-encoding'] !== undefined) limitStream(req, limit);
    return false;
  }

  #fail(error: unknown, req: IncomingMessage, res: ServerResponse): void {
    this.#onError?.(error, req);
    if (res.headersSent) {
      // Half a response cannot be fixed; cutting the socket tells the client it is incomplete.
      res.destroy();
      return;
    }
    const status = error instanceof RequestDataTooBig ? 413 : 500;
    const body = status === 413 ? 'Request body too large.\n' : 'Internal Server Error\n';
    res.shouldKeepAlive = false;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}

// writeHead(status, headers) bypasses getHeader(), so the log counts what the app writes.
// Only done when someone reads the log: it costs two wrapped calls per response.
function countBodyBytes(res: ServerResponse): { bytes: number } {
  const counter = { bytes: 0 };
  const count = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk === 'string') counter.bytes += Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    else if (chunk instanceof Uint8Array) counter.bytes += chunk.byteLength;
  };
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    count(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') count(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return counter;
}

// The request reads its body with `for await`; counting there stops an endless
// chunked upload at the limit instead of after it is buffered.
function limitStream(req: IncomingMessage, limit: number): void {
  const iterate = req[Symbol.asyncIterator].bind(req);
  Object.defineProperty(req, Symbol.asyncIterator, {
    configurable: true,
    value: async function* limited(): AsyncGenerator<Buffer> {
      let total = 0;
      for await (const chunk of iterate()) {
        total += (chunk as Buffer).length;
        if (total > limit) {
          throw new RequestDataTooBig(
            `The request body passed this server's limit of ${limit} bytes. Raise it with serve --max-body-size (or ServerOptions.maxBodySize).`,
          );
        }
        yield chunk as Buffer;
      }
    },
  });
}


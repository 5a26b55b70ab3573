/**
 * The knobs of the socket side, shared by `runserver` and `serve`, with the
 * defaults a server in front of Django (gunicorn behind nginx) would use.
 */

/** Limits and timeouts of one HTTP server; every field has a default (`serverDefaults()`). */
export interface ServerOptions {
  /** Address to listen on; default '127.0.0.1'. Use '0.0.0.0' or '::' to accept remote clients. */
  host: string;
  /** Port; default 8000. 0 picks a free port (read it back from `NuagesServer.address`). */
  port: number;
  /**
   * Seconds an idle keep-alive connection stays open; default 5. Behind a
   * reverse proxy keep it above the proxy's upstream idle timeout, so the proxy
   * closes idle connections first and never reuses one the server just closed.
   */
  keepAliveTimeout: number;
  /** Seconds a client has to send the complete request headers; default 60 (slowloris guard). */
  headersTimeout: number;
  /** Seconds a client has to send the complete request, body included; default 300. */
  requestTimeout: number;
  /** Bytes of request line plus headers; past it the client gets 431. Default 16384 (Node's default). */
  maxHeaderSize: number;
  /**
   * Bytes of request body the server accepts at all (uploads included); past
   * it the client gets 413 before the body is read. Default 10 MiB. Smaller
   * per-kind limits (DATA_UPLOAD_MAX_MEMORY_SIZE) apply in the request itself.
   */
  maxBodySize: number;
  /** Path answered with 200 'ok' (503 while shutting down) without touching the app; '' turns it off. Default '/healthz'. */
  healthPath: string;
  /** Seconds a graceful shutdown waits for in-flight requests before closing their sockets; default 30. */
  shutdownTimeout: number;
}

/** The defaults of every ServerOptions field. */
export function serverDefaults(): ServerOptions {
  return {
    host: '127.0.0.1',
    port: 8000,
    keepAliveTimeout: 5,
    headersTimeout: 60,
    requestTimeout: 300,
    maxHeaderSize: 16384,
    maxBodySize: 10 * 1024 * 1024,
    healthPath: '/healthz',
    shutdownTimeout: 30,
  };
}

/**
 * Split `runserver`'s `[addr:]port` argument as Django does: `8080`,
 * `0.0.0.0:8080`, `[::1]:8080`, `localhost:8080`. Returns undefined for
 * anything else so the command can say what it expected.
 */
export function parseAddrPort(text: string): { host: string | undefined; port: number } | undefined {
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):)?(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

/**
 * A real HTTP server for the project, in the test process (Django's
 * StaticLiveServerTestCase), for browsers and HTTP clients that need a socket.
 *
 * before the suite: ALLOWED_HOSTS += host → createNodeApp() (MIDDLEWARE, ROOT_URLCONF of
 * the configured settings, or the options') → NuagesServer on 127.0.0.1, a free port →
 * static files under STATIC_URL as runserver serves them → after the suite: closed,
 * ALLOWED_HOSTS back.
 *
 * Requests run in this process, in the async context of the server's start (the suite's
 * `before` hook): they see process-wide settings (`useSettings()`), not a test body's
 * `overrideSettings()` block, and the database state the test toolkit shares with every
 * async context (`useTestCase()`).
 */
import { after, before } from 'node:test';
import type { AddressInfo } from 'node:net';
import { popProcessSettings, pushProcessSettings, type ProcessSettingsLayer } from '../conf/lazy-settings.ts';
import type { NodeHandlerOptions } from '../core/handlers/node.ts';
import { createNodeApp } from '../core/servers/application.ts';
import { NuagesServer } from '../core/servers/http-server.ts';
import { staticFilesHook } from '../core/servers/static-files.ts';
import { TestToolMisuseError } from './errors.ts';
import { editedSettings } from './settings.ts';

/** Options of {@link startLiveServer} and {@link useLiveServer}; `urlconf` and `middleware` default to settings. */
export interface LiveServerOptions extends NodeHandlerOptions {
  /** Interface to listen on. Default '127.0.0.1'. */
  readonly host?: string;
  /** Port; default 0, a free one chosen by the system. */
  readonly port?: number;
  /** Serve STATICFILES_DIRS and apps' static/ folders under STATIC_URL, as runserver does. Default true. */
  readonly staticFiles?: boolean;
  /** Called with an error a view threw after its response had started (default: printed on stderr). */
  readonly onError?: (error: unknown) => void;
}

/** A running live server. */
export interface LiveServer {
  /** The base URL without a trailing slash: `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The bound address. */
  readonly address: AddressInfo;
  /** The NuagesServer, for its in-flight count or node:http server. */
  readonly server: NuagesServer;
  /** The absolute URL of `path` on this server: `urlFor('/books/')`. */
  urlFor(path: string): string;
}

/** A live server started by {@link startLiveServer}, to be closed by its caller. */
export interface StartedLiveServer extends LiveServer {
  /** Stops the server (in-flight requests get a second to finish) and restores ALLOWED_HOSTS. */
  close(): Promise<void>;
}

function hostForUrl(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

/**
 * Starts the project's app on a free port of 127.0.0.1 and resolves once it listens.
 * Settings must be configured (ROOT_URLCONF, MIDDLEWARE); the host is appended to
 * ALLOWED_HOSTS until `close()`. Prefer `useLiveServer()` in node:test files.
 *
 * ```ts
 * const live = await startLiveServer();
 * try {
 *   const response = await fetch(live.urlFor('/books/'));
 * } finally {
 *   await live.close();
 * }
 * ```
 *
 * @throws MiddlewareConfigError for a MIDDLEWARE entry that cannot be used; the listen
 *   error (EADDRINUSE) for a port already taken.
 */
export async function startLiveServer(options: LiveServerOptions = {}): Promise<StartedLiveServer> {
  const { host = '127.0.0.1', port = 0, staticFiles = true, onError, ...handlerOptions } = options;
  // Django's LiveServerTestCase allows its host the same way, for the suite's duration.
  const layer: ProcessSettingsLayer = await pushProcessSettings(editedSettings({ ALLOWED_HOSTS: { append: host } }));
  try {
    const server = new NuagesServer({
      app: await createNodeApp(handlerOptions),
      host,
      port,
      before: staticFiles ? staticFilesHook() : undefined,
      shutdownTimeout: 1,
      onError: (error) => (onError ?? reportError)(error),
    });
    const address = await server.listen();
    const url = `http://${hostForUrl(address)}:${address.port}`;
    return {
      url,
      address,
      server,
      urlFor: (path) => `${url}${path.startsWith('/') ? '' : '/'}${path}`,
      async close() {
        try {
          await server.close(1);
        } finally {
          await popProcessSettings(layer);
        }
      },
    };
  } catch (error) {
    await popProcessSettings(layer);
    throw error;
  }
}

function reportError(error: unknown): void {
  process.stderr.write(`Live server: error while serving a request: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

/**
 * Call at the top of a test file or `describe()`: the project's app listens on a free
 * port of 127.0.0.1 from the suite's `before` hook until its `after` hook. `url` and
 * `urlFor()` work inside tests and later hooks.
 *
 * ```ts
 * const live = useLiveServer();
 * test('the home page answers', async () => {
 *   const response = await fetch(live.urlFor('/'));
 *   assert.equal(response.status, 200);
 * });
 * ```
 */
export function useLiveServer(options: LiveServerOptions = {}): LiveServer {
  let started: StartedLiveServer | undefined;
  const running = (member: string): StartedLiveServer => {
    if (started === undefined) {
      throw new TestToolMisuseError(
        `live server ${member} was read before the server started: useLiveServer() starts it in the suite's before() hook, ` +
          `so read it inside a test or a later hook (beforeEach, not at the top of the describe() body).`,
      );
    }
    return started;
  };
  before(async () => {
    started = await startLiveServer(options);
  });
  after(async () => {
    const server = started;
    started = undefined;
    await server?.close();
  });
  return {
    get url() {
      return running('url').url;
    },
    get address() {
      return running('address').address;
    },
    get server() {
      return running('server').server;
    },
    urlFor: (path) => running('urlFor()').urlFor(path),
  };
}

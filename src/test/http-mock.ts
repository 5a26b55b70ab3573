/**
 * Outbound HTTP in tests: undici's MockAgent becomes the global dispatcher, so `fetch()`
 * (Node's own and undici's) answers from interceptors the test declared, and nothing
 * reaches the network.
 *
 * mockHttp() → MockAgent (net connect disabled, optionally localhost allowed) installed as
 * global dispatcher → each request matched against the interceptors; an unmatched one is
 * rejected with an error naming its method and URL, and remembered → check() at the end:
 * unexpected requests and interceptors never called fail the test → restore() puts the
 * previous dispatcher back.
 *
 * undici is an optional peer dependency: it is imported when a mock is installed, so
 * projects without it still load nuages/test.
 */
import { AssertionError } from 'node:assert';
import { after, afterEach, before, beforeEach } from 'node:test';
import type { Dispatcher, MockAgent, MockPool } from 'undici';
import { TestToolMisuseError } from './errors.ts';

/** Options of {@link mockHttp} and {@link useHttpMock}. */
export interface HttpMockOptions {
  /** Let requests to 127.0.0.1, localhost and [::1] through (a live server under test). Default false. */
  readonly allowLocalhost?: boolean;
}

/** Options of {@link useHttpMock}. */
export interface UseHttpMockOptions extends HttpMockOptions {
  /** 'test' (default): a fresh mock for each test. 'suite': one mock for the enclosing describe(). */
  readonly scope?: 'test' | 'suite';
}

/** An installed HTTP mock. */
export interface HttpMock {
  /** The undici MockAgent, for anything this facade does not cover (call history, custom matchers). */
  readonly agent: MockAgent;
  /** The interceptable pool of one origin (`'https://api.example.com'`), as `agent.get(origin)`. */
  get(origin: string): MockPool;
  /** Declares an expected request: `intercept('https://api.example.com', { path: '/v1/rates', method: 'GET' }).reply(200, body)`. */
  intercept(origin: string, options: InterceptOptions): Interception;
  /** Lets real requests to `host` (`'example.com:8080'`, a RegExp or a predicate on host:port) through. */
  allowNetConnect(host: string | RegExp | ((host: string) => boolean)): void;
  /** Requests no interceptor matched and the network refused, as `'POST https://api.example.com/v1/x'`. */
  readonly unexpectedRequests: readonly string[];
  /** Throws an AssertionError listing the interceptors that were declared but not (fully) used. */
  assertNoPendingInterceptors(): void;
  /** Throws an AssertionError for unexpected requests, then for pending interceptors. */
  check(): void;
  /** Puts the previous global dispatcher back and closes the agent, which forgets its interceptors: call check() first. Calling it again does nothing. */
  restore(): void;
}

type Undici = typeof import('undici');
/** What `intercept()` matches: path, method, and optionally body, headers, query. */
export type InterceptOptions = Parameters<MockPool['intercept']>[0];
/** A declared interception: `.reply(status, body)`, `.replyWithError(error)`, `.times(n)`, `.persist()`. */
export type Interception = ReturnType<MockPool['intercept']>;

const LOCALHOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?$/;

async function loadUndici(): Promise<Undici> {
  try {
    return await import('undici');
  } catch (error) {
    throw new TestToolMisuseError(`mockHttp() needs the undici package, which could not be loaded: npm install --save-dev undici.`, { cause: error });
  }
}

function describeRequest(options: Dispatcher.DispatchOptions): string {
  const origin = options.origin === undefined ? '' : String(options.origin).replace(/\/$/, '');
  return `${options.method} ${origin}${options.path}`;
}

function unexpectedRequestError(request: string, cause: Error): AssertionError {
  const [method, url] = request.split(' ') as [string, string];
  const { origin, pathname, search } = new URL(url);
  const error = new AssertionError({
    message:
      `Unexpected HTTP request ${request}: no interceptor matches it and mockHttp() blocks the network. ` +
      `Declare it with mock.intercept('${origin}', { path: '${pathname}${search}', method: '${method}' }).reply(200, body), ` +
      `or let the host through with mock.allowNetConnect('${new URL(url).host}').`,
  });
  error.cause = cause;
  return error;
}

function pendingMessage(agent: MockAgent): string | undefined {
  const pending = agent.pendingInterceptors();
  if (pending.length === 0) return undefined;
  const lines = pending.map((p) => {
    const left = p.persist ? 'persistent, never called' : `${p.times} more call(s) expected`;
    return `  ${p.method} ${p.origin}${p.path} (${left})`;
  });
  return (
    `${pending.length} mocked HTTP request(s) never happened:\n${lines.join('\n')}\n` +
    `The code under test did not call them: check the URL and method it uses, or remove the interceptor.`
  );
}

// Wraps both handler styles (undici's onResponseError, the legacy onError Node's fetch uses)
// so an unmatched request fails with a message naming it, and is remembered for check().
function watchUnmatched(agent: MockAgent, undici: Undici, unexpected: string[]): void {
  const dispatch = agent.dispatch.bind(agent);
  const replace = (request: string, error: unknown): unknown => {
    if (!(error instanceof undici.mockErrors.MockNotMatchedError)) return error;
    unexpected.push(request);
    return unexpectedRequestError(request, error);
  };
  agent.dispatch = (options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean => {
    const request = describeRequest(options);
    const watched: Dispatcher.DispatchHandler = Object.create(handler);
    if (typeof handler.onError === 'function') watched.onError = (error) => handler.onError!(replace(request, error) as Error);
    if (typeof handler.onResponseError === 'function') {
      watched.onResponseError = (controller, error) => handler.onResponseError!(controller, replace(request, error) as Error);
    }
    return dispatch(options, watched);
  };
}

/**
 * Installs undici's MockAgent as the global dispatcher until `restore()`: `fetch()` gets
 * the replies of the interceptors declared on the returned mock, and any other request is
 * rejected (a TypeError whose `cause` names the method and URL). Prefer `useHttpMock()` in
 * node:test files: it checks and restores for you.
 *
 * ```ts
 * const mock = await mockHttp();
 * try {
 *   mock.intercept('https://api.example.com', { path: '/v1/rates', method: 'GET' }).reply(200, { eur: 1.08 });
 *   assert.deepEqual(await (await fetch('https://api.example.com/v1/rates')).json(), { eur: 1.08 });
 *   mock.check();
 * } finally {
 *   mock.restore();
 * }
 * ```
 *
 * @throws TestToolMisuseError when undici is not installed.
 */
export async function mockHttp(options: HttpMockOptions = {}): Promise<HttpMock> {
  const undici = await loadUndici();
  const agent = new undici.MockAgent();
  agent.disableNetConnect();
  if (options.allowLocalhost === true) agent.enableNetConnect((host) => LOCALHOST.test(host));
  const unexpected: string[] = [];
  watchUnmatched(agent, undici, unexpected);
  const previous = undici.getGlobalDispatcher();
  undici.setGlobalDispatcher(agent);
  let restored = false;
  const mock: HttpMock = {
    agent,
    get: (origin) => agent.get(origin),
    intercept: (origin, interceptOptions) => agent.get(origin).intercept(interceptOptions),
    // enableNetConnect() is overloaded per matcher kind; each accepts what the union holds.
    allowNetConnect: (host) => agent.enableNetConnect(host as (host: string) => boolean),
    unexpectedRequests: unexpected,
    assertNoPendingInterceptors() {
      const message = pendingMessage(agent);
      if (message !== undefined) throw new AssertionError({ message });
    },
    check() {
      if (unexpected.length > 0) {
        throw new AssertionError({
          message:
            `${unexpected.length} unexpected HTTP request(s) were blocked by mockHttp():\n` +
            `${unexpected.map((r) => `  ${r}`).join('\n')}\nDeclare them with mock.intercept(origin, { path, method }).reply(...).`,
        });
      }
      mock.assertNoPendingInterceptors();
    },
    restore() {
      if (restored) return;
      restored = true;
      undici.setGlobalDispatcher(previous);
      void agent.close();
    },
  };
  return mock;
}

/**
 * Call at the top of a test file or `describe()`: outbound HTTP is mocked while each test
 * runs (or the whole suite, with `{ scope: 'suite' }`). After it, a request that matched
 * no interceptor or an interceptor never called fails the test, and the previous
 * dispatcher is back.
 *
 * ```ts
 * const http = useHttpMock();
 * test('rates come from the API', async () => {
 *   http.intercept('https://api.example.com', { path: '/v1/rates', method: 'GET' }).reply(200, { eur: 1.08 });
 *   assert.equal(await fetchRate('eur'), 1.08);
 * });
 * ```
 */
export function useHttpMock(options: UseHttpMockOptions = {}): HttpMock {
  let current: HttpMock | undefined;
  const active = (member: string): HttpMock => {
    if (current === undefined) {
      throw new TestToolMisuseError(
        `http.${member} was used outside a test: useHttpMock() installs the mock only while each test runs ` +
          `(or, with { scope: 'suite' }, from the suite's before() hook on).`,
      );
    }
    return current;
  };
  const install = async () => {
    current = await mockHttp(options);
  };
  const uninstall = () => {
    const mock = current;
    current = undefined;
    if (mock === undefined) return;
    // restore() in finally: a failing check must not leave the network mocked for the next
    // test; it runs after the check because closing the agent forgets its interceptors.
    try {
      mock.check();
    } finally {
      mock.restore();
    }
  };
  if (options.scope === 'suite') {
    before(install);
    after(uninstall);
  } else {
    beforeEach(install);
    afterEach(uninstall);
  }
  return {
    get agent() {
      return active('agent').agent;
    },
    get: (origin) => active('get()').get(origin),
    intercept: (origin, interceptOptions) => active('intercept()').intercept(origin, interceptOptions),
    allowNetConnect: (host) => active('allowNetConnect()').allowNetConnect(host),
    get unexpectedRequests() {
      return active('unexpectedRequests').unexpectedRequests;
    },
    assertNoPendingInterceptors: () => active('assertNoPendingInterceptors()').assertNoPendingInterceptors(),
    check: () => active('check()').check(),
    restore: () => active('restore()').restore(),
  };
}

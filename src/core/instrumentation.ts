/**
 * What Nuages tells observers, on node:diagnostics_channel: one named channel per
 * kind of event. Metrics (`/metrics`), tracing and the debug toolbar subscribe the
 * same way a project does:
 *
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe('nuages:db:query', (message) => {
 *   const { alias, sql, durationMs, error } = message as DbQueryMessage;
 *   if (durationMs > 100) console.warn(`slow query on ${alias}: ${sql}`);
 * });
 * ```
 *
 * Publishers check `channel.hasSubscribers` first, so with nobody listening there is
 * no clock read and no message object: one boolean per event.
 *
 * | channel                  | message                                                  |
 * | ------------------------ | -------------------------------------------------------- |
 * | `nuages:request:start`   | {@link RequestStartMessage}: a request reached the app   |
 * | `nuages:request:finish`  | {@link RequestFinishMessage}: its response was sent      |
 * | `nuages:db:query`        | {@link DbQueryMessage}: one SQL statement ran            |
 * | `nuages:cache:call`      | {@link CacheCallMessage}: one cache get/set/delete       |
 * | `nuages:template:render` | {@link TemplateRenderMessage}: one top-level render      |
 *
 * Tasks already announce themselves with the `taskEnqueued`, `taskStarted` and
 * `taskFinished` signals of `nuages/tasks` (their payload is the TaskResult); observers
 * connect to those.
 */
import { channel } from 'node:diagnostics_channel';

/** Sent as the app starts handling a request (before middleware). */
export interface RequestStartMessage {
  readonly method: string;
  /** The path as requested: for logs and tracing only, never a metric label (unbounded). */
  readonly path: string;
}

/** Sent once the response of a request was written (or the client went away). */
export interface RequestFinishMessage {
  readonly method: string;
  readonly path: string;
  /** The URL pattern that matched ('books/<int:pk>/'), or undefined when none did (404, middleware answered). */
  readonly route: string | undefined;
  /** The matched pattern's name (namespaced as 'shop:detail'), when it has one. */
  readonly urlName: string | undefined;
  readonly status: number;
  /** Milliseconds from the request reaching the app to the response being written. */
  readonly durationMs: number;
}

/** Sent after each SQL statement, when it finished or failed. */
export interface DbQueryMessage {
  /** The DATABASES alias. */
  readonly alias: string;
  readonly sql: string;
  /** Wall time in the driver, in milliseconds. */
  readonly durationMs: number;
  /** What the driver threw, when the statement failed. */
  readonly error: unknown;
}

/** Sent after each cache get, set or delete. */
export interface CacheCallMessage {
  /** The CACHES alias. */
  readonly alias: string;
  readonly op: 'get' | 'set' | 'delete';
  /** For `get`: whether a value was found; undefined for the other operations. */
  readonly hit: boolean | undefined;
  readonly durationMs: number;
}

/** Sent after each top-level template render (not for `{% include %}`d or parent templates). */
export interface TemplateRenderMessage {
  /** The template's name, or '<string>' for one built from a string. */
  readonly name: string;
  readonly durationMs: number;
  readonly error: unknown;
}

/**
 * Runs the handling of one request: a tracer makes its request span the active
 * context here, so that the spans of the queries, renders and cache calls inside
 * become its children. Set by `installTracing()`; undefined otherwise.
 */
export type RequestScope = (message: RequestStartMessage, handle: () => Promise<void>) => Promise<void>;

/** The one request scope of the process (a channel cannot change its publisher's async context). */
export const requestScope: { current: RequestScope | undefined } = { current: undefined };

/** The channels, by name; `instrumentation.dbQuery.hasSubscribers` before building a message. */
export const instrumentation = Object.freeze({
  requestStart: channel('nuages:request:start'),
  requestFinish: channel('nuages:request:finish'),
  dbQuery: channel('nuages:db:query'),
  cacheCall: channel('nuages:cache:call'),
  templateRender: channel('nuages:template:render'),
});

/** The names of every Nuages channel. */
export const CHANNEL_NAMES = Object.freeze(Object.values(instrumentation).map((c) => String(c.name)));

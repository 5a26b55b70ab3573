/**
 * Records executed SQL: for `captureQueries()` (tests, `assertNumQueries`, the debug
 * toolbar) and for `connection.queries` when DEBUG is on.
 *
 * Cost when nothing listens: a backend checks `queryLogState.capturing` and its own
 * debug buffer before timing a statement; both false means no clock read and no record.
 * Captures follow the async context, so two concurrent requests each see only their own
 * statements, and a capture nested in another feeds both.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { instrumentation } from '../core/instrumentation.ts';
import { getLogger, loggerEnabled } from '../utils/log.ts';
import type { SqlParam } from './backends/base/types.ts';

/** One executed statement. */
export interface QueryRecord {
  readonly sql: string;
  readonly params: readonly SqlParam[];
  /** Wall time spent in the driver, in milliseconds. */
  readonly durationMs: number;
  /** The connection alias it ran on. */
  readonly alias: string;
  /** Where it was issued from, when a capture asked for `{ stack: true }`. */
  readonly stack?: string;
}

/** Options of {@link captureQueries}. */
export interface CaptureOptions {
  /** Record the JavaScript stack of each statement (costly; for the debug toolbar and N+1 reports). */
  readonly stack?: boolean;
}

interface Capture {
  readonly queries: QueryRecord[];
  readonly stack: boolean;
}

/**
 * Shared, mutable flags read by backends on every statement.
 * @internal
 */
export const queryLogState = {
  /** True while at least one `captureQueries()` is running anywhere in the process. */
  capturing: false,
};

/**
 * The `nuages:db:query` channel; a backend times statements when it has subscribers.
 * @internal
 */
export const dbQueryChannel = instrumentation.dbQuery;

/**
 * Whether anything outside a connection's own DEBUG buffer wants its statements (a
 * capture, a channel subscriber); a backend times a statement only then or with DEBUG on.
 * @internal
 */
export function queriesObserved(): boolean {
  return queryLogState.capturing || dbQueryChannel.hasSubscribers;
}

const captures = new AsyncLocalStorage<readonly Capture[]>();
let activeCaptures = 0;

/** How many statements `connection.queries` keeps, as Django's `queries_log`. */
export const QUERIES_LOG_LIMIT = 9000;

/**
 * The bounded DEBUG buffer behind `connection.queries`: the newest
 * {@link QUERIES_LOG_LIMIT} statements of one connection.
 */
export class QueryLog {
  #entries: QueryRecord[] = [];
  readonly #limit: number;

  constructor(limit = QUERIES_LOG_LIMIT) {
    this.#limit = limit;
    liveLogs.add(this);
  }

  /** Appends one record, dropping the oldest past the limit. */
  push(record: QueryRecord): void {
    this.#entries.push(record);
    // Trim in batches so a long DEBUG session does not shift 9000 entries per statement.
    if (this.#entries.length >= this.#limit * 2) this.#entries = this.#entries.slice(-this.#limit);
  }

  /** The newest records, oldest first. */
  get entries(): readonly QueryRecord[] {
    const all = this.#entries;
    return all.length > this.#limit ? all.slice(-this.#limit) : all.slice();
  }

  /** Forgets every record. */
  clear(): void {
    this.#entries = [];
  }

  /** Stops `resetQueries()` from tracking this log (the connection was closed). */
  dispose(): void {
    this.#entries = [];
    liveLogs.delete(this);
  }
}

const liveLogs = new Set<QueryLog>();

/**
 * Runs `fn` and returns its result with every statement it issued, on every connection,
 * through any depth of awaits. Statements of concurrent flows outside `fn` are not included.
 * Nested captures each see their own statements; the outer one sees the inner's too.
 *
 * @example
 * const { result, queries } = await captureQueries(() => Book.objects.count());
 * queries[0].sql; // 'SELECT COUNT(*) AS "__count" FROM "catalog_book"'
 */
export async function captureQueries<T>(
  fn: () => T | Promise<T>,
  options: CaptureOptions = {},
): Promise<{ result: Awaited<T>; queries: QueryRecord[] }> {
  const capture: Capture = { queries: [], stack: options.stack === true };
  const parent = captures.getStore() ?? [];
  activeCaptures++;
  queryLogState.capturing = true;
  try {
    // Await inside the context: a QuerySet returned unawaited runs when awaited, and must be captured too.
    const result = await captures.run([...parent, capture], async () => await fn());
    return { result, queries: capture.queries };
  } finally {
    activeCaptures--;
    queryLogState.capturing = activeCaptures > 0;
  }
}

/**
 * Records one statement into the active captures of this async context and into `debugLog`,
 * and publishes it on `nuages:db:query` when that channel has subscribers.
 * @internal
 */
export function recordQuery(
  alias: string,
  sql: string,
  params: readonly SqlParam[],
  durationMs: number,
  debugLog: QueryLog | undefined,
  error: unknown = undefined,
): void {
  if (dbQueryChannel.hasSubscribers) dbQueryChannel.publish({ alias, sql, durationMs, error });
  if (!queryLogState.capturing && debugLog === undefined) return;
  const chain = queryLogState.capturing ? captures.getStore() : undefined;
  let stack: string | undefined;
  if (chain !== undefined) {
    for (const capture of chain) {
      if (capture.stack) {
        stack = callerStack();
        break;
      }
    }
  }
  const record: QueryRecord =
    stack === undefined ? { sql, params, durationMs, alias } : { sql, params, durationMs, alias, stack };
  if (chain !== undefined) for (const capture of chain) capture.queries.push(record);
  if (debugLog !== undefined) {
    debugLog.push(record);
    // As Django's django.db.backends: each statement at DEBUG while DEBUG is on, only
    // when LOGGING enables that level (the message is not even built otherwise).
    if (loggerEnabled(SQL_LOGGER.name, 'debug')) {
      SQL_LOGGER.debug(`(${(durationMs / 1000).toFixed(3)}) ${sql}; args=${formatParams(params)}; alias=${alias}`, { alias, durationMs, sql });
    }
  }
}

const SQL_LOGGER = getLogger('nuages.db.backends');

function formatParams(params: readonly SqlParam[]): string {
  return `[${params.map((param) => (typeof param === 'string' ? JSON.stringify(param) : param instanceof Uint8Array ? `<${param.length} bytes>` : String(param))).join(', ')}]`;
}

/** The stack without the frames of the database layer itself. */
function callerStack(): string {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  return lines
    .filter((line) => !/[\\/]src[\\/]db[\\/](backends|query-log|transaction)/.test(line))
    .join('\n');
}

/** Empties `connection.queries` on every open connection (Django's `reset_queries()`). */
export function resetQueries(): void {
  for (const log of liveLogs) log.clear();
}

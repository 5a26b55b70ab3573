/**
 * Named loggers (Django's `logging.getLogger('django.request')` in small): every
 * Nuages subsystem logs under `nuages.<subsystem>`, and one sink decides where the
 * records go. The default sink writes warnings and errors to the console; a project
 * sends them to its logging library with `setLogSink()`, a test collects them with
 * `captureLogs()`.
 *
 * ```ts
 * const log = getLogger('nuages.cache');
 * log.warn('Redis at 127.0.0.1:6379 is unreachable; reads are misses', { alias: 'default' });
 * ```
 */

/** How serious a record is, in Django's (and syslog's) order. */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/** One log record, as a sink receives it. */
export interface LogRecord {
  readonly logger: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Where records go. */
export type LogSink = (record: LogRecord) => void;

/** A named logger; create it once per module with {@link getLogger}. */
export interface Logger {
  readonly name: string;
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

const consoleSink: LogSink = (record) => {
  if (record.level === 'error') console.error(`[${record.logger}] ${record.message}`, ...detailsFor(record));
  else if (record.level === 'warning') console.warn(`[${record.logger}] ${record.message}`, ...detailsFor(record));
};

function detailsFor(record: LogRecord): unknown[] {
  return Object.keys(record.details).length > 0 ? [record.details] : [];
}

let sink: LogSink = consoleSink;

/** Replace the sink every logger writes to; returns the previous one. `null` restores the console. */
export function setLogSink(next: LogSink | null): LogSink {
  const previous = sink;
  sink = next ?? consoleSink;
  return previous;
}

/** The logger called `name` (dotted, e.g. `nuages.cache`). */
export function getLogger(name: string): Logger {
  const emit = (level: LogLevel) => (message: string, details: Record<string, unknown> = {}) => sink({ logger: name, level, message, details });
  return { name, debug: emit('debug'), info: emit('info'), warn: emit('warning'), error: emit('error') };
}

/**
 * Run `fn` with every record of `prefix` (and the loggers below it) collected
 * instead of printed; resolves to what `fn` returned and the records. Records of
 * other loggers still reach the previous sink.
 *
 * ```ts
 * const { records } = await captureLogs('nuages.cache', () => cache.get('k'));
 * ```
 */
export async function captureLogs<T>(prefix: string, fn: () => T | Promise<T>): Promise<{ result: T; records: LogRecord[] }> {
  const records: LogRecord[] = [];
  const previous = setLogSink((record) => {
    if (record.logger === prefix || record.logger.startsWith(`${prefix}.`)) records.push(record);
    else previous(record);
  });
  try {
    const result = await fn();
    return { result, records };
  } finally {
    setLogSink(previous);
  }
}

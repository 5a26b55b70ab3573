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

/**
 * Where records go. A sink may say which records it wants (`enabled`), so a caller
 * can skip building an expensive message (SQL at debug level) nobody will read.
 */
export type LogSink = ((record: LogRecord) => void) & {
  enabled?: (logger: string, level: LogLevel) => boolean;
};

/** A named logger; create it once per module with {@link getLogger}. */
export interface Logger {
  readonly name: string;
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
  /**
   * Whether a record of `level` would be handled (Python's isEnabledFor); guard costly
   * messages with it. Optional so hand-made loggers (tests' fakes) still fit.
   */
  isEnabledFor?(level: LogLevel): boolean;
}

const consoleSink: LogSink = Object.assign(
  (record: LogRecord) => {
    if (record.level === 'error') console.error(`[${record.logger}] ${record.message}`, ...detailsFor(record));
    else if (record.level === 'warning') console.warn(`[${record.logger}] ${record.message}`, ...detailsFor(record));
  },
  { enabled: (_logger: string, level: LogLevel) => level === 'warning' || level === 'error' },
);

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

/** Whether the sink wants records of `level` from the logger `name` (true when it does not say). */
export function loggerEnabled(name: string, level: LogLevel): boolean {
  return sink.enabled?.(name, level) ?? true;
}

/** The logger called `name` (dotted, e.g. `nuages.cache`). */
export function getLogger(name: string): Logger {
  const emit = (level: LogLevel) => (message: string, details: Record<string, unknown> = {}) => sink({ logger: name, level, message, details });
  const isEnabledFor = (level: LogLevel) => loggerEnabled(name, level);
  return { name, debug: emit('debug'), info: emit('info'), warn: emit('warning'), error: emit('error'), isEnabledFor };
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
  const captured = (logger: string) => logger === prefix || logger.startsWith(`${prefix}.`);
  const capture: LogSink = Object.assign(
    (record: LogRecord) => {
      if (captured(record.logger)) records.push(record);
      else previous(record);
    },
    // A captured logger is enabled at every level, so a test sees debug records too.
    { enabled: (logger: string, level: LogLevel) => captured(logger) || (previous.enabled?.(logger, level) ?? true) },
  );
  const previous = setLogSink(capture);
  try {
    const result = await fn();
    return { result, records };
  } finally {
    setLogSink(previous);
  }
}

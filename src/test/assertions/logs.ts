/**
 * Log assertions over Nuages' named loggers (src/utils/log.ts): what `fn` logged
 * under a logger and the loggers below it (`'nuages.cache'` catches
 * `'nuages.cache.redis'`), at a level or above.
 *
 * The records are collected instead of printed while `fn` runs, as Django's
 * assertLogs keeps them off the console.
 */
import { captureLogs, type LogLevel, type LogRecord } from '../../utils/log.ts';
import { fail } from './fail.ts';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warning', 'error'];

/** What {@link assertLogs} resolves to. */
export interface CapturedLogs<T> {
  /** What `fn` returned. */
  readonly result: T;
  /** The records at `level` or above, in order. */
  readonly records: readonly LogRecord[];
  /** One line per record, `LEVEL:logger:message` (Django's `cm.output`). */
  readonly output: readonly string[];
}

function atOrAbove(records: readonly LogRecord[], level: LogLevel): LogRecord[] {
  const min = LEVELS.indexOf(level);
  if (min === -1) throw new TypeError(`Unknown log level '${String(level)}'; use one of ${LEVELS.join(', ')}.`);
  return records.filter((record) => LEVELS.indexOf(record.level) >= min);
}

function line(record: LogRecord): string {
  return `${record.level.toUpperCase()}:${record.logger}:${record.message}`;
}

async function run<T>(logger: string, fn: () => T | Promise<T>): Promise<{ result: Awaited<T>; records: LogRecord[] }> {
  let result!: Awaited<T>;
  const { records } = await captureLogs(logger, async () => {
    result = await fn();
  });
  return { result, records };
}

function split<T>(levelOrFn: LogLevel | (() => T | Promise<T>), fn?: () => T | Promise<T>): [LogLevel, () => T | Promise<T>] {
  return typeof levelOrFn === 'function' ? ['info', levelOrFn] : [levelOrFn, fn!];
}

/**
 * Runs `fn` and asserts it logged at least one record at `level` ('info' by default)
 * or above under `logger`; resolves to the records, their `LEVEL:logger:message`
 * lines and what `fn` returned.
 *
 * @throws AssertionError when nothing was logged there.
 * @example
 * const { output } = await assertLogs('nuages.cache', 'warning', () => cache.get('k'));
 * assert.deepEqual(output, ['WARNING:nuages.cache:Redis at 127.0.0.1:6379 is unreachable; reads are misses']);
 */
export async function assertLogs<T>(logger: string, fn: () => T | Promise<T>): Promise<CapturedLogs<Awaited<T>>>;
export async function assertLogs<T>(logger: string, level: LogLevel, fn: () => T | Promise<T>): Promise<CapturedLogs<Awaited<T>>>;
export async function assertLogs<T>(
  logger: string,
  levelOrFn: LogLevel | (() => T | Promise<T>),
  maybeFn?: () => T | Promise<T>,
): Promise<CapturedLogs<Awaited<T>>> {
  const [level, fn] = split(levelOrFn, maybeFn);
  const { result, records } = await run(logger, fn);
  const kept = atOrAbove(records, level);
  if (kept.length === 0) {
    fail(`No logs of level '${level}' or higher were written to '${logger}'`, { operator: 'assertLogs', stackStartFn: assertLogs });
  }
  return { result, records: kept, output: kept.map(line) };
}

/**
 * Runs `fn` and asserts it logged nothing at `level` ('info' by default) or above
 * under `logger`; resolves to what `fn` returned.
 *
 * @throws AssertionError listing the records found.
 * @example
 * await assertNoLogs('nuages.request', 'warning', () => client.get('/'));
 */
export async function assertNoLogs<T>(logger: string, fn: () => T | Promise<T>): Promise<Awaited<T>>;
export async function assertNoLogs<T>(logger: string, level: LogLevel, fn: () => T | Promise<T>): Promise<Awaited<T>>;
export async function assertNoLogs<T>(logger: string, levelOrFn: LogLevel | (() => T | Promise<T>), maybeFn?: () => T | Promise<T>): Promise<Awaited<T>> {
  const [level, fn] = split(levelOrFn, maybeFn);
  const { result, records } = await run(logger, fn);
  const kept = atOrAbove(records, level);
  if (kept.length > 0) {
    const output = kept.map(line);
    fail(`Unexpected logs found: ${JSON.stringify(output)}`, { actual: output, expected: [], operator: 'assertNoLogs', stackStartFn: assertNoLogs });
  }
  return result;
}

/**
 * The LOGGING setting (Python's `logging.config.dictConfig`, in Django's schema) mapped
 * onto pino: loggers by dotted name with levels and propagation to their parents
 * (`nuages.request` → `nuages` → root), handlers that write JSON lines (pino) or plain
 * text to stderr or a file, or mail ADMINS, and filters such as `requireDebugFalse`.
 *
 * ```ts
 * LOGGING: {
 *   version: 1,
 *   handlers: { file: { class: 'file', filename: '/var/log/shop.log', level: 'INFO' } },
 *   loggers: { shop: { handlers: ['file'], level: 'INFO' } },
 * }
 * ```
 *
 * Records come from `getLogger(name)` (src/utils/log.ts); `configureLogging()` installs
 * the router as the log sink, so `captureLogs()` in tests keeps working on top of it.
 */
import pino from 'pino';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { settings } from '../conf/lazy-settings.ts';
import { setRequestLogger, type RequestLogger } from '../core/handlers/exception.ts';
import { AdminEmailHandler, adminEmailHandler } from '../core/mail/admin-email-handler.ts';
import { getLogger, setLogSink, type LogLevel, type LogRecord, type LogSink } from './log.ts';
import { currentRequestId } from './request-context.ts';

/** Python's level names (either case) or numbers: DEBUG 10, INFO 20, WARNING 30, ERROR 40, CRITICAL 50. */
export type LevelSpec = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'NOTSET' | Lowercase<'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'NOTSET'> | number;

/** A filter: a record passes when it returns true. */
export type LogFilter = (record: LogRecord) => boolean;

/** A filter's entry: a built-in by name, Django's `()` callable form, or a function. */
export type FilterConfig =
  | { class: 'requireDebugFalse' | 'requireDebugTrue' }
  | { '()': () => LogFilter }
  | { callback: LogFilter }
  | LogFilter;

/** How a record becomes a line: 'json' (pino's JSON), 'text' (`LEVEL time logger message`), or a function. */
export interface FormatterConfig {
  format?: 'json' | 'text' | ((record: LogRecord & { requestId?: string; time: Date }) => string);
}

/** Something a handler writes lines to (process.stderr, a file stream, a test's collector). */
export interface LineStream {
  write(line: string): unknown;
}

/** A handler class of your own: constructed with its config entry, called per record. */
export interface LogHandler {
  handle(record: LogRecord): void;
  /** Resolves when buffered output has been written (mails sent, files flushed). */
  flush?(): Promise<void>;
}
export type LogHandlerClass = new (config: HandlerConfig) => LogHandler;

/** A handler's entry; `class` picks one of the built-ins or is your own class. */
export interface HandlerConfig {
  class: 'console' | 'file' | 'mailAdmins' | 'null' | LogHandlerClass;
  level?: LevelSpec;
  filters?: string[];
  formatter?: string;
  /** 'file': where to append. */
  filename?: string;
  /** 'console': where to write instead of stderr (tests pass a collector). */
  stream?: LineStream;
  /** 'mailAdmins': attach the HTML debug page (off by default, as in Django). */
  includeHtml?: boolean;
  [option: string]: unknown;
}

/** A logger's entry. */
export interface LoggerConfig {
  level?: LevelSpec;
  handlers?: string[];
  filters?: string[];
  /** Pass records on to the parent's handlers too (default true). */
  propagate?: boolean;
}

/** The LOGGING setting, in Django's dictConfig schema. */
export interface LoggingConfig {
  version?: 1;
  disable_existing_loggers?: boolean;
  formatters?: Record<string, FormatterConfig>;
  filters?: Record<string, FilterConfig>;
  handlers?: Record<string, HandlerConfig>;
  loggers?: Record<string, LoggerConfig>;
  root?: LoggerConfig;
}

/**
 * Django's DEFAULT_LOGGING with Nuages's names: the console for `nuages` while DEBUG,
 * errors of `nuages` (so `nuages.request` and `nuages.security`) mailed to ADMINS
 * while not DEBUG, and `nuages.server` (with the access log) at INFO on the console
 * always — text while DEBUG, JSON otherwise. One addition: errors of `nuages` are
 * written to stderr outside DEBUG too.
 */
export const DEFAULT_LOGGING: LoggingConfig = {
  version: 1,
  disable_existing_loggers: false,
  filters: {
    requireDebugFalse: { class: 'requireDebugFalse' },
    requireDebugTrue: { class: 'requireDebugTrue' },
  },
  handlers: {
    console: { class: 'console', level: 'INFO', filters: ['requireDebugTrue'] },
    // Not in Django: errors also reach stderr in production (as JSON), so a container's
    // log shows them even where no mail is set up.
    consoleErrors: { class: 'console', level: 'ERROR', filters: ['requireDebugFalse'] },
    nuagesServer: { class: 'console', level: 'INFO' },
    mailAdmins: { class: 'mailAdmins', level: 'ERROR', filters: ['requireDebugFalse'] },
  },
  loggers: {
    nuages: { handlers: ['console', 'consoleErrors', 'mailAdmins'], level: 'INFO' },
    'nuages.server': { handlers: ['nuagesServer'], level: 'INFO', propagate: false },
  },
};

const LEVELS: Record<string, number> = { notset: 0, debug: 10, info: 20, warning: 30, warn: 30, error: 40, critical: 50 };
const RECORD_LEVEL: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };
const PINO_METHOD: Record<LogLevel, 'debug' | 'info' | 'warn' | 'error'> = { debug: 'debug', info: 'info', warning: 'warn', error: 'error' };

function levelNumber(spec: LevelSpec | undefined, where: string): number | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === 'number') return spec;
  const number = LEVELS[spec.toLowerCase()];
  if (number === undefined) {
    throw new Error(`LOGGING: ${where} has level '${spec}'; use DEBUG, INFO, WARNING, ERROR or CRITICAL.`);
  }
  return number;
}

interface BuiltHandler {
  readonly level: number;
  readonly filters: LogFilter[];
  readonly handler: LogHandler;
}

interface BuiltLogger {
  level: number | undefined;
  handlers: BuiltHandler[];
  filters: LogFilter[];
  propagate: boolean;
  disabled: boolean;
}

/** Whether DEBUG is on, asked per record so `requireDebugTrue` follows settings overridden in tests. */
export type DebugProbe = () => boolean;

class Router {
  readonly loggers = new Map<string, BuiltLogger>();
  readonly handlers = new Map<string, BuiltHandler>();

  constructor() {
    this.loggers.set('', { level: 30, handlers: [], filters: [], propagate: false, disabled: false });
  }

  /** Python's getEffectiveLevel: the first level set on the logger or an ancestor. */
  effectiveLevel(name: string): number {
    for (const ancestor of lineage(name)) {
      const level = this.loggers.get(ancestor)?.level;
      if (level !== undefined && level !== 0) return level;
    }
    return 0;
  }

  disabled(name: string): boolean {
    return this.loggers.get(name)?.disabled ?? false;
  }

  enabled(name: string, level: LogLevel): boolean {
    return !this.disabled(name) && RECORD_LEVEL[level] >= this.effectiveLevel(name);
  }

  route(record: LogRecord): void {
    if (!this.enabled(record.logger, record.level)) return;
    const own = this.loggers.get(record.logger);
    if (own && !own.filters.every((filter) => filter(record))) return;
    const number = RECORD_LEVEL[record.level];
    for (const ancestor of lineage(record.logger)) {
      const logger = this.loggers.get(ancestor);
      if (!logger) continue;
      for (const built of logger.handlers) {
        if (number >= built.level && built.filters.every((filter) => filter(record))) safely(() => built.handler.handle(record));
      }
      if (!logger.propagate) break;
    }
  }
}

// 'a.b.c' → ['a.b.c', 'a.b', 'a', ''] (the root last).
function lineage(name: string): string[] {
  const names: string[] = [];
  for (let current = name; current !== ''; current = current.includes('.') ? current.slice(0, current.lastIndexOf('.')) : '') {
    names.push(current);
  }
  names.push('');
  return names;
}

// A broken handler must not break the request that logged: report it on stderr and go on.
function safely(fn: () => void): void {
  try {
    fn();
  } catch (problem) {
    process.stderr.write(`Logging handler failed: ${(problem as Error)?.stack ?? String(problem)}\n`);
  }
}

function buildFilter(name: string, config: FilterConfig, debug: DebugProbe): LogFilter {
  if (typeof config === 'function') return config;
  if ('callback' in config) return config.callback;
  if ('()' in config) return config['()']();
  if (config.class === 'requireDebugFalse') return () => !debug();
  if (config.class === 'requireDebugTrue') return () => debug();
  throw new Error(`LOGGING: filter '${name}' has class '${String((config as { class: unknown }).class)}'; use requireDebugFalse, requireDebugTrue, { callback } or { '()': factory }.`);
}

// Request and error objects become small JSON objects instead of their whole graph.
function serializeDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (value instanceof Error) out[key] = pino.stdSerializers.err(value);
    else if (key === 'request' && value && typeof value === 'object' && 'method' in value && 'path' in value) {
      const request = value as { method: unknown; path: unknown };
      out[key] = { method: request.method, path: request.path };
    } else out[key] = value;
  }
  return out;
}

/** Writes records as lines: pino JSON (`level`, `time`, `msg`, `logger`, `requestId`, details) or text. */
class StreamHandler implements LogHandler {
  readonly #pino: pino.Logger | null;
  readonly #stream: LineStream;
  readonly #format: FormatterConfig['format'];

  constructor(stream: LineStream, format: FormatterConfig['format']) {
    this.#stream = stream;
    this.#format = format;
    this.#pino = format === 'json' ? pino({ level: 'trace', base: null }, stream as pino.DestinationStream) : null;
  }

  handle(record: LogRecord): void {
    const requestId = currentRequestId();
    if (this.#pino) {
      const fields = { logger: record.logger, ...(requestId ? { requestId } : {}), ...serializeDetails(record.details) };
      this.#pino[PINO_METHOD[record.level]](fields, record.message);
    } else if (typeof this.#format === 'function') {
      this.#stream.write(`${this.#format({ ...record, requestId, time: new Date() })}\n`);
    } else {
      const id = requestId ? ` [${requestId}]` : '';
      const details = Object.keys(record.details).length > 0 ? ` ${safeJson(serializeDetails(record.details))}` : '';
      this.#stream.write(`${record.level.toUpperCase()} ${new Date().toISOString()} ${record.logger}${id}: ${record.message}${details}\n`);
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Django's AdminEmailHandler as a log handler: records with a request (and error) mailed to ADMINS. */
class MailAdminsHandler implements LogHandler {
  readonly #mailer: AdminEmailHandler;

  constructor(config: HandlerConfig) {
    // The shared handler keeps one bound (10 mails a minute) across configurations.
    this.#mailer = config.includeHtml ? new AdminEmailHandler({ includeHtml: true }) : adminEmailHandler;
  }

  handle(record: LogRecord): void {
    const { request, error } = record.details as { request?: never; error?: unknown };
    this.#mailer.emit(record.message, { request, error, level: record.level.toUpperCase() });
  }

  flush(): Promise<void> {
    return this.#mailer.flush();
  }
}

function buildHandler(name: string, config: HandlerConfig, formatters: Record<string, FormatterConfig>, debug: DebugProbe): LogHandler {
  const formatter = config.formatter === undefined ? undefined : formatters[config.formatter];
  if (config.formatter !== undefined && !formatter) {
    throw new Error(`LOGGING: handler '${name}' uses formatter '${config.formatter}', which is not in LOGGING.formatters.`);
  }
  // JSON in production, readable text while developing, unless a formatter says otherwise.
  const format = formatter?.format ?? (debug() ? 'text' : 'json');
  switch (config.class) {
    case 'console':
      return new StreamHandler(config.stream ?? process.stderr, format);
    case 'file': {
      if (!config.filename) throw new Error(`LOGGING: file handler '${name}' needs a filename.`);
      mkdirSync(dirname(config.filename), { recursive: true });
      return new FileHandler(config.filename, format);
    }
    case 'mailAdmins':
      return new MailAdminsHandler(config);
    case 'null':
      return { handle() {} };
    default:
      if (typeof config.class === 'function') return new config.class(config);
      throw new Error(`LOGGING: handler '${name}' has class '${String(config.class)}'; use console, file, mailAdmins, null or a class of yours.`);
  }
}

/** Appends lines to a file; `flush()` waits until they are on disk. */
class FileHandler extends StreamHandler {
  readonly #file: ReturnType<typeof createWriteStream>;

  constructor(filename: string, format: FormatterConfig['format']) {
    const file = createWriteStream(filename, { flags: 'a' });
    super(file, format);
    this.#file = file;
  }

  flush(): Promise<void> {
    // A write's callback runs once everything queued before it is written.
    return new Promise((resolve) => this.#file.write('', () => resolve()));
  }
}

let router: Router | null = null;

function apply(target: Router, config: LoggingConfig, debug: DebugProbe): void {
  if (config.version !== undefined && config.version !== 1) {
    throw new Error(`LOGGING: version ${String(config.version)} is not supported; use version: 1.`);
  }
  const filters = new Map<string, LogFilter>();
  for (const [name, entry] of Object.entries(config.filters ?? {})) filters.set(name, buildFilter(name, entry, debug));
  const pick = (names: string[] | undefined, where: string): LogFilter[] =>
    (names ?? []).map((name) => {
      const filter = filters.get(name);
      if (!filter) throw new Error(`LOGGING: ${where} uses filter '${name}', which is not in LOGGING.filters.`);
      return filter;
    });
  for (const [name, entry] of Object.entries(config.handlers ?? {})) {
    target.handlers.set(name, {
      level: levelNumber(entry.level, `handler '${name}'`) ?? 0,
      filters: pick(entry.filters, `handler '${name}'`),
      handler: buildHandler(name, entry, config.formatters ?? {}, debug),
    });
  }
  const build = (name: string, entry: LoggerConfig): BuiltLogger => ({
    level: levelNumber(entry.level, `logger '${name || 'root'}'`),
    handlers: (entry.handlers ?? []).map((handler) => {
      const built = target.handlers.get(handler);
      if (!built) throw new Error(`LOGGING: logger '${name || 'root'}' uses handler '${handler}', which is not in LOGGING.handlers.`);
      return built;
    }),
    filters: pick(entry.filters, `logger '${name || 'root'}'`),
    propagate: name === '' ? false : entry.propagate ?? true,
    disabled: false,
  });
  if (config.disable_existing_loggers ?? true) {
    // Loggers of an earlier configuration that this one does not name go quiet, as in Python.
    // (Loggers no configuration names are left alone: they propagate to the root, which
    // spares a project's own loggers created after setup.)
    for (const [name, logger] of target.loggers) if (name !== '' && !(name in (config.loggers ?? {}))) logger.disabled = true;
  }
  for (const [name, entry] of Object.entries(config.loggers ?? {})) {
    target.loggers.set(name, build(name, entry));
  }
  if (config.root) target.loggers.set('', build('', config.root));
}

/**
 * Route every logger's records through `config` layered on DEFAULT_LOGGING (as Django
 * runs dictConfig twice); returns a function that restores the previous sink. `debug`
 * answers whether DEBUG is on (for the filters and the console's format).
 *
 * @throws Error naming the entry when the config refers to a handler, filter or
 *   formatter it does not define, or uses an unknown class or level.
 */
export function configureLogging(config: LoggingConfig, options: { debug?: DebugProbe; defaults?: boolean } = {}): () => void {
  const debug = options.debug ?? (() => false);
  const next = new Router();
  if (options.defaults ?? true) apply(next, DEFAULT_LOGGING, debug);
  apply(next, config, debug);
  router = next;
  const sink: LogSink = Object.assign((record: LogRecord) => next.route(record), {
    enabled: (logger: string, level: LogLevel) => next.enabled(logger, level),
  });
  const previous = setLogSink(sink);
  return () => {
    setLogSink(previous);
    if (router === next) router = null;
  };
}

/** Resolves when every handler of the current configuration has written what it was given. */
export async function flushLogging(): Promise<void> {
  if (!router) return;
  await Promise.all([...router.handlers.values()].map((built) => built.handler.flush?.()));
}

/**
 * The request logger that hands the handler's 4xx warnings and 5xx errors to the
 * `nuages.request` logger (as Django's django.request), where LOGGING decides who hears
 * them: with the defaults, the console while DEBUG and ADMINS by mail otherwise.
 */
export const loggingRequestLogger: RequestLogger = {
  warn(message, details) {
    getLogger('nuages.request').warn(message, details);
  },
  error(message, details) {
    getLogger('nuages.request').error(message, details);
  },
};

/**
 * Configure logging from the LOGGING setting (called by `setup()` when LOGGING is set):
 * records of every logger go through LOGGING layered on DEFAULT_LOGGING, and the
 * request handler's reports go to `nuages.request`. Returns the undo function.
 */
export function configureLoggingFromSettings(): () => void {
  const restore = configureLogging(settings.LOGGING as LoggingConfig, { debug: () => settings.configured && Boolean(settings.DEBUG) });
  const previousRequestLogger = setRequestLogger(loggingRequestLogger);
  return () => {
    restore();
    setRequestLogger(previousRequestLogger);
  };
}

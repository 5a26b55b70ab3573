/**
 * Typed readers for environment variables, for use in settings modules.
 *
 * Each reader takes the variable's name and an optional default. A missing
 * variable without a default, or a value that does not parse, throws an
 * ImproperlyConfigured subclass naming the variable, so a misconfigured
 * deployment stops at start-up instead of running with a wrong value.
 * (`.env` files: Node 24 loads them itself with `node --env-file=.env` or
 * `process.loadEnvFile()`, so Nuages does not bundle a dotenv library.)
 */
import { InvalidDatabaseUrlError, InvalidEnvVarError, MissingEnvVarError } from './errors.ts';
import { parseCacheUrl } from './cache-url.ts';
import type { CacheSettings, DatabaseSettings } from './settings.ts';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function read(name: string): string | undefined {
  return process.env[name];
}

/** Read a string. `env.str('SECRET_KEY')` */
function str(name: string, fallback?: string): string {
  const value = read(name);
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new MissingEnvVarError(name);
}

/**
 * Read a boolean written as true/false, 1/0, yes/no or on/off (any case).
 * Anything else throws rather than guessing.
 */
function bool(name: string, fallback?: boolean): boolean {
  const value = read(name);
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new MissingEnvVarError(name);
  }
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidEnvVarError(
    name,
    value,
    'a boolean must be one of true/false, 1/0, yes/no, on/off',
  );
}

/** Read a whole number in decimal (`PORT=8000`). */
function int(name: string, fallback?: number): number {
  const value = read(name);
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new MissingEnvVarError(name);
  }
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^[+-]?\d+$/.test(trimmed) || !Number.isSafeInteger(parsed)) {
    throw new InvalidEnvVarError(name, value, 'an integer was expected (digits only, e.g. 8000)');
  }
  return parsed;
}

/** Read a comma-separated list; items are trimmed and empty items dropped. */
function list(name: string, fallback?: readonly string[]): string[] {
  const value = read(name);
  if (value === undefined) {
    if (fallback !== undefined) return [...fallback];
    throw new MissingEnvVarError(name);
  }
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Options of `env.db()` and `parseDatabaseUrl()`. */
export interface DatabaseUrlOptions {
  /** CONN_MAX_AGE for the entry, unless the URL sets `?conn_max_age=`. */
  connMaxAge?: number | null;
  /** The variable the URL came from, for error messages. */
  variable?: string;
}

/**
 * Read a database URL (default variable: DATABASE_URL) into a DATABASES entry.
 *
 * ```ts
 * DATABASES: { default: env.db('DATABASE_URL', 'sqlite:///db.sqlite3') }
 * ```
 */
function db(name = 'DATABASE_URL', fallback?: string, options: DatabaseUrlOptions = {}): DatabaseSettings {
  return parseDatabaseUrl(str(name, fallback), { variable: name, ...options });
}

/**
 * Read a cache URL (default variable: CACHE_URL) into a CACHES entry (see cache-url.ts).
 *
 * ```ts
 * CACHES: { default: env.cache('CACHE_URL', 'locmem://') }
 * ```
 */
function cache(name = 'CACHE_URL', fallback?: string): CacheSettings {
  return parseCacheUrl(str(name, fallback), name);
}

/**
 * Environment variable readers: `env.str`, `env.bool`, `env.int`, `env.list`, `env.db`, `env.cache`.
 */
export const env = Object.freeze({ str, bool, int, list, db, cache });

/**
 * Turn a database URL into a DATABASES entry.
 *
 * - `sqlite:///relative.db` → NAME `relative.db` (three slashes: relative path)
 * - `sqlite:////abs/path.db` → NAME `/abs/path.db` (four slashes: absolute path)
 * - `sqlite://:memory:` (or `sqlite://`) → an in-memory database
 * - `postgres://user:pass@host:5432/name?sslmode=require` (also `postgresql://`):
 *   user and password are percent-decoded, query parameters go to OPTIONS,
 *   except `conn_max_age`, which sets CONN_MAX_AGE, and `disable_server_side_cursors`
 *   (true/false), which sets DISABLE_SERVER_SIDE_CURSORS (behind PgBouncer in transaction mode).
 *
 * @throws InvalidDatabaseUrlError with the password masked.
 */
export function parseDatabaseUrl(url: string, options: DatabaseUrlOptions = {}): DatabaseSettings {
  const source = options.variable ?? 'The database URL';
  const fail = (why: string): never => {
    throw new InvalidDatabaseUrlError(`${source} (${maskPassword(url)}) ${why}`);
  };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    fail(
      "is not a URL. Write it as 'sqlite:///path/to/db.sqlite3' or " +
        "'postgres://user:password@host:5432/name'.",
    );
  }
  let entry: DatabaseSettings;
  let query: URLSearchParams;
  if (scheme === 'sqlite') {
    ({ entry, query } = parseSqlite(url.slice('sqlite://'.length), fail));
  } else if (scheme === 'postgres' || scheme === 'postgresql') {
    ({ entry, query } = parsePostgres(url, fail));
  } else {
    return fail(`has the scheme '${scheme}://', which Nuages does not support. Use sqlite:// or postgres://.`);
  }

  let connMaxAge = options.connMaxAge;
  const optionsOut: Record<string, unknown> = {};
  for (const [key, value] of query) {
    if (key === 'conn_max_age') {
      if (!/^\d+$/.test(value)) fail(`sets conn_max_age=${value}; it must be a whole number of seconds.`);
      connMaxAge = Number(value);
    } else if (key === 'disable_server_side_cursors') {
      if (value !== 'true' && value !== 'false') fail(`sets disable_server_side_cursors=${value}; it must be true or false.`);
      entry.DISABLE_SERVER_SIDE_CURSORS = value === 'true';
    } else {
      optionsOut[key] = value;
    }
  }
  if (Object.keys(optionsOut).length > 0) entry.OPTIONS = optionsOut;
  if (connMaxAge !== undefined) entry.CONN_MAX_AGE = connMaxAge;
  return entry;
}

function parseSqlite(
  rest: string,
  fail: (why: string) => never,
): { entry: DatabaseSettings; query: URLSearchParams } {
  const q = rest.indexOf('?');
  const query = new URLSearchParams(q === -1 ? '' : rest.slice(q + 1));
  const location = q === -1 ? rest : rest.slice(0, q);
  if (location === '' || location === ':memory:' || location === '/:memory:') {
    return { entry: { ENGINE: 'sqlite', NAME: ':memory:' }, query };
  }
  if (!location.startsWith('/')) {
    fail(
      "names a host, but sqlite URLs have none. Write 'sqlite:///relative.db' (three slashes) " +
        "or 'sqlite:////absolute/path.db' (four slashes).",
    );
  }
  const name = decode(location.slice(1), 'path', fail);
  if (name === '') fail("has no file path. Write 'sqlite:///db.sqlite3' or 'sqlite://:memory:'.");
  return { entry: { ENGINE: 'sqlite', NAME: name }, query };
}

function parsePostgres(
  url: string,
  fail: (why: string) => never,
): { entry: DatabaseSettings; query: URLSearchParams } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail("cannot be parsed. Check it reads 'postgres://user:password@host:5432/name'.");
  }
  const name = decode(parsed.pathname.replace(/^\//, ''), 'database name', fail);
  if (name === '') fail("names no database. Add it after the host: 'postgres://user@host:5432/name'.");
  const entry: DatabaseSettings = { ENGINE: 'postgres', NAME: name };
  if (parsed.username) entry.USER = decode(parsed.username, 'user', fail);
  if (parsed.password) entry.PASSWORD = decode(parsed.password, 'password', fail);
  // A percent-encoded host is a unix socket folder (host=%2Fvar%2Frun%2Fpostgresql).
  const host = decode(parsed.hostname, 'host', fail).replace(/^\[(.*)\]$/, '$1');
  if (host) entry.HOST = host;
  if (parsed.port) entry.PORT = Number(parsed.port);
  return { entry, query: parsed.searchParams };
}

function decode(text: string, part: string, fail: (why: string) => never): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(`has a malformed percent-escape in its ${part}.`);
  }
}

/** The URL with its password replaced by `***`, safe for error messages and logs. */
export function maskPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*:)[^@/?#]*@/i, '$1***@');
}

/**
 * SQL functions SQLite lacks, written in JavaScript and registered on every connection.
 *
 * `x REGEXP y` is SQLite syntax for `regexp(y, x)`: the pattern comes first. Patterns
 * are written in Python's `re` dialect (the one Django users know and that Django's own
 * `regex` lookups send), translated to JavaScript once and cached.
 */
import type { DatabaseSync } from 'node:sqlite';
import { registerDateFunctions } from './date-functions.ts';
import { registerAggregateFunctions } from './aggregate-functions.ts';

const REGEX_CACHE_LIMIT = 256;
const regexCache = new Map<string, RegExp>();

/** Raised from inside SQL when a REGEXP pattern is not a valid regular expression. */
export class InvalidRegexError extends Error {
  constructor(pattern: string, cause: unknown) {
    super(
      `The regular expression ${JSON.stringify(pattern)} is not valid: ` +
        `${cause instanceof Error ? cause.message : String(cause)}. Fix the pattern passed to the regex lookup.`,
      { cause },
    );
    this.name = 'InvalidRegexError';
  }
}

/**
 * Compiles a Python-style pattern into a JavaScript RegExp, cached by pattern text.
 *
 * Handled: leading inline flags `(?i)`, `(?m)`, `(?s)`, `(?x)`-free combinations; named
 * groups `(?P<name>…)` and back-references `(?P=name)`; `\A` and `\Z`; Unicode-aware
 * `\w`, `\d`, `\b` as Python's `str` patterns are (tried first with the `u` flag, falling
 * back to the pattern as written when the `u` flag rejects a Python-legal escape).
 *
 * @example
 * compileRegex('(?i)^caf\\w$').test('CAFÉ'); // true
 */
export function compileRegex(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = translate(pattern);
  if (regexCache.size >= REGEX_CACHE_LIMIT) {
    // Drop the oldest entry; patterns in a workload repeat, so this is rare.
    const oldest = regexCache.keys().next().value;
    if (oldest !== undefined) regexCache.delete(oldest);
  }
  regexCache.set(pattern, compiled);
  return compiled;
}

function translate(pattern: string): RegExp {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline !== null) {
    source = source.slice(inline[0].length);
    for (const flag of inline[1]!) if ('ims'.includes(flag) && !flags.includes(flag)) flags += flag;
  }
  source = source
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '(?<![\\s\\S])')
    .replace(/\\Z/g, '(?![\\s\\S])');
  const unicode = source
    .replace(/\\w/g, '[\\p{L}\\p{N}_]')
    .replace(/\\W/g, '[^\\p{L}\\p{N}_]')
    .replace(/\\d/g, '\\p{Nd}')
    .replace(/\\D/g, '\\P{Nd}');
  try {
    // \b in JavaScript follows the ASCII \w even with the u flag; keep it only when absent.
    if (!/\\[bB]/.test(source)) return new RegExp(unicode, flags + 'u');
  } catch {
    // The u flag refuses identity escapes Python allows (`\-`, `\_`); use the plain form.
  }
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new InvalidRegexError(pattern, error);
  }
}

/**
 * Python's `re.search(pattern, str(value))` as SQL: 1, 0, or NULL when either side is NULL.
 */
export function sqlRegexp(pattern: unknown, value: unknown): number | null {
  if (pattern === null || value === null || pattern === undefined || value === undefined) return null;
  const text = typeof value === 'string' ? value : String(value);
  return compileRegex(String(pattern)).test(text) ? 1 : 0;
}

/**
 * Registers Nuages' SQL functions on a freshly opened connection. Backends call it once per
 * `DatabaseSync`; the lead adds date and math functions here.
 *
 * @example
 * registerFunctions(db);
 * db.prepare("SELECT 'abc' REGEXP '^a'").get(); // { ... : 1 }
 */
export function registerFunctions(db: DatabaseSync): void {
  db.function('regexp', { deterministic: true }, (pattern, value) => sqlRegexp(pattern, value));
  registerDateFunctions(db);
  registerAggregateFunctions(db);
}

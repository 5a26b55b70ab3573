/**
 * assertWarns(): the warnings `fn` emitted with `process.emitWarning()` (how Nuages
 * warns: CacheKeyWarning, the N+1 detector, UnorderedObjectListWarning), matched by
 * type, code or message, as Django's assertWarns / assertWarnsMessage.
 *
 * While `fn` runs, emitWarning is intercepted so the warnings are collected instead
 * of printed; it is process-wide, so warnings from other tests running at that
 * moment are collected too (they are only counted if they match).
 */
import { fail } from './fail.ts';

/** A warning as `process.emitWarning()` received it. */
export interface CapturedWarning {
  readonly type: string;
  readonly code: string | undefined;
  readonly message: string;
}

/** What a warning must have to count; every given property must match. */
export interface WarningMatcher {
  /** The warning's type (`'CacheKeyWarning'`, `'DeprecationWarning'`; default type is `'Warning'`). */
  readonly type?: string;
  readonly code?: string;
  /** A substring of the message, or a pattern it must match. */
  readonly message?: string | RegExp;
}

function toWarning(warning: string | Error, second?: unknown, third?: unknown): CapturedWarning {
  const message = typeof warning === 'string' ? warning : warning.message;
  let type = typeof warning === 'string' ? 'Warning' : warning.name;
  let code: string | undefined = typeof warning === 'string' ? undefined : ((warning as { code?: string }).code ?? undefined);
  if (typeof second === 'string') type = second;
  else if (second !== null && typeof second === 'object') {
    const options = second as { type?: string; code?: string };
    type = options.type ?? type;
    code = options.code ?? code;
  }
  if (typeof third === 'string') code = third;
  return { type, code, message };
}

function matches(warning: CapturedWarning, matcher: WarningMatcher): boolean {
  if (matcher.type !== undefined && warning.type !== matcher.type) return false;
  if (matcher.code !== undefined && warning.code !== matcher.code) return false;
  if (matcher.message === undefined) return true;
  return typeof matcher.message === 'string' ? warning.message.includes(matcher.message) : matcher.message.test(warning.message);
}

function describe(matcher: WarningMatcher): string {
  const parts = Object.entries(matcher).map(([key, value]) => `${key} ${value instanceof RegExp ? String(value) : JSON.stringify(value)}`);
  return parts.length ? `a warning with ${parts.join(', ')}` : 'a warning';
}

/**
 * Runs `fn` and asserts it emitted a warning matching `matcher`; resolves to the
 * matching warnings. Other warnings `fn` emits are collected, not printed.
 *
 * @throws AssertionError listing the warnings that were emitted instead.
 * @example
 * await assertWarns(() => cache.set('a key with spaces', 1), { type: 'CacheKeyWarning' });
 */
export async function assertWarns(fn: () => unknown, matcher: WarningMatcher = {}): Promise<CapturedWarning[]> {
  const seen: CapturedWarning[] = [];
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, second?: unknown, third?: unknown) => {
    seen.push(toWarning(warning, second, third));
  }) as typeof process.emitWarning;
  try {
    await fn();
  } finally {
    process.emitWarning = original;
  }
  const found = seen.filter((warning) => matches(warning, matcher));
  if (found.length === 0) {
    const emitted = seen.length ? seen.map((w) => `${w.type}${w.code ? ` [${w.code}]` : ''}: ${w.message}`).join('\n') : '(none)';
    fail(`${describe(matcher)} was not emitted. Warnings emitted:\n${emitted}`, { operator: 'assertWarns', stackStartFn: assertWarns });
  }
  return found;
}

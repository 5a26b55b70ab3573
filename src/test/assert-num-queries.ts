/**
 * Query-count assertions for tests, on top of `captureQueries()`.
 *
 * fn runs inside a capture → its statements on one database alias are counted → a count
 * that differs throws an `AssertionError` listing every statement, numbered, as Django's
 * `assertNumQueries` does.
 *
 * What counts: every statement sent to the database, transaction control included.
 * `atomic()` sends `BEGIN` and `COMMIT` (or `ROLLBACK`), a nested `atomic()` sends
 * `SAVEPOINT` and `RELEASE SAVEPOINT`, and each is one query, because Django 5.2 counts
 * them the same way on SQLite: `transaction.atomic(): Item.objects.create()` is 3 queries
 * there too. Inside a test that already runs in a transaction, a nested `atomic()` costs
 * two (SAVEPOINT, RELEASE) instead of BEGIN and COMMIT.
 */
import { AssertionError } from 'node:assert';
import { captureQueries, type QueryRecord } from '../db/query-log.ts';

/** Options of {@link assertNumQueries} and {@link assertMaxQueries}. */
export interface AssertQueriesOptions {
  /** The database alias whose statements are counted (default `'default'`). */
  readonly using?: string;
}

/** Django's listing: one numbered line per statement, with its parameters when it has any. */
function listing(queries: readonly QueryRecord[]): string {
  return queries
    .map((q, i) => `${i + 1}. ${q.sql}${q.params.length ? `  -- params: ${formatParams(q.params)}` : ''}`)
    .join('\n');
}

function formatParams(params: QueryRecord['params']): string {
  return `[${params.map((p) => (typeof p === 'bigint' ? `${p}n` : p instanceof Uint8Array ? `<${p.length} bytes>` : JSON.stringify(p))).join(', ')}]`;
}

async function counted<T>(fn: () => T | Promise<T>, using: string): Promise<{ result: Awaited<T>; queries: QueryRecord[] }> {
  const { result, queries } = await captureQueries(fn);
  return { result, queries: queries.filter((q) => q.alias === using) };
}

/**
 * Runs `fn` and asserts it sent exactly `expected` statements to the database `using`
 * names; returns what `fn` returned. An error thrown by `fn` passes through unchecked.
 *
 * @throws AssertionError (from `node:assert`) when the count differs, with every captured
 *   statement numbered in the message.
 * @example
 * await assertNumQueries(2, async () => {
 *   for (const book of await Book.objects.selectRelated('publisher').prefetchRelated('authors')) {
 *     book.publisher.name;
 *   }
 * });
 * // AssertionError: 3 != 2 : 3 queries executed, 2 expected
 * // Captured queries were:
 * // 1. SELECT …
 */
export async function assertNumQueries<T>(
  expected: number,
  fn: () => T | Promise<T>,
  options: AssertQueriesOptions = {},
): Promise<Awaited<T>> {
  checkCount('assertNumQueries', expected);
  const { result, queries } = await counted(fn, options.using ?? 'default');
  if (queries.length !== expected) {
    throw new AssertionError({
      message: `${queries.length} != ${expected} : ${queries.length} queries executed, ${expected} expected\nCaptured queries were:\n${listing(queries)}`,
      actual: queries.length,
      expected,
      operator: 'assertNumQueries',
      stackStartFn: assertNumQueries,
    });
  }
  return result;
}

/**
 * Runs `fn` and asserts it sent at most `max` statements to the database `using` names;
 * returns what `fn` returned. For code whose exact count may shrink (a cache warms up)
 * but must never grow with the number of rows.
 *
 * @throws AssertionError when more statements ran, listing them all.
 * @example
 * await assertMaxQueries(3, () => renderBookList());
 */
export async function assertMaxQueries<T>(
  max: number,
  fn: () => T | Promise<T>,
  options: AssertQueriesOptions = {},
): Promise<Awaited<T>> {
  checkCount('assertMaxQueries', max);
  const { result, queries } = await counted(fn, options.using ?? 'default');
  if (queries.length > max) {
    throw new AssertionError({
      message: `${queries.length} > ${max} : ${queries.length} queries executed, at most ${max} expected\nCaptured queries were:\n${listing(queries)}`,
      actual: queries.length,
      expected: max,
      operator: 'assertMaxQueries',
      stackStartFn: assertMaxQueries,
    });
  }
  return result;
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`${name}() takes a non-negative integer count first; got ${String(n)}.`);
}

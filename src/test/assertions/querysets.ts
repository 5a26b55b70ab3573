/**
 * assertQuerySetEqual(): the rows of a queryset (or any iterable) against a list of
 * expected values, in order or as a multiset.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { QuerySet } from '../../db/models/query-set.ts';
import { TestToolMisuseError } from '../errors.ts';
import { fail } from './fail.ts';

/** Options of {@link assertQuerySetEqual}. */
export interface QuerySetEqualOptions<T> {
  /** Maps each row before comparing (e.g. `(book) => book.title`); rows compare as they are by default. */
  readonly transform?: (item: T) => unknown;
  /**
   * Compare in order (default true). An unordered queryset compared in order with more
   * than one value is refused, since the database may return its rows in any order.
   */
  readonly ordered?: boolean;
  readonly msgPrefix?: string;
}

/** Model instances compare by `equals()` (same model, same pk), everything else by deep equality. */
function same(a: unknown, b: unknown): boolean {
  if (a !== null && typeof a === 'object' && typeof (a as { equals?: unknown }).equals === 'function') {
    return (a as { equals(other: unknown): boolean }).equals(b);
  }
  return isDeepStrictEqual(a, b);
}

/** Whether the database returns the rows of `qs` in a defined order (Django's `QuerySet.ordered`). */
function isOrdered(qs: QuerySet<unknown>): boolean {
  const query = qs.query;
  if (query.ordering !== null) return query.ordering.length > 0;
  return !query.noOrdering && query.meta.ordering.length > 0 && query.groupBy === null;
}

/** The items of `b` that no item of `a` matched, and the reverse, pairing equal items one to one. */
function unmatched(a: readonly unknown[], b: readonly unknown[]): { missing: unknown[]; extra: unknown[] } {
  const extra = [...b];
  const missing: unknown[] = [];
  for (const item of a) {
    const at = extra.findIndex((candidate) => same(item, candidate));
    if (at === -1) missing.push(item);
    else extra.splice(at, 1);
  }
  return { missing, extra };
}

const show = (value: unknown): string => inspect(value, { depth: 4, breakLength: Infinity });

/**
 * Asserts the rows of `qs` (a QuerySet, array or any async or sync iterable) equal `values`, after
 * `transform`. In order by default; `ordered: false` compares them as a multiset.
 * Evaluates the queryset (one query).
 *
 * @throws AssertionError showing both lists (and, unordered, what is missing and extra);
 *   TestToolMisuseError for an unordered queryset compared in order against several values.
 * @example
 * await assertQuerySetEqual(Book.objects.orderBy('title'), ['Dune', 'Emma'], { transform: (b) => b.title });
 * // SELECT … FROM "shop_book" ORDER BY "shop_book"."title" ASC
 */
export async function assertQuerySetEqual<T>(
  qs: Iterable<T> | AsyncIterable<T>,
  values: Iterable<unknown>,
  options: QuerySetEqualOptions<T> = {},
): Promise<void> {
  const expected = [...values];
  const ordered = options.ordered ?? true;
  if (ordered && expected.length > 1 && qs instanceof QuerySet && !isOrdered(qs as QuerySet<unknown>)) {
    throw new TestToolMisuseError(
      `assertQuerySetEqual() cannot compare the unordered queryset of ${qs.model.name} against ${expected.length} values in order: ` +
        "add .orderBy('…') to the queryset, or pass { ordered: false }.",
    );
  }
  const rows: T[] = [];
  for await (const row of qs as AsyncIterable<T>) rows.push(row);
  const actual: unknown[] = options.transform ? rows.map(options.transform) : rows;
  const details = { actual, expected, operator: 'assertQuerySetEqual', msgPrefix: options.msgPrefix, stackStartFn: assertQuerySetEqual };
  if (ordered) {
    if (actual.length !== expected.length || !actual.every((item, i) => same(item, expected[i]))) {
      fail(`Lists differ: ${show(actual)} != ${show(expected)}`, details);
    }
    return;
  }
  const { missing, extra } = unmatched(actual, expected);
  if (missing.length > 0 || extra.length > 0) {
    fail(`Items differ (in any order): ${show(actual)} != ${show(expected)}\nOnly in the queryset: ${show(missing)}\nOnly expected: ${show(extra)}`, details);
  }
}

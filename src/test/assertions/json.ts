/**
 * JSON assertions: a JSON string compared with a value (or another JSON string)
 * by content, so key order and formatting do not matter.
 */
import { isDeepStrictEqual } from 'node:util';
import { fail } from './fail.ts';

function parsed(raw: string, which: string, operator: string, msgPrefix?: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    return fail(`${which} argument is not valid JSON: ${JSON.stringify(raw)} (${(error as Error).message})`, { operator, msgPrefix });
  }
}

/** The expected side: a string is parsed as JSON (as Django does), anything else taken as the value. */
function expectedValue(expected: unknown, operator: string, msgPrefix?: string): unknown {
  return typeof expected === 'string' ? parsed(expected, 'Second', operator, msgPrefix) : expected;
}

/**
 * Asserts the JSON text `raw` holds the same data as `expected` (a value, or JSON
 * text). Objects compare by keys in any order; arrays in order.
 *
 * @throws AssertionError with both values for node:test's diff, or naming the argument
 *   that is not valid JSON.
 * @example
 * assertJSONEqual(response.text, { id: 1, title: 'Dune' });
 */
export function assertJSONEqual(raw: string, expected: unknown, msgPrefix?: string): void {
  const actual = parsed(raw, 'First', 'assertJSONEqual', msgPrefix);
  const wanted = expectedValue(expected, 'assertJSONEqual', msgPrefix);
  if (!isDeepStrictEqual(actual, wanted)) {
    fail(`${JSON.stringify(actual)} != ${JSON.stringify(wanted)}`, {
      actual, expected: wanted, operator: 'assertJSONEqual', msgPrefix, stackStartFn: assertJSONEqual,
    });
  }
}

/**
 * Asserts the JSON text `raw` holds different data from `expected` (a value, or JSON text).
 *
 * @throws AssertionError showing the data both hold.
 * @example
 * assertJSONNotEqual(response.text, { error: null });
 */
export function assertJSONNotEqual(raw: string, expected: unknown, msgPrefix?: string): void {
  const actual = parsed(raw, 'First', 'assertJSONNotEqual', msgPrefix);
  const wanted = expectedValue(expected, 'assertJSONNotEqual', msgPrefix);
  if (isDeepStrictEqual(actual, wanted)) {
    fail(`${JSON.stringify(actual)} == ${JSON.stringify(wanted)}`, { operator: 'assertJSONNotEqual', msgPrefix, stackStartFn: assertJSONNotEqual });
  }
}

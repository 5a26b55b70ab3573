/**
 * Task arguments and return values cross process boundaries as JSON, so they must come
 * back as they went in. `JSON.stringify` alone would silently turn a Date into a string,
 * a Map into `{}` and `undefined` into nothing; this check refuses those with the path of
 * the value and a fix, as Django refuses what `json.dumps` cannot write.
 */
import { TaskNotSerializableError } from './errors.ts';

/** A value that survives a JSON round trip unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Why `value` at `path` has no faithful JSON form, or undefined when it has one. */
export function jsonProblem(value: unknown, path: string, seen: Set<object> = new Set()): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `${path} is ${String(value)}, which JSON cannot hold`;
  }
  if (typeof value !== 'object') return `${path} is ${describeType(value)}${hintFor(value)}`;
  if (seen.has(value)) return `${path} refers back to an object that contains it (a cycle)`;
  if (Array.isArray(value)) {
    seen.add(value);
    for (let i = 0; i < value.length; i++) {
      const problem = jsonProblem(value[i], `${path}[${i}]`, seen);
      if (problem) return problem;
    }
    seen.delete(value);
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return `${path} is ${describeType(value)}${hintFor(value)}`;
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    const problem = jsonProblem(item, `${path}.${key}`, seen);
    if (problem) return problem;
  }
  seen.delete(value);
  return undefined;
}

/**
 * The arguments as JSON gives them back.
 *
 * @throws TaskNotSerializableError naming the argument, the value's type and the fix.
 */
export function normalizeArguments(taskName: string, args: readonly unknown[]): JsonValue[] {
  args.forEach((arg, index) => {
    const problem = jsonProblem(arg, `argument ${index + 1}`);
    if (problem) {
      throw new TaskNotSerializableError(
        `Task '${taskName}' cannot be enqueued: ${problem}. Task arguments travel as JSON; pass plain values (numbers, strings, arrays, plain objects).`,
      );
    }
  });
  return JSON.parse(JSON.stringify(args)) as JsonValue[];
}

/**
 * A task's return value as JSON gives it back (`undefined` becomes null).
 *
 * @throws TaskNotSerializableError naming the part that has no JSON form.
 */
export function normalizeReturnValue(taskName: string, value: unknown): JsonValue {
  if (value === undefined) return null;
  const problem = jsonProblem(value, 'the return value');
  if (problem) {
    throw new TaskNotSerializableError(`Task '${taskName}' returned a value JSON cannot hold: ${problem}. Return plain values.`);
  }
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

function describeType(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `a bigint (${value}n)`;
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : 'an object without a prototype chain JSON knows';
}

function hintFor(value: unknown): string {
  if (value instanceof Date) return '; pass date.toISOString() and parse it in the task';
  if (typeof value === 'bigint') return '; pass it as a string';
  if (value === undefined) return '; pass null instead';
  if (value instanceof Map || value instanceof Set) return '; pass an array or a plain object';
  if (typeof value === 'object' && value !== null && 'pk' in value) return '; pass its primary key and load it in the task';
  return '';
}

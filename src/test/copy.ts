/**
 * The per-test copy of what `setUpTestData()` returned (Django's TestData deep-copies class
 * attributes for each test): a test that changes `data.book.title` in memory must not leak
 * the change into the next test. Class instances keep their prototype, so a copied model
 * instance is still a model instance; shared references stay shared within one copy.
 */

/** A deep copy of `value`: objects, arrays, Maps, Sets, Dates and typed arrays copied, functions and primitives kept. */
export function deepCopy<T>(value: T): T {
  return copyValue(value, new Map()) as T;
}

function copyValue(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (value instanceof Date) return remember(seen, value, new Date(value.getTime()));
  if (ArrayBuffer.isView(value)) return remember(seen, value, (value as unknown as Uint8Array).slice());
  if (value instanceof Map) {
    const copy = remember(seen, value, new Map());
    for (const [key, item] of value) copy.set(copyValue(key, seen), copyValue(item, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = remember(seen, value, new Set());
    for (const item of value) copy.add(copyValue(item, seen));
    return copy;
  }
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return value;
  const copy = remember(seen, value, Array.isArray(value) ? [] : Object.create(Object.getPrototypeOf(value) as object | null));
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
    if ('value' in descriptor) descriptor.value = copyValue(descriptor.value, seen);
    Object.defineProperty(copy, key, descriptor);
  }
  if (Object.isFrozen(value)) Object.freeze(copy);
  return copy;
}

function remember<C>(seen: Map<object, unknown>, original: object, copy: C): C {
  seen.set(original, copy);
  return copy;
}

/**
 * Python's json.dumps layout (", " and ": " separators, NaN/Infinity words), so a
 * JSONField shows a value exactly as Django's does.
 */

export interface PyJsonOptions {
  /** Escape each non-ASCII character as a \u escape of four hex digits (Python's default). */
  ensureAscii?: boolean;
  sortKeys?: boolean;
  /** A JSON.stringify-style replacer, applied to every key/value first (Django's encoder). */
  replacer?: (this: unknown, key: string, value: unknown) => unknown;
}

function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  // Python pads exponents to two digits: 1e-07, 1e+21.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/**
 * `json.dumps(value, ensure_ascii=…, sort_keys=…)` as Python writes it.
 *
 * ```ts
 * pyJsonDumps({ a: [1, 2] }); // '{"a": [1, 2]}'
 * ```
 */
export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const str = (s: string) => {
    const out = JSON.stringify(s);
    return options.ensureAscii === false
      ? out
      : out.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  };
  const walk = (holder: Record<string, unknown>, key: string): string | undefined => {
    let v = holder[key];
    if (v && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(key);
    if (options.replacer) v = options.replacer.call(holder, key, v);
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
    if (v === null) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return pyFloat(v);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return str(v);
    if (v instanceof String) return str(String(v));
    if (Array.isArray(v)) {
      const items = v.map((_x, i) => walk(v as unknown as Record<string, unknown>, String(i)) ?? 'null');
      return `[${items.join(', ')}]`;
    }
    const obj = v as Record<string, unknown>;
    let keys = Object.keys(obj);
    if (options.sortKeys) keys = keys.sort();
    const items: string[] = [];
    for (const k of keys) {
      const item = walk(obj, k);
      if (item !== undefined) items.push(`${str(k)}: ${item}`);
    }
    return `{${items.join(', ')}}`;
  };
  return walk({ '': value }, '') ?? 'null';
}

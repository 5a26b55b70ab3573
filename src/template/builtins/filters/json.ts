/**
 * `json_script`: a value as JSON inside `<script type="application/json">`,
 * encoded as Python's `json.dumps` with Django's encoder (ASCII only, `", "`
 * and `": "` separators, dates in ISO form, Decimals as strings), with `<`,
 * `>` and `&` as `\u003C` escapes so the text cannot close the script element.
 */
import { SafeString, conditionalEscape, markSafe } from '../../../utils/safestring.ts';
import { DateOnly } from '../../../utils/dates.ts';
import { Decimal, decimalToString, dictEntries, floatRepr, isDict, isPyInt, isTruthy, pyStr } from '../../python.ts';

/** The value cannot be encoded as JSON (Python's TypeError from the encoder). */
export class JsonEncodeError extends TypeError {}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function isoDatetime(d: Date): string {
  // Django's encoder keeps milliseconds only and writes UTC as "Z".
  const iso = d.toISOString();
  return d.getUTCMilliseconds() ? iso : iso.replace('.000Z', 'Z');
}

function key(k: unknown): string {
  if (typeof k === 'string') return jsonString(k);
  if (k instanceof SafeString) return jsonString(k.value);
  if (typeof k === 'boolean') return k ? '"true"' : '"false"';
  if (k === null || k === undefined) return '"null"';
  if (typeof k === 'number') return jsonString(isPyInt(k) ? String(k) : floatRepr(k));
  throw new JsonEncodeError(`keys must be str, int, float, bool or None, not ${typeof k}`);
}

/** Python `json.dumps(value, cls=DjangoJSONEncoder)`. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return isPyInt(value) ? String(value === 0 ? 0 : value) : floatRepr(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return jsonString(value);
  if (value instanceof SafeString) return jsonString(value.value);
  if (value instanceof Decimal) return jsonString(decimalToString(value));
  if (value instanceof DateOnly) return jsonString(value.isoformat());
  if (value instanceof Date) return jsonString(isoDatetime(value));
  if (Array.isArray(value) || value instanceof Set) return `[${[...value].map(pyJsonDumps).join(', ')}]`;
  if (isDict(value)) return `{${dictEntries(value).map(([k, v]) => `${key(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
  throw new JsonEncodeError(`Object of type ${value?.constructor?.name ?? typeof value} is not JSON serializable`);
}

/** Django's `json_script(value, element_id)`; the id is HTML-escaped, omitted when empty. */
export function jsonScript(value: unknown, elementId: unknown): SafeString {
  const json = pyJsonDumps(value).replace(/</g, '\\u003C').replace(/>/g, '\\u003E').replace(/&/g, '\\u0026');
  if (isTruthy(elementId)) {
    const id = conditionalEscape(elementId instanceof SafeString ? elementId : pyStr(elementId)).value;
    return markSafe(`<script id="${id}" type="application/json">${json}</script>`);
  }
  return markSafe(`<script type="application/json">${json}</script>`);
}

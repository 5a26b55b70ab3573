/**
 * `{% querystring %}` (Django 5.1+): the current request's query string with
 * parameters added, changed (`page=3`) or removed (`page=None`).
 *
 * The base is `request.GET` of a RequestContext, or a query dict passed as the
 * first argument. A query dict here is anything with Django's `lists()`
 * (a QueryDict), a URLSearchParams, a Map or a plain object.
 */
import type { Context } from '../context.ts';
import { RequestContext } from '../context.ts';
import { isDict, pyStr } from '../python.ts';
import { SafeString } from '../../utils/safestring.ts';

type Params = Map<string, string[]>;

function paramsOf(query: unknown): Params {
  const params: Params = new Map();
  const add = (key: unknown, value: unknown): void => {
    const k = pyStr(key);
    const values = Array.isArray(value) ? value.map((v) => pyStr(v)) : [pyStr(value)];
    params.set(k, [...(params.get(k) ?? []), ...values]);
  };
  if (query === null || query === undefined) return params;
  if (query instanceof URLSearchParams) {
    for (const [k, v] of query) add(k, v);
  } else if (typeof (query as { lists?: unknown }).lists === 'function') {
    for (const [k, v] of (query as { lists(): Iterable<[unknown, unknown]> }).lists()) add(k, v);
  } else if (query instanceof Map || isDict(query)) {
    const entries = query instanceof Map ? [...query.entries()] : Object.entries(query as Record<string, unknown>);
    for (const [k, v] of entries) add(k, v);
  }
  return params;
}

// Python's quote_plus: letters, digits and _.-~ stay; space is '+'.
function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

/** The query string (`?a=1&b=2`), or '' when there was none and nothing was added. */
export function querystring(context: Context, ...args: unknown[]): string {
  let kwargs: Record<string, unknown> = {};
  let base: unknown;
  let explicit = false;
  if (args.length && isDict(args[args.length - 1]) && !(args[args.length - 1] instanceof Map)) {
    kwargs = args.pop() as Record<string, unknown>;
  }
  if (args.length) {
    base = args[0];
    explicit = true;
  }
  if (!explicit) {
    const request = context instanceof RequestContext ? context.request : context.get('request');
    base = (request as { GET?: unknown } | null | undefined)?.GET;
  }
  const original = paramsOf(base);
  const params: Params = new Map([...original].map(([k, v]) => [k, [...v]]));
  for (const [key, value] of Object.entries(kwargs)) {
    if (value === null || value === undefined) params.delete(key);
    else if (typeof value === 'object' && !(value instanceof SafeString) && Symbol.iterator in value) {
      params.set(key, Array.from(value as Iterable<unknown>, (v) => pyStr(v)));
    } else params.set(key, [pyStr(value)]);
  }
  if (!params.size && !original.size) return '';
  const parts: string[] = [];
  for (const [key, values] of params) for (const v of values) parts.push(`${quotePlus(key)}=${quotePlus(v)}`);
  return `?${parts.join('&')}`;
}

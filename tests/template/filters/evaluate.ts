/**
 * A small evaluator for `{{ value|filter:arg|... }}` templates that applies the
 * filter flags as Django's engine does (stringfilter, is_safe, needs_autoescape,
 * then localize and escape), so filter tests can compare whole outputs with
 * Django's without waiting for the engine. Context values use the corpus markers.
 */
import assert from 'node:assert/strict';
import { builtinFilters } from '../../../src/template/builtins/filters.ts';
import { pyDecimal, pyStr } from '../../../src/template/python.ts';
import { localizeValue } from '../../../src/template/dateformat.ts';
import { DateOnly } from '../../../src/utils/dates.ts';
import { SafeString, conditionalEscape, markSafe } from '../../../src/utils/safestring.ts';

export type Case = { id: string; feature: string; templates: { main: string }; context: Record<string, unknown>; expected?: string };

export function toValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toValue);
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0]!.startsWith('$')) {
      const x = (v as Record<string, string>)[keys[0]!]!;
      if (keys[0] === '$safe') return markSafe(x);
      if (keys[0] === '$date') return DateOnly.fromISO(x);
      if (keys[0] === '$datetime') return new Date(x);
      if (keys[0] === '$decimal') return pyDecimal(x);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toValue(x)]));
  }
  return v;
}

const TOKEN = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^|:\s]+|[|:]/g;

function resolve(expr: string, ctx: Record<string, unknown>): unknown {
  if (/^["']/.test(expr)) return expr.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^-?\d+$/.test(expr)) return Number(expr);
  if (/^-?\d*\.\d+$/.test(expr)) return Number(expr);
  if (expr === 'None') return null;
  if (expr === 'True') return true;
  if (expr === 'False') return false;
  let v: unknown = ctx;
  for (const part of expr.split('.')) {
    if (v !== null && typeof v === 'object' && part in (v as object)) v = (v as Record<string, unknown>)[part];
    else return '';
  }
  return v;
}

function render(expr: string, ctx: Record<string, unknown>, autoescape: boolean): string {
  const tokens = expr.trim().match(TOKEN)!;
  let value = resolve(tokens[0]!, ctx);
  let i = 1;
  while (i < tokens.length) {
    assert.equal(tokens[i], '|');
    const name = tokens[i + 1]!;
    let arg: unknown;
    i += 2;
    if (tokens[i] === ':') {
      arg = resolve(tokens[i + 1]!, ctx);
      i += 2;
    }
    const spec = builtinFilters[name];
    if (!spec) throw new Error(`unknown filter ${name}`);
    const wasSafe = value instanceof SafeString;
    if (spec.stringFilter && !(value instanceof SafeString)) value = pyStr(value);
    let out = spec.fn(value, arg, { autoescape, timeZone: 'UTC' });
    if (spec.isSafe && wasSafe && typeof out === 'string') out = markSafe(out);
    value = out;
  }
  const shown = localizeValue(value);
  if (shown instanceof SafeString) return shown.value;
  return autoescape ? conditionalEscape(pyStr(shown)).value : pyStr(shown);
}

export function renderTemplate(src: string, ctx: Record<string, unknown>): string {
  let autoescape = true;
  return src.replace(/\{%\s*autoescape (on|off)\s*%\}|\{%\s*endautoescape\s*%\}|\{\{(.*?)\}\}/g, (m, mode, expr) => {
    if (mode) {
      autoescape = mode === 'on';
      return '';
    }
    if (expr === undefined) {
      autoescape = true;
      return '';
    }
    return render(expr, ctx, autoescape);
  });
}


/**
 * Variables and filter expressions: `user.name|default:"x"|upper`.
 *
 * Parsing follows Django's grammar (a constant or a dotted variable, then
 * `|filter` or `|filter:arg` where arg is a constant or a variable). Literals
 * are decided here, at compile time; only lookups remain for render time.
 */
import { markSafe } from '../utils/safestring.ts';
import { TemplateSyntaxError } from './errors.ts';
import type { FilterSpec } from './types.ts';
import type { Context } from './context.ts';
import { evaluate, driveValue } from './runtime.ts';

/** A literal value or a dotted lookup, as written in the template. */
export class Variable {
  /** The text as written (`user.name`, `"hi"`, `3.5`). */
  readonly text: string;
  /** Set for literals: number, or SafeString for quoted strings. */
  readonly literal: unknown;
  /** Set for lookups: `['user', 'name']`. */
  readonly lookups: readonly string[] | null;

  constructor(text: string) {
    this.text = text;
    let literal: unknown = undefined;
    let lookups: string[] | null = null;
    const number = parseNumber(text);
    if (number !== undefined) {
      literal = number;
    } else {
      let body = text;
      if (body.startsWith('_(') && body.endsWith(')')) body = body.slice(2, -1);
      const unquoted = unquote(body);
      if (unquoted !== undefined) {
        literal = markSafe(unquoted);
      } else {
        if (body.includes('._') || body.startsWith('_')) {
          throw new TemplateSyntaxError(
            `Variables and attributes may not begin with underscores: '${body}'. Rename the attribute or expose it under another name.`,
          );
        }
        lookups = body.split('.');
      }
    }
    this.literal = literal;
    this.lookups = lookups;
  }

  get isLiteral(): boolean {
    return this.lookups === null;
  }
}

// Python's int()/float() on the text, as Django tries them before treating it as a name.
function parseNumber(text: string): number | undefined {
  const cleaned = text.trim();
  if (cleaned.includes('.') || cleaned.toLowerCase().includes('e')) {
    if (text.endsWith('.')) return undefined;
    if (!/^[+-]?(?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][+-]?\d(?:_?\d)*)?$/.test(cleaned)) return undefined;
    if (!/\d/.test(cleaned.split(/[eE]/)[0]!)) return undefined;
    const value = Number(cleaned.replaceAll('_', ''));
    return Number.isNaN(value) ? undefined : value;
  }
  if (!/^[+-]?\d(?:_?\d)*$/.test(cleaned)) return undefined;
  return Number(cleaned.replaceAll('_', ''));
}

/** A quoted string literal's content, or undefined when `text` is not one. */
export function unquote(text: string): string | undefined {
  const quote = text[0];
  if ((quote !== '"' && quote !== "'") || text.length < 2 || text[text.length - 1] !== quote) return undefined;
  return text.slice(1, -1).replaceAll(`\\${quote}`, quote).replaceAll('\\\\', '\\');
}

/** One `|name:arg` of a filter expression. */
export interface FilterUse {
  readonly name: string;
  readonly spec: FilterSpec;
  /** Absent when the template gave no argument. */
  readonly arg?: Variable;
}

const STRDQ = String.raw`"[^"\\]*(?:\\.[^"\\]*)*"`;
const STRSQ = String.raw`'[^'\\]*(?:\\.[^'\\]*)*'`;
const CONSTANT = String.raw`(?:_\(${STRDQ}\)|_\(${STRSQ}\)|${STRDQ}|${STRSQ})`;
const NUM = String.raw`[-+.]?\d[\d.e]*`;
const VAR_CHARS = String.raw`[\p{L}\p{N}_.]`;
const FILTER_RE = new RegExp(
  String.raw`^(${CONSTANT})|^(${VAR_CHARS}+|${NUM})|(?:\s*\|\s*([\p{L}\p{N}_]+)(?::(?:(${CONSTANT})|(${VAR_CHARS}+|${NUM})))?)`,
  'gu',
);

/** Looks a filter up by name; throws TemplateSyntaxError when unknown. */
export type FilterFinder = (name: string) => FilterSpec;

/**
 * A value followed by filters: `{{ x|f:y }}`, `{% if x|length > 2 %}`.
 * Filter arity is checked here, so a wrong call fails at compile time.
 */
export class FilterExpression {
  readonly token: string;
  readonly variable: Variable | null;
  readonly filters: readonly FilterUse[];

  constructor(token: string, findFilter: FilterFinder) {
    this.token = token;
    let variable: Variable | null = null;
    let started = false;
    const filters: FilterUse[] = [];
    let upto = 0;
    FILTER_RE.lastIndex = 0;
    for (let m = FILTER_RE.exec(token); m; m = FILTER_RE.exec(token)) {
      const start = m.index;
      if (upto !== start) {
        throw new TemplateSyntaxError(
          `Could not parse some characters: ${token.slice(0, upto)}|${token.slice(upto, start)}|${token.slice(start)}`,
        );
      }
      if (!started) {
        if (m[1] !== undefined) variable = new Variable(m[1]);
        else if (m[2] !== undefined) variable = new Variable(m[2]);
        else throw new TemplateSyntaxError(`Could not find variable at start of ${token}.`);
        started = true;
      } else {
        const name = m[3]!;
        const argText = m[4] ?? m[5];
        const spec = findFilter(name);
        const arg = argText !== undefined ? new Variable(argText) : undefined;
        checkArity(name, spec, arg !== undefined);
        filters.push(arg ? { name, spec, arg } : { name, spec });
      }
      upto = FILTER_RE.lastIndex;
      if (m[0] === '') FILTER_RE.lastIndex++;
    }
    if (upto !== token.length) {
      throw new TemplateSyntaxError(`Could not parse the remainder: '${token.slice(upto)}' from '${token}'`);
    }
    this.variable = variable;
    this.filters = filters;
  }

  /** The value in `context` (or a promise of it); see {@link resolveExpression}. */
  resolve(context: Context, ignoreFailures = false): unknown {
    return resolveExpression(this, context, ignoreFailures);
  }

  /** True when there is nothing to look up at render time (`"abc"`, `5`). */
  get isLiteral(): boolean {
    return this.variable?.isLiteral === true && this.filters.length === 0;
  }
}

function checkArity(name: string, spec: FilterSpec, hasArg: boolean): void {
  if (spec.arg === 'required' && !hasArg) {
    throw new TemplateSyntaxError(`${name} requires 2 arguments, 1 provided. Write {{ value|${name}:arg }}.`);
  }
  if (spec.arg === 'none' && hasArg) {
    throw new TemplateSyntaxError(`${name} requires 1 arguments, 2 provided. The ${name} filter takes no argument.`);
  }
}

/**
 * The value a literal filter argument has at render time: numbers stay
 * numbers (`|add:2`), quoted strings are safe strings, as Django passes them.
 */
export function literalArgument(variable: { readonly literal: unknown }): unknown {
  return variable.literal;
}

/**
 * Resolves a filter expression against a context, for custom tags: the value,
 * or a promise of it when a lookup met a thenable. `ignoreFailures` gives
 * `null` for a missing variable (as `{% if %}` sees it) instead of `stringIfInvalid`.
 */
export function resolveExpression(fe: FilterExpression, context: Context, ignoreFailures = false): unknown {
  return driveValue(evaluate(fe, context, ignoreFailures, literalArgument));
}

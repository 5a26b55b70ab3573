/**
 * Tag and filter libraries (Django's `template.Library`).
 *
 * A library is what `{% load name %}` brings in. An app ships one as
 * `templatetags/<name>.ts` exporting `register` (or a default export):
 *
 * @example
 * export const register = new Library();
 * register.filter('shout', (v) => String(v).toUpperCase() + '!', { stringFilter: true });
 * register.simpleTag('greet', (name) => `Hello ${name}`);
 * register.inclusionTag('cart/summary.html', (cart) => ({ items: cart.items }), { name: 'cart_summary' });
 */
import type { FilterFunction, FilterOptions, FilterSpec } from './types.ts';
import type { Parser } from './parser.ts';
import type { Token } from './lexer.ts';
import type { Context } from './context.ts';
import type { FilterExpression } from './expression.ts';
import { Node } from './nodes.ts';
import { TemplateSyntaxError } from './errors.ts';
import { conditionalEscape, isSafe } from '../utils/safestring.ts';
import { isThenable, str } from './runtime.ts';

/** A tag's parse function: reads the token (and more tokens for a block tag) and returns a node. */
export type TagParser = (parser: Parser, token: Token) => Node;

/** Options of {@link Library.filter}. */
export interface LibraryFilterOptions extends FilterOptions {
  /**
   * Whether the filter takes an argument. Default: `'required'` when the
   * function declares two or more parameters, else `'none'`. Say `'optional'`
   * for a filter with a default argument.
   */
  readonly arg?: FilterSpec['arg'];
}

/** Options of simple and inclusion tags. */
export interface TagOptions {
  /** Pass the Context as the first argument. */
  readonly takesContext?: boolean;
  /** Tag name (default: the function's name). */
  readonly name?: string;
}

/** A set of tags and filters, loaded with `{% load %}` or installed as engine builtins. */
export class Library {
  readonly filters: Record<string, FilterSpec> = Object.create(null);
  readonly tags: Record<string, TagParser> = Object.create(null);

  /** Registers a filter. See {@link LibraryFilterOptions} for the arity rule. */
  filter(name: string, fn: FilterFunction, options: LibraryFilterOptions = {}): this {
    const arg = options.arg ?? (fn.length >= 2 ? 'required' : 'none');
    this.filters[name] = { ...options, fn, arg };
    return this;
  }

  /** Registers ready-made filter specs (the built-in filters use this). */
  addFilters(specs: Record<string, FilterSpec>): this {
    Object.assign(this.filters, specs);
    return this;
  }

  /** Registers a tag by its parse function: the full custom-tag API. */
  tag(name: string, parse: TagParser): this {
    this.tags[name] = parse;
    return this;
  }

  /**
   * Registers a tag that calls `fn` with the resolved arguments and prints the
   * result (escaped when autoescaping is on, unless it is a SafeString).
   * `{% name a b k=v as var %}`: positional arguments in order, then `k=v`
   * arguments gathered into one object passed last; `as var` stores the result
   * instead of printing it. `fn` may be async.
   */
  simpleTag<A extends unknown[]>(name: string, fn: (...args: A) => unknown, options: TagOptions = {}): this {
    const tagName = options.name ?? name;
    this.tags[tagName] = (parser, token) => {
      const bits = token.splitContents().slice(1);
      let target: string | null = null;
      if (bits.length >= 2 && bits[bits.length - 2] === 'as') {
        target = bits.pop()!;
        bits.pop();
      }
      const { args, kwargs } = parseBits(parser, bits, tagName);
      return new SimpleTagNode(fn as (...a: unknown[]) => unknown, Boolean(options.takesContext), args, kwargs, target);
    };
    return this;
  }

  /**
   * Registers a tag that renders `templateName` with the object `fn` returns.
   * Arguments as for {@link simpleTag}.
   */
  inclusionTag<A extends unknown[]>(templateName: string, fn: (...args: A) => unknown, options: TagOptions = {}): this {
    const tagName = options.name ?? fn.name;
    if (!tagName) throw new TypeError('inclusionTag() needs options.name when the function is anonymous.');
    this.tags[tagName] = (parser, token) => {
      const { args, kwargs } = parseBits(parser, token.splitContents().slice(1), tagName);
      return new InclusionTagNode(fn as (...a: unknown[]) => unknown, Boolean(options.takesContext), args, kwargs, templateName);
    };
    return this;
  }
}

const KWARG = /^([\p{L}\p{N}_]+)=(.+)$/u;

function parseBits(parser: Parser, bits: string[], name: string): { args: FilterExpression[]; kwargs: Map<string, FilterExpression> } {
  const args: FilterExpression[] = [];
  const kwargs = new Map<string, FilterExpression>();
  for (const bit of bits) {
    const m = KWARG.exec(bit);
    if (m) {
      if (kwargs.has(m[1]!)) throw new TemplateSyntaxError(`'${name}' received multiple values for keyword argument '${m[1]}'.`);
      kwargs.set(m[1]!, parser.compileFilter(m[2]!));
    } else {
      if (kwargs.size) {
        throw new TemplateSyntaxError(`'${name}' received some positional argument(s) after some keyword argument(s). Put k=v arguments last.`);
      }
      args.push(parser.compileFilter(bit));
    }
  }
  return { args, kwargs };
}

async function resolveAll(
  args: readonly FilterExpression[],
  kwargs: ReadonlyMap<string, FilterExpression>,
  context: Context,
): Promise<unknown[]> {
  const values: unknown[] = [];
  for (const arg of args) values.push(await arg.resolve(context));
  if (kwargs.size) {
    const object: Record<string, unknown> = {};
    for (const [key, fe] of kwargs) object[key] = await fe.resolve(context);
    values.push(object);
  }
  return values;
}

function resolveAllSync(
  args: readonly FilterExpression[],
  kwargs: ReadonlyMap<string, FilterExpression>,
  context: Context,
): unknown[] | Promise<unknown[]> {
  const values: unknown[] = [];
  for (const arg of args) {
    const v = arg.resolve(context);
    if (isThenable(v)) return resolveAll(args, kwargs, context);
    values.push(v);
  }
  if (kwargs.size) {
    const object: Record<string, unknown> = {};
    for (const [key, fe] of kwargs) {
      const v = fe.resolve(context);
      if (isThenable(v)) return resolveAll(args, kwargs, context);
      object[key] = v;
    }
    values.push(object);
  }
  return values;
}

function then<T, R>(value: T | PromiseLike<T>, fn: (v: T) => R | PromiseLike<R>): R | PromiseLike<R> {
  return isThenable(value) ? (value as PromiseLike<T>).then(fn) : fn(value as T);
}

/** The node of a {@link Library.simpleTag}. */
export class SimpleTagNode extends Node {
  readonly fn: (...args: unknown[]) => unknown;
  readonly takesContext: boolean;
  readonly args: readonly FilterExpression[];
  readonly kwargs: ReadonlyMap<string, FilterExpression>;
  readonly target: string | null;

  constructor(
    fn: (...args: unknown[]) => unknown,
    takesContext: boolean,
    args: readonly FilterExpression[],
    kwargs: ReadonlyMap<string, FilterExpression>,
    target: string | null,
  ) {
    super();
    this.fn = fn;
    this.takesContext = takesContext;
    this.args = args;
    this.kwargs = kwargs;
    this.target = target;
  }

  override render(context: Context): unknown {
    return then(resolveAllSync(this.args, this.kwargs, context), (values) =>
      then(this.takesContext ? this.fn(context, ...values) : this.fn(...values), (output) => {
        if (this.target !== null) {
          context.set(this.target, output);
          return '';
        }
        if (context.autoescape) return conditionalEscape(isSafe(output) ? output : str(output));
        return str(output);
      }),
    );
  }
}

/** The node of a {@link Library.inclusionTag}. */
export class InclusionTagNode extends Node {
  readonly fn: (...args: unknown[]) => unknown;
  readonly takesContext: boolean;
  readonly args: readonly FilterExpression[];
  readonly kwargs: ReadonlyMap<string, FilterExpression>;
  readonly includedTemplate: string;

  constructor(
    fn: (...args: unknown[]) => unknown,
    takesContext: boolean,
    args: readonly FilterExpression[],
    kwargs: ReadonlyMap<string, FilterExpression>,
    templateName: string,
  ) {
    super();
    this.fn = fn;
    this.takesContext = takesContext;
    this.args = args;
    this.kwargs = kwargs;
    this.includedTemplate = templateName;
  }

  override render(context: Context): unknown {
    const engine = context.template?.engine;
    if (!engine) throw new TypeError('An inclusion tag needs a context bound to a template (render through Template.render).');
    return then(resolveAllSync(this.args, this.kwargs, context), (values) =>
      then(this.takesContext ? this.fn(context, ...values) : this.fn(...values), (data) =>
        then(engine.findTemplate(this.includedTemplate), (found) =>
          found.template.renderInContext(context.new((data ?? {}) as Record<string, unknown>)),
        ),
      ),
    );
  }
}

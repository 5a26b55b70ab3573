/**
 * Template inheritance and inclusion: `{% block %}`, `{% extends %}`,
 * `{% include %}`, plus Django's relative names (`./x.html`, `../x.html`).
 *
 * Blocks work as in Django: `{% extends %}` stacks the block definitions of
 * each level in a BlockContext (child first); rendering a block pops the
 * most-derived definition and `{{ block.super }}` renders the next one.
 */
import { posix } from 'node:path';
import { Node, TextNode, type NodeList } from '../nodes.ts';
import type { CodeGen, RenderFunction } from '../compiler.ts';
import type { Parser } from '../parser.ts';
import type { Token } from '../lexer.ts';
import type { FilterExpression } from '../expression.ts';
import type { Context } from '../context.ts';
import { Template, type FoundTemplate, type Origin } from '../template.ts';
import { TemplateSyntaxError, TemplateDoesNotExist, TemplateRenderError } from '../errors.ts';

/** Deeper include chains are taken as a template including itself. */
const MAX_INCLUDE_DEPTH = 200;
import { drive, isThenable } from '../runtime.ts';
import { isTruthy, pyRepr } from '../python.ts';
import { SafeString } from '../../utils/safestring.ts';
import { tokenKwargs } from './kwargs.ts';
import { PartialDefNode } from './partials.ts';
import { templateRendered } from '../signals.ts';

const BLOCK_CONTEXT = Symbol('block-context');
const EXTENDS_HISTORY = Symbol('extends-history');
const BLOCK_NAMES = Symbol('block-names');

/** The stacks of block definitions of one inheritance chain. */
class BlockContext {
  readonly blocks = new Map<string, BlockNode[]>();

  add(blocks: ReadonlyMap<string, BlockNode>): void {
    for (const [name, block] of blocks) {
      const list = this.blocks.get(name);
      if (list) list.unshift(block);
      else this.blocks.set(name, [block]);
    }
  }

  pop(name: string): BlockNode | undefined {
    return this.blocks.get(name)?.pop();
  }

  push(name: string, block: BlockNode): void {
    const list = this.blocks.get(name);
    if (list) list.push(block);
    else this.blocks.set(name, [block]);
  }

  get(name: string): BlockNode | undefined {
    const list = this.blocks.get(name);
    return list?.[list.length - 1];
  }
}

/** What `{{ block }}` is inside a block: `block.super` renders the parent's version. */
class BlockReference {
  readonly #node: BlockNode;
  readonly #context: Context;
  readonly name: string;

  constructor(node: BlockNode, context: Context) {
    this.#node = node;
    this.#context = context;
    this.name = node.name;
  }

  super(): SafeString | Promise<SafeString> | string {
    const blocks = this.#context.renderContext.get(BLOCK_CONTEXT) as BlockContext | undefined;
    if (!blocks?.get(this.name)) return '';
    const out = drive(renderBlock(this.#context, this.#node));
    return typeof out === 'string' ? new SafeString(out) : out.then((s) => new SafeString(s));
  }

  toString(): string {
    return `<Block Node: ${this.name}>`;
  }
}

function* renderBlock(c: Context, node: BlockNode): Generator<unknown, string, unknown> {
  const blocks = c.renderContext.get(BLOCK_CONTEXT) as BlockContext | undefined;
  c.push();
  try {
    if (!blocks) {
      c.set('block', new BlockReference(node, c));
      return yield* node.fn!(c);
    }
    const pushed = blocks.pop(node.name);
    const block = pushed ?? node;
    c.set('block', new BlockReference(block, c));
    const out = yield* block.fn!(c);
    if (pushed) blocks.push(node.name, pushed);
    return out;
  } finally {
    c.pop();
  }
}

/** `{% block name %}…{% endblock %}`. */
export class BlockNode extends Node {
  readonly name: string;
  readonly nodelist: NodeList;
  fn: RenderFunction | undefined;

  constructor(name: string, nodelist: NodeList) {
    super();
    this.name = name;
    this.nodelist = nodelist;
  }

  override children(): NodeList[] {
    return [this.nodelist];
  }

  override compile(g: CodeGen): void {
    g.define(this, this.nodelist);
    g.write(`(yield* H.renderBlock(c, ${g.const(this)}))`);
  }
}

function blocksOf(nodelist: NodeList): Map<string, BlockNode> {
  return new Map(nodelist.getNodesByType(BlockNode).map((b) => [b.name, b]));
}

/** `{% extends "base.html" %}`: must be the first tag; the rest of the template only defines blocks. */
export class ExtendsNode extends Node {
  readonly nodelist: NodeList;
  readonly parentName: FilterExpression;
  readonly blocks: Map<string, BlockNode>;
  origin: Origin | null = null;

  constructor(nodelist: NodeList, parentName: FilterExpression) {
    super();
    this.nodelist = nodelist;
    this.parentName = parentName;
    this.blocks = blocksOf(nodelist);
  }

  override get mustBeFirst(): boolean {
    return true;
  }

  override children(): NodeList[] {
    return [this.nodelist];
  }

  override compile(g: CodeGen): void {
    for (const block of this.blocks.values()) {
      g.define(block, block.nodelist);
    }
    // Partials outside blocks are never rendered here but can be loaded as "name#partial".
    for (const partial of this.nodelist.getNodesByType(PartialDefNode)) g.define(partial, partial.nodelist);
    g.write(`(yield* H.renderExtends(c, ${g.const(this)}, ${g.value(this.parentName)}))`);
  }

  *render$(c: Context, parent: unknown): Generator<unknown, string, unknown> {
    if (!isTruthy(parent)) {
      let message = `Invalid template name in 'extends' tag: ${pyRepr(parent)}.`;
      if (this.parentName.filters.length || !this.parentName.variable?.isLiteral) {
        message += ` Got this from the '${this.parentName.token}' variable.`;
      }
      throw new TemplateSyntaxError(message);
    }
    let template: Template;
    if (parent instanceof Template) template = parent;
    else {
      const engine = c.template!.engine;
      let history = c.renderContext.get(EXTENDS_HISTORY) as Origin[] | undefined;
      if (!history) {
        history = this.origin ? [this.origin] : [];
        c.renderContext.set(EXTENDS_HISTORY, history);
      }
      let found = engine.findTemplate(String(parent), history) as FoundTemplate | Promise<FoundTemplate>;
      if (isThenable(found)) found = (yield found) as FoundTemplate;
      history.push((found as FoundTemplate).origin);
      template = (found as FoundTemplate).template;
    }
    let blocks = c.renderContext.get(BLOCK_CONTEXT) as BlockContext | undefined;
    if (!blocks) {
      blocks = new BlockContext();
      c.renderContext.set(BLOCK_CONTEXT, blocks);
    }
    blocks.add(this.blocks);
    const first = template.nodelist.nodes.find((n) => !(n instanceof TextNode));
    if (!(first instanceof ExtendsNode)) blocks.add(blocksOf(template.nodelist));
    c.renderContext.push(false);
    const bound = c.template;
    if (templateRendered.hasListeners()) void templateRendered.send(template, { template, context: c });
    try {
      return yield* template.fn(c);
    } finally {
      c.renderContext.pop();
      c.template = bound;
    }
  }
}

/** Resolves `./x` and `../x` against the name of the template holding the tag. */
export function relativeName(current: string, name: string, allowRecursion = false): string {
  const first = name.charCodeAt(0) === 34 || name.charCodeAt(0) === 39 ? name[1] : name[0];
  if (first !== '.') return name;
  const bare = name.replace(/^['"]+|['"]+$/g, '');
  if (!bare.startsWith('./') && !bare.startsWith('../')) return name;
  const base = current.replace(/^\/+/, '');
  const resolved = posix.normalize(posix.join(posix.dirname(base), bare));
  if (resolved.startsWith('../')) {
    throw new TemplateSyntaxError(`The relative path '${name}' points outside the file hierarchy that template '${current}' is in.`);
  }
  if (!allowRecursion && resolved === base) {
    throw new TemplateSyntaxError(
      `The relative path '${name}' was translated to template name '${resolved}', the same template in which the tag appears.`,
    );
  }
  const quoted = (name.startsWith('"') || name.startsWith("'")) && name[0] === name[name.length - 1];
  return quoted ? `${name[0]}${resolved}${name[0]}` : resolved;
}

/** `{% include name [with k=v …] [only] %}`. */
export class IncludeNode extends Node {
  readonly target: FilterExpression;
  readonly extra: ReadonlyMap<string, FilterExpression>;
  readonly isolated: boolean;

  constructor(target: FilterExpression, extra: ReadonlyMap<string, FilterExpression>, isolated: boolean) {
    super();
    this.target = target;
    this.extra = extra;
    this.isolated = isolated;
  }

  override compile(g: CodeGen): void {
    const values = g.temp();
    g.emit(`${values} = Object.create(null);`);
    for (const [key, fe] of this.extra) g.emit(`${values}[${g.str(key)}] = ${g.value(fe)};`);
    g.write(`(yield* H.renderInclude(c, ${g.const(this)}, ${g.value(this.target)}, ${values}))`);
  }

  // The last template this node found synchronously (from the cached loader), for the common
  // case of one include rendered in a loop.
  #last: { engine: unknown; generation: number | undefined; name: unknown; template: Template } | null = null;

  *render$(c: Context, target: unknown, values: Record<string, unknown>): Generator<unknown, string, unknown> {
    let template: Template;
    const last = this.#last;
    const engine = c.template!.engine;
    // String literals in a template are SafeStrings: compare by text so the cache serves them too.
    const key = target instanceof SafeString ? target.value : target;
    if (target instanceof Template) template = target;
    else if (last && last.name === key && last.engine === engine && last.generation === engine.generation) {
      template = last.template;
    } else {
      const engine = c.template!.engine;
      const names: string[] =
        typeof target === 'string' || target instanceof SafeString
          ? [relativeName(this.templateName, String(target), true)]
          : Array.isArray(target)
            ? target.map(String)
            : [];
      if (!names.length || (names.length === 1 && !names[0])) {
        throw new TemplateDoesNotExist(target ? String(target) : '', []);
      }
      let found: FoundTemplate | undefined;
      let lastError: unknown;
      for (const name of names) {
        try {
          let f = engine.findTemplate(name);
          if (isThenable(f)) f = (yield f) as FoundTemplate;
          else if (typeof key === 'string' && engine.generation !== undefined) {
            this.#last = { engine, generation: engine.generation, name: key, template: (f as FoundTemplate).template };
          }
          found = f as FoundTemplate;
          break;
        } catch (error) {
          if (!(error instanceof TemplateDoesNotExist)) throw error;
          lastError = error;
        }
      }
      if (!found) {
        if (names.length === 1) throw lastError;
        throw new TemplateDoesNotExist(names.join(', '), []);
      }
      template = found.template;
    }
    if (c.includeDepth >= MAX_INCLUDE_DEPTH) {
      throw new TemplateRenderError(
        `{% include %} nested more than ${MAX_INCLUDE_DEPTH} levels deep in ${this.templateName} (including ${template.name}): ` +
          `a template probably includes itself. Add a condition that stops the recursion.`,
      );
    }
    let ctx = c;
    if (this.isolated) ctx = c.new(values);
    else c.dicts.push(values); // a fresh object made by the compiled code: no copy needed
    ctx.renderContext.push(true);
    ctx.includeDepth = c.includeDepth + 1;
    if (templateRendered.hasListeners()) void templateRendered.send(template, { template, context: ctx });
    try {
      return yield* template.fn(ctx);
    } finally {
      ctx.includeDepth--;
      ctx.renderContext.pop();
      if (!this.isolated) c.pop();
    }
  }
}

/** Parse function of `{% block %}`. */
export function blockTag(parser: Parser, token: Token): Node {
  const bits = token.contents.split(/\s+/);
  if (bits.length !== 2) throw new TemplateSyntaxError(`'${bits[0]}' tag takes only one argument`);
  const name = bits[1]!;
  let seen = parser.extra.get(BLOCK_NAMES) as Set<string> | undefined;
  if (!seen) parser.extra.set(BLOCK_NAMES, (seen = new Set()));
  if (seen.has(name)) throw new TemplateSyntaxError(`'${bits[0]}' tag with name '${name}' appears more than once`);
  seen.add(name);
  const nodelist = parser.parse(['endblock']);
  const end = parser.nextToken();
  if (end.contents !== 'endblock' && end.contents !== `endblock ${name}`) {
    throw parser.error(end, `Invalid block tag on line ${end.line}: '${end.contents}', expected 'endblock' or 'endblock ${name}'.`);
  }
  return new BlockNode(name, nodelist);
}

/** Parse function of `{% extends %}`. */
export function extendsTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length !== 2) throw new TemplateSyntaxError(`'${bits[0]}' takes one argument`);
  const parentName = parser.compileFilter(relativeName(parser.templateName, bits[1]!), token);
  const nodelist = parser.parse();
  if (nodelist.getNodesByType(ExtendsNode).length) {
    throw new TemplateSyntaxError(`'${bits[0]}' cannot appear more than once in the same template`);
  }
  const node = new ExtendsNode(nodelist, parentName);
  node.origin = { name: parser.templateName, templateName: parser.templateName, loader: '' };
  return node;
}

/** Parse function of `{% include %}`. */
export function includeTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 2) {
    throw new TemplateSyntaxError(`'${bits[0]}' tag takes at least one argument: the name of the template to be included.`);
  }
  const remaining = bits.slice(2);
  let extra = new Map<string, FilterExpression>();
  let only = false;
  const seen = new Set<string>();
  while (remaining.length) {
    const option = remaining.shift()!;
    if (seen.has(option)) throw new TemplateSyntaxError(`The '${option}' option was specified more than once.`);
    seen.add(option);
    if (option === 'with') {
      extra = tokenKwargs(remaining, parser, false);
      if (!extra.size) throw new TemplateSyntaxError(`"with" in '${bits[0]}' tag needs at least one keyword argument.`);
    } else if (option === 'only') {
      only = true;
    } else {
      throw new TemplateSyntaxError(`Unknown argument for '${bits[0]}' tag: '${option}'.`);
    }
  }
  const target = parser.compileFilter(relativeName(parser.templateName, bits[1]!, true), token);
  return new IncludeNode(target, extra, only);
}

/** Runtime entry points the compiled code of these tags calls (`H.renderBlock`, …). */
export const loaderHelpers = {
  renderBlock,
  renderExtends: (c: Context, node: ExtendsNode, parent: unknown) => node.render$(c, parent),
  renderInclude: (c: Context, node: IncludeNode, target: unknown, values: Record<string, unknown>) =>
    node.render$(c, target, values),
};

/**
 * The node tree the parser builds and the compiler turns into code.
 *
 * Built-in nodes generate JavaScript (`compile`). A custom tag's node may
 * instead implement `render(context)` (sync or async); the default `compile`
 * calls it, so a user never needs to know about code generation.
 */
import type { Token } from './lexer.ts';
import type { Context } from './context.ts';
import type { FilterExpression } from './expression.ts';
import { compileNodeList, type CodeGen, type CompileOptions, type RenderFunction } from './compiler.ts';
import { drive } from './runtime.ts';
import { SafeString } from '../utils/safestring.ts';

/**
 * A piece of a template. Extend it for a custom block tag and implement
 * `render(context)`; return a string, a SafeString or a promise of one.
 * The output is inserted as it is (escape user values yourself, or use
 * `simpleTag`, which escapes for you).
 *
 * @example
 * class UpperNode extends Node {
 *   constructor(readonly nodelist: NodeList) { super(); }
 *   async render(context: Context) { return (await this.nodelist.render(context)).toUpperCase(); }
 * }
 */
export class Node {
  /** The token that produced the node (set by the parser), for error messages. */
  token: Token | null = null;
  /** Name of the template the node belongs to (set by the parser). */
  templateName = '';
  /** `{% extends %}` must come before any other tag. */
  get mustBeFirst(): boolean {
    return false;
  }

  /** Renders the node. Built-in nodes compile instead; custom nodes override this. */
  render(_context: Context): unknown {
    return '';
  }

  /** Nodelists nested in this node, for {@link NodeList.getNodesByType}. */
  children(): NodeList[] {
    return [];
  }

  /** Emits code appending this node's output to `o`. */
  compile(g: CodeGen): void {
    g.write(`STR(yield* Z(${g.const(this)}.render(c)))`);
  }
}

/**
 * A sequence of nodes: a template body or the inside of a block tag. Custom
 * tags call `nodelist.render(context)` to render what they enclose.
 */
export class NodeList {
  readonly nodes: Node[] = [];
  /** Whether a non-text node has been added (for `{% extends %}` placement). */
  containsNontext = false;
  #options: CompileOptions;
  #compiled: RenderFunction | undefined;

  constructor(options: CompileOptions) {
    this.#options = options;
  }

  push(node: Node): void {
    if (!(node instanceof TextNode)) this.containsNontext = true;
    this.nodes.push(node);
  }

  get length(): number {
    return this.nodes.length;
  }

  [Symbol.iterator](): Iterator<Node> {
    return this.nodes[Symbol.iterator]();
  }

  /** Every node of `type` in this list and nested lists, depth first. */
  getNodesByType<T extends Node>(type: abstract new (...args: never[]) => T): T[] {
    const found: T[] = [];
    for (const node of this.nodes) {
      if (node instanceof type) found.push(node);
      for (const child of node.children()) found.push(...child.getNodesByType(type));
    }
    return found;
  }

  /** Renders the nodes; synchronous when nothing had to be awaited. */
  render(context: Context): SafeString | Promise<SafeString> {
    this.#compiled ??= compileNodeList(this, this.#options);
    const out = drive(this.#compiled(context));
    return typeof out === 'string' ? new SafeString(out) : out.then((text) => new SafeString(text));
  }

  /** The compile-time options of the template this list belongs to. */
  get options(): CompileOptions {
    return this.#options;
  }
}

/** Literal template text. */
export class TextNode extends Node {
  readonly text: string;
  constructor(text: string) {
    super();
    this.text = text;
  }
  override compile(g: CodeGen): void {
    g.text(this.text);
  }
}

/** `{{ expression }}`: the value, localized and escaped. */
export class VariableNode extends Node {
  readonly expression: FilterExpression;
  constructor(expression: FilterExpression) {
    super();
    this.expression = expression;
  }
  override compile(g: CodeGen): void {
    // show() answers a promise only for an object whose __html__ renders asynchronously (a form).
    const t = g.temp();
    g.write(`(typeof (${t} = S(${g.value(this.expression)}, c)) === 'string' ? ${t} : STR(yield* Z(${t})))`);
  }
}

/**
 * A block that changes one setting of the render context for its body and
 * restores it afterwards, even when the body throws: `{% autoescape %}`,
 * `{% localtime %}`, `{% timezone %}`.
 */
export class ScopedSettingNode extends Node {
  readonly setting: 'autoescape' | 'useTz' | 'timeZone';
  /** The generated expression for the new value. */
  readonly value: (g: CodeGen) => string;
  readonly nodelist: NodeList;

  constructor(setting: ScopedSettingNode['setting'], value: (g: CodeGen) => string, nodelist: NodeList) {
    super();
    this.setting = setting;
    this.value = value;
    this.nodelist = nodelist;
  }

  override children(): NodeList[] {
    return [this.nodelist];
  }

  override compile(g: CodeGen): void {
    const previous = g.temp();
    g.emit(`${previous} = c.${this.setting}; c.${this.setting} = ${this.value(g)}; try {`);
    g.nodes(this.nodelist);
    g.emit(`} finally { c.${this.setting} = ${previous}; }`);
  }
}

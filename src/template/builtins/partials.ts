/**
 * Template partials (Django 6.0): `{% partialdef name [inline] %}…{% endpartialdef %}`
 * defines a named fragment, `{% partial name %}` renders it, and
 * `"page.html#name"` loads it wherever a template name is accepted.
 */
import { Node, type NodeList } from '../nodes.ts';
import type { CodeGen, RenderFunction } from '../compiler.ts';
import type { Parser } from '../parser.ts';
import type { Token } from '../lexer.ts';
import { TemplateSyntaxError } from '../errors.ts';
import { PARTIALS, type PartialDefinition } from '../template.ts';

function partialsOf(parser: Parser): Map<string, PartialDefNode> {
  let partials = parser.extra.get(PARTIALS) as Map<string, PartialDefNode> | undefined;
  if (!partials) parser.extra.set(PARTIALS, (partials = new Map()));
  return partials;
}

/** `{% partialdef %}`: renders nothing in place unless `inline`. */
export class PartialDefNode extends Node implements PartialDefinition {
  readonly name: string;
  readonly nodelist: NodeList;
  readonly inline: boolean;
  fn: RenderFunction | undefined;

  constructor(name: string, nodelist: NodeList, inline: boolean) {
    super();
    this.name = name;
    this.nodelist = nodelist;
    this.inline = inline;
  }

  override children(): NodeList[] {
    return [this.nodelist];
  }

  override compile(g: CodeGen): void {
    g.define(this, this.nodelist);
    if (this.inline) g.write(`(yield* ${g.const(this)}.fn(c))`);
  }
}

/** `{% partial name %}`: renders a partial of the same template with the current context. */
export class PartialNode extends Node {
  readonly name: string;
  readonly #partials: Map<string, PartialDefNode>;

  constructor(name: string, partials: Map<string, PartialDefNode>) {
    super();
    this.name = name;
    this.#partials = partials;
  }

  override compile(g: CodeGen): void {
    const definition = this.#partials.get(this.name)!;
    g.define(definition, definition.nodelist);
    g.write(`(yield* ${g.const(definition)}.fn(c))`);
  }
}

/** Parse function of `{% partialdef %}`. */
export function partialdefTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 2 || bits.length > 3 || (bits.length === 3 && bits[2] !== 'inline')) {
    throw new TemplateSyntaxError(`'partialdef' tag requires a name and optionally 'inline': {% partialdef name [inline] %}.`);
  }
  const name = bits[1]!;
  const partials = partialsOf(parser);
  if (partials.has(name)) throw new TemplateSyntaxError(`Partial '${name}' is defined more than once in this template.`);
  const nodelist = parser.parse(['endpartialdef']);
  const end = parser.nextToken();
  if (end.contents !== 'endpartialdef' && end.contents !== `endpartialdef ${name}`) {
    throw parser.error(end, `Expected 'endpartialdef' or 'endpartialdef ${name}', found '${end.contents}'.`);
  }
  const node = new PartialDefNode(name, nodelist, bits.length === 3);
  partials.set(name, node);
  return node;
}

/** Parse function of `{% partial %}`. */
export function partialTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length !== 2) throw new TemplateSyntaxError(`'partial' tag takes exactly one argument: the partial's name.`);
  const name = bits[1]!;
  const partials = partialsOf(parser);
  parser.finalizers.push(() => {
    if (!partials.has(name)) {
      throw parser.error(token, `Partial '${name}' is not defined in this template. Define it with {% partialdef ${name} %}.`);
    }
  });
  return new PartialNode(name, partials);
}

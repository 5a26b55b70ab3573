/**
 * `{% if %}` / `{% elif %}` / `{% else %}` with Django's operator precedence:
 * or < and < not < in, not in < is, is not, ==, !=, <, >, <=, >=.
 *
 * As in Django, an operator whose operands cannot be compared (`1 < None`,
 * `x in 5`) is False instead of an error, and a missing variable is None.
 */
import { Node, type NodeList } from '../nodes.ts';
import type { CodeGen } from '../compiler.ts';
import type { Parser } from '../parser.ts';
import type { Token } from '../lexer.ts';
import type { FilterExpression } from '../expression.ts';
import { TemplateSyntaxError } from '../errors.ts';

type Condition =
  | { readonly kind: 'literal'; readonly text: string; readonly fe: FilterExpression }
  | { readonly kind: 'not'; readonly first: Condition }
  | { readonly kind: 'infix'; readonly op: string; readonly first: Condition; readonly second: Condition };

const BINDING: Record<string, number> = {
  or: 6,
  and: 7,
  not: 8,
  in: 9,
  'not in': 9,
  is: 10,
  'is not': 10,
  '==': 10,
  '!=': 10,
  '>': 10,
  '>=': 10,
  '<': 10,
  '<=': 10,
};

type IfToken = { readonly op: string } | { readonly text: string; readonly fe: FilterExpression } | null;

/** Pratt parser over the words of an `{% if %}` tag. */
class ConditionParser {
  #tokens: IfToken[];
  #pos = 0;
  #current: IfToken;

  constructor(parser: Parser, words: readonly string[]) {
    const tokens: IfToken[] = [];
    for (let i = 0; i < words.length; i++) {
      let word = words[i]!;
      if (word === 'is' && words[i + 1] === 'not') {
        word = 'is not';
        i++;
      } else if (word === 'not' && words[i + 1] === 'in') {
        word = 'not in';
        i++;
      }
      tokens.push(word in BINDING ? { op: word } : { text: word, fe: parser.compileFilter(word) });
    }
    this.#tokens = tokens;
    this.#current = this.#next();
  }

  parse(): Condition {
    const result = this.#expression(0);
    if (this.#current !== null) {
      throw new TemplateSyntaxError(`Unused '${display(this.#current)}' at end of if expression.`);
    }
    return result;
  }

  #next(): IfToken {
    return this.#pos < this.#tokens.length ? this.#tokens[this.#pos++]! : null;
  }

  #lbp(token: IfToken): number {
    return token !== null && 'op' in token ? BINDING[token.op]! : 0;
  }

  #expression(rbp: number): Condition {
    const token = this.#current;
    this.#current = this.#next();
    let left = this.#nud(token);
    while (rbp < this.#lbp(this.#current)) {
      const op = this.#current as { op: string };
      this.#current = this.#next();
      if (op.op === 'not') throw new TemplateSyntaxError(`Not expecting 'not' as infix operator in if tag.`);
      left = { kind: 'infix', op: op.op, first: left, second: this.#expression(BINDING[op.op]!) };
    }
    return left;
  }

  #nud(token: IfToken): Condition {
    if (token === null) throw new TemplateSyntaxError('Unexpected end of expression in if tag.');
    if ('op' in token) {
      if (token.op === 'not') return { kind: 'not', first: this.#expression(BINDING['not']!) };
      throw new TemplateSyntaxError(`Not expecting '${token.op}' in this position in if tag.`);
    }
    return { kind: 'literal', text: token.text, fe: token.fe };
  }
}

function display(token: NonNullable<IfToken>): string {
  return 'op' in token ? token.op : token.text;
}

/** Parses the words after `if`/`elif` into a condition tree. */
export function parseCondition(parser: Parser, words: readonly string[]): Condition {
  return new ConditionParser(parser, words).parse();
}

/** Emits statements leaving the condition's value in `target`. */
export function compileCondition(g: CodeGen, condition: Condition, target: string): void {
  switch (condition.kind) {
    case 'literal':
      g.emit(`${target} = ${g.value(condition.fe, 'ignore')};`);
      return;
    case 'not': {
      const a = g.temp();
      g.emit('try {');
      compileCondition(g, condition.first, a);
      g.emit(`${target} = !H.truthy(${a}); } catch (e) { ${target} = false; }`);
      return;
    }
    case 'infix': {
      const a = g.temp();
      const b = g.temp();
      g.emit('try {');
      compileCondition(g, condition.first, a);
      if (condition.op === 'or' || condition.op === 'and') {
        g.emit(condition.op === 'or' ? `if (H.truthy(${a})) ${target} = ${a}; else {` : `if (!H.truthy(${a})) ${target} = ${a}; else {`);
        compileCondition(g, condition.second, b);
        g.emit(`${target} = ${b}; }`);
      } else {
        compileCondition(g, condition.second, b);
        g.emit(`${target} = ${comparison(condition.op, a, b)};`);
      }
      g.emit(`} catch (e) { ${target} = false; }`);
      return;
    }
  }
}

function comparison(op: string, a: string, b: string): string {
  switch (op) {
    case 'in':
      return `IN(${a}, ${b})`;
    case 'not in':
      return `!IN(${a}, ${b})`;
    case 'is':
      return `IS(${a}, ${b})`;
    case 'is not':
      return `!IS(${a}, ${b})`;
    case '==':
      return `EQ(${a}, ${b})`;
    case '!=':
      return `!EQ(${a}, ${b})`;
    default:
      return `(CMP(${a}, ${b}) ${op} 0)`;
  }
}

/** `{% if %}…{% elif %}…{% else %}…{% endif %}`. */
export class IfNode extends Node {
  readonly branches: readonly { readonly condition: Condition | null; readonly nodelist: NodeList }[];

  constructor(branches: readonly { condition: Condition | null; nodelist: NodeList }[]) {
    super();
    this.branches = branches;
  }

  override children(): NodeList[] {
    return this.branches.map((b) => b.nodelist);
  }

  override compile(g: CodeGen): void {
    let closing = 0;
    for (const [i, branch] of this.branches.entries()) {
      if (branch.condition === null) {
        g.emit('{');
        g.nodes(branch.nodelist);
        g.emit('}');
        break;
      }
      const m = g.temp();
      if (branch.condition.kind === 'literal' && branch.condition.fe.filters.some((f) => f.arg?.lookups)) {
        // A missing filter argument makes the whole test None, as Django's IfNode does.
        g.emit('try {');
        compileCondition(g, branch.condition, m);
        g.emit(`} catch (e) { if (H.isMissingVariable(e)) ${m} = null; else throw e; }`);
      } else {
        compileCondition(g, branch.condition, m);
      }
      g.emit(`if (H.truthy(${m})) {`);
      g.nodes(branch.nodelist);
      g.emit('} else {');
      closing++;
    }
    g.emit('}'.repeat(closing));
  }
}

/** Parse function of `{% if %}`. */
export function ifTag(parser: Parser, token: Token): Node {
  const branches: { condition: Condition | null; nodelist: NodeList }[] = [];
  let condition: Condition | null = parseCondition(parser, token.splitContents().slice(1));
  let nodelist = parser.parse(['elif', 'else', 'endif']);
  branches.push({ condition, nodelist });
  let next = parser.nextToken();
  while (next.contents.startsWith('elif')) {
    condition = parseCondition(parser, next.splitContents().slice(1));
    nodelist = parser.parse(['elif', 'else', 'endif']);
    branches.push({ condition, nodelist });
    next = parser.nextToken();
  }
  if (next.contents === 'else') {
    nodelist = parser.parse(['endif']);
    branches.push({ condition: null, nodelist });
    next = parser.nextToken();
  }
  if (next.contents !== 'endif') {
    throw parser.error(next, `Malformed template tag at line ${next.line}: "${next.contents}"`);
  }
  return new IfNode(branches);
}

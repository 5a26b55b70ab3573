/**
 * `{% for x in seq [reversed] %}…{% empty %}…{% endfor %}` with every
 * `forloop` field (counter, counter0, revcounter, revcounter0, first, last,
 * length, parentloop) and unpacking (`{% for k, v in d.items %}`).
 *
 * The sequence may be a promise, a QuerySet or an async iterable: it is
 * awaited once, before the first iteration.
 */
import { Node, type NodeList } from '../nodes.ts';
import type { CodeGen } from '../compiler.ts';
import type { Parser } from '../parser.ts';
import type { Token } from '../lexer.ts';
import type { FilterExpression } from '../expression.ts';
import { TemplateSyntaxError } from '../errors.ts';

/** The node of `{% for %}`. */
export class ForNode extends Node {
  readonly loopvars: readonly string[];
  readonly sequence: FilterExpression;
  readonly reversed: boolean;
  readonly body: NodeList;
  readonly empty: NodeList | null;

  constructor(loopvars: readonly string[], sequence: FilterExpression, reversed: boolean, body: NodeList, empty: NodeList | null) {
    super();
    this.loopvars = loopvars;
    this.sequence = sequence;
    this.reversed = reversed;
    this.body = body;
    this.empty = empty;
  }

  override children(): NodeList[] {
    return this.empty ? [this.body, this.empty] : [this.body];
  }

  override compile(g: CodeGen): void {
    const parent = g.temp();
    const seq = g.temp();
    const loop = g.temp();
    const top = g.temp();
    const n = g.temp();
    const i = g.temp();
    const item = g.temp();
    g.emit(`${parent} = c.has("forloop") ? c.get("forloop") : {};`);
    g.emit('c.push();');
    g.emit('try {');
    const where = `"${this.sequence.token}" (${this.templateName || '<string>'}, line ${this.token?.line ?? '?'})`;
    g.emit(`${seq} = SEQ(${g.value(this.sequence, 'ignore')}, ${g.str(where)});`);
    g.emit(`if (TH(${seq})) ${seq} = yield ${seq};`);
    g.emit(`if (${seq}.length === 0) {`);
    if (this.empty) g.nodes(this.empty);
    g.emit('} else {');
    if (this.reversed) g.emit(`${seq} = ${seq}.slice().reverse();`);
    g.emit(`${n} = ${seq}.length;`);
    g.emit(`${top} = c.dicts[c.dicts.length - 1];`);
    g.emit(
      `${loop} = ${top}.forloop = { parentloop: ${parent}, counter0: 0, counter: 1, revcounter: ${n}, revcounter0: ${n} - 1, first: true, last: ${n} === 1 };`,
    );
    // Django 6.0's forloop.length; not enumerable so {{ forloop }} prints as Django 5.2 does.
    g.emit(`Object.defineProperty(${loop}, 'length', { value: ${n} });`,
    );
    g.emit(`for (${i} = 0; ${i} < ${n}; ${i}++) {`);
    g.emit(
      `if (${i} > 0) { ${loop}.counter0 = ${i}; ${loop}.counter = ${i} + 1; ${loop}.revcounter = ${n} - ${i}; ` +
        `${loop}.revcounter0 = ${n} - ${i} - 1; ${loop}.first = false; ${loop}.last = ${i} === ${n} - 1; }`,
    );
    g.emit(`${item} = ${seq}[${i}];`);
    if (this.loopvars.length === 1) {
      g.emit(`${top}[${g.str(this.loopvars[0]!)}] = ${item};`);
    } else {
      const count = this.loopvars.length;
      g.emit(`if (ULEN(${item}) !== ${count}) H.unpackError(${count}, ULEN(${item}));`);
      for (const [k, name] of this.loopvars.entries()) g.emit(`${top}[${g.str(name)}] = UITEM(${item}, ${k});`);
    }
    g.nodes(this.body);
    g.emit('}');
    g.emit('}');
    g.emit('} finally { c.pop(); }');
  }
}

const INVALID_LOOPVAR = /[ "'|]/;

/** Parse function of `{% for %}`. */
export function forTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 4) {
    throw new TemplateSyntaxError(`'for' statements should have at least four words: ${token.contents}`);
  }
  const reversed = bits[bits.length - 1] === 'reversed';
  const inIndex = bits.length - (reversed ? 3 : 2);
  if (bits[inIndex] !== 'in') {
    throw new TemplateSyntaxError(`'for' statements should use the format 'for x in y': ${token.contents}`);
  }
  const loopvars = bits.slice(1, inIndex).join(' ').split(/ *, */);
  for (const name of loopvars) {
    if (!name || INVALID_LOOPVAR.test(name)) {
      throw new TemplateSyntaxError(`'for' tag received an invalid argument: ${token.contents}`);
    }
  }
  const sequence = parser.compileFilter(bits[inIndex + 1]!);
  const body = parser.parse(['empty', 'endfor']);
  const next = parser.nextToken();
  let empty: NodeList | null = null;
  if (next.contents === 'empty') {
    empty = parser.parse(['endfor']);
    parser.deleteFirstToken();
  }
  return new ForNode(loopvars, sequence, reversed, body, empty);
}

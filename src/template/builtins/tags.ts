/**
 * Django's built-in tags. `{% if %}`, `{% for %}`, the inheritance tags and
 * partials live in their own files; this one holds the rest and the library
 * that registers them all.
 */
import { Node, ScopedSettingNode, type NodeList } from '../nodes.ts';
import { helpers, type CodeGen } from '../compiler.ts';
import type { Parser } from '../parser.ts';
import type { Token } from '../lexer.ts';
import { literalArgument, type FilterExpression } from '../expression.ts';
import type { Context } from '../context.ts';
import { Library } from '../library.ts';
import { TemplateSyntaxError, VariableDoesNotExist } from '../errors.ts';
import { evaluate, isThenable, pyEq, sequence, show } from '../runtime.ts';
import { Decimal, isTruthy, pyRepr } from '../python.ts';
import { formatDate } from '../dateformat.ts';
import { escapeHtml, SafeString } from '../../utils/safestring.ts';
import { ifTag } from './if-tag.ts';
import { forTag } from './for-tag.ts';
import { blockTag, extendsTag, includeTag, loaderHelpers } from './loader-tags.ts';
import { partialdefTag, partialTag } from './partials.ts';
import { tokenKwargs } from './kwargs.ts';
import { loremWords, loremParagraphs } from './lorem.ts';
import { querystring } from './querystring.ts';
import { i18nHelpers } from './i18n.ts';

/** A tag that renders nothing (`{% comment %}`, `{% load %}`). */
class NothingNode extends Node {
  override compile(): void {}
}

// ------------------------------------------------------------------ autoescape

function autoescapeTag(parser: Parser, token: Token): Node {
  const args = token.contents.split(/\s+/);
  if (args.length !== 2) throw new TemplateSyntaxError("'autoescape' tag requires exactly one argument.");
  if (args[1] !== 'on' && args[1] !== 'off') throw new TemplateSyntaxError("'autoescape' argument should be 'on' or 'off'");
  const nodelist = parser.parse(['endautoescape']);
  parser.deleteFirstToken();
  const on = args[1] === 'on';
  return new ScopedSettingNode('autoescape', () => String(on), nodelist);
}

// ------------------------------------------------------------------ cycle

const NAMED_CYCLES = Symbol('named-cycles');
const LAST_CYCLE = Symbol('last-cycle');

class CycleNode extends Node {
  readonly values: readonly FilterExpression[];
  readonly variableName: string | null;
  readonly silent: boolean;
  constructor(values: readonly FilterExpression[], variableName: string | null, silent: boolean) {
    super();
    this.values = values;
    this.variableName = variableName;
    this.silent = silent;
  }
  /** The index to use now; advances the node's position for this render. */
  next(c: Context): number {
    const i = (c.renderContext.get(this) as number | undefined) ?? 0;
    c.renderContext.set(this, i + 1);
    return i % this.values.length;
  }
  reset(c: Context): void {
    c.renderContext.set(this, 0);
  }
  override compile(g: CodeGen): void {
    const index = g.temp();
    const value = g.temp();
    g.emit(`${index} = ${g.const(this)}.next(c);`);
    g.emit(`switch (${index}) {`);
    for (const [i, fe] of this.values.entries()) g.emit(`case ${i}: ${value} = ${g.value(fe)}; break;`);
    g.emit('}');
    if (this.variableName !== null) g.emit(`c.setUpward(${g.str(this.variableName)}, ${value});`);
    if (!this.silent) g.write(`S(${value}, c)`);
  }
}

function cycleTag(parser: Parser, token: Token): Node {
  let args = token.splitContents();
  if (args.length < 2) throw new TemplateSyntaxError("'cycle' tag requires at least two arguments");
  const named = parser.extra.get(NAMED_CYCLES) as Map<string, CycleNode> | undefined;
  if (args.length === 2) {
    const name = args[1]!;
    if (!named) throw new TemplateSyntaxError(`No named cycles in template. '${name}' is not defined`);
    const node = named.get(name);
    if (!node) throw new TemplateSyntaxError(`Named cycle '${name}' does not exist`);
    return node;
  }
  let asForm = false;
  let silent = false;
  if (args.length > 4) {
    if (args[args.length - 3] === 'as') {
      if (args[args.length - 1] !== 'silent') {
        throw new TemplateSyntaxError(`Only 'silent' flag is allowed after cycle's name, not '${args[args.length - 1]}'.`);
      }
      asForm = true;
      silent = true;
      args = args.slice(0, -1);
    } else if (args[args.length - 2] === 'as') {
      asForm = true;
    }
  }
  let node: CycleNode;
  if (asForm) {
    const name = args[args.length - 1]!;
    node = new CycleNode(args.slice(1, -2).map((a) => parser.compileFilter(a)), name, silent);
    const map = named ?? new Map<string, CycleNode>();
    map.set(name, node);
    parser.extra.set(NAMED_CYCLES, map);
  } else {
    node = new CycleNode(args.slice(1).map((a) => parser.compileFilter(a)), null, false);
  }
  parser.extra.set(LAST_CYCLE, node);
  return node;
}

class ResetCycleNode extends Node {
  readonly target: CycleNode;
  constructor(target: CycleNode) {
    super();
    this.target = target;
  }
  override compile(g: CodeGen): void {
    g.emit(`${g.const(this.target)}.reset(c);`);
  }
}

function resetcycleTag(parser: Parser, token: Token): Node {
  const args = token.splitContents();
  if (args.length > 2) throw new TemplateSyntaxError(`'${args[0]}' tag accepts at most one argument.`);
  if (args.length === 2) {
    const node = (parser.extra.get(NAMED_CYCLES) as Map<string, CycleNode> | undefined)?.get(args[1]!);
    if (!node) throw new TemplateSyntaxError(`Named cycle '${args[1]}' does not exist.`);
    return new ResetCycleNode(node);
  }
  const last = parser.extra.get(LAST_CYCLE) as CycleNode | undefined;
  if (!last) throw new TemplateSyntaxError('No cycles in template.');
  return new ResetCycleNode(last);
}

// ------------------------------------------------------------------ csrf_token, debug

class CsrfTokenNode extends Node {
  override compile(g: CodeGen): void {
    g.write('H.csrfInput(c)');
  }
}

function csrfInput(c: Context): string {
  let token = c.get('csrf_token');
  if (typeof token === 'function') token = token();
  if (!isTruthy(token) || token === 'NOTPROVIDED') return '';
  return `<input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(String(token))}">`;
}

class DebugNode extends Node {
  override compile(g: CodeGen): void {
    g.write('H.debugDump(c)');
  }
}

function debugDump(c: Context): string {
  if (!c.template?.engine.debug) return '';
  return escapeHtml(c.dicts.map((layer) => pyRepr({ ...layer })).join('\n'));
}

// ------------------------------------------------------------------ filter, firstof

class FilterNode extends Node {
  readonly expression: FilterExpression;
  readonly nodelist: NodeList;
  constructor(expression: FilterExpression, nodelist: NodeList) {
    super();
    this.expression = expression;
    this.nodelist = nodelist;
  }
  override children(): NodeList[] {
    return [this.nodelist];
  }
  override compile(g: CodeGen): void {
    const body = g.fn(this.nodelist);
    const output = g.temp();
    const result = g.temp();
    g.emit(`${output} = new H.SafeString(yield* ${body}(c));`);
    g.emit(`c.push({ var: ${output} }); try { ${result} = ${g.value(this.expression)}; } finally { c.pop(); }`);
    g.write(`STR(${result})`);
  }
}

function filterTag(parser: Parser, token: Token): Node {
  const rest = token.contents.replace(/^\S+\s*/, '');
  const expression = parser.compileFilter(`var|${rest}`);
  for (const use of expression.filters) {
    if (use.name === 'escape' || use.name === 'safe') {
      throw new TemplateSyntaxError(`"filter ${use.name}" is not permitted.  Use the "autoescape" tag instead.`);
    }
  }
  const nodelist = parser.parse(['endfilter']);
  parser.deleteFirstToken();
  return new FilterNode(expression, nodelist);
}

class FirstOfNode extends Node {
  readonly values: readonly FilterExpression[];
  readonly asvar: string | null;
  constructor(values: readonly FilterExpression[], asvar: string | null) {
    super();
    this.values = values;
    this.asvar = asvar;
  }
  override compile(g: CodeGen): void {
    const first = g.temp();
    const value = g.temp();
    const label = `firstof${g.uid()}`;
    g.emit(`${first} = ''; ${label}: {`);
    for (const fe of this.values) {
      g.emit(`${value} = ${g.value(fe, 'ignore')}; if (H.truthy(${value})) { ${first} = S(${value}, c); break ${label}; }`);
    }
    g.emit('}');
    if (this.asvar !== null) g.emit(`c.set(${g.str(this.asvar)}, new H.SafeString(${first}));`);
    else g.write(first);
  }
}

function firstofTag(parser: Parser, token: Token): Node {
  let bits = token.splitContents().slice(1);
  if (!bits.length) throw new TemplateSyntaxError("'firstof' statement requires at least one argument");
  let asvar: string | null = null;
  if (bits.length >= 2 && bits[bits.length - 2] === 'as') {
    asvar = bits[bits.length - 1]!;
    bits = bits.slice(0, -2);
  }
  return new FirstOfNode(bits.map((b) => parser.compileFilter(b)), asvar);
}

// ------------------------------------------------------------------ ifchanged

const IFCHANGED_STATE = Symbol('ifchanged');

class IfChangedNode extends Node {
  readonly whenChanged: NodeList;
  readonly otherwise: NodeList | null;
  readonly values: readonly FilterExpression[];
  constructor(whenChanged: NodeList, otherwise: NodeList | null, values: readonly FilterExpression[]) {
    super();
    this.whenChanged = whenChanged;
    this.otherwise = otherwise;
    this.values = values;
  }
  override children(): NodeList[] {
    return this.otherwise ? [this.whenChanged, this.otherwise] : [this.whenChanged];
  }
  /** The memory of this node: per enclosing for loop (reset when an outer loop moves on), else per render. */
  state(c: Context): Map<unknown, unknown> {
    const forloop = c.get('forloop') as Record<symbol, Map<unknown, unknown>> | undefined;
    if (forloop && typeof forloop === 'object') return (forloop[IFCHANGED_STATE] ??= new Map());
    let map = c.renderContext.get(IFCHANGED_STATE) as Map<unknown, unknown> | undefined;
    if (!map) c.renderContext.set(IFCHANGED_STATE, (map = new Map()));
    return map;
  }
  override compile(g: CodeGen): void {
    const self = g.const(this);
    const state = g.temp();
    const compare = g.temp();
    const output = g.temp();
    const body = g.fn(this.whenChanged);
    g.emit(`${state} = ${self}.state(c); ${output} = null;`);
    if (this.values.length) {
      g.emit(`${compare} = [${this.values.map((fe) => g.value(fe, 'ignore')).join(', ')}];`);
    } else {
      g.emit(`${compare} = ${output} = yield* ${body}(c);`);
    }
    g.emit(`if (!EQ(${compare}, ${state}.has(${self}) ? ${state}.get(${self}) : null)) {`);
    g.emit(`${state}.set(${self}, ${compare});`);
    g.write(`(${output} || (yield* ${body}(c)))`);
    if (this.otherwise) {
      g.emit('} else {');
      g.nodes(this.otherwise);
    }
    g.emit('}');
  }
}

function ifchangedTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const whenChanged = parser.parse(['else', 'endifchanged']);
  const next = parser.nextToken();
  let otherwise: NodeList | null = null;
  if (next.contents === 'else') {
    otherwise = parser.parse(['endifchanged']);
    parser.deleteFirstToken();
  }
  return new IfChangedNode(whenChanged, otherwise, bits.slice(1).map((b) => parser.compileFilter(b)));
}

// ------------------------------------------------------------------ load

function loadTag(parser: Parser, token: Token): Node {
  const bits = token.contents.split(/\s+/);
  if (bits.length >= 4 && bits[bits.length - 2] === 'from') {
    const name = bits[bits.length - 1]!;
    const library = parser.library(name);
    const subset = new Library();
    for (const item of bits.slice(1, -2)) {
      let found = false;
      if (library.tags[item]) {
        subset.tags[item] = library.tags[item];
        found = true;
      }
      if (library.filters[item]) {
        subset.filters[item] = library.filters[item];
        found = true;
      }
      if (!found) throw new TemplateSyntaxError(`'${item}' is not a valid tag or filter in tag library '${name}'`);
    }
    parser.addLibrary(subset);
  } else {
    for (const name of bits.slice(1)) parser.addLibrary(parser.library(name));
  }
  return new NothingNode();
}

// ------------------------------------------------------------------ lorem, now

class LoremNode extends Node {
  readonly count: FilterExpression;
  readonly method: string;
  readonly common: boolean;
  constructor(count: FilterExpression, method: string, common: boolean) {
    super();
    this.count = count;
    this.method = method;
    this.common = common;
  }
  text(count: unknown): string {
    const n = pyInt(count);
    const total = n === undefined ? 1 : n;
    if (this.method === 'w') return loremWords(total, this.common);
    let paragraphs = loremParagraphs(total, this.common);
    if (this.method === 'p') paragraphs = paragraphs.map((p) => `<p>${p}</p>`);
    return paragraphs.join('\n\n');
  }
  override compile(g: CodeGen): void {
    g.write(`${g.const(this)}.text(${g.value(this.count)})`);
  }
}

function loremTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const tagName = bits[0];
  const common = bits[bits.length - 1] !== 'random';
  if (!common) bits.pop();
  let method = 'b';
  if (['w', 'p', 'b'].includes(bits[bits.length - 1]!)) method = bits.pop()!;
  const count = bits.length > 1 ? bits.pop()! : '1';
  if (bits.length !== 1) throw new TemplateSyntaxError(`Incorrect format for '${tagName}' tag`);
  return new LoremNode(parser.compileFilter(count), method, common);
}

class NowNode extends Node {
  readonly format: string;
  readonly asvar: string | null;
  constructor(format: string, asvar: string | null) {
    super();
    this.format = format;
    this.asvar = asvar;
  }
  text(c: Context): string {
    return formatDate(new Date(), this.format, c.timeZone ?? c.template?.engine.timeZone ?? 'UTC');
  }
  override compile(g: CodeGen): void {
    if (this.asvar !== null) g.emit(`c.set(${g.str(this.asvar)}, ${g.const(this)}.text(c));`);
    else g.write(`${g.const(this)}.text(c)`);
  }
}

function nowTag(_parser: Parser, token: Token): Node {
  let bits = token.splitContents();
  let asvar: string | null = null;
  if (bits.length === 4 && bits[2] === 'as') {
    asvar = bits[3]!;
    bits = bits.slice(0, 2);
  }
  if (bits.length !== 2) throw new TemplateSyntaxError("'now' statement takes one argument");
  return new NowNode(bits[1]!.slice(1, -1), asvar);
}

// ------------------------------------------------------------------ regroup

/** One group of `{% regroup %}`: `grouper` and `list`; unpacks as `grouper, list`. */
export class GroupedResult {
  readonly grouper: unknown;
  readonly list: unknown[];
  constructor(grouper: unknown, list: unknown[]) {
    this.grouper = grouper;
    this.list = list;
  }
  get length(): number {
    return 2;
  }
  *[Symbol.iterator](): Iterator<unknown> {
    yield this.grouper;
    yield this.list;
  }
  toString(): string {
    return `GroupedResult(grouper=${pyRepr(this.grouper)}, list=${pyRepr(this.list)})`;
  }
}

class RegroupNode extends Node {
  readonly target: FilterExpression;
  readonly expression: FilterExpression;
  readonly varName: string;
  constructor(target: FilterExpression, expression: FilterExpression, varName: string) {
    super();
    this.target = target;
    this.expression = expression;
    this.varName = varName;
  }
  *group(c: Context, list: unknown): Generator<unknown, GroupedResult[], unknown> {
    let items = sequence(list, this.target.token);
    if (isThenable(items)) items = (yield items) as unknown[];
    const groups: GroupedResult[] = [];
    for (const item of items as unknown[]) {
      c.set(this.varName, item);
      const key = yield* evaluate(this.expression, c, true, literalArgument);
      const last = groups[groups.length - 1];
      if (last && pyEq(last.grouper, key)) last.list.push(item);
      else groups.push(new GroupedResult(key, [item]));
    }
    return groups;
  }
  override compile(g: CodeGen): void {
    const list = g.temp();
    g.emit(`${list} = ${g.value(this.target, 'ignore')};`);
    g.emit(
      `c.set(${g.str(this.varName)}, ${list} === null ? [] : (yield* ${g.const(this)}.group(c, ${list})));`,
    );
  }
}

function regroupTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length !== 6) throw new TemplateSyntaxError("'regroup' tag takes five arguments");
  const target = parser.compileFilter(bits[1]!);
  if (bits[2] !== 'by') throw new TemplateSyntaxError("second argument to 'regroup' tag must be 'by'");
  if (bits[4] !== 'as') throw new TemplateSyntaxError("next-to-last argument to 'regroup' tag must be 'as'");
  const varName = bits[5]!;
  return new RegroupNode(target, parser.compileFilter(`${varName}.${bits[3]}`), varName);
}

// ------------------------------------------------------------------ spaceless, templatetag, verbatim

class SpacelessNode extends Node {
  readonly nodelist: NodeList;
  constructor(nodelist: NodeList) {
    super();
    this.nodelist = nodelist;
  }
  override children(): NodeList[] {
    return [this.nodelist];
  }
  override compile(g: CodeGen): void {
    g.write(`(yield* ${g.fn(this.nodelist)}(c)).trim().replace(/>\\s+</g, '><')`);
  }
}

function spacelessTag(parser: Parser): Node {
  const nodelist = parser.parse(['endspaceless']);
  parser.deleteFirstToken();
  return new SpacelessNode(nodelist);
}

const TEMPLATETAG: Record<string, string> = {
  openblock: '{%',
  closeblock: '%}',
  openvariable: '{{',
  closevariable: '}}',
  openbrace: '{',
  closebrace: '}',
  opencomment: '{#',
  closecomment: '#}',
};

class TextOutputNode extends Node {
  readonly output: string;
  constructor(output: string) {
    super();
    this.output = output;
  }
  override compile(g: CodeGen): void {
    g.text(this.output);
  }
}

function templatetagTag(_parser: Parser, token: Token): Node {
  const bits = token.contents.split(/\s+/);
  if (bits.length !== 2) throw new TemplateSyntaxError("'templatetag' statement takes one argument");
  const output = Object.hasOwn(TEMPLATETAG, bits[1]!) ? TEMPLATETAG[bits[1]!] : undefined;
  if (output === undefined) {
    throw new TemplateSyntaxError(
      `Invalid templatetag argument: '${bits[1]}'. Must be one of: ${Object.keys(TEMPLATETAG).join(', ')}`,
    );
  }
  return new TextOutputNode(output);
}

function verbatimTag(parser: Parser): Node {
  const nodelist = parser.parse(['endverbatim']);
  parser.deleteFirstToken();
  let text = '';
  for (const node of nodelist.nodes) text += (node as unknown as { text?: string }).text ?? '';
  return new TextOutputNode(text);
}

// ------------------------------------------------------------------ widthratio, with

/** Python's int() of a template value; undefined where Python raises. */
function pyInt(value: unknown): number | undefined {
  if (value instanceof SafeString) value = value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (value instanceof Decimal) return value.isFinite() ? value.trunc().toNumber() : undefined;
  if (typeof value === 'string' && /^\s*[+-]?\d(?:_?\d)*\s*$/.test(value)) return Number(value.replaceAll('_', ''));
  return undefined;
}

/** Python's float() of a template value; undefined where Python raises. */
function pyFloat(value: unknown): number | undefined {
  if (value instanceof SafeString) value = value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (value instanceof Decimal) return value.toNumber();
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase().replaceAll(/(?<=\d)_(?=\d)/g, '');
    if (/^[+-]?(?:inf|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(text)) return NaN;
    if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/.test(text)) return Number(text);
  }
  return undefined;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

function widthratio(value: unknown, maxValue: unknown, maxWidth: unknown): string {
  const width = pyInt(maxWidth);
  if (width === undefined) throw new TemplateSyntaxError('widthratio final argument must be a number');
  const v = pyFloat(value);
  const m = pyFloat(maxValue);
  if (v === undefined || m === undefined) return '';
  if (m === 0) return '0';
  const ratio = (v / m) * width;
  if (!Number.isFinite(ratio)) return '';
  const rounded = roundHalfEven(ratio);
  return String(rounded === 0 ? 0 : rounded);
}

class WidthRatioNode extends Node {
  readonly value: FilterExpression;
  readonly maxValue: FilterExpression;
  readonly maxWidth: FilterExpression;
  readonly asvar: string | null;
  constructor(value: FilterExpression, maxValue: FilterExpression, maxWidth: FilterExpression, asvar: string | null) {
    super();
    this.value = value;
    this.maxValue = maxValue;
    this.maxWidth = maxWidth;
    this.asvar = asvar;
  }
  override compile(g: CodeGen): void {
    const result = g.temp();
    g.emit(
      `try { ${result} = H.widthratio(${g.value(this.value)}, ${g.value(this.maxValue)}, ${g.value(this.maxWidth)}); } ` +
        `catch (e) { if (H.isMissingVariable(e)) ${result} = ''; else throw e; }`,
    );
    if (this.asvar !== null) g.emit(`c.set(${g.str(this.asvar)}, ${result});`);
    else g.write(result);
  }
}

function widthratioTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  let asvar: string | null = null;
  if (bits.length === 6) {
    if (bits[4] !== 'as') throw new TemplateSyntaxError("Invalid syntax in widthratio tag. Expecting 'as' keyword");
    asvar = bits[5]!;
  } else if (bits.length !== 4) {
    throw new TemplateSyntaxError('widthratio takes at least three arguments');
  }
  return new WidthRatioNode(parser.compileFilter(bits[1]!), parser.compileFilter(bits[2]!), parser.compileFilter(bits[3]!), asvar);
}

class WithNode extends Node {
  readonly extra: ReadonlyMap<string, FilterExpression>;
  readonly nodelist: NodeList;
  constructor(extra: ReadonlyMap<string, FilterExpression>, nodelist: NodeList) {
    super();
    this.extra = extra;
    this.nodelist = nodelist;
  }
  override children(): NodeList[] {
    return [this.nodelist];
  }
  override compile(g: CodeGen): void {
    const values = g.temp();
    g.emit(`${values} = Object.create(null);`);
    for (const [key, fe] of this.extra) g.emit(`${values}[${g.str(key)}] = ${g.value(fe)};`);
    g.emit(`c.dicts.push(${values}); try {`);
    g.nodes(this.nodelist);
    g.emit('} finally { c.pop(); }');
  }
}

function withTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const remaining = bits.slice(1);
  const extra = tokenKwargs(remaining, parser, true);
  if (!extra.size) throw new TemplateSyntaxError(`'${bits[0]}' expected at least one variable assignment`);
  if (remaining.length) throw new TemplateSyntaxError(`'${bits[0]}' received an invalid token: '${remaining[0]}'`);
  const nodelist = parser.parse(['endwith']);
  parser.deleteFirstToken();
  return new WithNode(extra, nodelist);
}

// ------------------------------------------------------------------ the library

Object.assign(helpers, {
  truthy: isTruthy,
  isMissingVariable: (e: unknown) => e instanceof VariableDoesNotExist,
  unpackError: (expected: number, got: number) => {
    throw new TemplateSyntaxError(`Need ${expected} values to unpack in for loop; got ${got}.`);
  },
  csrfInput,
  debugDump,
  widthratio,
  show,
  SafeString,
  ...loaderHelpers,
  ...i18nHelpers,
});

/** The built-in tags, loaded into every template. */
export const defaultTags = new Library()
  .tag('autoescape', autoescapeTag)
  .tag('block', blockTag)
  .tag('comment', (parser) => {
    parser.skipPast('endcomment');
    return new NothingNode();
  })
  .tag('csrf_token', () => new CsrfTokenNode())
  .tag('cycle', cycleTag)
  .tag('debug', () => new DebugNode())
  .tag('extends', extendsTag)
  .tag('filter', filterTag)
  .tag('firstof', firstofTag)
  .tag('for', forTag)
  .tag('if', ifTag)
  .tag('ifchanged', ifchangedTag)
  .tag('include', includeTag)
  .tag('load', loadTag)
  .tag('lorem', loremTag)
  .tag('now', nowTag)
  .tag('partial', partialTag)
  .tag('partialdef', partialdefTag)
  .simpleTag('querystring', querystring, { takesContext: true })
  .tag('regroup', regroupTag)
  .tag('resetcycle', resetcycleTag)
  .tag('spaceless', spacelessTag)
  .tag('templatetag', templatetagTag)
  .tag('verbatim', verbatimTag)
  .tag('widthratio', widthratioTag)
  .tag('with', withTag);

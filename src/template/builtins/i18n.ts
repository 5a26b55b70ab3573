/**
 * The `i18n`, `l10n` and `tz` libraries, so Django templates that
 * `{% load i18n %}` move over unchanged.
 *
 * No translation catalogue is wired in yet: messages come out as written
 * (Django's behaviour when no catalogue matches), with Django's plural rule
 * for English (`count == 1` is singular).
 */
import { Node, ScopedSettingNode } from '../nodes.ts';
import type { CodeGen } from '../compiler.ts';
import type { Parser } from '../parser.ts';
import type { Token } from '../lexer.ts';
import type { FilterExpression } from '../expression.ts';
import type { Context } from '../context.ts';
import { Library } from '../library.ts';
import { TemplateSyntaxError } from '../errors.ts';
import { showSync, MISSING } from '../runtime.ts';
import { Decimal } from '../python.ts';
import type { NodeList } from '../nodes.ts';
import { SafeString } from '../../utils/safestring.ts';
import { DateOnly } from '../../utils/dates.ts';
import type { FilterCall } from '../types.ts';
import { ZonedDateTime, isTimeZone } from '../zoned-datetime.ts';
import { tokenKwargs } from './kwargs.ts';

const DEFAULT_LANGUAGE = 'en-us';

/** The language the render is in (`{% language %}` changes it for a section). */
function currentLanguage(c: Context): string {
  return (c.get('LANGUAGE_CODE') as string | undefined) ?? DEFAULT_LANGUAGE;
}

// ------------------------------------------------------------------ trans / translate

class TranslateNode extends Node {
  readonly message: FilterExpression;
  readonly noop: boolean;
  readonly asvar: string | null;
  constructor(message: FilterExpression, noop: boolean, asvar: string | null) {
    super();
    this.message = message;
    this.noop = noop;
    this.asvar = asvar;
  }
  override compile(g: CodeGen): void {
    const value = g.temp();
    // Django doubles '%' before translating and halves it after; only `noop` leaves a visible trace.
    g.emit(`${value} = S(${g.value(this.message)}, c)${this.noop ? `.replaceAll('%%', '%')` : ''};`);
    if (this.asvar !== null) g.emit(`c.set(${g.str(this.asvar)}, new H.SafeString(${value}));`);
    else g.write(value);
  }
}

function translateTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length < 2) throw new TemplateSyntaxError(`'${bits[0]}' takes at least one argument`);
  const message = parser.compileFilter(bits[1]!);
  const remaining = bits.slice(2);
  let noop = false;
  let asvar: string | null = null;
  const seen = new Set<string>();
  while (remaining.length) {
    const option = remaining.shift()!;
    if (seen.has(option)) throw new TemplateSyntaxError(`The '${option}' option was specified more than once.`);
    if (option === 'noop') noop = true;
    else if (option === 'context') {
      const value = remaining.shift();
      if (value === undefined) throw new TemplateSyntaxError(`No argument provided to the '${bits[0]}' tag for the context option.`);
      if (value === 'as' || value === 'noop') {
        throw new TemplateSyntaxError(`Invalid argument '${value}' provided to the '${bits[0]}' tag for the context option`);
      }
      parser.compileFilter(value);
    } else if (option === 'as') {
      const value = remaining.shift();
      if (value === undefined) throw new TemplateSyntaxError(`No argument provided to the '${bits[0]}' tag for the as option.`);
      asvar = value;
    } else {
      throw new TemplateSyntaxError(
        `Unknown argument for '${bits[0]}' tag: '${option}'. The only options available are 'noop', 'context' "xxx", and 'as VAR'.`,
      );
    }
    seen.add(option);
  }
  return new TranslateNode(message, noop, asvar);
}

// ------------------------------------------------------------------ blocktrans / blocktranslate

type Piece = { readonly text: string } | { readonly variable: string };

class BlockTranslateNode extends Node {
  readonly tagName: string;
  readonly extra: ReadonlyMap<string, FilterExpression>;
  readonly counter: { readonly name: string; readonly value: FilterExpression } | null;
  readonly singular: readonly Piece[];
  readonly plural: readonly Piece[];
  readonly trimmed: boolean;
  readonly asvar: string | null;

  constructor(
    tagName: string,
    extra: ReadonlyMap<string, FilterExpression>,
    counter: { name: string; value: FilterExpression } | null,
    singular: Piece[],
    plural: Piece[],
    trimmed: boolean,
    asvar: string | null,
  ) {
    super();
    this.tagName = tagName;
    this.extra = extra;
    this.counter = counter;
    this.singular = singular;
    this.plural = plural;
    this.trimmed = trimmed;
    this.asvar = asvar;
  }

  /** Fills the chosen form with the values of its `{{ var }}`s (escaped as `{{ }}` output). */
  format(c: Context, count: unknown): string {
    let pieces = this.singular;
    if (this.counter) {
      if (typeof count !== 'number' && !(count instanceof Decimal)) {
        throw new TemplateSyntaxError(`'${this.counter.name}' argument to '${this.tagName}' tag must be a number.`);
      }
      c.set(this.counter.name, count);
      if (Number(count) !== 1) pieces = this.plural;
    }
    const si = c.template?.engine.stringIfInvalid ?? '';
    // Build the message with placeholders first: `trimmed` works on the message, not on the values.
    let message = '';
    const names: string[] = [];
    for (const piece of pieces) {
      if ('text' in piece) message += piece.text.replaceAll('\0', '');
      else {
        message += `\0${names.length}\0`;
        names.push(piece.variable);
      }
    }
    if (this.trimmed) message = message.trim().replaceAll(/\s*\n\s*/g, ' ');
    return message.replaceAll(/\0(\d+)\0/g, (_m, i: string) => {
      const name = names[Number(i)]!;
      const value = c.has(name) ? c.get(name) : si.includes('%s') ? si.replace('%s', name) : si;
      return showSync(value === MISSING ? '' : value, c);
    });
  }

  override compile(g: CodeGen): void {
    const values = g.temp();
    const result = g.temp();
    g.emit(`${values} = Object.create(null);`);
    for (const [key, fe] of this.extra) g.emit(`${values}[${g.str(key)}] = ${g.value(fe)};`);
    g.emit(`c.dicts.push(${values}); try {`);
    const count = this.counter ? g.value(this.counter.value) : 'undefined';
    g.emit(`${result} = ${g.const(this)}.format(c, ${count});`);
    g.emit('} finally { c.pop(); }');
    if (this.asvar !== null) g.emit(`c.set(${g.str(this.asvar)}, new H.SafeString(${result}));`);
    else g.write(result);
  }
}

function blockTranslateTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  const tagName = bits[0]!;
  const remaining = bits.slice(1);
  const seen = new Set<string>();
  let extra = new Map<string, FilterExpression>();
  let counter: { name: string; value: FilterExpression } | null = null;
  let trimmed = false;
  let asvar: string | null = null;
  while (remaining.length) {
    const option = remaining.shift()!;
    if (seen.has(option)) throw new TemplateSyntaxError(`The '${option}' option was specified more than once.`);
    if (option === 'with') {
      extra = tokenKwargs(remaining, parser, true);
      if (!extra.size) throw new TemplateSyntaxError(`"with" in '${tagName}' tag needs at least one keyword argument.`);
    } else if (option === 'count') {
      const value = tokenKwargs(remaining, parser, true);
      if (value.size !== 1) throw new TemplateSyntaxError(`"count" in '${tagName}' tag expected exactly one keyword argument.`);
      const [name, fe] = [...value][0]!;
      counter = { name, value: fe };
    } else if (option === 'context') {
      const value = remaining.shift();
      if (value === undefined) throw new TemplateSyntaxError(`"context" in '${tagName}' tag expected exactly one argument.`);
      parser.compileFilter(value);
    } else if (option === 'trimmed') {
      trimmed = true;
    } else if (option === 'asvar') {
      const value = remaining.shift();
      if (value === undefined) throw new TemplateSyntaxError(`No argument provided to the '${tagName}' tag for the asvar option.`);
      asvar = value;
    } else {
      throw new TemplateSyntaxError(`Unknown argument for '${tagName}' tag: '${option}'.`);
    }
    seen.add(option);
  }
  const read = (): [Piece[], Token] => {
    const pieces: Piece[] = [];
    for (;;) {
      const next = parser.nextToken();
      if (next.type === 'text') pieces.push({ text: next.contents });
      else if (next.type === 'var') pieces.push({ variable: next.contents });
      else return [pieces, next];
    }
  };
  const [singular, first] = read();
  let end = first;
  let plural: Piece[] = [];
  if (counter) {
    if (end.contents.trim() !== 'plural') throw new TemplateSyntaxError(`'${tagName}' doesn't allow other block tags inside it`);
    [plural, end] = read();
  }
  if (end.contents.trim() !== `end${tagName}`) {
    throw new TemplateSyntaxError(`'${tagName}' doesn't allow other block tags (seen '${end.contents}') inside it`);
  }
  return new BlockTranslateNode(tagName, extra, counter, singular, plural, trimmed, asvar);
}

// ------------------------------------------------------------------ language tags

class SetVariableNode extends Node {
  readonly name: string;
  readonly compute: (c: Context) => unknown;
  constructor(name: string, compute: (c: Context) => unknown) {
    super();
    this.name = name;
    this.compute = compute;
  }
  override compile(g: CodeGen): void {
    g.emit(`c.set(${g.str(this.name)}, ${g.const(this)}.compute(c));`);
  }
}

function asVariableTag(compute: (c: Context) => unknown): (parser: Parser, token: Token) => Node {
  return (_parser, token) => {
    const bits = token.contents.split(/\s+/);
    if (bits.length !== 3 || bits[1] !== 'as') {
      throw new TemplateSyntaxError(`'${bits[0]}' requires 'as variable' (got ${JSON.stringify(bits.slice(1))})`);
    }
    return new SetVariableNode(bits[2]!, compute);
  };
}

class WithVariableNode extends Node {
  readonly name: string;
  readonly value: FilterExpression;
  readonly nodelist: NodeList;
  constructor(name: string, value: FilterExpression, nodelist: NodeList) {
    super();
    this.name = name;
    this.value = value;
    this.nodelist = nodelist;
  }
  override children(): NodeList[] {
    return [this.nodelist];
  }
  override compile(g: CodeGen): void {
    const values = g.temp();
    g.emit(`${values} = Object.create(null); ${values}[${g.str(this.name)}] = H.plainText(${g.value(this.value)});`);
    g.emit(`c.dicts.push(${values}); try {`);
    g.nodes(this.nodelist);
    g.emit('} finally { c.pop(); }');
  }
}

function languageTag(parser: Parser, token: Token): Node {
  const bits = token.splitContents();
  if (bits.length !== 2) throw new TemplateSyntaxError(`'${bits[0]}' takes one argument (language)`);
  const value = parser.compileFilter(bits[1]!);
  const nodelist = parser.parse(['endlanguage']);
  parser.deleteFirstToken();
  return new WithVariableNode('LANGUAGE_CODE', value, nodelist);
}

/** `{% load i18n %}`: trans/translate, blocktrans/blocktranslate, language and the get_current_* tags. */
export const i18nLibrary = new Library()
  .tag('trans', translateTag)
  .tag('translate', translateTag)
  .tag('blocktrans', blockTranslateTag)
  .tag('blocktranslate', blockTranslateTag)
  .tag('language', languageTag)
  .tag('get_current_language', asVariableTag(currentLanguage))
  .tag('get_current_language_bidi', asVariableTag((c) => /^(ar|fa|he|ur|ckb|ug)\b/.test(currentLanguage(c))));

// ------------------------------------------------------------------ l10n

class PassThroughNode extends Node {
  readonly nodelist: NodeList;
  constructor(nodelist: NodeList) {
    super();
    this.nodelist = nodelist;
  }
  override children(): NodeList[] {
    return [this.nodelist];
  }
  override compile(g: CodeGen): void {
    g.nodes(this.nodelist);
  }
}

function blockTag(end: string, check: (bits: string[]) => void): (parser: Parser, token: Token) => Node {
  return (parser, token) => {
    check(token.splitContents());
    const nodelist = parser.parse([end]);
    parser.deleteFirstToken();
    return new PassThroughNode(nodelist);
  };
}

/**
 * `{% load l10n %}`. With thousand separators off (Django's default), localized
 * and unlocalized output are the same, so `{% localize %}` and the filters
 * leave values as they are.
 */
export const l10nLibrary = new Library()
  .tag(
    'localize',
    blockTag('endlocalize', (bits) => {
      if (bits.length > 2 || (bits.length === 2 && bits[1] !== 'on' && bits[1] !== 'off')) {
        throw new TemplateSyntaxError(`${bits[0]} argument should be 'on' or 'off'`);
      }
    }),
  )
  .filter('localize', (value: unknown) => value, { isSafe: false, arg: 'none' })
  .filter('unlocalize', (value: unknown) => value, { isSafe: false, arg: 'none' });

// ------------------------------------------------------------------ tz

/**
 * Django's `do_timezone`: an aware datetime shown in `zone` from here on; ''
 * for anything that is not a datetime (a date, a string, None) or a zone name
 * the engine does not know.
 */
function inZone(value: unknown, zone: unknown): unknown {
  if (!(value instanceof Date) || value instanceof DateOnly || Number.isNaN(value.getTime())) return '';
  const name = zone instanceof SafeString ? zone.value : zone;
  if (typeof name !== 'string' || !isTimeZone(name)) return '';
  return new ZonedDateTime(value, name);
}

/**
 * `{% load tz %}`: `{% timezone "Europe/Paris" %}` makes that zone the current
 * one for its body, `{% localtime off %}` shows datetimes in their own zone,
 * `{% get_current_timezone as TZ %}`; the filters `localtime` (to the current
 * zone), `utc` and `timezone:"Asia/Tokyo"` pin a datetime to a zone.
 */
export const tzLibrary = new Library()
  .tag('timezone', (parser, token) => {
    const bits = token.splitContents();
    if (bits.length !== 2) throw new TemplateSyntaxError(`'${bits[0]}' takes one argument (timezone)`);
    const zone = parser.compileFilter(bits[1]!);
    const nodelist = parser.parse(['endtimezone']);
    parser.deleteFirstToken();
    return new ScopedSettingNode('timeZone', (g) => `H.zoneName(${g.value(zone)})`, nodelist);
  })
  .tag('localtime', (parser, token) => {
    const bits = token.splitContents();
    if (bits.length > 2 || (bits.length === 2 && bits[1] !== 'on' && bits[1] !== 'off')) {
      throw new TemplateSyntaxError(`${bits[0]} argument should be 'on' or 'off'`);
    }
    const nodelist = parser.parse(['endlocaltime']);
    parser.deleteFirstToken();
    const useTz = bits[1] !== 'off';
    return new ScopedSettingNode('useTz', () => String(useTz), nodelist);
  })
  .tag('get_current_timezone', asVariableTag((c) => c.timeZone ?? c.template?.engine.timeZone ?? 'UTC'))
  .filter('localtime', (value: unknown, _arg: unknown, call: FilterCall) => inZone(value, call.currentTimeZone ?? call.timeZone), {
    arg: 'none',
  })
  .filter('utc', (value: unknown) => inZone(value, 'UTC'), { arg: 'none' })
  .filter('timezone', (value: unknown, zone: unknown) => inZone(value, zone), { arg: 'required' });

/** Helpers the compiled code of these tags calls. */
export const i18nHelpers = {
  plainText: (value: unknown) => (value instanceof SafeString ? value.value : value),
  zoneName: (value: unknown) => String(value instanceof SafeString ? value.value : value),
};

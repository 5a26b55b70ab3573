/**
 * The `{% url %}` template tag, installed as a built-in of every Engine
 * created after `nuages/urls` is imported (the handler imports it at start).
 *
 * `{% url 'book-detail' book.id %}`, `{% url 'shop:book-detail' id=book.id %}`,
 * `{% url 'home' as home_url %}` (no error when the name does not reverse:
 * the variable is set to '').
 */
import { registerBuiltins } from '../template/engine.ts';
import { Library } from '../template/library.ts';
import { Node } from '../template/nodes.ts';
import { TemplateSyntaxError } from '../template/errors.ts';
import type { Context } from '../template/context.ts';
import type { FilterExpression } from '../template/expression.ts';
import { isThenable } from '../template/runtime.ts';
import { conditionalEscape } from '../utils/safestring.ts';
import { reverse } from './base.ts';
import { NoReverseMatch } from './errors.ts';

const KWARG = /^(?:([\p{L}\p{N}_]+)=)?(.+)$/su;

/** The node of `{% url %}`. */
export class UrlNode extends Node {
  readonly viewName: FilterExpression;
  readonly args: readonly FilterExpression[];
  readonly kwargs: ReadonlyMap<string, FilterExpression>;
  readonly asvar: string | null;

  constructor(viewName: FilterExpression, args: readonly FilterExpression[], kwargs: ReadonlyMap<string, FilterExpression>, asvar: string | null) {
    super();
    this.viewName = viewName;
    this.args = args;
    this.kwargs = kwargs;
    this.asvar = asvar;
  }

  override render(context: Context): unknown {
    const expressions = [this.viewName, ...this.args, ...this.kwargs.values()];
    const values = expressions.map((e) => e.resolve(context));
    if (values.some(isThenable)) return Promise.all(values).then((settled) => this.#write(context, settled));
    return this.#write(context, values);
  }

  #write(context: Context, values: readonly unknown[]): string {
    const [name, ...rest] = values;
    const args = rest.slice(0, this.args.length);
    const kwargs = Object.fromEntries([...this.kwargs.keys()].map((key, i) => [key, rest[this.args.length + i]]));
    let url = '';
    try {
      url = reverse(String(name), { args, kwargs }, { currentApp: currentApp(context) });
    } catch (error) {
      if (!(error instanceof NoReverseMatch) || this.asvar === null) throw error;
    }
    if (this.asvar !== null) {
      context.set(this.asvar, url);
      return '';
    }
    return context.autoescape ? String(conditionalEscape(url)) : url;
  }
}

// The namespace `{% url %}` prefers: the request's currentApp, else the namespace it resolved in.
function currentApp(context: Context): string | undefined {
  const request = (context as { request?: unknown }).request as
    | { currentApp?: unknown; resolverMatch?: { namespace?: unknown } }
    | undefined;
  if (!request || typeof request !== 'object') return undefined;
  const app = request.currentApp ?? request.resolverMatch?.namespace;
  return typeof app === 'string' && app ? app : undefined;
}

/** The built-in library holding `{% url %}`. */
export const urlLibrary = new Library().tag('url', (parser, token) => {
  const bits = token.splitContents();
  if (bits.length < 2) throw new TemplateSyntaxError(`'${bits[0]}' takes at least one argument, a URL pattern name: {% url 'book-detail' book.id %}.`);
  const viewName = parser.compileFilter(bits[1]!);
  let rest = bits.slice(2);
  let asvar: string | null = null;
  if (rest.length >= 2 && rest[rest.length - 2] === 'as') {
    asvar = rest[rest.length - 1]!;
    rest = rest.slice(0, -2);
  }
  const args: FilterExpression[] = [];
  const kwargs = new Map<string, FilterExpression>();
  for (const bit of rest) {
    const m = KWARG.exec(bit);
    if (!m) throw new TemplateSyntaxError(`Malformed argument '${bit}' to the url tag.`);
    if (m[1]) kwargs.set(m[1], parser.compileFilter(m[2]!));
    else args.push(parser.compileFilter(m[2]!));
  }
  return new UrlNode(viewName, args, kwargs, asvar);
});

registerBuiltins(urlLibrary);

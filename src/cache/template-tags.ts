/**
 * `{% load cache %}`: the template fragment cache (Django's `{% cache %}`).
 *
 *   {% cache 500 sidebar request.user.username using="fragments" depends_on="catalog.Book" %}
 *     → timeout (whole seconds, None = forever) → alias (using=, else 'template_fragments'
 *       when CACHES has it, else 'default') → key makeTemplateFragmentKey(name, vary_on)
 *     → Cache.getOrSet: a hit is inserted as it was rendered; a miss renders the body once
 *       (concurrent renders of one cold fragment share that render) and stores its output.
 *
 * `depends_on` is Nuages's addition: the fragment is stored with `dependsOn`, so a write
 * to one of those models makes the next render produce it afresh.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { apps } from '../conf/apps.ts';
import { registerLibrary } from '../template/engine.ts';
import { Library, type TagParser } from '../template/library.ts';
import { Node, type NodeList } from '../template/nodes.ts';
import { TemplateRenderError, TemplateSyntaxError } from '../template/errors.ts';
import type { Context } from '../template/context.ts';
import type { FilterExpression } from '../template/expression.ts';
import { pyRepr, pyStr, stringRepr } from '../template/python.ts';
import { isDecimal } from '../utils/decimal.ts';
import { SafeString } from '../utils/safestring.ts';
import type { Cache } from './cache.ts';
import { caches } from './caches.ts';
import { modelTag, type ModelReference } from './model-tags.ts';

/**
 * The cache key `{% cache %}` stores a fragment under, to read or delete it from code:
 * `template.cache.<name>.<md5 of each vary_on value as Python's str(), each followed by ':'>`,
 * byte for byte Django's `make_template_fragment_key`, so keys match across the two.
 *
 * @example
 * // {% cache 500 sidebar user.username %}…{% endcache %}
 * await cache.delete(makeTemplateFragmentKey('sidebar', ['alice']));
 * // → deletes 'template.cache.sidebar.770553c33dfa3a641da8312d60b3b9ef'
 */
export function makeTemplateFragmentKey(fragmentName: string, varyOn: readonly unknown[] = []): string {
  const hash = createHash('md5');
  for (const value of varyOn) hash.update(`${pyStr(value)}:`, 'utf8');
  return `template.cache.${fragmentName}.${hash.digest('hex')}`;
}

// Fragments whose body is being rendered in this async chain: a body that renders the same
// fragment again (a recursive include) must not join its own single flight and wait forever.
const rendering = new AsyncLocalStorage<ReadonlySet<string>>();

/** The node of `{% cache %}`; see the module comment for what a render does. */
export class CacheNode extends Node {
  readonly nodelist: NodeList;
  readonly expireTime: FilterExpression;
  /** As written: a literal, never a variable (`"x"` keeps its quotes, as in Django). */
  readonly fragmentName: string;
  readonly varyOn: readonly FilterExpression[];
  readonly cacheName: FilterExpression | null;
  readonly dependsOn: FilterExpression | null;

  constructor(
    nodelist: NodeList,
    expireTime: FilterExpression,
    fragmentName: string,
    varyOn: readonly FilterExpression[],
    cacheName: FilterExpression | null,
    dependsOn: FilterExpression | null,
  ) {
    super();
    this.nodelist = nodelist;
    this.expireTime = expireTime;
    this.fragmentName = fragmentName;
    this.varyOn = varyOn;
    this.cacheName = cacheName;
    this.dependsOn = dependsOn;
  }

  override children(): NodeList[] {
    return [this.nodelist];
  }

  override async render(context: Context): Promise<SafeString> {
    // Django's order: the timeout is checked before the alias, the alias before vary_on.
    const timeout = toTimeout(await this.expireTime.resolve(context));
    const fragmentCache = await this.#fragmentCache(context);
    const varyOn: unknown[] = [];
    for (const expression of this.varyOn) varyOn.push(await expression.resolve(context));
    const dependsOn = this.dependsOn === null ? [] : this.#models(await this.dependsOn.resolve(context, true));
    const key = makeTemplateFragmentKey(this.fragmentName, varyOn);
    const id = `${fragmentCache.alias}\0${key}`;
    const outer = rendering.getStore();
    const renderBody = (): Promise<string> => rendering.run(new Set([...(outer ?? []), id]), async () => (await this.nodelist.render(context)).value);
    if (outer?.has(id)) {
      // The body renders itself: render and store as Django does, outside the single flight.
      const tags = dependsOn.length ? await fragmentCache.readTags(dependsOn.map(modelTag)) : undefined;
      const html = await renderBody();
      await fragmentCache.set(key, html, timeout, { tags });
      return new SafeString(html);
    }
    // getOrSet reads the models' tags before rendering, so a write during the render outdates what it stores.
    const html = await fragmentCache.getOrSet(key, renderBody, timeout, dependsOn.length ? { dependsOn } : {});
    return new SafeString(html);
  }

  async #fragmentCache(context: Context): Promise<Cache> {
    const aliases = caches.aliases();
    if (this.cacheName === null) return caches.get(aliases.includes('template_fragments') ? 'template_fragments' : 'default');
    const name = await this.cacheName.resolve(context);
    const alias = typeof name === 'string' || name instanceof SafeString ? pyStr(name) : undefined;
    if (alias === undefined || !aliases.includes(alias)) {
      throw new TemplateSyntaxError(
        `Invalid cache name specified for cache tag: ${pyRepr(name)}. ` +
          `CACHES has ${aliases.map((a) => stringRepr(a)).join(', ') || 'no aliases'}; name one of them in using=, or add the alias to CACHES.`,
      );
    }
    // A known alias whose settings are wrong reports its own error rather than "invalid name".
    return caches.get(alias);
  }

  /** `depends_on`'s value as model references: labels in a string, or a list of labels and model classes. */
  #models(value: unknown): ModelReference[] {
    const problem = (what: string): TemplateRenderError =>
      new TemplateRenderError(
        `{% cache ${this.fragmentName} %}: depends_on=${this.dependsOn!.token} ${what}. Give model labels ` +
          `(depends_on="catalog.Book,catalog.Publisher") or a variable holding a list of model classes or labels.`,
      );
    if (typeof value === 'string' || value instanceof SafeString) {
      const labels = pyStr(value).split(',').map((label) => label.trim()).filter(Boolean);
      if (labels.length === 0) throw problem('names no model');
      for (const label of labels) checkLabel(label, problem);
      return labels;
    }
    const items = isModelClass(value) ? [value] : Array.isArray(value) || value instanceof Set ? [...(value as Iterable<unknown>)] : undefined;
    if (items === undefined) throw problem(value === null ? 'is None (a missing variable?)' : `is ${pyRepr(value)}`);
    return items.map((item) => {
      if (typeof item === 'string' || item instanceof SafeString) {
        checkLabel(pyStr(item), problem);
        return pyStr(item);
      }
      if (isModelClass(item)) return item;
      throw problem(`holds ${pyRepr(item)}, which is neither a model class nor a label`);
    });
  }
}

function isModelClass(value: unknown): value is Exclude<ModelReference, string> {
  return (typeof value === 'function' || (typeof value === 'object' && value !== null)) && '_meta' in value;
}

// A typo in a label would never match a write, and the fragment would stay stale: once the
// registry knows every model, an unknown label is an error; before that, only its shape is checked.
function checkLabel(label: string, problem: (what: string) => Error): void {
  const parts = label.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw problem(`has '${label}', which is not a label like 'catalog.Book'`);
  if (!apps.modelsReady) return;
  try {
    apps.getModel(label);
  } catch (error) {
    throw problem(`names '${label}', which is not an installed model (${(error as Error).message})`);
  }
}

// Python's str.strip() whitespace, which int() ignores around the digits.
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_INT = new RegExp(`^${PY_SPACE}*([+-]?)(\\p{Nd}(?:_?\\p{Nd})*)${PY_SPACE}*$`, 'u');
const DIGIT = /\p{Nd}/u;

/** Django's `int(expire_time)`: whole seconds, or null (None) for "forever". */
function toTimeout(value: unknown): number | null {
  if (value === null) return null;
  const seconds = pyInt(value);
  if (seconds === undefined) {
    throw new TemplateSyntaxError(
      `"cache" tag got a non-integer timeout value: ${pyRepr(value)}. Give the timeout in whole seconds (a number or ` +
        'a variable holding one), or None to keep the fragment until it is evicted.',
    );
  }
  return seconds;
}

/** Python's `int(value)`, or undefined where it raises ValueError/TypeError (or overflows). */
function pyInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (isDecimal(value)) return value.isFinite() ? value.trunc().toNumber() : undefined;
  if (typeof value !== 'string' && !(value instanceof SafeString)) return undefined;
  const match = PY_INT.exec(pyStr(value));
  if (match === null) return undefined;
  let digits = '';
  for (const ch of match[2]!.replaceAll('_', '')) digits += digitValue(ch);
  return Number(`${match[1]}${digits}`);
}

// Unicode lays every decimal digit set out as a run 0…9, so a digit's value is its place in its run.
function digitValue(ch: string): number {
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return code - 0x30;
  let before = 0;
  while (DIGIT.test(String.fromCodePoint(code - before - 1))) before++;
  return before % 10;
}

const parseCacheTag: TagParser = (parser, token) => {
  // Django parses the body first, so an unclosed tag is reported before bad arguments.
  const nodelist = parser.parse(['endcache']);
  parser.deleteFirstToken();
  let bits = token.splitContents();
  if (bits.length < 3) {
    throw new TemplateSyntaxError(
      `'${stringRepr(bits[0]!)}' tag requires at least 2 arguments. Write {% cache 500 sidebar %}…{% endcache %}: ` +
        'a timeout in seconds, then a name for the fragment.',
    );
  }
  // Django reads `using=` only as the last word after the name; depends_on= may sit beside it.
  let cacheName: FilterExpression | null = null;
  let dependsOn: FilterExpression | null = null;
  for (;;) {
    const last = bits[bits.length - 1]!;
    if (bits.length > 3 && cacheName === null && last.startsWith('using=')) cacheName = parser.compileFilter(last.slice('using='.length));
    else if (bits.length > 3 && dependsOn === null && last.startsWith('depends_on=')) dependsOn = parser.compileFilter(last.slice('depends_on='.length));
    else break;
    bits = bits.slice(0, -1);
  }
  const varyOn = bits.slice(3).map((bit) => parser.compileFilter(bit));
  return new CacheNode(nodelist, parser.compileFilter(bits[1]!), bits[2]!, varyOn, cacheName, dependsOn);
};

/** The `cache` library: `{% load cache %}` in any Engine created after `nuages/cache` is imported. */
export const cacheLibrary = new Library().tag('cache', parseCacheTag);

registerLibrary('cache', cacheLibrary);

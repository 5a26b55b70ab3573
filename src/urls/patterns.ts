/**
 * URL patterns and resolvers (Django's django.urls.resolvers).
 *
 * `path()`/`rePath()` → URLPattern (a pattern and a view) or URLResolver (a
 * pattern and an included list). Resolving walks the tree depth-first, each
 * level matching the front of what is left of the path; reversing uses a table
 * each resolver builds once from its patterns, in Django's order, so the same
 * URLconf reverses to the same URLs.
 */
import { InvalidUrlPatternError, NoReverseMatch, Resolver404, UrlconfError } from './errors.ts';
import { getConverter, pyStr, type PathConverter } from './converters.ts';
import { escapeRegex, normalizeRegex, RegexSyntaxError, translateRegex, type ReverseForm } from './regex.ts';
import type { Params, ViewFunction } from './types.ts';
import { escapeLeadingSlashes, quote } from '../http/index.ts';

/** What a URLconf list holds. */
export type UrlEntry = URLPattern | URLResolver;

/** A module (or object) that holds a URLconf: its `urlpatterns`, and optionally its `appName`. */
export interface UrlconfModule {
  readonly urlpatterns: readonly UrlEntry[];
  readonly appName?: string;
}

/** A URLconf: a list of patterns, a module holding one, or a module specifier loaded on first use. */
export type Urlconf = readonly UrlEntry[] | UrlconfModule | string;

/** Loads a URLconf named by a module specifier; installed by base.ts (which knows BASE_DIR). */
let loadModule: (spec: string) => UrlconfModule = (spec) => {
  throw new UrlconfError(`Cannot load the URLconf '${spec}': the URL module loader is not installed.`);
};

/** @internal Installs the loader of string URLconfs. */
export function setUrlconfLoader(loader: (spec: string) => UrlconfModule): void {
  loadModule = loader;
}

// Python's re.compile of a pattern, once per source: every pattern is compiled at definition.
function compile(pattern: string, where: string, options: { renameDuplicates?: boolean } = {}): RegExp {
  try {
    const { source, flags } = translateRegex(pattern, options);
    return new RegExp(source, `${flags}u`);
  } catch (error) {
    if (error instanceof RegexSyntaxError || error instanceof SyntaxError) {
      throw new InvalidUrlPatternError(`${where} is not a valid regular expression: ${error.message}.`, { cause: error });
    }
    throw error;
  }
}

/** The result of matching one pattern against the front of a path. */
interface PatternMatch {
  readonly rest: string;
  readonly args: readonly unknown[];
  readonly kwargs: Params;
}

/** The matching half of a `path()` or `rePath()` entry. */
export interface UrlPatternMatcher {
  /** The Python-syntax regex, as Django shows it in errors (`'books/(?P<id>[0-9]+)/\\Z'`). */
  readonly regex: string;
  readonly converters: ReadonlyMap<string, PathConverter>;
  readonly name: string | undefined;
  match(path: string): PatternMatch | null;
  /** `'books/<int:id>/' [name='book-detail']`, as the technical 404 page lists it. */
  describe(): string;
  toString(): string;
}

const PARAMETER = /<(?:([^>:]+):)?([^>]+)>/g;
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

/**
 * A `path()` route: literal text with `<converter:name>` parameters.
 * Matching applies each converter's `toPython`; a converter that rejects the
 * text makes the pattern not match.
 */
export class RoutePattern implements UrlPatternMatcher {
  readonly route: string;
  readonly regex: string;
  readonly converters: ReadonlyMap<string, PathConverter>;
  readonly name: string | undefined;
  readonly isEndpoint: boolean;
  #compiled: RegExp | undefined;

  constructor(route: string, options: { name?: string; isEndpoint?: boolean } = {}) {
    this.route = route;
    this.name = options.name;
    this.isEndpoint = options.isEndpoint ?? false;
    const converters = new Map<string, PathConverter>();
    let regex = '^';
    let last = 0;
    for (const m of route.matchAll(PARAMETER)) {
      if (/\s/.test(m[0])) throw new InvalidUrlPatternError(`URL route '${route}' has whitespace inside <…>; write '<int:id>', not '<int: id>'.`);
      const converterName = m[1] ?? 'str';
      const parameter = m[2]!;
      if (!IDENTIFIER.test(parameter)) {
        throw new InvalidUrlPatternError(`URL route '${route}' names a parameter '${parameter}', which is not an identifier; use letters, digits and underscores.`);
      }
      const converter = getConverter(converterName);
      if (!converter) {
        throw new InvalidUrlPatternError(
          `URL route '${route}' uses the unknown converter '${converterName}'. Use int, str, slug, uuid or path, or registerConverter() it first.`,
        );
      }
      if (converters.has(parameter)) throw new InvalidUrlPatternError(`URL route '${route}' uses the parameter '${parameter}' twice.`);
      converters.set(parameter, converter);
      regex += escapeRegex(route.slice(last, m.index)) + `(?P<${parameter}>${converter.regex})`;
      last = m.index + m[0].length;
    }
    regex += escapeRegex(route.slice(last));
    if (this.isEndpoint) regex += '\\Z';
    this.regex = regex;
    this.converters = converters;
    if (converters.size) this.#compiled = compile(regex, `URL route '${route}'`);
  }

  match(path: string): PatternMatch | null {
    if (!this.#compiled) {
      // Without parameters a route is plain text: compare strings, skip the regex.
      if (this.isEndpoint) return path === this.route ? { rest: '', args: [], kwargs: {} } : null;
      return path.startsWith(this.route) ? { rest: path.slice(this.route.length), args: [], kwargs: {} } : null;
    }
    const m = this.#compiled.exec(path);
    if (!m) return null;
    const kwargs: Params = {};
    for (const [key, text] of Object.entries(m.groups!)) {
      try {
        kwargs[key] = this.converters.get(key)!.toPython(text!);
      } catch {
        return null;
      }
    }
    return { rest: path.slice(m.index + m[0].length), args: [], kwargs };
  }

  describe(): string {
    return describe(this);
  }

  toString(): string {
    return this.route;
  }
}

/**
 * A `rePath()` pattern: a regular expression in Python's syntax. Named groups
 * become keyword parameters (strings); when there are none, unnamed groups
 * become positional `args`.
 */
export class RegexPattern implements UrlPatternMatcher {
  readonly regex: string;
  readonly converters: ReadonlyMap<string, PathConverter>;
  readonly name: string | undefined;
  readonly isEndpoint: boolean;
  #compiled: RegExp;
  #full: RegExp | undefined;

  constructor(regex: string, options: { name?: string; isEndpoint?: boolean; converters?: ReadonlyMap<string, PathConverter> } = {}) {
    this.regex = regex;
    this.name = options.name;
    this.isEndpoint = options.isEndpoint ?? false;
    this.converters = options.converters ?? new Map();
    this.#compiled = compile(regex, `URL pattern '${regex}'`, { renameDuplicates: Boolean(options.converters) });
    // Django matches an endpoint ending in `$` against the whole path (fullmatch).
    if (this.isEndpoint && regex.endsWith('$')) this.#full = new RegExp(`^(?:${this.#compiled.source})$`, this.#compiled.flags);
  }

  match(path: string): PatternMatch | null {
    const m = (this.#full ?? this.#compiled).exec(path);
    if (!m) return null;
    const kwargs: Params = {};
    let named = false;
    if (m.groups) {
      for (const [key, value] of Object.entries(m.groups)) {
        named = true;
        if (value !== undefined) kwargs[key] = value;
      }
    }
    const args = named ? [] : m.slice(1).map((value) => value ?? null);
    return { rest: path.slice(m.index + m[0].length), args, kwargs };
  }

  describe(): string {
    return describe(this);
  }

  toString(): string {
    return this.regex;
  }
}

function describe(pattern: UrlPatternMatcher): string {
  return `'${pattern}'` + (pattern.name ? ` [name='${pattern.name}']` : '');
}

/**
 * What resolving a path found (Django's ResolverMatch): the view, its
 * arguments, and where in the URLconf it sits. The handler calls
 * `match.func(request, match.kwargs)` and keeps the match on
 * `request.resolverMatch`.
 */
export class ResolverMatch {
  readonly func: ViewFunction;
  /** Positional values: unnamed groups of a `rePath()` without named groups. */
  readonly args: readonly unknown[];
  /** The view's params: captured values merged with the `kwargs` of `path()` and `include()`. */
  readonly kwargs: Params;
  readonly urlName: string | undefined;
  readonly appNames: readonly string[];
  readonly namespaces: readonly string[];
  /** The route of every level joined: `'shop/books/<int:id>/'`. */
  readonly route: string;
  readonly tried: readonly (readonly UrlEntry[])[] | undefined;
  /** Only the values captured from the URL. */
  readonly capturedKwargs: Params;
  /** Only the values given as `kwargs` to `path()` and `include()`. */
  readonly extraKwargs: Params;

  constructor(init: {
    func: ViewFunction;
    args: readonly unknown[];
    kwargs: Params;
    urlName?: string;
    appNames?: readonly (string | undefined)[];
    namespaces?: readonly (string | undefined)[];
    route: string;
    tried?: readonly (readonly UrlEntry[])[];
    capturedKwargs?: Params;
    extraKwargs?: Params;
  }) {
    this.func = init.func;
    this.args = init.args;
    this.kwargs = init.kwargs;
    this.urlName = init.urlName;
    this.appNames = (init.appNames ?? []).filter((n): n is string => Boolean(n));
    this.namespaces = (init.namespaces ?? []).filter((n): n is string => Boolean(n));
    this.route = init.route;
    this.tried = init.tried;
    this.capturedKwargs = init.capturedKwargs ?? {};
    this.extraKwargs = init.extraKwargs ?? {};
  }

  /** The app names joined with ':' (`'shop'`), '' when none. */
  get appName(): string {
    return this.appNames.join(':');
  }

  /** The instance namespaces joined with ':' (`'shop2'`), '' when none. */
  get namespace(): string {
    return this.namespaces.join(':');
  }

  /** `namespace:urlName`, the name `reverse()` takes for this view (or the view's name when unnamed). */
  get viewName(): string {
    const view = this.urlName ?? (this.func.name || 'view');
    return [...this.namespaces, view].join(':');
  }

  toString(): string {
    return `ResolverMatch(func=${this.func.name || '<anonymous>'}, args=${JSON.stringify(this.args)}, kwargs=${JSON.stringify(this.kwargs)}, ` +
      `url_name=${this.urlName ?? 'None'}, app_names=${JSON.stringify(this.appNames)}, namespaces=${JSON.stringify(this.namespaces)}, route='${this.route}')`;
  }
}

/** A pattern and the view it leads to (what `path('…', view)` returns). */
export class URLPattern {
  readonly pattern: UrlPatternMatcher;
  readonly callback: ViewFunction;
  readonly defaultArgs: Params;
  readonly name: string | undefined;

  constructor(pattern: UrlPatternMatcher, callback: ViewFunction, defaultArgs: Params = {}, name?: string) {
    this.pattern = pattern;
    this.callback = callback;
    this.defaultArgs = defaultArgs;
    this.name = name;
  }

  resolve(path: string): ResolverMatch | null {
    const m = this.pattern.match(path);
    if (!m) return null;
    return new ResolverMatch({
      func: this.callback,
      args: m.args,
      kwargs: { ...m.kwargs, ...this.defaultArgs },
      urlName: this.pattern.name,
      route: String(this.pattern),
      capturedKwargs: m.kwargs,
      extraKwargs: this.defaultArgs,
    });
  }

  toString(): string {
    return `<URLPattern ${this.pattern.describe()}>`;
  }
}

/** One way to reverse a name: the forms, the regex they must match, defaults and converters. */
interface Possibility {
  readonly forms: readonly ReverseForm[];
  readonly pattern: string;
  readonly defaults: Params;
  readonly converters: ReadonlyMap<string, PathConverter>;
}

interface ReverseTables {
  readonly lookups: Map<string | Function, Possibility[]>;
  readonly namespaces: Map<string, { prefix: string; resolver: URLResolver; converters: ReadonlyMap<string, PathConverter> }>;
  readonly apps: Map<string, string[]>;
}

const stripCaret = (regex: string): string => (regex.startsWith('^') ? regex.slice(1) : regex);

/**
 * A pattern and the URLconf it includes (what `path('shop/', include(…))`
 * returns; the root URLconf is one too, on the pattern `^/`).
 */
export class URLResolver {
  readonly pattern: UrlPatternMatcher;
  readonly urlconfName: Urlconf;
  readonly defaultKwargs: Params;
  readonly appName: string | undefined;
  readonly namespace: string | undefined;
  #patterns: readonly UrlEntry[] | undefined;
  #tables: ReverseTables | undefined;
  #populating = false;

  constructor(pattern: UrlPatternMatcher, urlconfName: Urlconf, options: { defaultKwargs?: Params; appName?: string; namespace?: string } = {}) {
    this.pattern = pattern;
    this.urlconfName = urlconfName;
    this.defaultKwargs = options.defaultKwargs ?? {};
    this.appName = options.appName;
    this.namespace = options.namespace;
  }

  /** The included module, loaded on first use when it was named by a string. */
  get urlconfModule(): UrlconfModule | readonly UrlEntry[] {
    const conf = this.urlconfName;
    return typeof conf === 'string' ? loadModule(conf) : conf;
  }

  /** The included patterns. */
  get urlPatterns(): readonly UrlEntry[] {
    if (this.#patterns) return this.#patterns;
    const conf = this.urlconfModule;
    const patterns = Array.isArray(conf) ? conf : (conf as UrlconfModule).urlpatterns;
    if (!Array.isArray(patterns)) {
      throw new UrlconfError(
        `The included URLconf ${describeUrlconf(this.urlconfName)} has no urlpatterns list. Export \`urlpatterns\` ` +
          '(an array of path() entries); if it does, a circular import may be reading it before it is defined.',
      );
    }
    for (const entry of patterns) {
      if (!(entry instanceof URLPattern) && !(entry instanceof URLResolver)) {
        throw new UrlconfError(`The URLconf ${describeUrlconf(this.urlconfName)} holds ${describeValue(entry)}; every entry must come from path(), rePath() or include().`);
      }
    }
    this.#patterns = patterns;
    return patterns;
  }

  /**
   * Matches `path` against this resolver and then its patterns, in order.
   * @throws Resolver404 listing the patterns tried.
   */
  resolve(path: string): ResolverMatch {
    const m = this.pattern.match(path);
    if (!m) throw new Resolver404(path);
    const tried: UrlEntry[][] = [];
    for (const entry of this.urlPatterns) {
      let sub: ResolverMatch | null;
      try {
        sub = entry.resolve(m.rest);
      } catch (error) {
        if (!(error instanceof Resolver404)) throw error;
        if (error.prefixMatched) for (const t of error.tried) tried.push([entry, ...t]);
        else tried.push([entry]);
        continue;
      }
      if (!sub) {
        tried.push([entry]);
        continue;
      }
      const kwargs: Params = { ...m.kwargs, ...this.defaultKwargs, ...sub.kwargs };
      // Named parameters anywhere win: then positional ones are dropped, as in Django.
      const args = Object.keys(kwargs).length ? sub.args : [...m.args, ...sub.args];
      if (sub.tried) for (const t of sub.tried) tried.push([entry, ...t]);
      else tried.push([entry]);
      const currentRoute = entry instanceof URLPattern ? '' : String(entry.pattern);
      return new ResolverMatch({
        func: sub.func,
        args,
        kwargs,
        urlName: sub.urlName,
        appNames: [this.appName, ...sub.appNames],
        namespaces: [this.namespace, ...sub.namespaces],
        route: currentRoute ? currentRoute + sub.route.replace(/^\^/, '') : sub.route,
        tried,
        capturedKwargs: sub.capturedKwargs,
        extraKwargs: { ...this.defaultKwargs, ...sub.extraKwargs },
      });
    }
    throw new Resolver404(m.rest, tried);
  }

  #populate(): ReverseTables {
    if (this.#tables) return this.#tables;
    const tables: ReverseTables = { lookups: new Map(), namespaces: new Map(), apps: new Map() };
    // A URLconf that includes itself would recurse forever; Django stops the same way.
    if (this.#populating) return tables;
    this.#populating = true;
    try {
      const add = (key: string | Function, possibility: Possibility): void => {
        const list = tables.lookups.get(key);
        if (list) list.push(possibility);
        else tables.lookups.set(key, [possibility]);
      };
      // Django walks the list backwards: the last pattern of a name is tried first.
      for (const entry of [...this.urlPatterns].reverse()) {
        const prefix = stripCaret(entry.pattern.regex);
        if (entry instanceof URLPattern) {
          const possibility = { forms: normalizeRegex(entry.pattern.regex), pattern: prefix, defaults: entry.defaultArgs, converters: entry.pattern.converters };
          add(entry.callback, possibility);
          if (entry.pattern.name !== undefined) add(entry.pattern.name, possibility);
          continue;
        }
        const sub = entry.#populate();
        if (entry.appName) {
          const list = tables.apps.get(entry.appName);
          if (list) list.push(entry.namespace!);
          else tables.apps.set(entry.appName, [entry.namespace!]);
          tables.namespaces.set(entry.namespace!, { prefix, resolver: entry, converters: entry.pattern.converters });
          continue;
        }
        for (const [key, possibilities] of sub.lookups) {
          for (const p of possibilities) {
            add(key, {
              forms: normalizeRegex(prefix + p.pattern),
              pattern: prefix + p.pattern,
              defaults: { ...p.defaults, ...entry.defaultKwargs },
              converters: new Map([...this.pattern.converters, ...entry.pattern.converters, ...p.converters]),
            });
          }
        }
        for (const [namespace, ns] of sub.namespaces) {
          tables.namespaces.set(namespace, {
            prefix: prefix + ns.prefix,
            resolver: ns.resolver,
            converters: new Map([...ns.converters, ...entry.pattern.converters]),
          });
        }
        for (const [app, namespaces] of sub.apps) {
          const list = tables.apps.get(app);
          if (list) list.push(...namespaces);
          else tables.apps.set(app, [...namespaces]);
        }
      }
    } finally {
      this.#populating = false;
    }
    this.#tables = tables;
    return tables;
  }

  /** Instance namespaces by app name (Django's app_dict), for `reverse()`. */
  get appDict(): ReadonlyMap<string, readonly string[]> {
    return this.#populate().apps;
  }

  /** Namespaced resolvers by instance namespace, with the prefix pattern that leads to each. */
  get namespaceDict(): ReadonlyMap<string, { readonly prefix: string; readonly resolver: URLResolver; readonly converters: ReadonlyMap<string, PathConverter> }> {
    return this.#populate().namespaces;
  }

  /**
   * Builds the URL of `lookup` (a pattern name or a view function) below
   * `prefix`, trying each candidate pattern as Django does: the right set of
   * parameters, defaults that agree, converters that accept the values, and
   * the written URL matching the pattern again.
   *
   * @throws NoReverseMatch naming the patterns tried.
   */
  reverseWithPrefix(lookup: string | Function, prefix: string, args: readonly unknown[], kwargs: Params): string {
    const possibilities = this.#populate().lookups.get(lookup) ?? [];
    const names = Object.keys(kwargs);
    for (const possibility of possibilities) {
      for (const form of possibility.forms) {
        let subs: Params;
        if (args.length) {
          if (args.length !== form.params.length) continue;
          subs = Object.fromEntries(form.params.map((param, i) => [param, args[i]]));
        } else {
          const params = new Set(form.params);
          if (names.some((n) => !params.has(n) && !(n in possibility.defaults))) continue;
          if (form.params.some((p) => !(p in kwargs) && !(p in possibility.defaults))) continue;
          let agree = true;
          for (const [key, value] of Object.entries(possibility.defaults)) {
            if (!params.has(key) && key in kwargs && kwargs[key] !== value) {
              agree = false;
              break;
            }
          }
          if (!agree) continue;
          subs = kwargs;
        }
        const text = new Map<string, string>();
        let accepted = true;
        for (const [key, value] of Object.entries(subs)) {
          const converter = possibility.converters.get(key);
          if (!converter) {
            text.set(key, pyStr(value));
            continue;
          }
          try {
            text.set(key, converter.toUrl(value));
          } catch {
            accepted = false;
            break;
          }
        }
        if (!accepted) continue;
        let candidate = prefix;
        let complete = true;
        for (const piece of form.pieces) {
          if (typeof piece === 'string') candidate += piece;
          else {
            const value = text.get(piece.param);
            if (value === undefined) {
              complete = false;
              break;
            }
            candidate += value;
          }
        }
        if (!complete) continue;
        if (verifier(prefix, possibility.pattern).test(candidate)) {
          return escapeLeadingSlashes(quote(candidate, "!$&'()*+,;=/~:@"));
        }
      }
    }
    const shown = typeof lookup === 'function' ? lookup.name || '<anonymous view>' : lookup;
    if (!possibilities.length) {
      throw new NoReverseMatch(`Reverse for '${shown}' not found: '${shown}' is neither a URL pattern name nor a view in the URLconf. Check the name passed to reverse() or {% url %}.`);
    }
    const given = args.length ? `arguments ${JSON.stringify(args)}` : names.length ? `keyword arguments ${JSON.stringify(kwargs)}` : 'no arguments';
    const tried = possibilities.map((p) => `'${p.pattern}'`).join(', ');
    throw new NoReverseMatch(
      `Reverse for '${shown}' with ${given} not found. ${possibilities.length} pattern(s) tried: [${tried}]. ` +
        'Pass the parameters the pattern captures, with values its converters accept.',
    );
  }

  toString(): string {
    const label = this.appName ? ` (${this.appName}:${this.namespace})` : '';
    return `<URLResolver ${describeUrlconf(this.urlconfName)}${label} ${this.pattern.describe()}>`;
  }
}

const verifiers = new Map<string, RegExp>();

/** The regex a written URL must match: the prefix, then the pattern (Django re-checks with re.search). */
function verifier(prefix: string, pattern: string): RegExp {
  const key = `${prefix}\0${pattern}`;
  let regex = verifiers.get(key);
  if (!regex) {
    regex = compile(`^${escapeRegex(prefix)}${pattern}`, `URL pattern '${pattern}'`, { renameDuplicates: true });
    verifiers.set(key, regex);
  }
  return regex;
}


function describeUrlconf(conf: Urlconf): string {
  if (typeof conf === 'string') return `'${conf}'`;
  return Array.isArray(conf) ? `[${conf.length} pattern(s)]` : 'module';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `the function ${value.name || '<anonymous>'}`;
  return typeof value === 'object' ? `a ${value.constructor?.name ?? 'object'}` : `the ${typeof value} ${JSON.stringify(value)}`;
}

// --- path(), rePath(), include() ------------------------------------------------

const INCLUDE = Symbol('nuages.include');

/** What `include()` returns: the URLconf to mount and its app name and namespace. */
export interface Included {
  readonly [INCLUDE]: true;
  readonly urlconf: Urlconf;
  readonly appName: string | undefined;
  readonly namespace: string | undefined;
}

/** Options of {@link include}. */
export interface IncludeOptions {
  /** The instance namespace (`reverse('shop2:book-detail')`); defaults to the app name. */
  namespace?: string;
  /** The application namespace, when the included module does not export `appName`. */
  appName?: string;
}

/**
 * Mounts a URLconf under a prefix: `path('shop/', include(shopUrls))`.
 * `urlconf` is a list of patterns, a module exporting `urlpatterns` (and
 * `appName` for a namespace), or a module specifier loaded on first use
 * (relative to BASE_DIR, like ROOT_URLCONF).
 *
 * @example
 * import * as catalog from './catalog/urls.ts'; // exports urlpatterns and appName = 'catalog'
 * path('catalog/', include(catalog)),                              // reverse('catalog:book-list')
 * path('shop/', include(shopPatterns, { appName: 'shop', namespace: 'shop-eu' })),
 * @throws InvalidUrlPatternError for a namespace without an app name.
 */
export function include(urlconf: Urlconf, options: IncludeOptions = {}): Included {
  let appName = options.appName;
  if (urlconf && typeof urlconf === 'object' && !Array.isArray(urlconf)) {
    const module = urlconf as UrlconfModule;
    if (!('urlpatterns' in module)) throw new UrlconfError('include() received an object without urlpatterns; pass a module that exports `urlpatterns`, or the list itself.');
    appName = module.appName ?? appName;
  } else if (typeof urlconf !== 'string' && !Array.isArray(urlconf)) {
    throw new InvalidUrlPatternError(`include() takes a list of patterns, a module with urlpatterns, or a module specifier; it received ${describeValue(urlconf)}.`);
  }
  if (options.namespace && !appName) {
    throw new InvalidUrlPatternError(
      `include() was given the namespace '${options.namespace}' but no app name. Export \`appName\` from the included ` +
        "module, or pass include(patterns, { appName: '…', namespace }).",
    );
  }
  return { [INCLUDE]: true, urlconf, appName, namespace: options.namespace ?? appName };
}

/** Options of {@link path} and {@link rePath}. */
export interface PathOptions {
  /** The name `reverse()` and `{% url %}` use. */
  name?: string;
  /** Extra params passed to the view (and to every view of an include). */
  kwargs?: Params;
}

function makeEntry(pattern: (isEndpoint: boolean, name: string | undefined) => UrlPatternMatcher, route: string, view: ViewFunction | Included, options: PathOptions | string | undefined): UrlEntry {
  const opts: PathOptions = typeof options === 'string' ? { name: options } : (options ?? {});
  if (opts.kwargs !== undefined && (typeof opts.kwargs !== 'object' || opts.kwargs === null || Array.isArray(opts.kwargs))) {
    throw new InvalidUrlPatternError(`The kwargs of the pattern '${route}' must be an object of params; got ${describeValue(opts.kwargs)}.`);
  }
  if (view && typeof view === 'object' && INCLUDE in view) {
    return new URLResolver(pattern(false, undefined), view.urlconf, { defaultKwargs: opts.kwargs, appName: view.appName, namespace: view.namespace });
  }
  if (typeof view === 'function') {
    if (/^class[\s{]/.test(Function.prototype.toString.call(view))) {
      throw new InvalidUrlPatternError(`The view of '${route}' is the class ${view.name}; pass ${view.name}.asView(), not the class.`);
    }
    return new URLPattern(pattern(true, opts.name), view, opts.kwargs ?? {}, opts.name);
  }
  if (Array.isArray(view)) {
    throw new InvalidUrlPatternError(`The pattern '${route}' was given a list; wrap it in include(): path('${route}', include([...])).`);
  }
  throw new InvalidUrlPatternError(`The view of '${route}' must be a function or include(…); got ${describeValue(view)}.`);
}

/**
 * A URL pattern from a route with `<converter:name>` parameters.
 *
 * @example
 * path('books/<int:id>/', bookDetail, { name: 'book-detail' })   // params.id is a number
 * path('shop/', include('shop/urls'))
 * @throws InvalidUrlPatternError for an unknown converter, a bad parameter name or a bad view.
 */
export function path(route: string, view: ViewFunction | Included, options?: PathOptions | string): UrlEntry {
  return makeEntry((isEndpoint, name) => new RoutePattern(route, { name, isEndpoint }), route, view, options);
}

/**
 * A URL pattern from a regular expression in Python's syntax (Django's re_path).
 * Named groups give string params; unnamed groups (when there are no named
 * ones) give positional `resolverMatch.args`.
 *
 * @example rePath('^archive/(?P<year>[0-9]{4})/$', yearArchive, { name: 'archive' })
 */
export function rePath(regex: string, view: ViewFunction | Included, options?: PathOptions | string): UrlEntry {
  return makeEntry((isEndpoint, name) => new RegexPattern(regex, { name, isEndpoint }), regex, view, options);
}

/**
 * The project's URLconf and the functions that use it: `resolve()`,
 * `reverse()`, `reverseLazy()` (Django's django.urls.base).
 *
 * ROOT_URLCONF names a module (relative to BASE_DIR, like INSTALLED_APPS:
 * `'urls'`, `'mysite/urls'`, `'mysite.urls'`, or a package specifier) whose
 * `urlpatterns` export is the list. It is loaded on first use, synchronously
 * (Node's `require()` of ES modules), so `reverse()` works anywhere, templates
 * included. A URLconf that uses top-level `await` cannot load that way: call
 * `await loadUrlconf()` once at start-up and the rest stays synchronous.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { settingOr, settings } from '../conf/lazy-settings.ts';
import { NoReverseMatch, Resolver404, UrlconfError } from './errors.ts';
import { RegexPattern, ResolverMatch, setUrlconfLoader, URLResolver, type Urlconf, type UrlconfModule } from './patterns.ts';
import { pyStr, type PathConverter } from './converters.ts';
import type { Params, ViewFunction } from './types.ts';
import { quote } from '../http/index.ts';
import { getScriptPrefix } from './script-prefix.ts';

// --- script prefix: kept in script-prefix.ts, which settings read too -------

export { getScriptPrefix, runWithScriptPrefix, setScriptPrefix } from './script-prefix.ts';

// --- loading URLconf modules ------------------------------------------------

const MODULE_EXTENSIONS = ['.ts', '.js', '.mts', '.mjs'];
const modules = new Map<string, UrlconfModule>();
const requireHere = createRequire(import.meta.url);

function baseDir(): string {
  return settings.configured ? String(settingOr('BASE_DIR', undefined)) : process.cwd();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file a URLconf specifier names, or undefined with the places looked at. */
function locate(spec: string, base: string): { file?: string; tried: string[] } {
  const tried: string[] = [];
  const candidatesFor = (stem: string): string[] => [stem, ...MODULE_EXTENSIONS.map((ext) => stem + ext), ...MODULE_EXTENSIONS.map((ext) => join(stem, `index${ext}`))];
  const stems: string[] = [];
  if (spec.startsWith('file:')) stems.push(fileURLToPath(spec));
  else {
    stems.push(isAbsolute(spec) ? spec : resolvePath(base, spec));
    if (/^[\w.]+$/.test(spec) && spec.includes('.') && !MODULE_EXTENSIONS.some((ext) => spec.endsWith(ext))) {
      stems.push(resolvePath(base, spec.replaceAll('.', '/')));
    }
  }
  for (const stem of stems) {
    for (const candidate of candidatesFor(stem)) {
      tried.push(candidate);
      if (isFile(candidate)) return { file: candidate, tried };
    }
  }
  const bare = !spec.startsWith('.') && !isAbsolute(spec) && !spec.startsWith('file:');
  if (bare) {
    try {
      return { file: createRequire(join(base, 'noop.js')).resolve(spec), tried };
    } catch {
      try {
        return { file: fileURLToPath(import.meta.resolve(spec)), tried };
      } catch {
        tried.push(`package '${spec}'`);
      }
    }
  }
  return { tried };
}

function fileFor(spec: string): string {
  const base = baseDir();
  const { file, tried } = locate(spec, base);
  if (!file) {
    throw new UrlconfError(
      `The URLconf '${spec}' was not found (BASE_DIR is ${base}; looked for ${tried.slice(0, 6).join(', ')}${tried.length > 6 ? ', …' : ''}). ` +
        "Fix ROOT_URLCONF or the include(): it names a module relative to BASE_DIR, such as 'urls' or 'catalog/urls'.",
    );
  }
  return file;
}

function checkModule(spec: string, file: string, exported: Record<string, unknown>): UrlconfModule {
  if (!Array.isArray(exported['urlpatterns'])) {
    throw new UrlconfError(
      `The URLconf '${spec}' (${file}) does not export a urlpatterns array. Add \`export const urlpatterns = [path(…), …]\`; ` +
        'if it is there, a circular import may be reading the module before urlpatterns is defined.',
    );
  }
  return exported as unknown as UrlconfModule;
}

function loadSync(spec: string): UrlconfModule {
  const file = fileFor(spec);
  const cached = modules.get(file);
  if (cached) return cached;
  let exported: Record<string, unknown>;
  try {
    exported = requireHere(file) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_REQUIRE_ASYNC_MODULE') {
      throw new UrlconfError(
        `The URLconf '${spec}' (${file}) uses top-level await, so it cannot be loaded on demand. ` +
          'Call `await loadUrlconf()` (from nuages/urls) once at start-up, before resolving or reversing.',
        { cause: error },
      );
    }
    throw new UrlconfError(`Could not import the URLconf '${spec}' (${file}): ${(error as Error).message}`, { cause: error });
  }
  const module = checkModule(spec, file, exported);
  modules.set(file, module);
  return module;
}

setUrlconfLoader(loadSync);

/**
 * Imports a URLconf module (ROOT_URLCONF by default) with `import()`, so a
 * module that uses top-level await is ready for the synchronous `resolve()`
 * and `reverse()`. Modules without top-level await need no call.
 */
export async function loadUrlconf(urlconf: string | null = rootUrlconf()): Promise<UrlconfModule> {
  if (urlconf === null) throw missingRootUrlconf();
  const file = fileFor(urlconf);
  const cached = modules.get(file);
  if (cached) return cached;
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UrlconfError(`Could not import the URLconf '${urlconf}' (${file}): ${(error as Error).message}`, { cause: error });
  }
  const module = checkModule(urlconf, file, exported);
  modules.set(file, module);
  return module;
}

// --- resolvers ----------------------------------------------------------------

const resolvers = new Map<unknown, URLResolver>();

function rootUrlconf(): string | null {
  return settingOr<string | null>('ROOT_URLCONF', null);
}

// The last root resolver looked up by name: every request asks for the same one.
let lastConf: string | undefined;
let lastBase: string | undefined;
let lastResolver: URLResolver | undefined;

function missingRootUrlconf(): UrlconfError {
  return new UrlconfError(
    "ROOT_URLCONF is not set. Add ROOT_URLCONF: 'urls' to the settings (a module relative to BASE_DIR that exports urlpatterns), " +
      'or pass the urlconf to resolve()/reverse().',
  );
}

/**
 * The root resolver of `urlconf` (default: ROOT_URLCONF), built once per
 * URLconf; its pattern is `^/`, so paths start with a slash.
 */
export function getResolver(urlconf?: Urlconf | null): URLResolver {
  const conf = urlconf ?? rootUrlconf();
  if (conf === null) throw missingRootUrlconf();
  const base = typeof conf === 'string' ? baseDir() : undefined;
  if (conf === lastConf && base === lastBase && lastResolver !== undefined) return lastResolver;
  const key = typeof conf === 'string' ? `${base}\0${conf}` : conf;
  let resolver = resolvers.get(key);
  if (!resolver) {
    resolver = new URLResolver(new RegexPattern('^/'), conf);
    resolvers.set(key, resolver);
  }
  if (typeof conf === 'string') {
    lastConf = conf;
    lastBase = base;
    lastResolver = resolver;
  }
  return resolver;
}

/**
 * Matches of parameterless paths, per root resolver. Such a match depends on the path
 * alone, so it is computed once; every hit is a copy with its own kwargs object (a
 * view may write to its params). Dropped when the resolver's pattern list is replaced
 * or changes length, and by clearUrlCaches().
 */
interface StaticMatches {
  patterns: readonly unknown[];
  length: number;
  matches: Map<string, ResolverMatch>;
}

const STATIC_MATCHES_MAX = 1024;
let staticMatches = new WeakMap<URLResolver, StaticMatches>();

function resolveWithCache(resolver: URLResolver, path: string): ResolverMatch {
  const patterns = resolver.urlPatterns;
  let cache = staticMatches.get(resolver);
  if (cache === undefined || cache.patterns !== patterns || cache.length !== patterns.length) {
    cache = { patterns, length: patterns.length, matches: new Map() };
    staticMatches.set(resolver, cache);
  }
  const hit = cache.matches.get(path);
  if (hit !== undefined) return copyMatch(hit);
  const match = resolver.resolve(path);
  if (match.args.length === 0 && isEmpty(match.kwargs) && cache.matches.size < STATIC_MATCHES_MAX) {
    cache.matches.set(path, copyMatch(match));
  }
  return match;
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

function copyMatch(match: ResolverMatch): ResolverMatch {
  return new ResolverMatch({
    func: match.func,
    args: [],
    kwargs: {},
    urlName: match.urlName,
    appNames: match.appNames,
    namespaces: match.namespaces,
    route: match.route,
    tried: match.tried,
    capturedKwargs: {},
    extraKwargs: {},
  });
}

/** Forgets built resolvers and loaded URLconf modules' patterns (tests that swap URLconfs). */
export function clearUrlCaches(): void {
  resolvers.clear();
  nsResolvers = new WeakMap();
  staticMatches = new WeakMap();
  lastConf = undefined;
  lastBase = undefined;
  lastResolver = undefined;
}

/**
 * The view and params for `path` (which starts with '/').
 *
 * @example resolve('/books/3/') // ResolverMatch { urlName: 'book-detail', kwargs: { id: 3 }, route: 'books/<int:id>/' }
 * @throws Resolver404 (an Http404) listing the patterns tried.
 */
export function resolve(path: string, urlconf?: Urlconf | null): ResolverMatch {
  return resolveWithCache(getResolver(urlconf), path);
}

/**
 * The match for `path`, or false when nothing matches (Django's
 * is_valid_path; the common middleware asks it before adding a slash).
 */
export function isValidPath(path: string, urlconf?: Urlconf | null): ResolverMatch | false {
  try {
    return resolve(path, urlconf);
  } catch (error) {
    if (error instanceof Resolver404) return false;
    throw error;
  }
}

// --- reverse ------------------------------------------------------------------

/** A query string for `reverse()`: an object (arrays repeat the key), pairs, or a QueryDict. */
export type QueryInput =
  | Readonly<Record<string, unknown>>
  | Iterable<readonly [string, unknown]>
  | { urlencode(): string };

/** Options of {@link reverse} besides the parameters. */
export interface ReverseOptions {
  /** Positional values, for patterns with unnamed groups (or named ones, in order). */
  args?: readonly unknown[];
  /** Named params. */
  kwargs?: Params;
  /** Another URLconf than ROOT_URLCONF. */
  urlconf?: Urlconf;
  /** The instance namespace to prefer for an app namespace (`{% url %}` passes the request's). */
  currentApp?: string;
  /** Appended as `?…` (Django 5.2's `query`). */
  query?: QueryInput;
  /** Appended as `#…`. */
  fragment?: string;
}

let nsResolvers = new WeakMap<URLResolver, Map<string, URLResolver>>();

// A resolver for the patterns of a namespaced include, below the prefix that leads to it.
function nsResolver(prefix: string, resolver: URLResolver, converters: ReadonlyMap<string, PathConverter>): URLResolver {
  let byPrefix = nsResolvers.get(resolver);
  if (!byPrefix) nsResolvers.set(resolver, (byPrefix = new Map()));
  let ns = byPrefix.get(prefix);
  if (!ns) {
    const inner = new URLResolver(new RegexPattern(prefix, { converters }), resolver.urlPatterns);
    ns = new URLResolver(new RegexPattern('^/'), [inner]);
    byPrefix.set(prefix, ns);
  }
  return ns;
}

function isOptionsForm(value: unknown): value is ReverseOptions {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const o = value as ReverseOptions;
  return (Array.isArray(o.args) || (o.kwargs !== undefined && typeof o.kwargs === 'object')) && ('args' in o || 'kwargs' in o);
}

/**
 * The URL of a named pattern (or of a view function), with Django's rules:
 * values go through the converters' `toUrl`, the URL must match the pattern
 * again, characters outside RFC 3986's path characters are percent-encoded,
 * and the script prefix comes first.
 *
 * The second argument is the params (an object), positional args (an array),
 * or `{ args }`/`{ kwargs }` with other options.
 *
 * @example
 * reverse('book-detail', { id: 3 })                          // '/books/3/'
 * reverse('shop:book-detail', [3])                            // '/shop/books/3/'
 * reverse('book-list', {}, { query: { page: 2 }, fragment: 'top' }) // '/books/?page=2#top'
 * @throws NoReverseMatch when no pattern fits; TypeError when given both args and kwargs.
 */
export function reverse(viewname: string | ViewFunction, params?: Params | readonly unknown[] | ReverseOptions, options: Omit<ReverseOptions, 'args' | 'kwargs'> = {}): string {
  let args: readonly unknown[] = [];
  let kwargs: Params = {};
  let opts: ReverseOptions = options;
  if (Array.isArray(params)) args = params;
  else if (isOptionsForm(params)) {
    opts = { ...params, ...options };
    args = params.args ?? [];
    kwargs = params.kwargs ?? {};
  } else if (params) kwargs = params as Params;
  if (args.length && Object.keys(kwargs).length) {
    throw new TypeError(`reverse('${String(typeof viewname === 'string' ? viewname : viewname.name)}') was given both positional args and named params; pass one or the other.`);
  }
  let resolver = getResolver(opts.urlconf);
  let view: string | Function = viewname;
  if (typeof viewname === 'string') {
    const path = viewname.split(':');
    view = path.pop()!;
    let current = opts.currentApp ? opts.currentApp.split(':').reverse() : null;
    const resolvedPath: string[] = [];
    let nsPattern = '';
    const nsConverters = new Map<string, PathConverter>();
    for (let ns of path) {
      const currentNs = current?.length ? current.pop() : undefined;
      // An app name stands for one of its instances: the current one, the default one, or the first.
      const instances = resolver.appDict.get(ns);
      if (instances) {
        if (currentNs && instances.includes(currentNs)) ns = currentNs;
        else if (!instances.includes(ns)) ns = instances[0]!;
      }
      if (ns !== currentNs) current = null;
      const entry = resolver.namespaceDict.get(ns);
      if (!entry) {
        throw new NoReverseMatch(
          resolvedPath.length
            ? `'${ns}' is not a registered namespace inside '${resolvedPath.join(':')}'. Check the name '${viewname}' and the include()s' namespaces.`
            : `'${ns}' is not a registered namespace. Check the name '${viewname}', or give the include() an appName/namespace.`,
        );
      }
      resolvedPath.push(ns);
      nsPattern += entry.prefix;
      for (const [key, converter] of entry.converters) nsConverters.set(key, converter);
      resolver = entry.resolver;
    }
    if (nsPattern) resolver = nsResolver(nsPattern, resolver, nsConverters);
  }
  let url = resolver.reverseWithPrefix(view, getScriptPrefix(), args, kwargs);
  if (opts.query !== undefined) {
    const qs = urlencode(opts.query);
    if (qs) url += `?${qs}`;
  }
  if (opts.fragment !== undefined) url += `#${opts.fragment}`;
  return url;
}


/** Python's urlencode(query, doseq=True). */
function urlencode(query: QueryInput): string {
  if (typeof (query as { urlencode?: unknown }).urlencode === 'function') return (query as { urlencode(): string }).urlencode();
  const pairs: Iterable<readonly [string, unknown]> =
    Symbol.iterator in (query as object) ? (query as Iterable<readonly [string, unknown]>) : Object.entries(query as Record<string, unknown>);
  const out: string[] = [];
  for (const [key, value] of pairs) {
    const k = quote(pyStr(key), '', true);
    if (typeof value !== 'string' && value !== null && typeof value === 'object' && Symbol.iterator in value) {
      for (const item of value as Iterable<unknown>) out.push(`${k}=${quote(pyStr(item), '', true)}`);
    } else out.push(`${k}=${quote(pyStr(value), '', true)}`);
  }
  return out.join('&');
}

/**
 * A URL computed when first turned into a string (Django's reverse_lazy): for
 * values defined at import time, before the URLconf can be loaded, such as
 * a RedirectView's `url` or a class's `successUrl`.
 */
export class LazyUrl {
  readonly #compute: () => string;
  constructor(compute: () => string) {
    this.#compute = compute;
  }
  toString(): string {
    return this.#compute();
  }
  valueOf(): string {
    return this.#compute();
  }
  toJSON(): string {
    return this.#compute();
  }
}

/** `reverse()`, deferred until the value is used as a string. */
export function reverseLazy(viewname: string | ViewFunction, params?: Params | readonly unknown[] | ReverseOptions, options?: Omit<ReverseOptions, 'args' | 'kwargs'>): LazyUrl {
  return new LazyUrl(() => reverse(viewname, params, options));
}


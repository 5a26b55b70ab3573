/**
 * The template engine: settings, loaders, libraries (Django's Engine).
 *
 * name → loaders (cached → filesystem / app dirs / locmem) → Template
 * (lexer → parser → compiler) → render(context) → string.
 */
import { readdir } from 'node:fs/promises';
import { join, extname, basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Template, type FoundTemplate, type Origin, type TemplateEngine } from './template.ts';
import { Context, RequestContext, type ContextProcessor } from './context.ts';
import { Library } from './library.ts';
import { TemplateDoesNotExist, type TriedSource } from './errors.ts';
import type { Loader } from './loaders/base.ts';
import { CachedLoader } from './loaders/cached.ts';
import { FilesystemLoader, AppDirectoriesLoader } from './loaders/filesystem.ts';
import { defaultTags } from './builtins/tags.ts';
import { builtinFilters } from './builtins/filters.ts';
import { isThenable } from './runtime.ts';
import { i18nLibrary, l10nLibrary, tzLibrary } from './builtins/i18n.ts';
import { staticLibrary } from './builtins/static.ts';

/** Options of {@link Engine}; Django's TEMPLATES settings in camelCase. */
export interface EngineOptions {
  /** Directories searched by the filesystem loader (Django's DIRS). */
  dirs?: readonly string[];
  /** Folders of installed apps: `<app>/templates/` holds templates, `<app>/templatetags/` libraries. */
  appDirs?: readonly string[];
  /** Explicit loaders; replaces the default (filesystem + app directories, cached unless debug). */
  loaders?: readonly Loader[];
  debug?: boolean;
  /** Escape `{{ }}` output (default true). */
  autoescape?: boolean;
  /** What a missing variable renders as; `%s` is replaced by its name (default ''). */
  stringIfInvalid?: string;
  /** Libraries for `{% load name %}`: a Library or a module path exporting `register`/default. */
  libraries?: Record<string, Library | string>;
  /** Libraries loaded into every template, like the built-in tags (Library or module path). */
  builtins?: readonly (Library | string)[];
  /** Functions `(request) => object` whose results every RequestContext sees. */
  contextProcessors?: readonly ContextProcessor[];
  /** IANA time zone dates render in (default 'UTC'). */
  timeZone?: string;
}

const BUILTIN_LIBRARY = new Library().addFilters(builtinFilters);
const EXTRA_BUILTINS: Library[] = [];
// Libraries every engine can {% load %}, as Django's template backend installs them.
const DEFAULT_LIBRARIES = new Map<string, Library>([
  ['static', staticLibrary],
  ['i18n', i18nLibrary],
  ['l10n', l10nLibrary],
  ['tz', tzLibrary],
]);

/**
 * Makes `{% load name %}` find `library` in every Engine created afterwards:
 * the slot for libraries subsystems ship (`static` from staticfiles, `cache`
 * from the cache framework). An engine's own `libraries` option wins.
 */
export function registerLibrary(name: string, library: Library): void {
  DEFAULT_LIBRARIES.set(name, library);
}

/**
 * Adds a library to the built-ins of every Engine created afterwards. This is
 * the slot subsystems use for tags Django ships as built-ins of their own
 * (`{% url %}` from urls, `{% static %}` from staticfiles, `{% cache %}` from
 * the cache framework), so templates need no `{% load %}` for them.
 *
 * @example registerBuiltins(new Library().simpleTag('url', (name, ...args) => reverse(name, args)));
 */
export function registerBuiltins(library: Library): void {
  if (!EXTRA_BUILTINS.includes(library)) EXTRA_BUILTINS.push(library);
}

/**
 * Compiles and renders templates.
 *
 * @example
 * const engine = new Engine({ dirs: ['templates'] });
 * const html = await engine.renderToString('index.html', { user });
 */
export class Engine implements TemplateEngine {
  readonly dirs: readonly string[];
  readonly appDirs: readonly string[];
  readonly debug: boolean;
  readonly autoescape: boolean;
  readonly stringIfInvalid: string;
  readonly timeZone: string;
  readonly contextProcessors: readonly ContextProcessor[];
  readonly loaders: readonly Loader[];
  #builtins: Library[];
  #generation = 0;
  #libraries = new Map<string, Library>(DEFAULT_LIBRARIES);
  #ready: Promise<void> | undefined;
  #loaded = false;
  #options: EngineOptions;

  constructor(options: EngineOptions = {}) {
    this.#options = options;
    this.dirs = options.dirs ?? [];
    this.appDirs = options.appDirs ?? [];
    this.debug = options.debug ?? false;
    this.autoescape = options.autoescape ?? true;
    this.stringIfInvalid = options.stringIfInvalid ?? '';
    this.timeZone = options.timeZone ?? 'UTC';
    this.contextProcessors = options.contextProcessors ?? [];
    if (options.loaders) this.loaders = options.loaders;
    else {
      const loaders: Loader[] = [new FilesystemLoader(this.dirs)];
      if (this.appDirs.length) loaders.push(new AppDirectoriesLoader(this.appDirs));
      this.loaders = this.debug ? loaders : [new CachedLoader(loaders)];
    }
    this.#builtins = [defaultTags, BUILTIN_LIBRARY, ...EXTRA_BUILTINS];
    let pending = false;
    for (const builtin of options.builtins ?? []) {
      if (builtin instanceof Library) this.#builtins.push(builtin);
      else pending = true;
    }
    for (const [name, library] of Object.entries(options.libraries ?? {})) {
      if (library instanceof Library) this.#libraries.set(name, library);
      else pending = true;
    }
    if (!pending && !this.appDirs.length) this.#loaded = true;
  }

  /**
   * Imports the libraries given as module paths and those in each app's
   * `templatetags/` folder. `getTemplate` and `renderToString` wait for it;
   * call it yourself before `fromString` when templates `{% load %}` them.
   */
  ready(): Promise<void> {
    this.#ready ??= this.#loadLibraries().then(() => {
      this.#loaded = true;
    });
    return this.#ready;
  }

  builtinLibraries(): readonly Library[] {
    return this.#builtins;
  }

  loadableLibraries(): ReadonlyMap<string, Library> {
    return this.#libraries;
  }

  loadHint(): string {
    return this.#loaded ? '' : '\n(Libraries from module paths and app templatetags/ load asynchronously: await engine.ready() before fromString().)';
  }

  /** Compiles template source (throws TemplateSyntaxError). */
  fromString(source: string, name = '<string>'): Template {
    return new Template(source, this, { templateName: name, name, loader: 'string' });
  }

  /** Loads and compiles `name`; throws TemplateDoesNotExist listing the places tried. */
  async getTemplate(name: string): Promise<Template> {
    if (!this.#loaded) await this.ready();
    return (await this.findTemplate(name)).template;
  }

  /** The first of `names` that exists. */
  async selectTemplate(names: readonly string[]): Promise<Template> {
    if (!names.length) throw new TemplateDoesNotExist('', []);
    const tried: TriedSource[] = [];
    for (const name of names) {
      try {
        return await this.getTemplate(name);
      } catch (error) {
        if (!(error instanceof TemplateDoesNotExist)) throw error;
        tried.push(...error.tried);
      }
    }
    throw new TemplateDoesNotExist(names.join(', '), tried);
  }

  /**
   * Finds a template through the loaders. Synchronous when the cached loader
   * already holds it. `page.html#name` returns the partial `name` of `page.html`.
   */
  findTemplate(name: string, skip: readonly Origin[] = []): FoundTemplate | Promise<FoundTemplate> {
    const hash = name.indexOf('#');
    if (hash !== -1) {
      const found = this.findTemplate(name.slice(0, hash), skip);
      const partial = name.slice(hash + 1);
      const pick = (f: FoundTemplate): FoundTemplate => ({ template: f.template.partial(partial), origin: f.origin });
      return isThenable(found) ? (found as Promise<FoundTemplate>).then(pick) : pick(found as FoundTemplate);
    }
    if (this.loaders.length === 1 && this.loaders[0] instanceof CachedLoader) {
      const hit = this.loaders[0].peek(name, skip);
      if (hit && 'template' in hit) return hit;
    }
    return this.#find(name, skip);
  }

  async #find(name: string, skip: readonly Origin[]): Promise<FoundTemplate> {
    const tried: TriedSource[] = [];
    for (const loader of this.loaders) {
      const result = await loader.getTemplate(name, this, skip);
      if ('template' in result) return result;
      tried.push(...result.tried);
    }
    throw new TemplateDoesNotExist(name, tried);
  }

  /**
   * Renders template `name`. With a `request`, the context processors run and
   * the template gets a RequestContext.
   */
  async renderToString(name: string | readonly string[], context: Record<string, unknown> = {}, request?: unknown): Promise<string> {
    const template = typeof name === 'string' ? await this.getTemplate(name) : await this.selectTemplate(name);
    const ctx =
      request === undefined
        ? new Context(context, { autoescape: this.autoescape })
        : await RequestContext.create(request, context, this.contextProcessors, { autoescape: this.autoescape });
    ctx.push();
    return template.render(ctx);
  }

  /** Forgets compiled templates held by the cached loader. */
  reset(): void {
    this.#generation++;
    for (const loader of this.loaders) loader.reset();
  }

  /** Changes whenever {@link reset} drops cached templates. */
  get generation(): number {
    return this.#generation;
  }

  async #loadLibraries(): Promise<void> {
    for (const builtin of this.#options.builtins ?? []) {
      if (typeof builtin === 'string') this.#builtins.push(await importLibrary(builtin));
    }
    for (const dir of this.appDirs) {
      const folder = join(dir, 'templatetags');
      let files: string[];
      try {
        files = await readdir(folder);
      } catch {
        continue;
      }
      for (const file of files.sort()) {
        const ext = extname(file);
        if (!['.ts', '.js', '.mjs'].includes(ext) || file.endsWith('.d.ts') || file.startsWith('index.') || file.includes('.test.')) continue;
        const library = await importLibrary(join(folder, file), true);
        if (library) this.#libraries.set(basename(file, ext), library);
      }
    }
    for (const [name, library] of Object.entries(this.#options.libraries ?? {})) {
      if (typeof library === 'string') this.#libraries.set(name, await importLibrary(library));
    }
  }
}

async function importLibrary(path: string, optional: true): Promise<Library | undefined>;
async function importLibrary(path: string, optional?: false): Promise<Library>;
async function importLibrary(path: string, optional = false): Promise<Library | undefined> {
  const specifier = path.startsWith('/') ? pathToFileURL(path).href : path;
  const module = (await import(specifier)) as { register?: unknown; default?: unknown };
  const library = module.register ?? module.default;
  if (library instanceof Library) return library;
  if (optional) return undefined;
  throw new TypeError(`Template library module "${path}" must export a Library as \`register\` or as its default export.`);
}

/**
 * The project's template engines, built from settings.TEMPLATES (Django's
 * `django.template.engines`), and the helpers views use: `getTemplate()`,
 * `selectTemplate()` and `renderToString(name, context, request)`, which
 * runs the configured context processors.
 *
 * ```ts
 * // settings.ts
 * TEMPLATES: [{ BACKEND: 'nuages/template', DIRS: ['templates'], APP_DIRS: true,
 *               OPTIONS: { contextProcessors: [debug, request, siteInfo] } }]
 * ```
 */
import { apps } from '../conf/apps.ts';
import { settings } from '../conf/lazy-settings.ts';
import type { TemplateSettings } from '../conf/settings.ts';
import { ImproperlyConfigured } from '../core/errors.ts';
// Django's engine finds {% load cache %} among its own libraries; the tag lives with the cache framework.
import '../cache/template-tags.ts';
import { Context, RequestContext, type ContextProcessor } from './context.ts';
import { Engine, type EngineOptions } from './engine.ts';
import { TemplateDoesNotExist } from './errors.ts';
import type { Library } from './library.ts';
import type { Template } from './template.ts';

const BACKENDS = new Set(['nuages/template', 'django']);

/** A context processor given in settings: the function, or `'module#export'` to import. */
export type ContextProcessorSetting = ContextProcessor | string;

interface TemplateOptionsSetting {
  contextProcessors?: readonly ContextProcessorSetting[];
  debug?: boolean;
  autoescape?: boolean;
  stringIfInvalid?: string;
  libraries?: Record<string, Library | string>;
  builtins?: readonly (Library | string)[];
  loaders?: EngineOptions['loaders'];
}

// Keyed by what an engine is built from (the TEMPLATES array, then DEBUG and TIME_ZONE), so
// a test that overrides one of them gets its own engines while concurrent tests keep theirs.
let built = new WeakMap<object, Map<string, Promise<Map<string, Engine>>>>();

async function importProcessor(spec: ContextProcessorSetting, where: string): Promise<ContextProcessor> {
  if (typeof spec === 'function') return spec;
  const [module, name = 'default'] = spec.split('#');
  let exported: unknown;
  try {
    exported = (await import(module!))[name];
  } catch (error) {
    throw new ImproperlyConfigured(`${where}: cannot import context processor '${spec}' (${(error as Error).message}).`, { cause: error });
  }
  if (typeof exported !== 'function') {
    throw new ImproperlyConfigured(`${where}: '${spec}' is not a function; write 'module#exportName' or pass the function itself.`);
  }
  return exported as ContextProcessor;
}

async function buildEngine(entry: TemplateSettings, index: number): Promise<[string, Engine]> {
  const where = `TEMPLATES[${index}]`;
  if (!BACKENDS.has(entry.BACKEND)) {
    throw new ImproperlyConfigured(`${where}.BACKEND is '${entry.BACKEND}'; Nuages provides 'nuages/template' (the Django template language).`);
  }
  const options = (entry.OPTIONS ?? {}) as TemplateOptionsSetting;
  if (entry.APP_DIRS && options.loaders) {
    throw new ImproperlyConfigured(`${where}: APP_DIRS must not be set when OPTIONS.loaders is defined; add the app directories loader to the list instead.`);
  }
  const contextProcessors = await Promise.all((options.contextProcessors ?? []).map((p) => importProcessor(p, where)));
  const debug = options.debug ?? Boolean(settings.DEBUG);
  const engine = new Engine({
    dirs: entry.DIRS ?? [],
    appDirs: entry.APP_DIRS ? apps.getAppConfigs().map((config) => config.path) : [],
    loaders: options.loaders,
    debug,
    autoescape: options.autoescape,
    stringIfInvalid: options.stringIfInvalid,
    libraries: options.libraries,
    builtins: options.builtins,
    contextProcessors,
    timeZone: String(settings.TIME_ZONE ?? 'UTC'),
  });
  await engine.ready();
  return [entry.NAME ?? (index === 0 ? 'default' : `engine${index}`), engine];
}

/** The engines of settings.TEMPLATES by NAME (the first is also 'default'), built once per TEMPLATES, DEBUG and TIME_ZONE. */
export function templateEngines(): Promise<Map<string, Engine>> {
  const entries = (settings.TEMPLATES ?? []) as TemplateSettings[];
  const variant = `${Boolean(settings.DEBUG)}|${String(settings.TIME_ZONE ?? 'UTC')}`;
  let variants = built.get(entries);
  if (variants === undefined) built.set(entries, (variants = new Map()));
  let found = variants.get(variant);
  if (found === undefined) {
    found = buildEngines(entries);
    variants.set(variant, found);
    const cached = variants;
    found.catch(() => cached.delete(variant)); // a failed build (bad settings) is retried after the settings are fixed
  }
  return found;
}

async function buildEngines(entries: readonly TemplateSettings[]): Promise<Map<string, Engine>> {
  if (!entries.length) {
    throw new ImproperlyConfigured("No template engine is configured: add an entry to TEMPLATES, e.g. { BACKEND: 'nuages/template', APP_DIRS: true }.");
  }
  const pairs = await Promise.all(entries.map(buildEngine));
  const map = new Map(pairs);
  if (!map.has('default')) map.set('default', pairs[0]![1]);
  return map;
}

/** Forgets the engines (a reload, or a test that changed what APP_DIRS finds). */
export function resetTemplateEngines(): void {
  built = new WeakMap();
}

/** The first template found under `name` by any engine, in TEMPLATES order. */
export async function getTemplate(name: string): Promise<Template> {
  return selectTemplate([name]);
}

/** The first of `names` that any engine finds (Django's select_template). */
export async function selectTemplate(names: readonly string[]): Promise<Template> {
  return (await findTemplate(names)).template;
}

async function findTemplate(names: readonly string[]): Promise<{ engine: Engine; template: Template }> {
  if (!names.length) throw new TemplateDoesNotExist('selectTemplate() needs at least one template name.');
  const engines = [...new Set((await templateEngines()).values())];
  let lastError: unknown;
  for (const engine of engines) {
    try {
      return { engine, template: await engine.selectTemplate(names) };
    } catch (error) {
      if (!(error instanceof TemplateDoesNotExist)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Renders `name` with `context`; with a request, the engine's context
 * processors add their variables (Django's render_to_string).
 */
export async function renderToString(
  name: string | readonly string[],
  context: Record<string, unknown> = {},
  request?: unknown,
): Promise<string> {
  const { engine, template } = await findTemplate(typeof name === 'string' ? [name] : name);
  const ctx =
    request === undefined
      ? new Context(context, { autoescape: engine.autoescape })
      : await RequestContext.create(request, context, engine.contextProcessors, { autoescape: engine.autoescape });
  ctx.push();
  return template.render(ctx);
}

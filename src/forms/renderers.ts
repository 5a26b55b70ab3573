/**
 * Form renderers: where widget, field and form templates come from
 * (Django's django/forms/renderers.py).
 *
 * - DjangoTemplates (default): its own Engine over src/forms/templates, then
 *   the installed apps' `templates/` folders. The built-in templates come
 *   first, as in Django, so apps can add templates but not replace these;
 *   to override `django/forms/...` use TemplatesSetting.
 * - TemplatesSetting: the project's TEMPLATES engines, so a project's
 *   `templates/django/forms/widgets/input.html` wins.
 *
 * settings.FORM_RENDERER picks one: `'nuages/forms/renderers#DjangoTemplates'`,
 * `'nuages/forms/renderers#TemplatesSetting'`, any `'module#Export'`
 * (a class or an instance), or the class/instance itself.
 */
import { fileURLToPath } from 'node:url';
import { apps } from '../conf/apps.ts';
import { settings } from '../conf/lazy-settings.ts';
import { Engine } from '../template/engine.ts';
import { getTemplate as projectTemplate } from '../template/engines.ts';
import type { Template } from '../template/template.ts';
import { SafeString } from '../utils/safestring.ts';
import { FormRendererImportError } from './widgets/errors.ts';

/** What widgets, bound fields and forms render through. */
export interface FormRenderer {
  formTemplateName: string;
  formsetTemplateName: string;
  fieldTemplateName: string;
  getTemplate(templateName: string): Promise<Template>;
  /** Renders `templateName` with `context`; surrounding whitespace is trimmed, the result marked safe. */
  render(templateName: string, context: Record<string, unknown>, request?: unknown): Promise<SafeString>;
}

/** Folder of the built-in form templates (`django/forms/...`). */
export const FORM_TEMPLATES_DIR = fileURLToPath(new URL('./templates', import.meta.url));

// Python's str.strip() whitespace: the template output of Django's renderer is stripped.
function strip(text: string): string {
  return text.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g, '');
}

/** Template names and `render()` on top of a subclass's `getTemplate()`. */
export abstract class BaseRenderer implements FormRenderer {
  formTemplateName = 'django/forms/div.html';
  formsetTemplateName = 'django/forms/formsets/div.html';
  fieldTemplateName = 'django/forms/field.html';

  abstract getTemplate(templateName: string): Promise<Template>;

  async render(templateName: string, context: Record<string, unknown>, _request?: unknown): Promise<SafeString> {
    const template = await this.getTemplate(templateName);
    return new SafeString(strip(await template.render(context)));
  }
}

/**
 * Renders with a private template engine over the built-in form templates
 * and the installed apps' `templates/` folders, created on first use and kept.
 *
 * @example
 * const html = await new DjangoTemplates().render('django/forms/widgets/input.html', { widget });
 */
export class DjangoTemplates extends BaseRenderer {
  #engine: Engine | undefined;

  /** The renderer's own engine (built once; apps are read when it is built). */
  get engine(): Engine {
    if (!this.#engine) {
      let appDirs: string[] = [];
      try {
        if (apps.appsReady) appDirs = apps.getAppConfigs().map((config) => config.path);
      } catch {
        appDirs = []; // no app registry yet: the built-in templates are enough
      }
      this.#engine = new Engine({ dirs: [FORM_TEMPLATES_DIR], appDirs, timeZone: currentTimeZone() });
    }
    return this.#engine;
  }

  getTemplate(templateName: string): Promise<Template> {
    return this.engine.getTemplate(templateName);
  }
}

function currentTimeZone(): string {
  try {
    return settings.configured ? String(settings.TIME_ZONE ?? 'UTC') : 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * Renders with the project's TEMPLATES engines (Django's TemplatesSetting):
 * the project's templates and apps' templates can override every form template.
 * A project using it should keep the built-in templates reachable, e.g. by
 * adding {@link FORM_TEMPLATES_DIR} to DIRS.
 */
export class TemplatesSetting extends BaseRenderer {
  getTemplate(templateName: string): Promise<Template> {
    return projectTemplate(templateName);
  }
}

// A renderer named by a module path: imported on first render, since imports are asynchronous.
class LazyRenderer extends BaseRenderer {
  #spec: string;
  #loaded: Promise<FormRenderer> | undefined;
  constructor(spec: string) {
    super();
    this.#spec = spec;
  }
  async #load(): Promise<FormRenderer> {
    this.#loaded ??= (async () => {
      const [module, name = 'default'] = this.#spec.split('#');
      let exported: unknown;
      try {
        exported = (await import(module!))[name];
      } catch (error) {
        throw new FormRendererImportError(this.#spec, (error as Error).message);
      }
      const renderer = toRenderer(exported);
      if (!renderer) throw new FormRendererImportError(this.#spec, `'${name}' is not a renderer class or instance`);
      Object.assign(this, {
        formTemplateName: renderer.formTemplateName,
        formsetTemplateName: renderer.formsetTemplateName,
        fieldTemplateName: renderer.fieldTemplateName,
      });
      return renderer;
    })();
    return this.#loaded;
  }
  async getTemplate(templateName: string): Promise<Template> {
    return (await this.#load()).getTemplate(templateName);
  }
  override async render(templateName: string, context: Record<string, unknown>, request?: unknown): Promise<SafeString> {
    return (await this.#load()).render(templateName, context, request);
  }
}

function toRenderer(value: unknown): FormRenderer | undefined {
  if (typeof value === 'function') return new (value as new () => FormRenderer)();
  if (value && typeof (value as FormRenderer).render === 'function') return value as FormRenderer;
  return undefined;
}

const BUILTIN: Record<string, () => FormRenderer> = {
  'nuages/forms/renderers#DjangoTemplates': () => new DjangoTemplates(),
  'nuages/forms/renderers#TemplatesSetting': () => new TemplatesSetting(),
  'django.forms.renderers.DjangoTemplates': () => new DjangoTemplates(),
  'django.forms.renderers.TemplatesSetting': () => new TemplatesSetting(),
};

let cached: { spec: unknown; renderer: FormRenderer } | undefined;

/**
 * The renderer settings.FORM_RENDERER names, created once per setting value
 * (Django caches it too). Before settings are configured: DjangoTemplates.
 * A `'module#Export'` outside Nuages is imported on first render and throws
 * FormRendererImportError then if it cannot be loaded.
 */
export function getDefaultRenderer(): FormRenderer {
  const spec: unknown = settings.configured ? settings.FORM_RENDERER : 'nuages/forms/renderers#DjangoTemplates';
  if (cached && cached.spec === spec) return cached.renderer;
  let renderer: FormRenderer | undefined;
  if (typeof spec === 'string') renderer = BUILTIN[spec]?.() ?? new LazyRenderer(spec);
  else renderer = toRenderer(spec);
  if (!renderer) throw new FormRendererImportError(String(spec), 'it is neither a module path nor a renderer class or instance');
  cached = { spec, renderer };
  return renderer;
}

/**
 * A compiled template (Django's Template).
 *
 * Compiling happens once, in the constructor: lexer → parser → compiler.
 * `render()` then runs the generated function; it stays synchronous unless a
 * value in the context is a promise, a QuerySet or an async iterable.
 */
import { Context } from './context.ts';
import { Parser } from './parser.ts';
import { compileNodeList, type RenderFunction } from './compiler.ts';
import type { NodeList } from './nodes.ts';
import { drive } from './runtime.ts';
import type { Library } from './library.ts';
import { TemplateDoesNotExist } from './errors.ts';
import { templateRendered } from './signals.ts';
import { instrumentation } from '../core/instrumentation.ts';

const templateRender = instrumentation.templateRender;

/** Where a template came from: the loader's name for it and the name asked for. */
export interface Origin {
  /** What the loader read: a file path, `locmem:name`, `<string>`. */
  readonly name: string;
  /** The name the template was asked for (`blog/post.html`). */
  readonly templateName: string;
  /** The loader that found it (its class name), for messages. */
  readonly loader: string;
}

/** What a Template needs from its engine. */
export interface TemplateEngine {
  readonly stringIfInvalid: string;
  readonly timeZone: string;
  readonly autoescape: boolean;
  readonly debug: boolean;
  /** Bumped when cached templates are dropped, so tags that memoise lookups start over. */
  readonly generation?: number;
  /** Libraries always loaded, built-ins first. */
  builtinLibraries(): readonly Library[];
  /** Libraries `{% load %}` can name. */
  loadableLibraries(): ReadonlyMap<string, Library>;
  /** Hint for unknown `{% load %}` names (e.g. libraries still loading). */
  loadHint(): string;
  /** Finds a template by name, skipping origins in `skip` (for `{% extends %}` of a same-named parent). */
  findTemplate(name: string, skip?: readonly Origin[]): FoundTemplate | Promise<FoundTemplate>;
}

export interface FoundTemplate {
  readonly template: Template;
  readonly origin: Origin;
}

/** A named nodelist defined with `{% partialdef %}`. */
export interface PartialDefinition {
  readonly name: string;
  readonly nodelist: NodeList;
  fn?: RenderFunction | undefined;
}

/** Key under which the parser keeps the template's partials (`parser.extra`). */
export const PARTIALS = Symbol('nuages.template.partials');

/**
 * A template compiled for an engine.
 *
 * @example
 * const t = engine.fromString('Hello {{ name }}!');
 * await t.render({ name: 'Ada' }); // 'Hello Ada!'
 */
export class Template {
  readonly name: string;
  readonly origin: Origin;
  readonly engine: TemplateEngine;
  readonly source: string;
  readonly nodelist: NodeList;
  readonly partials: ReadonlyMap<string, PartialDefinition>;
  #fn: RenderFunction | undefined;

  constructor(source: string, engine: TemplateEngine, origin?: Partial<Origin>, compiled?: { nodelist: NodeList; fn: RenderFunction; partials: ReadonlyMap<string, PartialDefinition> }) {
    this.source = source;
    this.engine = engine;
    this.name = origin?.templateName ?? '<string>';
    this.origin = { name: origin?.name ?? this.name, templateName: this.name, loader: origin?.loader ?? 'string' };
    if (compiled) {
      this.nodelist = compiled.nodelist;
      this.#fn = compiled.fn;
      this.partials = compiled.partials;
      return;
    }
    const parser = new Parser({
      templateName: this.name,
      source,
      stringIfInvalid: engine.stringIfInvalid,
      builtins: engine.builtinLibraries(),
      libraries: engine.loadableLibraries(),
      loadHint: engine.loadHint(),
    });
    this.nodelist = parser.parse();
    for (const check of parser.finalizers) check();
    this.partials = (parser.extra.get(PARTIALS) as Map<string, PartialDefinition> | undefined) ?? new Map();
    for (const node of this.nodelist.nodes) {
      // {% extends %} records where its template came from, to skip it when looking up a same-named parent.
      if ('origin' in node) (node as { origin: Origin | null }).origin = this.origin;
    }
    this.#fn = compileNodeList(this.nodelist, parser.options);
  }

  /** The generated render function (a generator over a Context). */
  get fn(): RenderFunction {
    return this.#fn!;
  }

  /**
   * Renders with `context` (a plain object or a Context). Always returns a
   * promise; the work is synchronous until the first awaited value.
   */
  render(context?: Record<string, unknown> | Context | null): Promise<string> {
    if (templateRender.hasSubscribers) return this.#observedRender(context);
    try {
      return Promise.resolve(this.renderSync(context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** render(), publishing its duration on `nuages:template:render`. */
  async #observedRender(context?: Record<string, unknown> | Context | null): Promise<string> {
    const start = performance.now();
    let failed: unknown;
    try {
      return await this.renderSync(context);
    } catch (error) {
      failed = error;
      throw error;
    } finally {
      templateRender.publish({ name: this.name, durationMs: performance.now() - start, error: failed });
    }
  }

  /** Renders and returns the string directly when nothing had to be awaited, else a promise. */
  renderSync(context?: Record<string, unknown> | Context | null): string | Promise<string> {
    const ctx = context instanceof Context ? context : new Context(context ?? null, { autoescape: this.engine.autoescape });
    // Tags write into the top layer; keep the caller's object untouched.
    if (!(context instanceof Context)) ctx.push();
    const bound = ctx.template === null;
    if (bound) ctx.template = this;
    let sync = true;
    try {
      const out = this.renderInContext(ctx);
      if (typeof out === 'string') return out;
      sync = false;
      return out.finally(() => {
        if (bound) ctx.template = null;
      });
    } finally {
      if (bound && sync) ctx.template = null;
    }
  }

  /**
   * Renders into an existing context as `{% include %}` does: a fresh layer
   * of per-render tag state, the same variables.
   */
  renderInContext(context: Context): string | Promise<string> {
    if (templateRendered.hasListeners()) void templateRendered.send(this, { template: this, context });
    const bound = context.template === null;
    if (bound) context.template = this;
    context.renderContext.push(true);
    let out: string | Promise<string>;
    try {
      out = drive(this.fn(context));
    } catch (error) {
      context.renderContext.pop();
      if (bound) context.template = null;
      throw error;
    }
    if (typeof out === 'string') {
      context.renderContext.pop();
      if (bound) context.template = null;
      return out;
    }
    return out.finally(() => {
      context.renderContext.pop();
      if (bound) context.template = null;
    });
  }

  /** The template made of one `{% partialdef %}` (`"page.html#name"`). */
  partial(name: string): Template {
    const definition = this.partials.get(name);
    if (!definition?.fn) {
      throw new TemplateDoesNotExist(`${this.name}#${name}`, [
        { name: `${this.name}#${name}`, place: this.origin.name, reason: `no {% partialdef ${name} %} in this template` },
      ]);
    }
    return new Template(
      this.source,
      this.engine,
      { ...this.origin, templateName: `${this.name}#${name}` },
      { nodelist: definition.nodelist, fn: definition.fn, partials: this.partials },
    );
  }
}

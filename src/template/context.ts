/**
 * The variables a template sees while it renders (Django's Context).
 *
 * A context is a stack of layers: `{% for %}`, `{% with %}` and `{% include %}`
 * push a layer and pop it when they end, so names they set do not leak. Lookups
 * go from the top layer down; `True`, `False` and `None` sit at the bottom.
 */
import type { Template } from './template.ts';
import { csrf } from './context-processors.ts';

type Layer = Record<string, unknown>;

const BUILTINS: Layer = Object.freeze({ True: true, False: false, None: null }) as Layer;

/** Options shared by {@link Context} and {@link RequestContext}. */
export interface ContextOptions {
  /** Escape `{{ }}` output (default true). `{% autoescape off %}` turns it off for a section. */
  autoescape?: boolean;
}

/**
 * Per-render state of tags (cycle positions, `ifchanged` memory, block
 * inheritance), kept apart from the variables. Each template rendered through
 * `{% include %}` gets its own layer, as in Django.
 */
export class RenderContext {
  // Layers are created on first write: most included templates never store tag state.
  #layers: (Map<unknown, unknown> | null)[] = [null];

  /** Tag state stored under `key` in the current layer. */
  get(key: unknown): unknown {
    return this.#layers[this.#layers.length - 1]?.get(key);
  }

  has(key: unknown): boolean {
    return this.#layers[this.#layers.length - 1]?.has(key) ?? false;
  }

  set(key: unknown, value: unknown): void {
    const top = this.#layers.length - 1;
    let layer = this.#layers[top];
    if (!layer) this.#layers[top] = layer = new Map();
    layer.set(key, value);
  }

  /** Starts a fresh layer (an included template); `isolated: false` shares the current one (extends). */
  push(isolated = true): void {
    if (isolated) {
      this.#layers.push(null);
      return;
    }
    // Sharing: materialise the current layer so writes from either side land in the same Map.
    const top = this.#layers.length - 1;
    let layer = this.#layers[top];
    if (!layer) this.#layers[top] = layer = new Map();
    this.#layers.push(layer);
  }

  pop(): void {
    if (this.#layers.length > 1) this.#layers.pop();
  }
}

/**
 * A stack of variable layers plus the render's settings.
 *
 * @example
 * const ctx = new Context({ user });
 * ctx.push({ page: 2 });
 * ctx.get('page'); // 2
 * ctx.pop();
 */
export class Context {
  /** Layers, bottom first. Exposed for tags; treat as read-only outside the engine. */
  readonly dicts: Layer[];
  autoescape: boolean;
  /** The template being rendered (set by Template.render). */
  template: Template | null = null;
  readonly renderContext: RenderContext = new RenderContext();
  /** Time zone override for a section (`{% timezone %}`); the engine's zone otherwise. */
  timeZone: string | undefined = undefined;
  /** False inside `{% localtime off %}`: datetimes print in their own zone (UTC for a plain `Date`). */
  useTz = true;
  /** How many `{% include %}` levels deep the render is (guards against a template including itself). */
  includeDepth = 0;

  constructor(values?: Record<string, unknown> | null, options: ContextOptions = {}) {
    this.dicts = [BUILTINS];
    if (values) this.dicts.push(values);
    this.autoescape = options.autoescape ?? true;
  }

  /** The value of `name`, or `undefined` when no layer has it. */
  get(name: string): unknown {
    const d = this.dicts;
    for (let i = d.length - 1; i >= 0; i--) {
      const layer = d[i]!;
      if (Object.hasOwn(layer, name)) return layer[name];
    }
    return undefined;
  }

  /** Whether any layer defines `name` (even as `undefined`). */
  has(name: string): boolean {
    return this.dicts.some((layer) => Object.hasOwn(layer, name));
  }

  /** Sets `name` in the top layer. */
  set(name: string, value: unknown): void {
    this.dicts[this.dicts.length - 1]![name] = value;
  }

  /** Sets `name` in the nearest layer that has it, else the top one (Django's set_upward). */
  setUpward(name: string, value: unknown): void {
    for (let i = this.dicts.length - 1; i > 0; i--) {
      if (Object.hasOwn(this.dicts[i]!, name)) {
        this.dicts[i]![name] = value;
        return;
      }
    }
    this.set(name, value);
  }

  /** Pushes a layer (a copy of `values`, so the caller's object is never written to). */
  push(values?: Record<string, unknown>): this {
    const layer: Layer = Object.create(null);
    if (values) Object.assign(layer, values);
    this.dicts.push(layer);
    return this;
  }

  /** Pops the top layer; the bottom layers (builtins and the render's values) stay. */
  pop(): Layer {
    if (this.dicts.length <= 1) throw new RangeError('Context.pop() called more times than push().');
    return this.dicts.pop()!;
  }

  /** Runs `fn` with a pushed layer, popping it even when `fn` throws. */
  with<T>(values: Record<string, unknown>, fn: () => T): T {
    this.push(values);
    try {
      return fn();
    } finally {
      this.pop();
    }
  }

  /** Every visible variable in one object (top layers win), as Django's flatten(). */
  flatten(): Record<string, unknown> {
    const flat: Record<string, unknown> = {};
    for (const layer of this.dicts) Object.assign(flat, layer);
    return flat;
  }

  /**
   * A new context with the same settings and template but only `values`
   * (Django's `context.new()`), used by `{% include … only %}` and inclusion tags.
   */
  new(values?: Record<string, unknown>): Context {
    const ctx = new Context(null, { autoescape: this.autoescape });
    ctx.template = this.template;
    ctx.includeDepth = this.includeDepth;
    ctx.timeZone = this.timeZone;
    ctx.useTz = this.useTz;
    ctx.push(values);
    return ctx;
  }
}

/**
 * A context processor: takes the request, returns variables every template
 * rendered for that request sees (`user`, `messages`, `csrf_token`, …).
 */
export type ContextProcessor = (
  request: unknown,
) => Record<string, unknown> | null | undefined | Promise<Record<string, unknown> | null | undefined>;

/**
 * A context that also runs context processors over a request (Django's
 * RequestContext). Processor output sits below the values passed by the view,
 * so a view can override what a processor provides.
 */
export class RequestContext extends Context {
  readonly request: unknown;

  constructor(
    request: unknown,
    values?: Record<string, unknown> | null,
    processors: readonly ContextProcessor[] = [],
    options: ContextOptions = {},
  ) {
    super(null, options);
    this.request = request;
    const fromProcessors: Layer = Object.create(null);
    // The built-in csrf processor runs first, under the engine's (Django's _builtin_context_processors).
    for (const processor of [csrf, ...processors]) {
      const result = processor(request);
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        throw new TypeError(
          `Context processor ${processor.name || '(anonymous)'} is async: build the context with await RequestContext.create(...).`,
        );
      }
      Object.assign(fromProcessors, result ?? {});
    }
    this.dicts.push(fromProcessors);
    if (values) this.dicts.push(values);
  }

  /** Like the constructor, but awaits processors that return promises (they run one after another). */
  static async create(
    request: unknown,
    values?: Record<string, unknown> | null,
    processors: readonly ContextProcessor[] = [],
    options: ContextOptions = {},
  ): Promise<RequestContext> {
    const results: Record<string, unknown>[] = [];
    for (const processor of processors) results.push((await processor(request)) ?? {});
    const ctx = new RequestContext(request, null, [], options);
    Object.assign(ctx.dicts[ctx.dicts.length - 1]!, ...results);
    if (values) ctx.dicts.push(values);
    return ctx;
  }

  override new(values?: Record<string, unknown>): Context {
    const ctx = super.new(values);
    // Inclusion tags and `only` includes still need the CSRF token of the request.
    const token = this.get('csrf_token');
    if (token !== undefined) ctx.dicts[1]!['csrf_token'] = token;
    return ctx;
  }
}

/**
 * A response that renders its template late (Django's TemplateResponse):
 * middleware's `processTemplateResponse` can still change `templateName` or
 * `contextData`, then the handler calls `render()`.
 */
import { HttpResponse, type HttpRequest, type ResponseContent, type ResponseOptions } from '../http/index.ts';
import { renderToString } from '../template/engines.ts';
import { NuagesError } from '../core/errors.ts';

/** The content of a TemplateResponse was read before `render()` (Django's ContentNotRenderedError). */
export class ContentNotRenderedError extends NuagesError {
  readonly code = 'NUAGES_CONTENT_NOT_RENDERED';
  constructor(templateName: string) {
    super(
      `The content of the TemplateResponse for '${templateName}' was read before it was rendered. ` +
        '`await response.render()` first (the handler does it for responses that go through it).',
    );
  }
}

/**
 * Renders `templateName` with `contextData` (and the request's context
 * processors) when `render()` is called.
 *
 * @example
 * const response = new TemplateResponse(request, 'catalog/book_list.html', { books });
 * await response.render();
 */
export class TemplateResponse extends HttpResponse {
  readonly request: HttpRequest | undefined;
  templateName: string | readonly string[];
  contextData: Record<string, unknown>;
  #rendered = false;
  #callbacks: ((response: TemplateResponse) => unknown)[] = [];

  constructor(request: HttpRequest | undefined, templateName: string | readonly string[], contextData: Record<string, unknown> = {}, options: ResponseOptions = {}) {
    super('', options);
    this.request = request;
    this.templateName = templateName;
    this.contextData = contextData;
  }

  /** Whether `render()` has produced the content. */
  get isRendered(): boolean {
    return this.#rendered;
  }

  /** The HTML the template produces now (does not set the content). */
  async renderedContent(): Promise<string> {
    return renderToString(this.templateName, this.contextData, this.request);
  }

  /** Runs `fn` right after rendering (or now, when already rendered). */
  addPostRenderCallback(fn: (response: TemplateResponse) => unknown): void {
    if (this.#rendered) fn(this);
    else this.#callbacks.push(fn);
  }

  /** Renders once: sets the content, then runs the post-render callbacks. */
  async render(): Promise<this> {
    if (this.#rendered) return this;
    this.content = await this.renderedContent();
    for (const fn of this.#callbacks) await fn(this);
    return this;
  }

  override get content(): Buffer {
    if (!this.#rendered) throw new ContentNotRenderedError(String(this.templateName));
    return super.content;
  }

  override set content(value: ResponseContent) {
    super.content = value;
    // The base constructor sets '' before the fields of this class exist.
    if (Object.hasOwn(this, 'templateName')) this.#rendered = true;
  }

  override get text(): string {
    if (!this.#rendered) throw new ContentNotRenderedError(String(this.templateName));
    return super.text;
  }
}

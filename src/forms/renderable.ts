/**
 * What forms and formsets share to render themselves (Django's RenderableFormMixin):
 * a default template and the four layouts, through the renderer, and `__html__` so
 * `{{ form }}` prints in templates.
 */
import type { SafeString } from '../utils/safestring.ts';
import type { RendererLike } from './utils.ts';

export abstract class RenderableForm {
  abstract renderer: RendererLike;
  abstract templateNameDiv: string;
  abstract templateNameP: string;
  abstract templateNameTable: string;
  abstract templateNameUl: string;
  abstract get templateName(): string;

  /** The context the templates get. */
  abstract getContext(): Record<string, unknown>;

  /** Work a render needs first (a bound form validates, so its errors show). */
  protected async beforeRender(): Promise<void> {}

  /** Renders with `templateName` (default: the object's template) through `renderer` (default: its own). */
  async render(templateName?: string, context?: Record<string, unknown>, renderer?: RendererLike): Promise<SafeString> {
    await this.beforeRender();
    return (renderer ?? this.renderer).render(templateName ?? this.templateName, context ?? this.getContext());
  }

  asDiv(): Promise<SafeString> {
    return this.render(this.templateNameDiv);
  }

  asP(): Promise<SafeString> {
    return this.render(this.templateNameP);
  }

  asUl(): Promise<SafeString> {
    return this.render(this.templateNameUl);
  }

  asTable(): Promise<SafeString> {
    return this.render(this.templateNameTable);
  }

  async __html__(): Promise<string> {
    return (await this.render()).value;
  }
}

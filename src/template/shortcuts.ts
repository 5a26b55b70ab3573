/** `render(request, name, context)`: the view-side helper (Django's `render`, without the Response). */
import type { Engine } from './engine.ts';

/**
 * Renders `name` for `request` with the engine's context processors.
 * Returns the HTML; the HTTP layer wraps it in a Response.
 *
 * @example const html = await render(engine, request, 'books/list.html', { books });
 */
export function render(
  engine: Engine,
  request: unknown,
  name: string | readonly string[],
  context: Record<string, unknown> = {},
): Promise<string> {
  return engine.renderToString(name, context, request);
}

/** The types URLconfs and views share. */
import type { HttpRequest, HttpResponse } from '../http/index.ts';

/** The values captured from the URL (and `kwargs` given to `path()`), by parameter name. */
export type Params = Record<string, unknown>;

/**
 * A view: takes the request and the URL's parameters, returns a response.
 * `params` may be typed narrower than {@link Params} (`{ id: number }`): the
 * route's converters are what make that true, which the type checker cannot see.
 *
 * @example
 * export async function bookDetail(request: HttpRequest, { id }: { id: number }) {
 *   const book = await getObjectOr404(Book, { id });
 *   return render(request, 'catalog/book_detail.html', { book });
 * }
 */
export type ViewFunction<P = Params> = {
  // A method signature makes `params` bivariant, so a view declaring `{ id: number }` is accepted.
  view(request: HttpRequest, params: P): HttpResponse | Promise<HttpResponse>;
}['view'];

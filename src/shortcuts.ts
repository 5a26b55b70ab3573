/**
 * `nuages/shortcuts`: the helpers views use most (Django's django.shortcuts).
 *
 * ```ts
 * import { render, redirect, getObjectOr404 } from 'nuages/shortcuts';
 * export async function bookDetail(request: HttpRequest, { id }: { id: number }) {
 *   const book = await getObjectOr404(Book, { id });
 *   return render(request, 'catalog/book_detail.html', { book });
 * }
 * ```
 */
import {
  Http404,
  HttpResponse,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  type HttpRequest,
} from './http/index.ts';
import type { FilterArg, QuerySet } from './db/index.ts';
import type { ModelBase } from './db/models/base.ts';
import { renderToString } from './template/engines.ts';
import { reverse, LazyUrl } from './urls/base.ts';
import { NoReverseMatch } from './urls/errors.ts';
import type { Params, ViewFunction } from './urls/types.ts';

/** Options of {@link render}. */
export interface RenderOptions {
  status?: number;
  contentType?: string;
}

/**
 * Renders `templateName` with `context` and the request's context processors
 * into an HttpResponse (Django's render). A list of names renders the first
 * that exists.
 */
export async function render(
  request: HttpRequest,
  templateName: string | readonly string[],
  context: Record<string, unknown> = {},
  options: RenderOptions = {},
): Promise<HttpResponse> {
  const html = await renderToString(templateName, context, request);
  return new HttpResponse(html, { status: options.status, ...(options.contentType ? { contentType: options.contentType } : {}) });
}

/** Something {@link redirect} can send the client to. */
export type RedirectTarget = string | LazyUrl | URL | ViewFunction | { getAbsoluteUrl(): string };

/** Options of {@link redirect}. */
export interface RedirectOptions {
  /** 301 (or 308) instead of 302 (or 307). */
  permanent?: boolean;
  /** 307/308: the client repeats the method and body. */
  preserveRequest?: boolean;
}

/**
 * The URL for `to` (Django's resolve_url): a model's `getAbsoluteUrl()`,
 * a relative `./` or `../` URL as is, else `reverse(to, params)`, falling
 * back to `to` itself when it looks like a URL (has a '/' or a '.').
 *
 * @throws NoReverseMatch when `to` is a view function or a bare name that does not reverse.
 */
export function resolveUrl(to: RedirectTarget, params?: Params | readonly unknown[]): string {
  if (to instanceof LazyUrl || to instanceof URL) return String(to);
  if (typeof to === 'object' && to !== null && typeof to.getAbsoluteUrl === 'function') return to.getAbsoluteUrl();
  if (typeof to === 'string' && (to.startsWith('./') || to.startsWith('../'))) return to;
  try {
    return reverse(to as string | ViewFunction, params);
  } catch (error) {
    if (!(error instanceof NoReverseMatch)) throw error;
    if (typeof to === 'function') throw error;
    if (typeof to === 'string' && !to.includes('/') && !to.includes('.')) throw error;
  }
  return String(to);
}

/**
 * A redirect response to `to` (see {@link resolveUrl}).
 *
 * @example
 * return redirect(book);                         // book.getAbsoluteUrl()
 * return redirect('book-detail', { id: 3 });     // reverse('book-detail', { id: 3 })
 * return redirect('/books/', {}, { permanent: true });
 */
export function redirect(to: RedirectTarget, params?: Params | readonly unknown[], options: RedirectOptions = {}): HttpResponseRedirect | HttpResponsePermanentRedirect {
  const Redirect = options.permanent ? HttpResponsePermanentRedirect : HttpResponseRedirect;
  return new Redirect(resolveUrl(to, params), { preserveRequest: options.preserveRequest });
}

type ModelOrQuerySet<M> = { readonly objects: QuerySet<M> } | QuerySet<M>;

function querysetOf<M>(klass: ModelOrQuerySet<M>, caller: string): QuerySet<M> {
  const qs = (klass as { objects?: QuerySet<M> }).objects ?? klass;
  if (typeof (qs as QuerySet<M>).filter !== 'function' || typeof (qs as QuerySet<M>).get !== 'function') {
    const name = (klass as { name?: string })?.name ?? typeof klass;
    throw new TypeError(`${caller}() takes a model or a QuerySet as its first argument, not ${name}.`);
  }
  return qs as QuerySet<M>;
}

function modelName(qs: QuerySet<unknown>): string {
  return (qs.model as unknown as typeof ModelBase)._meta.objectName;
}

/**
 * `await klass.get(filters)`, but an Http404 (→ 404 page) when nothing
 * matches (Django's get_object_or_404). Several matches still throw
 * MultipleObjectsReturned.
 *
 * @example const book = await getObjectOr404(Book, { id }); // SELECT … WHERE id = ? LIMIT 21
 */
export async function getObjectOr404<M>(klass: ModelOrQuerySet<M>, ...conditions: FilterArg[]): Promise<M> {
  const qs = querysetOf(klass, 'getObjectOr404');
  try {
    return await qs.get(...conditions);
  } catch (error) {
    const model = qs.model as unknown as typeof ModelBase;
    if (error instanceof model.DoesNotExist) throw new Http404(`No ${modelName(qs)} matches the given filters.`, { cause: error });
    throw error;
  }
}

/**
 * The objects matching `conditions`, or an Http404 when there are none
 * (Django's get_list_or_404).
 */
export async function getListOr404<M>(klass: ModelOrQuerySet<M>, ...conditions: FilterArg[]): Promise<M[]> {
  const qs = querysetOf(klass, 'getListOr404');
  const list = (await (conditions.length ? qs.filter(...conditions) : qs.all())) as M[];
  if (!list.length) throw new Http404(`No ${modelName(qs)} matches the given filters.`);
  return list;
}

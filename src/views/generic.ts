/**
 * Generic views over the ORM (Django's ListView and DetailView).
 *
 * ListView: getQueryset() → (paginate: one COUNT + one page query) →
 * context { objectList, paginator, pageObj, isPaginated, <model>List } →
 * `<app>/<model>_list.html`. DetailView: getQueryset() → filter by the pk or
 * slug param → get() (404 when missing) → context { object, <model> } →
 * `<app>/<model>_detail.html`.
 *
 * Context names are Django's in camelCase: `pageObj` for `page_obj`,
 * `isPaginated`, `objectList`, `bookList`.
 */
import type { HttpRequest, HttpResponse } from '../http/index.ts';
import { Http404 } from '../http/index.ts';
import type { QuerySet } from '../db/index.ts';
import type { ModelBase } from '../db/models/base.ts';
import { InvalidPage, Paginator, type Page, type PaginatorOptions } from '../core/paginator.ts';
import type { Params } from '../urls/types.ts';
import { TemplateView, ViewConfigurationError } from './base.ts';

/** A model class as the generic views use it: its manager and metadata. */
export interface ModelLike<M = unknown> {
  readonly name: string;
  readonly objects: QuerySet<M>;
  readonly _meta: { readonly appLabel: string; readonly modelName: string; readonly objectName: string; readonly verboseName: string };
}

/** The paginator class a ListView builds (Django's paginator_class). */
export type PaginatorClass = new <T>(objectList: QuerySet<T> | readonly T[], perPage: number, options?: PaginatorOptions) => Paginator<T>;

function metaOf(queryset: QuerySet<unknown> | undefined, model: ModelLike | null): ModelLike['_meta'] | undefined {
  if (queryset?.model) return (queryset.model as unknown as typeof ModelBase)._meta;
  return model?._meta;
}

/**
 * A page of objects, rendered with `<app>/<model>_list.html` unless
 * `templateName` says otherwise. With `paginateBy`, `?page=` (or a `page`
 * param, or `'last'`) picks the page; a bad page is a 404.
 *
 * @example
 * class BookList extends ListView<Book> {
 *   override model = Book;
 *   override paginateBy = 20;
 *   override getQueryset() { return super.getQueryset().selectRelated('publisher'); }
 * }
 */
export class ListView<M = unknown> extends TemplateView {
  model: ModelLike<M> | null = null;
  queryset: QuerySet<M> | null = null;
  /** Objects per page; null: no pagination. */
  paginateBy: number | null = null;
  paginateOrphans = 0;
  /** Whether an empty list renders (true) or is a 404. */
  allowEmpty = true;
  /** The name of the list in the context besides `objectList` (default `<model>List`). */
  contextObjectName: string | null = null;
  /** Field names for orderBy(). */
  ordering: string | readonly string[] | null = null;
  /** The query parameter (or URL param) holding the page number. */
  pageKwarg = 'page';
  paginatorClass: PaginatorClass = Paginator as PaginatorClass;
  templateNameSuffix = '_list';
  /** The list being shown (set by get()). */
  objectList: QuerySet<M> | readonly M[] | undefined;

  /**
   * The objects to list: `queryset`, else every `model` object, ordered by `ordering`.
   * @throws ViewConfigurationError when neither is set.
   */
  getQueryset(): QuerySet<M> {
    let queryset: QuerySet<M>;
    if (this.queryset !== null) queryset = this.queryset.all();
    else if (this.model !== null) queryset = this.model.objects.all();
    else {
      const cls = this.constructor.name;
      throw new ViewConfigurationError(`${cls} has no QuerySet. Set ${cls}.model or ${cls}.queryset, or override getQueryset().`);
    }
    const ordering = this.getOrdering();
    if (ordering) queryset = queryset.orderBy(...(typeof ordering === 'string' ? [ordering] : ordering));
    return queryset;
  }

  getOrdering(): string | readonly string[] | null {
    return this.ordering;
  }

  getPaginateBy(_queryset: QuerySet<M> | readonly M[]): number | null {
    return this.paginateBy;
  }

  getPaginator(queryset: QuerySet<M> | readonly M[], perPage: number, options: PaginatorOptions): Paginator<M> {
    return new this.paginatorClass<M>(queryset, perPage, options);
  }

  getAllowEmpty(): boolean {
    return this.allowEmpty;
  }

  getContextObjectName(objectList: QuerySet<M> | readonly M[]): string | null {
    if (this.contextObjectName) return this.contextObjectName;
    const meta = metaOf(Array.isArray(objectList) ? undefined : (objectList as QuerySet<M>), this.model);
    return meta ? `${meta.modelName}List` : null;
  }

  /**
   * Loads the requested page.
   * @throws Http404 for a page number that is neither an integer nor 'last', or out of range.
   */
  async paginateQueryset(queryset: QuerySet<M> | readonly M[], pageSize: number): Promise<{ paginator: Paginator<M>; page: Page<M>; objectList: readonly M[]; isPaginated: boolean }> {
    const paginator = this.getPaginator(queryset, pageSize, { orphans: this.paginateOrphans, allowEmptyFirstPage: this.getAllowEmpty() });
    await paginator.ready();
    const raw = this.kwargs[this.pageKwarg] || this.request.GET.get(this.pageKwarg) || 1;
    let number: number;
    if (typeof raw === 'number') number = raw;
    else if (/^\s*[+-]?\d+\s*$/.test(String(raw))) number = Number(String(raw).trim());
    else if (raw === 'last') number = paginator.numPages;
    else throw new Http404(`The page '${String(raw)}' is neither a number nor 'last'.`);
    try {
      const page = await paginator.page(number);
      return { paginator, page, objectList: page.objectList, isPaginated: page.hasOtherPages() };
    } catch (error) {
      if (error instanceof InvalidPage) throw new Http404(`Invalid page (${number}): ${error.message}`, { cause: error });
      throw error;
    }
  }

  override async getContextData(kwargs: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const queryset = (kwargs['objectList'] as QuerySet<M> | readonly M[] | undefined) ?? this.objectList ?? this.getQueryset();
    const pageSize = this.getPaginateBy(queryset);
    const name = this.getContextObjectName(queryset);
    let context: Record<string, unknown>;
    if (pageSize) {
      const { paginator, page, objectList, isPaginated } = await this.paginateQueryset(queryset, pageSize);
      context = { paginator, pageObj: page, isPaginated, objectList };
    } else {
      context = { paginator: null, pageObj: null, isPaginated: false, objectList: queryset };
    }
    if (name) context[name] = context['objectList'];
    return super.getContextData({ ...context, ...kwargs, objectList: context['objectList'] });
  }

  override getTemplateNames(): string[] {
    const names = this.templateName !== null ? [this.templateName] : [];
    const meta = metaOf(this.objectList && !Array.isArray(this.objectList) ? (this.objectList as QuerySet<M>) : undefined, this.model);
    if (meta) names.push(`${meta.appLabel}/${meta.modelName}${this.templateNameSuffix}.html`);
    else if (!names.length) {
      throw new ViewConfigurationError(`${this.constructor.name} needs a templateName, or a getQueryset() that returns a QuerySet so the template name can be derived.`);
    }
    return names;
  }

  override async get(_request: HttpRequest, _params: Params): Promise<HttpResponse> {
    this.objectList = this.getQueryset();
    if (!this.getAllowEmpty()) {
      const list = this.objectList;
      const empty = this.getPaginateBy(list) !== null && typeof (list as QuerySet<M>).exists === 'function'
        ? !(await (list as QuerySet<M>).exists())
        : Array.isArray(list) ? list.length === 0 : (await (list as QuerySet<M>).count()) === 0;
      if (empty) throw new Http404(`The list is empty and ${this.constructor.name}.allowEmpty is false.`);
    }
    return this.renderToResponse(await this.getContextData());
  }
}

/**
 * One object, found by the `pk` (or `slug`) param, rendered with
 * `<app>/<model>_detail.html`; 404 when it does not exist.
 *
 * @example
 * path('books/<int:id>/', DetailView.asView({ model: Book, pkUrlKwarg: 'id' }), { name: 'book-detail' })
 */
export class DetailView<M = unknown> extends TemplateView {
  model: ModelLike<M> | null = null;
  queryset: QuerySet<M> | null = null;
  /** The model field the slug param is compared with. */
  slugField = 'slug';
  /** The name of the object in the context besides `object` (default: the model name). */
  contextObjectName: string | null = null;
  /** The URL param holding the slug. */
  slugUrlKwarg = 'slug';
  /** The URL param holding the primary key. */
  pkUrlKwarg = 'pk';
  /** Filter by both pk and slug when both params are present. */
  queryPkAndSlug = false;
  /** A model field holding the template name to use for each object. */
  templateNameField: string | null = null;
  templateNameSuffix = '_detail';
  /** The object shown (set by get()). */
  object: M | undefined;

  getQueryset(): QuerySet<M> {
    if (this.queryset !== null) return this.queryset.all();
    if (this.model !== null) return this.model.objects.all();
    const cls = this.constructor.name;
    throw new ViewConfigurationError(`${cls} has no QuerySet. Set ${cls}.model or ${cls}.queryset, or override getQueryset().`);
  }

  getSlugField(): string {
    return this.slugField;
  }

  /**
   * The object named by the URL's pk or slug.
   * @throws Http404 when no row matches; ViewConfigurationError when the URL has neither param.
   */
  async getObject(queryset: QuerySet<M> = this.getQueryset()): Promise<M> {
    const pk = this.kwargs[this.pkUrlKwarg];
    const slug = this.kwargs[this.slugUrlKwarg];
    let qs = queryset;
    if (pk !== undefined && pk !== null) qs = qs.filter({ pk });
    if (slug !== undefined && slug !== null && (pk === undefined || pk === null || this.queryPkAndSlug)) qs = qs.filter({ [this.getSlugField()]: slug });
    if ((pk === undefined || pk === null) && (slug === undefined || slug === null)) {
      throw new ViewConfigurationError(
        `${this.constructor.name} must be routed with a '${this.pkUrlKwarg}' or '${this.slugUrlKwarg}' param ` +
          `(e.g. path('books/<int:${this.pkUrlKwarg}>/', …)); set pkUrlKwarg or slugUrlKwarg to the param your route uses.`,
      );
    }
    try {
      return await qs.get();
    } catch (error) {
      const model = qs.model as unknown as typeof ModelBase;
      if (error instanceof model.DoesNotExist) throw new Http404(`No ${model._meta.verboseName} found matching the query.`, { cause: error });
      throw error;
    }
  }

  getContextObjectName(object: M): string | null {
    if (this.contextObjectName) return this.contextObjectName;
    const meta = (object as { constructor?: { _meta?: ModelLike['_meta'] } } | null)?.constructor?._meta;
    return meta?.modelName ?? null;
  }

  override async getContextData(kwargs: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const context: Record<string, unknown> = {};
    if (this.object !== undefined) {
      context['object'] = this.object;
      const name = this.getContextObjectName(this.object);
      if (name) context[name] = this.object;
    }
    return super.getContextData({ ...context, ...kwargs });
  }

  override getTemplateNames(): string[] {
    if (this.templateName !== null) return [this.templateName];
    const names: string[] = [];
    if (this.object !== undefined && this.templateNameField) {
      const name = (this.object as Record<string, unknown>)[this.templateNameField];
      if (typeof name === 'string' && name) names.push(name);
    }
    const meta = (this.object as { constructor?: { _meta?: ModelLike['_meta'] } } | undefined)?.constructor?._meta ?? this.model?._meta ?? metaOf(this.queryset ?? undefined, null);
    if (meta) names.push(`${meta.appLabel}/${meta.modelName}${this.templateNameSuffix}.html`);
    if (!names.length) throw new ViewConfigurationError(`${this.constructor.name} needs a templateName, a model or a queryset to derive the template name.`);
    return names;
  }

  override async get(_request: HttpRequest, _params: Params): Promise<HttpResponse> {
    this.object = await this.getObject();
    return this.renderToResponse(await this.getContextData());
  }
}

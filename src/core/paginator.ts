/**
 * Splitting a list or a QuerySet into pages (Django's django.core.paginator).
 *
 * An array is paginated synchronously; a QuerySet is counted with one
 * `COUNT(*)` query and each page fetched with one `LIMIT/OFFSET` query, so
 * `page()` and `getPage()` are async. Once a page is loaded, everything about
 * the paginator (`count`, `numPages`, `pageRange`) is known and synchronous,
 * which is what templates read.
 *
 * ```ts
 * const paginator = new Paginator(Book.objects.orderBy('title'), 25);
 * const page = await paginator.getPage(request.GET.get('page'));
 * // SELECT COUNT(*) FROM catalog_book; SELECT … ORDER BY title LIMIT 25 OFFSET 50
 * ```
 */
import { NuagesError } from './errors.ts';

/** A page number that cannot be served (Django's InvalidPage). */
export class InvalidPage extends NuagesError {
  readonly code: string = 'NUAGES_INVALID_PAGE';
}

/** The page number is not an integer, such as `'abc'` or `2.5` (Django's PageNotAnInteger). */
export class PageNotAnInteger extends InvalidPage {
  override readonly code = 'NUAGES_PAGE_NOT_AN_INTEGER';
}

/** The page number is below 1 or past the last page (Django's EmptyPage). */
export class EmptyPage extends InvalidPage {
  override readonly code = 'NUAGES_EMPTY_PAGE';
}

/** `count`, `numPages` or `pageRange` was read on a QuerySet paginator before anything counted it. */
export class PaginatorNotCountedError extends NuagesError {
  readonly code = 'NUAGES_PAGINATOR_NOT_COUNTED';
  constructor(what: string) {
    super(
      `paginator.${what} is not known yet: the objects are a QuerySet, which is counted by a query. ` +
        'Await paginator.page(n), paginator.getPage(n) or paginator.ready() first.',
    );
  }
}

/** Something with a length and slices, or a QuerySet (async `count()`, thenable `slice()`). */
export type Paginatable<T> =
  | readonly T[]
  | {
      count(): number | Promise<number>;
      slice(start: number, end?: number): PromiseLike<readonly T[]> | readonly T[];
    };

/** Messages of the three page errors, replaceable per paginator (Django's error_messages). */
export interface PaginatorMessages {
  /** Thrown as PageNotAnInteger; `%(page)s` is replaced by the number given. */
  invalidPage: string;
  /** Thrown as EmptyPage for a number below 1. */
  minPage: string;
  /** Thrown as EmptyPage for a number past the last page. */
  noResults: string;
}

/** Options of {@link Paginator}. */
export interface PaginatorOptions {
  /** Fold a last page with this many objects or fewer into the previous page (default 0). */
  orphans?: number;
  /** Whether an empty list still has page 1 (default true). */
  allowEmptyFirstPage?: boolean;
  errorMessages?: Partial<PaginatorMessages>;
}

const DEFAULT_MESSAGES: PaginatorMessages = {
  invalidPage: "The page number '%(page)s' is not an integer.",
  minPage: 'The page number %(page)s is less than 1.',
  noResults: 'Page %(page)s contains no results.',
};

const INTEGER_TEXT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/**
 * Splits `objectList` into pages of `perPage`.
 *
 * @example
 * const paginator = new Paginator(books, 10, { orphans: 2 });
 * const page = await paginator.page(3);
 * page.objectList; page.hasNext(); paginator.getElidedPageRange(page.number);
 */
export class Paginator<T = unknown> {
  /** What `getElidedPageRange()` puts where pages are left out. */
  static readonly ELLIPSIS = '…';
  readonly ELLIPSIS = Paginator.ELLIPSIS;
  readonly objectList: Paginatable<T>;
  readonly perPage: number;
  readonly orphans: number;
  readonly allowEmptyFirstPage: boolean;
  readonly errorMessages: PaginatorMessages;
  #count: number | undefined;
  #counting: Promise<number> | undefined;

  constructor(objectList: Paginatable<T>, perPage: number, options: PaginatorOptions = {}) {
    this.objectList = objectList;
    this.perPage = Math.trunc(Number(perPage));
    if (!(this.perPage > 0)) throw new RangeError(`Paginator: perPage must be a positive integer, got ${String(perPage)}.`);
    this.orphans = Math.trunc(options.orphans ?? 0);
    this.allowEmptyFirstPage = options.allowEmptyFirstPage ?? true;
    this.errorMessages = { ...DEFAULT_MESSAGES, ...options.errorMessages };
    if (isArrayLike(objectList)) this.#count = objectList.length;
    else warnIfUnordered(objectList);
  }

  /** Counts the objects (one query for a QuerySet, once); afterwards every getter is synchronous. */
  async ready(): Promise<this> {
    if (this.#count === undefined) {
      this.#counting ??= Promise.resolve((this.objectList as { count(): number | Promise<number> }).count()).then((n) => (this.#count = Number(n)));
      await this.#counting;
    }
    return this;
  }

  /** The number of objects. */
  get count(): number {
    if (this.#count === undefined) throw new PaginatorNotCountedError('count');
    return this.#count;
  }

  /** The number of pages (0 for an empty list when `allowEmptyFirstPage` is false). */
  get numPages(): number {
    if (this.#count === undefined) throw new PaginatorNotCountedError('numPages');
    if (this.#count === 0 && !this.allowEmptyFirstPage) return 0;
    const hits = Math.max(1, this.#count - this.orphans);
    return Math.ceil(hits / this.perPage);
  }

  /** The page numbers, from 1: `[1, 2, 3]`. */
  get pageRange(): number[] {
    return Array.from({ length: this.numPages }, (_, i) => i + 1);
  }

  /**
   * The page number as an integer, checked against the page count.
   * @throws PageNotAnInteger for a non-integer, EmptyPage for a number out of range.
   */
  validateNumber(number: unknown): number {
    const n = this.#toInteger(number);
    if (n < 1) throw new EmptyPage(this.#message('minPage', n));
    if (n > this.numPages) throw new EmptyPage(this.#message('noResults', n));
    return n;
  }

  #toInteger(number: unknown): number {
    const n = this.#asInteger(number);
    if (n === undefined) throw new PageNotAnInteger(this.#message('invalidPage', number));
    return n;
  }

  #asInteger(number: unknown): number | undefined {
    if (typeof number === 'boolean') return number ? 1 : 0;
    if (typeof number === 'number' && Number.isInteger(number)) return number;
    if (typeof number === 'bigint') return Number(number);
    if (typeof number === 'string' && INTEGER_TEXT.test(number)) return Number(number.trim().replaceAll('_', ''));
    return undefined;
  }

  #message(key: keyof PaginatorMessages, page: unknown): string {
    return this.errorMessages[key].replace(/%\(page\)s/g, String(page));
  }

  /**
   * Page `number`, its objects loaded.
   * @throws PageNotAnInteger or EmptyPage, as {@link validateNumber}.
   */
  async page(number: unknown): Promise<Page<T>> {
    await this.ready();
    const n = this.validateNumber(number);
    const bottom = (n - 1) * this.perPage;
    let top = bottom + this.perPage;
    if (top + this.orphans >= this.count) top = this.count;
    const objects = await this.objectList.slice(bottom, top);
    return new Page([...objects], n, this);
  }

  /**
   * Page `number`, forgiving: a non-integer gives the first page, a number
   * out of range the last — what a view wants for `?page=` from a user.
   */
  async getPage(number: unknown): Promise<Page<T>> {
    await this.ready();
    // Decided without throwing: a list's first page comes without ?page=, and building
    // PageNotAnInteger (its stack) on every such request cost about 5 µs.
    const n = this.#asInteger(number);
    if (n === undefined) return this.page(1);
    return this.page(n < 1 || n > this.numPages ? this.numPages : n);
  }

  /**
   * Page numbers around `number` and at both ends, with {@link ELLIPSIS} where
   * pages are left out: `[1, 2, '…', 7, 8, 9, 10, 11, 12, 13, '…', 49, 50]`.
   */
  getElidedPageRange(number: unknown = 1, options: { onEachSide?: number; onEnds?: number } = {}): (number | string)[] {
    const onEachSide = options.onEachSide ?? 3;
    const onEnds = options.onEnds ?? 2;
    const n = this.validateNumber(number);
    const last = this.numPages;
    if (last <= (onEachSide + onEnds) * 2) return this.pageRange;
    const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    const out: (number | string)[] = [];
    if (n > 1 + onEachSide + onEnds + 1) out.push(...range(1, onEnds), Paginator.ELLIPSIS, ...range(n - onEachSide, n));
    else out.push(...range(1, n));
    if (n < last - onEachSide - onEnds - 1) out.push(...range(n + 1, n + onEachSide), Paginator.ELLIPSIS, ...range(last - onEnds + 1, last));
    else out.push(...range(n + 1, last));
    return out;
  }
}

/** One page of a {@link Paginator}: its objects and where it sits. */
export class Page<T = unknown> implements Iterable<T> {
  readonly objectList: readonly T[];
  readonly number: number;
  readonly paginator: Paginator<T>;

  constructor(objectList: readonly T[], number: number, paginator: Paginator<T>) {
    this.objectList = objectList;
    this.number = number;
    this.paginator = paginator;
  }

  get length(): number {
    return this.objectList.length;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.objectList[Symbol.iterator]();
  }

  hasNext(): boolean {
    return this.number < this.paginator.numPages;
  }

  hasPrevious(): boolean {
    return this.number > 1;
  }

  hasOtherPages(): boolean {
    return this.hasPrevious() || this.hasNext();
  }

  /** @throws EmptyPage on the last page. */
  nextPageNumber(): number {
    return this.paginator.validateNumber(this.number + 1);
  }

  /** @throws EmptyPage on the first page. */
  previousPageNumber(): number {
    return this.paginator.validateNumber(this.number - 1);
  }

  /** The 1-based index of the first object on the page (0 when there are none). */
  startIndex(): number {
    if (this.paginator.count === 0) return 0;
    return this.paginator.perPage * (this.number - 1) + 1;
  }

  /** The 1-based index of the last object on the page. */
  endIndex(): number {
    if (this.number === this.paginator.numPages) return this.paginator.count;
    return this.number * this.paginator.perPage;
  }

  toString(): string {
    return `<Page ${this.number} of ${this.paginator.numPages}>`;
  }
}

function isArrayLike<T>(list: Paginatable<T>): list is readonly T[] {
  return Array.isArray(list) || (typeof (list as { length?: unknown }).length === 'number' && typeof (list as { count?: unknown }).count !== 'function');
}

// Django warns too: LIMIT/OFFSET over an unordered query may repeat or skip rows between pages.
function warnIfUnordered(list: unknown): void {
  const qs = list as { query?: { ordering?: readonly unknown[] | null; noOrdering?: boolean }; model?: { name?: string; _meta?: { ordering?: readonly unknown[] } } };
  let query: { ordering?: readonly unknown[] | null; noOrdering?: boolean } | undefined;
  try {
    query = qs.query;
  } catch {
    return; // no database configured yet: nothing to say
  }
  if (!query || !qs.model) return;
  const ordered = query.ordering ? query.ordering.length > 0 : !query.noOrdering && (qs.model._meta?.ordering?.length ?? 0) > 0;
  if (!ordered) {
    process.emitWarning(
      `Pagination may yield inconsistent results with an unordered QuerySet of ${qs.model.name ?? 'a model'}: add .orderBy(…) or Meta ordering.`,
      { type: 'UnorderedObjectListWarning', code: 'NUAGES_UNORDERED_PAGINATION' },
    );
  }
}

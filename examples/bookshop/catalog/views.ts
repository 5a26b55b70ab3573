/**
 * The catalogue's pages. Each view issues a fixed number of queries whatever
 * the page size: to-one relations are JOINed (selectRelated), to-many ones
 * are loaded by one batched query (prefetchRelated). Each cache layer is used
 * where it belongs: the home page's fragment (`{% cache %}`), the book list and
 * book pages per view (`cachePage`), the top-rated list at low level (`getOrSet`); all of
 * them depend on the catalogue's models, so an edit shows at once.
 */
import { atomic, Avg, Count, Prefetch, Q } from 'nuages/db';
import { Http404, HttpResponse, HttpResponseRedirect, JsonResponse, type HttpRequest } from 'nuages/http';
import { Paginator } from 'nuages/core/paginator';
import { renderToString } from 'nuages/template';
import { cache } from 'nuages/cache';
import { reverse } from 'nuages/urls';
import { permissionRequired } from 'nuages/contrib/auth';
import { cachePage, varyOnCookie } from 'nuages/views';
import { Bestseller } from '../orders/models.ts';
import { BookForm, ContactForm } from './forms.ts';
import { Author, Book, ContactMessage, Product, Publisher } from './models.ts';

const BOOKS_PER_PAGE = 10;

async function render(request: HttpRequest, name: string, context: Record<string, unknown>): Promise<HttpResponse> {
  return new HttpResponse(await renderToString(name, context, request));
}

/** The books matching `?q=` (title, author or publisher), newest first, with publisher and authors loaded. */
function searchBooks(q: string) {
  let books = Book.objects.selectRelated('publisher').prefetchRelated('authors');
  if (q !== '') {
    // Matching through the authors join can repeat a book; distinct() keeps one row each.
    books = books.filter(Q({ title__icontains: q }).or({ authors__name__icontains: q }).or({ publisher__name__icontains: q })).distinct();
  }
  return books;
}

/**
 * The five best-rated books, from the cache: one query per change of the catalogue, not per
 * request. A saved Book, Author or Publisher outdates it (after commit); for a minute after
 * it expires the old list is served while one request refreshes it.
 */
export function topRated(): Promise<Book[]> {
  return cache.getOrSet(
    'catalog:top-rated',
    () => Book.objects.selectRelated('publisher').prefetchRelated('authors').orderBy('-rating', 'title').slice(0, 5),
    60 * 10,
    { dependsOn: [Book, Author, Publisher], grace: 60 },
  );
}

/**
 * `/`: the shop at a glance. The counts and the newest books sit in a `{% cache %}` fragment
 * that depends on the catalogue's models, so they are handed to the template unevaluated
 * (a QuerySet, and functions the template calls): on a cached render they never run.
 */
export async function home(request: HttpRequest): Promise<HttpResponse> {
  return render(request, 'catalog/home.html', {
    newest: Book.objects.selectRelated('publisher').prefetchRelated('authors').slice(0, 5),
    bookCount: () => Book.objects.count(),
    authorCount: () => Author.objects.count(),
    publisherCount: () => Publisher.objects.count(),
    topRated: await topRated(),
  });
}

/**
 * The cached pages vary on the Cookie header (`varyOnCookie`): the header names the logged-in
 * user and shows their flash messages, so a visitor with a session gets a copy of their own,
 * and visitors without one share a copy.
 *
 * `/books/?q=…&page=N`: 3 queries (count, page with publishers, authors of the page), once
 * per URL (each search and page is its own entry) per 5 minutes, or sooner when the catalogue
 * changes.
 */
export const bookList = cachePage(60 * 5, { dependsOn: [Book, Author, Publisher] })(varyOnCookie(async function bookList(
  request: HttpRequest,
): Promise<HttpResponse> {
  const q = (request.GET.get('q') ?? '').trim();
  const paginator = new Paginator(searchBooks(q), BOOKS_PER_PAGE);
  // getPage() forgives a bad ?page= (last page for too big, first for nonsense), as Django's.
  const page = await paginator.getPage(request.GET.get('page'));
  return render(request, 'catalog/book_list.html', {
    page,
    paginator,
    books: page.objectList,
    q,
    pageRange: paginator.getElidedPageRange(page.number, { onEachSide: 2, onEnds: 1 }),
  });
}));

/**
 * `/books/<int:id>/`: 2 queries, the book JOINed to its publisher, then its authors in name
 * order, once per 15 minutes, or sooner when a book, author or publisher changes.
 */
export const bookDetail = cachePage(60 * 15, { dependsOn: [Book, Author, Publisher] })(varyOnCookie(async function bookDetail(
  request: HttpRequest,
  params: { id: number },
): Promise<HttpResponse> {
  // No Count('books') here: inside a prefetch it would count through the prefetch's own join (1 each).
  const authors = Author.objects.orderBy('name');
  const book = await Book.objects
    .selectRelated('publisher')
    .prefetchRelated(new Prefetch('authors', { queryset: authors }))
    .filter({ id: params.id })
    .first();
  if (!book) throw new Http404(`No book with id ${params.id}.`);
  return render(request, 'catalog/book_detail.html', { book, authors: await book.authors });
}));

/** `/authors/`: every author with how many books they wrote and their average rating (1 query, GROUP BY). */
export async function authorList(request: HttpRequest): Promise<HttpResponse> {
  const authors = await Author.objects
    .annotate({ bookCount: Count('books'), averageRating: Avg('books__rating') })
    .orderBy('-bookCount', 'name');
  return render(request, 'catalog/author_list.html', { authors });
}

/** `/api/books/?q=…&page=N`: the book list as JSON, same queries as the HTML list. */
export async function apiBooks(request: HttpRequest): Promise<JsonResponse> {
  const q = (request.GET.get('q') ?? '').trim();
  const paginator = new Paginator(searchBooks(q), BOOKS_PER_PAGE);
  const page = await paginator.getPage(request.GET.get('page'));
  const results = [];
  for (const book of page.objectList) {
    results.push({
      id: book.id,
      title: book.title,
      isbn: book.isbn,
      price: book.price,
      rating: book.rating,
      pages: book.pages,
      publishedDate: book.publishedDate,
      publisher: book.publisher.name,
      authors: (await book.authors).map((author) => author.name),
    });
  }
  return new JsonResponse({
    count: paginator.count,
    page: page.number,
    numPages: paginator.numPages,
    next: page.hasNext() ? page.nextPageNumber() : null,
    previous: page.hasPrevious() ? page.previousPageNumber() : null,
    results,
  });
}

/**
 * `/contact/`: the contact form. A valid POST stores the message and redirects (so a reload
 * does not send it twice); an invalid one shows the form again with Django's errors.
 */
export async function contact(request: HttpRequest): Promise<HttpResponse> {
  if (request.method === 'POST') {
    const form = new ContactForm({ data: request.POST });
    if (await form.isValid()) {
      await ContactMessage.objects.create(form.cleanedData);
      return new HttpResponseRedirect('?sent=1');
    }
    return render(request, 'catalog/contact.html', { form });
  }
  return render(request, 'catalog/contact.html', { form: new ContactForm(), sent: request.GET.get('sent') === '1' });
}

/**
 * `/staff/books/<int:id>/edit/` (users holding catalog.change_book; others go to the login
 * page): the book in a BookForm, cover included. A valid multipart
 * POST saves it and redirects to the book's page, which shows the change at once: the save
 * outdates every cached page that depends on Book.
 */
async function editExisting(request: HttpRequest, params: { id: number }): Promise<HttpResponse> {
  const book = await Book.objects.filter({ id: params.id }).first();
  if (!book) throw new Http404(`No book with id ${params.id}.`);
  return editBook(request, book);
}
export const bookEdit = permissionRequired('catalog.change_book')<{ id: number }, typeof editExisting>(editExisting);

/** `/staff/books/new/`: the same form, empty; a valid POST creates the book. */
export const bookCreate = permissionRequired('catalog.add_book')(async function bookCreate(request: HttpRequest): Promise<HttpResponse> {
  return editBook(request, null);
});

async function editBook(request: HttpRequest, book: Book | null): Promise<HttpResponse> {
  // Taken now: validation copies the submitted (maybe invalid) title onto the instance.
  const heading = book ? `Edit “${book.title}”` : 'New book';
  if (request.method === 'POST') {
    const form = new BookForm({ data: request.POST, files: request.FILES, instance: book });
    if (await form.isValid()) {
      // The row and its authors change together, and cached pages are outdated once, after commit.
      const saved = await atomic(() => form.save());
      return new HttpResponseRedirect(reverse('catalog:book-detail', { id: saved.id }));
    }
    return render(request, 'catalog/book_form.html', { form, book, heading });
  }
  return render(request, 'catalog/book_form.html', { form: new BookForm({ instance: book }), book, heading });
}

/** `/products/`: every product with its price and an "Add to cart" button (1 query). */
export async function productList(request: HttpRequest): Promise<HttpResponse> {
  // The bestsellers as the periodic task last ranked them (orders/tasks.ts): one small query.
  const bestsellers = await Bestseller.objects.selectRelated('product');
  return render(request, 'catalog/product_list.html', { products: await Product.objects.all(), bestsellers });
}

/** `/products/<slug:sku>/`: one product and the form that adds it to the session cart. */
export async function productDetail(request: HttpRequest, params: { sku: string }): Promise<HttpResponse> {
  const product = await Product.objects.filter({ sku: params.sku }).first();
  if (!product) throw new Http404(`No product with SKU ${params.sku}.`);
  return render(request, 'catalog/product_detail.html', { product });
}

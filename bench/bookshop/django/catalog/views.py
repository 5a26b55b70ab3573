"""The two pages the bench measures, with the queries of the Nuages bookshop's views.

book_list: cache_page(5 min) + vary_on_cookie, as bookList (its cachePage also depends on
the models, which nothing changes during the bench). Both: count, the page JOINed to its
publishers (select_related), the page's authors in one query (prefetch_related).
"""
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_cookie

from .models import Book

BOOKS_PER_PAGE = 10


def search_books(q):
    books = Book.objects.select_related("publisher").prefetch_related("authors")
    if q:
        books = books.filter(
            Q(title__icontains=q) | Q(authors__name__icontains=q) | Q(publisher__name__icontains=q)
        ).distinct()
    return books


@cache_page(60 * 5)
@vary_on_cookie
def book_list(request):
    q = request.GET.get("q", "").strip()
    paginator = Paginator(search_books(q), BOOKS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/book_list.html",
        {
            "page": page,
            "paginator": paginator,
            "books": page.object_list,
            "q": q,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


def api_books(request):
    q = request.GET.get("q", "").strip()
    paginator = Paginator(search_books(q), BOOKS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    results = [
        {
            "id": book.id,
            "title": book.title,
            "isbn": book.isbn,
            "price": book.price,
            "rating": book.rating,
            "pages": book.pages,
            "publishedDate": book.published_date,
            "publisher": book.publisher.name,
            "authors": [author.name for author in book.authors.all()],
        }
        for book in page.object_list
    ]
    return JsonResponse(
        {
            "count": paginator.count,
            "page": page.number,
            "numPages": paginator.num_pages,
            "next": page.next_page_number() if page.has_next() else None,
            "previous": page.previous_page_number() if page.has_previous() else None,
            "results": results,
        }
    )


def not_in_bench(request, **kwargs):
    """The bookshop's other pages: named so the header's links reverse, not part of the bench."""
    raise Http404("This page of the bookshop is not part of the bench's Django version.")

"""Django's ORM on the bench file: the same workloads, medians as one JSON line.

Usage: python django_bench.py DB_PATH GETS SAMPLES JOINED_BOOKS  (run by bench/orm/run.ts).
"""
import json
import os
import statistics
import sys
import time
import types

import django
from django.conf import settings

DB_PATH, GETS, SAMPLES, JOINED_BOOKS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
# Reverse relations (Author.books, used by prefetch_related) only exist for models of an
# installed app: install an in-memory "catalog" package.
catalog = types.ModuleType("catalog")
catalog.__path__ = [os.path.dirname(os.path.abspath(__file__))]
sys.modules["catalog"] = catalog
# "postgres:<schema>" runs on the PostgreSQL bench schema with psycopg, as run.ts --db postgres asks.
if DB_PATH.startswith("postgres:"):
    DATABASE = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "test",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": 5432,
        "OPTIONS": {"options": f"-c search_path={DB_PATH.split(':', 1)[1]}"},
    }
else:
    DATABASE = {"ENGINE": "django.db.backends.sqlite3", "NAME": DB_PATH}
settings.configure(
    DATABASES={"default": DATABASE},
    INSTALLED_APPS=["catalog"],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()

from django.db import models  # noqa: E402


class Publisher(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "catalog"
        db_table = "catalog_publisher"


class Author(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        app_label = "catalog"
        db_table = "catalog_author"


class Book(models.Model):
    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13, unique=True)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    rating = models.IntegerField()
    pages = models.IntegerField()
    published_date = models.DateField()
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    authors = models.ManyToManyField(Author, related_name="books", db_table="catalog_book_authors")

    class Meta:
        app_label = "catalog"
        db_table = "catalog_book"


def gets():
    for pk in range(1, GETS + 1):
        Book.objects.get(pk=pk)


OPS = {
    "instances": (lambda: list(Book.objects.all()), 1),
    "get": (gets, GETS),
    "page": (lambda: list(Book.objects.filter(rating__gte=3).order_by("-published_date")[:100]), 1),
    "values": (lambda: list(Book.objects.values()), 1),
    "selectRelated": (lambda: list(Book.objects.select_related("publisher")[:JOINED_BOOKS]), 1),
    "prefetch": (lambda: list(Publisher.objects.prefetch_related("books__authors")), 1),
}


def check():
    """Loads what the Node tools load, so Django is not timed doing less."""
    books = list(Book.objects.select_related("publisher")[:JOINED_BOOKS])
    assert len(books) == JOINED_BOOKS and all(b.publisher.name for b in books)
    pubs = list(Publisher.objects.prefetch_related("books__authors"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as ctx:
        nested = sum(len(p.books.all()) for p in pubs)
        leaves = sum(len(b.authors.all()) for p in pubs for b in p.books.all())
    assert len(ctx.captured_queries) == 0 and nested > 0 and leaves > 0
    return {"rows": len(pubs), "nested": nested, "leaves": leaves}


SHAPE = check()


def measure(op, per_op):
    reps, end = 0, time.perf_counter() + 0.15
    while time.perf_counter() < end or reps < 3:
        op()
        reps += 1
    batch = max(1, round(0.02 / (0.15 / reps)))
    samples = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        for _ in range(batch):
            op()
        samples.append((time.perf_counter() - t0) * 1000 / batch / per_op)
    return statistics.median(samples)


result = {name: measure(op, per_op) for name, (op, per_op) in OPS.items()}
result["shape"] = SHAPE
print(json.dumps(result))

"""Django 5.2's answers for the relation tests (joins.test.ts).

Builds the schema of tests/db/models/relations-fixture.ts in an in-memory SQLite
database (same tables and columns), loads relations-data.json in the same order,
runs the same queries across relations and prints their results as JSON. The
tests hard-code that output, so CI does not need Django. Re-run with:

    .venv-django/bin/python tests/db/models/django/relations_oracle.py
"""
import json
import pathlib
from decimal import Decimal

import sys
import types

import django
from django.conf import settings

# Reverse relations exist only between models of installed apps: install an empty 'rel' app.
rel_app = types.ModuleType("rel")
rel_app.__path__ = [str(pathlib.Path(__file__).parent)]
sys.modules["rel"] = rel_app

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["rel"],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
)
django.setup()

from django.db import connection, models  # noqa: E402
from django.db.models import Count, Q  # noqa: E402


def meta(**extra):
    return type("Meta", (), {"app_label": "rel", **extra})


class Country(models.Model):
    name = models.CharField(max_length=50)
    Meta = meta()


class Publisher(models.Model):
    name = models.CharField(max_length=50)
    country = models.ForeignKey(Country, models.SET_NULL, null=True, related_name="publishers")
    Meta = meta()


class Author(models.Model):
    name = models.CharField(max_length=50)
    age = models.IntegerField()
    Meta = meta()


class Book(models.Model):
    title = models.CharField(max_length=50)
    pages = models.IntegerField()
    rating = models.IntegerField()
    publisher = models.ForeignKey(Publisher, models.CASCADE, related_name="books")
    editor = models.ForeignKey("rel.Author", models.SET_NULL, null=True, related_name="edited")
    authors = models.ManyToManyField(Author, related_name="books")
    Meta = meta()


class Review(models.Model):
    book = models.ForeignKey(Book, models.CASCADE, related_name="reviews")
    stars = models.IntegerField()
    Meta = meta()


class Profile(models.Model):
    author = models.OneToOneField(Author, models.CASCADE, related_name="profile")
    bio = models.CharField(max_length=50)
    Meta = meta()


class Customer(models.Model):
    name = models.CharField(max_length=50)
    Meta = meta()


class Product(models.Model):
    name = models.CharField(max_length=50)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    Meta = meta()


class Order(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE, related_name="orders")
    Meta = meta()


class Item(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, models.CASCADE)  # default names: item / item_set
    qty = models.IntegerField()
    Meta = meta()


MODELS = [Country, Publisher, Author, Book, Review, Profile, Customer, Product, Order, Item]
with connection.schema_editor() as editor:
    for model in MODELS:
        editor.create_model(model)

data = json.loads((pathlib.Path(__file__).parent / "relations-data.json").read_text())
for name in data["countries"]:
    Country.objects.create(name=name)
for name, country in data["publishers"]:
    Publisher.objects.create(name=name, country_id=country)
for name, age in data["authors"]:
    Author.objects.create(name=name, age=age)
for title, pages, rating, publisher, editor, authors in data["books"]:
    Book.objects.create(title=title, pages=pages, rating=rating, publisher_id=publisher, editor_id=editor).authors.add(*authors)
for book, stars in data["reviews"]:
    Review.objects.create(book_id=book, stars=stars)
for author, bio in data["profiles"]:
    Profile.objects.create(author_id=author, bio=bio)
for name in data["customers"]:
    Customer.objects.create(name=name)
for name, price in data["products"]:
    Product.objects.create(name=name, price=Decimal(price))
for customer in data["orders"]:
    Order.objects.create(customer_id=customer)
for order, product, qty in data["items"]:
    Item.objects.create(order_id=order, product_id=product, qty=qty)


def pks(qs):
    return list(qs.values_list("pk", flat=True))


def plain(rows):
    return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in rows]


# Every query orders by something, so the lists compare as they are (duplicates included).
CASES = {
    "fk_forward": pks(Book.objects.filter(publisher__name="Apress").order_by("pk")),
    "fk_two_hops": pks(Book.objects.filter(publisher__country__name="France").order_by("pk")),
    "fk_reverse": pks(Publisher.objects.filter(books__rating=5).order_by("pk")),
    "m2m_forward": pks(Book.objects.filter(authors__name="Ann").order_by("pk")),
    "m2m_forward_dupes": pks(Book.objects.filter(authors__age__gt=40).order_by("pk")),
    "m2m_forward_distinct": pks(Book.objects.filter(authors__age__gt=40).distinct().order_by("pk")),
    "m2m_reverse": pks(Author.objects.filter(books__publisher__name="Bloom").order_by("pk")),
    "m2m_reverse_dupes": pks(Author.objects.filter(books__publisher__name="Apress").order_by("pk")),
    "reverse_then_m2m": pks(Publisher.objects.filter(books__authors__name__icontains="e").distinct().order_by("pk")),
    "four_hops": pks(Customer.objects.filter(orders__items__product__price__gt=10).distinct().order_by("pk")),
    "default_related_query_name": pks(Product.objects.filter(item__order__customer__name="Kim").distinct().order_by("pk")),
    "reverse_o2o": pks(Author.objects.filter(profile__bio__startswith="nov").order_by("pk")),
    "reverse_fk_then_reverse_fk": pks(Author.objects.filter(books__reviews__stars__gte=5).distinct().order_by("pk")),
    "string_reference_fk": pks(Book.objects.filter(editor__age__gte=45).order_by("pk")),
    "one_filter_two_conditions": pks(Book.objects.filter(authors__name="Ann", authors__age=45).order_by("pk")),
    "two_filters": pks(Book.objects.filter(authors__name="Ann").filter(authors__age=45).order_by("pk")),
    "reverse_one_filter": pks(Publisher.objects.filter(books__rating__gte=4, books__pages__lt=400).order_by("pk")),
    "reverse_two_filters": pks(Publisher.objects.filter(books__rating__gte=4).filter(books__pages__lt=400).order_by("pk")),
    "q_and_in_one_filter": pks(Book.objects.filter(Q(authors__name="Ann") & Q(authors__age=45)).order_by("pk")),
    "q_or_across": pks(Book.objects.filter(Q(authors__name="Dee") | Q(editor__name="Cid")).distinct().order_by("pk")),
    "exclude_reverse": pks(Publisher.objects.exclude(books__rating=5).order_by("pk")),
    "exclude_m2m": pks(Book.objects.exclude(authors__name="Ann").order_by("pk")),
    "exclude_nested": pks(Publisher.objects.exclude(books__authors__name="Bob").order_by("pk")),
    "exclude_two_conditions": pks(Publisher.objects.exclude(books__rating__gte=4, books__pages__lt=400).order_by("pk")),
    "exclude_nullable_fk": pks(Book.objects.exclude(editor__name="Ann").order_by("pk")),
    "exclude_nullable_chain": pks(Book.objects.exclude(publisher__country__name="France").order_by("pk")),
    "exclude_q_or": pks(Author.objects.exclude(Q(books__rating=1) | Q(age__lt=30)).order_by("pk")),
    "isnull_forward": pks(Book.objects.filter(editor__isnull=True).order_by("pk")),
    "isnull_reverse": pks(Publisher.objects.filter(books__isnull=True).order_by("pk")),
    "isnull_m2m_reverse": pks(Author.objects.filter(books__isnull=True).order_by("pk")),
    "isnull_o2o_reverse": pks(Author.objects.filter(profile__isnull=True).order_by("pk")),
    "isnull_two_hops": pks(Book.objects.filter(publisher__country__isnull=True).order_by("pk")),
    "isnull_false_reverse": pks(Author.objects.filter(edited__isnull=False).distinct().order_by("pk")),
    "in_subquery": pks(Book.objects.filter(publisher__in=Publisher.objects.filter(country__name="France")).order_by("pk")),
    "in_subquery_m2m": pks(Author.objects.filter(books__in=Book.objects.filter(rating=5)).distinct().order_by("pk")),
    "values_across": plain(Book.objects.order_by("title").values("title", "publisher__name", "publisher__country__name")),
    "values_list_reverse_m2m": [list(r) for r in Author.objects.order_by("name", "books__title").values_list("name", "books__title")],
    "order_across": list(Book.objects.order_by("publisher__name", "-title").values_list("title", flat=True)),
    "order_nullable_desc": list(Book.objects.order_by("-editor__age", "pk").values_list("title", flat=True)),
    "order_reverse_multi": pks(Publisher.objects.order_by("books__rating", "pk")),
    "count_m2m_in": Book.objects.filter(authors__name__in=["Ann", "Bob"]).count(),
    "count_m2m_in_distinct": Book.objects.filter(authors__name__in=["Ann", "Bob"]).distinct().count(),
    "annotate_one_join": list(Publisher.objects.annotate(n=Count("books")).order_by("pk").values_list("name", "n")),
    "annotate_trap": list(
        Book.objects.annotate(na=Count("authors"), nr=Count("reviews")).order_by("pk").values_list("title", "na", "nr")
    ),
    "annotate_trap_distinct": list(
        Book.objects.annotate(na=Count("authors", distinct=True), nr=Count("reviews", distinct=True))
        .order_by("pk")
        .values_list("title", "na", "nr")
    ),
}
CASES["annotate_one_join"] = [list(r) for r in CASES["annotate_one_join"]]
CASES["annotate_trap"] = [list(r) for r in CASES["annotate_trap"]]
CASES["annotate_trap_distinct"] = [list(r) for r in CASES["annotate_trap_distinct"]]

# Deleting a book through the ORM removes its join rows, as Django counts them.
book = Book.objects.get(title="Alpha")
CASES["delete_book"] = list(book.delete())
CASES["delete_publisher"] = list(Publisher.objects.get(name="Bloom").delete())
CASES["delete_author"] = list(Author.objects.get(name="Ann").delete())

print(json.dumps({"django": django.get_version(), "cases": CASES}, indent=1))

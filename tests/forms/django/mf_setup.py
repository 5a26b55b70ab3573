"""Django 5.2 set up for the model oracles: settings, an in-memory app "mf", and the
models of tests/forms/model-fixture.ts (same fields, same options).

Imported by modelforms_oracle.py, modelformsets_oracle.py and filepath_oracle.py.
"""
import os
import sys
import types
from decimal import Decimal

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
# An in-memory app "mf" so the models get Django's full relation set-up (reverse accessors).
_app = types.ModuleType("mf")
_app.__path__ = [HERE]
sys.modules["mf"] = _app

settings.configure(
    USE_I18N=False,
    USE_TZ=True,
    TIME_ZONE="UTC",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    INSTALLED_APPS=["mf"],
)
django.setup()

from django.db import connection, models  # noqa: E402
from django.db.models import Q  # noqa: E402


class Publisher(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        app_label = "mf"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)

    class Meta:
        app_label = "mf"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200, help_text="As printed on the cover.")
    isbn = models.CharField(max_length=13, unique=True, verbose_name="ISBN")
    summary = models.TextField(blank=True)
    price = models.DecimalField(max_digits=6, decimal_places=2, default=lambda: Decimal("0"))
    rating = models.IntegerField(choices=[(1, "Poor"), (3, "Fair"), (5, "Great")], default=3)
    # Nuages reads the camelCase names as "published date" and "in stock"; Django needs them spelled out.
    publishedDate = models.DateField(null=True, blank=True, verbose_name="published date")
    inStock = models.BooleanField(default=True, verbose_name="in stock")
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    editor = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="edited")
    authors = models.ManyToManyField(Author, blank=True, related_name="books")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "mf"
        unique_together = [["publisher", "title"]]

    def __str__(self):
        return self.title


def _a_publishers():
    return {"name__startswith": "A"}


class Review(models.Model):
    """limit_choices_to in its three shapes: a dict, a Q and a function."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, limit_choices_to={"inStock": True}, related_name="reviews")
    reviewer = models.ForeignKey(
        Author, on_delete=models.CASCADE, null=True, blank=True, limit_choices_to=Q(email__contains="@"), related_name="reviews",
    )
    publishers = models.ManyToManyField(Publisher, blank=True, limit_choices_to=_a_publishers, related_name="reviews")
    text = models.CharField(max_length=50)

    class Meta:
        app_label = "mf"

    def __str__(self):
        return self.text


def create_tables(*model_classes):
    with connection.schema_editor() as editor:
        for model in model_classes:
            editor.create_model(model)

"""Runs real Django 5.2 on the ModelForm cases and writes modelforms-expected.json.

The models mirror tests/forms/model-fixture.ts; the cases (data posted, instance
edited) mirror tests/forms/models-differential.test.ts, which compares field
names, errors as JSON and the rendered HTML byte for byte.
Run: .venv-django/bin/python tests/forms/django/modelforms_oracle.py
"""
import json
import os
from decimal import Decimal

import sys
import types

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

from django import forms  # noqa: E402
from django.db import connection, models  # noqa: E402
from django.utils.datastructures import MultiValueDict  # noqa: E402


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
    # Nuages derives "published date" from the camelCase name; Django would say "publishedDate".
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


with connection.schema_editor() as editor:
    for model in (Publisher, Author, Book):
        editor.create_model(model)

acme = Publisher.objects.create(name="Acme")
Publisher.objects.create(name="<Bold & Co>")
ann = Author.objects.create(name="Ann")
Author.objects.create(name="Bob")
dune = Book.objects.create(title="Dune", isbn="9780441013593", price=Decimal("9.99"), rating=5, publisher=acme)
dune.authors.set([ann])

SPECS = [
    {"name": "all fields, unbound", "fields": "__all__"},
    {"name": "exclude, unbound", "exclude": ["summary", "authors"]},
    {"name": "some fields, ordered", "fields": ["publisher", "title", "rating"]},
    {"name": "valid new book", "fields": "__all__", "data": [["title", "Emma"], ["isbn", "9780141439587"], ["price", "7.50"], ["rating", "1"], ["publisher", "1"], ["authors", "1"], ["authors", "2"], ["inStock", "on"]]},
    {"name": "unique isbn and unique together", "fields": "__all__", "data": [["title", "Dune"], ["isbn", "9780441013593"], ["price", "1"], ["rating", "3"], ["publisher", "1"]]},
    {"name": "bad choices", "fields": "__all__", "data": [["title", "X"], ["isbn", "1"], ["price", "abc"], ["rating", "9"], ["publisher", "99"], ["editor", "zz"], ["authors", "x"]]},
    {"name": "m2m unknown pk", "fields": ["title", "isbn", "publisher", "authors"], "data": [["title", "Y"], ["isbn", "2"], ["publisher", "2"], ["authors", "1"], ["authors", "77"]]},
    {"name": "empty post", "fields": "__all__", "data": []},
    {"name": "edit dune, unbound", "fields": "__all__", "instance": "dune"},
    {"name": "edit dune, same isbn ok", "fields": ["title", "isbn", "publisher"], "instance": "dune", "data": [["title", "Dune Messiah"], ["isbn", "9780441013593"], ["publisher", "2"]]},
    {"name": "labels widgets help texts", "fields": ["title", "summary"], "labels": {"title": "Book title"}, "help_texts": {"summary": "<b>short</b>"}, "widgets": {"title": "Textarea"}},
    {"name": "error messages override unique", "fields": ["isbn", "title", "publisher"], "error_messages": {"isbn": {"unique": "ISBN taken."}, "__all__": {"unique_together": "Already published."}}, "data": [["title", "Dune"], ["isbn", "9780441013593"], ["publisher", "1"]]},
]


def run(spec):
    meta = {"model": Book}
    for key in ("fields", "exclude", "labels", "help_texts", "error_messages"):
        if key in spec:
            meta[key] = spec[key]
    if "widgets" in spec:
        meta["widgets"] = {k: getattr(forms, v) for k, v in spec["widgets"].items()}
    Meta = type("Meta", (), meta)
    Form = type("BookForm", (forms.ModelForm,), {"Meta": Meta})
    kwargs = {}
    if spec.get("instance") == "dune":
        kwargs["instance"] = Book.objects.get(pk=dune.pk)
    if "data" in spec:
        data = MultiValueDict()
        for k, v in spec["data"]:
            data.appendlist(k, v)
        kwargs["data"] = data
    form = Form(**kwargs)
    out = {"name": spec["name"], "fields": list(form.fields)}
    if form.is_bound:
        out["valid"] = form.is_valid()
        out["errors_json"] = form.errors.as_json()
    out["html"] = str(form)
    return out


result = {"django": django.get_version(), "specs": SPECS, "cases": [run(s) for s in SPECS]}
with open(os.path.join(HERE, "modelforms-expected.json"), "w") as fh:
    json.dump(result, fh, indent=1, ensure_ascii=False)
    fh.write("\n")
print(f"wrote {len(result['cases'])} cases")

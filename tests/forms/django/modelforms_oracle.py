"""Runs real Django 5.2 on the ModelForm cases and writes modelforms-expected.json.

The models are mf_setup.py's (those of tests/forms/model-fixture.ts); the cases (data
posted, instance edited) mirror tests/forms/models-differential.test.ts, which compares
field names, errors as JSON and the rendered HTML byte for byte. MODEL_CLEAN records
Review.full_clean() (ForeignKey validation with limit_choices_to).
Run: .venv-django/bin/python tests/forms/django/modelforms_oracle.py
"""
import json
import os
from decimal import Decimal

from mf_setup import HERE, Author, Book, Publisher, Review, create_tables

import django
from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

create_tables(Publisher, Author, Book, Review)

acme = Publisher.objects.create(name="Acme")
Publisher.objects.create(name="<Bold & Co>")
ann = Author.objects.create(name="Ann")
Author.objects.create(name="Bob")
dune = Book.objects.create(title="Dune", isbn="9780441013593", price=Decimal("9.99"), rating=5, publisher=acme)
dune.authors.set([ann])
# For limit_choices_to: a book out of stock, an author with an email.
gone = Book.objects.create(title="Gone", isbn="9780000000000", price=Decimal("1"), publisher=acme, inStock=False)
Author.objects.create(name="Cy", email="cy@example.com")

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
    {"name": "limit_choices_to narrows the choices", "model": "Review", "fields": "__all__"},
    {"name": "limit_choices_to accepts allowed rows", "model": "Review", "fields": "__all__", "data": [["book", "1"], ["reviewer", "3"], ["publishers", "1"], ["text", "Fine"]]},
    {"name": "limit_choices_to refuses other rows", "model": "Review", "fields": "__all__", "data": [["book", "2"], ["reviewer", "1"], ["publishers", "2"], ["text", "Bad"]]},
    {"name": "limit_choices_to with a blank optional key", "model": "Review", "fields": ["book", "reviewer", "text"], "data": [["book", "1"], ["reviewer", ""], ["text", "x"]]},
    {"name": "error messages override unique", "fields": ["isbn", "title", "publisher"], "error_messages": {"isbn": {"unique": "ISBN taken."}, "__all__": {"unique_together": "Already published."}}, "data": [["title", "Dune"], ["isbn", "9780441013593"], ["publisher", "1"]]},
]


MODELS = {"Book": Book, "Review": Review}


def run(spec):
    meta = {"model": MODELS[spec.get("model", "Book")]}
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


# Model validation of a key (ForeignKey.validate): the row must exist and pass limit_choices_to.
MODEL_CLEAN = [
    {"name": "allowed rows", "values": {"book": 1, "reviewer": 3, "text": "ok"}},
    {"name": "book out of stock", "values": {"book": 2, "text": "ok"}},
    {"name": "book that does not exist", "values": {"book": 99, "text": "ok"}},
    {"name": "reviewer without an email", "values": {"book": 1, "reviewer": 1, "text": "ok"}},
    {"name": "no book at all", "values": {"text": "ok"}},
]


def model_clean(case):
    review = Review(**{(k + "_id" if k in ("book", "reviewer") else k): v for k, v in case["values"].items()})
    try:
        review.full_clean()
        return {"name": case["name"], "errors": {}}
    except ValidationError as error:
        return {"name": case["name"], "errors": error.message_dict}


result = {
    "django": django.get_version(), "specs": SPECS, "cases": [run(s) for s in SPECS],
    "model_clean": [model_clean(c) for c in MODEL_CLEAN],
}
with open(os.path.join(HERE, "modelforms-expected.json"), "w") as fh:
    json.dump(result, fh, indent=1, ensure_ascii=False)
    fh.write("\n")
print(f"wrote {len(result['cases'])} cases and {len(result['model_clean'])} model validations")

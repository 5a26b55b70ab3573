"""Runs real Django 5.2 on model formset and inline formset cases; writes modelformsets.json.

The models are those of tests/forms/model-fixture.ts (see mf_setup.py), seeded with the
same rows on both sides. Each case names a factory (Django's keyword arguments), the
formset's options (queryset filter, parent instance, prefix, initial) and the POST data as
[key, value] pairs (null = unbound). Recorded: validity, per-form errors and non-form
errors (JSON), counts, the rendered formset, deleted/ordered form indexes, and after
save() the saved/new/changed/deleted objects and the table's rows. Each case runs in a
transaction that is rolled back, so every case starts from the seed rows.
The Nuages side is tests/forms/model-formsets-differential.test.ts.
Run: .venv-django/bin/python tests/forms/django/modelformsets_oracle.py
"""
import copy
import json
import os

from mf_setup import HERE, Author, Book, Publisher, Review, create_tables

import django
from django import forms
from django.db import transaction
from django.utils.datastructures import MultiValueDict

create_tables(Publisher, Author, Book, Review)

acme = Publisher.objects.create(name="Acme")
bold = Publisher.objects.create(name="<Bold & Co>")
Author.objects.create(name="Ann", email="ann@example.com")
Author.objects.create(name="Bob")
Author.objects.create(name="Cleo")
Book.objects.create(title="Dune", isbn="111", publisher=acme)
Book.objects.create(title="Emma", isbn="222", publisher=acme)
Book.objects.create(title="Xenia", isbn="333", publisher=bold)

MODELS = {"Author": Author, "Publisher": Publisher, "Book": Book}
PARENTS = {"acme": lambda: Publisher.objects.get(name="Acme"), "bold": lambda: Publisher.objects.get(name="<Bold & Co>"), "new": lambda: None}
# Rows created by a case show "new" instead of their id (ids of new rows are the database's business).
SEEDED = {name: set(model.objects.values_list("pk", flat=True)) for name, model in MODELS.items()}
ROWS = {
    "Author": ("name", "email"),
    "Publisher": ("name",),
    "Book": ("title", "isbn", "publisher_id"),
}

cases = []


def mgmt(total, initial, prefix="form"):
    return [[f"{prefix}-TOTAL_FORMS", str(total)], [f"{prefix}-INITIAL_FORMS", str(initial)]]


def case(name, model, factory, data=None, formset=None, parent=None, save=False):
    cases.append({
        "name": name, "model": model, "factory": factory, "formset": formset or {},
        "parent": parent, "data": data, "save": save,
    })


def rows(prefix, *forms_data):
    """[[prefix-i-key, value]…] from one dict per form."""
    out = []
    for i, form in enumerate(forms_data):
        for key, value in form.items():
            out.append([f"{prefix}-{i}-{key}", value])
    return out


AUTHORS = {"fields": ["name", "email"]}
AB = {"filter": {"name__in": ["Ann", "Bob"]}}

# ---- Model formsets, unbound -------------------------------------------------------
case("authors, all rows, extra 1", "Author", AUTHORS)
case("authors, queryset filter, extra 2, can_delete", "Author", {**AUTHORS, "extra": 2, "can_delete": True}, formset={"queryset": AB})
case("authors, order and delete", "Author", {**AUTHORS, "can_order": True, "can_delete": True, "extra": 1}, formset={"queryset": AB})
case("authors, max_num below the rows shows every row", "Author", {**AUTHORS, "max_num": 1})
case("authors, initial for extra forms", "Author", {**AUTHORS, "extra": 2}, formset={"queryset": {"filter": {"name": "Ann"}}, "initial": [{"name": "Init", "email": "i@example.com"}]})
case("authors, fields __all__", "Author", {"fields": "__all__", "extra": 1}, formset={"queryset": {"filter": {"name": "Bob"}}})
case("authors, prefix", "Author", {**AUTHORS, "extra": 0}, formset={"queryset": {"filter": {"name": "Cleo"}}, "prefix": "people"})
case("authors, min_num 2 extra 0 empty queryset", "Author", {**AUTHORS, "min_num": 2, "extra": 0}, formset={"queryset": {"filter": {"name": "Nobody"}}})
case("books, unordered queryset gets pk order", "Book", {"fields": ["title", "isbn"], "extra": 0}, formset={"queryset": {"filter": {"isbn__in": ["333", "111"]}}})
case("books, explicit order_by", "Book", {"fields": ["title"], "extra": 0}, formset={"queryset": {"order_by": ["-title"]}})

# ---- Model formsets, bound ------------------------------------------------------------
case("edit, add and delete", "Author", {**AUTHORS, "extra": 1, "can_delete": True},
     mgmt(3, 2) + rows("form", {"id": "1", "name": "Annie", "email": "ann@example.com"}, {"id": "2", "name": "Bob", "email": "", "DELETE": "on"}, {"id": "", "name": "Dora", "email": "d@example.com"}),
     formset={"queryset": AB}, save=True)
case("nothing changed saves nothing", "Author", {**AUTHORS, "extra": 1},
     mgmt(3, 2) + rows("form", {"id": "1", "name": "Ann", "email": "ann@example.com"}, {"id": "2", "name": "Bob", "email": ""}, {"id": "", "name": "", "email": ""}),
     formset={"queryset": AB}, save=True)
case("unknown pk is an invalid choice", "Author", {**AUTHORS, "extra": 0},
     mgmt(1, 1) + rows("form", {"id": "99", "name": "Ghost", "email": ""}), formset={"queryset": AB}, save=True)
case("pk of a row outside the queryset is ignored", "Author", {**AUTHORS, "extra": 0},
     mgmt(2, 2) + rows("form", {"id": "1", "name": "Ann", "email": "ann@example.com"}, {"id": "3", "name": "Cleo renamed", "email": ""}),
     formset={"queryset": AB}, save=True)
case("pk not a number", "Author", {**AUTHORS, "extra": 0},
     mgmt(1, 1) + rows("form", {"id": "abc", "name": "Ann", "email": ""}), formset={"queryset": AB})
case("pk missing from an initial form", "Author", {**AUTHORS, "extra": 0},
     mgmt(1, 1) + rows("form", {"name": "Ann", "email": ""}), formset={"queryset": AB})
case("pk empty in an initial form", "Author", {**AUTHORS, "extra": 0},
     mgmt(2, 2) + rows("form", {"id": "1", "name": "Ann", "email": ""}, {"id": "", "name": "Bob", "email": ""}), formset={"queryset": AB})
case("same pk twice edits one row", "Author", {**AUTHORS, "extra": 0},
     mgmt(2, 2) + rows("form", {"id": "1", "name": "First", "email": ""}, {"id": "1", "name": "Second", "email": ""}), formset={"queryset": AB}, save=True)
case("same pk twice with __all__ is duplicate data", "Author", {"fields": "__all__", "extra": 0},
     mgmt(2, 2) + rows("form", {"id": "1", "name": "First", "email": ""}, {"id": "1", "name": "Second", "email": ""}), formset={"queryset": AB})
case("missing management form", "Author", AUTHORS, rows("form", {"id": "1", "name": "Ann"}), formset={"queryset": AB})
case("forged huge TOTAL_FORMS", "Author", {**AUTHORS, "max_num": 2, "absolute_max": 3},
     mgmt(10 ** 12, 0) + rows("form", {"name": "Zed"}), formset={"queryset": AB})
case("forged INITIAL_FORMS past the rows", "Author", {**AUTHORS, "extra": 0},
     mgmt(3, 3) + rows("form", {"id": "1", "name": "Ann", "email": ""}, {"id": "", "name": "Two", "email": ""}, {"name": "", "email": ""}),
     formset={"queryset": {"filter": {"name": "Ann"}}})
case("INITIAL_FORMS above TOTAL_FORMS", "Author", {**AUTHORS, "extra": 0},
     mgmt(1, 4) + rows("form", {"id": "2", "name": "Bobby", "email": ""}), formset={"queryset": AB}, save=True)
case("pk in an extra form adds a new row", "Author", {**AUTHORS, "extra": 1},
     mgmt(1, 0) + rows("form", {"id": "1", "name": "Annie", "email": ""}), formset={"queryset": AB}, save=True)
case("delete, and an unchanged extra form marked delete", "Author", {**AUTHORS, "extra": 1, "can_delete": True},
     mgmt(3, 2) + rows("form", {"id": "1", "name": "Ann", "email": "ann@example.com", "DELETE": "on"}, {"id": "2", "name": "Bob", "email": ""}, {"DELETE": "on"}),
     formset={"queryset": AB}, save=True)
case("deleted form may be invalid", "Author", {**AUTHORS, "extra": 0, "can_delete": True},
     mgmt(2, 2) + rows("form", {"id": "1", "name": "", "email": "bad", "DELETE": "on"}, {"id": "2", "name": "Bob", "email": ""}),
     formset={"queryset": AB}, save=True)
case("validate_max counts rows", "Author", {**AUTHORS, "extra": 1, "max_num": 2, "validate_max": True},
     mgmt(3, 2) + rows("form", {"id": "1", "name": "Ann", "email": ""}, {"id": "2", "name": "Bob", "email": ""}, {"name": "Dora", "email": ""}),
     formset={"queryset": AB})
case("validate_min not met", "Author", {**AUTHORS, "extra": 2, "min_num": 2, "validate_min": True},
     mgmt(2, 0) + rows("form", {"name": "Dora", "email": ""}, {"name": "", "email": ""}), formset={"queryset": {"filter": {"name": "Nobody"}}})
case("ordering", "Author", {**AUTHORS, "extra": 1, "can_order": True},
     mgmt(3, 2) + rows("form", {"id": "1", "name": "Ann", "email": "", "ORDER": "3"}, {"id": "2", "name": "Bob", "email": "", "ORDER": "1"}, {"name": "Dora", "email": "", "ORDER": "2"}),
     formset={"queryset": AB}, save=True)
case("invalid email in one form", "Author", {**AUTHORS, "extra": 1},
     mgmt(3, 2) + rows("form", {"id": "1", "name": "Ann", "email": "not-an-email"}, {"id": "2", "name": "Bob", "email": ""}, {"name": "", "email": ""}),
     formset={"queryset": AB})
case("html in data is escaped", "Author", {**AUTHORS, "extra": 1},
     mgmt(1, 0) + rows("form", {"name": "<script>alert(1)</script>", "email": "x@example.com\"><b>"}), formset={"queryset": AB})
case("html in a new row is saved as text", "Author", {**AUTHORS, "extra": 1},
     mgmt(1, 0) + rows("form", {"name": "<b>Bold</b> & co", "email": ""}), formset={"queryset": AB}, save=True)
case("publishers, duplicate unique name across forms", "Publisher", {"fields": ["name"], "extra": 2},
     mgmt(2, 0) + rows("form", {"name": "Zeta"}, {"name": "Zeta"}), formset={"queryset": {"filter": {"name": "none"}}})
case("publishers, name taken in the database", "Publisher", {"fields": ["name"], "extra": 1},
     mgmt(1, 0) + rows("form", {"name": "Acme"}), formset={"queryset": {"filter": {"name": "none"}}})
case("publishers, duplicate name but one deleted", "Publisher", {"fields": ["name"], "extra": 2, "can_delete": True},
     mgmt(2, 0) + rows("form", {"name": "Zeta"}, {"name": "Zeta", "DELETE": "on"}), formset={"queryset": {"filter": {"name": "none"}}}, save=True)
case("publishers, rename into another row's name", "Publisher", {"fields": ["name"], "extra": 0},
     mgmt(2, 2) + rows("form", {"id": "1", "name": "<Bold & Co>"}, {"id": "2", "name": "Acme"}))
case("publishers, swap names is duplicate-free but clashes in the database", "Publisher", {"fields": ["name"], "extra": 0},
     mgmt(1, 1) + rows("form", {"id": "1", "name": "<Bold & Co>"}), formset={"queryset": {"filter": {"name": "Acme"}}})
case("books, duplicate isbn across forms", "Book", {"fields": ["title", "isbn"], "extra": 2},
     mgmt(2, 0) + rows("form", {"title": "A", "isbn": "999"}, {"title": "B", "isbn": "999"}), formset={"queryset": {"filter": {"isbn": "none"}}})
case("edit_only ignores extra forms", "Author", {**AUTHORS, "extra": 1, "edit_only": True},
     mgmt(2, 1) + rows("form", {"id": "1", "name": "Annie", "email": ""}, {"name": "Dora", "email": ""}),
     formset={"queryset": {"filter": {"name": "Ann"}}}, save=True)

# ---- Inline formsets ------------------------------------------------------------------
BOOKS = {"fields": ["title", "isbn"]}
case("inline, unbound", "Book", BOOKS, parent="acme")
case("inline, unbound new parent", "Book", BOOKS, parent="new")
case("inline, exclude keeps the fk field in place", "Book", {"exclude": ["summary", "authors", "publishedDate", "editor"], "extra": 1}, parent="bold")
case("inline, can_order extra 1", "Book", {**BOOKS, "extra": 1, "can_order": True}, parent="acme")
case("inline, edit and add", "Book", BOOKS,
     mgmt(3, 2, "books") + rows("books", {"id": "1", "title": "Dune Messiah", "isbn": "111"}, {"id": "2", "title": "Emma", "isbn": "222"}, {"title": "Fear", "isbn": "444"}),
     parent="acme", save=True)
case("inline, fk value of another parent", "Book", BOOKS,
     mgmt(3, 2, "books") + rows("books", {"id": "1", "title": "Dune", "isbn": "111", "publisher": "2"}, {"id": "2", "title": "Emma", "isbn": "222", "publisher": "1"}, {}),
     parent="acme")
case("inline, fk value not a number", "Book", {**BOOKS, "extra": 1},
     mgmt(1, 0, "books") + rows("books", {"title": "Fear", "isbn": "444", "publisher": "x"}), parent="acme")
case("inline, empty fk value is the parent", "Book", {**BOOKS, "extra": 1},
     mgmt(1, 0, "books") + rows("books", {"title": "Fear", "isbn": "444", "publisher": ""}), parent="acme", save=True)
case("inline, duplicate titles across new forms", "Book", BOOKS,
     mgmt(3, 0, "books") + rows("books", {"title": "Fear", "isbn": "444"}, {"title": "Fear", "isbn": "555"}, {}), parent="bold")
case("inline, title taken for this parent in the database", "Book", BOOKS,
     mgmt(1, 0, "books") + rows("books", {"title": "Dune", "isbn": "444"}), parent="acme")
case("inline, title of another parent's book is fine", "Book", BOOKS,
     mgmt(1, 0, "books") + rows("books", {"title": "Xenia", "isbn": "444"}), parent="acme", save=True)
case("inline, duplicate isbn across forms", "Book", BOOKS,
     mgmt(2, 0, "books") + rows("books", {"title": "One", "isbn": "777"}, {"title": "Two", "isbn": "777"}), parent="acme")
case("inline, pk of another parent's book is ignored", "Book", {**BOOKS, "extra": 0},
     mgmt(1, 1, "books") + rows("books", {"id": "3", "title": "Stolen", "isbn": "333"}), parent="acme", save=True)
case("inline, delete a child", "Book", BOOKS,
     mgmt(2, 2, "books") + rows("books", {"id": "1", "title": "Dune", "isbn": "111", "DELETE": "on"}, {"id": "2", "title": "Emma", "isbn": "222"}),
     parent="acme", save=True)
case("inline, new parent, bound", "Book", {**BOOKS, "extra": 1},
     mgmt(1, 0, "books") + rows("books", {"title": "Fear", "isbn": "444"}), parent="new")
case("inline, missing management form", "Book", BOOKS, rows("books", {"title": "Fear"}), parent="acme")
case("inline, max_num and validate_max", "Book", {**BOOKS, "extra": 1, "max_num": 2, "validate_max": True},
     mgmt(3, 2, "books") + rows("books", {"id": "1", "title": "Dune", "isbn": "111"}, {"id": "2", "title": "Emma", "isbn": "222"}, {"title": "Fear", "isbn": "444"}),
     parent="acme")


def queryset_for(model, spec):
    if spec is None:
        return None
    qs = model.objects.all()
    if "filter" in spec:
        qs = qs.filter(**spec["filter"])
    if "order_by" in spec:
        qs = qs.order_by(*spec["order_by"])
    return qs


def dump(model_name):
    model = MODELS[model_name]
    out = []
    for row in model.objects.order_by("pk").values("pk", *ROWS[model_name]):
        pk = row.pop("pk")
        out.append(["seed" if pk in SEEDED[model_name] else "new", pk if pk in SEEDED[model_name] else None, *row.values()])
    return out


def run(spec):
    model = MODELS[spec["model"]]
    # A copy: BaseInlineFormSet appends the fk to the form's Meta.fields list, which would leak into the next case.
    factory = copy.deepcopy(spec["factory"])
    if spec["parent"] is not None:
        FormSet = forms.inlineformset_factory(Publisher, model, **factory)
    else:
        FormSet = forms.modelformset_factory(model, **factory)
    opts = {}
    fs_spec = spec["formset"]
    if "queryset" in fs_spec:
        opts["queryset"] = queryset_for(model, fs_spec["queryset"])
    for key in ("prefix", "initial"):
        if key in fs_spec:
            opts[key] = fs_spec[key]
    if spec["parent"] is not None:
        opts["instance"] = PARENTS[spec["parent"]]()
    if spec["data"] is not None:
        data = MultiValueDict()
        for key, value in spec["data"]:
            data.appendlist(key, value)
        opts["data"] = data
    fs = FormSet(**opts)
    out = {"name": spec["name"], "prefix": fs.prefix}
    out["fields"] = list(fs.empty_form.fields)
    if fs.is_bound:
        out["valid"] = fs.is_valid()
        out["errors"] = [e.get_json_data() for e in fs.errors]
        out["non_form_errors"] = fs.non_form_errors().get_json_data()
        out["total_error_count"] = fs.total_error_count()
        out["deleted"] = [fs.forms.index(f) for f in fs.deleted_forms]
        if out["valid"] and fs.can_order:
            out["ordered"] = [fs.forms.index(f) for f in fs.ordered_forms]
    out["total_form_count"] = fs.total_form_count()
    out["initial_form_count"] = fs.initial_form_count()
    out["html"] = str(fs)
    if spec["save"] and out.get("valid"):
        saved = fs.save()
        out["saved"] = [str(o) for o in saved]
        out["new_objects"] = [str(o) for o in getattr(fs, "new_objects", [])]
        out["changed_objects"] = [[str(o), list(changed)] for o, changed in fs.changed_objects]
        out["deleted_objects"] = [str(o) for o in fs.deleted_objects]
    out["rows"] = dump(spec["model"])
    return out


def main():
    results = []
    for spec in cases:
        with transaction.atomic():
            results.append(run(spec))
            transaction.set_rollback(True)
    with open(os.path.join(HERE, "modelformsets.json"), "w") as fh:
        json.dump({"django": django.get_version(), "specs": cases, "cases": results}, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print(len(results), "cases written")


if __name__ == "__main__":
    main()

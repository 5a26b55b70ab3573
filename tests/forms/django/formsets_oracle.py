"""Runs real Django 5.2 on formset cases and writes formsets.json (spec + expected).

Each case: factory options (Django spelling), formset options (prefix, initial),
POST data as [key, value] pairs (null = unbound). Recorded: validity, per-form
errors as JSON, non-form errors, total_error_count, str()/as_p/as_ul/as_table,
empty_form HTML, cleaned data, deleted and ordered form indexes.
The Nuages side is tests/forms/formsets.test.ts.
Run: .venv-django/bin/python tests/forms/django/formsets_oracle.py
"""
import json
import os

import django
from django.conf import settings

settings.configure(
    USE_I18N=False,
    USE_TZ=True,
    TIME_ZONE="UTC",
    FORM_RENDERER="django.forms.renderers.DjangoTemplates",
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    INSTALLED_APPS=[],
)
django.setup()

from django import forms  # noqa: E402
from django.utils.datastructures import MultiValueDict  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class ItemForm(forms.Form):
    title = forms.CharField(max_length=10)
    qty = forms.IntegerField(min_value=1, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, label="Note <b>")


FORMS = {"ItemForm": ItemForm, "NoteForm": NoteForm}
cases = []


def mgmt(total, initial=0, prefix="form", min_num=None, max_num=None):
    out = [[f"{prefix}-TOTAL_FORMS", str(total)], [f"{prefix}-INITIAL_FORMS", str(initial)]]
    if min_num is not None:
        out.append([f"{prefix}-MIN_NUM_FORMS", str(min_num)])
    if max_num is not None:
        out.append([f"{prefix}-MAX_NUM_FORMS", str(max_num)])
    return out


def case(name, factory=None, data=None, formset=None, form="ItemForm", clean=None):
    cases.append({"name": name, "form": form, "factory": factory or {}, "formset": formset or {}, "data": data, "clean": clean})


INIT2 = [{"title": "Ann", "qty": 2}, {"title": "Bob", "qty": 1}]

# Unbound: counts from extra / min / max / initial.
case("unbound default")
case("unbound extra 3", {"extra": 3})
case("unbound extra 0", {"extra": 0})
case("unbound min_num 2 extra 1", {"min_num": 2, "extra": 1})
case("unbound max_num caps extra", {"extra": 5, "max_num": 2})
case("unbound initial past max_num", {"extra": 2, "max_num": 1}, formset={"initial": INIT2})
case("unbound initial + extra", {"extra": 1}, formset={"initial": INIT2})
case("unbound prefix", {"extra": 2}, formset={"prefix": "items"})
case("unbound can_delete", {"can_delete": True}, formset={"initial": INIT2})
case("unbound can_delete no extra", {"can_delete": True, "can_delete_extra": False}, formset={"initial": INIT2})
case("unbound can_order", {"can_order": True}, formset={"initial": INIT2})
case("unbound order + delete", {"can_order": True, "can_delete": True, "extra": 2})
case("unbound html label escaped", {"extra": 1}, form="NoteForm")
case("unbound max_num 0", {"extra": 3, "max_num": 0})
case("unbound auto_id off", {"extra": 1}, formset={"auto_id": False})

# Bound: valid, invalid, empty extras.
case("valid two forms", {}, mgmt(2) + [["form-0-title", "a"], ["form-0-qty", "3"], ["form-1-title", "b"]])
case("empty extra form is fine", {}, mgmt(2) + [["form-0-title", "a"]])
case("all forms empty", {}, mgmt(2))
case("invalid field in second form", {}, mgmt(2) + [["form-0-title", "a"], ["form-1-title", "b"], ["form-1-qty", "0"]])
case("changed extra form missing required", {}, mgmt(1) + [["form-0-qty", "5"]])
case("initial form must validate", {}, mgmt(1, 1) + [["form-0-title", ""]], formset={"initial": [{"title": "x"}]})
case("title too long + html", {}, mgmt(1) + [["form-0-title", "<b>waytoolong</b>"]])
case("prefix data", {}, mgmt(1, prefix="items") + [["items-0-title", "t"]], formset={"prefix": "items"})
case("wrong prefix data", {}, mgmt(1) + [["form-0-title", "t"]], formset={"prefix": "items"})

# Management form tampering.
case("missing management form", {}, [["form-0-title", "a"]])
case("missing management form, empty data", {}, [])
case("missing INITIAL_FORMS", {}, [["form-TOTAL_FORMS", "1"], ["form-0-title", "a"]])
case("TOTAL_FORMS not a number", {}, [["form-TOTAL_FORMS", "lots"], ["form-INITIAL_FORMS", "0"]])
case("TOTAL_FORMS negative", {}, [["form-TOTAL_FORMS", "-3"], ["form-INITIAL_FORMS", "0"]])
case("INITIAL_FORMS above TOTAL_FORMS", {}, mgmt(1, 5) + [["form-0-title", "a"]])
case("forged huge TOTAL_FORMS", {"absolute_max": 3, "max_num": 2}, mgmt(10 ** 12) + [["form-0-title", "a"]])
case("forged TOTAL_FORMS past default absolute_max", {}, mgmt(2001))
case("TOTAL_FORMS at absolute_max", {"absolute_max": 3, "max_num": 2}, mgmt(3))
case("missing mgmt with validate_min replaced", {"min_num": 1, "validate_min": True}, [["form-0-title", "a"]])
case("MIN_NUM_FORMS not a number is an error", {}, mgmt(1, 0, min_num="x", max_num="-9") + [["form-0-title", "a"]])

# max / min validation.
case("validate_max exceeded", {"max_num": 1, "validate_max": True}, mgmt(2) + [["form-0-title", "a"], ["form-1-title", "b"]])
case("validate_max 2 exceeded plural", {"max_num": 2, "validate_max": True}, mgmt(3) + [["form-0-title", "a"], ["form-1-title", "b"], ["form-2-title", "c"]])
case("validate_max ok", {"max_num": 2, "validate_max": True}, mgmt(2) + [["form-0-title", "a"]])
case("max_num without validate", {"max_num": 1}, mgmt(2) + [["form-0-title", "a"], ["form-1-title", "b"]])
case("validate_min not met", {"min_num": 2, "validate_min": True}, mgmt(2) + [["form-0-title", "a"]])
case("validate_min 1 not met singular", {"min_num": 1, "validate_min": True, "extra": 0}, mgmt(1))
case("validate_min met", {"min_num": 2, "validate_min": True}, mgmt(3) + [["form-0-title", "a"], ["form-1-title", "b"]])
case("min_num forms are required", {"min_num": 1}, mgmt(2))
case("validate_max with deletions", {"max_num": 1, "validate_max": True, "can_delete": True},
     mgmt(2, 2) + [["form-0-title", "a"], ["form-1-title", "b"], ["form-1-DELETE", "on"]], formset={"initial": INIT2})
case("validate_min with deletions", {"min_num": 2, "validate_min": True, "can_delete": True},
     mgmt(2, 2) + [["form-0-title", "a"], ["form-1-title", "b"], ["form-1-DELETE", "on"]], formset={"initial": INIT2})

# Delete and order.
case("delete an initial form", {"can_delete": True},
     mgmt(3, 2) + [["form-0-title", "Ann"], ["form-0-qty", "2"], ["form-1-title", ""], ["form-1-DELETE", "on"]], formset={"initial": INIT2})
case("delete marks invalid form deleted", {"can_delete": True}, mgmt(2) + [["form-0-title", "a"], ["form-1-qty", "-1"], ["form-1-DELETE", "on"]])
case("delete unchanged extra", {"can_delete": True}, mgmt(2) + [["form-0-title", "a"], ["form-1-DELETE", ""]])
case("order forms", {"can_order": True},
     mgmt(3) + [["form-0-title", "a"], ["form-0-ORDER", "2"], ["form-1-title", "b"], ["form-1-ORDER", "1"], ["form-2-title", "c"]])
case("order with blanks and delete", {"can_order": True, "can_delete": True},
     mgmt(4, 2) + [["form-0-title", "a"], ["form-0-ORDER", ""], ["form-1-title", "b"], ["form-1-ORDER", "0"],
                   ["form-2-title", "c"], ["form-2-ORDER", "-5"], ["form-2-DELETE", "on"], ["form-3-title", "d"], ["form-3-ORDER", "7"]],
     formset={"initial": INIT2})
case("bad order value", {"can_order": True}, mgmt(1) + [["form-0-title", "a"], ["form-0-ORDER", "x"]])
case("bound order+delete html", {"can_order": True, "can_delete": True, "extra": 1}, mgmt(2) + [["form-0-title", "a"], ["form-1-title", "waytoolongtitle"]])

# clean() hook.
case("clean hook rejects duplicates", {}, mgmt(2) + [["form-0-title", "a"], ["form-1-title", "a"]], clean="duplicates")
case("clean hook passes", {}, mgmt(2) + [["form-0-title", "a"], ["form-1-title", "b"]], clean="duplicates")
case("clean hook with missing management", {}, [["form-0-title", "a"]], clean="duplicates")


class DuplicatesFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            title = form.cleaned_data.get("title")
            if title in seen:
                raise forms.ValidationError("Titles must differ: %(title)s.", code="duplicate", params={"title": title})
            seen.add(title)


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def run(spec):
    kwargs = dict(spec["factory"])
    if spec["clean"] == "duplicates":
        kwargs["formset"] = DuplicatesFormSet
    FormSet = forms.formset_factory(FORMS[spec["form"]], **kwargs)
    opts = dict(spec["formset"])
    if spec["data"] is not None:
        data = MultiValueDict()
        for key, value in spec["data"]:
            data.appendlist(key, value)
        opts["data"] = data
    fs = FormSet(**opts)
    out = {"name": spec["name"]}
    if fs.is_bound:
        out["valid"] = fs.is_valid()
        out["errors"] = [e.get_json_data() for e in fs.errors]
        out["non_form_errors"] = fs.non_form_errors().get_json_data()
        out["total_error_count"] = fs.total_error_count()
        out["deleted"] = [fs.forms.index(f) for f in fs.deleted_forms]
        if out["valid"]:
            out["cleaned_data"] = [jsonable(d) for d in fs.cleaned_data]
            if fs.can_order:
                out["ordered"] = [fs.forms.index(f) for f in fs.ordered_forms]
        out["non_form_errors_html"] = str(fs.non_form_errors())
    out["total_form_count"] = fs.total_form_count()
    out["initial_form_count"] = fs.initial_form_count()
    out["html"] = str(fs)
    out["as_p"] = str(fs.as_p())
    out["as_ul"] = str(fs.as_ul())
    out["as_table"] = str(fs.as_table())
    out["empty_form"] = str(fs.empty_form)
    out["repr"] = repr(fs).replace(FormSet.__name__, "FormSet")
    return out


def main():
    results = []
    for spec in cases:
        results.append({"spec": spec, "expected": run(spec)})
    with open(os.path.join(HERE, "formsets.json"), "w") as fh:
        json.dump({"django": django.get_version(), "cases": results}, fh, indent=1, ensure_ascii=False)
    print(len(results), "cases written")


if __name__ == "__main__":
    main()

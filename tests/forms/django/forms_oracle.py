"""Runs real Django 5.2 on form-specs.json and writes forms-expected.json.

For each case: errors as JSON (bound forms), and the HTML of str(form),
as_p(), as_ul(), as_table() and one field group. The Nuages side
(tests/forms/differential.test.ts) builds the same forms and compares.
Run: .venv-django/bin/python tests/forms/django/forms_oracle.py
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
COERCE = {"int": int, "str": str}


def tuples(choices):
    return [(v, tuples(l) if isinstance(l, list) else l) for v, l in choices]


def build_widget(spec):
    cls = getattr(forms, spec["type"])
    kwargs = {}
    if spec.get("attrs"):
        kwargs["attrs"] = spec["attrs"]
    if "render_value" in spec:
        kwargs["render_value"] = spec["render_value"]
    if "choices" in spec:
        kwargs["choices"] = tuples(spec["choices"])
    return cls(**kwargs)


def build_field(spec):
    options = dict(spec["options"])
    if "choices" in options:
        options["choices"] = tuples(options["choices"])
    if "coerce" in options:
        options["coerce"] = COERCE[options["coerce"]]
    if "widget" in spec:
        options["widget"] = build_widget(spec["widget"])
    return getattr(forms, spec["type"])(**options)


def build_form(case):
    attrs = {field["name"]: build_field(field) for field in case["fields"]}
    opts = dict(case["form"])
    for css in ("required_css_class", "error_css_class"):
        if css in opts:
            attrs[css] = opts.pop(css)
    cls = type("CaseForm", (forms.Form,), attrs)
    data = None
    if case["data"] is not None:
        data = MultiValueDict()
        for key, value in case["data"]:
            data.appendlist(key, value)
    return cls(data=data, **opts)


def run(case):
    form = build_form(case)
    out = {"name": case["name"]}
    if form.is_bound:
        out["valid"] = form.is_valid()
        out["errors"] = form.errors.get_json_data()
        out["errors_json"] = form.errors.as_json()
    out["html"] = str(form)
    out["as_p"] = str(form.as_p())
    out["as_ul"] = str(form.as_ul())
    out["as_table"] = str(form.as_table())
    out["group"] = str(form[case["group"]].as_field_group())
    return out


def main():
    specs = json.load(open(os.path.join(HERE, "form-specs.json")))
    results = [run(case) for case in specs["cases"]]
    with open(os.path.join(HERE, "forms-expected.json"), "w") as fh:
        json.dump({"django": django.get_version(), "cases": results}, fh, indent=1, ensure_ascii=False)
    print(len(results), "cases written")


if __name__ == "__main__":
    main()

"""Regenerates extra.jsonl: renders each case of extra-input.json with real Django.

Run: /work/main/.venv-django/bin/python tests/template/cases/generate.py
"""
import datetime
import json
import pathlib
from decimal import Decimal

import django
from django.conf import settings

settings.configure(USE_TZ=True, TIME_ZONE="UTC", TEMPLATES=[], DEBUG=False, USE_I18N=True, LANGUAGE_CODE="en-us")
django.setup()
from django.template import Context, Engine, TemplateSyntaxError  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402

HERE = pathlib.Path(__file__).parent
# The libraries Django's template backend makes loadable by default.
LIBRARIES = {"i18n": "django.templatetags.i18n", "l10n": "django.templatetags.l10n", "tz": "django.templatetags.tz"}


def value(v):
    if isinstance(v, list):
        return [value(x) for x in v]
    if isinstance(v, dict):
        if len(v) == 1:
            key, x = next(iter(v.items()))
            if key == "$safe":
                return mark_safe(x)
            if key == "$date":
                return datetime.date.fromisoformat(x)
            if key == "$datetime":
                return datetime.datetime.fromisoformat(x)
            if key == "$decimal":
                return Decimal(x)
        return {k: value(x) for k, x in v.items()}
    return v


lines = []
for case in json.loads((HERE / "extra-input.json").read_text()):
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", case["templates"])],
        libraries=LIBRARIES,
        **case.get("options", {}),
    )
    out = dict(case)
    try:
        template = engine.get_template("main")
    except TemplateSyntaxError:
        out["expected_error"] = "TemplateSyntaxError"
    else:
        try:
            out["expected"] = template.render(Context(value(case["context"])))
        except Exception as error:  # a render-time error: record its kind
            out["expected_render_error"] = type(error).__name__
    lines.append(json.dumps(out, ensure_ascii=False))
(HERE / "extra.jsonl").write_text("\n".join(lines) + "\n")
print(f"{len(lines)} cases written")

"""Django 5.2's system checks on fixed settings, models and URLconfs → checks-expected.json.

Run: .venv-django/bin/python tests/core/checks/django/checks_oracle.py
The TS tests (tests/core/checks/*.test.ts) build the same settings, models and URL
patterns in Nuages and expect the same check IDs, messages, hints and objects, with
Django's module paths translated to Nuages's (the tests hold the translation table).

- deploy: `check --deploy` (tag security) for each scenario of deploy-scenarios.json.
- report: the whole `manage.py check --deploy` output for one scenario, and the
  SystemCheckError text with --fail-level WARNING.
- models, urls, caches, templates: the non-deploy checks on the definitions below.
"""
import io
import json
import pathlib
import re
import sys
import tempfile
import types

import django
from django.conf import settings

HERE = pathlib.Path(__file__).parent
SCENARIOS = json.loads((HERE / "deploy-scenarios.json").read_text())
TAGAPPS = HERE.parent / "fixtures" / "tagapps"
sys.path.insert(0, str(TAGAPPS))

# Models of the model checks live in an app of their own, 'chk'.
chk_app = types.ModuleType("chk")
chk_app.__path__ = [str(HERE)]
sys.modules["chk"] = chk_app

settings.configure(
    DEBUG=False,
    SECRET_KEY=SCENARIOS["strongKey"],
    ALLOWED_HOSTS=["shop.example"],
    INSTALLED_APPS=["chk"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
    ROOT_URLCONF=None,
)
django.setup()

from django.core import checks  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.base import SystemCheckError  # noqa: E402
from django.db import models  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import clear_url_caches, include, path, re_path  # noqa: E402

STANDARD_MIDDLEWARE = SCENARIOS["standardMiddleware"]
LEVELS = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}


def scenario_settings(raw):
    values = dict(raw)
    if values.get("MIDDLEWARE") == "STANDARD":
        values["MIDDLEWARE"] = STANDARD_MIDDLEWARE
    if values.get("SECRET_KEY") == "STRONG":
        values["SECRET_KEY"] = SCENARIOS["strongKey"]
    if "SECRET_KEY_FALLBACKS" in values:
        values["SECRET_KEY_FALLBACKS"] = [
            SCENARIOS["strongKey"] if key == "STRONG" else key for key in values["SECRET_KEY_FALLBACKS"]
        ]
    # Every scenario starts from Django's defaults, not from this script's configure().
    values.setdefault("SECRET_KEY", "")
    values.setdefault("ALLOWED_HOSTS", [])
    values.setdefault("INSTALLED_APPS", [])
    return values


def describe(message):
    obj = message.obj
    if obj is None:
        shown = None
    elif isinstance(obj, models.base.ModelBase):
        shown = obj._meta.label
    else:
        # An engine's repr holds its memory address: keep the class only.
        shown = re.sub(r" object at 0x[0-9a-f]+>", " object>", str(obj))
    return {
        "id": message.id,
        "level": LEVELS[message.level],
        "msg": message.msg,
        "hint": message.hint,
        "obj": shown,
    }


def sorted_messages(messages):
    return sorted((describe(m) for m in messages), key=lambda m: (m["id"], m["obj"] or "", m["msg"]))


def deploy_results():
    results = {}
    for scenario in SCENARIOS["scenarios"]:
        with override_settings(**scenario_settings(scenario["settings"])):
            found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        results[scenario["name"]] = sorted_messages(found)
    return results


def report_results():
    scenario = next(s for s in SCENARIOS["scenarios"] if s["name"] == "startproject development settings")
    with override_settings(**scenario_settings(scenario["settings"])):
        out, err = io.StringIO(), io.StringIO()
        call_command("check", "--deploy", "--tag", "security", stdout=out, stderr=err, no_color=True)
        try:
            call_command("check", "--deploy", "--tag", "security", "--fail-level", "WARNING", stdout=io.StringIO(), stderr=io.StringIO(), no_color=True)
            failed = None
        except SystemCheckError as error:
            failed = str(error)
        out_clean = io.StringIO()
        call_command("check", "--tag", "security", stdout=out_clean, stderr=io.StringIO(), no_color=True)
        with override_settings(SILENCED_SYSTEM_CHECKS=["security.W018", "security.W020"]):
            silenced = io.StringIO()
            call_command("check", "--deploy", "--tag", "security", stdout=io.StringIO(), stderr=silenced, no_color=True)
    return {
        "deployStderr": err.getvalue(),
        "deployStdout": out.getvalue(),
        "failLevelWarning": failed,
        "cleanStdout": out_clean.getvalue(),
        "silencedStderr": silenced.getvalue(),
    }


# --- models --------------------------------------------------------------------------


def meta(**extra):
    return type("Meta", (), {"app_label": "chk", **extra})


class Author(models.Model):
    name = models.CharField(max_length=50)
    Meta = meta()


class Names(models.Model):
    title_ = models.CharField(max_length=10)
    first__last = models.CharField(max_length=10)
    pk = models.IntegerField()
    Meta = meta()


class Options(models.Model):
    size = models.CharField(max_length=2, choices=[("s", "Small"), ("xl", "Extra large"), ("xxl", "Huge")])
    data = models.JSONField(default={})
    parent = models.ForeignKey("self", models.SET_DEFAULT, related_name="children")
    owner = models.ForeignKey(Author, models.CASCADE, unique=True, related_name="owned")
    fans = models.ManyToManyField(Author, null=True, related_name="liked")
    Meta = meta()


class NullKey(models.Model):
    code = models.CharField(max_length=5, primary_key=True, null=True)
    Meta = meta()


class TwoKeys(models.Model):
    first = models.IntegerField(primary_key=True)
    second = models.IntegerField(primary_key=True)
    Meta = meta()


class IdNotKey(models.Model):
    id = models.IntegerField()
    Meta = meta()


class Columns(models.Model):
    left = models.IntegerField(db_column="shared")
    right = models.IntegerField(db_column="shared")
    Meta = meta(
        ordering=["-missing", "left", "?", "author__name"],
        indexes=[models.Index(fields=["nowhere"], name="columns_nowhere_idx")],
    )


class TableOne(models.Model):
    Meta = meta(db_table="shared_table")


class TableTwo(models.Model):
    Meta = meta(db_table="shared_table")


class Book(models.Model):
    writer = models.ForeignKey(Author, models.CASCADE, related_name="books")
    editor = models.ForeignKey(Author, models.CASCADE, related_name="books")
    Meta = meta()


class Tag(models.Model):
    article = models.IntegerField()
    Meta = meta()


class Article(models.Model):
    tag = models.ForeignKey(Tag, models.CASCADE)
    Meta = meta()


def model_results():
    from django.apps import apps

    # Limited to the 'chk' app, as `manage.py check chk` is: contrib apps the deploy scenarios
    # imported keep their checks registered.
    return sorted_messages(checks.run_checks(app_configs=[apps.get_app_config("chk")], tags=[checks.Tags.models]))


# --- URLs ----------------------------------------------------------------------------


def view(request):
    return HttpResponse("ok")


def urlconf(name, patterns):
    module = types.ModuleType(name)
    module.urlpatterns = patterns
    sys.modules[name] = module
    return name


shop = types.ModuleType("shop_urls")
shop.app_name = "shop"
shop.urlpatterns = [path("/cart/", view, name="cart")]
sys.modules["shop_urls"] = shop

URLCONFS = {
    "route problems": urlconf(
        "urls_routes",
        [
            path("/books/", view, name="books"),
            path("about/", view, name="site:about"),
            path("^old/$", view, name="old"),
            path("<int:id/", view, name="unclosed"),
            path("id>/", view, name="unopened"),
            re_path(r"^shop/$", include("shop_urls")),
            path("fine/<int:id>/", view, name="fine"),
        ],
    ),
    "entries that are not patterns": urlconf("urls_entries", ["prefix", path("ok/", view)]),
    "namespace used twice": urlconf(
        "urls_namespaces",
        [
            path("eu/", include("shop_urls", namespace="store")),
            path("us/", include("shop_urls", namespace="store")),
            path("ok/", include("shop_urls")),
        ],
    ),
}


def url_results():
    results = {}
    for name, module in URLCONFS.items():
        clear_url_caches()
        with override_settings(ROOT_URLCONF=module):
            results[name] = sorted_messages(checks.run_checks(tags=[checks.Tags.urls]))
    clear_url_caches()
    with override_settings(STATIC_URL="static", MEDIA_URL="media"):
        results["STATIC_URL and MEDIA_URL without a slash"] = sorted_messages(checks.run_checks(tags=[checks.Tags.urls]))
    with override_settings(APPEND_SLASH=False, ROOT_URLCONF=URLCONFS["route problems"]):
        clear_url_caches()
        results["route problems without APPEND_SLASH"] = sorted_messages(checks.run_checks(tags=[checks.Tags.urls]))
    clear_url_caches()
    return results


# --- caches --------------------------------------------------------------------------

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


def cache_results():
    root = pathlib.Path(tempfile.gettempdir()) / "nuages-checks-oracle"
    results = {}
    with override_settings(CACHES={"other": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        results["no default cache"] = sorted_messages(checks.run_checks(tags=[checks.Tags.caches]))
    with override_settings(CACHES={"default": {"BACKEND": FILE_CACHE, "LOCATION": "cache/files"}}):
        results["relative file cache location"] = sorted_messages(checks.run_checks(tags=[checks.Tags.caches]))
    with override_settings(
        CACHES={
            "default": {"BACKEND": FILE_CACHE, "LOCATION": str(root / "media" / "cache")},
            "static": {"BACKEND": FILE_CACHE, "LOCATION": str(root / "static")},
            "outer": {"BACKEND": FILE_CACHE, "LOCATION": str(root)},
        },
        MEDIA_ROOT=str(root / "media"),
        STATIC_ROOT=str(root / "static"),
    ):
        from django.core.cache import caches

        caches._settings = caches.settings = caches.configure_settings(None)
        caches._connections = type(caches._connections)()
        results["file caches inside MEDIA_ROOT and STATIC_ROOT"] = sorted_messages(
            checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.caches])
        )
    return results


# --- templates -----------------------------------------------------------------------


def template_results():
    with override_settings(
        INSTALLED_APPS=["alpha", "beta"],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}}],
    ):
        from django.template import engines

        engines._engines = {}
        engines._templates = None
        found = sorted_messages(checks.run_checks(tags=[checks.Tags.templates]))
    return {"same library name in two apps": found}


# The deploy scenarios install contrib apps, whose checks stay registered: they run last.
result = {"models": model_results(), "urls": url_results(), "caches": cache_results(), "templates": template_results()}
result = {"deploy": deploy_results(), "report": report_results(), **result}
(HERE / "checks-expected.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
print("wrote", HERE / "checks-expected.json")

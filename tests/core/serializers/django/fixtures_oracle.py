"""Django 5.2's answers for the dumpdata / loaddata tests (tests/core/serializers/ and
tests/core/management/): what dumpdata writes for dataset.json's data, the messages and
errors of both commands, and what Django makes of the fixtures Nuages writes.

(a) dataset.json is created with Django's ORM and dumped with `dumpdata` in several
    modes into expected/dump-*.*, which the Nuages tests compare byte for byte with
    Nuages's dumpdata of the same data.
(b) nuages/*.json (written by `npx node tests/core/serializers/django/make-nuages-dumps.ts`)
    are loaded with Django's `loaddata` into an empty database and dumped again in the
    same mode into expected/django-redump-*.json.
(c) expected/messages.json: what both commands print or raise for each case.

The command lines are in cases.json, which the Nuages tests read too. The shelf app
(shelf/models.py) is the twin of ../project/shelf/models.ts; its fixtures/ folder is the
Nuages app's (shelf/apps.py points there).

Re-run with:

    .venv-django/bin/python tests/core/serializers/django/fixtures_oracle.py
"""
import datetime
import io
import json
import pathlib
import shutil
import sys
import tempfile
import warnings

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
TMP = pathlib.Path(tempfile.mkdtemp(prefix="nuages-fixtures-oracle-"))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(TMP / "db.sqlite3")}},
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shelf"],
    USE_TZ=True,
    TIME_ZONE="UTC",
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    FIXTURE_DIRS=[str(HERE.parent / "project" / "more_fixtures")],
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
)
django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import models  # noqa: E402

EXPECTED = HERE / "expected"
NUAGES = HERE / "nuages"
DATASET = json.loads((HERE / "dataset.json").read_text())


def field_value(field, value):
    """A dataset.json value as the ORM takes it."""
    if value is None:
        return None
    if isinstance(field, models.DurationField):
        return datetime.timedelta(microseconds=value)
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def create_auth():
    for group in DATASET["groups"]:
        created = Group.objects.create(pk=group["pk"], name=group["name"])
        created.permissions.set([Permission.objects.get_by_natural_key(*key) for key in group["permissions"]])
    for user in DATASET["users"]:
        joined = models.DateTimeField().to_python(user["dateJoined"])
        created = User.objects.create(pk=user["pk"], username=user["username"], date_joined=joined)
        created.groups.set(user["groups"])


def create_dataset():
    create_auth()
    many = []
    for entry in DATASET["objects"]:
        model = apps.get_model(entry["model"])
        values = {}
        for name, value in entry["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many.append((model, entry["pk"], name, value))
            elif field.is_relation:
                values[field.attname] = value
            else:
                values[name] = field_value(field, value)
        model.objects.create(pk=model._meta.pk.to_python(entry["pk"]), **values)
    for model, pk, name, value in many:
        getattr(model._base_manager.get(pk=pk), name).set(value)


def run(command, *args, **options):
    """stdout, stderr and the error of one command, with temporary paths made stable."""
    out, err = io.StringIO(), io.StringIO()
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            call_command(command, *args, stdout=out, stderr=err, **options)
        except Exception as exc:  # noqa: BLE001 - every failure is an answer here
            error = {"type": type(exc).__name__, "message": stable(str(exc))}
    return {
        "stdout": stable(out.getvalue()),
        "stderr": stable(err.getvalue()),
        "error": error,
        "warnings": [stable(str(w.message)) for w in caught],
    }


def stable(text):
    text = text.replace(str(TMP), "<tmp>").replace(str(HERE.parent), "<serializers>")
    return text.replace(str(pathlib.Path.cwd()), "<cwd>")


CASES = json.loads((HERE / "cases.json").read_text())


def dump_expected():
    EXPECTED.mkdir(exist_ok=True)
    for name, args in {**CASES["dumps"], **CASES["djangoOnly"]}.items():
        result = run("dumpdata", *args)
        assert result["error"] is None, (name, result)
        (EXPECTED / name).write_text(result["stdout"], encoding="utf-8")


def redump_nuages():
    """(b): each Nuages-written fixture, loaded into an empty database and dumped in its mode."""
    modes = json.loads((NUAGES / "modes.json").read_text())
    for name, mode in modes.items():
        call_command("flush", interactive=False, verbosity=0)
        create_auth()
        loaded = run("loaddata", str(NUAGES / name))
        assert loaded["error"] is None, (name, loaded)
        result = run("dumpdata", *mode)
        assert result["error"] is None, (name, result)
        (EXPECTED / f"django-redump-{name}").write_text(result["stdout"], encoding="utf-8")


SHELF_MODELS = ["shelf.author", "shelf.book", "shelf.issue", "shelf.loan", "shelf.member", "shelf.series", "shelf.tag"]


def row_counts():
    return {label: apps.get_model(label).objects.count() for label in SHELF_MODELS}


def messages():
    found = {"loaddata": {}, "dumpdata": {}}
    for name, args in CASES["loaddata"].items():
        call_command("flush", interactive=False, verbosity=0)
        args = [arg.replace("<serializers>", str(HERE.parent)) for arg in args]
        if "-" in args:
            sys.stdin = io.StringIO('[{"model": "shelf.tag", "pk": 5, "fields": {"name": "from stdin"}}]')
        result = run("loaddata", *args)
        sys.stdin = sys.__stdin__
        result["rows"] = row_counts()
        found["loaddata"][name] = result
    call_command("flush", interactive=False, verbosity=0)
    create_dataset()
    for name, args in CASES["dumpdata"].items():
        found["dumpdata"][name] = run("dumpdata", *args)
    found["dumpdata"]["a .zip output"] = dump_to_file("out.json.zip")
    (EXPECTED / "messages.json").write_text(json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def dump_to_file(name):
    result = run("dumpdata", "shelf.tag", "-o", str(TMP / name))
    result["files"] = sorted(path.name for path in TMP.glob("out.*"))
    return result


if __name__ == "__main__":
    try:
        call_command("migrate", run_syncdb=True, verbosity=0)
        create_dataset()
        dump_expected()
        messages()
        if NUAGES.is_dir():
            redump_nuages()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)

"""Runs Django 5.2's `django-admin startproject` and records what startproject.test.ts and
startapp.test.ts compare.

Writes startproject-expected.json:
- `errors`: the CommandError message for each refused call (temporary folder shown as <tmp>),
  startapp's one of its own included;
- `conflictLeavesOnly`: what a folder holds after a refused overlay (nothing is added);
- `secretKey`: the prefix, length and alphabet of the key written into settings.py;
- `deployChecks`: the IDs `check --deploy` reports on a fresh project with DEBUG = False and
  ALLOWED_HOSTS set (what the generated Nuages project must match).

Regenerate:
  .venv-django/bin/python tests/core/management/django/startproject_oracle.py
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DJANGO_ADMIN = os.path.join(os.path.dirname(sys.executable), "django-admin")


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


def error_of(args, cwd, tmp, command="startproject"):
    result = run([DJANGO_ADMIN, command, *args], cwd)
    assert result.returncode == 1, result
    return result.stderr.strip().removeprefix("CommandError: ").replace(tmp, "<tmp>")


with tempfile.TemporaryDirectory() as tmp:
    tmp = os.path.realpath(tmp)
    os.mkdir(os.path.join(tmp, "taken"))
    overlay = os.path.join(tmp, "overlay")
    os.mkdir(overlay)
    open(os.path.join(overlay, "manage.py"), "w").close()
    errors = {
        "notIdentifier": error_of(["my-site"], tmp, tmp),
        "startsWithDigit": error_of(["1site"], tmp, tmp),
        "builtinModule": error_of(["os"], tmp, tmp),
        "folderExists": error_of(["taken"], tmp, tmp),
        "destinationMissing": error_of(["mysite", os.path.join(tmp, "missing")], tmp, tmp),
        "overlayConflict": error_of(["mysite", overlay], tmp, tmp),
        # startapp also refuses a destination folder whose own name is not an identifier.
        "appDirectoryNotIdentifier": error_of(["shop", os.path.join(tmp, "my-shop")], tmp, tmp, "startapp"),
    }
    conflict_leaves_only = sorted(os.listdir(overlay))

    assert run([DJANGO_ADMIN, "startproject", "mysite"], tmp).returncode == 0
    project = os.path.join(tmp, "mysite")
    settings_path = os.path.join(project, "mysite", "settings.py")
    with open(settings_path, encoding="utf-8") as f:
        settings = f.read()
    key = re.search(r"SECRET_KEY = '(.*)'", settings).group(1)
    prefix = "django-insecure-"
    assert key.startswith(prefix)
    settings = settings.replace("DEBUG = True", "DEBUG = False").replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['localhost']")
    with open(settings_path, "w", encoding="utf-8") as f:
        f.write(settings)
    check = run([sys.executable, "manage.py", "check", "--deploy"], project)
    deploy_checks = sorted(set(re.findall(r"\((security\.[EW]\d+)\)", check.stderr)))

from django.core.management.utils import get_random_secret_key  # noqa: E402

alphabet = sorted(set("".join(get_random_secret_key() for _ in range(2000))))

with open(os.path.join(HERE, "startproject-expected.json"), "w", encoding="utf-8") as f:
    json.dump(
        {
            "errors": errors,
            "conflictLeavesOnly": conflict_leaves_only,
            "secretKey": {"prefix": prefix, "length": len(key) - len(prefix), "alphabet": "".join(alphabet)},
            "deployChecks": deploy_checks,
        },
        f,
        indent=2,
    )
    f.write("\n")

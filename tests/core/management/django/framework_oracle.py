"""Runs Django 5.2's manage.py on a small project shaped like
tests/core/management/fixtures/framework and records what framework-*.test.ts compare.

The project has one app, `polls` (Question, Choice with a many-to-many to Tag, one migration),
and the same test commands as the fixture: label_echo (LabelCommand), app_echo (AppCommand),
fail (CommandError, returncode 3), crash (RuntimeError), needs_migrations
(requires_migrations_checks), sql_out (output_transaction) and opts (a required option, a
stealth option).

Writes framework-expected.json:
- `cli`: per scenario, the exit code, stdout and stderr of `manage.py <args>`, with
  "manage.py" written "manage.ts" and "python manage.py" written "node manage.ts";
- `callCommand`: per scenario, call_command's return value or the error's class and message;
- `colors`: per DJANGO_COLORS value, every role applied to "x" with colours forced;
- `sequenceReset`: sqlsequencereset's lines for polls on PostgreSQL (only printed, not run).

Regenerate:
  .venv-django/bin/python tests/core/management/django/framework_oracle.py
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))

MODELS = """
from django.db import models

class Question(models.Model):
    text = models.CharField(max_length=200)

class Tag(models.Model):
    code = models.CharField(max_length=10, primary_key=True)

class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
"""

COMMANDS = {
    "label_echo": """
        from django.core.management.base import CommandError, LabelCommand
        class Command(LabelCommand):
            help = 'Echo labels.'
            label = 'name'
            def handle_label(self, label, **options):
                if label == 'bad':
                    raise CommandError('Bad label.')
                return 'label=%s' % label
    """,
    "app_echo": """
        from django.core.management.base import AppCommand
        class Command(AppCommand):
            def handle_app_config(self, app_config, **options):
                return 'app=%s' % app_config.label
    """,
    "fail": """
        from django.core.management.base import BaseCommand, CommandError
        class Command(BaseCommand):
            requires_system_checks = []
            def handle(self, **options):
                raise CommandError('Nope.', returncode=3)
    """,
    "crash": """
        from django.core.management.base import BaseCommand
        class Command(BaseCommand):
            requires_system_checks = []
            def handle(self, **options):
                raise RuntimeError('boom')
    """,
    "needs_migrations": """
        from django.core.management.base import BaseCommand
        class Command(BaseCommand):
            requires_system_checks = []
            requires_migrations_checks = True
            def handle(self, **options):
                return 'handled'
    """,
    "sql_out": """
        from django.core.management.base import BaseCommand
        class Command(BaseCommand):
            requires_system_checks = []
            output_transaction = True
            def handle(self, **options):
                return 'SELECT 1;'
    """,
    "opts": """
        import json
        from django.core.management.base import BaseCommand
        class Command(BaseCommand):
            stealth_options = ('secret',)
            def add_arguments(self, parser):
                parser.add_argument('--name', required=True)
                parser.add_argument('--dry-run', action='store_true')
            def handle(self, **options):
                return json.dumps({'dry_run': options['dry_run'], 'name': options['name'],
                                   'secret': options.get('secret'), 'skip_checks': options['skip_checks']},
                                  separators=(',', ':'))
    """,
}

# manage.py arguments, by scenario name (the same names the tests use).
CLI = {
    "labels": ["label_echo", "a", "b"],
    "labelsMissing": ["label_echo"],
    "labelsMissingWithOption": ["label_echo", "-v", "2"],
    "labelError": ["label_echo", "a", "bad"],
    "apps": ["app_echo", "polls"],
    "appsMissing": ["app_echo"],
    "appUnknown": ["app_echo", "nope"],
    "commandError": ["fail"],
    "commandErrorTraceback": ["fail", "--traceback"],
    "crash": ["crash"],
    "colorConflict": ["fail", "--no-color", "--force-color"],
    "verbosityOutOfRange": ["label_echo", "a", "-v", "7"],
    "verbosityNotANumber": ["label_echo", "a", "-v", "x"],
    "unrecognizedOption": ["label_echo", "a", "--bogus"],
    "requiredOptionMissing": ["opts"],
    "optionWithoutValue": ["opts", "--name"],
    "options": ["opts", "--name", "x", "--dry-run"],
    "unknownClose": ["chek"],
    "unknownFar": ["zzzzzz"],
    "helpUnknown": ["help", "chek"],
    "migrationsMissing": ["needs_migrations"],
    "outputTransaction": ["sql_out"],
    "outputTransactionColored": ["sql_out", "--force-color"],
    "outputTransactionLight": ["sql_out", "--force-color", {"DJANGO_COLORS": "light"}],
    "outputTransactionNocolor": ["sql_out", "--force-color", {"DJANGO_COLORS": "nocolor"}],
    "commandErrorForcedColor": ["fail", "--force-color"],
    "help": ["help"],
}

COLOR_SETTINGS = [
    "",
    "nocolor",
    "light",
    "dark",
    "error=yellow/blue,blink;notice=magenta",
    "light;sql_keyword=red,bold",
    "nocolor;success=green",
    "bogus",
    "error=pink",
    "error=",
    "ERROR=green/white,underscore,reverse,conceal,noreset",
    "error=/red",
]

ROLES = [
    "ERROR", "SUCCESS", "WARNING", "NOTICE", "SQL_FIELD", "SQL_COLTYPE", "SQL_KEYWORD", "SQL_TABLE",
    "HTTP_INFO", "HTTP_SUCCESS", "HTTP_REDIRECT", "HTTP_NOT_MODIFIED", "HTTP_BAD_REQUEST",
    "HTTP_NOT_FOUND", "HTTP_SERVER_ERROR", "MIGRATE_HEADING", "MIGRATE_LABEL",
]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip())


def make_project(root):
    subprocess.run([sys.executable, "-m", "django", "startproject", "proj", root], check=True)
    # Only polls, so the unapplied-migrations warning counts its one migration.
    write(os.path.join(root, "proj", "settings.py"), """
        from pathlib import Path
        BASE_DIR = Path(__file__).resolve().parent.parent
        SECRET_KEY = 'oracle'
        DEBUG = True
        INSTALLED_APPS = ['polls']
        ROOT_URLCONF = 'proj.urls'
        DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': BASE_DIR / 'db.sqlite3'}}
        DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
    """)
    write(os.path.join(root, "proj", "urls.py"), "urlpatterns = []\n")
    write(os.path.join(root, "proj", "settings_pg.py"), """
        from .settings import *
        DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': 'test',
                                 'USER': 'postgres', 'HOST': '127.0.0.1', 'PORT': 5432}}
    """)
    write(os.path.join(root, "polls", "__init__.py"), "")
    write(os.path.join(root, "polls", "models.py"), MODELS)
    for name, source in COMMANDS.items():
        write(os.path.join(root, "polls", "management", "commands", name + ".py"), source)
    write(os.path.join(root, "polls", "management", "__init__.py"), "")
    write(os.path.join(root, "polls", "management", "commands", "__init__.py"), "")
    subprocess.run([sys.executable, "manage.py", "makemigrations", "polls", "-v", "0"], cwd=root, check=True)


def normalize(text):
    return text.replace("python manage.py", "node manage.ts").replace("manage.py", "manage.ts")


def run_cli(root):
    results = {}
    for scenario, args in CLI.items():
        env = dict(os.environ)
        env.pop("DJANGO_COLORS", None)
        if isinstance(args[-1], dict):
            env.update(args[-1])
            args = args[:-1]
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=root, capture_output=True, text=True, env=env)
        results[scenario] = {
            "args": args,
            "env": {k: v for k, v in env.items() if k == "DJANGO_COLORS"},
            "code": done.returncode,
            "stdout": normalize(done.stdout),
            "stderr": normalize(done.stderr),
        }
    return results


def run_call_command(root):
    sys.path.insert(0, root)
    os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings"
    import django
    from django.core.management import call_command
    django.setup()

    def call(*args, **options):
        out, err = io.StringIO(), io.StringIO()
        try:
            result = call_command(*args, stdout=out, stderr=err, **options)
            return {"result": result, "stdout": out.getvalue()}
        except Exception as error:
            return {"error": type(error).__name__, "message": str(error)}

    return {
        "requiredOptionInObject": call("opts", name="x"),
        "djangoNames": call("opts", name="x", dry_run=True, secret=5),
        "stringArguments": call("opts", "--name=y", "--dry-run"),
        "checksNotSkipped": call("opts", name="x", skip_checks=False),
        "requiredOptionMissing": call("opts"),
        "unknownOption": call("opts", name="x", nmae="x"),
        "missingLabels": call("label_echo"),
        "labels": call("label_echo", "a", "b"),
        "badVerbosity": call("label_echo", "a", "-v", "7"),
        "outputTransaction": call("sql_out"),
        "unknownCommand": call("nope"),
        "commandError": call("fail"),
        "appUnknown": call("app_echo", "nope"),
    }


def colors():
    from django.core.management.color import color_style

    results = {}
    for setting in COLOR_SETTINGS:
        os.environ["DJANGO_COLORS"] = setting
        style = color_style(force_color=True)
        results[setting] = {role: getattr(style, role)("x") for role in ROLES}
    del os.environ["DJANGO_COLORS"]
    return results


def sequence_reset(root):
    done = subprocess.run(
        [sys.executable, "manage.py", "sqlsequencereset", "polls", "--settings=proj.settings_pg"],
        cwd=root, capture_output=True, text=True, check=True,
    )
    return done.stdout.splitlines()


with tempfile.TemporaryDirectory() as tmp:
    make_project(tmp)
    expected = {
        "cli": run_cli(tmp),
        "sequenceReset": sequence_reset(tmp),
        "callCommand": run_call_command(tmp),
        "colors": colors(),
    }

with open(os.path.join(HERE, "framework-expected.json"), "w") as f:
    json.dump(expected, f, indent=2, ensure_ascii=False)
    f.write("\n")

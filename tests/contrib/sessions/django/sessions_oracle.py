"""Encodes the sessions of session-cases.json with Django 5.2 and checks what Nuages wrote.

Writes sessions-django.json for tests/contrib/sessions/django-compat.test.ts:
- `encoded`: each case as Django's db store encodes it (session_data) and as its
  signed_cookies store sends it (the cookie), at the cases' fixed clock;
- `rows`: the `rows` sessions saved by Django's db store in SQLite, as stored;
- `verified`: what Django's stores read from each value in nuages-sessions.json
  (written by make-nuages-sessions.ts), and from each Nuages row put in its table;
- `sqlmigrate`: the SQL of sessions' 0001_initial on SQLite and PostgreSQL.

Regenerate (after make-nuages-sessions.ts; PostgreSQL at 127.0.0.1:5432, database test):
  .venv-django/bin/python tests/contrib/sessions/django/sessions_oracle.py
"""
import io
import json
import os
import tempfile
import time

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "session-cases.json"), encoding="utf-8") as f:
    SPEC = json.load(f)

folder = tempfile.mkdtemp()
settings.configure(
    SECRET_KEY=SPEC["secretKey"],
    USE_TZ=True,
    INSTALLED_APPS=["django.contrib.sessions"],
    DATABASES={
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(folder, "db.sqlite3")},
        "pg": {"ENGINE": "django.db.backends.postgresql", "NAME": "test", "HOST": "127.0.0.1", "USER": "postgres"},
    },
)
django.setup()

from django.contrib.sessions.backends import db, signed_cookies  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

call_command("migrate", "sessions", verbosity=0)


def sqlmigrate(alias):
    out = io.StringIO()
    call_command("sqlmigrate", "sessions", "0001", database=alias, stdout=out, no_color=True)
    return out.getvalue()


real_time = time.time
time.time = lambda: SPEC["now"]
encoded = {}
for case in SPEC["cases"]:
    cookie = signed_cookies.SessionStore()
    cookie.update(case["data"])
    cookie.save()
    encoded[case["name"]] = {"db": db.SessionStore().encode(case["data"]), "signedCookie": cookie.session_key}

with open(os.path.join(HERE, "nuages-sessions.json"), encoding="utf-8") as f:
    nuages = json.load(f)
verified = {}
for name, values in nuages["encoded"].items():
    verified[name] = {
        "db": db.SessionStore().decode(values["db"]),
        "signedCookie": signed_cookies.SessionStore(session_key=values["signedCookie"]).load(),
    }
time.time = real_time

for row in SPEC["rows"]:
    store = db.SessionStore()
    store.update(row["data"])
    store._session_key = row["key"]
    store.save(must_create=True)
with connection.cursor() as cursor:
    cursor.execute("SELECT session_key, session_data, CAST(expire_date AS text) FROM django_session ORDER BY session_key")
    rows = [{"key": key, "data": data, "expires": expires} for key, data, expires in cursor.fetchall()]
    for row in nuages["rows"]:
        cursor.execute(
            "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s)",
            [row["key"], row["data"], row["expires"]],
        )
verified_rows = {}
for row in nuages["rows"]:
    store = db.SessionStore(session_key=row["key"])
    verified_rows[row["key"]] = {"data": store.load(), "expiry": store.get_expiry_date().isoformat()}

with open(os.path.join(HERE, "sessions-django.json"), "w", encoding="utf-8") as f:
    json.dump(
        {
            "encoded": encoded,
            "rows": rows,
            "verified": verified,
            "verifiedRows": verified_rows,
            "sqlmigrate": {"sqlite": sqlmigrate("default"), "postgresql": sqlmigrate("pg")},
        },
        f,
        indent=1,
        ensure_ascii=False,
    )
    f.write("\n")

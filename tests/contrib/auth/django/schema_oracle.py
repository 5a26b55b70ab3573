"""Django 5.2's auth and contenttypes schema and data, for tests/contrib/auth/models.test.ts.

Migrates django.contrib.contenttypes and django.contrib.auth into an in-memory SQLite
database, then writes to schema.json:
- per table, its columns (type, NOT NULL, primary key), foreign keys and unique column sets,
  as SQLite reports them;
- the permissions `migrate` created (content type, codename, name);
- the rows of every auth table after Django made a user (default PBKDF2 hasher) with a
  group and a direct permission, so the test can load Django's own rows and read them.

Re-run with:

    .venv-django/bin/python tests/contrib/auth/django/schema_oracle.py
"""
import json
import pathlib

import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    USE_TZ=True,
    SECRET_KEY="nuages-auth-oracle",
)
django.setup()

from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TABLES = [
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
    "auth_user",
    "auth_user_groups",
    "auth_user_user_permissions",
]

call_command("migrate", verbosity=0)


def rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def table_schema(table):
    columns = {
        name: {"type": type_, "notnull": bool(notnull), "pk": bool(pk)}
        for _, name, type_, notnull, _, pk in rows(f'PRAGMA table_info("{table}")')
    }
    foreign_keys = sorted([fk[3], fk[2], fk[4]] for fk in rows(f'PRAGMA foreign_key_list("{table}")'))
    unique = []
    indexed = []
    for index in rows(f'PRAGMA index_list("{table}")'):
        names = [info[2] for info in rows(f'PRAGMA index_info("{index[1]}")')]
        (unique if index[2] else indexed).append(names)
    return {"columns": columns, "foreignKeys": foreign_keys, "unique": sorted(unique), "indexed": sorted(indexed)}


schema = {table: table_schema(table) for table in TABLES}
permissions = sorted(
    [p.content_type.app_label, p.content_type.model, p.codename, p.name]
    for p in Permission.objects.select_related("content_type")
)

editors = Group.objects.create(name="editors")
editors.permissions.add(Permission.objects.get(codename="change_group"))
user = User.objects.create_user("django-made", "made@Django.example.com", "correct horse battery staple")
user.first_name = "Dj"
user.save()
user.groups.add(editors)
user.user_permissions.add(Permission.objects.get(codename="view_permission"))
inactive = User.objects.create_user("django-inactive", "", "correct horse battery staple", is_active=False)
inactive.user_permissions.add(Permission.objects.get(codename="view_permission"))


def table_rows(table):
    # Each column through an expression: it keeps the value SQLite stores (text datetimes,
    # 0/1 booleans) instead of the Python objects Django's converters would make of it.
    names = [column[1] for column in rows(f'PRAGMA table_info("{table}")')]
    raw = ", ".join(f'CASE WHEN 1 THEN "{name}" END' for name in names)
    return [dict(zip(names, row)) for row in rows(f'SELECT {raw} FROM "{table}" ORDER BY id')]


data = {table: table_rows(table) for table in TABLES}

# The session hash login stores: salted HMAC of the password hash with SECRET_KEY.
session_auth_hash = User.objects.get(username="django-made").get_session_auth_hash()

from django.contrib.auth.base_user import BaseUserManager  # noqa: E402
from django.contrib.auth.validators import ASCIIUsernameValidator, UnicodeUsernameValidator  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402

USERNAMES = [
    "ada", "Ada.Lovelace", "a+b@c-d_e", "émile", "李雷", "١٢٣", "x²", "ⅷ", "e\u0301", "with space",
    "tab\t", "new\nline", "trailing\n", "semi;colon", "slash/", "", "ﬁ", "Ｆｕｌｌ",
]


def accepts(validator, value):
    try:
        validator(value)
        return True
    except ValidationError:
        return False


usernames = [
    {
        "value": name,
        "unicode": accepts(UnicodeUsernameValidator(), name),
        "ascii": accepts(ASCIIUsernameValidator(), name),
        "normalized": User.normalize_username(name),
    }
    for name in USERNAMES
]
EMAILS = ["ada@EXAMPLE.com", "Ada@Example.COM", "  spaced@Example.com  ", "no-at-sign", "a@b@C.com", "", None]
emails = [{"value": email, "normalized": BaseUserManager.normalize_email(email)} for email in EMAILS]

out = pathlib.Path(__file__).with_name("schema.json")
out.write_text(
    json.dumps(
        {
            "django": django.get_version(),
            "schema": schema,
            "permissions": permissions,
            "rows": data,
            "password": "correct horse battery staple",
            "secretKey": settings.SECRET_KEY,
            "sessionAuthHash": session_auth_hash,
            "usernames": usernames,
            "emails": emails,
        },
        indent=1,
        sort_keys=True,
    )
    + "\n"
)
print(f"wrote {out}")

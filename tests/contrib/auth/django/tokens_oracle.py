"""Password reset tokens made by Django 5.2 for fixed users and clocks → tokens.json.

Run: .venv-django/bin/python tests/contrib/auth/django/tokens_oracle.py
"""
import datetime
import json
import pathlib

import django
from django.conf import settings

settings.configure(SECRET_KEY="tokens-oracle-key", USE_TZ=True, TIME_ZONE="UTC", PASSWORD_RESET_TIMEOUT=3600,
                   INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
django.setup()
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator  # noqa: E402
from django.utils.http import urlsafe_base64_encode  # noqa: E402

NOW = datetime.datetime(2026, 11, 28, 8, 0, 0)
USERS = [
    {"pk": 7, "password": "md5$salt$0123456789abcdef", "lastLogin": "2026-01-02T03:04:05.678901+00:00", "email": "ada@example.com"},
    {"pk": 8, "password": "pbkdf2_sha256$1000000$x$y", "lastLogin": None, "email": ""},
    {"pk": 9, "password": "!unusable", "lastLogin": "2026-11-28T07:59:59+00:00", "email": "Émile@exämple.com"},
]


class Fixed(PasswordResetTokenGenerator):
    def _now(self):
        return NOW


cases = []
for data in USERS:
    user = User(pk=data["pk"], password=data["password"], email=data["email"],
                last_login=datetime.datetime.fromisoformat(data["lastLogin"]) if data["lastLogin"] else None)
    token = Fixed().make_token(user)
    later = Fixed()
    later._now = lambda: NOW + datetime.timedelta(seconds=3601)
    cases.append({"user": data, "token": token, "uidb64": urlsafe_base64_encode(str(user.pk).encode()),
                  "validAtOnce": Fixed().check_token(user, token), "validAfterTimeout": later.check_token(user, token)})
(pathlib.Path(__file__).parent / "tokens.json").write_text(json.dumps({"now": NOW.isoformat() + "Z", "cases": cases}, indent=1, ensure_ascii=False) + "\n")
print(len(cases), "cases")

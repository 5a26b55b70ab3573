"""The Django 5.2 peer of the auth benchmark: `python serve.py page|cache PORT`.

Serves GET /me/ with the same JSON as bench/auth/server.ts, under gunicorn (one sync
worker, as one Node process is one thread): `page` without middleware, `cache` through
SessionMiddleware + AuthenticationMiddleware with the session in Redis (Django's own
RedisCache) and the user in SQLite. Prints `READY <port> <cookie>` once it listens.
"""
import os
import sys
import tempfile

import django
from django.conf import settings

KIND, PORT = sys.argv[1], int(sys.argv[2])
WITH_AUTH = KIND != "page"
DB = os.path.join(tempfile.mkdtemp(prefix="nuages-bench-django-"), "db.sqlite3")

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-auth-not-secret",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"] if WITH_AUTH else [],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/13"}},
    SESSION_ENGINE="django.contrib.sessions.backends.cache",
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware"] if WITH_AUTH else [],
    USE_TZ=True,
)
django.setup()

from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402


def me(request):
    user = getattr(request, "user", None)
    return JsonResponse({"user": user.username if user is not None and user.is_authenticated else None})


urlpatterns = [path("me/", me)]

cookie = ""
if WITH_AUTH:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.cache import SessionStore
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(f"bench-{os.getpid()}", "", "not-measured")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    cookie = f"sessionid={session.session_key}"
    connections.close_all()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from gunicorn.app.base import BaseApplication  # noqa: E402


class Server(BaseApplication):
    def load_config(self):
        self.cfg.set("bind", f"127.0.0.1:{PORT}")
        self.cfg.set("workers", 1)
        self.cfg.set("loglevel", "warning")
        self.cfg.set("when_ready", lambda _server: print(f"READY {PORT} {cookie}", flush=True))

    def load(self):
        return get_wsgi_application()


Server().run()

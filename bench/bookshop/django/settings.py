"""Django 5.2 settings of the bench's bookshop (bench/bookshop/run.ts starts it under gunicorn).

Production shape, as the Nuages bookshop runs in the bench: DEBUG off, PostgreSQL with a
persistent connection per worker, the local-memory cache for cache_page, the bookshop's
middleware as far as Django 5.2 has it (see run.ts's header for the differences).
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "catalog",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["BENCH_DB_NAME"],
        "USER": "postgres",
        "HOST": os.environ.get("BENCH_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("BENCH_DB_PORT", "5432"),
        # One connection per worker (thread), kept between requests, as a deployment would.
        "CONN_MAX_AGE": 600,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bookshop"}}

TIME_ZONE = "Europe/Paris"
USE_TZ = True
LANGUAGE_CODE = "en-us"

ROOT_URLCONF = "urls"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "catalog.middleware.request_duration",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The same headers the Nuages bookshop sends (its defaults match Django's).
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalog.context_processors.site_info",
            ],
        },
    }
]

STATIC_URL = "static/"
# The Nuages bookshop's stylesheet, collected with hashed names by the bench (run.ts) as the
# bookshop's is: both stacks link the same catalog/site.<hash>.css.
STATICFILES_DIRS = [BASE_DIR.parent.parent.parent / "examples" / "bookshop" / "catalog" / "static"]
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
SITE_NAME = "Nuages Bookshop"

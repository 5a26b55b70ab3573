"""Django 5.2's SecurityMiddleware and XFrameOptionsMiddleware on fixed requests → security-headers.json.

Run: .venv-django/bin/python tests/middleware/django/security_headers_oracle.py
The TS side (tests/middleware/security.test.ts and clickjacking.test.ts) defines the same
views at the same paths, replays every request through Nuages's Client with the same
settings and middleware, and expects the same status, Location and security headers.

Each case: the middleware ('security' is SecurityMiddleware, 'clickjacking' is
XFrameOptionsMiddleware, in that order), the settings it overrides, the request (method,
path with its query, https or not, headers) and what Django answered.
"""
import json
import pathlib
import sys

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="security-headers-oracle",
    ALLOWED_HOSTS=["testserver", "example.com", "shop.example"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    DATABASES={},
    USE_TZ=True,
)
django.setup()

from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.decorators import method_decorator  # noqa: E402
from django.views import View  # noqa: E402
from django.views.decorators.clickjacking import (  # noqa: E402
    xframe_options_deny,
    xframe_options_exempt,
    xframe_options_sameorigin,
)

HEADERS = [
    "Location",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
]

# Values a view sets itself; the middleware must leave every one of them alone.
PRESET = {
    "Strict-Transport-Security": "max-age=60",
    "X-Content-Type-Options": "view-set",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "unsafe-none",
    "X-Frame-Options": "SAMEORIGIN",
}


def ok(request):
    return HttpResponse("ok")


def preset(request):
    response = HttpResponse("preset")
    for name, value in PRESET.items():
        response[name] = value
    return response


def framed_sameorigin(request):
    response = HttpResponse("framed")
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


class ClassSameorigin(View):
    def get(self, request):
        return HttpResponse("class")


class ClassExempt(View):
    def get(self, request):
        return HttpResponse("class")


urlpatterns = [
    path("", ok),
    path("books/", ok),
    path("health/", ok),
    path("api/health/", ok),
    path("preset/", preset),
    path("exempt/", xframe_options_exempt(ok)),
    path("deny/", xframe_options_deny(ok)),
    path("sameorigin/", xframe_options_sameorigin(ok)),
    path("deny-over-preset/", xframe_options_deny(framed_sameorigin)),
    path("exempt-over-preset/", xframe_options_exempt(framed_sameorigin)),
    path("class-sameorigin/", method_decorator(xframe_options_sameorigin, name="dispatch")(ClassSameorigin).as_view()),
    path("class-exempt/", method_decorator(xframe_options_exempt, name="dispatch")(ClassExempt).as_view()),
]

MIDDLEWARE = {
    "security": "django.middleware.security.SecurityMiddleware",
    "clickjacking": "django.middleware.clickjacking.XFrameOptionsMiddleware",
}

PROXY = ["HTTP_X_FORWARDED_PROTO", "https"]
REDIRECT = {"SECURE_SSL_REDIRECT": True}
HSTS = {"SECURE_HSTS_SECONDS": 31536000}
BOTH = ["security", "clickjacking"]
SECURITY = ["security"]
FRAMES = ["clickjacking"]


def get(path, **kw):
    return {"method": "GET", "path": path, **kw}


def case(name, middleware, request, settings=None):
    return {"name": name, "middleware": middleware, "settings": settings or {}, "request": request}


CASES = [
    # Defaults: the headers every response gets, over http and https.
    case("defaults over http", BOTH, get("/books/")),
    case("defaults over https", BOTH, get("/books/", secure=True)),
    case("defaults on a 404", BOTH, get("/nowhere/")),
    case("headers a view set are kept", BOTH, get("/preset/", secure=True), HSTS),
    # SECURE_SSL_REDIRECT.
    case("plain http is redirected to https, path and query kept", BOTH, get("/books/?page=2&q=dune"), REDIRECT),
    case("the root is redirected", BOTH, get("/"), REDIRECT),
    case("a POST is redirected with 301 too", BOTH, {"method": "POST", "path": "/books/"}, REDIRECT),
    case("a HEAD is redirected", BOTH, {"method": "HEAD", "path": "/books/"}, REDIRECT),
    case("a path of no view is redirected before it is resolved", BOTH, get("/nowhere/?x=1"), REDIRECT),
    case("the redirect keeps the Host and its port", BOTH, get("/books/", headers={"Host": "example.com:8080"}), REDIRECT),
    case("a non-ASCII path is escaped in the Location", BOTH, get("/caf%C3%A9/?q=th%C3%A9"), REDIRECT),
    case("an encoded newline in the path stays escaped in the Location", BOTH, get("/books/%0D%0ASet-Cookie:%20session=stolen"), REDIRECT),
    case("SECURE_SSL_HOST replaces the Host", BOTH, get("/books/?page=2", headers={"Host": "example.com"}),
         {**REDIRECT, "SECURE_SSL_HOST": "secure.example.com"}),
    case("a disallowed Host is refused, not redirected", BOTH, get("/books/", headers={"Host": "evil.example"}), REDIRECT),
    case("with SECURE_SSL_HOST the Host is not looked at", BOTH, get("/books/", headers={"Host": "evil.example"}),
         {**REDIRECT, "SECURE_SSL_HOST": "secure.example.com"}),
    case("https is not redirected", BOTH, get("/books/", secure=True), REDIRECT),
    case("an exempt path is not redirected", BOTH, get("/health/"), {**REDIRECT, "SECURE_REDIRECT_EXEMPT": [r"^health/$"]}),
    case("exempt patterns are searched anywhere in the path", BOTH, get("/api/health/"),
         {**REDIRECT, "SECURE_REDIRECT_EXEMPT": [r"health/$"]}),
    case("exempt patterns see the path without its leading slash", BOTH, get("/health/"),
         {**REDIRECT, "SECURE_REDIRECT_EXEMPT": [r"^/health/$"]}),
    case("exempt patterns do not see the query", BOTH, get("/books/?next=health/"),
         {**REDIRECT, "SECURE_REDIRECT_EXEMPT": [r"health/"]}),
    case("a path matching no exempt pattern is redirected", BOTH, get("/books/"),
         {**REDIRECT, "SECURE_REDIRECT_EXEMPT": [r"^health/$", r"^api/"]}),
    case("the second exempt pattern matches", BOTH, get("/api/health/"),
         {**REDIRECT, "SECURE_REDIRECT_EXEMPT": [r"^health/$", r"^api/"]}),
    # Behind a proxy that terminates TLS.
    case("proxy says https: no redirect", BOTH, get("/books/", headers={"X-Forwarded-Proto": "https"}),
         {**REDIRECT, **HSTS, "SECURE_PROXY_SSL_HEADER": PROXY}),
    case("proxy says http: redirected", BOTH, get("/books/?page=2", headers={"X-Forwarded-Proto": "http"}),
         {**REDIRECT, **HSTS, "SECURE_PROXY_SSL_HEADER": PROXY}),
    case("proxy header with a list: the first value counts", BOTH, get("/books/", headers={"X-Forwarded-Proto": "https, http"}),
         {**REDIRECT, **HSTS, "SECURE_PROXY_SSL_HEADER": PROXY}),
    case("proxy header missing: the socket's scheme counts", BOTH, get("/books/", secure=True),
         {**REDIRECT, **HSTS, "SECURE_PROXY_SSL_HEADER": PROXY}),
    case("a forged X-Forwarded-Proto is ignored without SECURE_PROXY_SSL_HEADER", BOTH,
         get("/books/", headers={"X-Forwarded-Proto": "https"}), {**REDIRECT, **HSTS}),
    # HSTS.
    case("HSTS over https", SECURITY, get("/books/", secure=True), HSTS),
    case("HSTS is never sent over http", SECURITY, get("/books/"), HSTS),
    case("HSTS with includeSubDomains", SECURITY, get("/books/", secure=True), {**HSTS, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True}),
    case("HSTS with preload", SECURITY, get("/books/", secure=True), {**HSTS, "SECURE_HSTS_PRELOAD": True}),
    case("HSTS with both", SECURITY, get("/books/", secure=True),
         {**HSTS, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True}),
    case("HSTS options without seconds send nothing", SECURITY, get("/books/", secure=True),
         {"SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_HSTS_PRELOAD": True}),
    case("HSTS through the proxy header", SECURITY, get("/books/", headers={"X-Forwarded-Proto": "https"}),
         {**HSTS, "SECURE_PROXY_SSL_HEADER": PROXY}),
    case("HSTS on the https redirect target only, not the redirect", SECURITY, get("/books/"), {**HSTS, **REDIRECT}),
    # nosniff, Referrer-Policy, Cross-Origin-Opener-Policy.
    case("nosniff off", SECURITY, get("/books/"), {"SECURE_CONTENT_TYPE_NOSNIFF": False}),
    case("referrer policy as one value", SECURITY, get("/books/"), {"SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin"}),
    case("referrer policy with fallbacks in a string", SECURITY, get("/books/"),
         {"SECURE_REFERRER_POLICY": "no-referrer,  strict-origin-when-cross-origin , same-origin"}),
    case("referrer policy as a list", SECURITY, get("/books/"), {"SECURE_REFERRER_POLICY": ["no-referrer", "same-origin"]}),
    case("referrer policy off", SECURITY, get("/books/"), {"SECURE_REFERRER_POLICY": None}),
    case("referrer policy empty", SECURITY, get("/books/"), {"SECURE_REFERRER_POLICY": ""}),
    case("COOP same-origin-allow-popups", SECURITY, get("/books/"), {"SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin-allow-popups"}),
    case("COOP off", SECURITY, get("/books/"), {"SECURE_CROSS_ORIGIN_OPENER_POLICY": None}),
    case("everything off", SECURITY, get("/books/", secure=True),
         {"SECURE_CONTENT_TYPE_NOSNIFF": False, "SECURE_REFERRER_POLICY": None, "SECURE_CROSS_ORIGIN_OPENER_POLICY": None}),
    # X-Frame-Options.
    case("X-Frame-Options defaults to DENY", FRAMES, get("/books/")),
    case("X_FRAME_OPTIONS SAMEORIGIN", FRAMES, get("/books/"), {"X_FRAME_OPTIONS": "SAMEORIGIN"}),
    case("X_FRAME_OPTIONS is upper-cased", FRAMES, get("/books/"), {"X_FRAME_OPTIONS": "sameorigin"}),
    case("X-Frame-Options on a 404", FRAMES, get("/nowhere/")),
    case("X-Frame-Options on a POST", FRAMES, {"method": "POST", "path": "/books/"}),
    case("a header the view set is kept", FRAMES, get("/preset/")),
    case("an exempt view gets no header", FRAMES, get("/exempt/")),
    case("deny decorator", FRAMES, get("/deny/"), {"X_FRAME_OPTIONS": "SAMEORIGIN"}),
    case("sameorigin decorator", FRAMES, get("/sameorigin/")),
    case("deny decorator keeps the view's own header", FRAMES, get("/deny-over-preset/")),
    case("exempt decorator keeps the view's own header", FRAMES, get("/exempt-over-preset/")),
    case("sameorigin decorator on a class view", FRAMES, get("/class-sameorigin/")),
    case("exempt decorator on a class view", FRAMES, get("/class-exempt/")),
    case("decorators work without the middleware", [], get("/deny/")),
    case("exempt without the middleware", [], get("/exempt/")),
    case("no middleware, no header", [], get("/books/")),
]


def run(entry):
    middleware = [MIDDLEWARE[name] for name in entry["middleware"]]
    request = entry["request"]
    with override_settings(MIDDLEWARE=middleware, **entry["settings"]):
        client = Client()
        response = client.generic(
            request["method"], request["path"], secure=request.get("secure", False), headers=request.get("headers")
        )
    return {"status": response.status_code, "headers": {name: response.get(name) for name in HEADERS}}


for entry in CASES:
    entry["expected"] = run(entry)

out = {"django": django.get_version(), "preset": PRESET, "cases": CASES}
target = pathlib.Path(__file__).with_name("security-headers.json")
target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {len(CASES)} cases to {target}", file=sys.stderr)
